using O365Activity.Contracts.Activity;
using O365Activity.Storage.History;
using O365Activity.Storage.Wire;

namespace O365Activity.Storage;

/// <summary>
/// A normalized audit record ready to store: the columns the store indexes and filters on, and its event in the
/// encoded form that is stored and streamed (<see cref="EventParts"/>). The contract objects are encoded once, when the
/// record is created, and not kept: what waits for a commit is a few compact buffers per record.
/// </summary>
public sealed class NewRecord
{
    /// <summary>Encodes a normalized record, its text taken from <see cref="ActivityEvent.RawJson"/>.</summary>
    /// <param name="raw">The raw record (always present); its <see cref="ActivityEvent.RecordId"/> is the dedupe key and its <see cref="ActivityEvent.RawJson"/> the record as received.</param>
    /// <param name="activity">The <see cref="IngressEvent"/> or <see cref="AdminEvent"/>; null for a record of another kind.</param>
    public NewRecord(RawRecord raw, ActivityEvent? activity)
        : this(raw, activity, EventWireFormat.Encode(raw, activity))
    {
    }

    /// <summary>Encodes a normalized record, its text given as the bytes received (no UTF-16 copy of it is made).</summary>
    /// <param name="raw">The raw record (always present); its <see cref="ActivityEvent.RecordId"/> is the dedupe key; its <see cref="ActivityEvent.RawJson"/> is ignored.</param>
    /// <param name="activity">The <see cref="IngressEvent"/> or <see cref="AdminEvent"/>; null for a record of another kind.</param>
    /// <param name="rawJsonUtf8">The record exactly as received, valid UTF-8.</param>
    /// <exception cref="ArgumentException">When the text is not valid UTF-8.</exception>
    public NewRecord(RawRecord raw, ActivityEvent? activity, ReadOnlySpan<byte> rawJsonUtf8)
        : this(raw, activity, EventWireFormat.Encode(raw, activity, rawJsonUtf8))
    {
    }

    private NewRecord(RawRecord raw, ActivityEvent? activity, EventParts parts)
    {
        RecordId = raw.RecordId;
        RecordKey = RecordKeys.For(raw.RecordId);
        Kind = activity switch
        {
            IngressEvent => EventKind.Ingress,
            AdminEvent => EventKind.Admin,
            _ => EventKind.Raw,
        };
        ContentType = raw.ContentType;
        RecordType = raw.RecordType;
        Operation = raw.Operation;
        EventTime = raw.EventTime;
        IngestTime = raw.IngestTime;
        Facts = ActivityFacts.Of(activity);
        Parts = parts;
    }

    private NewRecord(NewRecord other)
    {
        RecordId = other.RecordId;
        RecordKey = other.RecordKey;
        Kind = other.Kind;
        ContentType = other.ContentType;
        RecordType = other.RecordType;
        Operation = other.Operation;
        EventTime = other.EventTime;
        IngestTime = other.IngestTime;
        Facts = other.Facts;
        Parts = other.Parts;
        RiskFlags = other.RiskFlags;
    }

    /// <summary>A record from its parts as they are (for tests of what the database refuses).</summary>
    internal NewRecord(string recordId, EventKind kind, string operation, DateTimeOffset eventTime, EventParts parts)
    {
        RecordId = recordId;
        RecordKey = RecordKeys.For(recordId);
        Kind = kind;
        Operation = operation;
        EventTime = eventTime;
        IngestTime = eventTime;
        Facts = ActivityFacts.None;
        Parts = parts;
    }

    /// <summary>The audit record's <c>Id</c> exactly as received (or as the normalizer derived it).</summary>
    public string RecordId { get; }

    /// <summary>The de-duplication key of <see cref="RecordId"/> (<see cref="RecordKeys.For"/>).</summary>
    public Guid RecordKey { get; }

    /// <summary>The kind the record is stored as.</summary>
    public EventKind Kind { get; }

    /// <summary>The content type of the blob it came from; null when unknown.</summary>
    public string? ContentType { get; }

    /// <summary>The record's <c>RecordType</c>.</summary>
    public int RecordType { get; }

    /// <summary>The record's <c>Operation</c> as received.</summary>
    public string Operation { get; }

    /// <summary>The record's <c>CreationTime</c> (UTC).</summary>
    public DateTimeOffset EventTime { get; }

    /// <summary>When the record was fetched (UTC).</summary>
    public DateTimeOffset IngestTime { get; }

    /// <summary>What the history queries filter and group the event by.</summary>
    public ActivityFacts Facts { get; }

    /// <summary>The encoded event.</summary>
    public EventParts Parts { get; private init; }

    /// <summary>The kinds of risk flag the event carries, one bit per <c>RiskFlagKind</c> number (bit 1 &lt;&lt; kind); 0 for none.</summary>
    public short RiskFlags { get; private init; }

    /// <summary>
    /// This ingress record with risk flags: their encoding appended to the event's activity part (a repeated field of
    /// <c>IngressEvent</c>, so the message reads as if encoded with them) and their kinds in <see cref="RiskFlags"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">When the record is not an ingress event.</exception>
    public NewRecord WithRiskFlags(IReadOnlyCollection<Protos.V1.RiskFlag> flags)
    {
        if (Kind != EventKind.Ingress)
        {
            throw new InvalidOperationException("Only sign-ins carry risk flags.");
        }

        if (flags.Count == 0)
        {
            return this;
        }

        var carrier = new Protos.V1.IngressEvent();
        carrier.RiskFlags.AddRange(flags);
        var suffix = Google.Protobuf.MessageExtensions.ToByteArray(carrier);
        var activity = new byte[Parts.Activity.Length + suffix.Length];
        Parts.Activity.Span.CopyTo(activity);
        suffix.CopyTo(activity.AsSpan(Parts.Activity.Length));
        var mask = RiskFlags;
        foreach (var flag in flags)
        {
            mask |= (short)(1 << (int)flag.Kind);
        }

        return new NewRecord(this) { Parts = Parts with { Activity = activity }, RiskFlags = mask };
    }
}
