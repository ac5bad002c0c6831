using O365Activity.Storage;

namespace O365Activity.Tests.Collection;

/// <summary>An event store that forwards to another and can fail chosen commits, as a database that goes away would.</summary>
public sealed class FaultyStore(IEventStore inner) : IEventStore
{
    private int _commits;
    private int _reads;

    /// <summary>Commits attempted so far.</summary>
    public int Commits => _commits;

    /// <summary>Reads of events (<see cref="ReadAsync"/>) so far.</summary>
    public int Reads => _reads;

    /// <summary>The attempted commit (1-based) that fails; 0 for none.</summary>
    public int FailCommitNumber { get; set; }

    /// <summary>Whether the failing commit is applied before it fails (a connection lost after the server committed).</summary>
    public bool FailAfterApplying { get; set; }

    public async Task<CommitResult> CommitAsync(CommitRequest request, CancellationToken cancellationToken)
    {
        var number = Interlocked.Increment(ref _commits);
        if (number == FailCommitNumber && !FailAfterApplying)
        {
            throw new InjectedStoreFailure($"commit {number} failed before it was applied");
        }

        var result = await inner.CommitAsync(request, cancellationToken);
        return number == FailCommitNumber ? throw new InjectedStoreFailure($"commit {number} was applied, then the connection broke") : result;
    }

    public Task RegisterSourceAsync(EventSourceEntry source, CancellationToken cancellationToken) => inner.RegisterSourceAsync(source, cancellationToken);

    public Task RemoveSourceAsync(Guid tenantId, Guid sourceId, DateTimeOffset deletedAt, CancellationToken cancellationToken) => inner.RemoveSourceAsync(tenantId, sourceId, deletedAt, cancellationToken);

    public Task<EventSourceEntry?> GetSourceAsync(Guid tenantId, CancellationToken cancellationToken) => inner.GetSourceAsync(tenantId, cancellationToken);

    public Task<IReadOnlyList<EventSourceEntry>> ListSourcesAsync(CancellationToken cancellationToken) => inner.ListSourcesAsync(cancellationToken);

    public Task SetHostAsync(Guid sourceId, string silo, DateTimeOffset since, CancellationToken cancellationToken) => inner.SetHostAsync(sourceId, silo, since, cancellationToken);

    public Task<IReadOnlyList<Guid>> FindSourcesHostedOutsideAsync(IReadOnlyCollection<string> activeSilos, CancellationToken cancellationToken) => inner.FindSourcesHostedOutsideAsync(activeSilos, cancellationToken);

    public Task<SourceProgress> LoadProgressAsync(Guid sourceId, CancellationToken cancellationToken) => inner.LoadProgressAsync(sourceId, cancellationToken);

    public Task<IReadOnlySet<string>> FindProcessedBlobsAsync(Guid sourceId, IReadOnlyCollection<string> contentIds, CancellationToken cancellationToken) => inner.FindProcessedBlobsAsync(sourceId, contentIds, cancellationToken);

    public Task<IReadOnlyDictionary<string, string>> LoadProfilesAsync(Guid sourceId, IReadOnlyCollection<string> keys, CancellationToken cancellationToken) => inner.LoadProfilesAsync(sourceId, keys, cancellationToken);

    public Task<IReadOnlyList<StoredEvent>> ReadAsync(Guid sourceId, long afterSequence, long throughSequence, EventKind? kind, int limit, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        return inner.ReadAsync(sourceId, afterSequence, throughSequence, kind, limit, cancellationToken);
    }

    public Task<long> FindSequenceBeforeAsync(Guid sourceId, DateTimeOffset storedFrom, CancellationToken cancellationToken) => inner.FindSequenceBeforeAsync(sourceId, storedFrom, cancellationToken);

    public Task<RetentionResult> PurgeAsync(DateTimeOffset eventsBefore, DateTimeOffset blobsBefore, int batchSize, CancellationToken cancellationToken) => inner.PurgeAsync(eventsBefore, blobsBefore, batchSize, cancellationToken);
}
