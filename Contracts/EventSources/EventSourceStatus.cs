namespace O365Activity.Contracts.EventSources;

/// <summary>Where an event source is in its life.</summary>
public enum ConnectionState
{
    /// <summary>No event source exists for the tenant.</summary>
    None = 0,

    /// <summary>Created; waiting for a tenant administrator to grant admin consent.</summary>
    PendingConsent = 1,

    /// <summary>Consent verified (a token was acquired and <c>subscriptions/list</c> answered) and every content type polled without error ("green check").</summary>
    Connected = 2,

    /// <summary>
    /// Needs a person: consent refused or not verifiable, or a content type refused for a reason that only an
    /// administrator can fix (a permission missing, audit logging off, the application removed from the tenant). See
    /// <see cref="EventSourceStatus.StatusReason"/>. The content types concerned are tried again slowly
    /// (<c>Collector:AttentionRetryInterval</c>) and recover on their own once the cause is fixed.
    /// </summary>
    Failed = 3,

    /// <summary>Consent verified; a content type has not been polled without error yet.</summary>
    Connecting = 4,

    /// <summary>
    /// Collecting, but a content type failed <c>Collector:UnhealthyAfterFailures</c> polls in a row for a transient
    /// reason (throttling, server errors, time-outs, the event store unavailable); it is retried with back-off.
    /// </summary>
    Degraded = 5,
}

/// <summary>
/// A time span of a content type whose content could no longer be listed (case W03): it fell out of the API's 7-day
/// window (PROTOCOL.md §4) while the source was not collected, so its events are lost.
/// </summary>
/// <param name="Start">The start of the span (UTC): where the cursor (less the listing overlap) was.</param>
/// <param name="End">The end (UTC): the earliest start the API still accepted.</param>
/// <param name="FoundAt">When the collector found it (UTC).</param>
[GenerateSerializer, Immutable, Alias("o365.DataGap")]
public sealed record DataGap([property: Id(0)] DateTimeOffset Start, [property: Id(1)] DateTimeOffset End, [property: Id(2)] DateTimeOffset FoundAt);

/// <summary>Collection state of one content type of one event source.</summary>
[GenerateSerializer, Immutable, Alias("o365.ContentTypeStatus")]
public sealed record ContentTypeStatus
{
    /// <summary>The content type, in the API's spelling.</summary>
    [Id(0)] public required string ContentType { get; init; }

    /// <summary>Whether the subscription is known to be enabled.</summary>
    [Id(1)] public bool Subscribed { get; init; }

    /// <summary>The end (UTC) of the last listing window fully processed; null before the first.</summary>
    [Id(2)] public DateTimeOffset? Cursor { get; init; }

    /// <summary>When this content type was last polled without error (UTC); null before.</summary>
    [Id(4)] public DateTimeOffset? LastPolledAt { get; init; }

    /// <summary>The last error for this content type (an API error code and message); null when the last poll of it succeeded.</summary>
    [Id(3)] public string? LastError { get; init; }

    /// <summary>The last error's code: the API's (<c>AF20011</c>), <c>HTTP 503</c>, the token endpoint's, or <c>store</c>; null when none.</summary>
    [Id(5)] public string? LastErrorCode { get; init; }

    /// <summary>When the last error happened (UTC); null when none.</summary>
    [Id(6)] public DateTimeOffset? LastErrorAt { get; init; }

    /// <summary>Failed polls in a row; 0 after a poll without error.</summary>
    [Id(7)] public int ConsecutiveFailures { get; init; }

    /// <summary>When the content type is polled next after an error (UTC); null when it follows the poll interval.</summary>
    [Id(8)] public DateTimeOffset? RetryAt { get; init; }

    /// <summary>True when the last error needs a person (see <see cref="ConnectionState.Failed"/>).</summary>
    [Id(9)] public bool NeedsAttention { get; init; }

    /// <summary>The spans that could not be collected (case W03), oldest first; at most the last 20.</summary>
    [Id(10)] public ImmutableArray<DataGap> DataGaps { get; init; } = [];

    /// <summary>The newest <c>contentCreated</c> of a blob processed (UTC); null before the first.</summary>
    [Id(11)] public DateTimeOffset? NewestBlobAt { get; init; }

    /// <summary>The newest <c>CreationTime</c> of a record collected (UTC); null before the first.</summary>
    [Id(12)] public DateTimeOffset? NewestRecordAt { get; init; }

    /// <summary>Now minus <see cref="NewestRecordAt"/> when the status was read; null before the first record.</summary>
    [Id(13)] public TimeSpan? Lag { get; init; }

    /// <summary>What was collected since the source was created.</summary>
    [Id(14)] public CollectionCounters Counters { get; init; } = new();
}

/// <summary>What a source (or one of its content types) collected since it was created.</summary>
[GenerateSerializer, Immutable, Alias("o365.CollectionCounters")]
public sealed record CollectionCounters
{
    /// <summary>Blobs processed (fetched and stored, or found gone).</summary>
    [Id(0)] public long Blobs { get; init; }

    /// <summary>Records stored: <see cref="IngressEvents"/> + <see cref="AdminEvents"/> + <see cref="RawRecords"/>.</summary>
    public long Records => IngressEvents + AdminEvents + RawRecords;

    /// <summary>Ingress events (sign-ins) stored.</summary>
    [Id(1)] public long IngressEvents { get; init; }

    /// <summary>Admin events stored.</summary>
    [Id(2)] public long AdminEvents { get; init; }

    /// <summary>Records stored that are neither (raw records only).</summary>
    [Id(3)] public long RawRecords { get; init; }

    /// <summary>Records dropped because their <c>Id</c> was stored already.</summary>
    [Id(4)] public long DuplicatesDropped { get; init; }

    /// <summary>Records stored with a normalization warning (a value replaced by a stand-in).</summary>
    [Id(5)] public long NormalizationWarnings { get; init; }

    /// <summary>Blob items skipped because they were not audit records.</summary>
    [Id(6)] public long RecordsRejected { get; init; }

    /// <summary>The sum of two sets of counters.</summary>
    public static CollectionCounters operator +(CollectionCounters a, CollectionCounters b) => new()
    {
        Blobs = a.Blobs + b.Blobs,
        IngressEvents = a.IngressEvents + b.IngressEvents,
        AdminEvents = a.AdminEvents + b.AdminEvents,
        RawRecords = a.RawRecords + b.RawRecords,
        DuplicatesDropped = a.DuplicatesDropped + b.DuplicatesDropped,
        NormalizationWarnings = a.NormalizationWarnings + b.NormalizationWarnings,
        RecordsRejected = a.RecordsRejected + b.RecordsRejected,
    };
}

/// <summary>An event source as its clients see it: settings, connection state, health.</summary>
[GenerateSerializer, Immutable, Alias("o365.EventSourceStatus")]
public sealed record EventSourceStatus
{
    /// <summary>The settings it was created with.</summary>
    [Id(0)] public required EventSourceSettings Settings { get; init; }

    /// <summary>Where it is in its life.</summary>
    [Id(1)] public ConnectionState State { get; init; }

    /// <summary>
    /// The OAuth <c>state</c> value of the source's current admin-consent URL (tenant id, a dot, then a random nonce);
    /// null once a callback used it and no fresh one was issued (a connected source). The gateway builds the
    /// admin-consent URL from it.
    /// </summary>
    [Id(2)] public string? ConsentState { get; init; }

    /// <summary>When <see cref="ConsentState"/> stops being accepted (UTC); null without one.</summary>
    [Id(13)] public DateTimeOffset? ConsentStateExpiresAt { get; init; }

    /// <summary>When the source was created (UTC).</summary>
    [Id(3)] public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When consent was verified (UTC); null before.</summary>
    [Id(4)] public DateTimeOffset? ConnectedAt { get; init; }

    /// <summary>
    /// When every content type had last been polled without error (UTC): the oldest of the content types' last good
    /// polls, the liveness figure of the poll loop; null before all were polled once.
    /// </summary>
    [Id(5)] public DateTimeOffset? LastSuccessfulPollAt { get; init; }

    /// <summary>The last error of the source (consent refused, token failure, API error), for people to read; null when healthy.</summary>
    [Id(6)] public string? LastError { get; init; }

    /// <summary>Per content type state.</summary>
    [Id(7)] public ImmutableArray<ContentTypeStatus> ContentTypes { get; init; } = [];

    /// <summary>How many distinct audit records have been collected (equal to <see cref="LastSequence"/>: one sequence per record).</summary>
    [Id(8)] public long RecordsCollected { get; init; }

    /// <summary>The last per-tenant sequence number given out (0 before the first record).</summary>
    [Id(9)] public long LastSequence { get; init; }

    /// <summary>
    /// Why <see cref="State"/> is what it is, in a sentence for people, with what to do about it; empty when
    /// <see cref="ConnectionState.Connected"/>.
    /// </summary>
    [Id(11)] public string StatusReason { get; init; } = "";

    /// <summary>
    /// The API's clock minus the silo's, measured from the <c>Date</c> header of its responses (case CLK1): listing
    /// windows are planned on the API's time. Zero until measured, or within 2 seconds.
    /// </summary>
    [Id(12)] public TimeSpan ApiClockSkew { get; init; }

    /// <summary>The source's incarnation in the event store (new each time a source is created for the tenant); a stream is bound to one.</summary>
    [Id(10)] public Guid SourceId { get; init; }

    /// <summary>The sums of the content types' counters.</summary>
    [Id(14)] public CollectionCounters Counters { get; init; } = new();

    /// <summary>The client id of the application the source uses (its credential's); the admin-consent URL names it.</summary>
    [Id(15)] public string? ClientId { get; init; }

    /// <summary>The source's cloud: its own setting, else the service's.</summary>
    [Id(16)] public CloudName Cloud { get; init; }
}
