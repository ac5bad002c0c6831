using O365Activity.Contracts.Activity;

namespace O365Activity.Grains.Normalization;

/// <summary>
/// The fields every event derived from one record shares (see <see cref="ActivityEvent"/>), read once per record; each
/// mapper sets them on the event it makes.
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
    ImmutableArray<NameValue> ExtendedProperties)
{
    /// <summary>The first <c>ExtendedProperties</c> entry of that name (case-insensitive) with a non-empty value; null when none.</summary>
    public string? Extended(string name)
    {
        foreach (var entry in ExtendedProperties)
        {
            if (string.Equals(entry.Name, name, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(entry.Value))
            {
                return entry.Value;
            }
        }

        return null;
    }
}
