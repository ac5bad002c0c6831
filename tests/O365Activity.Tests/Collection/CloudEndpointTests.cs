using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using O365Activity.Contracts;
using O365Activity.Emulator;
using O365Activity.Gateway;
using O365Activity.Gateway.Services;
using O365Activity.Grains.Collection;

namespace O365Activity.Tests.Collection;

/// <summary>The four clouds' hosts (PROTOCOL.md §1, case AU3), and the publisher identifier on every API call.</summary>
public sealed class CloudEndpointTests
{
    private const string ClientId = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    private const string Secret = "cloud-test-secret";

    [Theory]
    [InlineData(CloudName.Enterprise, "https://login.microsoftonline.com/", "https://manage.office.com/", "https://manage.office.com/.default")]
    [InlineData(CloudName.Gcc, "https://login.microsoftonline.com/", "https://manage-gcc.office.com/", "https://manage-gcc.office.com/.default")]
    [InlineData(CloudName.GccHigh, "https://login.microsoftonline.us/", "https://manage.office365.us/", "https://manage.office365.us/.default")]
    [InlineData(CloudName.DoD, "https://login.microsoftonline.us/", "https://manage.protection.apps.mil/", "https://manage.protection.apps.mil/.default")]
    public void Cloud_HasItsTokenAuthorityApiHostAndScope(CloudName cloud, string login, string api, string scope)
    {
        var endpoints = CloudEndpoints.For(cloud);

        Assert.Equal((login, api, scope), (endpoints.LoginHost.ToString(), endpoints.ApiHost.ToString(), endpoints.Scope));
    }

    [Theory]
    [InlineData(CloudName.Enterprise, "https://login.microsoftonline.com/", "https%3A%2F%2Fmanage.office.com%2F.default")]
    [InlineData(CloudName.GccHigh, "https://login.microsoftonline.us/", "https%3A%2F%2Fmanage.office365.us%2F.default")]
    [InlineData(CloudName.DoD, "https://login.microsoftonline.us/", "https%3A%2F%2Fmanage.protection.apps.mil%2F.default")]
    public void AdminConsentUrl_UsesTheCloudsLoginHostAndScope(CloudName cloud, string login, string scope)
    {
        var tenant = Guid.NewGuid();
        var builder = new ConsentUrlBuilder(
            Options.Create(new ConsentApplicationOptions { ClientId = ClientId, Cloud = cloud }),
            Options.Create(new GatewayOptions { ConsentRedirectUri = new Uri("https://collector.example.net/consent/callback") }));

        var url = builder.Build(tenant, "state-1");

        Assert.StartsWith($"{login}{tenant}/v2.0/adminconsent?", url, StringComparison.Ordinal);
        Assert.Contains($"scope={scope}", url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryApiCall_CarriesThePublisherIdentifier()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { ClientId = ClientId, ClientSecret = Secret, AutoConsentAllTenants = true });
        var publisher = Guid.NewGuid();
        await using var services = CollectorServices.Create(emulator, ClientId, Secret, ("Collector:PublisherIdentifier", publisher.ToString()));
        var client = services.GetRequiredService<ManagementApiClient>();
        var tenant = Guid.NewGuid();
        const string General = "Audit.General";
        var now = DateTimeOffset.UtcNow;
        emulator.State.AddBlob(tenant, ["""{"CreationTime":"2024-06-04T08:00:10","Id":"00000000-0000-4000-8000-000000000001","Operation":"FileAccessed","RecordType":6}"""],
            new BlobOptions { ContentType = General, ContentCreated = now.AddMinutes(-5) });

        await client.StartSubscriptionAsync(tenant, General, CancellationToken.None);
        await client.ListSubscriptionsAsync(tenant, CancellationToken.None);
        var blob = Assert.Single(await client.ListContentAsync(tenant, General, now.AddHours(-1), now, CancellationToken.None));
        var records = new List<JsonElement>();
        await foreach (var record in client.FetchContentAsync(tenant, blob, CancellationToken.None))
        {
            records.Add(record);
        }

        var calls = emulator.State.Requests.Where(r => r.TenantId == tenant && r.Kind != RequestKind.Token).ToList();
        Assert.Equal(
            [RequestKind.StartSubscription, RequestKind.ListSubscriptions, RequestKind.ListContent, RequestKind.GetBlob],
            calls.Select(r => r.Kind));
        Assert.All(calls, r => Assert.Equal(publisher.ToString(), r.Query("PublisherIdentifier")));
        Assert.Single(records);
    }
}
