using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using O365Activity.Emulator;
using O365Activity.Grains;

namespace O365Activity.Tests.Collection;

/// <summary>The silo's collector services (API client, token provider, request budget) pointed at an emulator, outside a cluster.</summary>
internal static class CollectorServices
{
    /// <summary>Builds them with the client id and secret the emulator accepts, and <paramref name="settings"/> on top.</summary>
    public static ServiceProvider Create(EmulatorServer emulator, string clientId, string secret, params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["Collector:ClientId"] = clientId,
            ["Collector:ClientSecret"] = secret,
            ["Collector:LoginEndpoint"] = emulator.BaseUrl.ToString(),
            ["Collector:ManagementApiEndpoint"] = emulator.BaseUrl.ToString(),
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        return new ServiceCollection().AddLogging().AddCollector(new ConfigurationBuilder().AddInMemoryCollection(values).Build()).BuildServiceProvider();
    }

    /// <summary>Builds them from <paramref name="values"/> alone, with <paramref name="configure"/> having the last say over the services.</summary>
    public static ServiceProvider Create(IReadOnlyDictionary<string, string?> values, Action<IServiceCollection> configure)
    {
        var services = new ServiceCollection().AddLogging().AddCollector(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        configure(services);
        return services.BuildServiceProvider();
    }
}
