using System.Globalization;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using O365Activity.Emulator;
using O365Activity.Protos.V1;

namespace O365Activity.Harness;

/// <summary>
/// The service as production runs it, in real processes: silo processes and gateway processes on one PostgreSQL
/// database, finding each other through the membership table, pointed at an emulator in this test process (so that
/// the test can script the API and read what it served). Disposing kills every process.
/// </summary>
public sealed class ProcessCluster : IAsyncDisposable
{
    /// <summary>The application's client id and secret the emulator accepts.</summary>
    public const string ClientId = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

    private const string DefaultClientSecret = "process-test-secret";

    private readonly string _logs;
    private readonly string _clientSecret;
    private readonly string _connectionString;
    private readonly TimeSpan _pollInterval;
    private readonly List<ServiceProcess> _all = [];
    private int _silos;
    private int _gateways;

    private ProcessCluster(string logs, string connectionString, EmulatorServer emulator, TimeSpan pollInterval, string clientSecret)
    {
        _logs = logs;
        _clientSecret = clientSecret;
        LogFolder = logs;
        _connectionString = connectionString;
        _pollInterval = pollInterval;
        Emulator = emulator;
        var grpc = Ports.FreeFixed();
        var consent = Ports.FreeFixed();
        var status = Ports.FreeFixed();
        GrpcAddress = new Uri($"http://127.0.0.1:{grpc}");
        ConsentAddress = new Uri($"http://127.0.0.1:{consent}");
        StatusAddress = new Uri($"http://127.0.0.1:{status}");
        Channel = GrpcChannel.ForAddress(GrpcAddress);
    }

    /// <summary>The folder the processes' logs are written to (one file per process).</summary>
    public string LogFolder { get; }

    /// <summary>The emulator the silos poll.</summary>
    public EmulatorServer Emulator { get; }

    /// <summary>The cluster id (unique per cluster, so that parallel clusters on one database server never meet).</summary>
    public string ClusterId { get; } = "test-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Where the gateway's gRPC endpoint listens (the same for every gateway started, one at a time).</summary>
    public Uri GrpcAddress { get; }

    /// <summary>Where the gateway's consent endpoint listens.</summary>
    public Uri ConsentAddress { get; }

    /// <summary>Where the gateway's status page listens.</summary>
    public Uri StatusAddress { get; }

    /// <summary>A channel to <see cref="GrpcAddress"/>.</summary>
    public GrpcChannel Channel { get; }

    /// <summary>The silo processes started so far (dead ones included).</summary>
    public List<ServiceProcess> Silos { get; } = [];

    /// <summary>The gateway processes started so far.</summary>
    public List<ServiceProcess> Gateways { get; } = [];

    /// <summary>Event sources through the gateway.</summary>
    public EventSources.EventSourcesClient Sources => new(Channel);

    /// <summary>Activity streams through the gateway.</summary>
    public Activity.ActivityClient Activity => new(Channel);

    /// <summary>Starts the emulator; silos and gateways are started by the test.</summary>
    /// <param name="test">The test's name (its processes log to .local/test-logs/NAME).</param>
    /// <param name="connectionString">The database.</param>
    /// <param name="emulator">Emulator options (client id and secret are set here).</param>
    /// <param name="pollInterval">The silos' poll interval.</param>
    /// <param name="clientSecret">The application's client secret (the emulator accepts it, the silos get it as <c>Collector:ClientSecret</c>); null: a fixed test secret.</param>
    public static async Task<ProcessCluster> CreateAsync(string test, string connectionString, EmulatorOptions emulator, TimeSpan? pollInterval = null, string? clientSecret = null)
    {
        var secret = clientSecret ?? DefaultClientSecret;
        var server = await EmulatorServer.StartAsync(emulator with { ClientId = ClientId, ClientSecret = secret }, CancellationToken.None);
        return new ProcessCluster(RepoPaths.LogFolder(test), connectionString, server, pollInterval ?? TimeSpan.FromMilliseconds(500), secret);
    }

    /// <summary>Starts a silo process and waits until it accepts gateway connections.</summary>
    public async Task<ServiceProcess> StartSiloAsync(IReadOnlyDictionary<string, string>? extra = null)
    {
        var siloPort = Ports.FreeFixed();
        var gatewayPort = Ports.FreeFixed();
        var environment = Common();
        environment["Cluster__SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture);
        environment["Cluster__GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture);
        environment["Collector__ClientSecret"] = _clientSecret;
        environment["Collector__ManagementApiEndpoint"] = Emulator.BaseUrl.ToString();
        environment["Collector__PollInterval"] = _pollInterval.ToString();
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var silo = ServiceProcess.Start($"silo{++_silos}", RepoPaths.Silo, environment, _logs, siloPort);
        Silos.Add(silo);
        _all.Add(silo);
        await WaitForPortAsync(silo, gatewayPort, TimeSpan.FromSeconds(60));
        return silo;
    }

    /// <summary>
    /// Starts a gateway process and waits until it answers gRPC calls from the cluster. Without
    /// <paramref name="grpcAddress"/> it listens on <see cref="GrpcAddress"/> (one such gateway at a time); with it, on
    /// that address, beside the others.
    /// </summary>
    public async Task<ServiceProcess> StartGatewayAsync(IReadOnlyDictionary<string, string>? extra = null, Uri? grpcAddress = null)
    {
        var environment = Common();
        var address = grpcAddress ?? GrpcAddress;
        // Authentication off (allowed in Development only) unless the caller's settings turn it on.
        environment["DOTNET_ENVIRONMENT"] = "Development";
        environment["Gateway__Authentication__Mode"] = "None";
        // One test or benchmark client does the work of many (hundreds of streams, status polled every few ms, every tenant's consent): the
        // per-client limits are tested on their own (Gateway/LimitsTests) and lifted here.
        environment["Gateway__Limits__StreamsPerClient"] = "1000000";
        environment["Gateway__Limits__ManagementRequests"] = "1000000";
        environment["Gateway__Limits__ManagementBurst"] = "1000000";
        environment["Gateway__Limits__ConsentRequests"] = "1000000";
        environment["Gateway__ConsentEndpoint"] = grpcAddress is null ? ConsentAddress.ToString() : $"http://127.0.0.1:{Ports.FreeFixed()}";
        environment["Gateway__StatusEndpoint"] = grpcAddress is null ? StatusAddress.ToString() : $"http://127.0.0.1:{Ports.FreeFixed()}";
        // The caller's settings win (a status endpoint of its own, authentication on).
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        environment["Gateway__GrpcEndpoint"] = address.ToString();
        var gateway = ServiceProcess.Start($"gateway{++_gateways}", RepoPaths.Gateway, environment, _logs);
        Gateways.Add(gateway);
        _all.Add(gateway);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        // The probe only checks that the gateway answers: over https it trusts whatever certificate the test configured.
        using var channel = address.Scheme == Uri.UriSchemeHttps
            ? GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } } })
            : GrpcChannel.ForAddress(address);
        while (true)
        {
            try
            {
                await new EventSources.EventSourcesClient(channel).ListEventSourcesAsync(new ListEventSourcesRequest(), cancellationToken: deadline.Token);
                return gateway;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied)
            {
                // Authentication is on and this channel has no credentials: the gateway answers (the caller waits for the cluster itself).
                return gateway;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && !deadline.IsCancellationRequested && gateway.IsRunning)
            {
                await Task.Delay(200, CancellationToken.None);
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException)
            {
                throw new TimeoutException($"The gateway did not answer within 60 s: {e.Message}\n{gateway.Tail()}");
            }
        }
    }

    /// <summary>The last output of every process, for failure messages.</summary>
    public string Tails() => string.Join("\n", _all.Select(p => p.Tail()));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        foreach (var process in _all)
        {
            await process.DisposeAsync();
        }

        await Emulator.DisposeAsync();
    }

    private Dictionary<string, string> Common() => new()
    {
        ["Storage__ConnectionString"] = _connectionString,
        ["Cluster__ClusterId"] = ClusterId,
        ["Cluster__AdvertisedAddress"] = "127.0.0.1",
        ["Collector__ClientId"] = ClientId,
        ["Collector__LoginEndpoint"] = Emulator.BaseUrl.ToString(),
        ["Logging__LogLevel__Default"] = "Information",
        ["Logging__LogLevel__Orleans"] = "Warning",
        ["Logging__LogLevel__Microsoft"] = "Warning",
        ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        ["Logging__LogLevel__System.Net.Http.HttpClient"] = "Warning",
    };

    private static async Task WaitForPortAsync(ServiceProcess process, int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (!process.IsRunning)
            {
                throw new TimeoutException($"{process.Name} exited while starting.\n{process.Tail()}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(200);
            }
        }

        throw new TimeoutException($"{process.Name} did not open port {port} within {timeout}.\n{process.Tail()}");
    }
}
