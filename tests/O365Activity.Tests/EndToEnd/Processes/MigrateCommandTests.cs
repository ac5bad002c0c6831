using System.Diagnostics;
using O365Activity.Harness;
using O365Activity.Tests.Infrastructure;
using O365Activity.Tests.Infrastructure.Processes;

namespace O365Activity.Tests.EndToEnd.Processes;

/// <summary><c>O365Activity.Silo migrate</c>: the schema step an operator runs before the silos, as a real process.</summary>
[Collection(ProcessCollection.Name)]
public sealed class MigrateCommandTests
{
    [Fact]
    public async Task Migrate_EmptyDatabaseThenAgain_AppliesTheMigrationsThenSaysTheSchemaIsCurrent()
    {
        await using var database = await TestDatabase.CreateAsync();

        var first = await RunAsync(database.ConnectionString);
        var second = await RunAsync(database.ConnectionString);

        Assert.Equal(0, first.ExitCode);
        Assert.Contains("Applied migrations 1, 2", first.Output, StringComparison.Ordinal);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("The schema is current", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_UnreachableDatabase_ExitsOneWithTheReason()
    {
        var result = await RunAsync($"Host=127.0.0.1;Port={Ports.Free()};Username=nobody;Database=none;Timeout=2");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("migrate:", result.Error, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string connectionString)
    {
        var info = new ProcessStartInfo("dotnet", [RepoPaths.Silo, "migrate"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(RepoPaths.Silo)!,
        };
        info.Environment["Storage__ConnectionString"] = connectionString;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, await output, await error);
    }
}
