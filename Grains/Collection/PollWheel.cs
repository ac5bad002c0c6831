using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace O365Activity.Grains.Collection;

/// <summary>
/// The silo's one timer for its tenants' polls: each tenant grain books its next poll here
/// (<see cref="Schedule"/>), and when the time comes the wheel calls the grain's <see cref="ITenantPoller.PollDue"/>, a
/// one-way grain call that runs the poll as a request of its own (so it never interleaves with the grain's other
/// requests, as a non-interleaving grain timer's tick would not).
/// </summary>
/// <remarks>
/// <para>Why not a grain timer per tenant: each is a <see cref="System.Threading.Timer"/>, and .NET's timer queue walks
/// every long-running timer about three times a second. With 10,000 idle tenants that walk was a fifth of the silo's
/// CPU (measured with perf on tests/Benchmarks' idle scenario). The wheel holds one timer, set for the earliest booking.</para>
/// <para>A booking is one-shot and one per tenant: booking again replaces it, and <see cref="Cancel"/> removes it (a
/// grain cancels on deactivation and on delete, so the wheel never wakes a grain that stopped on purpose). A call that
/// reaches an activation elsewhere (the grain moved) or that is no longer due is ignored by the grain.</para>
/// <para>Times are the <see cref="TimeProvider"/>'s UTC; a booking in the past is called at once.</para>
/// </remarks>
public sealed partial class PollWheel : IDisposable
{
    private readonly Action<Guid> _call;
    private readonly TimeProvider _time;
    private readonly ILogger<PollWheel> _logger;
    private readonly Lock _lock = new();
    private readonly PriorityQueue<Guid, long> _queue = new();
    private readonly Dictionary<Guid, long> _booked = [];
    private readonly ITimer _timer;
    private long _armedFor = long.MaxValue;

    /// <summary>Creates the wheel (one per silo, by dependency injection).</summary>
    /// <param name="grains">Calls the tenant grains.</param>
    /// <param name="time">The clock of the bookings and of the timer.</param>
    /// <param name="logger">Where a call that could not be sent is logged.</param>
    public PollWheel(IGrainFactory grains, TimeProvider time, ILogger<PollWheel> logger)
        : this(tenant => _ = grains.GetGrain<ITenantPoller>(tenant).PollDue(), time, logger)
    {
    }

    /// <summary>Creates a wheel that calls <paramref name="call"/> with each tenant whose booking comes due (for tests).</summary>
    internal PollWheel(Action<Guid> call, TimeProvider time, ILogger<PollWheel> logger)
    {
        _call = call;
        _time = time;
        _logger = logger;
        _timer = time.CreateTimer(static state => ((PollWheel)state!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The tenants booked now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _booked.Count;
            }
        }
    }

    /// <summary>Books (or moves) <paramref name="tenantId"/>'s next poll for <paramref name="due"/>.</summary>
    /// <param name="tenantId">The tenant grain's key.</param>
    /// <param name="due">When to call it.</param>
    public void Schedule(Guid tenantId, DateTimeOffset due)
    {
        var ticks = due.UtcTicks;
        lock (_lock)
        {
            _booked[tenantId] = ticks;
            _queue.Enqueue(tenantId, ticks);
            if (ticks < _armedFor)
            {
                Arm(ticks);
            }
        }
    }

    /// <summary>Removes <paramref name="tenantId"/>'s booking, if any.</summary>
    /// <param name="tenantId">The tenant grain's key.</param>
    public void Cancel(Guid tenantId)
    {
        lock (_lock)
        {
            _booked.Remove(tenantId);
        }
    }

    /// <summary>Stops the timer; bookings still held are never called.</summary>
    public void Dispose() => _timer.Dispose();

    /// <summary>Sets the timer for <paramref name="ticks"/>; under the lock.</summary>
    private void Arm(long ticks)
    {
        _armedFor = ticks;
        var delay = Math.Max(0, ticks - _time.GetUtcNow().UtcTicks);
        _timer.Change(TimeSpan.FromTicks(delay), Timeout.InfiniteTimeSpan);
    }

    private void Fire()
    {
        List<Guid>? due = null;
        lock (_lock)
        {
            var now = _time.GetUtcNow().UtcTicks;
            _armedFor = long.MaxValue;
            while (_queue.TryPeek(out var tenant, out var ticks))
            {
                if (ticks > now)
                {
                    Arm(ticks);
                    break;
                }

                _queue.Dequeue();
                // A booking replaced or cancelled since leaves its old entry in the queue: only the current one counts.
                if (_booked.TryGetValue(tenant, out var current) && current == ticks)
                {
                    _booked.Remove(tenant);
                    (due ??= []).Add(tenant);
                }
            }

            // Entries of replaced bookings pile up only if tenants re-book far ahead again and again: compact then.
            if (_queue.Count > 2 * _booked.Count + 1024)
            {
                _queue.Clear();
                foreach (var (tenant, ticks) in _booked)
                {
                    _queue.Enqueue(tenant, ticks);
                }

                if (_queue.TryPeek(out _, out var first))
                {
                    Arm(first);
                }
            }
        }

        if (due is null)
        {
            return;
        }

        foreach (var tenant in due)
        {
            try
            {
                _call(tenant);
            }
            catch (Exception e)
            {
                // The silo is stopping, or the call could not be sent: the grain's reminder wakes it again.
                LogCallFailed(_logger, e, tenant);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: its due poll could not be started; its reminder starts polling again")]
    private static partial void LogCallFailed(ILogger logger, Exception exception, Guid tenantId);
}

/// <summary>The tenant grain's poll, as <see cref="PollWheel"/> calls it.</summary>
[Alias("o365.ITenantPoller")]
public interface ITenantPoller : IGrainWithGuidKey
{
    /// <summary>
    /// Runs the tenant's poll if one is due (its booked time has come and the source is connected), then books the next;
    /// otherwise does nothing. One-way: the caller does not wait for the poll.
    /// </summary>
    [OneWay]
    [Alias("PollDue")]
    Task PollDue();
}
