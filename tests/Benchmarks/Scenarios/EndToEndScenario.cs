using System.Diagnostics;
using O365Activity.Emulator;

namespace O365Activity.Benchmarks.Scenarios;

/// <summary>
/// End to end on one silo: a tenant's backlog in the emulator, collected by a silo process into PostgreSQL and
/// delivered through a gateway process to a gRPC subscriber reading the raw stream from sequence 0. Records/s from
/// the consent to the last event at the subscriber; the silo's peak resident memory and CPU time over the run. With
/// <c>warmUp</c>, a first tenant with the same backlog is collected and read before the measured one, so that the
/// figures are the steady state and not the just-in-time compiler's first minutes (in a short run it took a quarter of
/// the silo's CPU).
/// </summary>
public static class EndToEndScenario
{
    private static readonly string[] ContentTypes = ["Audit.AzureActiveDirectory", "Audit.SharePoint", "Audit.Exchange"];

    /// <summary>Runs the scenario with a backlog of <paramref name="records"/>.</summary>
    public static async Task<IReadOnlyList<Row>> RunAsync(int records, bool reportThroughput, bool warmUp, TextWriter log)
    {
        await log.WriteLineAsync($"end-to-end: {records:N0} records...");
        await using var run = await ClusterRun.StartAsync($"e2e-{records}", new EmulatorOptions
        {
            Backlog = new BacklogOptions(records) { Window = TimeSpan.FromHours(12) },
            BlobSize = 1_000,
            GeneratorSeed = 2,
        }, TimeSpan.FromMilliseconds(500));
        var silo = await run.Cluster.StartSiloAsync(ClusterRun.Quiet);
        await run.Cluster.StartGatewayAsync(ClusterRun.Quiet);
        if (warmUp)
        {
            var first = Guid.NewGuid();
            var warming = Stopwatch.StartNew();
            await run.ConnectAsync(first, unfiltered: true, ContentTypes);
            await run.ReadAsync(first, records, _ => { }, TimeSpan.FromMinutes(30));
            await log.WriteLineAsync($"end-to-end: warm-up tenant of {records:N0} records in {warming.Elapsed.TotalSeconds:F1} s");
        }

        var tenant = Guid.NewGuid();
        var gateway = run.Cluster.Gateways[^1];
        var cpuBefore = Machine.CpuSeconds(silo.Id);
        var gatewayBefore = Machine.CpuSeconds(gateway.Id);
        var postgresBefore = Machine.CpuSecondsOf("postgres");
        var selfBefore = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        var clock = Stopwatch.StartNew();
        await run.ConnectAsync(tenant, unfiltered: true, ContentTypes);
        long last = 0;
        await run.ReadAsync(tenant, records, r => last = r.Header.Sequence, TimeSpan.FromMinutes(30));
        var elapsed = clock.Elapsed;
        var cpu = Machine.CpuSeconds(silo.Id) - cpuBefore;
        var gatewayCpu = Machine.CpuSeconds(gateway.Id) - gatewayBefore;
        var postgresCpu = Machine.CpuSecondsOf("postgres") - postgresBefore;
        var selfCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - selfBefore;
        var peak = Machine.PeakRss(silo.Id);
        await log.WriteLineAsync($"end-to-end: {records:N0} records in {elapsed.TotalSeconds:F1} s; CPU: silo {cpu:F1} s, PostgreSQL {postgresCpu:F1} s, gateway {gatewayCpu:F1} s, emulator and subscriber {selfCpu:F1} s (of {elapsed.TotalSeconds * Environment.ProcessorCount:F0} core-seconds); silo peak RSS {peak / 1048576.0:F0} MB");
        if (last != records)
        {
            throw new InvalidOperationException($"The last sequence received was {last}, not {records}.");
        }

        var rows = new List<Row>();
        await using (var connection = new Npgsql.NpgsqlConnection(run.Server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var size = new Npgsql.NpgsqlCommand("SELECT pg_total_relation_size('events')::float8 / GREATEST(count(*), 1) FROM events", connection);
            var bytes = (double)(await size.ExecuteScalarAsync())!;
            rows.Add(new Row("end-to-end", "Stored bytes per event (table, TOAST and indexes)", bytes, "B", "", "", null));
            await using var columns = new Npgsql.NpgsqlCommand(
                """
                SELECT avg(pg_column_size(raw_json)), avg(octet_length(raw_json)), avg(pg_column_size(raw)), avg(COALESCE(pg_column_size(activity), 0)),
                       pg_relation_size('events'), pg_total_relation_size((SELECT reltoastrelid FROM pg_class WHERE relname = 'events')), pg_indexes_size('events')
                FROM events
                """, connection);
            await using var reader = await columns.ExecuteReaderAsync();
            await reader.ReadAsync();
            await log.WriteLineAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"end-to-end: per event, raw_json {reader.GetDecimal(0):F0} B stored ({reader.GetDecimal(1):F0} B of text), raw {reader.GetDecimal(2):F0} B, activity {reader.GetDecimal(3):F0} B; table {reader.GetInt64(4) / 1048576.0:F0} MB, TOAST {reader.GetInt64(5) / 1048576.0:F0} MB, indexes {reader.GetInt64(6) / 1048576.0:F0} MB"));
        }

        if (reportThroughput)
        {
            var rate = records / elapsed.TotalSeconds;
            rows.Add(new Row("end-to-end", $"Emulator → silo → PostgreSQL → gateway → subscriber, one silo ({records:N0} records)", rate, "records/s",
                "the walking skeleton's 4,200 records/s (the issue's figure, not re-measured)", "≥ 20,000", rate >= 20_000));
            rows.Add(new Row("end-to-end", $"CPU per record: silo ({records:N0} records)", cpu / records * 1e6, "µs", "", "", null));
            rows.Add(new Row("end-to-end", "CPU per record: PostgreSQL", postgresCpu / records * 1e6, "µs", "", "", null));
            rows.Add(new Row("end-to-end", "CPU per record: gateway", gatewayCpu / records * 1e6, "µs", "", "", null));
            rows.Add(new Row("end-to-end", "CPU per record: emulator and subscriber (benchmark process)", selfCpu / records * 1e6, "µs", "", "", null));
        }

        rows.Add(new Row("end-to-end", $"Silo peak RSS during a {records:N0}-record backlog", peak / 1048576.0, "MB",
            "the walking skeleton's 1.06 GB for 200k (the issue's figure)", "< 400 MB", peak < 400L * 1024 * 1024));
        return rows;
    }
}
