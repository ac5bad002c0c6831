using Npgsql;
using O365Activity.Emulator;

namespace O365Activity.Benchmarks.Scenarios;

/// <summary>
/// Failover: two silo processes, tenants with a steady trickle of content, then <c>kill -9</c> of the silo hosting
/// most of them. The figure is the time from the kill until every one of its tenants has listed content again (from
/// the emulator's request log).
/// </summary>
public static class FailoverScenario
{
    /// <summary>Runs the scenario with <paramref name="tenants"/> tenants.</summary>
    public static async Task<IReadOnlyList<Row>> RunAsync(int tenants, TextWriter log)
    {
        await log.WriteLineAsync($"failover: 2 silos, {tenants} tenants...");
        await using var run = await ClusterRun.StartAsync("failover", new EmulatorOptions
        {
            GenerateRate = 20,
            GenerateEvery = TimeSpan.FromSeconds(1),
            GeneratorSeed = 4,
        }, TimeSpan.FromSeconds(5));
        await run.Cluster.StartSiloAsync(ClusterRun.Quiet);
        await run.Cluster.StartSiloAsync(ClusterRun.Quiet);
        await run.Cluster.StartGatewayAsync(ClusterRun.Quiet);
        var ids = Enumerable.Range(0, tenants).Select(_ => Guid.NewGuid()).ToList();
        foreach (var tenant in ids)
        {
            await run.ConnectAsync(tenant, unfiltered: false, "Audit.AzureActiveDirectory");
        }

        await Task.Delay(TimeSpan.FromSeconds(10));
        var hosts = new Dictionary<Guid, string>();
        await using (var connection = new NpgsqlConnection(run.Server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT tenant_id, host_silo FROM event_sources", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                hosts[reader.GetGuid(0)] = reader.GetString(1);
            }
        }

        var victimAddress = hosts.Values.GroupBy(h => h).OrderByDescending(g => g.Count()).First().Key;
        var victim = run.Cluster.Silos.Single(s => victimAddress.StartsWith($"127.0.0.1:{s.SiloPort}@", StringComparison.Ordinal));
        var moved = hosts.Where(h => h.Value == victimAddress).Select(h => h.Key).ToList();
        victim.Kill();
        var killed = DateTimeOffset.UtcNow;
        foreach (var tenant in moved)
        {
            await run.Cluster.Emulator.State.WaitForRequestAsync(r => r.TenantId == tenant && r.Kind == RequestKind.ListContent && r.Time > killed, includeLogged: true)
                .WaitAsync(TimeSpan.FromMinutes(5));
        }

        var seconds = (DateTimeOffset.UtcNow - killed).TotalSeconds;
        await log.WriteLineAsync($"failover: {moved.Count} tenants of the killed silo collecting again after {seconds:F1} s");
        return [new Row("failover", $"kill -9 of a silo → its {moved.Count} tenants collecting again on the survivor", seconds, "s", "", "< 60 s", seconds < 60)];
    }
}
