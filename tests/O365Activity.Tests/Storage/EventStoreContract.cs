using System.Text.Json;
using O365Activity.Contracts.Activity;
using O365Activity.Grains.Normalization;
using O365Activity.Storage;
using O365Activity.Storage.Wire;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.Storage;

/// <summary>
/// What every <see cref="IEventStore"/> must do, run against each implementation (PostgreSQL and in memory), so that
/// the two stay equivalent: gapless numbering, de-duplication on the record <c>Id</c> in any letter case, the writer
/// fence, atomic commits, reads by range and kind, time look-ups and retention.
/// </summary>
public abstract class EventStoreContract : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2024, 6, 1, 10, 0, 0, TimeSpan.Zero);
    private readonly AuditRecordNormalizer _normalizer = new();
    private readonly Guid _tenant = Guid.NewGuid();
    private readonly Guid _source = Guid.NewGuid();

    /// <summary>The store under test.</summary>
    protected IEventStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Store = await CreateStoreAsync();
        await Store.RegisterSourceAsync(new EventSourceEntry(_tenant, _source, "Contoso", T0), CancellationToken.None);
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Commit_NewRecords_AreNumberedFromTheExpectedSequenceWithoutGap()
    {
        var first = await CommitAsync(0, [SignIn(1), Admin(2)]);
        var second = await CommitAsync(2, [File(3), SignIn(4)]);

        Assert.Equal((1L, 2L, 0), (first.FirstSequence, first.LastSequence, first.Duplicates));
        Assert.Equal((3L, 4L), (second.FirstSequence, second.LastSequence));
        Assert.Equal([EventKind.Raw, EventKind.Ingress], second.Kinds.ToArray());
        var all = await ReadAsync();
        Assert.Equal([1L, 2, 3, 4], all.Select(e => e.Sequence));
        Assert.Equal([1, 2, 3, 4], all.Select(e => TestRecords.Number(e.RecordId())));
        Assert.Equal(4, (await Store.GetSourceAsync(_tenant, CancellationToken.None))!.LastSequence);
    }

    [Fact]
    public async Task Commit_RecordsAlreadyStoredOrRepeated_AreSkippedAndNotNumbered()
    {
        await CommitAsync(0, [SignIn(1), SignIn(2)]);
        var upper = WithId(SignIn(2), TestRecords.Id(2).ToUpperInvariant());

        var result = await CommitAsync(2, [upper, SignIn(3), SignIn(3), SignIn(1)]);

        Assert.Equal((3L, 3L, 3), (result.FirstSequence, result.LastSequence, result.Duplicates));
        Assert.Equal([1, 2, 3], (await ReadAsync()).Select(e => TestRecords.Number(e.RecordId())));
    }

    [Fact]
    public async Task Commit_RecordsWithoutAGuidId_AreDeduplicatedByTheirIdText()
    {
        await CommitAsync(0, [WithId(SignIn(1), "sha256:ABCDEF"), WithId(SignIn(2), "not-a-guid")]);

        var result = await CommitAsync(2, [WithId(SignIn(3), "sha256:abcdef"), WithId(SignIn(4), "another")]);

        Assert.Equal((3L, 1), (result.LastSequence, result.Duplicates));
    }

    [Fact]
    public async Task Commit_WrongExpectedSequence_ThrowsAndStoresNothing()
    {
        await CommitAsync(0, [SignIn(1)]);

        var error = await Assert.ThrowsAsync<EventStoreConflictException>(() => Store.CommitAsync(new CommitRequest
        {
            SourceId = _source, TenantId = _tenant, ExpectedLastSequence = 0, StoredAt = T0,
            Records = [New(SignIn(2))], Blobs = [new ProcessedBlob("b1", "Audit.AzureActiveDirectory", T0)], Cursor = new ContentCursor("Audit.AzureActiveDirectory", T0, T0),
        }, CancellationToken.None));

        Assert.Equal((0L, 1L, false), (error.Expected, error.Actual, error.SourceGone));
        Assert.Single(await ReadAsync());
        Assert.Empty(await Store.FindProcessedBlobsAsync(_source, ["b1"], CancellationToken.None));
        Assert.Empty((await Store.LoadProgressAsync(_source, CancellationToken.None)).Cursors);
    }

    [Fact]
    public async Task Commit_SourceRemoved_ThrowsSourceGone()
    {
        await Store.RemoveSourceAsync(_tenant, _source, T0, CancellationToken.None);

        var error = await Assert.ThrowsAsync<EventStoreConflictException>(() => CommitAsync(0, [SignIn(1)]));

        Assert.True(error.SourceGone);
        Assert.Null(await Store.GetSourceAsync(_tenant, CancellationToken.None));
    }

    [Fact]
    public async Task Commit_BlobsAndCursor_AreStoredWithTheRecords()
    {
        await Store.CommitAsync(new CommitRequest
        {
            SourceId = _source, TenantId = _tenant, ExpectedLastSequence = 0, StoredAt = T0, Records = [New(SignIn(1))],
            Blobs = [new ProcessedBlob("b1", "Audit.AzureActiveDirectory", T0), new ProcessedBlob("b2", "Audit.AzureActiveDirectory", T0, Lost: true)],
            Cursor = new ContentCursor("Audit.AzureActiveDirectory", T0.AddHours(1), T0.AddMinutes(61)),
        }, CancellationToken.None);

        var progress = await Store.LoadProgressAsync(_source, CancellationToken.None);
        Assert.Equal(1, progress.LastSequence);
        Assert.Equal(new ContentCursor("Audit.AzureActiveDirectory", T0.AddHours(1), T0.AddMinutes(61)), Assert.Single(progress.Cursors));
        Assert.Equal(["b1", "b2"], (await Store.FindProcessedBlobsAsync(_source, ["b1", "b2", "b3"], CancellationToken.None)).Order());
    }

    [Fact]
    public async Task Read_RangeKindAndLimit_AreRespected()
    {
        await CommitAsync(0, [SignIn(1), Admin(2), SignIn(3), File(4), SignIn(5), Admin(6)]);

        Assert.Equal([3L, 5], (await Store.ReadAsync(_source, 1, 5, EventKind.Ingress, 10, CancellationToken.None)).Select(e => e.Sequence));
        Assert.Equal([2L, 6], (await Store.ReadAsync(_source, 0, 6, EventKind.Admin, 10, CancellationToken.None)).Select(e => e.Sequence));
        Assert.Equal([3L, 4], (await Store.ReadAsync(_source, 2, 6, null, 2, CancellationToken.None)).Select(e => e.Sequence));
        Assert.Empty(await Store.ReadAsync(_source, 6, 6, null, 10, CancellationToken.None));
        Assert.Empty(await Store.ReadAsync(Guid.NewGuid(), 0, 6, null, 10, CancellationToken.None));
    }

    [Fact]
    public async Task Commit_RecordWithANulCharacterInItsFields_IsStoredWithTheOthersAndKeepsItsText()
    {
        var signIn = SignIn(2);
        var odd = signIn with { Raw = signIn.Raw with { Operation = "User\0LoggedIn" } };

        var result = await CommitAsync(0, [SignIn(1), odd, SignIn(3)]);

        Assert.Equal(3, result.LastSequence);
        Assert.Equal("User\0LoggedIn", (await ReadAsync())[1].Operation());
    }

    [Fact]
    public async Task Read_StoredEvent_RoundTripsEveryFieldWithItsSequenceAndRawJson()
    {
        var signIn = SignIn(1);
        var admin = Admin(2);
        await CommitAsync(0, [signIn, admin]);

        var stored = await ReadAsync();

        var ingress = await Store.ReadAsync(_source, 0, long.MaxValue, EventKind.Ingress, 10, CancellationToken.None);
        var admins = await Store.ReadAsync(_source, 0, long.MaxValue, EventKind.Admin, 10, CancellationToken.None);

        Assert.Equal(ActivityMessages.ToProto(signIn.Raw with { Sequence = 1 }), EventWireFormat.ToRawRecord(stored[0]));
        Assert.Equal(ActivityMessages.ToProto(admin.Raw with { Sequence = 2 }), EventWireFormat.ToRawRecord(stored[1]));
        Assert.Equal(ActivityMessages.ToProto((IngressEvent)signIn.Activity! with { Sequence = 1 }), EventWireFormat.ToIngressEvent(Assert.Single(ingress)));
        Assert.Equal(ActivityMessages.ToProto((AdminEvent)admin.Activity! with { Sequence = 2 }), EventWireFormat.ToAdminEvent(Assert.Single(admins)));
        Assert.Equal(signIn.Raw.RawJson, EventWireFormat.ToIngressEvent(ingress[0]).RawJson);
    }

    [Fact]
    public async Task FindSequenceBefore_AStoreTime_GivesTheLastSequenceStoredEarlier()
    {
        await CommitAsync(0, [SignIn(1), SignIn(2)], T0);
        await CommitAsync(2, [SignIn(3)], T0.AddMinutes(10));
        await CommitAsync(3, [SignIn(4)], T0.AddMinutes(20));

        Assert.Equal(0, await Store.FindSequenceBeforeAsync(_source, T0, CancellationToken.None));
        Assert.Equal(2, await Store.FindSequenceBeforeAsync(_source, T0.AddMinutes(5), CancellationToken.None));
        Assert.Equal(2, await Store.FindSequenceBeforeAsync(_source, T0.AddMinutes(10), CancellationToken.None));
        Assert.Equal(4, await Store.FindSequenceBeforeAsync(_source, T0.AddHours(1), CancellationToken.None));
    }

    [Fact]
    public async Task Purge_OldEventsAndRemovedSources_AreDeletedAndTheRestKept()
    {
        await CommitAsync(0, [SignIn(1), SignIn(2)], T0);
        await CommitAsync(2, [SignIn(3)], T0.AddDays(10));
        await Store.CommitAsync(new CommitRequest
        {
            SourceId = _source, TenantId = _tenant, ExpectedLastSequence = 3, StoredAt = T0.AddDays(10),
            Blobs = [new ProcessedBlob("old", "Audit.AzureActiveDirectory", T0), new ProcessedBlob("new", "Audit.AzureActiveDirectory", T0.AddDays(10))],
        }, CancellationToken.None);
        var otherTenant = Guid.NewGuid();
        var otherSource = Guid.NewGuid();
        await Store.RegisterSourceAsync(new EventSourceEntry(otherTenant, otherSource, "gone", T0), CancellationToken.None);
        await Store.CommitAsync(new CommitRequest { SourceId = otherSource, TenantId = otherTenant, ExpectedLastSequence = 0, StoredAt = T0.AddDays(10), Records = [New(SignIn(9))] }, CancellationToken.None);
        await Store.RemoveSourceAsync(otherTenant, otherSource, T0.AddDays(10), CancellationToken.None);

        var purged = await Store.PurgeAsync(T0.AddDays(5), T0.AddDays(5), batchSize: 1, CancellationToken.None);

        Assert.Equal(new RetentionResult(Events: 3, Blobs: 1, Sources: 1), purged);
        Assert.Equal(new RetentionResult(0, 0, 0), await Store.PurgeAsync(T0.AddDays(5), T0.AddDays(5), batchSize: 1, CancellationToken.None));
        Assert.Equal([3L], (await ReadAsync()).Select(e => e.Sequence));
        Assert.Equal(["new"], await Store.FindProcessedBlobsAsync(_source, ["old", "new"], CancellationToken.None));
        Assert.Empty(await Store.ReadAsync(otherSource, 0, long.MaxValue, null, 10, CancellationToken.None));
        var next = await CommitAsync(3, [SignIn(4)]);
        Assert.Equal(4, next.LastSequence);
    }

    [Fact]
    public async Task RegisterSource_TenantWithASourceLeftBehind_ReplacesItAndStartsAtSequenceOne()
    {
        await CommitAsync(0, [SignIn(1)]);
        var newer = Guid.NewGuid();

        await Store.RegisterSourceAsync(new EventSourceEntry(_tenant, newer, "Contoso again", T0), CancellationToken.None);

        var entry = await Store.GetSourceAsync(_tenant, CancellationToken.None);
        Assert.Equal((newer, 0L, "Contoso again"), (entry!.SourceId, entry.LastSequence, entry.DisplayName));
        Assert.Empty(await Store.ReadAsync(newer, 0, long.MaxValue, null, 10, CancellationToken.None));
        Assert.Contains(await Store.ListSourcesAsync(CancellationToken.None), s => s.SourceId == newer);
    }

    [Fact]
    public async Task Hosts_SourcesOnSilosNoLongerActive_AreFound()
    {
        var other = Guid.NewGuid();
        await Store.RegisterSourceAsync(new EventSourceEntry(other, Guid.NewGuid(), "never activated", T0), CancellationToken.None);
        await Store.SetHostAsync(_source, "127.0.0.1:11111@1", T0, CancellationToken.None);

        var outside = await Store.FindSourcesHostedOutsideAsync(["127.0.0.1:11112@2"], CancellationToken.None);
        var inside = await Store.FindSourcesHostedOutsideAsync(["127.0.0.1:11111@1"], CancellationToken.None);

        Assert.Contains(_tenant, outside);
        Assert.Contains(other, outside);
        Assert.DoesNotContain(_tenant, inside);
    }

    /// <summary>Creates the store under test, empty.</summary>
    protected abstract Task<IEventStore> CreateStoreAsync();

    private Task<CommitResult> CommitAsync(long expected, IReadOnlyList<NormalizedRecord> records, DateTimeOffset? storedAt = null) =>
        Store.CommitAsync(new CommitRequest { SourceId = _source, TenantId = _tenant, ExpectedLastSequence = expected, Records = [.. records.Select(New)], StoredAt = storedAt ?? T0 }, CancellationToken.None);

    private static NewRecord New(NormalizedRecord record) => new(record.Raw, record.Activity);

    private Task<IReadOnlyList<StoredEvent>> ReadAsync() => Store.ReadAsync(_source, 0, long.MaxValue, null, 1_000, CancellationToken.None);

    private NormalizedRecord SignIn(int n) => Normalize(TestRecords.SignIn(n));

    private NormalizedRecord Admin(int n) => Normalize(TestRecords.AdminChange(n));

    private NormalizedRecord File(int n) => Normalize(TestRecords.FileAccess(n));

    private static NormalizedRecord WithId(NormalizedRecord record, string id) =>
        new(record.Raw with { RecordId = id }, record.Activity is null ? null : record.Activity with { RecordId = id });

    private NormalizedRecord Normalize(string json)
    {
        using var document = JsonDocument.Parse(json);
        return _normalizer.Normalize(document.RootElement, new NormalizationContext(_tenant, T0, "Audit.AzureActiveDirectory", []));
    }
}
