using Grpc.Core;
using O365Activity.Contracts;
using O365Activity.Storage;
using Orleans.Streams;

namespace O365Activity.Gateway.Feeds;

/// <summary>
/// What one gateway knows of one tenant's current source for its open streams: the last sequence committed (the
/// head), whether the source still exists, and its most recent events (<see cref="Recent"/>). One Orleans stream
/// subscription per tenant per gateway moves the head (DESIGN.md decision 4), and a check of the event store every
/// <see cref="GatewayOptions.SourceCheckInterval"/> backs it up: a lost notice or a silo failover delays delivery by at
/// most two intervals (a check moves the head to what the check before it saw, so that it does not overtake a notice
/// on its way), and a deleted source is noticed within one even when its notice is lost.
/// </summary>
/// <remarks>
/// The feed reads each new event from the store once, into <see cref="Recent"/>, as the head moves; every stream of
/// the tenant at or near the head is served from there, so the store's load does not grow with the number of streams.
/// A stream further behind than <see cref="Recent"/> reaches reads the store itself, a page at a time. While the store
/// cannot be read, the streams at the head pause and the feed tries again.
/// </remarks>
public sealed partial class TenantFeed : IAsyncDisposable
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(10);
    private readonly IEventStore _store;
    private readonly TimeSpan _checkInterval;
    private readonly int _pageSize;
    private readonly bool _caching;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private StreamSubscriptionHandle<ActivityNotice>? _subscription;
    private Task _checker = Task.CompletedTask;
    private Task _filler = Task.CompletedTask;
    private long _head;

    internal TenantFeed(Guid tenantId, Guid sourceId, IEventStore store, GatewayOptions options, ILogger logger)
    {
        TenantId = tenantId;
        SourceId = sourceId;
        _store = store;
        _checkInterval = options.SourceCheckInterval;
        _pageSize = options.ReplayPageSize;
        _caching = options.FeedCacheBytes > 0;
        _logger = logger;
        Recent = new RecentEvents(options.FeedCacheBytes);
    }

    /// <summary>The tenant id.</summary>
    public Guid TenantId { get; }

    /// <summary>The source (incarnation) this feed follows.</summary>
    public Guid SourceId { get; }

    /// <summary>The source's most recent events, read from the store once for all of the tenant's streams.</summary>
    public RecentEvents Recent { get; }

    /// <summary>The last sequence known to be committed.</summary>
    public long Head => Interlocked.Read(ref _head);

    /// <summary>Why the feed ended (<c>NOT_FOUND</c>: the source was deleted or replaced); null while it runs.</summary>
    public RpcException? Ended { get; private set; }

    internal int References { get; set; }

    /// <summary>
    /// The next events after <paramref name="position"/>, of one kind or (null) all, at most <paramref name="limit"/>:
    /// from <see cref="Recent"/> when it holds the next sequence, from the store when the position is older than what
    /// it holds. Waits while there is nothing after the position yet.
    /// </summary>
    /// <returns>The events (possibly none of the kind) and the sequence up to which they were looked for: the next position.</returns>
    /// <exception cref="RpcException">The feed ended (<see cref="Ended"/>).</exception>
    /// <exception cref="OperationCanceledException">The call ended.</exception>
    /// <exception cref="System.Data.Common.DbException">When the store cannot be read for a position behind <see cref="Recent"/>.</exception>
    public async Task<(IReadOnlyList<StoredEvent> Events, long Through)> NextAsync(long position, EventKind? kind, int limit, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (Ended is { } ended)
            {
                throw ended;
            }

            var head = Head;
            if (position >= head)
            {
                await WaitUntilAsync(() => Head > position, cancellationToken);
                continue;
            }

            if (Recent.TryRead(position, kind, limit) is var (events, through))
            {
                return (events, through);
            }

            if (_caching && position >= Recent.Range.Last)
            {
                // The feed is reading these from the store for every stream.
                await WaitUntilAsync(() => Recent.Range is var (first, last) && (last > position || position + 1 < first), cancellationToken);
                continue;
            }

            var page = await _store.ReadAsync(SourceId, position, head, kind, limit, cancellationToken);
            return (page, page.Count < limit ? head : page[^1].Sequence);
        }
    }

    /// <summary>Subscribes to the tenant's notice stream, reads the head from the store and starts the store check.</summary>
    internal async Task StartAsync(IClusterClient cluster, CancellationToken cancellationToken)
    {
        var entry = await _store.GetSourceAsync(TenantId, cancellationToken);
        if (entry is null || entry.SourceId != SourceId)
        {
            End();
            return;
        }

        Recent.StartAt(entry.LastSequence);
        Advance(entry.LastSequence);
        var stream = cluster.GetStreamProvider(ActivityStreams.ProviderName).GetStream<ActivityNotice>(ActivityStreams.For(TenantId));
        _subscription = await stream.SubscribeAsync((notice, _) =>
        {
            OnNotice(notice);
            return Task.CompletedTask;
        });
        _checker = CheckAsync(_stop.Token);
        if (_caching)
        {
            _filler = FillAsync(_stop.Token);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _checker;
        await _filler;
        if (_subscription is { } subscription)
        {
            try
            {
                await subscription.UnsubscribeAsync();
            }
            catch (Exception e)
            {
                // The cluster may be gone; the subscription dies with this client.
                LogUnsubscribeFailed(_logger, TenantId, e.Message);
            }
        }

        _stop.Dispose();
    }

    private void OnNotice(ActivityNotice notice)
    {
        if (notice.SourceId != SourceId || notice.Deleted)
        {
            // Deleted, or a newer source of the tenant is committing: this one is over.
            if (notice.SourceId == SourceId || notice.LastSequence > 0)
            {
                End();
            }

            return;
        }

        Advance(notice.LastSequence);
    }

    /// <summary>Reads the events between <see cref="Recent"/>'s last and the head into it, a page at a time.</summary>
    private async Task FillAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        try
        {
            while (Ended is null)
            {
                var last = Recent.Range.Last;
                var head = Head;
                if (last >= head)
                {
                    await WaitUntilAsync(() => Head > last, cancellationToken);
                    continue;
                }

                try
                {
                    var page = await _store.ReadAsync(SourceId, last, head, null, _pageSize, cancellationToken);
                    failures = 0;
                    if (page.Count == 0)
                    {
                        // Nothing stored there any more (the retention job removed it): start again at the head.
                        Recent.StartAt(head);
                    }
                    else
                    {
                        Recent.Add(page);
                    }

                    Signal();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The store is unreachable: the streams at the head pause, and resume with it.
                    failures++;
                    LogFillFailed(_logger, TenantId, e.Message);
                    await Task.Delay(TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, _checkInterval.Ticks * failures)), cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The feed was disposed.
        }
        catch (RpcException)
        {
            // The feed ended; its streams end with it.
        }
    }

    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        long checkedHead = 0;
        try
        {
            while (Ended is null)
            {
                await Task.Delay(_checkInterval, cancellationToken);
                try
                {
                    var entry = await _store.GetSourceAsync(TenantId, cancellationToken);
                    if (entry is null || entry.SourceId != SourceId)
                    {
                        End();
                        return;
                    }

                    // The head the previous check saw: a notice has had a whole interval to arrive first.
                    Advance(checkedHead);
                    checkedHead = entry.LastSequence;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The store is unreachable: the streams pause, and resume with it.
                    LogCheckFailed(_logger, TenantId, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The feed was disposed.
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds after a change of the head or of <see cref="Recent"/>.</summary>
    /// <exception cref="RpcException">The feed ended.</exception>
    private async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                changed = _changed.Task;
            }

            if (Ended is { } ended)
            {
                throw ended;
            }

            if (condition())
            {
                return;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    private void Advance(long head)
    {
        long current;
        do
        {
            current = Interlocked.Read(ref _head);
            if (head <= current)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _head, head, current) != current);
        Signal();
    }

    private void End()
    {
        Ended ??= new RpcException(new Status(StatusCode.NotFound, $"The event source of tenant {TenantId} was deleted."));
        Signal();
    }

    private void Signal()
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: checking the event store for the open streams failed: {Error}")]
    private static partial void LogCheckFailed(ILogger logger, Guid tenantId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: reading new events from the event store for the open streams failed: {Error}")]
    private static partial void LogFillFailed(ILogger logger, Guid tenantId, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Tenant {TenantId}: unsubscribing from the notice stream failed: {Error}")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Guid tenantId, string error);
}
