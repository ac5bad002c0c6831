using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace O365Activity.Grains.Normalization;

/// <summary>
/// Remembers what was read from a JSON value, by the value's exact text: the list fields of audit records
/// (<c>ExtendedProperties</c>, <c>DeviceProperties</c>, <c>Actor</c>, …) repeat byte for byte from record to record, and
/// what the normalizer reads from them depends on nothing else, so a value seen before gives the same (immutable)
/// result without being read again.
/// </summary>
/// <remarks>
/// A fixed table of 2,048 entries, each the text (at most 512 bytes, so at most 1 MiB of text per table) and the result; a text is kept only when it is seen a
/// second time while its slot still remembers the first sighting, so that a text that never repeats (one holding a
/// session id) costs no copy. Thread-safe without locks: an entry is immutable, written and read whole.
/// </remarks>
/// <typeparam name="T">What is read from a value; shared between records, so immutable.</typeparam>
internal sealed class RawValueMemo<T>
{
    private const int Size = 1 << 11;
    private const int MaxKeyLength = 512;
    private const ulong Multiplier = 0x9E3779B97F4A7C15;

    private readonly Entry?[] _entries = new Entry?[Size];
    private readonly int[] _seen = new int[Size];

    /// <summary>The result for <paramref name="value"/>: remembered, or made by <paramref name="read"/> (and remembered when it repeats).</summary>
    /// <param name="value">The JSON value.</param>
    /// <param name="state">What <paramref name="read"/> needs besides the value.</param>
    /// <param name="read">Makes the result; a pure function of the value's text.</param>
    /// <typeparam name="TState">The state's type.</typeparam>
    public T Get<TState>(JsonElement value, TState state, Func<JsonElement, TState, T> read)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (raw.Length > MaxKeyLength)
        {
            return read(value, state);
        }

        var hash = Hash(raw);
        var slot = hash & (Size - 1);
        var entry = _entries[slot];
        if (entry is not null && entry.Hash == hash && raw.SequenceEqual(entry.Key))
        {
            return entry.Value;
        }

        var result = read(value, state);
        if (_seen[slot] == hash)
        {
            _entries[slot] = new Entry(hash, raw.ToArray(), result);
        }
        else
        {
            _seen[slot] = hash;
        }

        return result;
    }

    private static int Hash(ReadOnlySpan<byte> raw)
    {
        var hash = Mix(((ulong)raw.Length + 1) * Multiplier, raw);
        return (int)(hash >> 32) ^ (int)hash;
    }

    private static ulong Mix(ulong hash, ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length >= 8)
        {
            hash = BitOperations.RotateLeft((hash ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes)) * Multiplier, 31);
            bytes = bytes[8..];
        }

        foreach (var b in bytes)
        {
            hash = BitOperations.RotateLeft((hash ^ b) * Multiplier, 31);
        }

        return hash;
    }

    private sealed record Entry(int Hash, byte[] Key, T Value);
}
