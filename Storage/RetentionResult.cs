namespace O365Activity.Storage;

/// <summary>What one run of the retention job removed.</summary>
/// <param name="Events">Events older than the retention, and events of deleted sources.</param>
/// <param name="Blobs">Processed-blob entries older than the horizon.</param>
/// <param name="Sources">Deleted sources whose last events were removed.</param>
public sealed record RetentionResult(long Events, long Blobs, int Sources);
