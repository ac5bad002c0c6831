namespace O365Activity.Storage;

/// <summary>
/// The event store: the truth about every source's events, its collection progress and the registry of sources
/// (DESIGN.md decisions 3, 4 and 6). The tenant grain writes through it (one writer per source); the gateway reads
/// from it to replay and to fill gaps. Implementations: <see cref="Postgres.PostgresEventStore"/> (production) and
/// <see cref="InMemory.InMemoryEventStore"/> (local runs in one process, and tests).
/// </summary>
/// <remarks>Every method may throw <see cref="System.Data.Common.DbException"/> (or another I/O exception) when the database cannot be reached.</remarks>
public interface IEventStore
{
    /// <summary>
    /// Records a new source in the registry. A row the tenant already has (from a source whose deletion did not finish)
    /// is replaced, and its source's events are left to the retention job.
    /// </summary>
    Task RegisterSourceAsync(EventSourceEntry source, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the source from the registry, with its cursors and processed blobs; its events are deleted by the
    /// retention job. Does nothing when the tenant's current source is another one.
    /// </summary>
    Task RemoveSourceAsync(Guid tenantId, Guid sourceId, DateTimeOffset deletedAt, CancellationToken cancellationToken);

    /// <summary>The tenant's current source, with its last sequence; null when it has none.</summary>
    Task<EventSourceEntry?> GetSourceAsync(Guid tenantId, CancellationToken cancellationToken);

    /// <summary>Every registered source, ordered by tenant id.</summary>
    Task<IReadOnlyList<EventSourceEntry>> ListSourcesAsync(CancellationToken cancellationToken);

    /// <summary>Records the silo a source's grain activated on (for failover: see <see cref="FindSourcesHostedOutsideAsync"/>).</summary>
    Task SetHostAsync(Guid sourceId, string silo, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>The tenants whose source's grain last activated on a silo not in <paramref name="activeSilos"/> (or never).</summary>
    Task<IReadOnlyList<Guid>> FindSourcesHostedOutsideAsync(IReadOnlyCollection<string> activeSilos, CancellationToken cancellationToken);

    /// <summary>The source's last sequence and cursors.</summary>
    /// <exception cref="EventStoreConflictException">When the source does not exist.</exception>
    Task<SourceProgress> LoadProgressAsync(Guid sourceId, CancellationToken cancellationToken);

    /// <summary>Which of <paramref name="contentIds"/> the source has fully processed (within the processed-blob horizon).</summary>
    Task<IReadOnlySet<string>> FindProcessedBlobsAsync(Guid sourceId, IReadOnlyCollection<string> contentIds, CancellationToken cancellationToken);

    /// <summary>
    /// The source's sign-in profiles with these keys (JSON text, as last committed with <see cref="CommitRequest.Profiles"/>);
    /// keys without one are absent from the answer.
    /// </summary>
    Task<IReadOnlyDictionary<string, string>> LoadProfilesAsync(Guid sourceId, IReadOnlyCollection<string> keys, CancellationToken cancellationToken);

    /// <summary>
    /// Stores new records (skipping those already stored), the blobs they complete and a cursor, in one transaction,
    /// numbering the new records after <see cref="CommitRequest.ExpectedLastSequence"/>.
    /// </summary>
    /// <exception cref="EventStoreConflictException">When the stored last sequence is not the expected one, or the source is gone; nothing is stored.</exception>
    Task<CommitResult> CommitAsync(CommitRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the source's events with <paramref name="afterSequence"/> &lt; sequence ≤ <paramref name="throughSequence"/>,
    /// in sequence order, at most <paramref name="limit"/>, of one kind or (null) all.
    /// </summary>
    Task<IReadOnlyList<StoredEvent>> ReadAsync(Guid sourceId, long afterSequence, long throughSequence, EventKind? kind, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// The last sequence of the source's events stored before <paramref name="storedFrom"/> (UTC): a stream that starts
    /// there delivers what was collected (stored) from that time on. 0 when none is older.
    /// </summary>
    Task<long> FindSequenceBeforeAsync(Guid sourceId, DateTimeOffset storedFrom, CancellationToken cancellationToken);

    /// <summary>
    /// The retention job: deletes events stored before <paramref name="eventsBefore"/>, the events of deleted
    /// sources and processed-blob entries created before <paramref name="blobsBefore"/>, in statements of at most
    /// <paramref name="batchSize"/> rows.
    /// </summary>
    Task<RetentionResult> PurgeAsync(DateTimeOffset eventsBefore, DateTimeOffset blobsBefore, int batchSize, CancellationToken cancellationToken);
}
