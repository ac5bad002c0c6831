using Grpc.Core;
using O365Activity.Emulator;
using O365Activity.Protos.V1;

namespace O365Activity.Benchmarks.Scenarios;

/// <summary>
/// Fan-out: one tenant with a steady feed, read by 1, then 50, then 200, then 1 again subscribers of its raw stream on
/// one gateway, side by side in one run (the same cluster, one phase after the other, after a warm-up; the single
/// subscriber is measured before and after, so that a drift of the silo's CPU over time shows). Each phase opens its subscribers at the same
/// position, measures the CPU time of the silo, the gateway and PostgreSQL over the phase, then checks that every
/// subscriber received every event of the phase. The subscribers count messages without parsing them, so that the
/// benchmark process (on the same two cores) does not starve the service. Targets (issue 7): the silo's CPU does not
/// depend on the number of subscribers (one Orleans subscription per tenant per gateway; fan-out in the gateway), and
/// the gateway's memory stays bounded.
/// </summary>
public static class FanOutScenario
{
    private static readonly Method<StreamRequest, Counted> CountedRaw = new(
        MethodType.ServerStreaming,
        Protos.V1.Activity.Descriptor.FullName,
        "StreamRaw",
        Marshallers.Create<StreamRequest>((r, c) => c.Complete(Google.Protobuf.MessageExtensions.ToByteArray(r)), c => throw new NotSupportedException()),
        Marshallers.Create<Counted>((_, _) => throw new NotSupportedException(), c => new Counted(c.PayloadLength)));

    /// <summary>Runs the scenario: <paramref name="rate"/> records/s, each phase <paramref name="phase"/> long.</summary>
    public static async Task<IReadOnlyList<Row>> RunAsync(int rate, TimeSpan phase, TimeSpan warmUp, TextWriter log)
    {
        int[] subscriberCounts = [1, 50, 200, 1];
        await log.WriteLineAsync($"fan-out: {rate:N0} records/s, {string.Join(", ", subscriberCounts)} subscribers, {phase.TotalSeconds:F0} s each...");
        await using var run = await ClusterRun.StartAsync("fan-out", new EmulatorOptions
        {
            GenerateRate = rate,
            GenerateEvery = TimeSpan.FromMilliseconds(200),
            BlobSize = 1_000,
            GeneratorSeed = 5,
        }, TimeSpan.FromMilliseconds(200));
        var silo = await run.Cluster.StartSiloAsync(ClusterRun.Quiet);
        var gateway = await run.Cluster.StartGatewayAsync(ClusterRun.Quiet);
        var tenant = Guid.NewGuid();
        await run.ConnectAsync(tenant, unfiltered: true, "Audit.AzureActiveDirectory", "Audit.SharePoint", "Audit.Exchange");

        // Warm-up: the collection reaches its steady state, one subscriber follows.
        await RunPhaseAsync(run, tenant, 1, warmUp);
        var rows = new List<Row>();
        var siloPerEvent = new List<double>();
        foreach (var subscribers in subscriberCounts)
        {
            var silo0 = Machine.CpuSeconds(silo.Id);
            var gateway0 = Machine.CpuSeconds(gateway.Id);
            var postgres0 = Machine.CpuSecondsOf("postgres");
            var (events, delivered) = await RunPhaseAsync(run, tenant, subscribers, phase);
            var siloCpu = Machine.CpuSeconds(silo.Id) - silo0;
            var gatewayCpu = Machine.CpuSeconds(gateway.Id) - gateway0;
            var postgresCpu = Machine.CpuSecondsOf("postgres") - postgres0;
            var rss = Machine.Rss(gateway.Id) / 1048576.0;
            siloPerEvent.Add(siloCpu / events * 1e6);
            await log.WriteLineAsync($"fan-out: {subscribers} subscribers: {events:N0} events, {delivered:N0} delivered; CPU silo {siloCpu:F1} s, gateway {gatewayCpu:F1} s, PostgreSQL {postgresCpu:F1} s; gateway RSS {rss:F0} MB");
            rows.Add(new Row("fan-out", $"Silo CPU per event, {subscribers} subscriber(s)", siloPerEvent[^1], "µs", "", "", null));
            rows.Add(new Row("fan-out", $"PostgreSQL CPU per event, {subscribers} subscriber(s)", postgresCpu / events * 1e6, "µs", "", "", null));
            rows.Add(new Row("fan-out", $"Gateway CPU per delivered event, {subscribers} subscriber(s)", gatewayCpu / delivered * 1e6, "µs", "", "", null));
            rows.Add(new Row("fan-out", $"Gateway RSS after the phase, {subscribers} subscriber(s)", rss, "MB", "", subscribers == 200 ? "bounded (< 400 MB)" : "", subscribers == 200 ? rss < 400 : null));
        }

        var single = (siloPerEvent[0] + siloPerEvent[^1]) / 2;
        var ratio = siloPerEvent[2] / single;
        rows.Add(new Row("fan-out", "Silo CPU per event, 200 subscribers vs 1", ratio, "×", $"1 subscriber (mean of the phases before and after): {single:F1} µs", "independent of subscribers (≤ 1.2×)", ratio <= 1.2));
        return rows;
    }

    /// <summary>Opens <paramref name="subscribers"/> streams at the source's current last sequence, waits <paramref name="duration"/>, then waits until each got every event committed meanwhile.</summary>
    /// <returns>The events committed in the phase, and the messages delivered in all.</returns>
    private static async Task<(long Events, long Delivered)> RunPhaseAsync(ClusterRun run, Guid tenant, int subscribers, TimeSpan duration)
    {
        var start = (await run.Cluster.Sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant.ToString() })).LastSequence;
        using var stop = new CancellationTokenSource();
        var counts = new long[subscribers];
        var invoker = run.Cluster.Channel.CreateCallInvoker();
        var readers = Enumerable.Range(0, subscribers).Select(i => Task.Run(async () =>
        {
            using var call = invoker.AsyncServerStreamingCall(CountedRaw, null, new CallOptions(cancellationToken: stop.Token), new StreamRequest { TenantId = tenant.ToString(), AfterSequence = start });
            try
            {
                while (await call.ResponseStream.MoveNext(stop.Token))
                {
                    Interlocked.Increment(ref counts[i]);
                }
            }
            catch (Exception e) when (e is OperationCanceledException || (e is RpcException && stop.IsCancellationRequested))
            {
                // The phase ended: the call was cancelled here. A read pending at that moment can end as UNAVAILABLE
                // ("the request was aborted") rather than CANCELLED, depending on which side of the reset it sees first.
            }
        })).ToList();
        await Task.Delay(duration);
        var end = (await run.Cluster.Sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant.ToString() })).LastSequence;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (counts.Any(c => c < end - start))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"After 60 s, {counts.Count(c => c < end - start)} of {subscribers} subscribers had not received the {end - start} events of the phase (least: {counts.Min()}).");
            }

            await Task.Delay(100);
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);
        return (end - start, counts.Sum());
    }

    /// <summary>A message counted, not parsed: its length in bytes.</summary>
    private sealed record Counted(int Length);
}
