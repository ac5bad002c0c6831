using O365Activity.Contracts.EventSources;

namespace O365Activity.Grains;

/// <summary>
/// The persisted state of one tenant grain (state name <c>tenant</c>): settings, consent, cursors, health and the
/// de-duplication memory. Bounded: the seen-id sets keep only entries younger than the dedupe horizon.
/// </summary>
[GenerateSerializer, Alias("o365.TenantState")]
public sealed class TenantState
{
    /// <summary>The settings; null when the tenant has no event source.</summary>
    [Id(0)] public EventSourceSettings? Settings { get; set; }

    /// <summary>Where the source is in its life.</summary>
    [Id(1)] public ConnectionState State { get; set; }

    /// <summary>
    /// The OAuth <c>state</c> value bound to this source's admin consent. Kept after connection (but no longer shown),
    /// so that a callback for a connected source is still checked against it.
    /// </summary>
    [Id(2)] public string? ConsentState { get; set; }

    /// <summary>When the source was created (UTC).</summary>
    [Id(3)] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When consent was verified (UTC).</summary>
    [Id(4)] public DateTimeOffset? ConnectedAt { get; set; }

    /// <summary>When the last poll finished without error (UTC).</summary>
    [Id(5)] public DateTimeOffset? LastSuccessfulPollAt { get; set; }

    /// <summary>The source's last error, for people; null when healthy.</summary>
    [Id(6)] public string? LastError { get; set; }

    /// <summary>Per content type: cursor, subscription and error state.</summary>
    [Id(7)] public Dictionary<string, ContentTypeCursor> Cursors { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Content ids fully processed, with their <c>contentCreated</c> (UTC), within the dedupe horizon.</summary>
    [Id(8)] public Dictionary<string, DateTimeOffset> SeenContent { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Record ids already delivered, with when they were first seen (UTC), within the dedupe horizon.</summary>
    [Id(9)] public Dictionary<string, DateTimeOffset> SeenRecords { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The last per-tenant sequence number given out.</summary>
    [Id(10)] public long LastSequence { get; set; }

    /// <summary>Distinct audit records collected.</summary>
    [Id(11)] public long RecordsCollected { get; set; }
}

/// <summary>Collection state of one content type.</summary>
[GenerateSerializer, Alias("o365.ContentTypeCursor")]
public sealed class ContentTypeCursor
{
    /// <summary>The end (UTC) of the last listing window fully processed.</summary>
    [Id(0)] public DateTimeOffset? ListedThrough { get; set; }

    /// <summary>Whether the subscription is known to be enabled.</summary>
    [Id(1)] public bool Subscribed { get; set; }

    /// <summary>The last error for this content type; null after a good poll.</summary>
    [Id(2)] public string? LastError { get; set; }

    /// <summary>No poll of this content type before this time (UTC): back-off after errors.</summary>
    [Id(3)] public DateTimeOffset? RetryAfter { get; set; }

    /// <summary>Consecutive failed polls (drives the back-off).</summary>
    [Id(4)] public int Failures { get; set; }

    /// <summary>
    /// True once a listing answered "no subscription" or "disabled" (AF20022/AF20023) and the service sent
    /// <c>subscriptions/start</c> for it; cleared by the next listing that succeeds. While true, retries list again
    /// with back-off but send no further start (case S02).
    /// </summary>
    [Id(5)] public bool RestartSent { get; set; }
}
