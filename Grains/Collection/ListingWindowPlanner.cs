namespace O365Activity.Grains.Collection;

/// <summary>A listing window [<paramref name="Start"/>, <paramref name="End"/>) in UTC, at most 24 hours long.</summary>
public readonly record struct ListingWindow(DateTimeOffset Start, DateTimeOffset End);

/// <summary>The windows of one poll of one content type, and the time span that can no longer be listed, if any.</summary>
/// <param name="Windows">Slices of at most 24 hours, oldest first, ending at now.</param>
/// <param name="Gap">
/// When the cursor is older than the API lets a listing reach back (7 days, PROTOCOL.md §4): the span
/// [cursor − overlap, first window start) whose content is lost. Null otherwise.
/// </param>
public sealed record ListingPlan(IReadOnlyList<ListingWindow> Windows, ListingWindow? Gap);

/// <summary>
/// Computes listing windows from a cursor (PROTOCOL.md §4; cases LATE1, W02, W03): each poll re-lists a trailing
/// overlap before the cursor; no window starts more than 7 days minus a 5-minute margin before now; windows are at
/// most 24 hours long and end at now.
/// </summary>
public static class ListingWindowPlanner
{
    /// <summary>The longest window the API accepts.</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromHours(24);

    /// <summary>How far back a listing may start: 7 days less a 5-minute safety margin (167h55m).</summary>
    public static readonly TimeSpan MaxLookback = TimeSpan.FromDays(7) - TimeSpan.FromMinutes(5);

    /// <summary>Plans one poll.</summary>
    /// <param name="cursor">The end of the last window fully processed; null before the first poll.</param>
    /// <param name="now">The current time (UTC).</param>
    /// <param name="overlap">How far before the cursor to list again (late content).</param>
    /// <param name="initialLookback">Where the first poll starts, back from now.</param>
    public static ListingPlan Plan(DateTimeOffset? cursor, DateTimeOffset now, TimeSpan overlap, TimeSpan initialLookback)
    {
        var floor = now - MaxLookback;
        var wanted = cursor is { } c ? c - overlap : now - initialLookback;
        ListingWindow? gap = null;
        var start = wanted;
        if (start < floor)
        {
            // Only a cursor can be that old: content before the floor can no longer be listed.
            if (cursor is not null)
            {
                gap = new ListingWindow(wanted, floor);
            }

            start = floor;
        }

        var windows = new List<ListingWindow>();
        while (start < now)
        {
            var end = start + MaxWindow < now ? start + MaxWindow : now;
            windows.Add(new ListingWindow(start, end));
            start = end;
        }

        return new ListingPlan(windows, gap);
    }
}
