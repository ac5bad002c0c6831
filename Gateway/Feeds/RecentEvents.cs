using O365Activity.Storage;

namespace O365Activity.Gateway.Feeds;

/// <summary>
/// The most recent events of one tenant's source, read once from the store for all of the tenant's streams on this
/// gateway (<see cref="TenantFeed"/>): one contiguous run of sequences, bounded in bytes (the oldest events are dropped
/// first). Thread-safe.
/// </summary>
public sealed class RecentEvents(long maxBytes)
{
    private readonly Lock _lock = new();
    private readonly Queue<IReadOnlyList<StoredEvent>> _runs = new();
    private long _bytes;
    private long _first = 1;
    private long _last;

    /// <summary>The sequences held, as (first, last); last &lt; first when none.</summary>
    public (long First, long Last) Range
    {
        get
        {
            lock (_lock)
            {
                return (_first, _last);
            }
        }
    }

    /// <summary>Holds nothing, and expects the events after <paramref name="lastSequence"/> next.</summary>
    public void StartAt(long lastSequence)
    {
        lock (_lock)
        {
            _runs.Clear();
            _bytes = 0;
            _first = lastSequence + 1;
            _last = lastSequence;
        }
    }

    /// <summary>
    /// Adds events (consecutive sequences, in order). Events right after the last held are appended; events no newer
    /// than the last held are ignored; events after a gap replace everything held (a stream before the gap reads the
    /// store).
    /// </summary>
    public void Add(IReadOnlyList<StoredEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0 || maxBytes == 0)
        {
            return;
        }

        var size = events.Sum(Size);
        lock (_lock)
        {
            if (events[^1].Sequence <= _last)
            {
                return;
            }

            if (events[0].Sequence != _last + 1)
            {
                _runs.Clear();
                _bytes = 0;
                _first = events[0].Sequence;
            }

            _runs.Enqueue(events);
            _bytes += size;
            _last = events[^1].Sequence;
            while (_bytes > maxBytes && _runs.Count > 1)
            {
                var dropped = _runs.Dequeue();
                _bytes -= dropped.Sum(Size);
                _first = dropped[^1].Sequence + 1;
            }
        }
    }

    /// <summary>
    /// Reads the events after <paramref name="afterSequence"/>, of one kind or (null) all, at most
    /// <paramref name="limit"/>, when the next sequence is held.
    /// </summary>
    /// <returns>
    /// The events, and the sequence up to which the read looked (the caller's next position); null when
    /// <paramref name="afterSequence"/> + 1 is not held (read the store).
    /// </returns>
    public (List<StoredEvent> Events, long Through)? TryRead(long afterSequence, EventKind? kind, int limit)
    {
        lock (_lock)
        {
            if (afterSequence + 1 < _first || afterSequence >= _last)
            {
                return null;
            }

            var events = new List<StoredEvent>();
            foreach (var run in _runs)
            {
                if (run[^1].Sequence <= afterSequence)
                {
                    continue;
                }

                // Sequences are consecutive, so the first event after the position is found by subtraction.
                for (var i = (int)Math.Max(0, afterSequence + 1 - run[0].Sequence); i < run.Count; i++)
                {
                    var stored = run[i];
                    if (kind is null || stored.Kind == kind)
                    {
                        events.Add(stored);
                        if (events.Count == limit)
                        {
                            return (events, stored.Sequence);
                        }
                    }
                }
            }

            return (events, _last);
        }
    }

    private static long Size(StoredEvent stored) =>
        stored.Parts.Header.Length + stored.Parts.Raw.Length + stored.Parts.Activity.Length + stored.Parts.RawJson.Length + 64;
}
