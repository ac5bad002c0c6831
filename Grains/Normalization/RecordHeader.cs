using O365Activity.Contracts.Activity;

namespace O365Activity.Grains.Normalization;

/// <summary>The fields every event derived from one record shares (see <see cref="ActivityEvent"/>), read once per record.</summary>
internal sealed record RecordHeader(
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
    /// <summary>Returns <paramref name="activity"/> with every header field set from this header.</summary>
    /// <typeparam name="T">The event type; the copy keeps it.</typeparam>
    public T Stamp<T>(T activity)
        where T : ActivityEvent => (T)(activity with
        {
            TenantId = TenantId,
            RecordId = RecordId,
            EventTime = EventTime,
            IngestTime = IngestTime,
            RecordType = RecordType,
            Operation = Operation,
            Workload = Workload,
            ContentType = ContentType,
            RawJson = RawJson,
            ExtendedProperties = ExtendedProperties,
        });

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
