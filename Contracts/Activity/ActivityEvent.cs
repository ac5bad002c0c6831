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

/// <summary>An audit record passed through as received ("unfiltered"), for clients that want everything.</summary>
[GenerateSerializer, Immutable, Alias("o365.RawRecord")]
public sealed record RawRecord : ActivityEvent;
