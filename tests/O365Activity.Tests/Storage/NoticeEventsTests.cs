using O365Activity.Contracts;
using O365Activity.Storage;
using O365Activity.Storage.Wire;

namespace O365Activity.Tests.Storage;

public sealed class NoticeEventsTests
{
    [Fact]
    public void Pack_EventsWithinTheLimit_OneRunThatUnpacksToTheSameParts()
    {
        var events = Events(11, 3, size: 100);

        var runs = NoticeEvents.Pack(events, maxBytes: 10_000).ToList();

        var (first, last, packed) = Assert.Single(runs);
        Assert.Equal((11L, 13L), (first, last));
        AssertSame(events, NoticeEvents.Unpack(first, packed!));
    }

    [Fact]
    public void Pack_EventsOverTheLimit_SplitIntoConsecutiveRunsOfAtMostTheLimit()
    {
        var events = Events(1, 10, size: 100);

        var runs = NoticeEvents.Pack(events, maxBytes: 350).ToList();

        Assert.Equal([(1L, 3L), (4L, 6L), (7L, 9L), (10L, 10L)], runs.Select(r => (r.First, r.Last)));
        Assert.All(runs, r => Assert.True(r.Events!.Data.Length <= 350));
        AssertSame(events, [.. runs.SelectMany(r => NoticeEvents.Unpack(r.First, r.Events!))]);
    }

    [Fact]
    public void Pack_AnEventLargerThanTheLimit_GetsARunOfItsOwnWithoutItsParts()
    {
        var events = Events(1, 3, size: 100);
        events[1] = events[1] with { Parts = Parts(1_000, 2) };

        var runs = NoticeEvents.Pack(events, maxBytes: 500).ToList();

        Assert.Equal([(1L, 1L, true), (2L, 2L, false), (3L, 3L, true)], runs.Select(r => (r.First, r.Last, r.Events is not null)));
    }

    [Fact]
    public void Pack_SequencesWithAGap_Throws()
    {
        var events = Events(1, 2, size: 10);
        events[1] = events[1] with { Sequence = 5 };

        Assert.Throws<ArgumentException>(() => NoticeEvents.Pack(events, 1_000).ToList());
    }

    [Theory]
    [InlineData(new[] { 0, 1, 1, 0 }, 10)] // not five numbers per event
    [InlineData(new[] { 0, 4, 4, 0, 4 }, 10)] // longer than the data
    [InlineData(new[] { 0, 2, 2, 0, 2 }, 10)] // data left over
    [InlineData(new[] { 9, 2, 2, 0, 2 }, 6)] // no such kind
    [InlineData(new[] { 0, -1, 2, 0, 2 }, 3)] // a negative length
    public void Unpack_ALayoutThatDoesNotDescribeTheData_ThrowsInvalidData(int[] layout, int dataLength)
    {
        Assert.Throws<InvalidDataException>(() => NoticeEvents.Unpack(1, new EncodedEvents(new byte[dataLength], layout)));
    }

    internal static StoredEvent[] Events(long first, int count, int size, EventKind kind = EventKind.Raw) =>
        [.. Enumerable.Range(0, count).Select(i => new StoredEvent(first + i, kind, Parts(size, (byte)(first + i))))];

    private static EventParts Parts(int size, byte fill)
    {
        var bytes = Enumerable.Repeat(fill, size).ToArray();
        var quarter = size / 4;
        return new EventParts(bytes.AsMemory(0, quarter), bytes.AsMemory(quarter, quarter), bytes.AsMemory(2 * quarter, quarter), bytes.AsMemory(3 * quarter));
    }

    private static void AssertSame(IReadOnlyList<StoredEvent> expected, IReadOnlyList<StoredEvent> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal((expected[i].Sequence, expected[i].Kind), (actual[i].Sequence, actual[i].Kind));
            Assert.Equal(expected[i].Parts.Header.ToArray(), actual[i].Parts.Header.ToArray());
            Assert.Equal(expected[i].Parts.Raw.ToArray(), actual[i].Parts.Raw.ToArray());
            Assert.Equal(expected[i].Parts.Activity.ToArray(), actual[i].Parts.Activity.ToArray());
            Assert.Equal(expected[i].Parts.RawJson.ToArray(), actual[i].Parts.RawJson.ToArray());
        }
    }
}
