using Microsoft.Extensions.Logging;

namespace O365Activity.Hosting;

/// <summary>
/// Keeps an Orleans client (the gateway) trying to connect until a silo answers: one attempt per 2 seconds, a warning
/// every 30 attempts. Calls made meanwhile fail with <c>UNAVAILABLE</c> (the gateway's error mapping).
/// </summary>
internal sealed partial class ConnectionRetryFilter(ILogger<ConnectionRetryFilter> logger) : IClientConnectionRetryFilter
{
    private int _attempts;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        if (_attempts++ % 30 == 0)
        {
            LogNoSilo(logger, _attempts, exception.Message);
        }

        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        return !cancellationToken.IsCancellationRequested;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No silo reachable yet (attempt {Attempt}): {Error}; the gateway keeps trying")]
    private static partial void LogNoSilo(ILogger logger, int attempt, string error);
}
