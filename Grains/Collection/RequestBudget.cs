using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace O365Activity.Grains.Collection;

/// <summary>
/// Each tenant's budget of requests to the Management Activity API: documented as 2,000 requests a minute per tenant,
/// shared by listings and blob fetches of every content type (PROTOCOL.md §6). A token bucket per tenant holds about
/// one second's worth (<see cref="BurstSize"/>) and refills continuously with the rest of the minute's budget
/// (<see cref="SustainedPerMinute"/>), so that no 60-second span, however it falls, sees more than
/// <see cref="CollectorOptions.RequestsPerMinute"/> requests, and a backfill still uses some 98% of it. Requests beyond
/// it wait their turn, in the order they asked, instead of drawing AF429. Thread-safe.
/// </summary>
/// <remarks>
/// The bucket is computed when a request asks, from the time since the last one: there is no timer per tenant and no
/// heartbeat over all tenants. (System.Threading.RateLimiting's partitioned token bucket has both: with 10,000 idle
/// tenants they were a third of an idle silo's CPU, measured with perf.) A request that finds the bucket empty reserves
/// the next token and sleeps until it comes; buckets that have refilled are dropped once a minute, so the budget's
/// memory follows the tenants that are busy now.
/// </remarks>
public sealed class RequestBudget : IDisposable
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<Guid, Bucket> _buckets = new();
    private readonly TimeProvider _time;
    private readonly double _tokensPerTick;
    private long _nextSweep;

    /// <summary>Creates the budget from <see cref="CollectorOptions.RequestsPerMinute"/> (0: no budget), on the system clock.</summary>
    /// <param name="options">The collector's options.</param>
    public RequestBudget(IOptions<CollectorOptions> options)
        : this(options, TimeProvider.System)
    {
    }

    /// <summary>Creates the budget on the clock <paramref name="time"/> (tests).</summary>
    internal RequestBudget(IOptions<CollectorOptions> options, TimeProvider time)
    {
        _time = time;
        var perMinute = options.Value.RequestsPerMinute;
        if (perMinute == 0)
        {
            return;
        }

        // A burst of a second's worth; the rest of the minute's budget comes back spread evenly over the minute. (A
        // budget of one a minute still refills one a minute.)
        BurstSize = (perMinute + 59) / 60;
        SustainedPerMinute = Math.Max(1, perMinute - BurstSize);
        _tokensPerTick = SustainedPerMinute / 60.0 / _time.TimestampFrequency;
        _nextSweep = _time.GetTimestamp() + (long)(SweepInterval.TotalSeconds * _time.TimestampFrequency);
    }

    /// <summary>Where each wait for the budget is counted (<c>reason</c> <c>budget</c>); null: not counted.</summary>
    public CollectorMetrics? Metrics { get; init; }

    /// <summary>Requests a tenant may make at once after a quiet second; 0 without a budget.</summary>
    public int BurstSize { get; }

    /// <summary>Requests a tenant gains back each minute (what a backfill sustains); 0 without a budget.</summary>
    public int SustainedPerMinute { get; }

    /// <summary>Tenants whose bucket is not full (those that made a request in about the last second); for tests.</summary>
    internal int TrackedTenants => _buckets.Count;

    /// <summary>Waits until the tenant may send one more request.</summary>
    /// <returns>Null: there is nothing to give back (the type is kept for callers that dispose it).</returns>
    /// <exception cref="OperationCanceledException">When the wait is cancelled; the reserved request is given back.</exception>
    public async ValueTask<IDisposable?> AcquireAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        if (SustainedPerMinute == 0)
        {
            return null;
        }

        var now = _time.GetTimestamp();
        SweepIfDue(now);
        TimeSpan wait;
        Bucket bucket;
        while (true)
        {
            bucket = _buckets.GetOrAdd(tenantId, static (_, state) => new Bucket(state.BurstSize, state.Now), (BurstSize, Now: now));
            lock (bucket)
            {
                if (bucket.Retired)
                {
                    continue;
                }

                bucket.Refill(now, BurstSize, _tokensPerTick);
                bucket.Tokens -= 1;
                wait = bucket.Tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-bucket.Tokens / (_tokensPerTick * _time.TimestampFrequency));
                break;
            }
        }

        if (wait > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                lock (bucket)
                {
                    bucket.Tokens += 1;
                }

                throw;
            }

            Metrics?.ThrottleWait(tenantId, wait, "budget");
        }

        return null;
    }

    /// <inheritdoc />
    public void Dispose() => _buckets.Clear();

    /// <summary>Drops the buckets that are full again: a tenant that asks later starts from a full bucket all the same.</summary>
    private void SweepIfDue(long now)
    {
        var due = Volatile.Read(ref _nextSweep);
        if (now < due || Interlocked.CompareExchange(ref _nextSweep, now + (long)(SweepInterval.TotalSeconds * _time.TimestampFrequency), due) != due)
        {
            return;
        }

        foreach (var (tenant, bucket) in _buckets)
        {
            lock (bucket)
            {
                bucket.Refill(now, BurstSize, _tokensPerTick);
                if (bucket.Tokens >= BurstSize)
                {
                    bucket.Retired = true;
                    _buckets.TryRemove(new KeyValuePair<Guid, Bucket>(tenant, bucket));
                }
            }
        }
    }

    /// <summary>One tenant's bucket: its tokens (negative while requests wait for tokens reserved) as of a timestamp.</summary>
    private sealed class Bucket(int tokens, long at)
    {
        public double Tokens { get; set; } = tokens;

        public long At { get; private set; } = at;

        /// <summary>Removed from the dictionary: a request that finds it looks again.</summary>
        public bool Retired { get; set; }

        public void Refill(long now, int capacity, double tokensPerTick)
        {
            if (now > At)
            {
                Tokens = Math.Min(capacity, Tokens + (now - At) * tokensPerTick);
                At = now;
            }
        }
    }
}
