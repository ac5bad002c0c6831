namespace O365Activity.Storage;

/// <summary>What a commit stored.</summary>
/// <param name="FirstSequence">The first sequence given out; <paramref name="LastSequence"/> + 1 when nothing new was stored.</param>
/// <param name="LastSequence">The source's last sequence after the commit.</param>
/// <param name="Duplicates">Records skipped because their <c>Id</c> was already stored or repeated within the request.</param>
/// <param name="Kinds">The kinds of the records stored, as a set.</param>
public sealed record CommitResult(long FirstSequence, long LastSequence, int Duplicates, ImmutableArray<EventKind> Kinds)
{
    /// <summary>How many records were stored.</summary>
    public long Stored => LastSequence - FirstSequence + 1;
}
