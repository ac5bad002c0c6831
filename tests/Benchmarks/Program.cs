using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using O365Activity.Benchmarks.Scenarios;
using O365Activity.Harness;

namespace O365Activity.Benchmarks;

/// <summary>
/// The benchmark: <c>dotnet run -c Release --project tests/Benchmarks [-- --short] [--only NAME...] [--json FILE]</c>.
/// Runs the service as real processes (silos, gateways, a PostgreSQL server of its own, with PostgreSQL's durable
/// defaults) against the emulator, prints a table of figures with what each is compared with and its target, and
/// writes the same as JSON (default <c>.local/benchmarks/results.json</c>). Ratios are measured side by side in one run.
/// <c>--short</c> is the CI mode: small sizes, a few minutes.
/// </summary>
public static class Program
{
    private static readonly string[] Scenarios = ["store-insert", "end-to-end", "backlog-rss", "latency", "fan-out", "peer", "backfill", "failover", "idle", "normalize", "history"];

    /// <summary>Runs the benchmark; exit code 0 when every scenario ran (targets missed are reported, not failed), 1 when one failed.</summary>
    public static async Task<int> Main(string[] args)
    {
        var quick = new Option<bool>("--short") { Description = "Small sizes (CI)." };
        var only = new Option<string[]>("--only") { Description = $"Run only these scenarios: {string.Join(", ", Scenarios)}.", AllowMultipleArgumentsPerToken = true };
        var json = new Option<string?>("--json") { Description = "Where to write the JSON results (default .local/benchmarks/results.json)." };
        var idleTenants = new Option<int?>("--idle-tenants") { Description = "The idle scenario's tenants (default 10,000; 100 short); for quicker comparisons of the poll path." };
        var idleInterval = new Option<int?>("--idle-interval") { Description = "The idle scenario's poll interval in seconds (default 60, the service's default; 5 short)." };
        var root = new RootCommand("Benchmarks of the Office 365 activity service.") { quick, only, json, idleTenants, idleInterval };
        root.SetAction(async (parse, _) => await RunAsync(parse.GetValue(quick), parse.GetValue(only) ?? [], parse.GetValue(json), (parse.GetValue(idleTenants), parse.GetValue(idleInterval))));
        return await root.Parse(args).InvokeAsync();
    }

    private static async Task<int> RunAsync(bool quick, string[] only, string? jsonPath, (int? Tenants, int? Interval) idle)
    {
        var unknown = only.Except(Scenarios).ToList();
        if (unknown.Count > 0)
        {
            await Console.Error.WriteLineAsync($"Unknown scenario(s): {string.Join(", ", unknown)}; known: {string.Join(", ", Scenarios)}.");
            return 2;
        }

        var selected = only.Length > 0 ? only.ToHashSet() : Scenarios.ToHashSet();
        var log = Console.Out;
        var rows = new List<Row>();
        var failures = new List<string>();
        var started = DateTimeOffset.UtcNow;
        await log.WriteLineAsync($"Benchmark ({(quick ? "short" : "full")} mode, {RepoPaths.Configuration} build) on {Machine.Describe()}, {started:yyyy-MM-dd HH:mm} UTC");
        if (RepoPaths.Configuration != "Release")
        {
            await log.WriteLineAsync("A Debug build: the figures show that every scenario runs, not what the service can do (run it with -c Release for those).");
        }
        async Task Run(string name, Func<Task<IReadOnlyList<Row>>> scenario)
        {
            if (!selected.Contains(name))
            {
                return;
            }

            try
            {
                rows.AddRange(await scenario());
            }
            catch (Exception e)
            {
                failures.Add($"{name}: {e.GetType().Name}: {e.Message}");
                await Console.Error.WriteLineAsync($"{name} failed: {e}");
            }
        }

        await Run("store-insert", () => StoreInsertScenario.RunAsync(quick, log));
        await Run("end-to-end", () => EndToEndScenario.RunAsync(quick ? 10_000 : 200_000, reportThroughput: true, warmUp: true, log));
        await Run("backlog-rss", () => EndToEndScenario.RunAsync(quick ? 50_000 : 1_000_000, reportThroughput: !quick, warmUp: false, log));
        await Run("latency", () => LatencyScenario.RunAsync(TimeSpan.FromSeconds(quick ? 8 : 30), log));
        await Run("fan-out", () => FanOutScenario.RunAsync(quick ? 200 : 500, TimeSpan.FromSeconds(quick ? 3 : 15), TimeSpan.FromSeconds(quick ? 2 : 20), log));
        await Run("peer", () => PeerScenario.RunAsync(quick ? 3_000 : 60_010, log));
        await Run("backfill", () => quick ? BackfillScenario.RunAsync(3_000, 20, 600, log) : BackfillScenario.RunAsync(1_000_000, 200, 2_000, log));
        await Run("failover", () => FailoverScenario.RunAsync(quick ? 6 : 20, log));
        var idleTenants = idle.Tenants ?? (quick ? 100 : 10_000);
        await Run("idle", () => IdleScenario.RunAsync(Math.Min(idleTenants, quick ? 50 : 1_000), idleTenants, TimeSpan.FromSeconds(idle.Interval ?? (quick ? 5 : 60)), log));
        await Run("normalize", () => NormalizeScenario.RunAsync(quick, log));
        await Run("history", () => HistoryScenario.RunAsync(quick ? 30_000 : 1_000_000, quick ? 10 : 50, log));

        // Issue 7 compares the end-to-end rate with the event-store insert rate of the same run.
        if (rows.FirstOrDefault(r => r.Scenario == "store-insert" && r.Unit == "events/s") is { } insert
            && rows.FirstOrDefault(r => r.Scenario == "end-to-end" && r.Unit == "records/s") is { } endToEnd)
        {
            rows.Add(new Row("end-to-end", "End to end over the event-store commit rate, same run", endToEnd.Value / insert.Value, "×",
                $"{endToEnd.Value:N0} records/s end to end, {insert.Value:N0} events/s committed alone", "≥ 30,000 records/s, or the ratio and what bounds it (issue 7)", endToEnd.Value >= 30_000 ? true : null));
        }

        await log.WriteLineAsync();
        await log.WriteLineAsync(Table(rows));
        foreach (var failure in failures)
        {
            await log.WriteLineAsync($"FAILED {failure}");
        }

        var path = jsonPath ?? Path.Combine(RepoPaths.Root, ".local", "benchmarks", "results.json");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(
            new { machine = Machine.Describe(), started, mode = quick ? "short" : "full", configuration = RepoPaths.Configuration, rows, failures },
            new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        await log.WriteLineAsync($"JSON: {path}");
        return failures.Count == 0 ? 0 : 1;
    }

    private static string Table(IReadOnlyList<Row> rows)
    {
        var lines = new List<string[]> { new[] { "Figure", "Value", "Compared with", "Target", "Met" } };
        lines.AddRange(rows.Select(r => new[]
        {
            r.Figure,
            $"{r.Value.ToString(r.Value >= 100 ? "N0" : "N2", CultureInfo.InvariantCulture)} {r.Unit}",
            r.Baseline,
            r.Target,
            r.Met switch { true => "yes", false => "NO", null => "" },
        }));
        var widths = Enumerable.Range(0, 5).Select(i => lines.Max(l => l[i].Length)).ToArray();
        return string.Join('\n', lines.Select((l, n) =>
            "| " + string.Join(" | ", l.Select((c, i) => c.PadRight(widths[i]))) + " |"
            + (n == 0 ? "\n|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|" : "")));
    }
}
