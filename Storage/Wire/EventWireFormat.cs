using O365Activity.Contracts.Activity;
using Google.Protobuf;
using Proto = O365Activity.Protos.V1;

namespace O365Activity.Storage.Wire;

/// <summary>
/// The stored and streamed form of an event: the protobuf encoding of the gRPC messages in
/// <c>protos/o365activity/v1/activity.proto</c>, split into the parts every message of one record shares
/// (<see cref="EventParts"/>). A record is mapped and encoded once, when it is stored; the gateway then sends a stored
/// event by writing its parts one after the other, with the sequence added to the header, without decoding anything.
/// </summary>
/// <remarks>
/// <para>A message is written as: field <c>header</c> (the stored header bytes followed by the field
/// <c>sequence</c>), then the stored fields of the message's kind, then the field <c>raw_json</c>. Protobuf parsers
/// accept fields in any order (the encoding guide's "field order" section), and every field appears once, so the
/// result parses in every language exactly as if the message had been built and serialized whole; the tests check
/// that against <see cref="ActivityMessages"/>.</para>
/// <para>Strings are UTF-8; a .NET string with a lone surrogate (a JSON escape like <c>\ud800</c> decoded by the
/// normalizer) is encoded with U+FFFD in its place, as the protobuf runtime itself does.</para>
/// </remarks>
public static class EventWireFormat
{
    private const int SequenceTagSize = 1;
    private static readonly uint SequenceTag = WireFormat.MakeTag(Proto.RecordHeader.SequenceFieldNumber, WireFormat.WireType.Varint);

    /// <summary>Encodes a normalized record's events into their stored parts, the record's text taken from <see cref="ActivityEvent.RawJson"/>.</summary>
    /// <param name="raw">The raw record (always present), with the record's raw JSON; its sequence is ignored.</param>
    /// <param name="activity">The <see cref="IngressEvent"/> or <see cref="AdminEvent"/>; null for a record of another kind.</param>
    /// <returns>The parts, all slices of one array.</returns>
    /// <exception cref="ArgumentException">When <paramref name="activity"/> is neither an ingress nor an admin event.</exception>
    public static EventParts Encode(RawRecord raw, ActivityEvent? activity)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var (buffer, parts) = Layout(raw, activity, System.Text.Encoding.UTF8.GetByteCount(raw.RawJson));
        System.Text.Encoding.UTF8.GetBytes(raw.RawJson, buffer.AsSpan(buffer.Length - parts.RawJson.Length));
        return parts;
    }

    /// <summary>Encodes a normalized record's events into their stored parts, the record's text given as received.</summary>
    /// <param name="raw">The raw record (always present); its sequence and <see cref="ActivityEvent.RawJson"/> are ignored.</param>
    /// <param name="activity">The <see cref="IngressEvent"/> or <see cref="AdminEvent"/>; null for a record of another kind.</param>
    /// <param name="rawJsonUtf8">The record exactly as received: valid UTF-8 (a protobuf string).</param>
    /// <returns>The parts, all slices of one array.</returns>
    /// <exception cref="ArgumentException">When <paramref name="activity"/> is neither an ingress nor an admin event, or the text is not valid UTF-8.</exception>
    public static EventParts Encode(RawRecord raw, ActivityEvent? activity, ReadOnlySpan<byte> rawJsonUtf8)
    {
        ArgumentNullException.ThrowIfNull(raw);
        if (!System.Text.Unicode.Utf8.IsValid(rawJsonUtf8))
        {
            throw new ArgumentException("The record's text is not valid UTF-8.", nameof(rawJsonUtf8));
        }

        var (buffer, parts) = Layout(raw, activity, rawJsonUtf8.Length);
        rawJsonUtf8.CopyTo(buffer.AsSpan(buffer.Length - rawJsonUtf8.Length));
        return parts;
    }

    /// <summary>
    /// Maps and encodes everything but the record's text into one new array whose last <paramref name="jsonLength"/>
    /// bytes are left for it: the header once (the record's events share it), without a sequence, which each message
    /// gets when it is sent.
    /// </summary>
    private static (byte[] Buffer, EventParts Parts) Layout(RawRecord raw, ActivityEvent? activity, int jsonLength)
    {
        var header = ActivityMessages.ToProtoHeader(raw);
        header.Sequence = 0;
        var rawMessage = ActivityMessages.Body(raw);
        IMessage? activityMessage = activity switch
        {
            null => null,
            IngressEvent ingress => ActivityMessages.Body(ingress),
            AdminEvent admin => ActivityMessages.Body(admin),
            _ => throw new ArgumentException($"An activity event is an ingress or an admin event, not {activity.GetType().Name}.", nameof(activity)),
        };

        var headerLength = header.CalculateSize();
        var rawLength = rawMessage.CalculateSize();
        var activityLength = activityMessage?.CalculateSize() ?? 0;
        var buffer = new byte[headerLength + rawLength + activityLength + jsonLength];
        var memory = buffer.AsMemory();
        header.WriteTo(memory.Span[..headerLength]);
        rawMessage.WriteTo(memory.Span.Slice(headerLength, rawLength));
        activityMessage?.WriteTo(memory.Span.Slice(headerLength + rawLength, activityLength));
        return (buffer, new EventParts(
            memory[..headerLength],
            memory.Slice(headerLength, rawLength),
            memory.Slice(headerLength + rawLength, activityLength),
            memory[(headerLength + rawLength + activityLength)..]));
    }

    /// <summary>The length in bytes of the message <see cref="Write"/> writes.</summary>
    /// <param name="stored">The event.</param>
    /// <param name="message">Which message: <see cref="EventKind.Raw"/> a <c>RawRecord</c> (any event has one), <see cref="EventKind.Ingress"/> an <c>IngressEvent</c>, <see cref="EventKind.Admin"/> an <c>AdminEvent</c>.</param>
    public static int MessageLength(StoredEvent stored, EventKind message)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var header = HeaderFieldLength(stored);
        var json = stored.Parts.RawJson.Length;
        return CodedOutputStream.ComputeTagSize(HeaderFieldNumber(message)) + CodedOutputStream.ComputeLengthSize(header) + header
            + Body(stored, message).Length
            + CodedOutputStream.ComputeTagSize(RawJsonFieldNumber(message)) + CodedOutputStream.ComputeLengthSize(json) + json;
    }

    /// <summary>Writes an event as one gRPC message, with its sequence.</summary>
    /// <param name="stored">The event; for an ingress or admin message it must be of that kind.</param>
    /// <param name="message">Which message (see <see cref="MessageLength"/>).</param>
    /// <param name="destination">At least <see cref="MessageLength"/> bytes.</param>
    /// <returns>The bytes written.</returns>
    /// <exception cref="ArgumentException">When the event is not of the message's kind, or the destination is too short.</exception>
    public static int Write(StoredEvent stored, EventKind message, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var length = MessageLength(stored, message);
        if (destination.Length < length)
        {
            throw new ArgumentException($"The message needs {length} bytes; the destination has {destination.Length}.", nameof(destination));
        }

        var at = WriteVarint(destination, WireFormat.MakeTag(HeaderFieldNumber(message), WireFormat.WireType.LengthDelimited));
        at += WriteVarint(destination[at..], (uint)HeaderFieldLength(stored));
        stored.Parts.Header.Span.CopyTo(destination[at..]);
        at += stored.Parts.Header.Length;
        at += WriteVarint(destination[at..], SequenceTag);
        at += WriteVarint(destination[at..], (ulong)stored.Sequence);
        var body = Body(stored, message).Span;
        body.CopyTo(destination[at..]);
        at += body.Length;
        at += WriteVarint(destination[at..], WireFormat.MakeTag(RawJsonFieldNumber(message), WireFormat.WireType.LengthDelimited));
        at += WriteVarint(destination[at..], (uint)stored.Parts.RawJson.Length);
        stored.Parts.RawJson.Span.CopyTo(destination[at..]);
        return at + stored.Parts.RawJson.Length;
    }

    /// <summary>Writes an event as one gRPC message into a new array.</summary>
    /// <inheritdoc cref="Write" path="/param"/>
    public static byte[] ToArray(StoredEvent stored, EventKind message)
    {
        var bytes = new byte[MessageLength(stored, message)];
        Write(stored, message, bytes);
        return bytes;
    }

    /// <summary>Decodes an event's <c>RawRecord</c> message (for readers of the store that want objects: tests, tools).</summary>
    public static Proto.RawRecord ToRawRecord(StoredEvent stored) => Proto.RawRecord.Parser.ParseFrom(ToArray(stored, EventKind.Raw));

    /// <summary>Decodes an ingress event's <c>IngressEvent</c> message.</summary>
    /// <exception cref="ArgumentException">When the event is not a sign-in.</exception>
    public static Proto.IngressEvent ToIngressEvent(StoredEvent stored) => Proto.IngressEvent.Parser.ParseFrom(ToArray(stored, EventKind.Ingress));

    /// <summary>Decodes an admin event's <c>AdminEvent</c> message.</summary>
    /// <exception cref="ArgumentException">When the event is not an admin change.</exception>
    public static Proto.AdminEvent ToAdminEvent(StoredEvent stored) => Proto.AdminEvent.Parser.ParseFrom(ToArray(stored, EventKind.Admin));

    private static int HeaderFieldLength(StoredEvent stored) =>
        stored.Parts.Header.Length + SequenceTagSize + CodedOutputStream.ComputeInt64Size(stored.Sequence);

    private static ReadOnlyMemory<byte> Body(StoredEvent stored, EventKind message)
    {
        if (message == EventKind.Raw)
        {
            return stored.Parts.Raw;
        }

        if (stored.Kind != message)
        {
            throw new ArgumentException($"Event {stored.Sequence} is of kind {stored.Kind}: it has no {message} message.", nameof(message));
        }

        return stored.Parts.Activity;
    }

    private static int HeaderFieldNumber(EventKind message) => message switch
    {
        EventKind.Ingress => Proto.IngressEvent.HeaderFieldNumber,
        EventKind.Admin => Proto.AdminEvent.HeaderFieldNumber,
        _ => Proto.RawRecord.HeaderFieldNumber,
    };

    private static int RawJsonFieldNumber(EventKind message) => message switch
    {
        EventKind.Ingress => Proto.IngressEvent.RawJsonFieldNumber,
        EventKind.Admin => Proto.AdminEvent.RawJsonFieldNumber,
        _ => Proto.RawRecord.RawJsonFieldNumber,
    };

    private static int WriteVarint(Span<byte> destination, ulong value)
    {
        var at = 0;
        while (value >= 0x80)
        {
            destination[at++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[at++] = (byte)value;
        return at;
    }
}
