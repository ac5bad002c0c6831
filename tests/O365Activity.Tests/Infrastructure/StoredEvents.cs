using O365Activity.Storage;
using O365Activity.Storage.Wire;

namespace O365Activity.Tests.Infrastructure;

/// <summary>Reads stored events (kept in their wire format) back as the messages the streams send.</summary>
internal static class StoredEvents
{
    /// <summary>The audit record <c>Id</c> of a stored event.</summary>
    public static string RecordId(this StoredEvent stored) => EventWireFormat.ToRawRecord(stored).Header.RecordId;

    /// <summary>The <c>Operation</c> of a stored event, as received.</summary>
    public static string Operation(this StoredEvent stored) => EventWireFormat.ToRawRecord(stored).Header.Operation;
}
