using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using O365Activity.Emulator;
using O365Activity.Protos.V1;
using O365Activity.Storage;
using O365Activity.Storage.Postgres;
using O365Activity.Tests.Collection;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.EndToEnd;

/// <summary>
/// Many streams of one tenant at the head: the gateway reads each new event from the store once, for all of them (its
/// recent events), not once per stream; a stream that starts behind reads the store itself.
/// </summary>
public sealed class FanOutTests(FanOutTests.Fixture service) : IClassFixture<FanOutTests.Fixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly BlobOptions AzureAd = new() { ContentType = "Audit.AzureActiveDirectory" };

    [Fact]
    public async Task Streams_FortyAtTheHead_AllGetEveryEventFromOneReadOfTheStore()
    {
        var tenant = Guid.NewGuid();
        var sources = new EventSources.EventSourcesClient(service.Channel);
        var activity = new Activity.ActivityClient(service.Channel);
        service.Emulator.State.AddBlob(tenant, [.. Enumerable.Range(1, 10).Select(i => TestRecords.SignIn(i))], AzureAd);
        await TestSources.CreateConnectedAsync(sources, tenant);
        await TestSources.WaitForSequenceAsync(sources, tenant, 10, Patience);
        var request = new StreamRequest { TenantId = tenant.ToString() };
        var raws = new List<StreamCollector<RawRecord>>();
        var ingresses = new List<StreamCollector<IngressEvent>>();
        for (var i = 0; i < 20; i++)
        {
            raws.Add(await StreamCollector<RawRecord>.StartAsync(activity.StreamRaw(request)));
            ingresses.Add(await StreamCollector<IngressEvent>.StartAsync(activity.StreamIngress(request)));
        }

        var readsBefore = service.GatewayStore.Reads;
        service.Emulator.State.AddBlob(tenant, [.. Enumerable.Range(11, 30).Select(i => i % 3 == 0 ? TestRecords.AdminChange(i) : TestRecords.SignIn(i))], AzureAd);
        foreach (var raw in raws)
        {
            Assert.Equal(Enumerable.Range(11, 30).Select(i => (long)i), (await raw.WaitForCountAsync(30, Patience)).Select(r => r.Header.Sequence));
        }

        foreach (var ingress in ingresses)
        {
            Assert.Equal(20, (await ingress.WaitForCountAsync(20, Patience)).Count);
        }

        // One commit, one notice: one read for forty streams (a second if a store check moved the head first).
        Assert.InRange(service.GatewayStore.Reads - readsBefore, 1, 2);
        var readsAtTheHead = service.GatewayStore.Reads;

        await using var behind = await StreamCollector<RawRecord>.StartAsync(activity.StreamRaw(new StreamRequest { TenantId = tenant.ToString(), AfterSequence = 0 }));
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), (await behind.WaitForCountAsync(40, Patience)).Select(r => r.Header.Sequence));
        Assert.True(service.GatewayStore.Reads > readsAtTheHead, "A stream that starts before the gateway's recent events reads the store.");
        foreach (var stream in raws.Cast<IAsyncDisposable>().Concat(ingresses))
        {
            await stream.DisposeAsync();
        }
    }

    /// <summary>The service with the gateway's store reads counted, and a store check slow enough that notices move the head.</summary>
    public sealed class Fixture : ServiceFixture
    {
        public FaultyStore GatewayStore { get; private set; } = null!;

        protected override TimeSpan SourceCheckInterval => TimeSpan.FromSeconds(10);

        protected override void ConfigureGateway(WebApplicationBuilder gateway) =>
            gateway.Services.AddSingleton<IEventStore>(sp => GatewayStore = new FaultyStore(new PostgresEventStore(sp.GetRequiredService<NpgsqlDataSource>())));
    }
}
