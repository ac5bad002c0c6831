using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace O365Activity.Silo;

/// <summary>
/// The silo host: <c>O365Activity.Silo</c> runs a silo until stopped (Ctrl-C or SIGTERM). Settings come from
/// <c>appsettings.json</c>, environment variables (<c>Collector__ClientId</c>, …) and the command line
/// (<c>--Collector:ClientId=…</c>); the cluster from section <c>Orleans</c> (<c>ClusterId</c>, <c>SiloPort</c>,
/// <c>GatewayPort</c>). <c>O365Activity.Silo normalize [FILE]</c> runs the offline <see cref="NormalizeCommand"/> instead.
/// </summary>
public static class Program
{
    /// <summary>Runs the silo, or the <c>normalize</c> command.</summary>
    /// <param name="args">Configuration overrides, or <c>normalize [FILE]</c>.</param>
    /// <returns>The process exit code.</returns>
    public static async Task<int> Main(string[] args)
    {
        if (args is ["normalize", ..])
        {
            var configuration = new ConfigurationBuilder()
                .SetBasePath(AppContext.BaseDirectory)
                .AddJsonFile("appsettings.json", optional: true)
                .AddEnvironmentVariables()
                .Build();
            // Standard input as bytes (the reader decodes UTF-8 itself); standard output buffered, not flushed per line.
            await using var input = Console.OpenStandardInput();
            await using var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 64 * 1024);
            return await NormalizeCommand.RunAsync(args[1..], input, output, Console.Error, configuration);
        }

        var builder = Host.CreateApplicationBuilder(args);
        var orleans = builder.Configuration.GetSection("Orleans");
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(
                siloPort: orleans.GetValue("SiloPort", 11111),
                gatewayPort: orleans.GetValue("GatewayPort", 30000),
                serviceId: SiloComposition.ServiceId,
                clusterId: orleans.GetValue("ClusterId", "o365activity-local")!);
            silo.AddActivityCollector(builder.Configuration);
        });

        await builder.Build().RunAsync();
        return 0;
    }
}
