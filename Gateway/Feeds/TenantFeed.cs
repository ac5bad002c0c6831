using Grpc.Core;
using O365Activity.Contracts;
using O365Activity.Storage;
using Orleans.Streams;

namespace O365Activity.Gateway.Feeds;

/// <summary>
/// What one gateway knows of one tenant's current source for its open streams: the last sequence committed (the
/// head), and whether the source still exists. One Orleans stream subscription per tenant per gateway feeds it
/// (DESIGN.md decision 4), and a check of the event store every <see cref="GatewayOptions.SourceCheckInterval"/>
/// backs it up: a lost notice or a silo failover delays delivery by at most that interval, and a deleted source is
/// noticed within it even when its notice is lost. The gRPC calls read the events themselves from the store.
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

    internal TenantFeed(Guid tenantId, Guid sourceId, IEventStore store, TimeSpan checkInterval, ILogger logger)
    {
        TenantId = tenantId;
        SourceId = sourceId;
        _store = store;
        _checkInterval = checkInterval;
        _logger = logger;
    }

    /// <summary>The tenant id.</summary>
    public Guid TenantId { get; }

    /// <summary>The source (incarnation) this feed follows.</summary>
    public Guid SourceId { get; }

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

        Advance(notice.LastSequence);
    }

    private async Task CheckAsync(CancellationToken cancellationToken)
    {
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

                    Advance(entry.LastSequence);
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Tenant {TenantId}: unsubscribing from the notice stream failed: {Error}")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Guid tenantId, string error);
}
