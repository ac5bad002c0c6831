using Microsoft.Extensions.Configuration;

namespace O365Activity.Silo;

/// <summary>The silo's entry point.</summary>
public static class Program
{
    /// <summary>Runs the silo until stopped; <c>normalize [FILE]</c> runs the offline <see cref="NormalizeCommand"/> instead.</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <returns>The process exit code.</returns>
    public static Task<int> Main(string[] args)
    {
        if (args is ["normalize", ..])
        {
            var configuration = new ConfigurationBuilder()
                .SetBasePath(AppContext.BaseDirectory)
                .AddJsonFile("appsettings.json", optional: true)
                .AddEnvironmentVariables()
                .Build();
            return NormalizeCommand.RunAsync(args[1..], Console.In, Console.Out, Console.Error, configuration);
        }

        return Task.FromResult(0);
    }
}
