using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using O365Activity.Emulator;
using O365Activity.Grains;
using O365Activity.Grains.Collection;
using O365Activity.Grains.Normalization;
using O365Activity.Harness;

namespace O365Activity.Benchmarks;

/// <summary>
/// Realistic normalized records for the store benchmark: an emulator's synthetic backlog (sign-ins, admin changes,
/// SharePoint and Exchange records), fetched with the service's own API client and normalized by its normalizer.
/// </summary>
public static class RecordSource
{
    private static readonly string[] ContentTypes = ["Audit.AzureActiveDirectory", "Audit.SharePoint", "Audit.Exchange"];

    /// <summary>Fetches and normalizes a backlog of <paramref name="count"/> records of one tenant.</summary>
    public static async Task<(Guid Tenant, List<NormalizedRecord> Records)> LoadAsync(int count)
    {
        var tenant = Guid.NewGuid();
        var records = new List<NormalizedRecord>(count);
        var now = DateTimeOffset.UtcNow;
        await VisitBacklogAsync(tenant, count, async (services, api, contentType, blob) =>
        {
            var normalizer = services.GetRequiredService<AuditRecordNormalizer>();
            var context = new NormalizationContext(tenant, now, contentType, []);
            await foreach (var record in api.FetchContentAsync(tenant, blob, CancellationToken.None))
            {
                records.Add(normalizer.Normalize(record, context));
            }
        });
        return (tenant, records);
    }

    /// <summary>
    /// Starts an emulator with a synthetic backlog of <paramref name="count"/> records of <paramref name="tenant"/> (12
    /// hours, blobs of 1,000, seed 1), and calls <paramref name="visit"/> for each of its blobs, listed with the
    /// service's own API client (passed with its services), content type by content type.
    /// </summary>
    public static async Task VisitBacklogAsync(Guid tenant, int count, Func<IServiceProvider, IManagementActivityApi, string, ContentBlob, Task> visit)
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions
        {
            ClientId = ProcessCluster.ClientId,
            ClientSecret = "benchmark-secret",
            AutoConsentAllTenants = true,
            Backlog = new BacklogOptions(count) { Window = TimeSpan.FromHours(12) },
            BlobSize = 1000,
            GeneratorSeed = 1,
        }, CancellationToken.None);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Collector:ClientId"] = ProcessCluster.ClientId,
            ["Collector:ClientSecret"] = "benchmark-secret",
            ["Collector:LoginEndpoint"] = emulator.BaseUrl.ToString(),
            ["Collector:ManagementApiEndpoint"] = emulator.BaseUrl.ToString(),
        }).Build();
        var services = new ServiceCollection().AddLogging().AddCollector(configuration).AddAuditNormalization(configuration).BuildServiceProvider();
        await using var _ = services;
        var api = services.GetRequiredService<IManagementActivityApi>();
        foreach (var contentType in ContentTypes)
        {
            await api.StartSubscriptionAsync(tenant, contentType, CancellationToken.None);
            foreach (var window in ListingWindowPlanner.Plan(null, DateTimeOffset.UtcNow, TimeSpan.Zero, TimeSpan.FromHours(13)).Windows)
            {
                foreach (var blob in await api.ListContentAsync(tenant, contentType, window.Start, window.End, CancellationToken.None))
                {
                    await visit(services, api, contentType, blob);
                }
            }
        }
    }
}
