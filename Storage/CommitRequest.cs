namespace O365Activity.Storage;

/// <summary>
/// What one transaction of a source's single writer stores: new records, the blobs now complete, and a content type's
/// cursor. Either all of it is stored or none of it.
/// </summary>
public sealed record CommitRequest
{
    /// <summary>The source (incarnation) the records belong to.</summary>
    public required Guid SourceId { get; init; }

    /// <summary>The tenant id, stamped on every row.</summary>
    public required Guid TenantId { get; init; }

    /// <summary>
    /// The source's last sequence as the writer knows it. The commit fails with <see cref="EventStoreConflictException"/>
    /// when the store holds another value (another writer committed, or the source was deleted): the fence that keeps a
    /// second activation from numbering records twice.
    /// </summary>
    public required long ExpectedLastSequence { get; init; }

    /// <summary>
    /// The records, in the order they are to be numbered. Records whose <c>Id</c> the source already stored, or that
    /// repeat an earlier one of this list, are skipped (de-duplication on (source, record <c>Id</c>) for the whole
    /// retention); the others get the sequences after <see cref="ExpectedLastSequence"/>, with no gap.
    /// </summary>
    public IReadOnlyList<NewRecord> Records { get; init; } = [];

    /// <summary>Blobs complete with this commit.</summary>
    public IReadOnlyList<ProcessedBlob> Blobs { get; init; } = [];

    /// <summary>The content type's cursor after this commit; null to leave cursors as they are.</summary>
    public ContentCursor? Cursor { get; init; }

    /// <summary>
    /// Sign-in profiles to store with the records (key to JSON text, as <see cref="IEventStore.LoadProfilesAsync"/>
    /// gives them): the history the risk flags of the next sign-ins are computed from, kept in step with the events.
    /// </summary>
    public IReadOnlyDictionary<string, string> Profiles { get; init; } = System.Collections.Frozen.FrozenDictionary<string, string>.Empty;

    /// <summary>When the records were stored (UTC); recorded per row as <c>stored_at</c>.</summary>
    public required DateTimeOffset StoredAt { get; init; }
}
