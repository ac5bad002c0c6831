using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace O365Activity.Grains.Collection;

/// <summary>
/// The Management Activity API's clock, as the silo knows it: the local clock plus the skew measured from the
/// <c>Date</c> header of the API's responses (case CLK1; PROTOCOL.md §4). Listing windows are planned on it, so that a
/// local clock that is slow does not send a start past the API's 7-day limit (AF20055) and one that is fast does not
/// ask for content that cannot exist yet. Until a response has been seen, and while the measured skew stays within
/// <see cref="Tolerance"/>, it is the local clock. Thread-safe; one per silo.
/// </summary>
public sealed partial class ServerClock : TimeProvider
{
    /// <summary>
    /// Differences smaller than this are not taken as skew: <c>Date</c> has a resolution of one second and is written
    /// a moment before the response arrives. 2 seconds.
    /// </summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(2);

    private readonly TimeProvider _local;
    private readonly ILogger _logger;
    private long _skewTicks;

    /// <summary>Creates the clock over the local one.</summary>
    /// <param name="local">The local clock.</param>
    /// <param name="logger">Where a change of the skew is logged; null for nowhere.</param>
    public ServerClock(TimeProvider local, ILogger<ServerClock>? logger = null)
    {
        _local = local;
        _logger = logger ?? NullLogger<ServerClock>.Instance;
    }

    /// <summary>The API's clock minus the local one, as last measured (zero until measured, or when within <see cref="Tolerance"/>).</summary>
    public TimeSpan Skew => TimeSpan.FromTicks(Volatile.Read(ref _skewTicks));

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => _local.GetUtcNow() + Skew;

    /// <inheritdoc />
    public override long GetTimestamp() => _local.GetTimestamp();

    /// <inheritdoc />
    public override long TimestampFrequency => _local.TimestampFrequency;

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => _local.LocalTimeZone;

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        _local.CreateTimer(callback, state, dueTime, period);

    /// <summary>
    /// Takes the <c>Date</c> of a response of the API: when it differs from the local clock by more than
    /// <see cref="Tolerance"/> from the skew known so far, that difference becomes the skew (logged, with the tenant
    /// whose response showed it).
    /// </summary>
    /// <param name="serverDate">The response's <c>Date</c> header; null does nothing.</param>
    /// <param name="tenantId">The tenant the response was for (for the log).</param>
    public void Observe(DateTimeOffset? serverDate, Guid tenantId)
    {
        if (serverDate is not { } date)
        {
            return;
        }

        var measured = date - _local.GetUtcNow();
        var known = Skew;
        if ((measured - known).Duration() <= Tolerance)
        {
            return;
        }

        var skew = measured.Duration() <= Tolerance ? TimeSpan.Zero : measured;
        if (Interlocked.Exchange(ref _skewTicks, skew.Ticks) != skew.Ticks)
        {
            LogSkew(_logger, tenantId, skew.TotalSeconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: the API's clock (its Date header) is {SkewSeconds:F0} s from the local clock; listing windows use the API's time")]
    private static partial void LogSkew(ILogger logger, Guid tenantId, double skewSeconds);
}
