using O365Activity.Storage.History;
using O365Activity.Storage.Postgres;

namespace O365Activity.Storage.InMemory;

/// <summary>
/// The event store in this process's memory, with the same semantics as <see cref="PostgresEventStore"/> (the single
/// writer's fence, de-duplication on record <c>Id</c>, gapless sequences, atomic commits). For local runs in one
/// process (the <c>Local</c> cluster variant) and for tests of the collection pipeline without a database. Nothing
/// survives the process. Thread-safe.
/// </summary>
public sealed class InMemoryEventStore : IEventStore, IActivityHistory
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, EventSourceEntry> _registry = [];
    private readonly Dictionary<Guid, SourceData> _sources = [];

    // Removed or replaced sources whose events the retention job has not removed yet (the deleted_sources table).
    private readonly Dictionary<Guid, SourceData> _deleted = [];

    /// <inheritdoc />
    public Task RegisterSourceAsync(EventSourceEntry source, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_registry.TryGetValue(source.TenantId, out var old) && old.SourceId != source.SourceId)
            {
                Retire(old.SourceId);
            }

            _registry[source.TenantId] = _registry.TryGetValue(source.TenantId, out var same) && same.SourceId == source.SourceId
                ? same with { DisplayName = source.DisplayName }
                : source with { LastSequence = 0, HostSilo = null };
            _sources.TryAdd(source.SourceId, new SourceData());
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task RemoveSourceAsync(Guid tenantId, Guid sourceId, DateTimeOffset deletedAt, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_registry.TryGetValue(tenantId, out var entry) && entry.SourceId == sourceId)
            {
                _registry.Remove(tenantId);
                Retire(sourceId);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<EventSourceEntry?> GetSourceAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_registry.TryGetValue(tenantId, out var entry) ? entry : null);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<EventSourceEntry>> ListSourcesAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<EventSourceEntry>>([.. _registry.Values.OrderBy(e => e.TenantId)]);
        }
    }

    /// <inheritdoc />
    public Task SetHostAsync(Guid sourceId, string silo, DateTimeOffset since, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            foreach (var (tenant, entry) in _registry)
            {
                if (entry.SourceId == sourceId)
                {
                    _registry[tenant] = entry with { HostSilo = silo };
                    break;
                }
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Guid>> FindSourcesHostedOutsideAsync(IReadOnlyCollection<string> activeSilos, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<Guid>>([.. _registry.Values
                .Where(e => e.HostSilo is null || !activeSilos.Contains(e.HostSilo))
                .Select(e => e.TenantId)
                .Order()]);
        }
    }

    /// <inheritdoc />
    public Task<SourceProgress> LoadProgressAsync(Guid sourceId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var (entry, data) = Find(sourceId) ?? throw new EventStoreConflictException(sourceId, 0, null);
            return Task.FromResult(new SourceProgress(entry.LastSequence, [.. data.Cursors.Values.OrderBy(c => c.ContentType, StringComparer.Ordinal)]));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlySet<string>> FindProcessedBlobsAsync(Guid sourceId, IReadOnlyCollection<string> contentIds, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var done = Find(sourceId)?.Data.Blobs ?? [];
            return Task.FromResult<IReadOnlySet<string>>(new HashSet<string>(contentIds.Where(done.ContainsKey), StringComparer.Ordinal));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, string>> LoadProfilesAsync(Guid sourceId, IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var found = new Dictionary<string, string>(StringComparer.Ordinal);
            if (Find(sourceId) is var (_, data))
            {
                foreach (var key in keys)
                {
                    if (data.Profiles.TryGetValue(key, out var profile))
                    {
                        found[key] = profile;
                    }
                }
            }

            return Task.FromResult<IReadOnlyDictionary<string, string>>(found);
        }
    }

    /// <inheritdoc />
    public Task<CommitResult> CommitAsync(CommitRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (Find(request.SourceId) is not var (entry, data) || entry.LastSequence != request.ExpectedLastSequence)
            {
                throw new EventStoreConflictException(request.SourceId, request.ExpectedLastSequence, Find(request.SourceId)?.Entry.LastSequence);
            }

            var next = request.ExpectedLastSequence;
            var kinds = new List<EventKind>();
            var keys = new HashSet<Guid>();
            foreach (var record in request.Records)
            {
                var key = record.RecordKey;
                if (data.RecordKeys.Contains(key) || !keys.Add(key))
                {
                    continue;
                }

                next++;
                kinds.Add(record.Kind);
                data.Events.Add(new StoredEvent(next, record.Kind, record.Parts));
                data.StoredTimes.Add(request.StoredAt);
                data.Keys.Add(key);
                data.Facts.Add((record.EventTime, record.Facts));
                data.RiskFlags.Add(record.RiskFlags);
            }

            data.RecordKeys.UnionWith(keys);
            foreach (var (key, profile) in request.Profiles)
            {
                data.Profiles[key] = profile;
            }

            foreach (var blob in request.Blobs)
            {
                data.Blobs.TryAdd(blob.ContentId, blob);
            }

            if (request.Cursor is { } cursor)
            {
                data.Cursors[cursor.ContentType] = cursor;
            }

            _registry[entry.TenantId] = entry with { LastSequence = next };
            return Task.FromResult(CommitResult.For(request.ExpectedLastSequence, request.Records.Count, kinds));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredEvent>> ReadAsync(Guid sourceId, long afterSequence, long throughSequence, EventKind? kind, int limit, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (Find(sourceId) is not var (_, data))
            {
                return Task.FromResult<IReadOnlyList<StoredEvent>>([]);
            }

            // Sequences are dense from the first kept one, so the first index is a subtraction.
            var first = data.Events.Count == 0 ? 0 : data.Events[0].Sequence;
            var start = (int)Math.Max(0, afterSequence + 1 - first);
            var events = new List<StoredEvent>();
            for (var i = start; i < data.Events.Count && events.Count < limit; i++)
            {
                var stored = data.Events[i];
                if (stored.Sequence > throughSequence)
                {
                    break;
                }

                if (kind is null || stored.Kind == kind)
                {
                    events.Add(stored);
                }
            }

            return Task.FromResult<IReadOnlyList<StoredEvent>>(events);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredEvent>> QueryAsync(Guid sourceId, ActivityQuery query, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        lock (_lock)
        {
            if (Find(sourceId) is not var (_, data))
            {
                return Task.FromResult<IReadOnlyList<StoredEvent>>([]);
            }

            var indexes = Enumerable.Range(0, data.Events.Count);
            var matches = (query.NewestFirst ? indexes.Reverse() : indexes)
                .Where(i => data.Events[i].Kind == query.Kind
                    && (!query.FlaggedOnly || data.RiskFlags[i] != 0)
                    && Matches(query, data.Events[i].Sequence, data.Facts[i].EventTime, data.Facts[i].Facts))
                .Take(query.Limit)
                .Select(i => data.Events[i]);
            return Task.FromResult<IReadOnlyList<StoredEvent>>([.. matches]);
        }
    }

    /// <inheritdoc />
    public Task<LocationSummary> CountLocationsAsync(Guid sourceId, DateTimeOffset? start, DateTimeOffset? end, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var signIns = SignInTimes(sourceId, start, end, user: null).ConvertAll(s => s.Facts);
            var located = signIns
                .Where(f => f.LocationReliable == true && f.Location is { } l && (l.CountryCode is not null || l.Latitude is not null))
                .GroupBy(f => (f.Location!.CountryCode, f.Location.CountryName, f.Location.Region, f.Location.City, f.Location.Latitude, f.Location.Longitude))
                .Select(g =>
                {
                    var users = g.Select(f => f.User).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                    return (Total: g.Count(), Count: new LocationCount(
                        g.Key.CountryCode,
                        g.Key.CountryName,
                        g.Key.Region,
                        g.Key.City,
                        g.Key.Latitude,
                        g.Key.Longitude,
                        g.Count(f => f.Result == 1),
                        g.Count(f => f.Result == 2),
                        g.Count(f => f.Result == 3),
                        users.Count,
                        [.. users.Take(IActivityHistory.LocationUserLimit)]));
                })
                .OrderByDescending(l => l.Total)
                .ThenBy(l => l.Count.CountryCode, StringComparer.Ordinal)
                .ThenBy(l => l.Count.Region, StringComparer.Ordinal)
                .ThenBy(l => l.Count.City, StringComparer.Ordinal)
                .Select(l => l.Count);
            return Task.FromResult(new LocationSummary(
                [.. located],
                signIns.Count(f => f.LocationReliable != true),
                signIns.Count(f => f.LocationReliable == true && (f.Location is null || (f.Location.CountryCode is null && f.Location.Latitude is null)))));
        }
    }

    /// <inheritdoc />
    public Task<UserSummary> SummarizeUserAsync(Guid sourceId, string user, DateTimeOffset? start, DateTimeOffset? end, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var signIns = SignInTimes(sourceId, start, end, user);
            return Task.FromResult(new UserSummary(
                Seen(signIns, f => f.Location?.CountryCode, f => f.Location?.CountryName),
                Seen(signIns, f => f.ClientIp?.ToString(), f => f.Location?.CountryCode),
                Seen(signIns, f => f.ApplicationId ?? f.ApplicationName, f => f.ApplicationName),
                signIns.Count,
                signIns.Count(s => s.Facts.Result == 2)));
        }
    }

    private static bool Matches(ActivityQuery query, long sequence, DateTimeOffset eventTime, ActivityFacts facts) =>
        (query.Start is not { } start || eventTime >= start)
        && (query.End is not { } end || eventTime < end)
        && (query.User is not { } user || query.Role switch
        {
            UserRole.Actor => facts.User == user,
            UserRole.Target => facts.Target == user,
            _ => facts.User == user || (query.Kind == EventKind.Admin && facts.Target == user),
        })
        && (query.Results.Count == 0 || query.Results.Contains(facts.Result))
        && (query.Actions.Count == 0 || (facts.Action is { } action && query.Actions.Contains(action)))
        && (query.Network is not { } network || (facts.ClientIp is { } ip && network.Contains(ip)))
        && (query.After is not { } after || (query.NewestFirst ? sequence < after : sequence > after));

    private List<(DateTimeOffset EventTime, ActivityFacts Facts)> SignInTimes(Guid sourceId, DateTimeOffset? start, DateTimeOffset? end, string? user)
    {
        if (Find(sourceId) is not var (_, data))
        {
            return [];
        }

        return [.. data.Facts.Where((f, i) => data.Events[i].Kind == EventKind.Ingress
            && (start is null || f.EventTime >= start)
            && (end is null || f.EventTime < end)
            && (user is null || f.Facts.User == user))];
    }

    private static List<SeenValue> Seen(
        List<(DateTimeOffset EventTime, ActivityFacts Facts)> signIns,
        Func<ActivityFacts, string?> value,
        Func<ActivityFacts, string?> label) =>
        [.. signIns
            .Where(s => value(s.Facts) is not null)
            .GroupBy(s => value(s.Facts)!, StringComparer.Ordinal)
            .Select(g => new SeenValue(
                g.Key,
                g.Select(s => label(s.Facts)).Where(l => l is not null).Max(StringComparer.Ordinal),
                g.Count(),
                g.Count(s => s.Facts.Result == 2),
                g.Min(s => s.EventTime),
                g.Max(s => s.EventTime)))
            .OrderByDescending(v => v.LastSeen)
            .ThenBy(v => v.Value, StringComparer.Ordinal)
            .Take(IActivityHistory.SummaryLimit)];

    /// <inheritdoc />
    public Task<long> FindSequenceBeforeAsync(Guid sourceId, DateTimeOffset storedFrom, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (Find(sourceId) is not var (entry, data))
            {
                return Task.FromResult(0L);
            }

            var index = data.StoredTimes.FindIndex(t => t >= storedFrom);
            return Task.FromResult(index < 0 ? entry.LastSequence : data.Events[index].Sequence - 1);
        }
    }

    /// <inheritdoc />
    public Task<RetentionResult> PurgeAsync(DateTimeOffset eventsBefore, DateTimeOffset blobsBefore, int batchSize, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            long events = _deleted.Values.Sum(d => (long)d.Events.Count);
            var sources = _deleted.Count;
            _deleted.Clear();
            long blobs = 0;
            foreach (var data in _sources.Values)
            {
                var old = data.StoredTimes.FindIndex(t => t >= eventsBefore);
                var remove = old < 0 ? data.Events.Count : old;
                data.RecordKeys.ExceptWith(data.Keys.Take(remove));
                data.Events.RemoveRange(0, remove);
                data.Keys.RemoveRange(0, remove);
                data.StoredTimes.RemoveRange(0, remove);
                data.Facts.RemoveRange(0, remove);
                data.RiskFlags.RemoveRange(0, remove);
                events += remove;
                foreach (var (id, blob) in data.Blobs.Where(b => b.Value.ContentCreated < blobsBefore).ToList())
                {
                    data.Blobs.Remove(id);
                    blobs++;
                }
            }

            return Task.FromResult(new RetentionResult(events, blobs, sources));
        }
    }

    private void Retire(Guid sourceId)
    {
        if (_sources.Remove(sourceId, out var data))
        {
            _deleted[sourceId] = data;
        }
    }

    private (EventSourceEntry Entry, SourceData Data)? Find(Guid sourceId)
    {
        foreach (var entry in _registry.Values)
        {
            if (entry.SourceId == sourceId && _sources.TryGetValue(sourceId, out var data))
            {
                return (entry, data);
            }
        }

        return null;
    }

    private sealed class SourceData
    {
        public List<StoredEvent> Events { get; } = [];

        public List<DateTimeOffset> StoredTimes { get; } = [];

        /// <summary>Per event (same index as <see cref="Events"/>): its event time and what the history queries filter on.</summary>
        public List<(DateTimeOffset EventTime, ActivityFacts Facts)> Facts { get; } = [];

        /// <summary>Per event: its risk-flag kinds (<see cref="NewRecord.RiskFlags"/>).</summary>
        public List<short> RiskFlags { get; } = [];

        /// <summary>Sign-in profiles by key (<see cref="CommitRequest.Profiles"/>).</summary>
        public Dictionary<string, string> Profiles { get; } = new(StringComparer.Ordinal);

        public List<Guid> Keys { get; } = [];

        public HashSet<Guid> RecordKeys { get; } = [];

        public Dictionary<string, ProcessedBlob> Blobs { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, ContentCursor> Cursors { get; } = new(StringComparer.Ordinal);
    }
}
