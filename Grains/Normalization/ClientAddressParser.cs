using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using O365Activity.Contracts.Activity;

namespace O365Activity.Grains.Normalization;

/// <summary>
/// Reads the client address of an audit record from any of the spellings the Management Activity API uses
/// (PROTOCOL.md §8; cases B01, B02, B04, B06, B07, B08).
/// </summary>
/// <remarks>
/// <para>Accepted spellings: <c>a.b.c.d</c>, <c>a.b.c.d:port</c>, <c>[a.b.c.d]:port</c>, <c>[a.b.c.d]</c>,
/// <c>a.b.c.d-port</c>, bare IPv6, <c>[v6]:port</c>, <c>[v6]</c>, <c>v6%zone</c> (the zone is dropped),
/// <c>::ffff:a.b.c.d</c> and <c>[::ffff:a.b.c.d]:port</c>. The whole value is tried as an address first and only then
/// the port forms, so a bare IPv6 address is never split at a ':' (case B02 row 4, case B04).</para>
/// <para>IPv4-mapped IPv6 addresses (<c>::ffff:a.b.c.d</c>, also written in hex as <c>::ffff:cb00:7118</c>) are
/// reduced to the IPv4 address (<c>a.b.c.d</c>): they name an IPv4 client, and one client then has one spelling,
/// one network and one location (case B02 row 6, decided here).</para>
/// <para>IPv4 must be the full dotted quad of decimal numbers 0–255: short forms that
/// <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> would take (<c>203.0.113</c> as <c>203.0.0.113</c>,
/// <c>1</c> as <c>0.0.0.1</c>) are rejected (case B02 note).</para>
/// <para>No address: null, empty or white-space text and the placeholders <c>-</c>, <c>&lt;null&gt;</c>,
/// <c>null</c>, <c>Unknown</c>, <c>Not Available</c>, <c>N/A</c> (case B06, compared case-insensitively).
/// Host names (<c>localhost</c>, <c>cool.client.local:12345</c>) and malformed values
/// (<c>NOTANIPV4 (10.9000.0.1)</c>, <c>ffff:10.11.0.229</c>) give no address either, but their text is kept in
/// <see cref="ClientAddress.Raw"/>. Nothing here throws.</para>
/// </remarks>
public static class ClientAddressParser
{
    /// <summary>The record field <c>ClientIP</c>.</summary>
    public const string ClientIPField = "ClientIP";

    /// <summary>The record field <c>ClientIPAddress</c> (Exchange mailbox records).</summary>
    public const string ClientIPAddressField = "ClientIPAddress";

    /// <summary>The record field <c>ActorIpAddress</c> (Azure AD records).</summary>
    public const string ActorIpAddressField = "ActorIpAddress";

    /// <summary>
    /// The fixed order in which the address fields of a record are read (case B08):
    /// <c>ClientIP</c> → <c>ClientIPAddress</c> → <c>ActorIpAddress</c>.
    /// </summary>
    public static readonly ImmutableArray<string> DefaultFieldOrder = [ClientIPField, ClientIPAddressField, ActorIpAddressField];

    /// <summary>
    /// The order for the actor of an Azure AD admin record (RecordType 8), which carries the actor's address in
    /// <c>ActorIpAddress</c> (PROTOCOL.md §8): <c>ActorIpAddress</c> → <c>ClientIP</c> → <c>ClientIPAddress</c>.
    /// </summary>
    public static readonly ImmutableArray<string> AzureAdActorFieldOrder = [ActorIpAddressField, ClientIPField, ClientIPAddressField];

    /// <summary><see cref="DefaultFieldOrder"/> as record fields.</summary>
    internal static readonly RecordField[] DefaultFields = [RecordField.ClientIP, RecordField.ClientIPAddress, RecordField.ActorIpAddress];

    /// <summary><see cref="AzureAdActorFieldOrder"/> as record fields.</summary>
    internal static readonly RecordField[] AzureAdActorFields = [RecordField.ActorIpAddress, RecordField.ClientIP, RecordField.ClientIPAddress];

    private const int SharedSize = 1 << 12;
    private static readonly ClientAddress?[] Shared = new ClientAddress?[SharedSize];

    private static readonly string[] Placeholders = ["-", "<null>", "null", "unknown", "not available", "n/a"];

    /// <summary>
    /// Parses one address value in any supported spelling.
    /// </summary>
    /// <param name="text">The field's text as received; may be null.</param>
    /// <param name="address">The address (IPv4 for IPv4-mapped input, no IPv6 zone); null when the text holds none.</param>
    /// <param name="port">The TCP port when the spelling carried one (0–65535); else null.</param>
    /// <returns>True when <paramref name="text"/> holds an IP address.</returns>
    public static bool TryParse(string? text, out IPAddress? address, out int? port)
    {
        address = null;
        port = null;
        if (text is null)
        {
            return false;
        }

        var s = text.AsSpan().Trim();
        if (s.IsEmpty || IsPlaceholder(s))
        {
            return false;
        }

        // 1. The whole value as an address: bare IPv4, bare IPv6 (with or without a zone).
        if (TryParseAddress(s, out address))
        {
            return true;
        }

        // 2. Bracketed forms: [v4], [v6], [v4]:port, [v6]:port.
        if (s[0] == '[')
        {
            var close = s.IndexOf(']');
            if (close > 1 && TryParseAddress(s[1..close], out var inner))
            {
                var rest = s[(close + 1)..];
                if (rest.IsEmpty)
                {
                    address = inner;
                    return true;
                }

                if (rest[0] == ':' && TryParsePort(rest[1..], out var p))
                {
                    address = inner;
                    port = p;
                    return true;
                }
            }

            return false;
        }

        // 3. v4:port and v4-port (IPv6 never takes these forms: a bare IPv6 address was handled in step 1).
        var separator = s.LastIndexOfAny(':', '-');
        if (separator > 0
            && TryParseIPv4(s[..separator], out var v4)
            && TryParsePort(s[(separator + 1)..], out var v4Port))
        {
            address = v4;
            port = v4Port;
            return true;
        }

        return false;
    }

    /// <summary>
    /// Parses one record field's value into a <see cref="ClientAddress"/>.
    /// </summary>
    /// <param name="raw">The value as received.</param>
    /// <param name="sourceField">The field it came from (for example <c>ClientIP</c>).</param>
    /// <returns>The address with its port and network, or with <see cref="ClientAddress.Ip"/> null when the value
    /// names no IP address; <see cref="ClientAddress.Raw"/> is always <paramref name="raw"/>.</returns>
    public static ClientAddress Parse(string? raw, string? sourceField)
    {
        if (TryParse(raw, out var address, out var port))
        {
            return new ClientAddress
            {
                Ip = address!.ToString(),
                Port = port,
                Raw = raw,
                SourceField = sourceField,
                Network = NetworkOf(address),
            };
        }

        return new ClientAddress { Raw = raw, SourceField = sourceField };
    }

    /// <summary>
    /// <see cref="Parse"/> of an address field's text, shared between records: addresses repeat from record to record,
    /// and their texts come from <see cref="StringCache"/> (one instance per text), so a parsed address is found again by
    /// the identity of its text and field. A fixed table of 4,096 entries; thread-safe without locks (a
    /// <see cref="ClientAddress"/> is immutable, written and read whole).
    /// </summary>
    /// <param name="raw">The field's text as received.</param>
    /// <param name="field">The field it came from.</param>
    internal static ClientAddress ParseShared(string raw, RecordField field)
    {
        var sourceField = field switch
        {
            RecordField.ClientIP => ClientIPField,
            RecordField.ClientIPAddress => ClientIPAddressField,
            RecordField.ActorIpAddress => ActorIpAddressField,
            _ => field.ToString(),
        };
        ref var entry = ref Shared[((RuntimeHelpers.GetHashCode(raw) * 31) + (int)field) & (SharedSize - 1)];
        var cached = entry;
        if (cached is not null && ReferenceEquals(cached.Raw, raw) && ReferenceEquals(cached.SourceField, sourceField))
        {
            return cached;
        }

        var parsed = Parse(raw, sourceField);
        entry = parsed;
        return parsed;
    }

    /// <summary>
    /// Whether a value means "no address": null, empty, white space or a placeholder (<c>-</c>, <c>&lt;null&gt;</c>,
    /// <c>null</c>, <c>Unknown</c>, <c>Not Available</c>, <c>N/A</c>), compared case-insensitively (case B06).
    /// </summary>
    /// <param name="text">The field's text.</param>
    public static bool IsEmptyValue(string? text)
    {
        if (text is null)
        {
            return true;
        }

        var s = text.AsSpan().Trim();
        return s.IsEmpty || IsPlaceholder(s);
    }

    /// <summary>
    /// The network of an address in CIDR form: the /24 for IPv4 (<c>203.0.113.0/24</c>), the /64 for IPv6
    /// (<c>2001:db8:4:1::/64</c>); computed from the parsed address, so one address always gives one network (case B07).
    /// </summary>
    /// <param name="address">An IPv4 or IPv6 address.</param>
    /// <returns>The CIDR text.</returns>
    /// <exception cref="ArgumentNullException">When <paramref name="address"/> is null.</exception>
    public static string NetworkOf(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> v4 = stackalloc byte[4];
            address.TryWriteBytes(v4, out _);
            return string.Create(CultureInfo.InvariantCulture, $"{v4[0]}.{v4[1]}.{v4[2]}.0/24");
        }

        Span<byte> v6 = stackalloc byte[16];
        address.TryWriteBytes(v6, out _);
        v6[8..].Clear();
        return new IPAddress(v6).ToString() + "/64";
    }

    private static bool IsPlaceholder(ReadOnlySpan<char> s)
    {
        foreach (var placeholder in Placeholders)
        {
            if (s.Equals(placeholder, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryParseAddress(ReadOnlySpan<char> s, out IPAddress? address)
    {
        if (s.Contains(':'))
        {
            return TryParseIPv6(s, out address);
        }

        if (TryParseIPv4(s, out var v4))
        {
            address = v4;
            return true;
        }

        address = null;
        return false;
    }

    private static bool TryParseIPv6(ReadOnlySpan<char> s, out IPAddress? address)
    {
        address = null;

        // The zone (v6%zone) says which local interface; it is no part of the address.
        var percent = s.IndexOf('%');
        if (percent >= 0)
        {
            s = s[..percent];
        }

        foreach (var c in s)
        {
            if (!(char.IsAsciiHexDigit(c) || c == ':' || c == '.'))
            {
                return false;
            }
        }

        // An embedded IPv4 tail (::ffff:a.b.c.d) must itself be a full dotted quad.
        var lastColon = s.LastIndexOf(':');
        var tail = s[(lastColon + 1)..];
        if (tail.Contains('.') && !TryParseIPv4(tail, out _))
        {
            return false;
        }

        if (!IPAddress.TryParse(s, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        address = parsed.IsIPv4MappedToIPv6 ? parsed.MapToIPv4() : parsed;
        return true;
    }

    private static bool TryParseIPv4(ReadOnlySpan<char> s, out IPAddress? address)
    {
        address = null;
        Span<byte> bytes = stackalloc byte[4];
        var part = 0;
        var value = 0;
        var digits = 0;
        foreach (var c in s)
        {
            if (c == '.')
            {
                if (digits == 0 || part == 3)
                {
                    return false;
                }

                bytes[part++] = (byte)value;
                value = 0;
                digits = 0;
            }
            else if (char.IsAsciiDigit(c))
            {
                value = (value * 10) + (c - '0');
                if (++digits > 3 || value > 255)
                {
                    return false;
                }
            }
            else
            {
                return false;
            }
        }

        if (digits == 0 || part != 3)
        {
            return false;
        }

        bytes[3] = (byte)value;
        address = new IPAddress(bytes);
        return true;
    }

    private static bool TryParsePort(ReadOnlySpan<char> s, out int port)
    {
        port = 0;
        if (s.IsEmpty || s.Length > 5)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            port = (port * 10) + (c - '0');
        }

        return port <= 65535;
    }
}
