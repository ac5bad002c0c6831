using Grpc.Core;
using O365Activity.Emulator;
using O365Activity.Harness;
using O365Activity.Protos.V1;

namespace O365Activity.Benchmarks.Scenarios;

/// <summary>What the scenarios that run the service as processes share: a database server, a cluster, sources.</summary>
public sealed class ClusterRun : IAsyncDisposable
{
    /// <summary>Settings every benchmark silo and gateway gets: quiet logs.</summary>
    public static readonly IReadOnlyDictionary<string, string> Quiet = new Dictionary<string, string>
    {
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
    }.Concat((Environment.GetEnvironmentVariable("BENCH_SILO_ENV") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries).Select(kv => KeyValuePair.Create(kv.Split('=', 2)[0], kv.Split('=', 2)[1]))).ToDictionary();

    private ClusterRun(PostgresServer server, ProcessCluster cluster)
    {
        Server = server;
        Cluster = cluster;
    }

    /// <summary>The database server (durable defaults).</summary>
    public PostgresServer Server { get; }

    /// <summary>The cluster.</summary>
    public ProcessCluster Cluster { get; }

    /// <summary>Starts a database server and an emulator; silos and gateways are the scenario's.</summary>
    public static async Task<ClusterRun> StartAsync(string name, EmulatorOptions emulator, TimeSpan pollInterval)
    {
        var server = await PostgresServer.StartAsync(fast: false);
        var cluster = await ProcessCluster.CreateAsync("benchmark-" + name, server.ConnectionString, emulator, pollInterval);
        return new ClusterRun(server, cluster);
    }

    /// <summary>Creates a source and completes its admin consent through the emulator and the gateway.</summary>
    public async Task ConnectAsync(Guid tenant, bool unfiltered, params string[] contentTypes)
    {
        var request = new CreateEventSourceRequest { TenantId = tenant.ToString(), SendUnfiltered = unfiltered };
        request.ContentTypes.AddRange(contentTypes);
        var created = await Cluster.Sources.CreateEventSourceAsync(request);
        using var browser = new HttpClient();
        (await browser.GetAsync(created.AdminConsentUrl)).EnsureSuccessStatusCode();
    }

    /// <summary>Reads a tenant's raw stream from its first event until <paramref name="count"/> arrived; calls <paramref name="onEvent"/> for each.</summary>
    public async Task ReadAsync(Guid tenant, long count, Action<RawRecord> onEvent, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        using var call = Cluster.Activity.StreamRaw(new StreamRequest { TenantId = tenant.ToString(), AfterSequence = 0 }, cancellationToken: deadline.Token);
        long received = 0;
        await foreach (var record in call.ResponseStream.ReadAllAsync(deadline.Token))
        {
            onEvent(record);
            if (++received >= count)
            {
                return;
            }
        }

        throw new InvalidOperationException($"The stream of tenant {tenant} ended after {received} of {count} events.");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Server.DisposeAsync();
    }
}
