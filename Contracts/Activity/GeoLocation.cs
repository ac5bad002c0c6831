namespace O365Activity.Contracts.Activity;

/// <summary>
/// Where an address is, as the configured GeoIP database (MaxMind DB format: GeoIP2/GeoLite2 or DB-IP layout) says.
/// Every member is optional: a database answers only what it knows.
/// </summary>
[GenerateSerializer, Immutable, Alias("o365.GeoLocation")]
public sealed record GeoLocation
{
    /// <summary>ISO 3166-1 alpha-2 country code, for example <c>GB</c>.</summary>
    [Id(0)] public string? CountryCode { get; init; }

    /// <summary>The country's English name, when the database has names.</summary>
    [Id(1)] public string? CountryName { get; init; }

    /// <summary>The first-level subdivision (state, region), English name.</summary>
    [Id(2)] public string? Region { get; init; }

    /// <summary>The city, English name.</summary>
    [Id(3)] public string? City { get; init; }

    /// <summary>Latitude in decimal degrees (WGS 84).</summary>
    [Id(4)] public double? Latitude { get; init; }

    /// <summary>Longitude in decimal degrees (WGS 84).</summary>
    [Id(5)] public double? Longitude { get; init; }

    /// <summary>Autonomous system number, when an ASN database is configured.</summary>
    [Id(6)] public long? Asn { get; init; }

    /// <summary>The autonomous system's organisation, when an ASN database is configured.</summary>
    [Id(7)] public string? AsOrganization { get; init; }
}
