using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using O365Activity.Storage;
using O365Activity.Storage.Postgres;

namespace O365Activity.Tests.Infrastructure;

/// <summary>A <see cref="PostgresEventStore"/> on a fresh database of the test server, migrated as deployed; disposing drops the database.</summary>
public sealed class PostgresTestStore : IAsyncDisposable
{
    private readonly TestDatabase _database;
    private readonly NpgsqlDataSource _dataSource;

    private PostgresTestStore(TestDatabase database, NpgsqlDataSource dataSource)
    {
        _database = database;
        _dataSource = dataSource;
        Store = new PostgresEventStore(dataSource);
    }

    /// <summary>The store.</summary>
    public PostgresEventStore Store { get; }

    /// <summary>Creates the database, applies every migration and opens the store on it.</summary>
    public static async Task<PostgresTestStore> CreateAsync()
    {
        var database = await TestDatabase.CreateAsync();
        var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        await new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        return new PostgresTestStore(database, dataSource);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await _database.DisposeAsync();
    }
}
