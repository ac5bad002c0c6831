using Microsoft.Extensions.Logging.Console;

namespace O365Activity.Emulator;

/// <summary>
/// The emulator as a program, for <c>run-local.sh</c>:
/// <c>dotnet run --project tests/Emulator -- --urls http://127.0.0.1:5090 --records DIR</c> (see <see cref="CommandLine.Usage"/>).
/// Logs one line per request and prints <c>Emulator listening on http://...</c> once it accepts requests; stops on
/// Ctrl+C or SIGTERM.
/// </summary>
public static class Program
{
    /// <summary>Runs the emulator until stopped.</summary>
    /// <param name="args">The command line.</param>
    /// <returns>0 after a clean stop, 2 for a bad command line.</returns>
    public static async Task<int> Main(string[] args)
    {
        CommandLine commandLine;
        try
        {
            commandLine = CommandLine.Parse(args);
        }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync(e.Message + Environment.NewLine + Environment.NewLine + CommandLine.Usage);
            return 2;
        }

        if (commandLine.ShowHelp)
        {
            Console.WriteLine(CommandLine.Usage);
            return 0;
        }

        using var loggerFactory = LoggerFactory.Create(logging => logging
            .AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                console.UseUtcTimestamp = true;
                console.ColorBehavior = LoggerColorBehavior.Disabled;
            })
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft", LogLevel.Warning));

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM,
            context =>
            {
                context.Cancel = true;
                stop.Cancel();
            });

        await using var server = await EmulatorServer.StartAsync(commandLine.Options with { LoggerFactory = loggerFactory }, stop.Token);
        Console.WriteLine($"Emulator listening on {server.BaseUrl.GetLeftPart(UriPartial.Authority)}");
        if (server.State.FolderLoad is { } load)
        {
            Console.WriteLine($"Serving {load.RecordsLoaded} records from {load.Directory} to every tenant ({load.Skipped.Count} inputs skipped)");
        }

        var options = server.State.Options;
        if (options.Backlog is not null || options.GenerateEvery is not null || options.GenerateRate is not null)
        {
            Console.WriteLine($"Synthetic records with seed {server.State.GeneratorSeed} (--seed {server.State.GeneratorSeed} serves the same ids)");
        }

        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C or SIGTERM: stop cleanly.
        }

        return 0;
    }
}
