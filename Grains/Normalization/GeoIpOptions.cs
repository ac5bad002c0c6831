using Microsoft.Extensions.Options;

namespace O365Activity.Grains.Normalization;

/// <summary>
/// Where the GeoIP databases are: configuration section <c>GeoIp</c>. Every path is optional; with none set, sign-ins
/// get no location and nothing fails. Paths are MaxMind DB (<c>.mmdb</c>) files; a relative path is taken from the
/// process's current directory.
/// </summary>
/// <remarks>
/// City databases may be in the GeoIP2/GeoLite2 City layout (nested <c>country.iso_code</c>, <c>city.names.en</c>,
/// <c>subdivisions[0].names.en</c>, <c>location.latitude</c>) or the flat DB-IP layout (<c>country_code</c>, <c>city</c>,
/// <c>state1</c>, <c>latitude</c>, <c>longitude</c>); see <see cref="GeoLocator"/>. DB-IP Lite ships IPv4 and IPv6 in two
/// files: set <see cref="CityDatabasePath"/> to the IPv4 one and <see cref="CityIPv6DatabasePath"/> to the IPv6 one.
/// </remarks>
public sealed class GeoIpOptions
{
    /// <summary>The configuration section name: <c>GeoIp</c>.</summary>
    public const string SectionName = "GeoIp";

    /// <summary>The city database (setting <c>GeoIp:CityDatabasePath</c>); null or empty for none.</summary>
    public string? CityDatabasePath { get; set; }

    /// <summary>
    /// A second city database consulted after <see cref="CityDatabasePath"/> when that one has no answer (setting
    /// <c>GeoIp:CityIPv6DatabasePath</c>), for sources that keep IPv6 networks in a separate file; null or empty for none.
    /// </summary>
    public string? CityIPv6DatabasePath { get; set; }

    /// <summary>The autonomous-system database (setting <c>GeoIp:AsnDatabasePath</c>; GeoLite2-ASN layout <c>autonomous_system_number</c>, <c>autonomous_system_organization</c>); null or empty for none.</summary>
    public string? AsnDatabasePath { get; set; }

    /// <summary>The configured databases as (setting name, path) pairs, in lookup order, leaving out those not set.</summary>
    internal IEnumerable<(string Setting, string Path)> Configured()
    {
        if (!string.IsNullOrWhiteSpace(CityDatabasePath))
        {
            yield return ($"{SectionName}:{nameof(CityDatabasePath)}", CityDatabasePath);
        }

        if (!string.IsNullOrWhiteSpace(CityIPv6DatabasePath))
        {
            yield return ($"{SectionName}:{nameof(CityIPv6DatabasePath)}", CityIPv6DatabasePath);
        }

        if (!string.IsNullOrWhiteSpace(AsnDatabasePath))
        {
            yield return ($"{SectionName}:{nameof(AsnDatabasePath)}", AsnDatabasePath);
        }
    }
}

/// <summary>
/// Validates <see cref="GeoIpOptions"/> at start-up (registered with <c>ValidateOnStart</c>): every configured file must
/// exist and be a readable MaxMind DB. A failure names the setting and the file, for example
/// <c>GeoIp:CityDatabasePath: '/data/city.mmdb' is not a usable MaxMind DB file: …</c>.
/// </summary>
public sealed class GeoIpOptionsValidator : IValidateOptions<GeoIpOptions>
{
    /// <summary>Opens and probes each configured database, then closes it again.</summary>
    /// <param name="name">The options instance name (unused: there is one).</param>
    /// <param name="options">The options to check.</param>
    /// <returns>Success, or a failure listing each bad setting with its file.</returns>
    public ValidateOptionsResult Validate(string? name, GeoIpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (var (setting, path) in options.Configured())
        {
            try
            {
                GeoDatabase.Open(setting, path).Dispose();
            }
            catch (GeoIpDatabaseException e)
            {
                failures.Add(e.Message);
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
