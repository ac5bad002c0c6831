using O365Activity.Emulator;
using O365Activity.Protos.V1;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.EndToEnd;

/// <summary>The composition's local variant (in-memory grain storage, reminders, stream pub-sub and event store) serves the same API.</summary>
[Collection(LocalServiceCollection.Name)]
public sealed class LocalVariantTests(LocalServiceFixture service)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task LocalVariant_CollectsStoresAndReplaysWithoutADatabase()
    {
        var tenant = Guid.NewGuid();
        service.Emulator.State.AddBlob(tenant, [TestRecords.SignIn(1), TestRecords.AdminChange(2), TestRecords.SignIn(3)], new BlobOptions { ContentType = "Audit.AzureActiveDirectory" });
        var sources = new EventSources.EventSourcesClient(service.Channel);
        await TestSources.CreateConnectedAsync(sources, tenant);
        await TestSources.WaitForSequenceAsync(sources, tenant, 3, Patience);

        await using var ingress = await StreamCollector<IngressEvent>.StartAsync(new Activity.ActivityClient(service.Channel).StreamIngress(new StreamRequest { TenantId = tenant.ToString(), AfterSequence = 0 }));
        var signIns = await ingress.WaitForCountAsync(2, Patience);

        Assert.Equal([1L, 3], signIns.Select(e => e.Header.Sequence));
        Assert.Contains((await sources.ListEventSourcesAsync(new ListEventSourcesRequest())).EventSources, s => s.TenantId == tenant.ToString());
        Assert.Equal(3, (await service.SharedStore.GetSourceAsync(tenant, CancellationToken.None))!.LastSequence);
    }
}
