using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace O365Activity.Storage;

/// <summary>
/// Applies the schema's versioned migrations (<c>Migrations/NNNN_name.sql</c>, embedded in this assembly) to a
/// PostgreSQL database. Safe to run again (applied migrations are skipped) and from several processes at once (a
/// transaction-scoped advisory lock serializes the runs; the second finds everything applied). Each applied migration
/// is recorded in <c>schema_migrations</c> with a SHA-256 checksum of its text; a migration changed after it was
/// applied stops the run with an error.
/// </summary>
public sealed partial class SchemaMigrator(NpgsqlDataSource dataSource, ILogger<SchemaMigrator> logger)
{
    // An arbitrary, fixed advisory-lock key for this schema's migrations.
    private const long LockKey = 0x0365_AC71_0000_0001;

    /// <summary>The migrations this build knows, in version order.</summary>
    public static IReadOnlyList<Migration> Migrations { get; } = LoadMigrations();

    /// <summary>Applies every migration the database lacks, in one transaction.</summary>
    /// <returns>The versions applied by this call (empty when the schema was current).</returns>
    /// <exception cref="InvalidOperationException">When an applied migration's text differs from this build's.</exception>
    /// <exception cref="NpgsqlException">When the database cannot be reached or a script fails (nothing is applied then).</exception>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@LockKey)", new { LockKey }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer NOT NULL PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """,
            transaction: transaction,
            cancellationToken: cancellationToken));
        var applied = (await connection.QueryAsync<(int Version, string Checksum)>(new CommandDefinition(
            "SELECT version, checksum FROM schema_migrations", transaction: transaction, cancellationToken: cancellationToken)))
            .ToDictionary(m => m.Version, m => m.Checksum);

        var done = new List<int>();
        foreach (var migration in Migrations)
        {
            if (applied.TryGetValue(migration.Version, out var checksum))
            {
                if (checksum != migration.Checksum)
                {
                    throw new InvalidOperationException(
                        $"Schema migration {migration.Version} ({migration.Name}) was changed after it was applied to this database; add a new migration instead.");
                }

                continue;
            }

            await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES (@Version, @Name, @Checksum)",
                new { migration.Version, migration.Name, migration.Checksum },
                transaction,
                cancellationToken: cancellationToken));
            done.Add(migration.Version);
        }

        var newer = applied.Keys.Where(v => v > Migrations[^1].Version).Order().ToList();
        await transaction.CommitAsync(cancellationToken);
        foreach (var version in done)
        {
            LogApplied(logger, version, Migrations.First(m => m.Version == version).Name);
        }

        if (newer.Count > 0)
        {
            LogNewerSchema(logger, string.Join(", ", newer));
        }

        return done;
    }

    private static List<Migration> LoadMigrations()
    {
        const string prefix = "O365Activity.Storage.Migrations.";
        var assembly = typeof(SchemaMigrator).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var file = resource[prefix.Length..];
            var underscore = file.IndexOf('_', StringComparison.Ordinal);
            var version = int.Parse(file.AsSpan(0, underscore), System.Globalization.CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var sql = reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
            var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
            migrations.Add(new Migration(version, Path.GetFileNameWithoutExtension(file)[(underscore + 1)..], sql, checksum));
        }

        return migrations;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Schema migration {Version} ({Name}) applied")]
    private static partial void LogApplied(ILogger logger, int version, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database has schema migrations this build does not know ({Versions}): a newer version of the service migrated it")]
    private static partial void LogNewerSchema(ILogger logger, string versions);
}
