namespace O365Activity.Grains.Collection;

/// <summary>How a poll of one content type ended, when it did not fail as a whole.</summary>
/// <param name="Stored">Records newly stored.</param>
/// <param name="Duplicates">Records skipped because their <c>Id</c> was stored already.</param>
/// <param name="HeldBack">Blobs that failed and will be fetched again on a later poll (the cursor stays before them).</param>
/// <param name="Error">The last blob failure, for the status; null when every blob was processed.</param>
public sealed record PollOutcome(long Stored, long Duplicates, int HeldBack, string? Error)
{
    /// <summary>The span this poll found could no longer be listed (case W03), if any; the cursor has moved past it.</summary>
    public ListingWindow? Gap { get; init; }

    /// <summary>What the poll stored, dropped and skipped, by kind; counted even when it then failed (only what committed).</summary>
    public PollCounters Counters { get; init; } = new();
}
