using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace O365Activity.Grains.Normalization;

/// <summary>Registers the audit-record normalizer and its GeoIP locator.</summary>
public static class NormalizationServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="GeoIpOptions"/> (bound from the configuration section <c>GeoIp</c>, validated at start-up by
    /// <see cref="GeoIpOptionsValidator"/>: a missing or corrupt database file stops the host with an
    /// <see cref="OptionsValidationException"/> naming the setting and the file), <see cref="GeoLocator"/> and
    /// <see cref="AuditRecordNormalizer"/>, both singletons. With no <c>GeoIp</c> paths set, sign-ins get no location.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration root holding the <c>GeoIp</c> section.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddAuditNormalization(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<GeoIpOptions>()
            .Bind(configuration.GetSection(GeoIpOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GeoIpOptions>, GeoIpOptionsValidator>());
        services.TryAddSingleton(sp => new GeoLocator(
            sp.GetRequiredService<IOptions<GeoIpOptions>>().Value,
            sp.GetService<ILogger<GeoLocator>>()));
        services.TryAddSingleton(sp => new AuditRecordNormalizer(
            sp.GetRequiredService<GeoLocator>(),
            sp.GetService<ILogger<AuditRecordNormalizer>>()));
        return services;
    }
}
