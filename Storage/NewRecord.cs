using O365Activity.Contracts.Activity;

namespace O365Activity.Storage;

/// <summary>A normalized audit record to store: its raw form and the ingress or admin event it maps to, if any.</summary>
/// <param name="Raw">The raw record (always present); its <see cref="ActivityEvent.RecordId"/> is the dedupe key.</param>
/// <param name="Activity">The <see cref="IngressEvent"/> or <see cref="AdminEvent"/>; null for a record of another kind.</param>
public sealed record NewRecord(RawRecord Raw, ActivityEvent? Activity)
{
    /// <summary>The kind the record is stored as.</summary>
    public EventKind Kind => Activity switch
    {
        IngressEvent => EventKind.Ingress,
        AdminEvent => EventKind.Admin,
        _ => EventKind.Raw,
    };
}
