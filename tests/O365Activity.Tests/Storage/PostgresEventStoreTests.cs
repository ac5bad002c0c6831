using O365Activity.Storage;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.Storage;

/// <summary>The event-store contract on PostgreSQL, and what only the database can show: atomicity, the fence under concurrency.</summary>
public sealed class PostgresEventStoreTests : EventStoreContract
{
    private PostgresTestStore _postgres = null!;

    public override Task DisposeAsync() => _postgres.DisposeAsync().AsTask();

    [Fact]
    public async Task Commit_FailingInTheMiddleOfTheCopy_LeavesNothingBehind()
    {
        var tenant = Guid.NewGuid();
        var source = Guid.NewGuid();
        await Store.RegisterSourceAsync(new EventSourceEntry(tenant, source, "t", DateTimeOffset.UtcNow), CancellationToken.None);
        var good = new NewRecord(new Contracts.Activity.RawRecord { RecordId = Infrastructure.TestRecords.Id(1), RawJson = "{}" }, null);
        // A record the database refuses (its JSON text is not UTF-8): the commit fails after the first row went out.
        var bad = new NewRecord(Infrastructure.TestRecords.Id(2), EventKind.Raw, "Op", DateTimeOffset.UtcNow, good.Parts with { RawJson = new byte[] { 0x7B, 0xFF, 0x7D } });

        await Assert.ThrowsAnyAsync<Exception>(() => Store.CommitAsync(new CommitRequest
        {
            SourceId = source, TenantId = tenant, ExpectedLastSequence = 0, StoredAt = DateTimeOffset.UtcNow, Records = [good, bad],
            Blobs = [new ProcessedBlob("b", "Audit.General", DateTimeOffset.UtcNow)], Cursor = new ContentCursor("Audit.General", DateTimeOffset.UtcNow, null),
        }, CancellationToken.None));

        var progress = await Store.LoadProgressAsync(source, CancellationToken.None);
        Assert.Equal((0L, 0), (progress.LastSequence, progress.Cursors.Length));
        Assert.Empty(await Store.ReadAsync(source, 0, long.MaxValue, null, 10, CancellationToken.None));
        Assert.Empty(await Store.FindProcessedBlobsAsync(source, ["b"], CancellationToken.None));
    }

    [Fact]
    public async Task Commit_TwoWritersWithTheSameExpectedSequence_ExactlyOneWins()
    {
        var tenant = Guid.NewGuid();
        var source = Guid.NewGuid();
        await Store.RegisterSourceAsync(new EventSourceEntry(tenant, source, "t", DateTimeOffset.UtcNow), CancellationToken.None);
        CommitRequest Request(int first) => new()
        {
            SourceId = source, TenantId = tenant, ExpectedLastSequence = 0, StoredAt = DateTimeOffset.UtcNow,
            Records = [.. Enumerable.Range(first, 50).Select(i => new NewRecord(new Contracts.Activity.RawRecord { RecordId = Infrastructure.TestRecords.Id(i), RawJson = "{}" }, null))],
        };

        var attempts = await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            try
            {
                return (await Store.CommitAsync(Request(w * 100), CancellationToken.None)).LastSequence;
            }
            catch (EventStoreConflictException)
            {
                return -1;
            }
        })));

        Assert.Single(attempts, a => a == 50);
        Assert.Equal(3, attempts.Count(a => a == -1));
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), (await Store.ReadAsync(source, 0, long.MaxValue, null, 1_000, CancellationToken.None)).Select(e => e.Sequence));
    }

    protected override async Task<IEventStore> CreateStoreAsync()
    {
        _postgres = await PostgresTestStore.CreateAsync();
        return _postgres.Store;
    }
}
