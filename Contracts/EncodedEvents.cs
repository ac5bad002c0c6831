namespace O365Activity.Contracts;

/// <summary>
/// The events of one <see cref="ActivityNotice"/>, as the event store keeps them (the gRPC wire format, see
/// <c>Storage/Wire/EventWireFormat</c>), packed into one buffer so that a batch crosses Orleans as a few large arrays
/// rather than thousands of objects. Packed and unpacked by <c>Storage/Wire/NoticeEvents</c>.
/// </summary>
/// <param name="Data">Every event's parts, one event after the other: header, raw, activity, raw JSON.</param>
/// <param name="Layout">Five numbers per event, in sequence order: its kind, then the lengths in bytes of its four parts.</param>
[GenerateSerializer, Immutable, Alias("o365.EncodedEvents")]
public sealed record EncodedEvents([property: Id(0)] byte[] Data, [property: Id(1)] int[] Layout);
