using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using O365Activity.Storage;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.Storage;

/// <summary>The schema migrations: applied once, safe to run again and from several processes at once, guarded against edits.</summary>
public sealed class SchemaMigratorTests : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private NpgsqlDataSource _dataSource = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _dataSource = NpgsqlDataSource.Create(_database.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Migrate_EmptyDatabaseThenAgain_AppliesEveryMigrationOnceThenNothing()
    {
        var first = await Migrator().MigrateAsync(CancellationToken.None);
        var second = await Migrator().MigrateAsync(CancellationToken.None);

        Assert.Equal(SchemaMigrator.Migrations.Select(m => m.Version), first);
        Assert.Empty(second);
        await using var connection = await _dataSource.OpenConnectionAsync();
        Assert.Equal(SchemaMigrator.Migrations.Count, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task Migrate_FourAtOnceOnAnEmptyDatabase_AllSucceedAndEachMigrationIsAppliedOnce()
    {
        using var start = new Barrier(4);
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            start.SignalAndWait();
            return await Migrator().MigrateAsync(CancellationToken.None);
        })));

        Assert.Equal(SchemaMigrator.Migrations.Select(m => m.Version), runs.SelectMany(r => r).Order());
        await using var connection = await _dataSource.OpenConnectionAsync();
        Assert.Equal(SchemaMigrator.Migrations.Count, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task Migrate_AppliedMigrationChangedSince_FailsNamingIt()
    {
        await Migrator().MigrateAsync(CancellationToken.None);
        await using (var connection = await _dataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 2");
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Migrator().MigrateAsync(CancellationToken.None));

        Assert.Contains("migration 2 (event_store)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_OrleansQueries_HoldEveryKeyTheProvidersRead()
    {
        await Migrator().MigrateAsync(CancellationToken.None);
        await using var connection = await _dataSource.OpenConnectionAsync();

        var keys = (await connection.QueryAsync<string>("SELECT querykey FROM orleansquery")).ToHashSet(StringComparer.Ordinal);

        string[] expected =
        [
            "InsertMembershipVersionKey", "MembershipReadAllKey", "MembershipReadRowKey", "InsertMembershipKey", "UpdateMembershipKey",
            "UpdateIAmAlivetimeKey", "GatewaysQueryKey", "DeleteMembershipTableEntriesKey", "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey",
            "ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey", "DeleteStorageKey",
            "ReadReminderRowsKey", "ReadReminderRowKey", "ReadRangeRows1Key", "ReadRangeRows2Key", "UpsertReminderRowKey", "DeleteReminderRowKey", "DeleteReminderRowsKey",
        ];
        Assert.Equal(21, expected.Length);
        Assert.True(keys.SetEquals(expected), $"Keys: {string.Join(", ", keys.Order())}");
    }

    private SchemaMigrator Migrator() => new(_dataSource, NullLogger<SchemaMigrator>.Instance);
}
