using System.Threading.RateLimiting;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace O365Activity.Gateway.Limits;

/// <summary>
/// The open streams of each client (<see cref="GatewayLimitsOptions.StreamsPerClient"/>): a concurrency limiter per
/// client key with no queue, so one stream more is refused at once. Idle clients' counters are dropped by the
/// partitioned limiter itself.
/// </summary>
public sealed class ClientStreamLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    /// <summary>Creates the limiter from the options.</summary>
    public ClientStreamLimits(IOptions<GatewayLimitsOptions> options)
    {
        Limit = options.Value.StreamsPerClient;
        var limit = Limit;
        _limiter = PartitionedRateLimiter.Create<string, string>(key =>
            RateLimitPartition.GetConcurrencyLimiter(key, _ => new ConcurrencyLimiterOptions { PermitLimit = limit, QueueLimit = 0 }));
    }

    /// <summary>The most streams one client may have open.</summary>
    public int Limit { get; }

    /// <summary>Takes a place for one more stream of the client; disposing the lease frees it.</summary>
    /// <param name="clientKey">The client (<see cref="ClientKeys"/>).</param>
    /// <exception cref="RpcException"><c>RESOURCE_EXHAUSTED</c> when the client already has <see cref="Limit"/> streams open.</exception>
    public RateLimitLease Acquire(string clientKey)
    {
        var lease = _limiter.AttemptAcquire(clientKey);
        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        throw new RpcException(new Status(StatusCode.ResourceExhausted,
            $"This client already has {Limit:N0} streams open, the most the gateway allows one client (setting Gateway:Limits:StreamsPerClient); end one, or ask the operator to raise the setting."));
    }

    /// <summary>How many streams the client has open now.</summary>
    public long OpenStreams(string clientKey) => Limit - (_limiter.GetStatistics(clientKey)?.CurrentAvailablePermits ?? Limit);

    /// <inheritdoc />
    public void Dispose() => _limiter.Dispose();
}
