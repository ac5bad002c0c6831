using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using O365Activity.Storage;

namespace O365Activity.Silo.Services;

/// <summary>
/// The retention job: every <see cref="StorageOptions.RetentionSweepInterval"/> (first run one minute after start),
/// deletes events collected longer than <see cref="StorageOptions.Retention"/> ago, the events of deleted sources, and
/// processed-blob entries older than <see cref="StorageOptions.ProcessedBlobHorizon"/>. Every silo runs it; the
/// deletes are idempotent, so runs that overlap only repeat a little work.
/// </summary>
public sealed partial class RetentionService(IEventStore store, IOptions<StorageOptions> options, TimeProvider time, ILogger<RetentionService> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        try
        {
            await Task.Delay(TimeSpan.FromMinutes(1), time, stoppingToken);
            while (true)
            {
                var now = time.GetUtcNow();
                try
                {
                    var result = await store.PurgeAsync(now - settings.Retention, now - settings.ProcessedBlobHorizon, settings.RetentionBatchSize, stoppingToken);
                    if (result.Events + result.Blobs + result.Sources > 0)
                    {
                        LogPurged(logger, result.Events, result.Blobs, result.Sources);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogFailed(logger, e.Message);
                }

                await Task.Delay(settings.RetentionSweepInterval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The silo is stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: deleted {Events} events, {Blobs} processed-blob entries and {Sources} deleted sources")]
    private static partial void LogPurged(ILogger logger, long events, long blobs, int sources);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention run failed: {Error}; it runs again at the next interval")]
    private static partial void LogFailed(ILogger logger, string error);
}
