using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace O365Activity.Grains.Collection;

/// <summary>
/// Each tenant's budget of requests to the Management Activity API: documented as 2,000 requests a minute per tenant,
/// shared by listings and blob fetches of every content type (PROTOCOL.md §6). A token bucket per tenant
/// (<see cref="PartitionedRateLimiter"/>, idle tenants' buckets dropped by it) holds about one second's worth and gains
/// a sixtieth of the rest every second, so that no 60-second span, however it falls, sees more than
/// <see cref="CollectorOptions.RequestsPerMinute"/> requests, and a backfill still uses some 96% of it. Requests beyond
/// it wait their turn (oldest first) instead of drawing AF429. Thread-safe.
/// </summary>
public sealed class RequestBudget : IDisposable
{
    private readonly PartitionedRateLimiter<Guid>? _limiter;

    /// <summary>Creates the budget from <see cref="CollectorOptions.RequestsPerMinute"/> (0: no budget).</summary>
    public RequestBudget(IOptions<CollectorOptions> options)
    {
        var perMinute = options.Value.RequestsPerMinute;
        if (perMinute == 0)
        {
            return;
        }

        // The bucket: a burst of a second's worth; what is left of the minute's budget comes back spread over the minute
        // (every second, or for a budget under two a second, one request at a time).
        var burst = (perMinute + 59) / 60;
        var rest = Math.Max(1, perMinute - burst);
        var (tokens, period) = rest >= 60 ? (rest / 60, TimeSpan.FromSeconds(1)) : (1, TimeSpan.FromSeconds(Math.Ceiling(60.0 / rest)));
        BurstSize = burst;
        SustainedPerMinute = (int)(tokens * (60 / period.TotalSeconds));
        _limiter = PartitionedRateLimiter.Create<Guid, Guid>(tenant => RateLimitPartition.GetTokenBucketLimiter(tenant, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            AutoReplenishment = true,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        }));
    }

    /// <summary>Requests a tenant may make at once after a quiet second; 0 without a budget.</summary>
    public int BurstSize { get; }

    /// <summary>Requests a tenant gains back each minute (what a backfill sustains); 0 without a budget.</summary>
    public int SustainedPerMinute { get; }

    /// <summary>Waits until the tenant may send one more request.</summary>
    /// <returns>The permission; dispose it once the request is sent.</returns>
    /// <exception cref="OperationCanceledException">When the wait is cancelled.</exception>
    public async ValueTask<IDisposable?> AcquireAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        if (_limiter is null)
        {
            return null;
        }

        var lease = await _limiter.AcquireAsync(tenantId, 1, cancellationToken).ConfigureAwait(false);
        if (!lease.IsAcquired)
        {
            // Only a limiter being disposed refuses (the queue has no limit): send without waiting.
            lease.Dispose();
            return null;
        }

        return lease;
    }

    /// <inheritdoc />
    public void Dispose() => _limiter?.Dispose();
}
