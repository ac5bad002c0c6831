using O365Activity.Contracts.Activity;

namespace O365Activity.Grains.Normalization;

/// <summary>
/// The fields every event derived from one record shares (see <see cref="ActivityEvent"/>), read once per record; each
/// mapper sets them on the event it makes. <see cref="Extended"/> is the record's <c>ExtendedProperties</c>.
/// </summary>
internal readonly record struct RecordHeader(
    Guid TenantId,
    string RecordId,
    DateTimeOffset EventTime,
    DateTimeOffset IngestTime,
    int RecordType,
    string Operation,
    string? Workload,
    string? ContentType,
    string RawJson,
    NameValueList Extended)
{
    /// <summary>The record's <c>ExtendedProperties</c> as name → text.</summary>
    public ImmutableArray<NameValue> ExtendedProperties => Extended.Values;
}
