using System.Net.Http.Headers;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace O365Activity.Grains.Collection;

/// <summary>
/// When a request to the Management Activity API is sent again after a transient failure (HTTP 408, 429, 5xx, a
/// connection reset or cut, an attempt timed out; PROTOCOL.md §6 and §7): after a capped exponential back-off with a
/// floor and jitter, or after the response's <c>Retry-After</c> when it gives one. Never at once. A wait longer than
/// <see cref="MaxInlineWait"/> is not waited inside the request: the failure goes back to the poll, which schedules that
/// content type again at the time the API asked for (<see cref="ManagementApiException.RetryAfter"/>), while the
/// tenant's other content types carry on.
/// </summary>
public static class ApiRetryPolicy
{
    /// <summary>Retries after the first attempt.</summary>
    public const int MaxRetries = 3;

    /// <summary>The shortest wait before a retry: 1 second.</summary>
    public static readonly TimeSpan Floor = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait a request makes inside its call (5 seconds); longer ones are scheduled by the poll.</summary>
    public static readonly TimeSpan MaxInlineWait = TimeSpan.FromSeconds(5);

    /// <summary>How long one attempt may wait for the response's headers: 100 seconds.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(100);

    /// <summary>The options of the resilience pipeline's retry strategy (Polly, through Microsoft.Extensions.Http.Resilience).</summary>
    /// <param name="metrics">Where a retry after HTTP 429 is counted as a throttling wait (<c>reason</c> <c>retry_after</c>); null: not counted.</param>
    public static HttpRetryStrategyOptions Options(CollectorMetrics? metrics = null) => new()
    {
        MaxRetryAttempts = MaxRetries,
        ShouldRetryAfterHeader = false,
        ShouldHandle = args => ValueTask.FromResult(
            !args.Context.CancellationToken.IsCancellationRequested && HttpClientResiliencePredicates.IsTransient(args.Outcome) && !(RetryAfter(args.Outcome.Result) > MaxInlineWait)),
        DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(Delay(args.AttemptNumber, RetryAfter(args.Outcome.Result), Random.Shared.NextDouble())),
        OnRetry = args =>
        {
            // Told to the request's record (if the caller gave it one), so that the sequence is logged once with its outcome.
            if (args.Context.GetRequestMessage()?.Options.TryGetValue(RetryRecord.Key, out var record) == true)
            {
                record.Retried(args.RetryDelay, args.Outcome.Result is { } response ? $"HTTP {(int)response.StatusCode}" : args.Outcome.Exception?.GetType().Name ?? "no answer");
            }

            // A retry after HTTP 429 is a throttling wait.
            if (metrics is not null && args.Outcome.Result is { StatusCode: System.Net.HttpStatusCode.TooManyRequests, RequestMessage: { } request }
                && request.Options.TryGetValue(RequestBudgetHandler.TenantKey, out var tenantId))
            {
                metrics.ThrottleWait(tenantId, args.RetryDelay, "retry_after");
            }

            return ValueTask.CompletedTask;
        },
    };

    /// <summary>The wait before retry number <paramref name="attempt"/> + 1.</summary>
    /// <param name="attempt">0 for the first retry.</param>
    /// <param name="retryAfter">The response's <c>Retry-After</c>, if any.</param>
    /// <param name="jitter">A number in [0, 1): where the wait falls between the back-off and half as much again.</param>
    /// <returns>At least <see cref="Floor"/>, at most <see cref="MaxInlineWait"/>.</returns>
    public static TimeSpan Delay(int attempt, TimeSpan? retryAfter, double jitter)
    {
        var backOff = retryAfter ?? TimeSpan.FromTicks(Floor.Ticks << Math.Clamp(attempt, 0, 16)) * (1 + 0.5 * jitter);
        return TimeSpan.FromTicks(Math.Clamp(backOff.Ticks, Floor.Ticks, MaxInlineWait.Ticks));
    }

    /// <summary>
    /// A response's <c>Retry-After</c> as a wait from now: the seconds it gives, or the time it names less now (the
    /// response's own <c>Date</c> when it has one, so that a skewed local clock does not change the wait). Null when
    /// absent; zero when in the past.
    /// </summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        if (response?.Headers.RetryAfter is not RetryConditionHeaderValue value)
        {
            return null;
        }

        if (value.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (value.Date is { } date)
        {
            var now = response.Headers.Date ?? DateTimeOffset.UtcNow;
            return date > now ? date - now : TimeSpan.Zero;
        }

        return null;
    }
}

/// <summary>
/// What the retries of one request went through (set on the request by its sender, filled by the retry strategy's
/// <c>OnRetry</c>): how many retries, how long they waited, and how each failed attempt ended. The sender logs the
/// sequence once, with its outcome, rather than each attempt.
/// </summary>
public sealed class RetryRecord
{
    /// <summary>The request option that carries the record.</summary>
    public static readonly HttpRequestOptionsKey<RetryRecord> Key = new("o365activity.retry-record");

    private readonly List<string> _failures = [];

    /// <summary>Retries made so far (attempts less one).</summary>
    public int Retries => _failures.Count;

    /// <summary>The waits before the retries, added up.</summary>
    public TimeSpan Waited { get; private set; }

    /// <summary>How each failed attempt ended, in order (<c>HTTP 503</c>, <c>HttpRequestException</c>, <c>TimeoutRejectedException</c>).</summary>
    public IReadOnlyList<string> Failures => _failures;

    /// <summary>Records a failed attempt that is retried after <paramref name="wait"/>.</summary>
    /// <param name="wait">The wait before the retry.</param>
    /// <param name="failure">How the attempt ended.</param>
    public void Retried(TimeSpan wait, string failure)
    {
        Waited += wait;
        _failures.Add(failure);
    }

    /// <summary>For messages: <c>4 attempts, 7.2 s of waits (HTTP 503, HTTP 503, HTTP 503)</c>.</summary>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Retries + 1} attempts, {Waited.TotalSeconds:F1} s of waits ({string.Join(", ", _failures)})");
}
