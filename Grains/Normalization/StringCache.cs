using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace O365Activity.Grains.Normalization;

/// <summary>
/// Short strings read from audit records, kept so that the same text gives the same string instance instead of a new
/// one per record: operations, workloads, user names, addresses, user agents, property names and values repeat from
/// record to record. A fixed table of 16,384 entries (at most 160 characters each, so at most about 5 MB) indexed by a
/// hash of the text; a miss creates the string and takes the entry. Thread-safe without locks: an entry is one
/// reference, written and read whole, and a string is immutable, so a reader sees either string, both right.
/// </summary>
internal static class StringCache
{
    /// <summary>The longest text kept, in characters; longer text gives a new string each time.</summary>
    public const int MaxLength = 160;

    private const int Size = 1 << 14;
    private static readonly string?[] Entries = new string?[Size];

    /// <summary>The string of ASCII text given as bytes: the cached one with that text, or a new one (then cached).</summary>
    /// <param name="ascii">Bytes below 0x80 only; the caller checks.</param>
    public static string GetAscii(ReadOnlySpan<byte> ascii)
    {
        if (ascii.IsEmpty)
        {
            return "";
        }

        if (ascii.Length > MaxLength)
        {
            return Encoding.ASCII.GetString(ascii);
        }

        ref var entry = ref Entries[Hash(ascii) & (Size - 1)];
        var cached = entry;
        if (cached is not null && cached.Length == ascii.Length && Ascii.Equals(ascii, cached))
        {
            return cached;
        }

        var created = Encoding.ASCII.GetString(ascii);
        entry = created;
        return created;
    }

    private static int Hash(ReadOnlySpan<byte> bytes)
    {
        const ulong Multiplier = 0x9E3779B97F4A7C15;
        var hash = (ulong)bytes.Length * Multiplier;
        while (bytes.Length >= 8)
        {
            hash = BitOperations.RotateLeft((hash ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes)) * Multiplier, 31);
            bytes = bytes[8..];
        }

        ulong tail = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            tail |= (ulong)bytes[i] << (8 * i);
        }

        hash = (hash ^ tail) * Multiplier;
        return (int)(hash >> 32) ^ (int)hash;
    }
}
