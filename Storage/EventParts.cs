namespace O365Activity.Storage;

/// <summary>
/// An event as the store keeps it and the streams send it: the protobuf encoding (the gRPC wire format of
/// <c>protos/o365activity/v1/activity.proto</c>) of its parts, which <see cref="Wire.EventWireFormat"/> puts
/// together into a <c>RawRecord</c>, <c>IngressEvent</c> or <c>AdminEvent</c> message with the event's sequence.
/// </summary>
/// <param name="Header">The <c>RecordHeader</c> message without its sequence.</param>
/// <param name="Raw">The <c>RawRecord</c> message's other fields: everything but its header and raw JSON.</param>
/// <param name="Activity">The <c>IngressEvent</c> or <c>AdminEvent</c> message's other fields; empty for a record of neither kind.</param>
/// <param name="RawJson">The audit record exactly as received, UTF-8.</param>
public readonly record struct EventParts(ReadOnlyMemory<byte> Header, ReadOnlyMemory<byte> Raw, ReadOnlyMemory<byte> Activity, ReadOnlyMemory<byte> RawJson);
