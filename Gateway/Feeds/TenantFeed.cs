using Grpc.Core;
using O365Activity.Contracts;
using O365Activity.Storage;
using O365Activity.Storage.Wire;
using Orleans.Streams;

namespace O365Activity.Gateway.Feeds;

/// <summary>
/// What one gateway knows of one tenant's current source for its open streams: the last sequence committed (the
/// head), and whether the source still exists. One Orleans stream subscription per tenant per gateway feeds it
/// (DESIGN.md decision 4), and a check of the event store every <see cref="GatewayOptions.SourceCheckInterval"/>
/// backs it up: a lost notice or a silo failover delays delivery by at most two intervals (a check moves the head to
/// what the check before it saw, so that a notice on its way is not overtaken), and a deleted source is noticed within
/// one even when its notice is lost. The events the notices carry are kept in <see cref="Recent"/>, which
/// the tenant's streams at the head read from; a stream further behind, or past a notice that carried no events, reads
/// the store.
/// </summary>
public sealed partial class TenantFeed : IAsyncDisposable
{
    private readonly IEventStore _store;
    private readonly TimeSpan _checkInterval;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private StreamSubscriptionHandle<ActivityNotice>? _subscription;
    private Task _checker = Task.CompletedTask;
    private long _head;

    internal TenantFeed(Guid tenantId, Guid sourceId, IEventStore store, TimeSpan checkInterval, long cacheBytes, ILogger logger)
    {
        TenantId = tenantId;
        SourceId = sourceId;
        _store = store;
        _checkInterval = checkInterval;
        _logger = logger;
        Recent = new RecentEvents(cacheBytes);
    }

    /// <summary>The tenant id.</summary>
    public Guid TenantId { get; }

    /// <summary>The source (incarnation) this feed follows.</summary>
    public Guid SourceId { get; }

    /// <summary>The most recent events, as the notices carried them.</summary>
    public RecentEvents Recent { get; }

    /// <summary>The last sequence known to be committed.</summary>
    public long Head => Interlocked.Read(ref _head);

    /// <summary>Why the feed ended (<c>NOT_FOUND</c>: the source was deleted or replaced); null while it runs.</summary>
    public RpcException? Ended { get; private set; }

    internal int References { get; set; }

    /// <summary>Waits until the head passes <paramref name="position"/>.</summary>
    /// <exception cref="RpcException">The feed ended (<see cref="Ended"/>).</exception>
    /// <exception cref="OperationCanceledException">The call ended.</exception>
    public async Task WaitBeyondAsync(long position, CancellationToken cancellationToken)
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

            if (Head > position)
            {
                return;
            }

            await changed.WaitAsync(cancellationToken);
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

        Advance(entry.LastSequence);
        var stream = cluster.GetStreamProvider(ActivityStreams.ProviderName).GetStream<ActivityNotice>(ActivityStreams.For(TenantId));
        _subscription = await stream.SubscribeAsync((notice, _) =>
        {
            OnNotice(notice);
            return Task.CompletedTask;
        });
        _checker = CheckAsync(_stop.Token);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _checker;
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

        if (notice.Events is { } events)
        {
            try
            {
                Recent.Add(NoticeEvents.Unpack(notice.FirstSequence, events));
            }
            catch (InvalidDataException e)
            {
                // The store has the events: streams read them there.
                LogNoticeUnreadable(_logger, TenantId, notice.FirstSequence, notice.LastSequence, e.Message);
            }
        }

        Advance(notice.LastSequence);
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

                    // The head the previous check saw: a notice has had a whole interval to arrive (with the events
                    // it carries) before the streams are sent to the store for a range.
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: the events of the notice of sequences {First}-{Last} could not be read ({Error}); the streams read them from the store")]
    private static partial void LogNoticeUnreadable(ILogger logger, Guid tenantId, long first, long last, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Tenant {TenantId}: unsubscribing from the notice stream failed: {Error}")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Guid tenantId, string error);
}
