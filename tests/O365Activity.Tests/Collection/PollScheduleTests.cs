using O365Activity.Grains.Collection;

namespace O365Activity.Tests.Collection;

/// <summary>When tenants poll: one interval apart, on a grid shared by all tenants, without drift or bursts.</summary>
public sealed class PollScheduleTests
{
    private static readonly DateTimeOffset Epoch = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public void Next_TenantsConnectedAtAnyMoment_PollOnWholeSecondsOneIntervalApart()
    {
        var random = new Random(7);
        for (var tenant = 0; tenant < 1_000; tenant++)
        {
            var connected = Epoch + TimeSpan.FromTicks(random.NextInt64(TimeSpan.TicksPerHour));
            var due = connected;
            var previous = (DateTimeOffset?)null;
            for (var poll = 0; poll < 20; poll++)
            {
                // Each poll runs a little late (the timer) and takes a little while.
                var now = due + TimeSpan.FromMilliseconds(random.Next(0, 300));
                due = PollSchedule.Next(due, now, Minute);
                Assert.Equal(0, due.UtcTicks % TimeSpan.TicksPerSecond);
                if (previous is { } p)
                {
                    Assert.Equal(Minute, due - p);
                }

                previous = due;
            }

            // No drift: twenty polls later the tenant is still within half a second of its own phase.
            Assert.InRange((due - connected - 20 * Minute).Duration(), TimeSpan.Zero, TimeSpan.FromMilliseconds(500));
        }
    }

    [Fact]
    public void Next_PollOutlastedTheInterval_IsDueAtTheNextGridPointNotAtOnceForEveryPollMissed()
    {
        var lastDue = Epoch;
        var now = Epoch + TimeSpan.FromMinutes(3.5) + TimeSpan.FromMilliseconds(250);

        var due = PollSchedule.Next(lastDue, now, Minute);

        Assert.Equal(Epoch + TimeSpan.FromMinutes(3.5) + TimeSpan.FromSeconds(1), due);
        Assert.Equal(Epoch + TimeSpan.FromMinutes(4.5) + TimeSpan.FromSeconds(1), PollSchedule.Next(due, due + TimeSpan.FromSeconds(2), Minute));
    }

    [Theory]
    [InlineData(60_000, 1_000)]
    [InlineData(10_000, 1_000)]
    [InlineData(2_000, 200)]
    [InlineData(200, 20)]
    public void Grid_IsASecondOrATenthOfAShortInterval(int intervalMs, int gridMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(gridMs), PollSchedule.Grid(TimeSpan.FromMilliseconds(intervalMs)));
        var due = PollSchedule.Next(Epoch + TimeSpan.FromMilliseconds(3), Epoch + TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(intervalMs));
        Assert.Equal(TimeSpan.FromMilliseconds(intervalMs), due - Epoch);
    }
}
