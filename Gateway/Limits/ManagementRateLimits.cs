using System.Globalization;
using System.Threading.RateLimiting;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace O365Activity.Gateway.Limits;

/// <summary>
/// The management calls' rate per client (<see cref="GatewayLimitsOptions.ManagementRequests"/> per
/// <see cref="GatewayLimitsOptions.ManagementPeriod"/>, bursts up to <see cref="GatewayLimitsOptions.ManagementBurst"/>):
/// a token bucket per client key with no queue.
/// </summary>
public sealed class ManagementRateLimits : IDisposable
{
    /// <summary>
    /// The trailer that tells a client how long to wait before trying again, in milliseconds: gRPC's server pushback
    /// (gRFC A6), which Grpc.Net.Client's retry policy honours.
    /// </summary>
    public const string RetryPushbackTrailer = "grpc-retry-pushback-ms";

    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly GatewayLimitsOptions _options;

    /// <summary>Creates the limiter from the options.</summary>
    public ManagementRateLimits(IOptions<GatewayLimitsOptions> options)
    {
        _options = options.Value;
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = _options.ManagementBurst,
            TokensPerPeriod = _options.ManagementRequests,
            ReplenishmentPeriod = _options.ManagementPeriod,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        _limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => bucket));
    }

    /// <summary>Spends one of the client's tokens.</summary>
    /// <param name="clientKey">The client (<see cref="ClientKeys"/>).</param>
    /// <exception cref="RpcException">
    /// <c>RESOURCE_EXHAUSTED</c> when the client has none left; the message says when to retry, and so does the
    /// <see cref="RetryPushbackTrailer"/> trailer.
    /// </exception>
    public void Take(string clientKey)
    {
        using var lease = _limiter.AttemptAcquire(clientKey);
        if (lease.IsAcquired)
        {
            return;
        }

        var retry = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) && after > TimeSpan.Zero ? after : _options.ManagementPeriod;
        var trailers = new Metadata { { RetryPushbackTrailer, ((long)Math.Ceiling(retry.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) } };
        throw new RpcException(
            new Status(StatusCode.ResourceExhausted,
                $"Too many management calls from this client: at most {_options.ManagementBurst:N0} at once and {_options.ManagementRequests:N0} per {_options.ManagementPeriod.TotalSeconds:0.###} s (settings Gateway:Limits:ManagementBurst, ManagementRequests, ManagementPeriod). Retry after {Math.Ceiling(retry.TotalSeconds):0} s."),
            trailers);
    }

    /// <inheritdoc />
    public void Dispose() => _limiter.Dispose();
}
