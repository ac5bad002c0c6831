namespace O365Activity.Emulator;

/// <summary>
/// A synthetic backlog per tenant (<see cref="EmulatorOptions.Backlog"/>, command line <c>--backlog N[,HOURS]</c>): when a
/// tenant's subscription to Audit.AzureActiveDirectory, Audit.SharePoint or Audit.Exchange first starts (the moment folder
/// content is materialized), that content type's share of <see cref="Records"/> appears as blobs of
/// <see cref="EmulatorOptions.BlobSize"/> records (the newest blob holds the remainder), their <c>contentCreated</c> evenly
/// spread over the <see cref="Window"/> before the start's whole second (the newest 1 ms before it, each blob's records'
/// <c>CreationTime</c> within the blob's slice of the window), visible at once and expiring
/// <see cref="EmulatorOptions.ContentRetention"/> after <c>contentCreated</c>. Shares per 100 records: 86
/// Audit.AzureActiveDirectory (80 sign-ins, 6 admin changes), 8 Audit.SharePoint, 6 Audit.Exchange; Audit.General and DLP.All
/// get none. Record <c>Id</c>s depend only on <see cref="EmulatorOptions.GeneratorSeed"/>, the tenant, the content type and
/// the record's number, so two runs with the same seed and <see cref="Records"/> serve the same ids (content ids and times
/// follow the clock). Only about 0.5 KB per blob is kept; records are written when a blob is fetched.
/// </summary>
/// <param name="Records">Records per tenant over the three content types, at least 1.</param>
public sealed record BacklogOptions(int Records)
{
    /// <summary>The most a backlog may reach back: the API's 7-day content retention and listing reach (PROTOCOL.md §4).</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(7);

    /// <summary>How far back the blobs spread, more than zero and at most <see cref="MaxWindow"/>. Default 24 hours. Near
    /// 7 days the oldest blobs leave the listing reach and expire within minutes, as real content does.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromHours(24);
}
