using O365Activity.Grains.Collection;

namespace O365Activity.Tests.Collection;

public sealed class ListingWindowPlannerTests
{
    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, null, System.Globalization.DateTimeStyles.AssumeUniversal);

    [Fact]
    public void Plan_W02_NinetySixHourBackfill_SplitsIntoFourDaySlices()
    {
        var now = Utc("2024-03-25T11:38:02Z");

        var plan = ListingWindowPlanner.Plan(cursor: Utc("2024-03-21T11:38:02Z"), now, overlap: TimeSpan.Zero, initialLookback: TimeSpan.FromHours(24));

        Assert.Null(plan.Gap);
        Assert.Equal(
            [
                new ListingWindow(Utc("2024-03-21T11:38:02Z"), Utc("2024-03-22T11:38:02Z")),
                new ListingWindow(Utc("2024-03-22T11:38:02Z"), Utc("2024-03-23T11:38:02Z")),
                new ListingWindow(Utc("2024-03-23T11:38:02Z"), Utc("2024-03-24T11:38:02Z")),
                new ListingWindow(Utc("2024-03-24T11:38:02Z"), Utc("2024-03-25T11:38:02Z")),
            ],
            plan.Windows);
    }

    [Fact]
    public void Plan_W03_CursorOlderThanSevenDays_StartsAtFloorAndReportsGap()
    {
        var now = Utc("2024-10-14T09:00:00Z");

        var plan = ListingWindowPlanner.Plan(cursor: Utc("2024-10-05T10:27:13Z"), now, overlap: TimeSpan.Zero, initialLookback: TimeSpan.FromHours(24));

        Assert.Equal(Utc("2024-10-07T09:05:00Z"), plan.Windows[0].Start);
        Assert.Equal(new ListingWindow(Utc("2024-10-05T10:27:13Z"), Utc("2024-10-07T09:05:00Z")), plan.Gap);
        Assert.Equal(now, plan.Windows[^1].End);
        Assert.All(plan.Windows, w => Assert.True(w.End - w.Start <= TimeSpan.FromHours(24) && w.End > w.Start, $"bad window {w}"));
        Assert.All(plan.Windows.Zip(plan.Windows.Skip(1)), pair => Assert.Equal(pair.First.End, pair.Second.Start));
    }

    [Fact]
    public void Plan_LATE1_RelistsTheOverlapBeforeTheCursor()
    {
        // After the 10:00 poll the cursor is 10:00; B3 (contentCreated 09:58) is published at 10:20.
        var plan = ListingWindowPlanner.Plan(cursor: Utc("2024-06-03T10:00:00Z"), Utc("2024-06-03T10:25:00Z"), overlap: TimeSpan.FromHours(1), initialLookback: TimeSpan.FromHours(24));

        var window = Assert.Single(plan.Windows);
        Assert.Equal(new ListingWindow(Utc("2024-06-03T09:00:00Z"), Utc("2024-06-03T10:25:00Z")), window);
        Assert.True(window.Start <= Utc("2024-06-03T09:58:00Z"));
    }

    [Fact]
    public void Plan_FirstPoll_ReachesBackTheInitialLookback()
    {
        var now = Utc("2024-06-03T10:00:00Z");

        var plan = ListingWindowPlanner.Plan(cursor: null, now, overlap: TimeSpan.FromHours(1), initialLookback: TimeSpan.FromHours(30));

        Assert.Null(plan.Gap);
        Assert.Equal([new ListingWindow(now.AddHours(-30), now.AddHours(-6)), new ListingWindow(now.AddHours(-6), now)], plan.Windows);
    }

    [Fact]
    public void Plan_FirstPollWithSevenDayLookback_IsClampedWithoutGap()
    {
        var now = Utc("2024-06-10T00:00:00Z");

        var plan = ListingWindowPlanner.Plan(cursor: null, now, overlap: TimeSpan.Zero, initialLookback: TimeSpan.FromDays(7));

        Assert.Null(plan.Gap);
        Assert.Equal(now - ListingWindowPlanner.MaxLookback, plan.Windows[0].Start);
        Assert.Equal(7, plan.Windows.Count);
    }

    [Fact]
    public void Plan_CursorAtNowWithoutOverlap_HasNoWindow()
    {
        var now = Utc("2024-06-10T00:00:00Z");

        var plan = ListingWindowPlanner.Plan(cursor: now, now, overlap: TimeSpan.Zero, initialLookback: TimeSpan.FromHours(1));

        Assert.Empty(plan.Windows);
        Assert.Null(plan.Gap);
    }
}
