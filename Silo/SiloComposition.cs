using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using O365Activity.Grains;
using O365Activity.Grains.Normalization;
using O365Activity.Hosting;
using O365Activity.Silo.Services;

namespace O365Activity.Silo;

/// <summary>What a silo of this service is made of, besides its clustering; the silo host and the test clusters both use it.</summary>
public static class SiloComposition
{
    /// <summary>
    /// Adds the cluster's storage, reminders, streams and event store (<see cref="ClusterComposition.AddActivityStorage"/>),
    /// the collection services, the tenant recovery service (failover) and the retention job.
    /// </summary>
    /// <param name="silo">The silo being built.</param>
    /// <param name="configuration">The configuration (sections <c>Cluster</c>, <c>Storage</c>, <c>Collector</c> and <c>GeoIp</c>).</param>
    public static ISiloBuilder AddActivityCollector(this ISiloBuilder silo, IConfiguration configuration)
    {
        silo.AddActivityStorage(configuration);
        silo.Services.AddCollector(configuration);
        silo.Services.AddAuditNormalization(configuration);
        silo.Services.AddHostedService<TenantRecoveryService>();
        silo.Services.AddHostedService<RetentionService>();
        silo.AddActivityTelemetry(configuration);
        return silo;
    }
}
