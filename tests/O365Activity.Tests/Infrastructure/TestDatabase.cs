using Npgsql;

namespace O365Activity.Tests.Infrastructure;

/// <summary>
/// A fresh PostgreSQL database on the test server that <c>./test.sh</c> starts (environment variable
/// <c>O365_TEST_POSTGRES</c>: a connection string to that server), dropped when disposed.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    /// <summary>The environment variable with the test server's connection string.</summary>
    public const string ServerVariable = "O365_TEST_POSTGRES";

    private TestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    /// <summary>The database's name.</summary>
    public string Name { get; }

    /// <summary>Its connection string.</summary>
    public string ConnectionString { get; }

    /// <summary>The test server's connection string (to its <c>postgres</c> database).</summary>
    /// <exception cref="InvalidOperationException">When <c>O365_TEST_POSTGRES</c> is not set: run the tests with <c>./test.sh</c>.</exception>
    public static string Server
    {
        get
        {
            var server = Environment.GetEnvironmentVariable(ServerVariable);
            if (string.IsNullOrWhiteSpace(server))
            {
                throw new InvalidOperationException(
                    $"{ServerVariable} is not set. The tests need a PostgreSQL server: run them with ./test.sh, which starts one, "
                    + $"or set {ServerVariable} to a connection string of a server where the tests may create databases.");
            }

            return new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString;
        }
    }

    /// <summary>Creates a database with a fresh name.</summary>
    public static async Task<TestDatabase> CreateAsync()
    {
        var name = $"test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(Server))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(Server) { Database = name, Pooling = true }.ConnectionString;
        return new TestDatabase(name, connectionString);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(Server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
