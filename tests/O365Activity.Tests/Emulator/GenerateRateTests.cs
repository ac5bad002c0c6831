using O365Activity.Emulator;
using static O365Activity.Tests.Emulator.EmulatorKit;

namespace O365Activity.Tests.Emulator;

/// <summary>The steady feed (<see cref="EmulatorOptions.GenerateRate"/>): exact rate per tenant and content type, fresh
/// blobs visible at once, stopped subscriptions, pause, and ids apart from the backlog's.</summary>
public sealed class GenerateRateTests
{
    private static Task<EmulatorServer> StartWithRateAsync(
        Microsoft.Extensions.Time.Testing.FakeTimeProvider clock, double rate, int blobSize = 30, TimeSpan? every = null, BacklogOptions? backlog = null) =>
        StartAsync(clock, o => o with { GenerateRate = rate, GenerateEvery = every, BlobSize = blobSize, GeneratorSeed = 5, Backlog = backlog });

    private static Dictionary<string, long> Counts(EmulatorServer emulator, Guid tenant) =>
        new[] { "Audit.AzureActiveDirectory", "Audit.SharePoint", "Audit.Exchange", "Audit.General", "DLP.All" }
            .ToDictionary(ct => ct, ct => emulator.State.CountRecords(tenant, ct));

    [Fact]
    public async Task GenerateRate_100PerSecond_Adds100PerSecondPerTenantSplit86_8_6_InBlobsOfBlobSize()
    {
        var clock = NewClock();
        await using var emulator = await StartWithRateAsync(clock, 100);
        emulator.State.EnableAllSubscriptions(T1);
        emulator.State.EnableSubscription(T2, "Audit.AzureActiveDirectory");

        clock.Advance(TimeSpan.FromSeconds(1));
        var firstTick = emulator.State.GetBlobs(T1, "Audit.AzureActiveDirectory").Select(b => b.RecordCount).ToList();
        clock.Advance(TimeSpan.FromSeconds(1));
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal([30, 30, 26], firstTick);
        Assert.Equal(
            new Dictionary<string, long>
            {
                ["Audit.AzureActiveDirectory"] = 258, ["Audit.SharePoint"] = 24, ["Audit.Exchange"] = 18, ["Audit.General"] = 0, ["DLP.All"] = 0,
            },
            Counts(emulator, T1));
        Assert.Equal(258, emulator.State.CountRecords(T2));
        Assert.Equal(300, emulator.State.EnumerateRecordIds(T1).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(
            [Start.AddSeconds(1), Start.AddSeconds(2), Start.AddSeconds(3)],
            emulator.State.GetBlobs(T1).Select(b => b.ContentCreated).Distinct());
    }

    [Fact]
    public async Task GenerateRate_FreshBlobs_AreListedAndFetchableAtOnce_WithCreationTimeNow()
    {
        var clock = NewClock(Start.AddMilliseconds(250));
        await using var emulator = await StartWithRateAsync(clock, 2_000, blobSize: 1_000);
        emulator.State.EnableAllSubscriptions(T1);
        using var api = await ApiClientAsync(emulator, T1);

        clock.Advance(TimeSpan.FromSeconds(1));
        var now = Start.AddMilliseconds(1_250);
        var (status, body) = await SendAsync(api, HttpMethod.Get, Content("Audit.AzureActiveDirectory", Start.AddMinutes(-5), Start.AddMinutes(5)));
        var entries = Array(body);
        var records = new List<System.Text.Json.JsonElement>();
        foreach (var entry in entries)
        {
            records.AddRange(Array((await SendAsync(api, HttpMethod.Get, $"audit/{entry.GetProperty("contentId").GetString()}")).Body));
        }

        Assert.Equal(200, status);
        Assert.Equal(["2024-06-01T10:00:01.250Z", "2024-06-01T10:00:01.250Z"], entries.Select(e => e.GetProperty("contentCreated").GetString()));
        Assert.All(emulator.State.GetBlobs(T1), b => Assert.Equal((now, now), (b.ContentCreated, b.VisibleAt)));
        Assert.Equal(1_720, records.Count);
        Assert.All(records, r => Assert.Equal("2024-06-01T10:00:01", r.GetProperty("CreationTime").GetString()));
        Assert.Equal(emulator.State.EnumerateRecordIds(T1, "Audit.AzureActiveDirectory"), records.Select(r => r.GetProperty("Id").GetString()!));
    }

    [Fact]
    public async Task GenerateRate_Fractional_IsExactOverTime_WithTheDefaultOneSecondTick()
    {
        var clock = NewClock();
        await using var emulator = await StartWithRateAsync(clock, 0.5);
        emulator.State.EnableSubscription(T1, "Audit.AzureActiveDirectory");

        var after = new List<long>();
        for (var i = 0; i < 10; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            after.Add(emulator.State.CountRecords(T1));
        }

        Assert.Equal([0, 1, 1, 2, 2, 3, 3, 4, 4, 5], after);
    }

    [Fact]
    public async Task GenerateRate_TickOfFiveSeconds_DeliversFiveSecondsWorthEachTick()
    {
        var clock = NewClock();
        await using var emulator = await StartWithRateAsync(clock, 10, every: TimeSpan.FromSeconds(5));
        emulator.State.EnableSubscription(T1, "Audit.AzureActiveDirectory");

        clock.Advance(TimeSpan.FromSeconds(4));
        var beforeTick = emulator.State.CountRecords(T1);
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(0, beforeTick);
        Assert.Equal(43, emulator.State.CountRecords(T1)); // 50 due, 86 % of them in Audit.AzureActiveDirectory
        Assert.Equal([30, 13], emulator.State.GetBlobs(T1).Select(b => b.RecordCount));
    }

    [Fact]
    public async Task GenerateRate_DisabledSubscription_GetsNothing_AndCountsAfreshAfterRestart()
    {
        var clock = NewClock();
        await using var emulator = await StartWithRateAsync(clock, 100);
        emulator.State.EnableSubscription(T1, "Audit.SharePoint");
        clock.Advance(TimeSpan.FromSeconds(1));
        emulator.State.DisableSubscription(T1, "Audit.SharePoint");
        clock.Advance(TimeSpan.FromSeconds(10));
        var whileDisabled = emulator.State.CountRecords(T1);
        emulator.State.EnableSubscription(T1, "Audit.SharePoint");
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(8, whileDisabled);
        Assert.Equal(16, emulator.State.CountRecords(T1));
        Assert.Equal(16, emulator.State.EnumerateRecordIds(T1).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task GeneratorPaused_AddsNothing_AndResumesWithoutCatchingUp()
    {
        var clock = NewClock();
        await using var emulator = await StartWithRateAsync(clock, 100);
        emulator.State.EnableSubscription(T1, "Audit.AzureActiveDirectory");
        clock.Advance(TimeSpan.FromSeconds(1));
        emulator.State.GeneratorPaused = true;
        clock.Advance(TimeSpan.FromSeconds(30));
        var paused = emulator.State.CountRecords(T1);
        emulator.State.GeneratorPaused = false;
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(86, paused);
        Assert.Equal(172, emulator.State.CountRecords(T1));
    }

    [Fact]
    public async Task GenerateRate_WithBacklog_FeedIdsDifferFromBacklogIds()
    {
        var clock = NewClock();
        await using var emulator = await StartWithRateAsync(clock, 200, backlog: new BacklogOptions(500));
        emulator.State.EnableAllSubscriptions(T1);
        clock.Advance(TimeSpan.FromSeconds(2));

        var ids = emulator.State.EnumerateRecordIds(T1).ToList();

        Assert.Equal(900, emulator.State.CountRecords(T1));
        Assert.Equal(900, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task StartAsync_NonPositiveRate_ThrowsNamingTheSetting()
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => EmulatorServer.StartAsync(new EmulatorOptions { GenerateRate = 0 }));

        Assert.Contains("EmulatorOptions.GenerateRate", error.Message, StringComparison.Ordinal);
    }
}
