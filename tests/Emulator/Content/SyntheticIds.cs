using System.Buffers.Binary;

namespace O365Activity.Emulator.Content;

/// <summary>
/// Record ids of synthetic records: a keyed bijection from (stream, ordinal) to a version-4 GUID. A stream is one
/// tenant's records of one content type from one source (<see cref="SyntheticRecords.StreamTag"/>, 64 bits); the ordinal
/// numbers the stream's records from 0 (58 bits). The 122 bits are scrambled by a four-round Feistel network keyed by the
/// generator seed, so ids look random (like the service's) yet two records of a stream never share an id, and records of
/// two streams only would if their 64-bit stream tags collided.
/// </summary>
internal sealed class SyntheticIds
{
    private const ulong Mask61 = (1UL << 61) - 1;
    private const ulong Mask58 = (1UL << 58) - 1;
    private static readonly UInt128 Mask62 = (UInt128.One << 62) - 1;

    private readonly ulong[] _roundKeys;

    /// <summary>Creates the bijection of one seed.</summary>
    /// <param name="seed">The generator seed.</param>
    public SyntheticIds(int seed)
    {
        var keys = new SplitMix64(0x5EED_0000_0000_0000UL ^ (uint)seed);
        _roundKeys = [keys.Next(), keys.Next(), keys.Next(), keys.Next()];
    }

    /// <summary>The id of record <paramref name="ordinal"/> of <paramref name="stream"/>.</summary>
    /// <param name="stream">The stream tag.</param>
    /// <param name="ordinal">The record's number in the stream, 0 to 2^58 - 1.</param>
    /// <returns>A version-4, RFC 4122 variant GUID.</returns>
    public Guid Make(ulong stream, long ordinal)
    {
        var plain = ((UInt128)stream << 58) | ((ulong)ordinal & Mask58);
        var left = (ulong)(plain >> 61);
        var right = (ulong)plain & Mask61;
        foreach (var key in _roundKeys)
        {
            (left, right) = (right, left ^ (SplitMix64.Mix(right ^ key) & Mask61));
        }

        return ToGuid(((UInt128)left << 61) | right);
    }

    /// <summary>A random version-4 GUID from <paramref name="random"/> (for the records' other id fields).</summary>
    /// <param name="random">The generator.</param>
    public static Guid Random(ref SplitMix64 random) => ToGuid(new UInt128(random.Next(), random.Next()));

    /// <summary>Spreads the low 122 bits of <paramref name="bits"/> around the version nibble (4) and the variant bits (10).</summary>
    private static Guid ToGuid(UInt128 bits)
    {
        var value = (((bits >> 74) & ((UInt128.One << 48) - 1)) << 80)
            | ((UInt128)0x4 << 76)
            | (((bits >> 62) & 0xFFF) << 64)
            | ((UInt128)0x2 << 62)
            | (bits & Mask62);
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new Guid(bytes, bigEndian: true);
    }
}
