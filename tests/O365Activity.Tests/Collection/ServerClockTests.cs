using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using O365Activity.Emulator;
using O365Activity.Grains;
using O365Activity.Grains.Collection;
using O365Activity.Grains.Normalization;
using O365Activity.Storage;
using O365Activity.Storage.InMemory;

namespace O365Activity.Tests.Collection;

/// <summary>Case CLK1: the local clock against the API's, measured from its Date header.</summary>
public sealed class ServerClockTests
{
    private const string ClientId = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    private const string Secret = "clock-test-secret";
    private const string General = "Audit.General";

    [Theory]
    [InlineData(90, true)]
    [InlineData(-90, true)]
    [InlineData(90, false)]
    [InlineData(-90, false)]
    public async Task Poll_CLK1_LocalClockNinetyMinutesOff_MeasuresTheSkewAndListsByTheApisTime(int apiAheadMinutes, bool consentFirst)
    {
        // The API's clock is 90 minutes ahead of the silo's (the silo's is slow), or behind it (fast).
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions
        {
            ClientId = ClientId, ClientSecret = Secret, AutoConsentAllTenants = true, ClockSkew = TimeSpan.FromMinutes(apiAheadMinutes),
        });
        var tenant = Guid.NewGuid();
        emulator.State.EnableSubscription(tenant, General);
        var apiNow = emulator.State.UtcNow;
        emulator.State.AddBlob(tenant, [Record(1)], new BlobOptions { ContentType = General, ContentCreated = apiNow.AddHours(-160) });
        var store = new InMemoryEventStore();
        var sourceId = Guid.NewGuid();
        await store.RegisterSourceAsync(new EventSourceEntry(tenant, sourceId, "clock", DateTimeOffset.UtcNow), CancellationToken.None);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Collector:ClientId"] = ClientId,
            ["Collector:ClientSecret"] = Secret,
            ["Collector:LoginEndpoint"] = emulator.BaseUrl.ToString(),
            ["Collector:ManagementApiEndpoint"] = emulator.BaseUrl.ToString(),
            ["Collector:InitialLookback"] = "7.00:00:00",
        }).Build();
        await using var services = new ServiceCollection().AddLogging().AddSingleton<IEventStore>(store)
            .AddCollector(configuration).AddAuditNormalization(configuration).BuildServiceProvider();
        var pipeline = services.GetRequiredService<CollectionPipeline>();
        var clock = services.GetRequiredService<ServerClock>();
        var source = new SourceContext(tenant, sourceId, []);
        if (consentFirst)
        {
            // What consent verification does before the first poll: subscriptions/list, whose Date gives the skew.
            await services.GetRequiredService<IManagementActivityApi>().ListSubscriptionsAsync(tenant, CancellationToken.None);
        }

        // A first poll planned on the silo's own clock (a silo just started): with a slow clock its start is past the
        // API's 7 days (AF20055), and that answer's Date gives the skew; the next poll plans on the API's time.
        long stored = 0;
        for (var poll = 0; poll < 2; poll++)
        {
            try
            {
                stored += (await pipeline.PollAsync(source, General, new ContentTypeHealth(), _ => Task.CompletedTask, CancellationToken.None)).Stored;
            }
            catch (ManagementApiException e) when (poll == 0 && !consentFirst && apiAheadMinutes > 0)
            {
                Assert.Equal("AF20055", e.Code);
            }

            // The cursor never runs ahead of the API's clock, even after a window planned on a fast local clock.
            Assert.True(source.Cursor(General) is not { } cursor || cursor.ListedThrough <= emulator.State.UtcNow,
                $"cursor {source.Cursor(General)?.ListedThrough:O} is ahead of the API's {emulator.State.UtcNow:O}");
        }

        Assert.InRange(clock.Skew.TotalMinutes, apiAheadMinutes - 0.1, apiAheadMinutes + 0.1);
        Assert.Equal(1, stored);
        var after = emulator.State.Requests.Where(r => r.TenantId == tenant && r.Kind == RequestKind.ListContent).Skip(consentFirst ? 0 : 1).ToList();
        Assert.NotEmpty(after);
        Assert.All(after, r =>
        {
            // Every window planned once the skew was known lies inside the API's rules by its own clock.
            var start = DateTimeOffset.Parse(r.Query("startTime")!, null, System.Globalization.DateTimeStyles.AssumeUniversal);
            var end = DateTimeOffset.Parse(r.Query("endTime")!, null, System.Globalization.DateTimeStyles.AssumeUniversal);
            Assert.Equal(200, r.StatusCode);
            Assert.True(start >= r.Time - TimeSpan.FromDays(7), $"start {start:O} is more than 7 days before the API's {r.Time:O}");
            Assert.True(end <= r.Time + TimeSpan.FromSeconds(2), $"end {end:O} is after the API's now {r.Time:O}");
        });
    }

    [Fact]
    public void Observe_DifferencesWithinTheTolerance_AreNotSkew()
    {
        var local = new FakeTimeProvider(new DateTimeOffset(2024, 10, 14, 10, 30, 0, TimeSpan.Zero));
        var clock = new ServerClock(local);

        clock.Observe(local.GetUtcNow().AddSeconds(1.5), Guid.NewGuid());
        Assert.Equal(TimeSpan.Zero, clock.Skew);

        clock.Observe(local.GetUtcNow().AddMinutes(-90), Guid.NewGuid());
        Assert.Equal(TimeSpan.FromMinutes(-90), clock.Skew);
        Assert.Equal(local.GetUtcNow().AddMinutes(-90), clock.GetUtcNow());

        clock.Observe(local.GetUtcNow().AddMinutes(-90).AddSeconds(1), Guid.NewGuid());
        Assert.Equal(TimeSpan.FromMinutes(-90), clock.Skew);
    }

    private static string Record(int i) =>
        $$"""{"CreationTime":"2024-06-04T08:00:10","Id":"00000000-0000-4000-8000-{{i:D12}}","Operation":"FileAccessed","RecordType":6,"Workload":"SharePoint","UserId":"u{{i}}@example.com"}""";
}
