using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using O365Activity.Contracts.Activity;
using O365Activity.Grains.Normalization;

namespace O365Activity.Tests.Normalization;

/// <summary>
/// The GeoIP locator over MaxMind DB files: the published test databases in ../shared/geoip (known answers in its
/// README) for the GeoIP2/GeoLite2 layout, and databases written by <see cref="MmdbWriter"/> for the flat DB-IP layout.
/// </summary>
public sealed class GeoLocatorTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("o365-geoip-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static string GeoIp(string file) => SharedFolder.Combine("geoip", file);

    [SharedTheory]
    [InlineData("GeoLite2-City-Test.mmdb")]
    [InlineData("GeoIP2-City-Test.mmdb")]
    public void GeoLocator_GeoIp2CityLayout_KnownAnswers(string file)
    {
        using var geo = new GeoLocator(new GeoIpOptions { CityDatabasePath = GeoIp(file) });

        Assert.True(geo.IsEnabled);
        Assert.Equal(
            new GeoLocation { CountryCode = "GB", CountryName = "United Kingdom", Region = "England", City = "London", Latitude = 51.5142, Longitude = -0.0931 },
            geo.Locate(IPAddress.Parse("81.2.69.142")));
        Assert.Equal(
            new GeoLocation { CountryCode = "JP", CountryName = "Japan", Latitude = 35.68536, Longitude = 139.75309 },
            geo.Locate(IPAddress.Parse("2001:218::1")));
        Assert.Equal(
            new GeoLocation { CountryCode = "SE", CountryName = "Sweden", Region = "Östergötland County", City = "Linköping", Latitude = 58.4167, Longitude = 15.6167 },
            geo.Locate(IPAddress.Parse("89.160.20.112")));
        Assert.Equal("Boxford", geo.Locate(IPAddress.Parse("2.125.160.216"))?.City);
        Assert.Equal("Milton", geo.Locate(IPAddress.Parse("216.160.83.56"))?.City);
        Assert.Equal("Changchun", geo.Locate(IPAddress.Parse("175.16.199.1"))?.City);
        var bhutan = geo.Locate(IPAddress.Parse("67.43.156.1"));
        Assert.Equal("BT", bhutan?.CountryCode);
        Assert.Null(bhutan?.City);
        Assert.Null(geo.Locate(IPAddress.Parse("203.0.113.5")));
        Assert.Null(geo.Locate(IPAddress.Parse("2001:db8::1")));
    }

    [SharedFact("geoip", "GeoLite2-ASN-Test.mmdb")]
    public void GeoLocator_AsnDatabase_NumberAndOrganisation()
    {
        using var geo = new GeoLocator(new GeoIpOptions { AsnDatabasePath = GeoIp("GeoLite2-ASN-Test.mmdb") });

        Assert.Equal(new GeoLocation { Asn = 1221, AsOrganization = "Telstra Pty Ltd" }, geo.Locate(IPAddress.Parse("1.128.0.1")));
        Assert.Equal(new GeoLocation { Asn = 35908 }, geo.Locate(IPAddress.Parse("67.43.156.1")));
        Assert.Null(geo.Locate(IPAddress.Parse("81.2.69.142")));
    }

    [SharedFact("geoip", "GeoLite2-ASN-Test.mmdb")]
    public void GeoLocator_CityAndAsn_Merged()
    {
        using var geo = new GeoLocator(new GeoIpOptions
        {
            CityDatabasePath = GeoIp("GeoLite2-City-Test.mmdb"),
            AsnDatabasePath = GeoIp("GeoLite2-ASN-Test.mmdb"),
        });

        var location = geo.Locate(IPAddress.Parse("67.43.156.1"));

        Assert.Equal("BT", location?.CountryCode);
        Assert.Equal(35908, location?.Asn);
        Assert.Null(location?.AsOrganization);
    }

    [Fact]
    public void GeoLocator_NoDatabaseConfigured_NoLocationNoError()
    {
        using var geo = new GeoLocator(new GeoIpOptions { CityDatabasePath = "", AsnDatabasePath = "  " });

        Assert.False(geo.IsEnabled);
        Assert.Null(geo.Locate(IPAddress.Parse("81.2.69.142")));
        Assert.True(new GeoIpOptionsValidator().Validate(null, new GeoIpOptions()).Succeeded);
    }

    [SharedFact("geoip", "GeoIP2-City-Test-Broken-Double-Format.mmdb")]
    public void GeoLocator_CorruptDatabase_StartupErrorNamesSettingAndFile()
    {
        var path = GeoIp("GeoIP2-City-Test-Broken-Double-Format.mmdb");

        var e = Assert.Throws<GeoIpDatabaseException>(() => new GeoLocator(new GeoIpOptions { CityDatabasePath = path }));

        Assert.StartsWith($"GeoIp:CityDatabasePath: '{path}' is not a usable MaxMind DB file:", e.Message, StringComparison.Ordinal);
        var validation = new GeoIpOptionsValidator().Validate(null, new GeoIpOptions { CityDatabasePath = path });
        Assert.True(validation.Failed);
        Assert.Equal(e.Message, Assert.Single(validation.Failures!));
    }

    [Fact]
    public void GeoLocator_MissingFile_StartupErrorNamesSettingAndFile()
    {
        var path = Path.Combine(_temp, "missing.mmdb");

        var e = Assert.Throws<GeoIpDatabaseException>(() => new GeoLocator(new GeoIpOptions { AsnDatabasePath = path }));

        Assert.Equal($"GeoIp:AsnDatabasePath: the GeoIP database file '{path}' does not exist.", e.Message);
    }

    [Fact]
    public void GeoLocator_NotAnMmdbFile_StartupErrorNamesSettingAndFile()
    {
        var path = Path.Combine(_temp, "garbage.mmdb");
        File.WriteAllText(path, "this is not a MaxMind database");

        var e = Assert.Throws<GeoIpDatabaseException>(() => new GeoLocator(new GeoIpOptions { CityDatabasePath = path }));

        Assert.StartsWith($"GeoIp:CityDatabasePath: '{path}' is not a usable MaxMind DB file:", e.Message, StringComparison.Ordinal);
    }

    [SharedFact("geoip", "GeoIP2-City-Test-Broken-Double-Format.mmdb")]
    public void AddAuditNormalization_CorruptDatabase_ValidateOnStartFailsNamingSetting()
    {
        var path = GeoIp("GeoIP2-City-Test-Broken-Double-Format.mmdb");
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["GeoIp:CityDatabasePath"] = path })
            .Build();
        using var provider = new ServiceCollection().AddAuditNormalization(configuration).BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains($"GeoIp:CityDatabasePath: '{path}' is not a usable MaxMind DB file", e.Message, StringComparison.Ordinal);
    }

    [SharedFact("geoip", "GeoLite2-City-Test.mmdb")]
    public void AddAuditNormalization_ValidDatabase_SingletonNormalizerLocatesSignIns()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["GeoIp:CityDatabasePath"] = GeoIp("GeoLite2-City-Test.mmdb") })
            .Build();
        using var provider = new ServiceCollection().AddAuditNormalization(configuration).BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var normalizer = provider.GetRequiredService<AuditRecordNormalizer>();
        Assert.Same(normalizer, provider.GetRequiredService<AuditRecordNormalizer>());
        Assert.Same(provider.GetRequiredService<GeoLocator>(), provider.GetRequiredService<GeoLocator>());

        var ingress = NormalizerHarness.Ingress(ClientAddressParserTests.SignInWithClientIp("[81.2.69.142]:443"), normalizer);
        Assert.Equal("London", ingress.Location?.City);
        Assert.Equal("GB", ingress.Location?.CountryCode);
    }

    [Fact]
    public void AddAuditNormalization_NoGeoIpSection_StartsWithoutLocations()
    {
        using var provider = new ServiceCollection().AddAuditNormalization(new ConfigurationBuilder().Build()).BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        Assert.False(provider.GetRequiredService<GeoLocator>().IsEnabled);
        var ingress = NormalizerHarness.Ingress(ClientAddressParserTests.SignInWithClientIp("81.2.69.142"), provider.GetRequiredService<AuditRecordNormalizer>());
        Assert.Null(ingress.Location);
    }

    [Fact]
    public void GeoLocator_DbIpFlatLayout_ReadFromWrittenDatabase()
    {
        var v4 = Path.Combine(_temp, "dbip-city-ipv4.mmdb");
        var v6 = Path.Combine(_temp, "dbip-city-ipv6.mmdb");
        MmdbWriter.Write(v4, 4, "city ipv4", [
            ("198.51.100.0/24", FlatCity("Exampleton", "GB", "England", 51.5143f, -0.0912244f)),
            ("203.0.113.0/25", new Dictionary<string, object> { ["country_code"] = "NL", ["city"] = "", ["state1"] = "", ["latitude"] = 52.37, ["longitude"] = 4.89 }),
        ]);
        MmdbWriter.Write(v6, 6, "city ipv6", [("2001:db8:100::/48", FlatCity("Sampleshi", "JP", "Tokyo", 35.6869f, 139.767f))]);

        using var geo = new GeoLocator(new GeoIpOptions { CityDatabasePath = v4, CityIPv6DatabasePath = v6 });

        Assert.Equal(
            new GeoLocation { CountryCode = "GB", Region = "England", City = "Exampleton", Latitude = 51.5143, Longitude = -0.0912244 },
            geo.Locate(IPAddress.Parse("198.51.100.77")));
        Assert.Equal(
            new GeoLocation { CountryCode = "NL", Latitude = 52.37, Longitude = 4.89 },
            geo.Locate(IPAddress.Parse("203.0.113.100")));
        Assert.Null(geo.Locate(IPAddress.Parse("203.0.113.200")));
        Assert.Equal(
            new GeoLocation { CountryCode = "JP", Region = "Tokyo", City = "Sampleshi", Latitude = 35.6869, Longitude = 139.767 },
            geo.Locate(IPAddress.Parse("2001:db8:100::5")));
        Assert.Null(geo.Locate(IPAddress.Parse("2001:db8:200::5")));
    }

    [Fact]
    public void GeoLocator_IPv6AddressAndIPv4OnlyDatabase_NoLookup()
    {
        // A MaxMind DB reader answers an IPv6 lookup in an IPv4 tree with unrelated data; the locator must not ask.
        var v4 = Path.Combine(_temp, "v4-only.mmdb");
        MmdbWriter.Write(v4, 4, "city ipv4", [("0.0.0.0/1", FlatCity("Anywhere", "US", "", 1f, 2f)), ("128.0.0.0/1", FlatCity("Anywhere", "US", "", 1f, 2f))]);

        using var geo = new GeoLocator(new GeoIpOptions { CityDatabasePath = v4 });

        Assert.Equal("Anywhere", geo.Locate(IPAddress.Parse("198.51.100.1"))?.City);
        Assert.Null(geo.Locate(IPAddress.Parse("2001:db8::1")));
    }

    [Fact]
    public void GeoLocator_IPv4NetworksInIPv6Database_Found()
    {
        var path = Path.Combine(_temp, "mixed.mmdb");
        MmdbWriter.Write(path, 6, "city", [("198.51.100.0/24", FlatCity("Mixton", "FR", "", 48.85f, 2.35f))]);

        using var geo = new GeoLocator(new GeoIpOptions { CityDatabasePath = path });

        Assert.Equal("Mixton", geo.Locate(IPAddress.Parse("198.51.100.1"))?.City);
    }

    [SharedFact("geoip", "GeoLite2-City-Test.mmdb")]
    public void GeoLocator_ConcurrentLookups_SameAnswers()
    {
        using var geo = new GeoLocator(new GeoIpOptions { CityDatabasePath = GeoIp("GeoLite2-City-Test.mmdb") });
        var addresses = new[] { "81.2.69.142", "89.160.20.112", "216.160.83.56", "2001:218::1", "203.0.113.1" }.Select(IPAddress.Parse).ToArray();
        var expected = addresses.Select(a => geo.Locate(a)?.CountryCode).ToArray();

        var mismatches = 0;
        Parallel.For(0, 2000, i =>
        {
            if (geo.Locate(addresses[i % addresses.Length])?.CountryCode != expected[i % addresses.Length])
            {
                Interlocked.Increment(ref mismatches);
            }
        });

        Assert.Equal(new string?[] { "GB", "SE", "US", "JP", null }, expected);
        Assert.Equal(0, mismatches);
    }

    [SharedFact("geoip", "GeoLite2-City-Test.mmdb")]
    public void SignIn_WithGeoLocator_LocationFromClientAddress()
    {
        using var geo = new GeoLocator(new GeoIpOptions { CityDatabasePath = GeoIp("GeoLite2-City-Test.mmdb") });
        var normalizer = new AuditRecordNormalizer(geo);

        var london = NormalizerHarness.Ingress(ClientAddressParserTests.SignInWithClientIp("81.2.69.142:50000"), normalizer);
        var federated = NormalizerHarness.Ingress(
            ClientAddressParserTests.SignInWithClientIp("81.2.69.142"), normalizer, NormalizerHarness.Context("example.com"));
        var none = NormalizerHarness.Ingress(ClientAddressParserTests.SignInWithClientIp("203.0.113.9"), normalizer);

        Assert.Equal("London", london.Location?.City);
        Assert.True(london.LocationReliable);
        Assert.Equal("London", federated.Location?.City);
        Assert.False(federated.LocationReliable);
        Assert.Null(none.Location);
    }

    private static Dictionary<string, object> FlatCity(string city, string countryCode, string state1, float latitude, float longitude) => new()
    {
        ["city"] = city,
        ["country_code"] = countryCode,
        ["latitude"] = latitude,
        ["longitude"] = longitude,
        ["postcode"] = "",
        ["state1"] = state1,
        ["state2"] = "",
        ["timezone"] = "",
    };
}
