using Microsoft.Extensions.Configuration;
using O365Activity.Contracts;
using O365Activity.Grains;
using O365Activity.Grains.Normalization;

namespace O365Activity.Silo;

/// <summary>What a silo of this service is made of; the silo host and the test clusters both use it.</summary>
public static class SiloComposition
{
    /// <summary>The Orleans service id: fixed across deployments, because stored state and reminders are keyed by it.</summary>
    public const string ServiceId = "o365activity";

    /// <summary>
    /// Adds the grain storages, the activity stream provider, the reminder service and the collection services.
    /// Storage is in memory for now (state is lost when the cluster stops).
    /// </summary>
    /// <param name="silo">The silo being built.</param>
    /// <param name="configuration">The configuration (sections <c>Collector</c> and <c>GeoIp</c>).</param>
    public static ISiloBuilder AddActivityCollector(this ISiloBuilder silo, IConfiguration configuration)
    {
        silo.AddMemoryGrainStorage(StorageNames.Tenants);
        silo.AddMemoryGrainStorage(StorageNames.Registry);
        silo.AddMemoryGrainStorage(ActivityStreams.PubSubStore);
        silo.AddMemoryStreams(ActivityStreams.ProviderName);
        silo.UseInMemoryReminderService();
        silo.Services.AddCollector(configuration);
        silo.Services.AddAuditNormalization(configuration);
        return silo;
    }
}
