using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using O365Activity.Contracts;
using O365Activity.Storage;

namespace O365Activity.Silo.Services;

/// <summary>
/// Brings back, without waiting for their keep-alive reminders, the tenants whose grain last activated on a silo that
/// is no longer active: after a silo dies (<c>kill -9</c>) or the whole cluster restarts. Each silo, once it is active
/// and whenever the cluster's membership changes, asks the event store for the sources hosted outside the active
/// silos and wakes their grains (which re-activate, on any silo, and resume from their stored progress). Waking an
/// active grain costs one call, so several silos doing it at once is harmless.
/// </summary>
public sealed partial class TenantRecoveryService(
    IClusterMembershipService membership,
    IGrainFactory grains,
    IEventStore store,
    ILogger<TenantRecoveryService> logger) : BackgroundService
{
    private const int Concurrency = 32;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                var active = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress.ToParsableString()).ToList();
                if (active.Count == 0)
                {
                    continue;
                }

                try
                {
                    var orphans = await store.FindSourcesHostedOutsideAsync(active, stoppingToken);
                    if (orphans.Count == 0)
                    {
                        continue;
                    }

                    LogWaking(logger, orphans.Count, snapshot.Version.Value);
                    await Parallel.ForEachAsync(orphans, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = stoppingToken }, async (tenant, _) =>
                    {
                        try
                        {
                            await grains.GetGrain<ITenantGrain>(tenant).Wake();
                        }
                        catch (Exception e) when (e is not OperationCanceledException)
                        {
                            LogWakeFailed(logger, tenant, e.Message);
                        }
                    });
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The reminders still bring the tenants back; the next membership change tries again.
                    LogRecoveryFailed(logger, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The silo is stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Waking {Count} tenants whose silo is gone (membership version {Version})")]
    private static partial void LogWaking(ILogger logger, int count, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: waking after failover failed: {Error}; its reminder will bring it back")]
    private static partial void LogWakeFailed(ILogger logger, Guid tenantId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant recovery after a membership change failed: {Error}; reminders will bring the tenants back")]
    private static partial void LogRecoveryFailed(ILogger logger, string error);
}
