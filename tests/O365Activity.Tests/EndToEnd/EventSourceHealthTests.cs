using System.Text.RegularExpressions;
using O365Activity.Emulator;
using O365Activity.Protos.V1;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.EndToEnd;

/// <summary>What <c>GetEventSource</c> tells an operator about collection: counters, newest blob and record, lag.</summary>
[Collection(ServiceCollection.Name)]
public sealed class EventSourceHealthTests(ServiceFixture service)
{
    private const string Aad = "Audit.AzureActiveDirectory";

    [Fact]
    public async Task Counters_CountWhatWasStoredByKind_TheDuplicatesDropped_TheWarningsAndTheItemsRejected()
    {
        var tenant = Guid.NewGuid();
        service.Emulator.State.GrantConsent(tenant);
        var sources = new EventSources.EventSourcesClient(service.Channel);
        var created = DateTimeOffset.UtcNow.AddMinutes(-30);
        // Blob 1: two sign-ins, an admin change, a raw-only record.
        service.Emulator.State.AddBlob(tenant, [TestRecords.SignIn(1), TestRecords.SignIn(2), TestRecords.AdminChange(3), TestRecords.FileAccess(4)],
            new BlobOptions { ContentType = Aad, ContentCreated = created });
        // Blob 2: sign-in 1 again (a duplicate), a sign-in whose CreationTime is unreadable (stored, with a warning).
        var badTime = TestRecords.SignIn(5).Replace("2024-06-04T08:00:10", "not a time", StringComparison.Ordinal);
        service.Emulator.State.AddBlob(tenant, [TestRecords.SignIn(1), badTime], new BlobOptions { ContentType = Aad, ContentCreated = created.AddMinutes(1) });
        // Blob 3: as served, an item that is not an audit record, then sign-in 6.
        var third = service.Emulator.State.AddBlob(tenant, [TestRecords.SignIn(6)], new BlobOptions { ContentType = Aad, ContentCreated = created.AddMinutes(2) });
        using var fault = service.Emulator.State.InjectFault(new FaultRule
        {
            Kind = RequestKind.GetBlob, TenantId = tenant, PathPattern = Regex.Escape(third), Times = null, StatusCode = 200,
            ContentType = "application/json; charset=utf-8", Body = "[42, " + TestRecords.SignIn(6) + "]",
        });

        await TestSources.CreateConnectedAsync(sources, tenant, unfiltered: true, Aad);
        var status = await TestSources.WaitForSequenceAsync(sources, tenant, 6, TimeSpan.FromSeconds(30));
        status = await TestSources.WaitForStatusAsync(sources, tenant, s => s.Counters.Blobs == 3);

        var aad = Assert.Single(status.ContentTypeStatus);
        foreach (var counters in new[] { status.Counters, aad.Counters })
        {
            Assert.Equal(3, counters.Blobs);
            Assert.Equal(6, counters.Records);
            Assert.Equal(4, counters.IngressEvents);
            Assert.Equal(1, counters.AdminEvents);
            Assert.Equal(1, counters.RawRecords);
            Assert.Equal(1, counters.DuplicatesDropped);
            Assert.Equal(1, counters.NormalizationWarnings);
            Assert.Equal(1, counters.RecordsRejected);
        }

        Assert.Equal(created.AddMinutes(2).ToUnixTimeSeconds(), aad.NewestBlobAt.ToDateTimeOffset().ToUnixTimeSeconds());
        // The records' times are 2024-06-04 (the unreadable one is given the time it was collected, which is newer).
        Assert.True(aad.NewestRecordAt.ToDateTimeOffset() >= new DateTimeOffset(2024, 6, 4, 10, 0, 0, TimeSpan.Zero));
        Assert.InRange(aad.Lag.ToTimeSpan(), TimeSpan.Zero, DateTimeOffset.UtcNow - aad.NewestRecordAt.ToDateTimeOffset() + TimeSpan.FromSeconds(1));

        // Counters are totals: later polls that store nothing new change nothing.
        await Task.Delay(ServiceFixture.PollInterval * 4);
        var later = await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant.ToString() });
        Assert.Equal(status.Counters, later.Counters);
    }
}

/// <summary><c>WatchEventSources</c>: the current statuses, then changes as they happen.</summary>
[Collection(ServiceCollection.Name)]
public sealed class WatchEventSourcesTests(ServiceFixture service)
{
    [Fact]
    public async Task Watch_SendsTheCurrentStatuses_ThenCreationConsentAndDeletion()
    {
        var sources = new EventSources.EventSourcesClient(service.Channel);
        var existing = Guid.NewGuid();
        await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = existing.ToString(), DisplayName = "Existing" });
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var call = sources.WatchEventSources(new WatchEventSourcesRequest(), cancellationToken: cancel.Token);
        var stream = call.ResponseStream;

        var current = new List<EventSourceChange>();
        while (await stream.MoveNext(cancel.Token) && stream.Current.Kind != EventSourceChange.Types.Kind.InSync)
        {
            current.Add(stream.Current);
        }

        Assert.All(current, c => Assert.Equal(EventSourceChange.Types.Kind.Current, c.Kind));
        Assert.Contains(current, c => c.TenantId == existing.ToString() && c.EventSource.DisplayName == "Existing" && c.EventSource.State == ConnectionState.PendingConsent);

        var tenant = Guid.NewGuid();
        service.Emulator.State.GrantConsent(tenant);
        var created = await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant.ToString(), DisplayName = "Watched" });
        var pending = await NextForAsync(stream, tenant, cancel.Token);
        Assert.Equal(EventSourceChange.Types.Kind.Changed, pending.Kind);
        Assert.Equal(ConnectionState.PendingConsent, pending.EventSource.State);
        Assert.Equal("Watched", pending.EventSource.DisplayName);

        using (var browser = new HttpClient())
        {
            (await browser.GetAsync(created.AdminConsentUrl, cancel.Token)).EnsureSuccessStatusCode();
        }

        var connected = await NextForAsync(stream, tenant, cancel.Token, c => c.EventSource?.State == ConnectionState.Connected);
        Assert.NotNull(connected.EventSource.ConnectedAt);

        await sources.DeleteEventSourceAsync(new DeleteEventSourceRequest { TenantId = tenant.ToString() });
        var deleted = await NextForAsync(stream, tenant, cancel.Token, c => c.Kind == EventSourceChange.Types.Kind.Deleted);
        Assert.Equal(ConnectionState.Deleted, deleted.EventSource.State);
        Assert.Equal(tenant.ToString(), deleted.EventSource.TenantId);
    }

    [Fact]
    public async Task Watch_DoesNotSendIdlePolls()
    {
        var sources = new EventSources.EventSourcesClient(service.Channel);
        var tenant = Guid.NewGuid();
        service.Emulator.State.GrantConsent(tenant);
        await TestSources.CreateConnectedAsync(sources, tenant);
        await TestSources.WaitForStatusAsync(sources, tenant, s => s.State == ConnectionState.Connected);
        // The changes of creation and consent are on their way through the stream: let them arrive before watching
        // (a watcher gets a change published just before it subscribed, read afresh; that is not what is tested).
        await Task.Delay(TimeSpan.FromSeconds(3));
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var call = sources.WatchEventSources(new WatchEventSourcesRequest(), cancellationToken: cancel.Token);
        var stream = call.ResponseStream;
        while (await stream.MoveNext(cancel.Token) && stream.Current.Kind != EventSourceChange.Types.Kind.InSync)
        {
        }

        // Ten idle polls of the connected tenant, then one real change. Before the change, at most one late delivery
        // of a change published before the watch began, not one per poll.
        await Task.Delay(ServiceFixture.PollInterval * 10);
        await sources.UpdateEventSourceAsync(new UpdateEventSourceRequest { TenantId = tenant.ToString(), DisplayName = "Renamed" });
        var before = new List<EventSourceChange>();
        EventSourceChange change;
        while ((change = await NextForAsync(stream, tenant, cancel.Token)).EventSource.DisplayName != "Renamed")
        {
            before.Add(change);
        }

        Assert.True(before.Count <= 1, $"{before.Count} changes sent for idle polls: {string.Join(" / ", before.Select(c => $"{c.EventSource.State} {c.EventSource.StatusReason} {c.EventSource.LastError}"))}");
        Assert.All(before, c => Assert.Equal(ConnectionState.Connected, c.EventSource.State));
    }

    private static async Task<EventSourceChange> NextForAsync(
        Grpc.Core.IAsyncStreamReader<EventSourceChange> stream, Guid tenant, CancellationToken cancellationToken, Func<EventSourceChange, bool>? until = null)
    {
        while (await stream.MoveNext(cancellationToken))
        {
            if (stream.Current.TenantId == tenant.ToString() && (until is null || until(stream.Current)))
            {
                return stream.Current;
            }
        }

        throw new Xunit.Sdk.XunitException($"The watch ended before a change of tenant {tenant}.");
    }
}
