using System.Text.Json;
using O365Activity.Contracts.Activity;

namespace O365Activity.Grains.Normalization;

/// <summary>What a normalization needs besides the record itself.</summary>
/// <param name="TenantId">The tenant the record was collected for (stamped on every event).</param>
/// <param name="IngestTime">When the record was fetched (UTC).</param>
/// <param name="ContentType">The content type of the blob it came from; null offline.</param>
/// <param name="FederatedDomains">The tenant's federated (AD FS) domains, lower case (see <c>EventSourceSettings.FederatedDomains</c>).</param>
public sealed record NormalizationContext(
    Guid TenantId,
    DateTimeOffset IngestTime,
    string? ContentType,
    ImmutableArray<string> FederatedDomains);

/// <summary>One audit record normalized: always its raw form, plus the ingress or admin event it maps to, if any.</summary>
/// <param name="Raw">The record as a raw record (always present).</param>
/// <param name="Activity">The <see cref="IngressEvent"/> or <see cref="AdminEvent"/> the record maps to; null for records of other kinds.</param>
public sealed record NormalizedRecord(RawRecord Raw, ActivityEvent? Activity);

/// <summary>
/// Turns audit records (PROTOCOL.md §8) into ingress activity, admin activity or raw records. Never throws for a JSON
/// object of any shape: fields of unexpected types are read leniently or left out.
/// </summary>
public sealed class AuditRecordNormalizer
{
    /// <summary>Normalizes one audit record.</summary>
    /// <param name="record">The record: a JSON object.</param>
    /// <param name="context">Tenant, ingest time, content type and tenant options.</param>
    /// <returns>The raw record and, when the record is a sign-in or an admin action, its activity event.</returns>
    /// <exception cref="AuditRecordFormatException">When <paramref name="record"/> is not a JSON object.</exception>
    public NormalizedRecord Normalize(JsonElement record, NormalizationContext context)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            throw new AuditRecordFormatException($"An audit record must be a JSON object, not {record.ValueKind}.");
        }

        // Placeholder until the normalizer lands: every record is raw.
        var raw = new RawRecord
        {
            TenantId = context.TenantId,
            RecordId = record.TryGetProperty("Id", out var id) ? id.ToString() : "",
            IngestTime = context.IngestTime,
            ContentType = context.ContentType,
            RawJson = record.GetRawText(),
        };
        return new NormalizedRecord(raw, null);
    }
}

/// <summary>An input that is not an audit record at all (not a JSON object).</summary>
public sealed class AuditRecordFormatException(string message) : Exception(message);
