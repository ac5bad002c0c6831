using System.Diagnostics;
using O365Activity.Emulator;

namespace O365Activity.Benchmarks.Scenarios;

/// <summary>
/// Idle cost: tenants connected to one silo, with no content, each polling its four default content types at the
/// default interval (1 minute). Memory per tenant is the silo's resident memory after connecting them, less before (one
/// tenant connected first, so the runtime is warm), divided by their number, read after the first
/// <c>firstCount</c> tenants (issue 6's figure) and after all of them (issue 7's); CPU is the silo's CPU time over two
/// poll intervals once all are connected, as a share of one core and per tenant poll.
/// </summary>
public static class IdleScenario
{
    /// <summary>Runs the scenario: <paramref name="firstCount"/> tenants, then up to <paramref name="totalCount"/>, polling every <paramref name="interval"/> (the default, 1 minute, in the full mode).</summary>
    public static async Task<IReadOnlyList<Row>> RunAsync(int firstCount, int totalCount, TimeSpan interval, TextWriter log)
    {
        await log.WriteLineAsync($"idle: {firstCount:N0}, then {totalCount:N0} tenants on one silo, polling every {interval.TotalSeconds:F0} s...");
        await using var run = await ClusterRun.StartAsync("idle", new EmulatorOptions { GeneratorSeed = 5 }, interval);
        var silo = await run.Cluster.StartSiloAsync(ClusterRun.Quiet);
        await run.Cluster.StartGatewayAsync(ClusterRun.Quiet);
        await run.ConnectAsync(Guid.NewGuid(), unfiltered: false);
        await Task.Delay(TimeSpan.FromSeconds(5));
        var before = Machine.Rss(silo.Id);
        var clock = Stopwatch.StartNew();
        await ConnectAsync(run, firstCount);
        await Task.Delay(TimeSpan.FromSeconds(10));
        var atFirst = Machine.Rss(silo.Id);
        var first = (atFirst - before) / 1024.0 / firstCount;
        await log.WriteLineAsync($"idle: {firstCount:N0} tenants connected in {clock.Elapsed.TotalSeconds:F0} s; {first:F1} KB per tenant");
        await ConnectAsync(run, totalCount - firstCount);
        await log.WriteLineAsync($"idle: {totalCount:N0} tenants connected in {clock.Elapsed.TotalSeconds:F0} s");

        // Let every tenant's poll come round once before measuring, then measure two intervals.
        await Task.Delay(interval);
        var after = Machine.Rss(silo.Id);
        var window = 2 * interval;
        var cpuBefore = Machine.CpuSeconds(silo.Id);
        var kernelBefore = Machine.KernelCpuSeconds(silo.Id);
        await Task.Delay(window);
        var cpu = Machine.CpuSeconds(silo.Id) - cpuBefore;
        var kernel = Machine.KernelCpuSeconds(silo.Id) - kernelBefore;
        var polls = (totalCount + 1) * (window / interval);
        var perTenant = (after - before) / 1024.0 / totalCount;
        var share = cpu / window.TotalSeconds * 100;
        await log.WriteLineAsync($"idle: RSS {before / 1048576.0:F0} → {after / 1048576.0:F0} MB, {perTenant:F1} KB per tenant; CPU {cpu:F1} s over {window.TotalSeconds:F0} s = {cpu / polls * 1000:F2} ms per poll ({kernel / polls * 1000:F2} ms of it in the kernel), {share:F1}% of a core");
        return
        [
            new Row("idle", $"Silo memory per connected, idle tenant ({firstCount:N0} tenants)", first, "KB", "the walking skeleton's 166 KB (issue 6's figure)", "< 60 KB", first < 60),
            new Row("idle", $"Silo memory per connected, idle tenant ({totalCount:N0} tenants)", perTenant, "KB", "", "< 50 KB (issue 7, at 10,000)", perTenant < 50),
            // The slope between the two counts: what one more tenant costs, without the runtime's fixed growth (the GC's
            // young generation, compiled code) that the first tenants' share carries.
            .. (totalCount > firstCount
                ? [new Row("idle", $"Silo memory per further idle tenant, from {firstCount:N0} to {totalCount:N0} tenants", (after - atFirst) / 1024.0 / (totalCount - firstCount), "KB", "", "", null)]
                : Array.Empty<Row>()),
            new Row("idle", "Silo CPU per tenant poll (4 content types listed)", cpu / polls * 1000, "ms", "the walking skeleton's ≈ 1.3 ms (issue 7's figure)", "", null),
            // The system time: the four listings' socket calls and the thread wake-ups they cause, the part of a poll's cost
            // that comes with its four HTTP requests more than with the service's own code.
            new Row("idle", "Silo CPU per tenant poll spent in the kernel", kernel / polls * 1000, "ms", "", "", null),
            new Row("idle", $"Silo CPU while {totalCount:N0} tenants idle-poll every {interval.TotalSeconds:F0} s", share, "% of a core", "", "< 5% (issue 7, 10,000 at 60 s)", share < 5),
        ];
    }

    private static Task ConnectAsync(ClusterRun run, int count) =>
        Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, _) =>
            await run.ConnectAsync(Guid.NewGuid(), unfiltered: false));
}
