using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace O365Activity.Tests.Normalization;

/// <summary>
/// A minimal MaxMind DB (format 2.0) writer for tests, written from the public format specification: a binary search
/// tree with 24-bit records, a 16-byte separator, the data section, and the metadata map after the
/// <c>\xAB\xCD\xEFMaxMind.com</c> marker. It writes what the tests need (maps, arrays, UTF-8 strings, doubles,
/// floats, unsigned integers, booleans) and builds the tree for IPv4 (ipVersion 4) or IPv6 (6, with
/// IPv4 networks placed under <c>::/96</c>). Used to produce a DB-IP-style (flat) city database, for which there is no
/// published test file.
/// </summary>
internal static class MmdbWriter
{
    private static readonly byte[] MetadataMarker = [0xAB, 0xCD, 0xEF, .. "MaxMind.com"u8];

    public static void Write(string path, int ipVersion, string databaseType, IEnumerable<(string Cidr, IDictionary<string, object> Data)> networks)
    {
        File.WriteAllBytes(path, Build(ipVersion, databaseType, networks));
    }

    public static byte[] Build(int ipVersion, string databaseType, IEnumerable<(string Cidr, IDictionary<string, object> Data)> networks)
    {
        var nodes = new List<long[]> { new long[] { Empty, Empty } };
        var data = new MemoryStream();
        foreach (var (cidr, record) in networks)
        {
            var (bits, prefix) = Bits(cidr, ipVersion);
            var offset = data.Length;
            WriteValue(data, record);
            Insert(nodes, bits, prefix, DataMarker - offset);
        }

        var nodeCount = nodes.Count;
        var output = new MemoryStream();
        foreach (var node in nodes)
        {
            foreach (var record in node)
            {
                var value = record switch
                {
                    Empty => nodeCount,
                    <= DataMarker => nodeCount + 16 + (DataMarker - record),
                    _ => record,
                };
                output.WriteByte((byte)(value >> 16));
                output.WriteByte((byte)(value >> 8));
                output.WriteByte((byte)value);
            }
        }

        output.Write(new byte[16]);
        data.Position = 0;
        data.CopyTo(output);
        output.Write(MetadataMarker);
        WriteValue(output, new Dictionary<string, object>
        {
            ["node_count"] = (uint)nodeCount,
            ["record_size"] = (ushort)24,
            ["ip_version"] = (ushort)ipVersion,
            ["database_type"] = databaseType,
            ["languages"] = new object[] { "en" },
            ["binary_format_major_version"] = (ushort)2,
            ["binary_format_minor_version"] = (ushort)0,
            ["build_epoch"] = 1_700_000_000UL,
            ["description"] = new Dictionary<string, object> { ["en"] = "Test database written by the O365Activity tests" },
        });
        return output.ToArray();
    }

    // Record placeholders while building: >= 0 a node index, Empty no data, <= DataMarker a data offset (encoded negative).
    private const long Empty = -1;
    private const long DataMarker = -2;

    private static void Insert(List<long[]> nodes, bool[] bits, int prefix, long leaf)
    {
        var node = 0;
        for (var i = 0; i < prefix - 1; i++)
        {
            var side = bits[i] ? 1 : 0;
            var next = nodes[node][side];
            if (next == Empty)
            {
                nodes.Add([Empty, Empty]);
                next = nodes.Count - 1;
                nodes[node][side] = next;
            }
            else if (next <= DataMarker)
            {
                throw new InvalidOperationException("Overlapping networks are not supported by this test writer.");
            }

            node = (int)next;
        }

        nodes[node][bits[prefix - 1] ? 1 : 0] = leaf;
    }

    private static (bool[] Bits, int Prefix) Bits(string cidr, int ipVersion)
    {
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        var address = IPAddress.Parse(cidr[..slash]);
        var prefix = int.Parse(cidr[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        byte[] bytes;
        if (ipVersion == 6 && address.AddressFamily == AddressFamily.InterNetwork)
        {
            bytes = new byte[16];
            address.GetAddressBytes().CopyTo(bytes, 12);
            prefix += 96;
        }
        else
        {
            bytes = address.GetAddressBytes();
        }

        var bits = new bool[bytes.Length * 8];
        for (var i = 0; i < bits.Length; i++)
        {
            bits[i] = (bytes[i / 8] & (0x80 >> (i % 8))) != 0;
        }

        return (bits, prefix);
    }

    private static void WriteValue(Stream s, object value)
    {
        switch (value)
        {
            case string text:
                var utf8 = Encoding.UTF8.GetBytes(text);
                WriteControl(s, 2, utf8.Length);
                s.Write(utf8);
                break;
            case double d:
                WriteControl(s, 3, 8);
                Span<byte> eight = stackalloc byte[8];
                BinaryPrimitives.WriteDoubleBigEndian(eight, d);
                s.Write(eight);
                break;
            case float f:
                WriteControl(s, 15, 4);
                Span<byte> four = stackalloc byte[4];
                BinaryPrimitives.WriteSingleBigEndian(four, f);
                s.Write(four);
                break;
            case ushort u16:
                WriteUnsigned(s, 5, u16);
                break;
            case uint u32:
                WriteUnsigned(s, 6, u32);
                break;
            case ulong u64:
                WriteUnsigned(s, 9, u64);
                break;
            case bool b:
                WriteControl(s, 14, b ? 1 : 0);
                break;
            case IDictionary<string, object> map:
                WriteControl(s, 7, map.Count);
                foreach (var (key, item) in map)
                {
                    WriteValue(s, key);
                    WriteValue(s, item);
                }

                break;
            case object[] array:
                WriteControl(s, 11, array.Length);
                foreach (var item in array)
                {
                    WriteValue(s, item);
                }

                break;
            default:
                throw new NotSupportedException($"The test writer cannot encode {value.GetType()}.");
        }
    }

    private static void WriteUnsigned(Stream s, int type, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        var start = 0;
        while (start < 8 && bytes[start] == 0)
        {
            start++;
        }

        WriteControl(s, type, 8 - start);
        s.Write(bytes[start..]);
    }

    private static void WriteControl(Stream s, int type, int size)
    {
        var (sizeBits, extra, extraLength) = size switch
        {
            < 29 => (size, 0, 0),
            < 29 + 256 => (29, size - 29, 1),
            < 285 + 65536 => (30, size - 285, 2),
            _ => (31, size - 65821, 3),
        };

        if (type <= 7)
        {
            s.WriteByte((byte)((type << 5) | sizeBits));
        }
        else
        {
            s.WriteByte((byte)sizeBits);
            s.WriteByte((byte)(type - 7));
        }

        for (var i = extraLength - 1; i >= 0; i--)
        {
            s.WriteByte((byte)(extra >> (8 * i)));
        }
    }
}
