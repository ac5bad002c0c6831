using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using O365Activity.Grains;
using O365Activity.Grains.Collection;
using O365Activity.Grains.Normalization;
using O365Activity.Storage;
using O365Activity.Storage.InMemory;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.Collection;

/// <summary>
/// The collection pipeline without a cluster: a fake Management Activity API and the in-memory event store behind a
/// store that fails chosen commits. Store first, then tell; nothing lost or doubled whichever commit fails.
/// </summary>
public sealed class CollectionPipelineTests
{
    private const string Aad = "Audit.AzureActiveDirectory";
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly FakeManagementApi _api = new();
    private readonly InMemoryEventStore _memory = new();
    private readonly FaultyStore _store;
    private readonly Guid _tenant = Guid.NewGuid();
    private readonly Guid _sourceId = Guid.NewGuid();
    private readonly List<CommitResult> _notices = [];

    public CollectionPipelineTests() => _store = new FaultyStore(_memory);

    [Fact]
    public async Task Poll_BlobsWithARepeatedRecord_StoresEachOnceNumberedWithoutGapThenTells()
    {
        var (pipeline, source) = await StartAsync();
        _api.AddBlob(Aad, Now.AddHours(-3), TestRecords.SignIn(1), TestRecords.SignIn(2));
        _api.AddBlob(Aad, Now.AddHours(-2), TestRecords.SignIn(2), TestRecords.AdminChange(3));

        var outcome = await pipeline.PollAsync(source, Aad, new ContentTypeHealth(), Notify, CancellationToken.None);

        Assert.Equal((3L, 1L, 0, (string?)null), (outcome.Stored, outcome.Duplicates, outcome.HeldBack, outcome.Error));
        var stored = await ReadAllAsync();
        Assert.Equal([1L, 2, 3], stored.Select(e => e.Sequence));
        Assert.Equal([1, 2, 3], stored.Select(e => TestRecords.Number(e.RecordId())));
        Assert.Equal([EventKind.Ingress, EventKind.Ingress, EventKind.Admin], stored.Select(e => e.Kind));
        Assert.Equal(3, _notices.Sum(n => n.Stored));
        Assert.Equal(3, source.LastSequence);
        Assert.Equal(Now, source.Cursor(Aad)!.ListedThrough);
        Assert.Equal(2, (await _store.FindProcessedBlobsAsync(_sourceId, ["blob-0001", "blob-0002"], CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Poll_W03_CursorOlderThanSevenDays_ReportsTheGapListsFromTheFloorAndCatchesUp()
    {
        var (pipeline, source) = await StartAsync();
        await pipeline.PollAsync(source, Aad, new ContentTypeHealth(), Notify, CancellationToken.None);
        var cursor = source.Cursor(Aad)!.ListedThrough!.Value;

        // Nine days without collection; then a blob inside the last 7 days.
        _time.Advance(TimeSpan.FromDays(9));
        _api.AddBlob(Aad, _time.GetUtcNow().AddDays(-6), TestRecords.SignIn(1));
        var outcome = await pipeline.PollAsync(source, Aad, new ContentTypeHealth(), Notify, CancellationToken.None);

        var floor = _time.GetUtcNow() - ListingWindowPlanner.MaxLookback;
        Assert.Equal(new ListingWindow(cursor - TimeSpan.FromHours(1), floor), outcome.Gap);
        Assert.Equal(1, outcome.Stored);
        Assert.Equal(_time.GetUtcNow(), source.Cursor(Aad)!.ListedThrough);
        Assert.Null((await pipeline.PollAsync(source, Aad, new ContentTypeHealth(), Notify, CancellationToken.None)).Gap);
    }

    [Fact]
    public async Task Poll_BlobsAlreadyProcessed_AreNotFetchedAgain()
    {
        var (pipeline, source) = await StartAsync();
        var blob = _api.AddBlob(Aad, Now.AddMinutes(-30), TestRecords.SignIn(1));
        await pipeline.PollAsync(source, Aad, new ContentTypeHealth(), Notify, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));

        var outcome = await pipeline.PollAsync(source, Aad, new ContentTypeHealth(), Notify, CancellationToken.None);

        Assert.Equal(1, _api.Fetches[blob]);
        Assert.Equal(0, outcome.Stored);
    }

    [Fact]
    public async Task Poll_BlobLargerThanABatchFailsMidway_ItsRecordsReadSoFarAreStoredAndItCountsAsProcessedOnlyWhenWhole()
    {
        var (pipeline, source) = await StartAsync(commitBatchSize: 3);
        var big = _api.AddBlob(Aad, Now.AddHours(-1), [.. Enumerable.Range(1, 7).Select(i => TestRecords.SignIn(i))]);
        _api.FailNextFetch(big, afterRecords: 5);

        var first = await pipeline.PollAsync(source, Aad, new ContentTypeHealth(), Notify, CancellationToken.None);
        var afterFirst = await ReadAllAsync();
        var processedAfterFirst = await _store.FindProcessedBlobsAsync(_sourceId, [big], CancellationToken.None);
        var cursorAfterFirst = source.Cursor(Aad)!;
        _time.Advance(TimeSpan.FromMinutes(1));
        var second = await pipeline.PollAsync(source, Aad, new ContentTypeHealth(), Notify, CancellationToken.None);

        Assert.Equal(1, first.HeldBack);
        Assert.Contains("fetched again", first.Error, StringComparison.Ordinal);
        Assert.Equal([1, 2, 3, 4, 5], afterFirst.Select(e => TestRecords.Number(e.RecordId())));
        Assert.Empty(processedAfterFirst);
        // The next listing (from the cursor less the 1-hour overlap) still covers the failed blob's contentCreated.
        Assert.True(cursorAfterFirst.ListedThrough - TimeSpan.FromHours(1) <= Now.AddHours(-1), $"The cursor moved past a blob that failed: {cursorAfterFirst}.");
        Assert.Null(cursorAfterFirst.PolledAt);
        Assert.Equal((2L, 5L, (string?)null), (second.Stored, second.Duplicates, second.Error));
        Assert.Equal(Enumerable.Range(1, 7), (await ReadAllAsync()).Select(e => TestRecords.Number(e.RecordId())));
        Assert.Single(await _store.FindProcessedBlobsAsync(_sourceId, [big], CancellationToken.None));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(4, false)]
    [InlineData(5, false)]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    [InlineData(4, true)]
    [InlineData(5, true)]
    public async Task Poll_StoreFailsAtAnyCommit_TheNextPollsStoreEveryRecordOnceWithoutGap(int failingCommit, bool appliedBeforeFailing)
    {
        var (pipeline, source) = await StartAsync(commitBatchSize: 3);
        _api.AddBlob(Aad, Now.AddHours(-5), [.. Enumerable.Range(1, 4).Select(i => TestRecords.SignIn(i))]);
        _api.AddBlob(Aad, Now.AddHours(-4), [.. Enumerable.Range(4, 4).Select(i => TestRecords.AdminChange(i))]);
        _api.AddBlob(Aad, Now.AddHours(-3), [.. Enumerable.Range(8, 4).Select(i => TestRecords.FileAccess(i))]);
        _store.FailCommitNumber = failingCommit;
        _store.FailAfterApplying = appliedBeforeFailing;

        await Assert.ThrowsAsync<InjectedStoreFailure>(() => pipeline.PollAsync(source, Aad, new ContentTypeHealth(), Notify, CancellationToken.None));
        _store.FailCommitNumber = 0;
        for (var poll = 0; poll < 3; poll++)
        {
            // What the tenant grain does: another writer's (here: the lost commit's) progress means reload, then poll again.
            _time.Advance(TimeSpan.FromMinutes(1));
            try
            {
                await pipeline.PollAsync(source, Aad, new ContentTypeHealth(), Notify, CancellationToken.None);
            }
            catch (EventStoreConflictException)
            {
                source = SourceContext.From(_tenant, _sourceId, [], await _store.LoadProgressAsync(_sourceId, CancellationToken.None));
            }
        }

        var stored = await ReadAllAsync();
        Assert.Equal(Enumerable.Range(1, 11).Select(i => (long)i), stored.Select(e => e.Sequence));
        Assert.Equal(Enumerable.Range(1, 11), stored.Select(e => TestRecords.Number(e.RecordId())).Order());
        Assert.Equal(3, (await _store.FindProcessedBlobsAsync(_sourceId, ["blob-0001", "blob-0002", "blob-0003"], CancellationToken.None)).Count);
        Assert.Equal(Now.AddMinutes(3), source.Cursor(Aad)!.ListedThrough);
    }

    [Theory]
    [InlineData("AF20050")]
    [InlineData("AF20051")]
    [InlineData("AF20052")]
    public async Task Poll_BlobGoneForGood_IsRecordedLostAndNeverFetchedAgain(string code)
    {
        var (pipeline, source) = await StartAsync();
        var gone = _api.AddBlob(Aad, Now.AddHours(-2), TestRecords.SignIn(1));
        _api.AddBlob(Aad, Now.AddHours(-1), TestRecords.SignIn(2));
        _api.FailNextFetch(gone, afterRecords: 0, code, System.Net.HttpStatusCode.BadRequest);

        var outcome = await pipeline.PollAsync(source, Aad, new ContentTypeHealth(), Notify, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        await pipeline.PollAsync(source, Aad, new ContentTypeHealth(), Notify, CancellationToken.None);

        Assert.Equal((1L, 0, (string?)null), (outcome.Stored, outcome.HeldBack, outcome.Error));
        Assert.Equal(1, _api.Fetches[gone]);
        Assert.Single(await _store.FindProcessedBlobsAsync(_sourceId, [gone], CancellationToken.None));
        Assert.Equal(Now.AddMinutes(1), source.Cursor(Aad)!.ListedThrough);
    }

    [Fact]
    public async Task Poll_Idle_WritesTheCursorOnlyOncePerSaveInterval()
    {
        var (pipeline, source) = await StartAsync(cursorSaveInterval: TimeSpan.FromMinutes(5));
        await pipeline.PollAsync(source, Aad, new ContentTypeHealth(), Notify, CancellationToken.None);
        var afterFirst = _store.Commits;
        for (var i = 0; i < 4; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            await pipeline.PollAsync(source, Aad, new ContentTypeHealth(), Notify, CancellationToken.None);
        }

        var afterFourMinutes = _store.Commits;
        _time.Advance(TimeSpan.FromMinutes(1));
        await pipeline.PollAsync(source, Aad, new ContentTypeHealth(), Notify, CancellationToken.None);
        var stored = (await _store.LoadProgressAsync(_sourceId, CancellationToken.None)).Cursors.Single();

        Assert.Equal((1, 1, 2), (afterFirst, afterFourMinutes, _store.Commits));
        Assert.Equal(Now.AddMinutes(5), source.Cursor(Aad)!.ListedThrough);
        Assert.Equal(Now.AddMinutes(5), stored.ListedThrough);
        Assert.Empty(_notices);
    }

    [Fact]
    public async Task Poll_AnotherWriterCommittedFirst_ThrowsConflictAndStoresNothing()
    {
        var (pipeline, source) = await StartAsync();
        await _memory.CommitAsync(new CommitRequest
        {
            SourceId = _sourceId, TenantId = _tenant, ExpectedLastSequence = 0, StoredAt = Now,
            Records = [Normalize(TestRecords.SignIn(100))],
        }, CancellationToken.None);
        _api.AddBlob(Aad, Now.AddHours(-1), TestRecords.SignIn(1));

        await Assert.ThrowsAsync<EventStoreConflictException>(() => pipeline.PollAsync(source, Aad, new ContentTypeHealth(), Notify, CancellationToken.None));

        Assert.Equal([100], (await ReadAllAsync()).Select(e => TestRecords.Number(e.RecordId())));
        Assert.Empty(_notices);
    }

    private async Task<(CollectionPipeline Pipeline, SourceContext Source)> StartAsync(int commitBatchSize = 2_000, TimeSpan? cursorSaveInterval = null)
    {
        await _memory.RegisterSourceAsync(new EventSourceEntry(_tenant, _sourceId, "test", Now), CancellationToken.None);
        var options = Options.Create(new CollectorOptions
        {
            ClientId = Guid.NewGuid().ToString(),
            ClientSecret = "secret",
            CommitBatchSize = commitBatchSize,
            CursorSaveInterval = cursorSaveInterval ?? TimeSpan.Zero,
        });
        var pipeline = new CollectionPipeline(_api, _store, new AuditRecordNormalizer(), _time, options, NullLogger<CollectionPipeline>.Instance);
        return (pipeline, new SourceContext(_tenant, _sourceId, []));
    }

    private Task Notify(CommitResult result)
    {
        _notices.Add(result);
        return Task.CompletedTask;
    }

    private NewRecord Normalize(string json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        var normalized = new AuditRecordNormalizer().Normalize(document.RootElement, new NormalizationContext(_tenant, Now, Aad, []));
        return new NewRecord(normalized.Raw, normalized.Activity);
    }

    private Task<IReadOnlyList<StoredEvent>> ReadAllAsync() => _store.ReadAsync(_sourceId, 0, long.MaxValue, null, 10_000, CancellationToken.None);
}
