using System.Collections;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MaxMind.Db;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using O365Activity.Contracts.Activity;

namespace O365Activity.Grains.Normalization;

/// <summary>
/// Locates IP addresses in local MaxMind DB files (configured by <see cref="GeoIpOptions"/>). Loaded once, read-only,
/// thread-safe; with no database configured every answer is null.
/// </summary>
/// <remarks>
/// <para>City records are read in either layout, detected per record: when the record's <c>country</c> (or
/// <c>registered_country</c>) is a map, the GeoIP2/GeoLite2 City layout (<c>country.iso_code</c>,
/// <c>country.names.en</c>, <c>city.names.en</c>, <c>subdivisions[0].names.en</c>, <c>location.latitude</c>,
/// <c>location.longitude</c>); otherwise the flat DB-IP layout (<c>country_code</c>, <c>country_name</c> if present,
/// <c>city</c>, <c>state1</c>, <c>latitude</c>, <c>longitude</c>). Empty strings count as absent.</para>
/// <para>An IPv6 address is never looked up in an IPv4-only database (MaxMind DB readers answer such lookups with
/// unrelated IPv4 data). An IPv4 address is looked up in IPv6 databases too (their IPv4 subtree).</para>
/// <para>A database that fails while answering one lookup (corrupt data) gives no answer for that address and a
/// warning; the normalization goes on.</para>
/// </remarks>
public sealed partial class GeoLocator : IDisposable
{
    private readonly ImmutableArray<GeoDatabase> _cities;
    private readonly GeoDatabase? _asn;
    private readonly ILogger _logger;

    /// <summary>Opens the configured databases (for dependency injection).</summary>
    /// <param name="options">The <c>GeoIp</c> settings.</param>
    /// <param name="logger">For load and lookup-failure logs.</param>
    /// <exception cref="GeoIpDatabaseException">When a configured file is missing or not a usable MaxMind DB; the message names the setting and the file.</exception>
    public GeoLocator(IOptions<GeoIpOptions> options, ILogger<GeoLocator> logger)
        : this(options?.Value ?? throw new ArgumentNullException(nameof(options)), logger)
    {
    }

    /// <summary>Opens the configured databases.</summary>
    /// <param name="options">The <c>GeoIp</c> settings.</param>
    /// <param name="logger">For load and lookup-failure logs; null for none.</param>
    /// <exception cref="GeoIpDatabaseException">When a configured file is missing or not a usable MaxMind DB; the message names the setting and the file.</exception>
    public GeoLocator(GeoIpOptions options, ILogger<GeoLocator>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger ?? NullLogger<GeoLocator>.Instance;
        var cities = ImmutableArray.CreateBuilder<GeoDatabase>();
        try
        {
            foreach (var (setting, path) in options.Configured())
            {
                var database = GeoDatabase.Open(setting, path);
                LogDatabaseLoaded(_logger, setting, database.Path, database.Reader.Metadata.DatabaseType, database.Reader.Metadata.IPVersion);
                if (setting.EndsWith(nameof(GeoIpOptions.AsnDatabasePath), StringComparison.Ordinal))
                {
                    _asn = database;
                }
                else
                {
                    cities.Add(database);
                }
            }
        }
        catch
        {
            foreach (var opened in cities)
            {
                opened.Dispose();
            }

            _asn?.Dispose();
            throw;
        }

        _cities = cities.ToImmutable();
    }

    /// <summary>Whether any database is configured.</summary>
    public bool IsEnabled => !_cities.IsEmpty || _asn is not null;

    /// <summary>Locates an address.</summary>
    /// <param name="address">An IPv4 or IPv6 address.</param>
    /// <returns>What the databases know (country, region, city, coordinates, autonomous system); null when they know nothing or none is configured.</returns>
    public GeoLocation? Locate(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!IsEnabled)
        {
            return null;
        }

        GeoLocation? location = null;
        foreach (var city in _cities)
        {
            if (Find(city, address) is { } record)
            {
                location = ReadCity(record);
                if (location is not null)
                {
                    break;
                }
            }
        }

        if (_asn is not null && Find(_asn, address) is { } asn)
        {
            var number = Number(Value(asn, "autonomous_system_number"));
            var organization = Text(Value(asn, "autonomous_system_organization"));
            if (number is not null || organization is not null)
            {
                location = (location ?? new GeoLocation()) with
                {
                    Asn = number is null ? null : (long)number.Value,
                    AsOrganization = organization,
                };
            }
        }

        return location;
    }

    /// <summary>Closes the database files.</summary>
    public void Dispose()
    {
        foreach (var city in _cities)
        {
            city.Dispose();
        }

        _asn?.Dispose();
    }

    private Dictionary<string, object>? Find(GeoDatabase database, IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && database.Reader.Metadata.IPVersion == 4)
        {
            return null;
        }

        try
        {
            return database.Reader.Find<Dictionary<string, object>>(address);
        }
        catch (InvalidDatabaseException e)
        {
            LogLookupFailed(_logger, e, address.ToString(), database.Path);
            return null;
        }
    }

    private static GeoLocation? ReadCity(Dictionary<string, object> record)
    {
        string? countryCode, countryName, region, city;
        double? latitude, longitude;
        var country = Value(record, "country") as IDictionary ?? Value(record, "registered_country") as IDictionary;
        if (country is not null)
        {
            countryCode = Text(Value(country, "iso_code"));
            countryName = EnglishName(country);
            city = EnglishName(Value(record, "city") as IDictionary);
            region = EnglishName(Value(record, "subdivisions") is IList { Count: > 0 } subdivisions ? subdivisions[0] as IDictionary : null);
            var where = Value(record, "location") as IDictionary;
            latitude = Number(Value(where, "latitude"));
            longitude = Number(Value(where, "longitude"));
        }
        else
        {
            countryCode = Text(Value(record, "country_code"));
            countryName = Text(Value(record, "country_name"));
            city = Text(Value(record, "city"));
            region = Text(Value(record, "state1"));
            latitude = Number(Value(record, "latitude"));
            longitude = Number(Value(record, "longitude"));
        }

        if (countryCode is null && countryName is null && region is null && city is null && latitude is null && longitude is null)
        {
            return null;
        }

        return new GeoLocation
        {
            CountryCode = countryCode,
            CountryName = countryName,
            Region = region,
            City = city,
            Latitude = latitude,
            Longitude = longitude,
        };
    }

    private static object? Value(IDictionary? map, string key) => map is not null && map.Contains(key) ? map[key] : null;

    private static string? EnglishName(IDictionary? map) => Text(Value(Value(map, "names") as IDictionary, "en"));

    private static string? Text(object? value) => value is string { Length: > 0 } s ? s : null;

    private static double? Number(object? value) => value switch
    {
        double d => d,

        // Single-precision coordinates (DB-IP) are read at their own precision: 51.5143f gives 51.5143, not 51.514301300048828.
        float f => (double)(decimal)f,
        int i => i,
        long l => l,
        uint u => u,
        ulong ul => ul,
        ushort us => us,
        decimal m => (double)m,
        System.Numerics.BigInteger b => (double)b,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "GeoIP database {Setting} loaded from {Path} ({DatabaseType}, IPv{IpVersion}).")]
    private static partial void LogDatabaseLoaded(ILogger logger, string setting, string path, string databaseType, int ipVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GeoIP lookup of {Address} failed in {Path}: the database holds bad data for it; no location.")]
    private static partial void LogLookupFailed(ILogger logger, Exception exception, string address, string path);
}

/// <summary>A configured GeoIP database file could not be used; the message names the setting and the file.</summary>
/// <param name="message">What is wrong, starting with the setting's name.</param>
/// <param name="inner">The reader's error, when there is one.</param>
public sealed class GeoIpDatabaseException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>One opened MaxMind DB file and the setting that named it.</summary>
internal sealed class GeoDatabase : IDisposable
{
    /// <summary>How many records of a new database are decoded at start-up to find corrupt data early.</summary>
    private const int ProbeRecords = 64;

    private GeoDatabase(string setting, string path, Reader reader)
    {
        Setting = setting;
        Path = path;
        Reader = reader;
    }

    public string Setting { get; }

    public string Path { get; }

    public Reader Reader { get; }

    /// <summary>
    /// Opens a database and decodes its first records, so that a missing, truncated or corrupt file fails here, at
    /// start-up, rather than on some later lookup.
    /// </summary>
    /// <exception cref="GeoIpDatabaseException">The file is missing or unusable; the message names <paramref name="setting"/> and the file.</exception>
    public static GeoDatabase Open(string setting, string path)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new GeoIpDatabaseException($"{setting}: the GeoIP database file '{fullPath}' does not exist.");
        }

        Reader? reader = null;
        try
        {
            reader = new Reader(fullPath, FileAccessMode.MemoryMapped);
            var probed = 0;
            foreach (var _ in reader.FindAll<Dictionary<string, object>>())
            {
                if (++probed >= ProbeRecords)
                {
                    break;
                }
            }

            return new GeoDatabase(setting, fullPath, reader);
        }
        catch (Exception e) when (e is InvalidDatabaseException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            reader?.Dispose();
            throw new GeoIpDatabaseException($"{setting}: '{fullPath}' is not a usable MaxMind DB file: {e.Message}", e);
        }
    }

    public void Dispose() => Reader.Dispose();
}
