using System.Diagnostics;

namespace O365Activity.Harness;

/// <summary>
/// A PostgreSQL server of one test's or benchmark's own (tools/local-postgres.sh in a folder under .local/pg-own, a
/// free port), for tests that stop the database (the shared test server must stay up for the others) and for benchmarks.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _data;
    private bool _fast;

    private PostgresServer(string data, int port, string connectionString)
    {
        _data = data;
        Port = port;
        ConnectionString = connectionString;
    }

    /// <summary>The port it listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>The connection string of its database <c>o365activity</c>.</summary>
    public string ConnectionString { get; }

    /// <summary>Creates and starts a server.</summary>
    /// <param name="fast">True (tests) turns off fsync and synchronous commit; false (benchmarks) keeps PostgreSQL's durable defaults.</param>
    public static async Task<PostgresServer> StartAsync(bool fast = true)
    {
        var data = Path.Combine(RepoPaths.Root, ".local", "pg-own", Guid.NewGuid().ToString("N")[..12]);
        var port = Ports.FreeFixed();
        var output = await RunAsync("start", data, port.ToString(System.Globalization.CultureInfo.InvariantCulture), fast ? "--fast" : "");
        return new PostgresServer(data, port, output.Trim().Split('\n')[^1]) { _fast = fast };
    }

    /// <summary>Stops the server (fast shutdown: open connections are cut).</summary>
    public Task StopAsync() => RunAsync("stop", _data);

    /// <summary>Starts it again on the same port with the same data.</summary>
    public Task RestartAsync() => RunAsync("start", _data, Port.ToString(System.Globalization.CultureInfo.InvariantCulture), _fast ? "--fast" : "");

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            var target = new DirectoryInfo(_data).LinkTarget;
            Directory.Delete(_data, recursive: target is null);
            if (target is not null)
            {
                Directory.Delete(target, recursive: true);
            }
        }
        catch (IOException)
        {
            // Left for the next clean-up of .local.
        }
        catch (UnauthorizedAccessException)
        {
            // Left for the next clean-up of .local.
        }
    }

    private static async Task<string> RunAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("bash", [RepoPaths.LocalPostgres, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"local-postgres.sh {string.Join(' ', arguments)} failed: {error}{output}");
    }
}
