using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using O365Activity.Gateway.Services;
using Proto = O365Activity.Protos.V1;

namespace O365Activity.Gateway.Operability;

/// <summary>The tags that sort the gateway's health checks into liveness, readiness and the operators' summary.</summary>
public static class HealthTags
{
    /// <summary>The process is up: what <c>grpc.health.v1</c> answers for the services <c>""</c> and <c>liveness</c>.</summary>
    public const string Live = "live";

    /// <summary>The gateway can serve: what it answers for the service <c>readiness</c>, and what <c>/api/health</c> details.</summary>
    public const string Ready = "ready";

    /// <summary>
    /// The per-tenant summary (<see cref="EventSourcesHealthCheck"/>): only <c>/api/health</c> runs it, on request. It
    /// never changes a gRPC answer (it is at worst Degraded, which is SERVING), and it asks every tenant's grain: run with
    /// the gRPC health checks or by the periodic health-check publisher (every 30 s), it cost an idle silo of 10,000
    /// tenants more CPU than their polls (tests/Benchmarks, idle scenario).
    /// </summary>
    public const string Summary = "summary";

    /// <summary>How long a readiness check waits for the cluster or the database before it says they are unreachable: 3 seconds.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);
}

/// <summary>
/// Readiness: the cluster is reachable, its silos answer. Asks the management grain for the active silos, within
/// <see cref="HealthTags.Timeout"/>. Unhealthy when the Orleans client is not connected yet, when no silo answers in
/// time, or when none is active; data <c>silos</c>: the active silos' addresses.
/// </summary>
public sealed class ClusterHealthCheck(IClusterClient cluster, ClusterReadiness readiness) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!readiness.IsReady)
        {
            return HealthCheckResult.Unhealthy("The Orleans client is still connecting to the cluster.");
        }

        try
        {
            var hosts = await cluster.GetGrain<IManagementGrain>(0).GetHosts(true, cancellationToken).WaitAsync(HealthTags.Timeout, cancellationToken);
            var silos = hosts.Keys.Select(s => s.ToParsableString()).Order(StringComparer.Ordinal).ToArray();
            return silos.Length == 0
                ? HealthCheckResult.Unhealthy("No silo is active.")
                : HealthCheckResult.Healthy($"{silos.Length} silo(s) active.", new Dictionary<string, object> { ["silos"] = silos });
        }
        catch (TimeoutException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The cluster did not answer within {HealthTags.Timeout.TotalSeconds:0} s.");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // An answer that is an error: the silo could not do it, or could not be reached (a database failure here is
            // the cluster's membership table, which lives in PostgreSQL).
            return HealthCheckResult.Unhealthy(ExceptionChain.Any(e, x => x is System.Data.Common.DbException)
                ? $"The cluster answered that it cannot reach its database (its membership table): {e.GetType().Name}: {e.Message}"
                : $"The cluster could not be asked: {e.GetType().Name}: {e.Message}");
        }
    }
}

/// <summary>
/// Readiness: the database answers (<c>SELECT 1</c> on the event store's data source, within
/// <see cref="HealthTags.Timeout"/>). Healthy without one (<c>Cluster:Mode=Local</c>: the event store is in memory).
/// </summary>
public sealed class DatabaseHealthCheck(IServiceProvider services) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (services.GetService<NpgsqlDataSource>() is not { } dataSource)
        {
            return HealthCheckResult.Healthy("The event store is in memory (Cluster:Mode Local).");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HealthTags.Timeout);
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            command.CommandTimeout = (int)HealthTags.Timeout.TotalSeconds;
            await command.ExecuteScalarAsync(timeout.Token);
            return HealthCheckResult.Healthy("The database answers.");
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException or System.Net.Sockets.SocketException && !cancellationToken.IsCancellationRequested)
        {
            var why = e is OperationCanceledException ? $"no answer within {HealthTags.Timeout.TotalSeconds:0} s" : e.Message;
            return HealthCheckResult.Unhealthy($"The database does not answer: {why}");
        }
    }
}

/// <summary>
/// The operators' per-tenant summary of the event sources that need attention, from the tenant grains (as
/// <c>ListEventSources</c>). Degraded, not unhealthy, when any source is <c>FAILED</c> or <c>DEGRADED</c> (the gateway
/// still serves every other tenant), or when the list cannot be read; data <c>failed</c> and <c>degraded</c>: the
/// sources, each a <see cref="SourceProblem"/>. The gRPC health answer carries none of it (only a status);
/// <c>/api/health</c> on the status endpoint shows it to operators. The list is read at most once every
/// <see cref="CacheTime"/>, so that probes cost the cluster little however many tenants there are.
/// </summary>
public sealed class EventSourcesHealthCheck(EventSourceStatuses statuses) : IHealthCheck
{
    /// <summary>How long a summary is reused: 5 seconds.</summary>
    public static readonly TimeSpan CacheTime = TimeSpan.FromSeconds(5);

    private (DateTimeOffset At, HealthCheckResult Result)? _last;
    private int _runs;

    /// <summary>How many times the check was asked for (cached answers included): for the tests of who runs it.</summary>
    internal int Runs => Volatile.Read(ref _runs);

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _runs);
        if (_last is { } last && TimeProvider.System.GetUtcNow() - last.At < CacheTime)
        {
            return last.Result;
        }

        HealthCheckResult result;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(HealthTags.Timeout * 3);
            var list = await statuses.ListAsync(timeout.Token);
            var failed = Problems(list, Proto.ConnectionState.Failed);
            var degraded = Problems(list, Proto.ConnectionState.Degraded);
            var data = new Dictionary<string, object> { ["sources"] = list.EventSources.Count, ["failed"] = failed, ["degraded"] = degraded };
            result = failed.Length + degraded.Length == 0
                ? HealthCheckResult.Healthy($"{list.EventSources.Count} event source(s), none failed or degraded.", data)
                : HealthCheckResult.Degraded($"{list.EventSources.Count} event source(s): {failed.Length} failed, {degraded.Length} degraded.", data: data);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            result = HealthCheckResult.Degraded($"The event sources could not be read: {e.GetType().Name}: {e.Message}");
        }

        _last = (TimeProvider.System.GetUtcNow(), result);
        return result;
    }

    private static SourceProblem[] Problems(Proto.ListEventSourcesResponse list, Proto.ConnectionState state) =>
        [.. list.EventSources.Where(s => s.State == state).Select(s => new SourceProblem(s.TenantId, s.DisplayName, s.StatusReason))];
}

/// <summary>An event source that needs attention, as <c>/api/health</c> lists it.</summary>
/// <param name="TenantId">The tenant id.</param>
/// <param name="DisplayName">The source's display name.</param>
/// <param name="Reason">Its status reason (what failed, what to do).</param>
public sealed record SourceProblem(string TenantId, string DisplayName, string Reason);
