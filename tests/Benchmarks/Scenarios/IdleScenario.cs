using System.Diagnostics;
using O365Activity.Emulator;

namespace O365Activity.Benchmarks.Scenarios;

/// <summary>
/// Idle cost: tenants connected to one silo, with no content, each polling its four default content types every
/// 10 seconds. Memory per tenant is the silo's resident memory after connecting them, less before (one tenant
/// connected first, so the runtime is warm), divided by their number; CPU per poll is the silo's CPU time over a
/// window divided by the tenant polls in it.
/// </summary>
public static class IdleScenario
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(10);

    /// <summary>Runs the scenario with <paramref name="tenants"/> tenants, measuring CPU for <paramref name="window"/>.</summary>
    public static async Task<IReadOnlyList<Row>> RunAsync(int tenants, TimeSpan window, TextWriter log)
    {
        await log.WriteLineAsync($"idle: {tenants} tenants on one silo...");
        await using var run = await ClusterRun.StartAsync("idle", new EmulatorOptions { GeneratorSeed = 5 }, PollInterval);
        var silo = await run.Cluster.StartSiloAsync(ClusterRun.Quiet);
        await run.Cluster.StartGatewayAsync(ClusterRun.Quiet);
        await run.ConnectAsync(Guid.NewGuid(), unfiltered: false);
        await Task.Delay(TimeSpan.FromSeconds(5));
        var before = Machine.Rss(silo.Id);
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, tenants), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, _) =>
            await run.ConnectAsync(Guid.NewGuid(), unfiltered: false));
        await log.WriteLineAsync($"idle: {tenants} tenants connected in {clock.Elapsed.TotalSeconds:F1} s");
        await Task.Delay(PollInterval * 2);
        var after = Machine.Rss(silo.Id);
        var cpuBefore = Machine.CpuSeconds(silo.Id);
        await Task.Delay(window);
        var cpu = Machine.CpuSeconds(silo.Id) - cpuBefore;
        var polls = (tenants + 1) * (window / PollInterval);
        var perTenant = (after - before) / 1024.0 / tenants;
        var perPoll = cpu / polls * 1000;
        await log.WriteLineAsync($"idle: RSS {before / 1048576.0:F0} → {after / 1048576.0:F0} MB, {perTenant:F1} KB per tenant; CPU {cpu:F1} s over {window.TotalSeconds:F0} s = {perPoll:F2} ms per poll, {cpu / window.TotalSeconds * 100:F1}% of a core");
        return
        [
            new Row("idle", $"Silo memory per connected, idle tenant ({tenants:N0} tenants)", perTenant, "KB", "the walking skeleton's 166 KB (the issue's figure)", "< 60 KB", perTenant < 60),
            new Row("idle", "Silo CPU per tenant poll (4 content types listed)", perPoll, "ms", "the walking skeleton's ≈ 1.3 ms (issue 7's figure)", "", null),
            new Row("idle", $"Silo CPU while {tenants:N0} tenants idle-poll every {PollInterval.TotalSeconds:F0} s", cpu / window.TotalSeconds * 100, "% of a core", "", "", null),
        ];
    }
}
