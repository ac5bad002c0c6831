namespace O365Activity.Storage.Postgres;

/// <summary>
/// How a locations count reads its time range: the whole UTC days inside it from the daily roll-up
/// (<c>location_days</c>), and the parts of days at its edges from the events.
/// </summary>
/// <param name="HasDays">Whether the range holds any whole day.</param>
/// <param name="FirstDay">The first whole day; null: from the first day stored.</param>
/// <param name="EndDay">The day after the last whole day; null: through the last day stored.</param>
/// <param name="Edges">The parts of days at the edges, each [from, to) (a null bound is open).</param>
internal sealed record LocationRange(bool HasDays, DateOnly? FirstDay, DateOnly? EndDay, IReadOnlyList<(DateTimeOffset? From, DateTimeOffset? To)> Edges)
{
    /// <summary>The plan of [<paramref name="start"/>, <paramref name="end"/>) (null bounds: open).</summary>
    public static LocationRange Of(DateTimeOffset? start, DateTimeOffset? end)
    {
        DateOnly? first = start is { } s ? DayAtOrAfter(s) : null;
        DateOnly? last = end is { } e ? DateOnly.FromDateTime(e.UtcDateTime) : null;
        if (first is { } f && last is { } l && f >= l)
        {
            return new LocationRange(false, null, null, [(start, end)]);
        }

        var edges = new List<(DateTimeOffset? From, DateTimeOffset? To)>();
        if (start is { } from && Midnight(first!.Value) != from)
        {
            edges.Add((from, Midnight(first.Value)));
        }

        if (end is { } to && Midnight(last!.Value) != to)
        {
            edges.Add((Midnight(last.Value), to));
        }

        return new LocationRange(true, first, last, edges);
    }

    private static DateOnly DayAtOrAfter(DateTimeOffset time)
    {
        var day = DateOnly.FromDateTime(time.UtcDateTime);
        return Midnight(day) == time || day == DateOnly.MaxValue ? day : day.AddDays(1);
    }

    private static DateTimeOffset Midnight(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}
