using O365Activity.Contracts.Activity;
using Orleans.Serialization;

namespace O365Activity.Storage;

/// <summary>
/// How an event's columns <c>raw</c> and <c>activity</c> are encoded: the Orleans serializer's binary form of the
/// <see cref="RawRecord"/> and of the <see cref="IngressEvent"/> or <see cref="AdminEvent"/>, with the raw JSON left out
/// (it is stored once, in <c>raw_json</c>). Chosen on purpose: it is compact, fast, and tolerant of fields added later
/// (every contract type has stable <c>[Id]</c>s and <c>[Alias]</c>es, which must never be renumbered or renamed).
/// </summary>
public sealed class EventPayloadCodec(Serializer serializer)
{
    /// <summary>Encodes a raw record without its raw JSON.</summary>
    public byte[] EncodeRaw(RawRecord raw) => serializer.SerializeToArray(raw with { RawJson = "", Sequence = 0 });

    /// <summary>Encodes an ingress or admin event without its raw JSON.</summary>
    public byte[] EncodeActivity(ActivityEvent activity) => serializer.SerializeToArray(activity with { RawJson = "", Sequence = 0 });

    /// <summary>Decodes a stored event and gives it back its sequence and raw JSON.</summary>
    /// <exception cref="Orleans.Serialization.CodecNotFoundException">When a payload names a type this build does not know.</exception>
    public StoredEvent Decode(long sequence, EventKind kind, byte[] raw, byte[]? activity, string rawJson)
    {
        var rawRecord = Decode<RawRecord>(raw) with { Sequence = sequence, RawJson = rawJson };
        var activityEvent = activity is null ? null : Decode<ActivityEvent>(activity) with { Sequence = sequence, RawJson = rawJson };
        return new StoredEvent(sequence, kind, rawRecord, activityEvent);
    }

    private T Decode<T>(byte[] payload)
        where T : class =>
        serializer.Deserialize<T>(payload) ?? throw new InvalidDataException($"A stored {typeof(T).Name} payload decoded to null.");
}
