using Microsoft.Extensions.DependencyInjection;
using O365Activity.Emulator;
using O365Activity.Grains.Collection;

namespace O365Activity.Tests.Collection;

/// <summary>The MSAL token provider against the emulator's token endpoint: one token per tenant until it is due for renewal.</summary>
public sealed class TokenProviderTests
{
    private const string ClientId = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    private const string Secret = "token-test-secret";

    [Fact]
    public async Task GetToken_ManyRequestsOfTwoTenants_OneTokenRequestEachUntilForced()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { ClientId = ClientId, ClientSecret = Secret, AutoConsentAllTenants = true });
        await using var services = Services(emulator);
        var tokens = services.GetRequiredService<ITokenProvider>();
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());

        var firstTokens = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            firstTokens.Add(await tokens.GetTokenAsync(first, forceRefresh: false, CancellationToken.None));
            await tokens.GetTokenAsync(second, forceRefresh: false, CancellationToken.None);
        }

        var forced = await tokens.GetTokenAsync(first, forceRefresh: true, CancellationToken.None);

        Assert.Single(firstTokens.Distinct());
        Assert.Equal(2, TokenRequests(emulator, first));
        Assert.Equal(1, TokenRequests(emulator, second));
        Assert.Equal(forced, await tokens.GetTokenAsync(first, forceRefresh: false, CancellationToken.None));
    }

    [Fact]
    public async Task GetToken_TokenDueForRenewal_IsRenewed()
    {
        // A token valid 302 seconds is due for renewal 5 minutes before it expires: 2 seconds after it was issued.
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { ClientId = ClientId, ClientSecret = Secret, AutoConsentAllTenants = true, TokenLifetime = TimeSpan.FromSeconds(302) });
        await using var services = Services(emulator);
        var tokens = services.GetRequiredService<ITokenProvider>();
        var tenant = Guid.NewGuid();
        var issued = await tokens.GetTokenAsync(tenant, forceRefresh: false, CancellationToken.None);
        Assert.Equal(issued, await tokens.GetTokenAsync(tenant, forceRefresh: false, CancellationToken.None));

        await Task.Delay(TimeSpan.FromSeconds(3));
        var renewed = await tokens.GetTokenAsync(tenant, forceRefresh: false, CancellationToken.None);

        Assert.Equal(2, TokenRequests(emulator, tenant));
        Assert.Equal(renewed, await tokens.GetTokenAsync(tenant, forceRefresh: false, CancellationToken.None));
    }

    [Fact]
    public async Task Forget_DropsTheTenantsTokens_OurCacheAndMsals_AndNoOtherTenants()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { ClientId = ClientId, ClientSecret = Secret, AutoConsentAllTenants = true });
        await using var services = Services(emulator);
        var tokens = services.GetRequiredService<ITokenProvider>();
        var (deleted, kept) = (Guid.NewGuid(), Guid.NewGuid());
        await tokens.GetTokenAsync(deleted, forceRefresh: false, CancellationToken.None);
        await tokens.GetTokenAsync(kept, forceRefresh: false, CancellationToken.None);

        tokens.Forget(deleted);
        await tokens.GetTokenAsync(deleted, forceRefresh: false, CancellationToken.None);
        await tokens.GetTokenAsync(kept, forceRefresh: false, CancellationToken.None);

        Assert.Equal(2, TokenRequests(emulator, deleted));
        Assert.Equal(1, TokenRequests(emulator, kept));
    }

    private static int TokenRequests(EmulatorServer emulator, Guid tenant) =>
        emulator.State.Requests.Count(r => r.Kind == RequestKind.Token && r.TenantId == tenant && r.StatusCode == 200);

    private static ServiceProvider Services(EmulatorServer emulator) => CollectorServices.Create(emulator, ClientId, Secret);
}
