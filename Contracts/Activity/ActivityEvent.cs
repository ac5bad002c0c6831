namespace O365Activity.Contracts.Activity;

/// <summary>
/// What every event derived from one audit record carries: its key (tenant id, record <c>Id</c>), its per-tenant
/// sequence, its times and the record as received.
/// </summary>
/// <remarks>
/// The pair (<see cref="TenantId"/>, <see cref="RecordId"/>) is the dedupe key (PROTOCOL.md §4, case DUP1): a
/// subscriber can make its writes idempotent on it. One audit record gives one sequence number; the raw record and
/// the ingress or admin event derived from it share it.
/// </remarks>
[GenerateSerializer, Immutable, Alias("o365.ActivityEvent")]
public abstract record ActivityEvent
{
    /// <summary>The tenant the record belongs to (the event source's tenant id).</summary>
    [Id(0)] public Guid TenantId { get; init; }

    /// <summary>The audit record's <c>Id</c> as received (normally a GUID; kept as text because some sources send other values).</summary>
    [Id(1)] public required string RecordId { get; init; }

    /// <summary>The per-tenant sequence number the tenant grain gave the record; 0 before it is assigned (for example in offline normalization).</summary>
    [Id(2)] public long Sequence { get; init; }

    /// <summary>When the activity happened: the record's <c>CreationTime</c>, read as UTC (cases T01, T02).</summary>
    [Id(3)] public DateTimeOffset EventTime { get; init; }

    /// <summary>When the service fetched the record (UTC); never the event time (case T01).</summary>
    [Id(4)] public DateTimeOffset IngestTime { get; init; }

    /// <summary>The record's <c>RecordType</c> number (kept even when the service has no name for it).</summary>
    [Id(5)] public int RecordType { get; init; }

    /// <summary>The record's <c>Operation</c>, exactly as received (case A01).</summary>
    [Id(6)] public string Operation { get; init; } = "";

    /// <summary>The record's <c>Workload</c>; null when absent.</summary>
    [Id(7)] public string? Workload { get; init; }

    /// <summary>The content type of the blob the record came from (for example <c>Audit.AzureActiveDirectory</c>); null in offline normalization.</summary>
    [Id(8)] public string? ContentType { get; init; }

    /// <summary>The audit record exactly as received, as JSON text (case A08: unknown fields travel with the event).</summary>
    [Id(9)] public string RawJson { get; init; } = "{}";

    /// <summary>The record's <c>ExtendedProperties</c> as name → text, each value exactly the string received (case A05); empty when absent.</summary>
    [Id(10)] public ImmutableArray<NameValue> ExtendedProperties { get; init; } = [];
}

/// <summary>
/// An audit record passed through as received ("unfiltered"), for clients that want everything, with the generic
/// decodings that apply to a record of any kind: its client address, its user, its modified properties and its actions.
/// </summary>
/// <remarks>
/// These fields are read the same way for every record, whatever its kind, so that what a sign-in or an admin event
/// shows is visible on records that are neither (Exchange mailbox records, SharePoint file records, investigations;
/// cases B01, B08, A02, A03, A06). <see cref="ActivityEvent.RawJson"/> still carries everything else.
/// </remarks>
[GenerateSerializer, Immutable, Alias("o365.RawRecord")]
public sealed record RawRecord : ActivityEvent
{
    /// <summary>
    /// The client address, read with the same parser and field order as <see cref="IngressEvent.ClientAddress"/>:
    /// <c>ClientIP</c> → <c>ClientIPAddress</c> → <c>ActorIpAddress</c>, the first with an IP address winning (cases B01,
    /// B08); <see cref="ClientAddress.SourceField"/> says which. Null when no field has a value.
    /// </summary>
    [Id(0)] public ClientAddress? ClientAddress { get; init; }

    /// <summary>The record's <c>UserId</c> exactly as received (a UPN, a GUID, <c>Not Available</c>, a system account); null when absent or empty.</summary>
    [Id(1)] public string? User { get; init; }

    /// <summary>
    /// The record's <c>ModifiedProperties</c>, read like <see cref="AdminEvent.Changes"/>: <c>{Name, OldValue, NewValue}</c>
    /// objects, strings holding such objects, or bare property names (Exchange item updates, cases A02, A03) giving
    /// changes with no values. Empty when absent.
    /// </summary>
    [Id(2)] public ImmutableArray<PropertyChange> Changes { get; init; } = [];

    /// <summary>
    /// The record's <c>Actions</c> list (automated investigations, case A06), one entry per element, each the element
    /// as compact JSON text. Elements sent as JSON written inside a string are decoded first, so an object sent either
    /// way gives the same entry (<c>{"$id":"1","ActionType":"EmailRemediation","ActionStatus":"Skipped"}</c>); a string
    /// element that is not JSON stays a JSON string (<c>"text"</c>). A field that is not a list gives one entry.
    /// Empty when absent or null.
    /// </summary>
    [Id(3)] public ImmutableArray<string> Actions { get; init; } = [];
}
