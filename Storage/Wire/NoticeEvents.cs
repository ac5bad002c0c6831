using O365Activity.Contracts;

namespace O365Activity.Storage.Wire;

/// <summary>
/// Packs the events of a commit into the notices that tell the gateways (<see cref="ActivityNotice.Events"/>), and
/// unpacks them there. A commit's events have consecutive sequences; a notice carries a run of them in one buffer.
/// </summary>
public static class NoticeEvents
{
    private const int FieldsPerEvent = 5;

    /// <summary>
    /// Splits a commit's events into runs of at most <paramref name="maxBytes"/> bytes of parts each, packed. A single
    /// event larger than that gets a run of its own without its parts (its notice says only that it was stored).
    /// </summary>
    /// <param name="events">The events, in sequence order, with consecutive sequences.</param>
    /// <param name="maxBytes">Most bytes of parts per run.</param>
    /// <returns>Each run's first and last sequence, and its packed events (null for an event too large to carry).</returns>
    /// <exception cref="ArgumentException">When the sequences are not consecutive.</exception>
    public static IEnumerable<(long First, long Last, EncodedEvents? Events)> Pack(IReadOnlyList<StoredEvent> events, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(events);
        var runStart = 0;
        var runBytes = 0;
        for (var i = 0; i < events.Count; i++)
        {
            if (i > 0 && events[i].Sequence != events[i - 1].Sequence + 1)
            {
                throw new ArgumentException($"The events' sequences are not consecutive: {events[i - 1].Sequence} then {events[i].Sequence}.", nameof(events));
            }

            var size = Size(events[i]);
            if (size > maxBytes)
            {
                if (i > runStart)
                {
                    yield return (events[runStart].Sequence, events[i - 1].Sequence, PackRun(events, runStart, i));
                }

                yield return (events[i].Sequence, events[i].Sequence, null);
                runStart = i + 1;
                runBytes = 0;
                continue;
            }

            if (i > runStart && runBytes + size > maxBytes)
            {
                yield return (events[runStart].Sequence, events[i - 1].Sequence, PackRun(events, runStart, i));
                runStart = i;
                runBytes = 0;
            }

            runBytes += size;
        }

        if (events.Count > runStart)
        {
            yield return (events[runStart].Sequence, events[^1].Sequence, PackRun(events, runStart, events.Count));
        }
    }

    /// <summary>Unpacks a notice's events; each one's parts are slices of <see cref="EncodedEvents.Data"/>.</summary>
    /// <param name="firstSequence">The notice's first sequence.</param>
    /// <param name="events">The packed events.</param>
    /// <returns>The events, in sequence order from <paramref name="firstSequence"/>.</returns>
    /// <exception cref="InvalidDataException">When the layout does not describe the data.</exception>
    public static IReadOnlyList<StoredEvent> Unpack(long firstSequence, EncodedEvents events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Layout.Length % FieldsPerEvent != 0)
        {
            throw new InvalidDataException($"A notice's event layout has {events.Layout.Length} numbers, not a multiple of {FieldsPerEvent}.");
        }

        var data = events.Data.AsMemory();
        var unpacked = new StoredEvent[events.Layout.Length / FieldsPerEvent];
        var at = 0;
        for (var i = 0; i < unpacked.Length; i++)
        {
            var layout = events.Layout.AsSpan(i * FieldsPerEvent, FieldsPerEvent);
            var total = (long)layout[1] + layout[2] + layout[3] + layout[4];
            if (layout[1] < 0 || layout[2] < 0 || layout[3] < 0 || layout[4] < 0 || at + total > data.Length || !Enum.IsDefined((EventKind)layout[0]))
            {
                throw new InvalidDataException($"A notice's event {i} does not fit its data ({data.Length} bytes).");
            }

            var header = data.Slice(at, layout[1]);
            var raw = data.Slice(at += layout[1], layout[2]);
            var activity = data.Slice(at += layout[2], layout[3]);
            var json = data.Slice(at += layout[3], layout[4]);
            at += layout[4];
            unpacked[i] = new StoredEvent(firstSequence + i, (EventKind)layout[0], new EventParts(header, raw, activity, json));
        }

        return at == data.Length ? unpacked : throw new InvalidDataException($"A notice's data has {data.Length - at} bytes that no event describes.");
    }

    private static int Size(StoredEvent stored) =>
        stored.Parts.Header.Length + stored.Parts.Raw.Length + stored.Parts.Activity.Length + stored.Parts.RawJson.Length;

    private static EncodedEvents PackRun(IReadOnlyList<StoredEvent> events, int from, int to)
    {
        var total = 0;
        for (var i = from; i < to; i++)
        {
            total += Size(events[i]);
        }

        var data = new byte[total];
        var layout = new int[(to - from) * FieldsPerEvent];
        var at = 0;
        for (var i = from; i < to; i++)
        {
            var parts = events[i].Parts;
            var l = (i - from) * FieldsPerEvent;
            layout[l] = (int)events[i].Kind;
            layout[l + 1] = parts.Header.Length;
            layout[l + 2] = parts.Raw.Length;
            layout[l + 3] = parts.Activity.Length;
            layout[l + 4] = parts.RawJson.Length;
            foreach (var part in (ReadOnlyMemory<byte>[])[parts.Header, parts.Raw, parts.Activity, parts.RawJson])
            {
                part.Span.CopyTo(data.AsSpan(at));
                at += part.Length;
            }
        }

        return new EncodedEvents(data, layout);
    }
}
