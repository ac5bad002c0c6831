using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using O365Activity.Emulator;
using O365Activity.Protos.V1;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.EndToEnd;

/// <summary>
/// Streams served from the event store: resume by sequence or time, replay then live with no gap and no duplicate at
/// the seam, the same numbers on the filtered streams, slow readers, deletion, bad requests, many streams on one
/// connection.
/// </summary>
[Collection(ServiceCollection.Name)]
public sealed class StreamResumeTests(ServiceFixture service)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly BlobOptions AzureAd = new() { ContentType = "Audit.AzureActiveDirectory" };

    private EventSources.EventSourcesClient Sources => new(service.Channel);

    private Activity.ActivityClient Activity => new(service.Channel);

    [Fact]
    public async Task StreamRaw_AfterSequence_ReplaysTheRestThenFollowsLiveWithoutGapOrDuplicate()
    {
        var tenant = Guid.NewGuid();
        service.Emulator.State.AddBlob(tenant, [.. Enumerable.Range(1, 5).Select(i => TestRecords.SignIn(i))], AzureAd);
        await TestSources.CreateConnectedAsync(Sources, tenant);
        await TestSources.WaitForSequenceAsync(Sources, tenant, 5, Patience);

        await using var raw = await StreamCollector<RawRecord>.StartAsync(Activity.StreamRaw(new StreamRequest { TenantId = tenant.ToString(), AfterSequence = 2 }));
        await raw.WaitForCountAsync(3, Patience);
        service.Emulator.State.AddBlob(tenant, [.. Enumerable.Range(6, 3).Select(i => TestRecords.AdminChange(i))], AzureAd);
        var all = await raw.WaitForCountAsync(6, Patience);

        Assert.Equal([3L, 4, 5, 6, 7, 8], all.Select(r => r.Header.Sequence));
        Assert.Equal([3, 4, 5, 6, 7, 8], all.Select(r => TestRecords.Number(r.Header.RecordId)));
        Assert.Null(raw.Error);
    }

    [Fact]
    public async Task StreamIngressAndAdmin_AfterSequenceZero_CarryTheirKindWithTheRawStreamsNumbers()
    {
        var tenant = Guid.NewGuid();
        service.Emulator.State.AddBlob(tenant, [TestRecords.SignIn(1), TestRecords.AdminChange(2), TestRecords.SignIn(3), TestRecords.AdminChange(4)], AzureAd);
        await TestSources.CreateConnectedAsync(Sources, tenant);
        await TestSources.WaitForSequenceAsync(Sources, tenant, 4, Patience);

        await using var ingress = await StreamCollector<IngressEvent>.StartAsync(Activity.StreamIngress(new StreamRequest { TenantId = tenant.ToString(), AfterSequence = 0 }));
        await using var admin = await StreamCollector<AdminEvent>.StartAsync(Activity.StreamAdmin(new StreamRequest { TenantId = tenant.ToString(), AfterSequence = 0 }));
        await using var raw = await StreamCollector<RawRecord>.StartAsync(Activity.StreamRaw(new StreamRequest { TenantId = tenant.ToString(), AfterSequence = 0 }));
        var signIns = await ingress.WaitForCountAsync(2, Patience);
        var changes = await admin.WaitForCountAsync(2, Patience);
        var records = await raw.WaitForCountAsync(4, Patience);

        var byRecord = records.ToDictionary(r => r.Header.RecordId, r => r.Header.Sequence);
        Assert.Equal(4, byRecord.Count);
        Assert.All(signIns, e => Assert.Equal(byRecord[e.Header.RecordId], e.Header.Sequence));
        Assert.All(changes, e => Assert.Equal(byRecord[e.Header.RecordId], e.Header.Sequence));
        Assert.Equal([1, 3], signIns.Select(e => TestRecords.Number(e.Header.RecordId)));
        Assert.Equal([2, 4], changes.Select(e => TestRecords.Number(e.Header.RecordId)));
    }

    [Fact]
    public async Task StreamRaw_StartTime_DeliversWhatWasCollectedFromThenOn()
    {
        var tenant = Guid.NewGuid();
        service.Emulator.State.AddBlob(tenant, [TestRecords.SignIn(1), TestRecords.SignIn(2)], AzureAd);
        await TestSources.CreateConnectedAsync(Sources, tenant);
        await TestSources.WaitForSequenceAsync(Sources, tenant, 2, Patience);
        await Task.Delay(50);
        var between = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        service.Emulator.State.AddBlob(tenant, [TestRecords.SignIn(3)], AzureAd);
        await TestSources.WaitForSequenceAsync(Sources, tenant, 3, Patience);

        await using var raw = await StreamCollector<RawRecord>.StartAsync(Activity.StreamRaw(new StreamRequest { TenantId = tenant.ToString(), StartTime = Timestamp.FromDateTimeOffset(between) }));
        var records = await raw.WaitForCountAsync(1, Patience);
        await Task.Delay(ServiceFixture.PollInterval * 3);

        Assert.Equal([3L], raw.Items.Select(r => r.Header.Sequence));
        Assert.True(records[0].Header.IngestTime.ToDateTimeOffset() >= between);
    }

    [Fact]
    public async Task StreamRaw_NoPosition_DeliversOnlyWhatIsCommittedAfterTheCall()
    {
        var tenant = Guid.NewGuid();
        service.Emulator.State.AddBlob(tenant, [TestRecords.SignIn(1)], AzureAd);
        await TestSources.CreateConnectedAsync(Sources, tenant);
        await TestSources.WaitForSequenceAsync(Sources, tenant, 1, Patience);

        await using var raw = await StreamCollector<RawRecord>.StartAsync(Activity.StreamRaw(new StreamRequest { TenantId = tenant.ToString() }));
        service.Emulator.State.AddBlob(tenant, [TestRecords.SignIn(2)], AzureAd);
        await raw.WaitForCountAsync(1, Patience);
        await Task.Delay(ServiceFixture.PollInterval * 3);

        Assert.Equal([2L], raw.Items.Select(r => r.Header.Sequence));
    }

    [Fact]
    public async Task StreamRaw_SlowReader_GetsEveryEventInOrderFromTheStore()
    {
        var tenant = Guid.NewGuid();
        for (var blob = 0; blob < 6; blob++)
        {
            service.Emulator.State.AddBlob(tenant, [.. Enumerable.Range((blob * 500) + 1, 500).Select(i => TestRecords.FileAccess(i))], new BlobOptions { ContentType = "Audit.SharePoint" });
        }

        await TestSources.CreateConnectedAsync(Sources, tenant, unfiltered: true, "Audit.SharePoint");
        using var call = Activity.StreamRaw(new StreamRequest { TenantId = tenant.ToString(), AfterSequence = 0 });
        Assert.NotNull((await call.ResponseHeadersAsync).Get("subscribed"));

        // Read nothing while the backlog is collected, then read at leisure: nothing is lost or cut off.
        await TestSources.WaitForSequenceAsync(Sources, tenant, 3000, Patience);
        var sequences = new List<long>();
        while (sequences.Count < 3000 && await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Patience))
        {
            sequences.Add(call.ResponseStream.Current.Header.Sequence);
        }

        Assert.Equal(Enumerable.Range(1, 3000).Select(i => (long)i), sequences);
    }

    [Fact]
    public async Task StreamIngress_SourceDeletedAndCreatedAgainAtOnce_EndsWithNotFoundWithinTwoSeconds()
    {
        var tenant = Guid.NewGuid();
        service.Emulator.State.AddBlob(tenant, [TestRecords.SignIn(1)], AzureAd);
        await TestSources.CreateConnectedAsync(Sources, tenant);
        using var call = Activity.StreamIngress(new StreamRequest { TenantId = tenant.ToString(), AfterSequence = 0 });
        Assert.NotNull((await call.ResponseHeadersAsync).Get("subscribed"));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Patience));

        var deleted = DateTimeOffset.UtcNow;
        await Sources.DeleteEventSourceAsync(new DeleteEventSourceRequest { TenantId = tenant.ToString() });
        await Sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant.ToString() });
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Patience));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.True(DateTimeOffset.UtcNow - deleted < TimeSpan.FromSeconds(2), $"The stream ended {DateTimeOffset.UtcNow - deleted} after the delete.");
    }

    [Fact]
    public async Task StreamRaw_AfterSequenceBeyondTheSource_IsOutOfRange()
    {
        var tenant = Guid.NewGuid();
        await TestSources.CreateConnectedAsync(Sources, tenant);

        var error = await ReadErrorAsync(Activity.StreamRaw(new StreamRequest { TenantId = tenant.ToString(), AfterSequence = 1000 }));

        Assert.Equal(StatusCode.OutOfRange, error.StatusCode);
        Assert.Contains("beyond", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamAdmin_NegativeAfterSequence_IsInvalidArgument()
    {
        var error = await ReadErrorAsync(Activity.StreamAdmin(new StreamRequest { TenantId = Guid.NewGuid().ToString(), AfterSequence = -1 }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("after_sequence", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamAdmin_BothPositions_IsInvalidArgument()
    {
        var request = new StreamRequest { TenantId = Guid.NewGuid().ToString(), AfterSequence = 1, StartTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) };

        var error = await ReadErrorAsync(Activity.StreamAdmin(request));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("not both", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamRaw_ARequestThatIsNotProtobuf_IsInvalidArgument()
    {
        var bytes = Marshallers.Create<byte[]>(b => b, b => b);
        var method = new Method<byte[], byte[]>(MethodType.ServerStreaming, O365Activity.Protos.V1.Activity.Descriptor.FullName, "StreamRaw", bytes, bytes);
        using var call = service.Channel.CreateCallInvoker().AsyncServerStreamingCall(method, null, new CallOptions(), [0xFF, 0xFF, 0xFF, 0xFF]);

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task StreamIngress_InvalidStartTime_IsInvalidArgument()
    {
        var request = new StreamRequest { TenantId = Guid.NewGuid().ToString(), StartTime = new Timestamp { Seconds = long.MaxValue } };

        var error = await ReadErrorAsync(Activity.StreamIngress(request));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("start_time", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streams_MoreThanAHundredOnOneConnection_AllSubscribeAndDeliver()
    {
        var tenant = Guid.NewGuid();
        service.Emulator.State.AddBlob(tenant, [TestRecords.SignIn(1)], AzureAd);
        await TestSources.CreateConnectedAsync(Sources, tenant);
        await TestSources.WaitForSequenceAsync(Sources, tenant, 1, Patience);
        using var channel = GrpcChannel.ForAddress(service.GrpcAddress, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = false },
        });
        var activity = new Activity.ActivityClient(channel);

        var calls = Enumerable.Range(0, 150).Select(_ => activity.StreamIngress(new StreamRequest { TenantId = tenant.ToString(), AfterSequence = 0 })).ToList();
        try
        {
            var firsts = await Task.WhenAll(calls.Select(async call =>
            {
                Assert.NotNull((await call.ResponseHeadersAsync.WaitAsync(Patience)).Get("subscribed"));
                Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Patience));
                return call.ResponseStream.Current.Header.Sequence;
            }));

            Assert.All(firsts, s => Assert.Equal(1, s));
        }
        finally
        {
            calls.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task StreamRaw_EventsCommittedWithoutANotice_AreDeliveredFromTheStore()
    {
        // A source that is not polling (no consent): the only writer is this test, which publishes no notice, as when
        // a notice is lost or a silo dies between its commit and its notice.
        var tenant = Guid.NewGuid();
        await Sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant.ToString(), SendUnfiltered = true });
        var sourceId = (await service.Cluster.Client.GetGrain<Contracts.ITenantGrain>(tenant).GetStatus()).SourceId;
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(service.Database.ConnectionString);
        var store = new O365Activity.Storage.Postgres.PostgresEventStore(dataSource);
        await using var raw = await StreamCollector<RawRecord>.StartAsync(Activity.StreamRaw(new StreamRequest { TenantId = tenant.ToString(), AfterSequence = 0 }));

        var normalizer = new Grains.Normalization.AuditRecordNormalizer();
        var records = Enumerable.Range(1, 3).Select(i =>
        {
            using var document = System.Text.Json.JsonDocument.Parse(TestRecords.SignIn(i));
            var normalized = normalizer.Normalize(document.RootElement, new Grains.Normalization.NormalizationContext(tenant, DateTimeOffset.UtcNow, "Audit.AzureActiveDirectory", []));
            return new O365Activity.Storage.NewRecord(normalized.Raw, normalized.Activity);
        }).ToList();
        await store.CommitAsync(new O365Activity.Storage.CommitRequest { SourceId = sourceId, TenantId = tenant, ExpectedLastSequence = 0, Records = records, StoredAt = DateTimeOffset.UtcNow }, CancellationToken.None);
        var delivered = await raw.WaitForCountAsync(3, Patience);

        Assert.Equal([1L, 2, 3], delivered.Select(r => r.Header.Sequence));
    }

    private static async Task<RpcException> ReadErrorAsync<T>(AsyncServerStreamingCall<T> call)
    {
        using (call)
        {
            return await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Patience));
        }
    }
}
