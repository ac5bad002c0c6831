namespace O365Activity.Grains.Collection;

/// <summary>
/// When a tenant's next poll is due: one <see cref="CollectorOptions.PollInterval"/> after the last one was due, on a
/// grid of whole seconds (a tenth of the interval when it is under 10 seconds), or at the next grid point when a poll
/// outlasted the interval. Tenants due in the same second then poll together, so a silo's threads wake once for many
/// idle polls rather than once for each (a silo of idle tenants spent a fifth of its CPU switching threads, measured
/// with perf on tests/Benchmarks' idle scenario); one tenant's polls stay one interval apart and do not drift.
/// </summary>
public static class PollSchedule
{
    /// <summary>The next due time.</summary>
    /// <param name="lastDue">When the last poll was due (the first poll: when it ran).</param>
    /// <param name="now">The current time.</param>
    /// <param name="interval">The poll interval; positive.</param>
    /// <returns>A time on the grid, after <paramref name="now"/> or equal to it.</returns>
    public static DateTimeOffset Next(DateTimeOffset lastDue, DateTimeOffset now, TimeSpan interval)
    {
        var grid = Grid(interval);
        var due = Round(lastDue.UtcTicks + interval.Ticks, grid);
        if (due < now.UtcTicks)
        {
            // Behind (a long poll, or a silo too busy): the next grid point, not a burst of the polls missed.
            due = now.UtcTicks % grid.Ticks == 0 ? now.UtcTicks : now.UtcTicks - now.UtcTicks % grid.Ticks + grid.Ticks;
        }

        return new DateTimeOffset(due, TimeSpan.Zero);
    }

    /// <summary>The grid's step: a second, or a tenth of an interval under 10 seconds.</summary>
    public static TimeSpan Grid(TimeSpan interval) =>
        TimeSpan.FromTicks(Math.Min(TimeSpan.TicksPerSecond, Math.Max(1, interval.Ticks / 10)));

    private static long Round(long ticks, TimeSpan grid)
    {
        var below = ticks - ticks % grid.Ticks;
        return (ticks - below) * 2 >= grid.Ticks ? below + grid.Ticks : below;
    }
}
