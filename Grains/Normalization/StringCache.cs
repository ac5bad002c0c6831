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
    private const ulong Multiplier = 0x9E3779B97F4A7C15;
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

    /// <summary>
    /// The string of a JSON string's raw text (between its quotes) when the text is its own value, that is plain ASCII
    /// without an escape: the cached one, or a new one (then cached); null when the text holds a <c>\</c> or a byte
    /// above 0x7F (the caller then unescapes it), or is longer than <see cref="MaxLength"/>.
    /// </summary>
    /// <param name="raw">The raw text, without its quotes.</param>
    public static string? GetPlain(ReadOnlySpan<byte> raw)
    {
        if (raw.Length > MaxLength)
        {
            return null;
        }

        if (raw.IsEmpty)
        {
            return "";
        }

        // One pass both hashes the text and checks it (SWAR: a byte above 0x7F sets its high bit; a byte equal to '\\'
        // becomes zero after the XOR, which the subtraction turns into a set high bit).
        const ulong Ones = 0x0101010101010101;
        const ulong Highs = 0x8080808080808080;
        const ulong Backslashes = Ones * '\\';
        ulong flags = 0;
        var hash = (ulong)raw.Length * Multiplier;
        var bytes = raw;
        while (bytes.Length >= 8)
        {
            var word = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            var x = word ^ Backslashes;
            flags |= word | ((x - Ones) & ~x);
            hash = BitOperations.RotateLeft((hash ^ word) * Multiplier, 31);
            bytes = bytes[8..];
        }

        ulong tail = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (b is >= 0x80 or (byte)'\\')
            {
                return null;
            }

            tail |= (ulong)b << (8 * i);
        }

        if ((flags & Highs) != 0)
        {
            return null;
        }

        hash = (hash ^ tail) * Multiplier;
        ref var entry = ref Entries[((int)(hash >> 32) ^ (int)hash) & (Size - 1)];
        var cached = entry;
        if (cached is not null && cached.Length == raw.Length && Ascii.Equals(raw, cached))
        {
            return cached;
        }

        var created = Encoding.ASCII.GetString(raw);
        entry = created;
        return created;
    }

    private static int Hash(ReadOnlySpan<byte> bytes)
    {
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
