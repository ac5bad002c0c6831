using Microsoft.Extensions.Logging;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using O365Activity.Contracts;
using O365Activity.Emulator;
using O365Activity.Gateway;
using O365Activity.Harness;
using O365Activity.Hosting;
using O365Activity.Silo;
using Orleans.TestingHost;

namespace O365Activity.Tests.Infrastructure;

/// <summary>
/// The whole service in one process, as production runs it but pointed at the emulator: a protocol emulator on a
/// real port, a one-silo test cluster composed like the real silo on a fresh PostgreSQL database (grain state,
/// reminders, stream pub-sub and the event store), and the real gateway on real ports using the test cluster's
/// Orleans client (the in-process cluster is not reachable over TCP). Tests share it and use a fresh tenant id each.
/// </summary>
public class ServiceFixture : IAsyncLifetime
{
    public const string ClientId = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    public const string ClientSecret = "test-secret";

    public EmulatorServer Emulator { get; private set; } = null!;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public WebApplication Gateway { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public TestDatabase Database { get; private set; } = null!;

    /// <summary>The composition's variant this fixture runs (PostgreSQL here; the local, in-memory one in <see cref="LocalServiceFixture"/>).</summary>
    protected virtual ClusterMode Mode => ClusterMode.PostgreSql;

    /// <summary>In the local variant: the one in-memory event store the silo and the gateway share (they are one process).</summary>
    public O365Activity.Storage.InMemory.InMemoryEventStore SharedStore { get; } = new();

    public Uri GrpcAddress { get; private set; } = null!;

    /// <summary>How often the gateway checks the store for each tenant with open streams.</summary>
    protected virtual TimeSpan SourceCheckInterval => TimeSpan.FromMilliseconds(300);

    /// <summary>The emulator's options, for a fixture of its own to change.</summary>
    protected virtual EmulatorOptions Emulated(EmulatorOptions options) => options;

    /// <summary>Settings added to (or replacing) the silo's, for a fixture of its own.</summary>
    protected virtual IReadOnlyDictionary<string, string?> ExtraSiloSettings { get; } = new Dictionary<string, string?>();

    /// <summary>When set (by a derived fixture), every log line of the silo and the gateway, at every level.</summary>
    public virtual CapturedLogs? Logs => null;

    /// <summary>A last say over the gateway's services, before it is built.</summary>
    protected virtual void ConfigureGateway(WebApplicationBuilder gateway)
    {
    }

    /// <summary>The gateway's security settings, as command-line arguments: authentication off (Development) unless a fixture of its own turns it on.</summary>
    protected virtual IEnumerable<string> GatewayArguments() => ["--environment=Development", "--Gateway:Authentication:Mode=None"];

    /// <summary>The scheme of the gateway's gRPC and status endpoints (https for a fixture with TLS).</summary>
    protected virtual string Scheme => "http";

    /// <summary>The channel <see cref="Channel"/> is, to the gateway's gRPC endpoint.</summary>
    protected virtual GrpcChannel CreateChannel(Uri address) => GrpcChannel.ForAddress(address);

    public Uri ConsentAddress { get; private set; } = null!;

    /// <summary>Where the gateway's status page and its JSON API listen.</summary>
    public Uri StatusAddress { get; private set; } = null!;

    /// <summary>Period of the keep-alive reminder in these tests (production: minutes).</summary>
    public static TimeSpan ReminderPeriod { get; } = TimeSpan.FromSeconds(2);

    /// <summary>Time between polls of a connected tenant in these tests.</summary>
    public static TimeSpan PollInterval { get; } = TimeSpan.FromMilliseconds(300);

    /// <summary>How soon a content type whose failure needs a person is tried again (an hour in production).</summary>
    public static TimeSpan AttentionRetryInterval { get; } = TimeSpan.FromSeconds(4);

    private readonly string _temp = Directory.CreateTempSubdirectory("o365-service-").FullName;

    public virtual async Task InitializeAsync()
    {
        var geo = TestGeoDatabases.Write(_temp);
        Database = Mode == ClusterMode.PostgreSql ? await TestDatabase.CreateAsync() : null!;
        Emulator = await EmulatorServer.StartAsync(Emulated(new EmulatorOptions { ClientId = ClientId, ClientSecret = ClientSecret }), CancellationToken.None);

        var settings = new Dictionary<string, string?>
        {
            ["Collector:ClientId"] = ClientId,
            ["Collector:ClientSecret"] = ClientSecret,
            ["Collector:LoginEndpoint"] = Emulator.BaseUrl.ToString(),
            ["Collector:ManagementApiEndpoint"] = Emulator.BaseUrl.ToString(),
            ["Collector:PollInterval"] = PollInterval.ToString(),
            ["Collector:AttentionRetryInterval"] = AttentionRetryInterval.ToString(),
            ["Collector:ReminderPeriod"] = ReminderPeriod.ToString(),
            ["GeoIp:CityDatabasePath"] = geo.City,
            ["GeoIp:AsnDatabasePath"] = geo.Asn,
            ["Cluster:Mode"] = Mode.ToString(),
            ["Storage:ConnectionString"] = Database?.ConnectionString,
        };
        foreach (var (key, value) in ExtraSiloSettings)
        {
            settings[key] = value;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = ClusterComposition.ServiceId;
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Configuration.AddInMemoryCollection(settings);
            if (Logs is { } logs)
            {
                host.Logging.AddProvider(logs);
                host.Logging.SetMinimumLevel(LogLevel.Trace).AddFilter<CapturedLogs>(null, LogLevel.Trace);
            }
        });
        builder.ConfigureSilo((_, silo) =>
        {
            Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton(silo.Services, SharedStore);
            silo.AddActivityCollector(configuration);
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = ReminderPeriod);
        });
        builder.ConfigureClient(client =>
        {
            client.Services.AllowStoreExceptions();
            client.AddMemoryStreams(ActivityStreams.ProviderName, streams => streams.ConfigurePartitioning(ClusterComposition.StreamQueues));
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();

        GrpcAddress = new Uri($"{Scheme}://127.0.0.1:{Ports.Free()}");
        ConsentAddress = new Uri($"http://127.0.0.1:{Ports.Free()}");
        StatusAddress = new Uri($"{Scheme}://127.0.0.1:{Ports.Free()}");
        var gateway = GatewayApp.CreateBuilder(
        [
            $"--Gateway:GrpcEndpoint={GrpcAddress}",
            $"--Gateway:ConsentEndpoint={ConsentAddress}",
            $"--Gateway:StatusEndpoint={StatusAddress}",
            $"--Collector:ClientId={ClientId}",
            $"--Collector:LoginEndpoint={Emulator.BaseUrl}",
            $"--Gateway:SourceCheckInterval={SourceCheckInterval}",
            $"--Storage:ConnectionString={Database?.ConnectionString}",
            $"--Cluster:Mode={Mode}",
            "--Logging:LogLevel:Default=Warning",
            // The tests poll statuses every 50 ms and consent for every tenant from one address: the per-client limits are tested on their own
            // (Gateway/LimitsTests) and lifted here.
            "--Gateway:Limits:StreamsPerClient=1000000",
            "--Gateway:Limits:ManagementRequests=1000000",
            "--Gateway:Limits:ManagementBurst=1000000",
            "--Gateway:Limits:ConsentRequests=1000000",
            .. GatewayArguments(),
        ], Cluster.Client);
        Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton(gateway.Services, SharedStore);
        if (Logs is { } gatewayLogs)
        {
            gateway.Logging.AddProvider(gatewayLogs);
            gateway.Logging.SetMinimumLevel(LogLevel.Trace).AddFilter<CapturedLogs>(null, LogLevel.Trace);
        }

        ConfigureGateway(gateway);
        Gateway = GatewayApp.Build(gateway);
        await Gateway.StartAsync();
        Channel = CreateChannel(GrpcAddress);
    }

    public virtual async Task DisposeAsync()
    {
        Channel?.Dispose();
        if (Gateway is not null)
        {
            await Gateway.StopAsync();
            await Gateway.DisposeAsync();
        }

        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }

        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }

        if (Database is not null)
        {
            await Database.DisposeAsync();
        }

        Directory.Delete(_temp, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class ServiceCollection : ICollectionFixture<ServiceFixture>
{
    public const string Name = "service";
}
