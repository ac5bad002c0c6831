namespace O365Activity.Storage;

/// <summary>
/// A commit was refused because the source's last sequence is not the one its writer expected (another writer
/// committed first), or because the source no longer exists. Nothing of the commit was stored; the writer reloads its
/// progress before it writes again.
/// </summary>
public sealed class EventStoreConflictException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="sourceId">The source.</param>
    /// <param name="expected">The last sequence the writer expected.</param>
    /// <param name="actual">The last sequence stored; null when the source does not exist.</param>
    public EventStoreConflictException(Guid sourceId, long expected, long? actual)
        : base(actual is null
            ? $"Source {sourceId} no longer exists in the event store; nothing was stored."
            : $"Source {sourceId}: expected last sequence {expected} but the store holds {actual}; another writer committed. Nothing was stored.")
    {
        SourceId = sourceId;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The source.</summary>
    public Guid SourceId { get; }

    /// <summary>The last sequence the writer expected.</summary>
    public long Expected { get; }

    /// <summary>The last sequence stored; null when the source does not exist.</summary>
    public long? Actual { get; }

    /// <summary>True when the source was deleted.</summary>
    public bool SourceGone => Actual is null;
}
