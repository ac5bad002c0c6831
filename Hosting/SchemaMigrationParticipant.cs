using Microsoft.Extensions.Logging;
using Npgsql;
using O365Activity.Storage;

namespace O365Activity.Hosting;

/// <summary>
/// Applies the schema migrations when a silo or gateway starts, before Orleans' providers read their stored queries
/// (stage <c>RuntimeInitialize</c> − 100). A database that cannot be reached is retried every 2 seconds for up to a
/// minute (a server starting at the same time), then start-up fails with the database's error.
/// </summary>
internal sealed partial class SchemaMigrationParticipant(SchemaMigrator migrator, ILogger<SchemaMigrationParticipant> logger)
    : ILifecycleParticipant<ISiloLifecycle>, ILifecycleParticipant<IClusterClientLifecycle>
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SchemaMigrationParticipant), ServiceLifecycleStage.RuntimeInitialize - 100, MigrateAsync);

    public void Participate(IClusterClientLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SchemaMigrationParticipant), ServiceLifecycleStage.RuntimeInitialize - 100, MigrateAsync);

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                await migrator.MigrateAsync(cancellationToken);
                return;
            }
            catch (NpgsqlException e) when (e.IsTransient && DateTime.UtcNow < deadline)
            {
                LogWaiting(logger, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The PostgreSQL database is not reachable yet ({Error}); retrying the schema migration in 2 seconds")]
    private static partial void LogWaiting(ILogger logger, string error);
}
