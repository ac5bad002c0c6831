using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using O365Activity.Emulator;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.Collection;

/// <summary>
/// A test class's own emulator (every tenant consented) and the silo's collector services pointed at it, outside a
/// cluster, with every log line captured in <see cref="Logs"/>.
/// </summary>
public abstract class EmulatedCollector : IAsyncLifetime
{
    protected const string ClientId = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

    /// <summary>The client secret the emulator accepts (a distinctive one per test class).</summary>
    protected abstract string Secret { get; }

    /// <summary>The lowest level captured.</summary>
    protected virtual LogLevel MinimumLevel => LogLevel.Information;

    protected Guid Tenant { get; } = Guid.NewGuid();

    protected CapturedLogs Logs { get; } = new();

    protected EmulatorServer Emulator { get; private set; } = null!;

    protected ServiceProvider Services { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Emulator = await EmulatorServer.StartAsync(new EmulatorOptions { ClientId = ClientId, ClientSecret = Secret, AutoConsentAllTenants = true });
        Services = CollectorServices.Create(
            new Dictionary<string, string?>
            {
                ["Collector:ClientId"] = ClientId,
                ["Collector:ClientSecret"] = Secret,
                ["Collector:LoginEndpoint"] = Emulator.BaseUrl.ToString(),
                ["Collector:ManagementApiEndpoint"] = Emulator.BaseUrl.ToString(),
            },
            services => services.AddLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(MinimumLevel)));
    }

    public async Task DisposeAsync()
    {
        await Services.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}
