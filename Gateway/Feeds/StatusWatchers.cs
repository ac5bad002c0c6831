using System.Threading.Channels;
using O365Activity.Contracts;
using Orleans.Streams;

namespace O365Activity.Gateway.Feeds;

/// <summary>
/// The gateway's <c>WatchEventSources</c> calls: one Orleans subscription to <see cref="ActivityStreams.StatusChanges"/>
/// per gateway (made with the first watcher, kept until the gateway stops), fanned out to each watcher's queue.
/// Thread-safe.
/// </summary>
/// <remarks>
/// A watcher's queue holds <see cref="Capacity"/> changes. A watcher that falls that far behind is ended
/// (<see cref="StatusWatcher.Overflowed"/>): its call ends with <c>RESOURCE_EXHAUSTED</c>, and on reconnecting it gets
/// every source's current status again, so nothing is missed silently and a slow watcher holds no unbounded memory.
/// </remarks>
public sealed partial class StatusWatchers(IClusterClient cluster, ILogger<StatusWatchers> logger) : IAsyncDisposable
{
    /// <summary>Changes a watcher's queue holds before the watcher is ended.</summary>
    public const int Capacity = 10_000;

    private readonly Lock _lock = new();
    private readonly List<StatusWatcher> _watchers = [];
    private Task<StreamSubscriptionHandle<EventSourceChanged>>? _subscription;

    /// <summary>Watchers now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _watchers.Count;
            }
        }
    }

    /// <summary>Adds a watcher; its queue receives every change from the time this returns.</summary>
    /// <param name="cancellationToken">Stops waiting for the subscription.</param>
    /// <returns>The watcher; remove it with <see cref="Remove"/>.</returns>
    /// <exception cref="Exception">The subscription failed (the cluster is unreachable); the next watcher tries again.</exception>
    public async Task<StatusWatcher> AddAsync(CancellationToken cancellationToken)
    {
        var watcher = new StatusWatcher();
        Task<StreamSubscriptionHandle<EventSourceChanged>> subscription;
        lock (_lock)
        {
            _watchers.Add(watcher);
            if (_subscription is null || _subscription.IsFaulted || _subscription.IsCanceled)
            {
                _subscription = SubscribeAsync();
            }

            subscription = _subscription;
        }

        try
        {
            await subscription.WaitAsync(cancellationToken);
            return watcher;
        }
        catch
        {
            Remove(watcher);
            throw;
        }
    }

    /// <summary>Removes a watcher.</summary>
    public void Remove(StatusWatcher watcher)
    {
        lock (_lock)
        {
            _watchers.Remove(watcher);
        }

        watcher.Queue.Writer.TryComplete();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Task<StreamSubscriptionHandle<EventSourceChanged>>? subscription;
        lock (_lock)
        {
            subscription = _subscription;
            _subscription = null;
        }

        if (subscription is { IsCompletedSuccessfully: true })
        {
            try
            {
                await subscription.Result.UnsubscribeAsync();
            }
            catch (Exception e)
            {
                // The cluster may be gone; the subscription dies with this client.
                LogUnsubscribeFailed(logger, e.Message);
            }
        }
    }

    private Task<StreamSubscriptionHandle<EventSourceChanged>> SubscribeAsync() =>
        cluster.GetStreamProvider(ActivityStreams.ProviderName).GetStream<EventSourceChanged>(ActivityStreams.StatusChanges)
            .SubscribeAsync((change, _) =>
            {
                Deliver(change);
                return Task.CompletedTask;
            });

    private void Deliver(EventSourceChanged change)
    {
        StatusWatcher[] watchers;
        lock (_lock)
        {
            watchers = [.. _watchers];
        }

        foreach (var watcher in watchers)
        {
            if (!watcher.Queue.Writer.TryWrite(change))
            {
                watcher.Overflowed = true;
                watcher.Queue.Writer.TryComplete();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Unsubscribing from the status changes failed: {Error}")]
    private static partial void LogUnsubscribeFailed(ILogger logger, string error);
}

/// <summary>One <c>WatchEventSources</c> call's queue of changes.</summary>
public sealed class StatusWatcher
{
    /// <summary>The changes, in the order the gateway received them; completed when the watcher is removed or overflows.</summary>
    public Channel<EventSourceChanged> Queue { get; } = Channel.CreateBounded<EventSourceChanged>(
        new BoundedChannelOptions(StatusWatchers.Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>True when the watcher fell <see cref="StatusWatchers.Capacity"/> changes behind and was ended.</summary>
    public bool Overflowed { get; set; }
}
