using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using O365Activity.Emulator;
using O365Activity.Grains.Collection;

namespace O365Activity.Tests.Collection;

/// <summary>The per-tenant request budget (PROTOCOL.md §6) through the real API client against a throttling emulator.</summary>
public sealed class RequestBudgetTests
{
    private const string ClientId = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    private const string Secret = "budget-test-secret";
    private const string Aad = "Audit.AzureActiveDirectory";

    [Theory]
    [InlineData(2_000, 34, 1_920)]
    [InlineData(600, 10, 540)]
    [InlineData(60, 1, 30)]
    [InlineData(1, 1, 1)]
    public void Budget_AnyMinute_StaysWithinTheBudget(int perMinute, int burst, int sustained)
    {
        using var budget = new RequestBudget(Options.Create(new CollectorOptions { RequestsPerMinute = perMinute }));

        Assert.Equal((burst, sustained), (budget.BurstSize, budget.SustainedPerMinute));
        Assert.True(budget.BurstSize + budget.SustainedPerMinute <= Math.Max(perMinute, 2), "a 60-second span never sees more than the budget");
    }

    [Fact]
    public async Task ListContent_MoreRequestsThanTheBurst_AreSpreadOverTimeAndNeverThrottled()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions
        {
            ClientId = ClientId,
            ClientSecret = Secret,
            AutoConsentAllTenants = true,
            Throttling = new ThrottleBehavior(RequestsPerMinute: 600),
        });
        await using var services = Services(emulator, requestsPerMinute: 600);
        var client = services.GetRequiredService<ManagementApiClient>();
        var tenant = Guid.NewGuid();
        emulator.State.EnableSubscription(tenant, Aad);
        var now = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();

        // 40 listings at once with a budget of 600 a minute: 10 at once, then 9 a second.
        await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => client.ListContentAsync(tenant, Aad, now.AddHours(-1), now, CancellationToken.None)));

        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(3), $"40 requests took {clock.Elapsed}: the budget did not spread them.");
        var listings = emulator.State.Requests.Where(r => r.TenantId == tenant && r.Kind == RequestKind.ListContent).ToList();
        Assert.Equal(40, listings.Count);
        Assert.All(listings, r => Assert.Equal(200, r.StatusCode));
    }

    [Fact]
    public async Task ListContent_TwoTenants_EachHasItsOwnBudget()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { ClientId = ClientId, ClientSecret = Secret, AutoConsentAllTenants = true });
        await using var services = Services(emulator, requestsPerMinute: 600);
        var client = services.GetRequiredService<ManagementApiClient>();
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        emulator.State.EnableSubscription(first, Aad);
        emulator.State.EnableSubscription(second, Aad);
        var now = DateTimeOffset.UtcNow;
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.ListContentAsync(first, Aad, now.AddHours(-1), now, CancellationToken.None)));
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.ListContentAsync(second, Aad, now.AddHours(-1), now, CancellationToken.None)));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(0.9), $"The second tenant's burst waited {clock.Elapsed} for the first tenant's budget.");
    }

    private static ServiceProvider Services(EmulatorServer emulator, int requestsPerMinute) =>
        CollectorServices.Create(emulator, ClientId, Secret, ("Collector:RequestsPerMinute", requestsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
