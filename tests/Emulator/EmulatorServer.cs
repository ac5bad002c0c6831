using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging.Abstractions;
using O365Activity.Emulator.Content;
using O365Activity.Emulator.Http;

namespace O365Activity.Emulator;

/// <summary>
/// A running emulator of the Office 365 Management Activity API and of the Entra ID token and admin-consent endpoints,
/// speaking the real protocol over HTTP on a local port. Start one per test (or per fixture) with <see cref="StartAsync"/>,
/// point clients at <see cref="BaseUrl"/> (or route Microsoft's hosts to it with <see cref="CreateRedirectHandler"/>),
/// drive it through <see cref="State"/>, and dispose it to stop.
/// </summary>
public sealed partial class EmulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ITimer? _generator;
    private readonly ILogger _logger;
    private int _disposed;

    private EmulatorServer(WebApplication app, EmulatorState state, Uri baseUrl, ITimer? generator, ILogger logger)
    {
        _app = app;
        State = state;
        BaseUrl = baseUrl;
        _generator = generator;
        _logger = logger;
    }

    /// <summary>Where the emulator listens, for example <c>http://127.0.0.1:41234/</c>. The token endpoint is
    /// <c>{BaseUrl}{tenant}/oauth2/v2.0/token</c>, the API root <c>{BaseUrl}api/v1.0/{tenant}/activity/feed</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The state and control surface (consent, subscriptions, content, faults, clock skew, request log).</summary>
    public EmulatorState State { get; }

    /// <summary>Starts an emulator and returns once it accepts requests.</summary>
    /// <param name="options">The configuration; null for defaults (a free port on 127.0.0.1, the system clock).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running emulator.</returns>
    /// <exception cref="ArgumentException"><see cref="EmulatorOptions.Url"/> is not an <c>http://</c> URL with an IP address
    /// or <c>localhost</c>, or another option is out of range.</exception>
    public static async Task<EmulatorServer> StartAsync(EmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EmulatorOptions();
        Validate(options);
        var endpoint = ParseUrl(options.Url);
        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger("O365Activity.Emulator");

        IReadOnlyList<AuditRecord> folderRecords = [];
        FolderLoadReport? report = null;
        if (options.RecordsDirectory is not null)
        {
            (folderRecords, report) = RecordFolderLoader.Load(options.RecordsDirectory, logger);
            LogFolderLoaded(logger, report.RecordsLoaded, report.FilesRead, report.Directory, report.Skipped.Count);
        }

        var state = new EmulatorState(options, folderRecords, report);
        var runtime = new EmulatorRuntime(state, AccessTokens.Create(options.TokenSigningKey), logger);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(EmulatorServer).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 1024 * 1024;
            kestrel.Listen(endpoint);
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.Services.AddSingleton(runtime);

        var app = builder.Build();
        app.UseMiddleware<RequestLogging>();
        app.UseRouting();
        EntraEndpoints.Map(app, runtime);
        ActivityEndpoints.Map(app, runtime);

        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var baseUrl = new Uri(address.EndsWith('/') ? address : address + "/");
        runtime.SelfOrigin = baseUrl.GetLeftPart(UriPartial.Authority);

        ITimer? generator = null;
        if (options.GenerateEvery is not null || options.GenerateRate is not null)
        {
            var every = options.GenerateEvery ?? TimeSpan.FromSeconds(1);
            generator = options.TimeProvider.CreateTimer(_ => LogGenerated(logger, state.GenerateTick()), null, every, every);
        }

        LogStarted(logger, baseUrl);
        return new EmulatorServer(app, state, baseUrl, generator, logger);
    }

    /// <summary>A handler that routes requests for Microsoft's hosts to this emulator (see <see cref="MicrosoftHostRedirectHandler"/>).</summary>
    /// <returns>A new handler; the caller disposes it (an <see cref="HttpClient"/> built on it does so).</returns>
    public MicrosoftHostRedirectHandler CreateRedirectHandler() => new(BaseUrl);

    /// <summary>Stops the emulator.</summary>
    /// <returns>A task that completes once Kestrel has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_generator is not null)
        {
            await _generator.DisposeAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
        LogStopped(_logger, BaseUrl);
    }

    private static void Validate(EmulatorOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BlobSize, 1, nameof(options.BlobSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Paging.PageSize, 1, nameof(options.Paging));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.TokenLifetime, TimeSpan.Zero, nameof(options.TokenLifetime));
        if (options.GenerateEvery is { } every)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(every, TimeSpan.Zero, nameof(options.GenerateEvery));
        }

        if (options.GenerateRate is { } rate && (!double.IsFinite(rate) || rate <= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), rate, "EmulatorOptions.GenerateRate must be a positive number of records per second.");
        }

        if (options.Backlog is { } backlog)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(backlog.Records, 1, "EmulatorOptions.Backlog.Records");
            if (backlog.Window <= TimeSpan.Zero || backlog.Window > BacklogOptions.MaxWindow)
            {
                throw new ArgumentOutOfRangeException(nameof(options), backlog.Window, "EmulatorOptions.Backlog.Window must be more than zero and at most 7 days.");
            }
        }

        if (options.Throttling.StatusCode is < 400 or > 599)
        {
            throw new ArgumentException("EmulatorOptions.Throttling.StatusCode must be an error status (429 or 403).", nameof(options));
        }
    }

    /// <summary>Reads <c>http://host:port</c> into a Kestrel endpoint.</summary>
    internal static IPEndPoint ParseUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"EmulatorOptions.Url must be an http:// URL such as http://127.0.0.1:5090, not '{url}'.", nameof(url));
        }

        var address = uri.Host switch
        {
            "localhost" => IPAddress.Loopback,
            "*" or "+" or "0.0.0.0" => IPAddress.Any,
            _ when IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) => ip,
            _ => throw new ArgumentException($"EmulatorOptions.Url must name an IP address or localhost, not '{uri.Host}'.", nameof(url)),
        };
        return new IPEndPoint(address, uri.Port);
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Loaded {Records} audit records from {Files} files in {Directory} ({Skipped} inputs skipped)")]
    private static partial void LogFolderLoaded(ILogger logger, int records, int files, string directory, int skipped);

    [LoggerMessage(EventId = 21, Level = LogLevel.Debug, Message = "Generated {Blobs} synthetic blobs")]
    private static partial void LogGenerated(ILogger logger, int blobs);

    [LoggerMessage(EventId = 22, Level = LogLevel.Debug, Message = "Emulator started on {BaseUrl}")]
    private static partial void LogStarted(ILogger logger, Uri baseUrl);

    [LoggerMessage(EventId = 23, Level = LogLevel.Debug, Message = "Emulator on {BaseUrl} stopped")]
    private static partial void LogStopped(ILogger logger, Uri baseUrl);
}
