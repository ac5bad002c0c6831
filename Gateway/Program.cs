namespace O365Activity.Gateway;

/// <summary>
/// The gateway host: gRPC services for internal clients and the admin-consent callback, connected to the cluster as
/// an Orleans client. Settings: <c>appsettings.json</c>, environment variables, command line.
/// </summary>
public static class Program
{
    /// <summary>Runs the gateway until stopped.</summary>
    /// <param name="args">Configuration overrides.</param>
    /// <returns>The process exit code.</returns>
    public static async Task<int> Main(string[] args)
    {
        await GatewayApp.Build(GatewayApp.CreateBuilder(args)).RunAsync();
        return 0;
    }
}
