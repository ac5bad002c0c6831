using O365Activity.Gateway.Feeds;
using O365Activity.Storage;

namespace O365Activity.Tests.Gateway;

public sealed class RecentEventsTests
{
    [Fact]
    public void TryRead_EventsHeldAfterThePosition_AreReadInOrderUpToTheLimit()
    {
        var recent = new RecentEvents(1_000_000);
        recent.Add(Events(1, 3, size: 8));
        recent.Add(Events(4, 3, size: 8));

        var all = recent.TryRead(0, null, 100);
        var limited = recent.TryRead(2, null, 2);

        Assert.Equal([1L, 2, 3, 4, 5, 6], all!.Value.Events.Select(e => e.Sequence));
        Assert.Equal(6L, all.Value.Through);
        Assert.Equal([3L, 4], limited!.Value.Events.Select(e => e.Sequence));
        Assert.Equal(4L, limited.Value.Through);
    }

    [Fact]
    public void TryRead_OneKind_SkipsTheOthersAndLooksThroughTheLastHeld()
    {
        var recent = new RecentEvents(1_000_000);
        recent.Add([.. Events(1, 2, size: 8, EventKind.Raw), .. Events(3, 1, size: 8, EventKind.Ingress), .. Events(4, 2, size: 8, EventKind.Raw)]);

        var ingress = recent.TryRead(0, EventKind.Ingress, 100);
        var admin = recent.TryRead(0, EventKind.Admin, 100);

        Assert.Equal([3L], ingress!.Value.Events.Select(e => e.Sequence));
        Assert.Equal(5L, ingress.Value.Through);
        Assert.Empty(admin!.Value.Events);
        Assert.Equal(5L, admin.Value.Through);
    }

    [Fact]
    public void TryRead_PositionBeforeTheFirstHeldOrAtTheLast_IsAMiss()
    {
        var recent = new RecentEvents(1_000_000);
        recent.Add(Events(10, 3, size: 8));

        Assert.Null(recent.TryRead(8, null, 100));
        Assert.Null(recent.TryRead(12, null, 100));
        Assert.NotNull(recent.TryRead(9, null, 100));
        Assert.Null(new RecentEvents(1_000_000).TryRead(0, null, 100));
    }

    [Fact]
    public void Add_AfterAGap_ReplacesWhatWasHeld()
    {
        var recent = new RecentEvents(1_000_000);
        recent.Add(Events(1, 3, size: 8));

        recent.Add(Events(6, 2, size: 8));

        Assert.Equal((6L, 7L), recent.Range);
        Assert.Null(recent.TryRead(3, null, 100));
    }

    [Fact]
    public void Add_EventsAlreadyPassed_AreIgnored()
    {
        var recent = new RecentEvents(1_000_000);
        recent.Add(Events(1, 3, size: 8));
        recent.Add(Events(4, 3, size: 8));

        recent.Add(Events(4, 3, size: 8));
        recent.Add(Events(1, 3, size: 8));

        Assert.Equal((1L, 6L), recent.Range);
        Assert.Equal(6, recent.TryRead(0, null, 100)!.Value.Events.Count);
    }

    [Fact]
    public void Add_BeyondTheByteLimit_DropsTheOldestRunsButKeepsTheNewest()
    {
        // Each event counts its parts (100 bytes) plus 64 of overhead: a run of 3 is 492 bytes.
        var recent = new RecentEvents(1_000);
        recent.Add(Events(1, 3, size: 100));
        recent.Add(Events(4, 3, size: 100));
        recent.Add(Events(7, 3, size: 100));

        Assert.Equal((4L, 9L), recent.Range);

        recent.Add(Events(10, 20, size: 100));
        Assert.Equal((10L, 29L), recent.Range);
    }

    [Fact]
    public void Add_WithTheCacheOff_HoldsNothing()
    {
        var recent = new RecentEvents(0);
        recent.Add(Events(1, 3, size: 8));

        Assert.Null(recent.TryRead(0, null, 100));
    }

    [Fact]
    public void StartAt_ASequence_HoldsNothingAndTakesTheEventsAfterIt()
    {
        var recent = new RecentEvents(1_000_000);
        recent.Add(Events(1, 3, size: 8));

        recent.StartAt(10);
        recent.Add(Events(11, 2, size: 8));

        Assert.Equal((11L, 12L), recent.Range);
        Assert.Null(recent.TryRead(9, null, 100));
        Assert.Equal([11L, 12], recent.TryRead(10, null, 100)!.Value.Events.Select(e => e.Sequence));
    }

    private static StoredEvent[] Events(long first, int count, int size, EventKind kind = EventKind.Raw) =>
        [.. Enumerable.Range(0, count).Select(i => new StoredEvent(first + i, kind, Parts(size)))];

    private static EventParts Parts(int size)
    {
        var bytes = new byte[size];
        var quarter = size / 4;
        return new EventParts(bytes.AsMemory(0, quarter), bytes.AsMemory(quarter, quarter), bytes.AsMemory(2 * quarter, quarter), bytes.AsMemory(3 * quarter));
    }
}
