using O365Activity.Emulator;

namespace O365Activity.Benchmarks.Scenarios;

/// <summary>
/// Backfill under the API's request budget: a tenant with a backlog spread over (almost) 7 days, collected from its
/// consent with the first listing reaching back the whole 7 days, against an emulator that throttles at the documented
/// 2,000 requests a minute per tenant (AF429 beyond it, PROTOCOL.md §6). The floor is the throttle-bound minimum: the
/// requests needed divided by the budget. Figures: the share of the budget used over the backfill (requests per minute
/// from the first request to the last, over the budget) and the AF429 answers drawn (target: none).
/// </summary>
public static class BackfillScenario
{
    /// <summary>Runs the scenario: <paramref name="records"/> records in blobs of <paramref name="blobSize"/>, a budget of <paramref name="budget"/> requests a minute.</summary>
    public static async Task<IReadOnlyList<Row>> RunAsync(int records, int blobSize, int budget, TextWriter log)
    {
        await log.WriteLineAsync($"backfill: {records:N0} records over 7 days in blobs of {blobSize}, a budget of {budget:N0} requests a minute...");
        await using var run = await ClusterRun.StartAsync("backfill", new EmulatorOptions
        {
            Backlog = new BacklogOptions(records) { Window = TimeSpan.FromDays(7) - TimeSpan.FromHours(2) },
            BlobSize = blobSize,
            GeneratorSeed = 7,
            Throttling = new ThrottleBehavior(RequestsPerMinute: budget),
        }, TimeSpan.FromSeconds(5));
        var budgetText = budget.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await run.Cluster.StartSiloAsync(new Dictionary<string, string>(ClusterRun.Quiet)
        {
            ["Collector__InitialLookback"] = "7.00:00:00",
            ["Collector__RequestsPerMinute"] = budgetText,
        });
        await run.Cluster.StartGatewayAsync(ClusterRun.Quiet);
        var tenant = Guid.NewGuid();
        await run.ConnectAsync(tenant, unfiltered: true, "Audit.AzureActiveDirectory", "Audit.SharePoint", "Audit.Exchange");
        long last = 0;
        await run.ReadAsync(tenant, records, r => last = r.Header.Sequence, TimeSpan.FromMinutes(30));
        if (last != records)
        {
            throw new InvalidOperationException($"The last sequence received was {last}, not {records}.");
        }

        var requests = run.Cluster.Emulator.State.Requests
            .Where(r => r.TenantId == tenant && r.Kind is not RequestKind.Token and not RequestKind.AdminConsent)
            .ToList();
        var throttled = requests.Count(r => r.ErrorCode == "AF429");
        var minutes = (requests[^1].Time - requests[0].Time).TotalMinutes;
        var minimum = requests.Count / (double)budget;
        var used = requests.Count / minutes / budget;
        await log.WriteLineAsync($"backfill: {requests.Count:N0} requests in {minutes:F2} min ({requests.Count / minutes:F0} a minute), the throttle-bound minimum {minimum:F2} min; {throttled} AF429");
        return
        [
            new Row("backfill", $"Backfill of {records:N0} records over 7 days: share of the request budget used", used * 100, "%", $"{requests.Count:N0} requests in {minutes:F2} min; throttle-bound minimum {minimum:F2} min at {budget:N0}/min", "≥ 90%", used >= 0.9),
            new Row("backfill", "AF429 answers drawn", throttled, "", "", "0", throttled == 0),
        ];
    }
}
