using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace O365Activity.Silo;

/// <summary>
/// The silo host: <c>O365Activity.Silo</c> runs a silo until stopped (Ctrl-C or SIGTERM). Settings come from
/// <c>appsettings.json</c>, environment variables (<c>Collector__ClientId</c>, …) and the command line
/// (<c>--Collector:ClientId=…</c>); the cluster from section <c>Orleans</c> (<c>ClusterId</c>, <c>SiloPort</c>,
/// <c>GatewayPort</c>). The offline <c>normalize</c> command is the command-line client's
/// (<c>dotnet run --project tools/ActivityCli -- normalize [FILE]</c>).
/// </summary>
public static class Program
{
    /// <summary>Runs the silo until it is stopped.</summary>
    /// <param name="args">Configuration overrides (<c>--Section:Key=value</c>).</param>
    /// <returns>The process exit code: 0 after a clean stop.</returns>
    public static async Task<int> Main(string[] args)
    {
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
