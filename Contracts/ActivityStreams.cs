namespace O365Activity.Contracts;

/// <summary>
/// The Orleans streams of the activity service. Each tenant has one stream, keyed by its tenant id in namespace
/// <see cref="Notices"/>, whose items are <see cref="ActivityNotice"/>s: one per committed batch ("events up to
/// sequence N are stored"), never one per event. The event store is the truth; subscribers read the events from it.
/// </summary>
public static class ActivityStreams
{
    /// <summary>The stream provider's name; silo and gateway register it under this name.</summary>
    public const string ProviderName = "Activity";

    /// <summary>The grain storage the stream provider keeps its pub-sub state in.</summary>
    public const string PubSubStore = "PubSubStore";

    /// <summary>Namespace of the tenants' notice streams.</summary>
    public const string Notices = "notices";

    /// <summary>The id of a tenant's notice stream.</summary>
    public static StreamId For(Guid tenantId) => StreamId.Create(Notices, tenantId);

    /// <summary>Namespace of the one stream of event-source status changes (<see cref="StatusChanges"/>).</summary>
    public const string Status = "status";

    /// <summary>
    /// The one stream, for all tenants, whose items are <see cref="EventSourceChanged"/>s: a tenant's event source was
    /// created, deleted, or its status (state, reason, consent, settings) changed. The gateway reads the current status
    /// from the grain; the stream only says which tenant to read.
    /// </summary>
    public static StreamId StatusChanges { get; } = StreamId.Create(Status, Guid.Empty);
}

/// <summary>An item of <see cref="ActivityStreams.StatusChanges"/>.</summary>
/// <param name="TenantId">The tenant whose event source changed.</param>
/// <param name="Deleted">True when the source was deleted.</param>
[GenerateSerializer, Immutable, Alias("o365.EventSourceChanged")]
public sealed record EventSourceChanged([property: Id(0)] Guid TenantId, [property: Id(1)] bool Deleted);
