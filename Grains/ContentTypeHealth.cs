using O365Activity.Contracts.EventSources;

namespace O365Activity.Grains;

/// <summary>Subscription and error state of one content type of a tenant (part of <see cref="TenantState"/>).</summary>
[GenerateSerializer, Alias("o365.ContentTypeHealth")]
public sealed class ContentTypeHealth
{
    /// <summary>Whether the subscription is known to be enabled.</summary>
    [Id(0)] public bool Subscribed { get; set; }

    /// <summary>The last error for this content type; null after a good poll.</summary>
    [Id(1)] public string? LastError { get; set; }

    /// <summary>No poll of this content type before this time (UTC): back-off after errors.</summary>
    [Id(2)] public DateTimeOffset? RetryAfter { get; set; }

    /// <summary>Consecutive failed polls (drives the back-off).</summary>
    [Id(3)] public int Failures { get; set; }

    /// <summary>
    /// True once a listing answered "no subscription" or "disabled" (AF20022/AF20023) and the service sent
    /// <c>subscriptions/start</c> for it; cleared by the next listing that succeeds. While true, retries list again
    /// with back-off but send no further start (case S02).
    /// </summary>
    [Id(4)] public bool RestartSent { get; set; }

    /// <summary>The last error's code (<c>AF20011</c>, <c>HTTP 503</c>, the token endpoint's, <c>store</c>); null after a good poll.</summary>
    [Id(5)] public string? LastErrorCode { get; set; }

    /// <summary>When the last error happened (UTC); null after a good poll.</summary>
    [Id(6)] public DateTimeOffset? LastErrorAt { get; set; }

    /// <summary>Whether the last error needs a person (a permission, audit logging, the application's consent).</summary>
    [Id(7)] public bool NeedsAttention { get; set; }

    /// <summary>The spans that could not be collected (case W03), oldest first; the last <see cref="MaxDataGaps"/>.</summary>
    [Id(8)] public ImmutableArray<DataGap> DataGaps { get; set; } = [];

    /// <summary>What was collected since the source was created.</summary>
    [Id(9)] public CollectionCounters Counters { get; set; } = new();

    /// <summary>The newest <c>contentCreated</c> of a blob processed (UTC); null before the first.</summary>
    [Id(16)] public DateTimeOffset? NewestBlobAt { get; set; }

    /// <summary>The newest <c>CreationTime</c> of a record collected (UTC); null before the first. Lag is measured from it.</summary>
    [Id(17)] public DateTimeOffset? NewestRecordAt { get; set; }

    /// <summary>How many data gaps are kept.</summary>
    public const int MaxDataGaps = 20;

    /// <summary>Records a poll without error: the error, its code and time, the failures and the back-off are cleared.</summary>
    public void Succeeded()
    {
        LastError = null;
        LastErrorCode = null;
        LastErrorAt = null;
        NeedsAttention = false;
        Failures = 0;
        RetryAfter = null;
    }

    /// <summary>
    /// Records a failed poll and sets when the content type is tried again: the poll interval doubled per failure in a
    /// row (2, 4, 8… intervals), at most <paramref name="cap"/>, and never sooner than <paramref name="atLeast"/> (the
    /// API's <c>Retry-After</c>, or <c>Collector:AttentionRetryInterval</c> for a failure that needs a person).
    /// </summary>
    /// <param name="error">The error, for people.</param>
    /// <param name="code">Its code (<c>AF20011</c>, <c>HTTP 503</c>, <c>invalid_client</c>, <c>store</c>).</param>
    /// <param name="now">The time of the failure (UTC).</param>
    /// <param name="pollInterval">The source's poll interval.</param>
    /// <param name="cap">The longest back-off.</param>
    /// <param name="atLeast">The shortest wait, if any.</param>
    /// <param name="needsAttention">Whether only a person can fix it.</param>
    /// <returns>The wait until the next try.</returns>
    public TimeSpan Failed(string error, string code, DateTimeOffset now, TimeSpan pollInterval, TimeSpan cap, TimeSpan? atLeast = null, bool needsAttention = false)
    {
        Failures++;
        LastErrorCode = code;
        LastErrorAt = now;
        NeedsAttention = needsAttention;
        LastError = error;
        var backoff = TimeSpan.FromTicks(Math.Min(cap.Ticks, pollInterval.Ticks * (1L << Math.Min(Failures, 16))));
        if (atLeast > backoff)
        {
            backoff = atLeast.Value;
        }

        RetryAfter = now + backoff;
        return backoff;
    }

    /// <summary>Adds one poll's counts to the totals, and moves the newest blob and record times forward.</summary>
    /// <param name="poll">What the poll counted.</param>
    public void Add(Collection.PollCounters poll)
    {
        if (poll.Any)
        {
            Counters += new CollectionCounters
            {
                Blobs = poll.Blobs,
                IngressEvents = poll.Ingress,
                AdminEvents = poll.Admin,
                RawRecords = poll.Raw,
                DuplicatesDropped = poll.Duplicates,
                NormalizationWarnings = poll.Warnings,
                RecordsRejected = poll.Rejected,
            };
        }

        NewestBlobAt = Later(NewestBlobAt, poll.NewestBlob);
        NewestRecordAt = Later(NewestRecordAt, poll.NewestRecord);
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    /// <summary>A copy, to tell whether a poll changed anything worth writing.</summary>
    public ContentTypeHealth Copy() => (ContentTypeHealth)MemberwiseClone();

    /// <summary>True when every field equals <paramref name="other"/>'s.</summary>
    public bool SameAs(ContentTypeHealth other) =>
        Subscribed == other.Subscribed && LastError == other.LastError && RetryAfter == other.RetryAfter
        && Failures == other.Failures && RestartSent == other.RestartSent && LastErrorCode == other.LastErrorCode
        && LastErrorAt == other.LastErrorAt && NeedsAttention == other.NeedsAttention && DataGaps == other.DataGaps
        && Counters == other.Counters && NewestBlobAt == other.NewestBlobAt && NewestRecordAt == other.NewestRecordAt;
}
