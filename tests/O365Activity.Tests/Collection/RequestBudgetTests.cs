using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using O365Activity.Emulator;
using O365Activity.Grains.Collection;

namespace O365Activity.Tests.Collection;

/// <summary>The per-tenant request budget (PROTOCOL.md §6) through the real API client against a throttling emulator.</summary>
public sealed class RequestBudgetTests
{
    private const string ClientId = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    private const string Secret = "budget-test-secret";
    private const string Aad = "Audit.AzureActiveDirectory";

    [Theory]
    [InlineData(2_000, 34, 1_966)]
    [InlineData(600, 10, 590)]
    [InlineData(60, 1, 59)]
    [InlineData(1, 1, 1)]
    public void Budget_AnyMinute_StaysWithinTheBudget(int perMinute, int burst, int sustained)
    {
        using var budget = new RequestBudget(Options.Create(new CollectorOptions { RequestsPerMinute = perMinute }));

        Assert.Equal((burst, sustained), (budget.BurstSize, budget.SustainedPerMinute));
        Assert.True(budget.BurstSize + budget.SustainedPerMinute <= Math.Max(perMinute, 2), "a 60-second span never sees more than the budget");
    }

    [Fact]
    public async Task ListContent_MoreRequestsThanTheBurst_AreSpreadOverTimeAndNeverThrottled()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions
        {
            ClientId = ClientId,
            ClientSecret = Secret,
            AutoConsentAllTenants = true,
            Throttling = new ThrottleBehavior(RequestsPerMinute: 600),
        });
        await using var services = Services(emulator, requestsPerMinute: 600);
        var client = services.GetRequiredService<ManagementApiClient>();
        var tenant = Guid.NewGuid();
        emulator.State.EnableSubscription(tenant, Aad);
        var now = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();

        // 40 listings at once with a budget of 600 a minute: 10 at once, then 590 a minute (30 more take 3.05 s).
        await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => client.ListContentAsync(tenant, Aad, now.AddHours(-1), now, CancellationToken.None)));

        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(3), $"40 requests took {clock.Elapsed}: the budget did not spread them.");
        var listings = emulator.State.Requests.Where(r => r.TenantId == tenant && r.Kind == RequestKind.ListContent).ToList();
        Assert.Equal(40, listings.Count);
        Assert.All(listings, r => Assert.Equal(200, r.StatusCode));
    }

    [Fact]
    public async Task ListContent_TwoTenants_EachHasItsOwnBudget()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { ClientId = ClientId, ClientSecret = Secret, AutoConsentAllTenants = true });
        await using var services = Services(emulator, requestsPerMinute: 600);
        var client = services.GetRequiredService<ManagementApiClient>();
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        emulator.State.EnableSubscription(first, Aad);
        emulator.State.EnableSubscription(second, Aad);
        var now = DateTimeOffset.UtcNow;
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.ListContentAsync(first, Aad, now.AddHours(-1), now, CancellationToken.None)));
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.ListContentAsync(second, Aad, now.AddHours(-1), now, CancellationToken.None)));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(0.9), $"The second tenant's burst waited {clock.Elapsed} for the first tenant's budget.");
    }

    [Fact]
    public async Task Acquire_BeyondTheBurst_WaitsForTokensInTurnAndNeverExceedsTheBudgetInAnyMinute()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using var budget = new RequestBudget(Options.Create(new CollectorOptions { RequestsPerMinute = 120 }), time);
        var tenant = Guid.NewGuid();

        // 300 requests asked at once, with a budget of 120 a minute: a burst of 2, then 118 a minute, in the order asked.
        var requests = Enumerable.Range(0, 300).Select(_ => budget.AcquireAsync(tenant, CancellationToken.None).AsTask()).ToList();
        for (var second = 0; second <= 160; second++)
        {
            if (second > 0)
            {
                time.Advance(TimeSpan.FromSeconds(1));
            }

            // Grants complete on the thread pool: wait for those due by now, then check that no more than the budget's were.
            var due = Math.Min(300, 2 + (int)Math.Floor(second * 118 / 60.0 + 1e-9));
            await WaitUntilAsync(() => requests.Count(r => r.IsCompleted) >= due);
            await Task.Delay(5);
            var granted = requests.Count(r => r.IsCompleted);
            Assert.True(granted == due, $"{granted} requests granted after {second} s; the budget allows {due}");
            Assert.True(requests.Take(granted).All(r => r.IsCompleted), $"after {second} s the requests granted are not the first {granted} asked");
        }

        // No 60-second span saw more than 120: the most granted in any minute is the burst plus a minute's refill.
        Assert.All(requests, r => Assert.True(r.IsCompletedSuccessfully));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "grants due did not complete");
            await Task.Delay(1);
        }
    }

    [Fact]
    public async Task Acquire_Cancelled_GivesItsTokenBackAndIdleBucketsAreDropped()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using var budget = new RequestBudget(Options.Create(new CollectorOptions { RequestsPerMinute = 60 }), time);
        var tenant = Guid.NewGuid();
        await budget.AcquireAsync(tenant, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var waiting = budget.AcquireAsync(tenant, cancel.Token).AsTask();
        Assert.False(waiting.IsCompleted);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        // The cancelled request's token came back: the next one waits one token's time (60/59 s), not two.
        var next = budget.AcquireAsync(tenant, CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(1.02));
        await next.WaitAsync(TimeSpan.FromSeconds(5));

        // A minute later the bucket is full again and a sweep (made by any request) drops it.
        Assert.Equal(1, budget.TrackedTenants);
        time.Advance(TimeSpan.FromSeconds(61));
        await budget.AcquireAsync(Guid.NewGuid(), CancellationToken.None);
        Assert.Equal(1, budget.TrackedTenants);
    }

    private static ServiceProvider Services(EmulatorServer emulator, int requestsPerMinute) =>
        CollectorServices.Create(emulator, ClientId, Secret, ("Collector:RequestsPerMinute", requestsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
