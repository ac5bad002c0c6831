using O365Activity.Tests.Normalization;

namespace O365Activity.Tests.Infrastructure;

/// <summary>
/// Small GeoIP databases of our own (documentation address ranges only), written with <see cref="MmdbWriter"/> in the
/// GeoLite2 City and ASN layouts, so that cluster tests have known locations without ../shared.
/// </summary>
public static class TestGeoDatabases
{
    /// <summary>Writes <c>city.mmdb</c> and <c>asn.mmdb</c> into <paramref name="folder"/> and returns their paths.</summary>
    /// <remarks>
    /// 203.0.113.0/24 is Amsterdam, NL (AS64500 "Example Transit B.V."); 2001:db8:4::/48 is Tokyo, JP (AS64501 "Example
    /// Networks K.K."); 2001:db8:5::/48 is Puyallup, US (a country whose common name, "United States", is not the
    /// map's, "United States of America"; no ASN); every other address has no answer.
    /// </remarks>
    public static (string City, string Asn) Write(string folder)
    {
        var city = Path.Combine(folder, "city.mmdb");
        var asn = Path.Combine(folder, "asn.mmdb");
        MmdbWriter.Write(city, 6, "GeoLite2-City",
        [
            ("203.0.113.0/24", City("NL", "Netherlands", "North Holland", "Amsterdam", 52.3759, 4.8975)),
            ("2001:db8:4::/48", City("JP", "Japan", "Tokyo", "Tokyo", 35.6893, 139.6899)),
            ("2001:db8:5::/48", City("US", "United States", "Washington", "Puyallup", 47.1854, -122.2929)),
        ]);
        MmdbWriter.Write(asn, 6, "GeoLite2-ASN",
        [
            ("203.0.113.0/24", new Dictionary<string, object> { ["autonomous_system_number"] = 64500u, ["autonomous_system_organization"] = "Example Transit B.V." }),
            ("2001:db8:4::/48", new Dictionary<string, object> { ["autonomous_system_number"] = 64501u, ["autonomous_system_organization"] = "Example Networks K.K." }),
        ]);
        return (city, asn);
    }

    private static Dictionary<string, object> City(string code, string country, string region, string city, double latitude, double longitude) => new()
    {
        ["country"] = new Dictionary<string, object> { ["iso_code"] = code, ["names"] = new Dictionary<string, object> { ["en"] = country } },
        ["subdivisions"] = new object[] { new Dictionary<string, object> { ["names"] = new Dictionary<string, object> { ["en"] = region } } },
        ["city"] = new Dictionary<string, object> { ["names"] = new Dictionary<string, object> { ["en"] = city } },
        ["location"] = new Dictionary<string, object> { ["latitude"] = latitude, ["longitude"] = longitude },
    };
}
