using Npgsql;
using O365Activity.Emulator;

namespace O365Activity.Benchmarks.Scenarios;

/// <summary>
/// Live delivery latency at a steady 2,000 records/s: the emulator publishes a fresh blob every 100 ms, the silo
/// polls every 100 ms, and a subscriber on the raw stream notes when each event arrives. Latency is arrival minus the
/// commit time of the event's transaction (PostgreSQL's <c>pg_xact_commit_timestamp</c>, with
/// <c>track_commit_timestamp</c> on), both on this machine's clock; the first 2 seconds are warm-up.
/// </summary>
public static class LatencyScenario
{
    /// <summary>Runs the scenario for <paramref name="duration"/>.</summary>
    public static async Task<IReadOnlyList<Row>> RunAsync(TimeSpan duration, TextWriter log)
    {
        await log.WriteLineAsync($"latency: 2,000 records/s for {duration.TotalSeconds:F0} s...");
        await using var run = await ClusterRun.StartAsync("latency", new EmulatorOptions
        {
            GenerateRate = 2_000,
            GenerateEvery = TimeSpan.FromMilliseconds(100),
            BlobSize = 1_000,
            GeneratorSeed = 3,
        }, TimeSpan.FromMilliseconds(100));
        // Polling three content types ten times a second is some 40 requests a second, above the API's documented
        // budget (2,000 a minute, which the silo keeps to by default): this emulator sets no budget, and neither does
        // the silo here, so that the figure is the delivery path's and not the budget's.
        await run.Cluster.StartSiloAsync(new Dictionary<string, string>(ClusterRun.Quiet) { ["Collector__RequestsPerMinute"] = "0" });
        await run.Cluster.StartGatewayAsync(ClusterRun.Quiet);
        var tenant = Guid.NewGuid();
        var arrivals = new List<(long Sequence, DateTime At)>();
        await run.ConnectAsync(tenant, unfiltered: true, "Audit.AzureActiveDirectory", "Audit.SharePoint", "Audit.Exchange");
        var reading = Task.Run(async () =>
        {
            try
            {
                await run.ReadAsync(tenant, long.MaxValue, r =>
                {
                    lock (arrivals)
                    {
                        arrivals.Add((r.Header.Sequence, DateTime.UtcNow));
                    }
                }, duration + TimeSpan.FromMinutes(1));
            }
            catch (Exception e) when (e is OperationCanceledException or Grpc.Core.RpcException)
            {
                // Stopped by the timeout below.
            }
        });
        var started = DateTime.UtcNow;
        await Task.Delay(duration);
        run.Cluster.Emulator.State.GeneratorPaused = true;
        await Task.Delay(TimeSpan.FromSeconds(2));
        List<(long Sequence, DateTime At)> received;
        lock (arrivals)
        {
            received = [.. arrivals];
        }

        var stored = new Dictionary<long, DateTime>();
        await using (var connection = new NpgsqlConnection(run.Server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT sequence, pg_xact_commit_timestamp(xmin) FROM events WHERE tenant_id = $1", connection) { Parameters = { new() { Value = tenant } } };
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                stored[reader.GetInt64(0)] = reader.GetDateTime(1);
            }
        }

        var latencies = received.Where(a => a.At > started.AddSeconds(2) && stored.ContainsKey(a.Sequence))
            .Select(a => (a.At - stored[a.Sequence]).TotalMilliseconds).ToList();
        var rate = received.Count(a => a.At > started.AddSeconds(2)) / (duration.TotalSeconds - 2);
        await log.WriteLineAsync($"latency: {received.Count:N0} events, {rate:N0}/s after warm-up, p50 {Percentiles.Median(latencies):F0} ms, p99 {Percentiles.Of(latencies, 99):F0} ms");
        return
        [
            new Row("latency", "Delivered rate during the measurement", rate, "events/s", "", "≈ 2,000", null),
            new Row("latency", "Store commit → subscriber, p50", Percentiles.Median(latencies), "ms", "", "", null),
            new Row("latency", "Store commit → subscriber, p99", Percentiles.Of(latencies, 99), "ms", "", "< 250 ms", Percentiles.Of(latencies, 99) < 250),
        ];
    }
}
