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

    /// <summary>How many of the records stored were ingress events.</summary>
    public int IngressStored { get; init; }

    /// <summary>How many of the records stored were admin events.</summary>
    public int AdminStored { get; init; }

    /// <summary>How many of the records stored were raw records only.</summary>
    public long RawStored => Stored - IngressStored - AdminStored;

    /// <summary>The result of a commit that stored the records of <paramref name="stored"/> (in order) after <paramref name="expectedLastSequence"/>.</summary>
    /// <param name="expectedLastSequence">The source's last sequence before the commit.</param>
    /// <param name="offered">How many records the commit offered.</param>
    /// <param name="stored">The kinds of the records stored.</param>
    public static CommitResult For(long expectedLastSequence, int offered, IReadOnlyCollection<EventKind> stored) =>
        new(expectedLastSequence + 1, expectedLastSequence + stored.Count, offered - stored.Count, [.. stored.Distinct().Order()])
        {
            IngressStored = stored.Count(k => k == EventKind.Ingress),
            AdminStored = stored.Count(k => k == EventKind.Admin),
        };
}
