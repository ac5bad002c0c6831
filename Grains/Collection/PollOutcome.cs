namespace O365Activity.Grains.Collection;

/// <summary>How a poll of one content type ended, when it did not fail as a whole.</summary>
/// <param name="Counters">What the poll stored, dropped and skipped, by kind.</param>
/// <param name="HeldBack">Blobs that failed and will be fetched again on a later poll (the cursor stays before them).</param>
/// <param name="Error">The last blob failure, for the status; null when every blob was processed.</param>
public sealed record PollOutcome(PollCounters Counters, int HeldBack, string? Error)
{
    /// <summary>Records newly stored.</summary>
    public long Stored => Counters.Records;

    /// <summary>Records skipped because their <c>Id</c> was stored already.</summary>
    public long Duplicates => Counters.Duplicates;

    /// <summary>The span this poll found could no longer be listed (case W03), if any; the cursor has moved past it.</summary>
    public ListingWindow? Gap { get; init; }
}
