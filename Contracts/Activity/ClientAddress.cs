namespace O365Activity.Contracts.Activity;

/// <summary>
/// The network address an audit record names for the client (or, for some workloads, a service front end acting
/// for the client), parsed from whichever spelling the record used.
/// </summary>
/// <remarks>
/// Source of the spellings: PROTOCOL.md §8 and cases B01–B08. <see cref="SourceField"/> says which record field the
/// address came from, so a client can tell a user's own address (<c>ClientIP</c> on a sign-in) from a front end's.
/// </remarks>
[GenerateSerializer, Immutable, Alias("o365.ClientAddress")]
public sealed record ClientAddress
{
    /// <summary>The address in canonical text form (IPv4 dotted quad, or compressed IPv6 without a zone); null when the record names no usable address.</summary>
    [Id(0)] public string? Ip { get; init; }

    /// <summary>The client's TCP port when the spelling carried one (<c>a.b.c.d:port</c>, <c>[v6]:port</c>), else null.</summary>
    [Id(1)] public int? Port { get; init; }

    /// <summary>The field's value exactly as received (for example <c>[203.0.113.24]:50412</c>); null when the field was absent.</summary>
    [Id(2)] public string? Raw { get; init; }

    /// <summary>The record field the address was read from: <c>ClientIP</c>, <c>ClientIPAddress</c> or <c>ActorIpAddress</c>; null when none had a value.</summary>
    [Id(3)] public string? SourceField { get; init; }

    /// <summary>The address's network in CIDR form: the /24 for IPv4, the /64 for IPv6 (for example <c>203.0.113.0/24</c>, <c>2001:db8:4:1::/64</c>); null without an address.</summary>
    [Id(4)] public string? Network { get; init; }
}
