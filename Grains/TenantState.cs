using O365Activity.Contracts.EventSources;

namespace O365Activity.Grains;

/// <summary>
/// The persisted state of one tenant grain (state name <c>tenant</c>, storage <c>tenants</c>, System.Text.Json):
/// settings, consent and health, and nothing that grows with records. Cursors, the last sequence and the processed
/// blobs live in the event store, because they must commit atomically with the events (DESIGN.md decision 3).
/// </summary>
[GenerateSerializer, Alias("o365.TenantState")]
public sealed class TenantState
{
    /// <summary>The settings; null when the tenant has no event source.</summary>
    [Id(0)] public EventSourceSettings? Settings { get; set; }

    /// <summary>Where the source is in its life.</summary>
    [Id(1)] public ConnectionState State { get; set; }

    /// <summary>
    /// The OAuth <c>state</c> value of the source's current admin-consent URL: unguessable (24 random bytes after the
    /// tenant id), single-use and valid for <see cref="Collection.CollectorOptions.ConsentStateLifetime"/> from
    /// <see cref="ConsentStateIssuedAt"/>; null when none is outstanding (once a callback used it).
    /// </summary>
    [Id(2)] public string? ConsentState { get; set; }

    /// <summary>When the source was created (UTC).</summary>
    [Id(3)] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When consent was verified (UTC).</summary>
    [Id(4)] public DateTimeOffset? ConnectedAt { get; set; }

    /// <summary>The source's last error, for people; null when healthy.</summary>
    [Id(5)] public string? LastError { get; set; }

    /// <summary>Per content type: subscription and error state.</summary>
    [Id(6)] public Dictionary<string, ContentTypeHealth> Health { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The source's incarnation in the event store: new at each create, so a re-created source starts at sequence 1.</summary>
    [Id(7)] public Guid SourceId { get; set; }

    /// <summary>When <see cref="ConsentState"/> was issued (UTC).</summary>
    [Id(8)] public DateTimeOffset? ConsentStateIssuedAt { get; set; }

    /// <summary>The last <c>state</c> a callback used, kept to tell a reused link (a reloaded page) from a forged one.</summary>
    [Id(9)] public string? UsedConsentState { get; set; }
}
