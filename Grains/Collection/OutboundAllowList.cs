using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using O365Activity.Contracts;

namespace O365Activity.Grains.Collection;

/// <summary>
/// Where the silo may send requests, and nowhere else: the token authorities (<see cref="CloudEndpoints.LoginHost"/>)
/// and the Management Activity API hosts (<see cref="CloudEndpoints.ApiHost"/>) of the clouds (PROTOCOL.md §1), over
/// https on their default port; and, when set, <c>Collector:LoginEndpoint</c> and <c>Collector:ManagementApiEndpoint</c>
/// exactly as configured (scheme, host and port; the local emulator's may be http, which is logged as a warning at
/// start). Enforced by <see cref="OutboundAllowListHandler"/> on the HttpClients of MSAL and of the API client.
/// </summary>
public sealed partial class OutboundAllowList
{
    private readonly ILogger<OutboundAllowList> _logger;
    private readonly CollectorOptions _options;

    /// <summary>Builds the lists from the collector options.</summary>
    /// <param name="options">The endpoint overrides, if any.</param>
    /// <param name="logger">Logs each refused request (an error) and http overrides (a warning, by <see cref="ReportOverrides"/>).</param>
    public OutboundAllowList(IOptions<CollectorOptions> options, ILogger<OutboundAllowList> logger)
    {
        _logger = logger;
        _options = options.Value;
        var clouds = Enum.GetValues<CloudName>().Select(CloudEndpoints.For).ToList();
        Login = Origins(clouds.Select(c => c.LoginHost), _options.LoginEndpoint);
        Api = Origins(clouds.Select(c => c.ApiHost), _options.ManagementApiEndpoint);
    }

    /// <summary>The origins (<c>scheme://host:port</c>, lower case) MSAL may reach: the token authorities.</summary>
    public IReadOnlySet<string> Login { get; }

    /// <summary>The origins the Management Activity API client may reach: the API hosts.</summary>
    public IReadOnlySet<string> Api { get; }

    /// <summary>A request's origin as the lists hold it: <c>scheme://host:port</c>, lower case.</summary>
    /// <param name="uri">An absolute URI.</param>
    public static string Origin(Uri uri) => $"{uri.Scheme}://{uri.IdnHost}:{uri.Port}".ToLowerInvariant();

    /// <summary>Logs a warning for each endpoint override that is plain http (no TLS: only for a local emulator).</summary>
    public void ReportOverrides()
    {
        foreach (var (setting, endpoint) in (ReadOnlySpan<(string, Uri?)>)[("Collector:LoginEndpoint", _options.LoginEndpoint), ("Collector:ManagementApiEndpoint", _options.ManagementApiEndpoint)])
        {
            if (endpoint is { Scheme: "http" })
            {
                LogPlainHttp(_logger, setting, endpoint.GetLeftPart(UriPartial.Authority));
            }
        }
    }

    internal void Refused(string client, Uri uri) => LogRefused(_logger, client, uri.GetLeftPart(UriPartial.Authority), uri.AbsolutePath);

    private static HashSet<string> Origins(IEnumerable<Uri> hosts, Uri? endpoint)
    {
        var origins = hosts.Select(Origin).ToHashSet(StringComparer.Ordinal);
        if (endpoint is not null)
        {
            origins.Add(Origin(endpoint));
        }

        return origins;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbound request refused: {Client} asked for {Origin}{Path}, which is not a configured cloud host (nor Collector:LoginEndpoint or Collector:ManagementApiEndpoint); it was not sent")]
    private static partial void LogRefused(ILogger logger, string client, string origin, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Setting} is {Endpoint}: plain http without TLS, for a local emulator only; never in production")]
    private static partial void LogPlainHttp(ILogger logger, string setting, string endpoint);
}

/// <summary>
/// Refuses, without sending it, any request whose scheme, host and port are not in its allow-list (see
/// <see cref="OutboundAllowList"/>): it logs an error and throws <see cref="HttpRequestException"/>. On the API client
/// it sits outside the retry pipeline (a refusal is not retried); on MSAL's client, after the login-endpoint rewrite,
/// so that the token endpoint MSAL asks for must be on the configured login host.
/// </summary>
/// <param name="client">The HttpClient's name, for the log.</param>
/// <param name="allowed">The origins allowed (<see cref="OutboundAllowList.Origin"/>).</param>
/// <param name="list">Logs refusals.</param>
public sealed class OutboundAllowListHandler(string client, IReadOnlySet<string> allowed, OutboundAllowList list) : DelegatingHandler
{
    /// <inheritdoc />
    /// <exception cref="HttpRequestException">The request's destination is not allowed; nothing was sent.</exception>
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is not { IsAbsoluteUri: true } uri || !allowed.Contains(OutboundAllowList.Origin(uri)))
        {
            var target = request.RequestUri is { IsAbsoluteUri: true } absolute ? absolute : new Uri("about:blank");
            list.Refused(client, target);
            throw new HttpRequestException(
                $"Refused to send a request to {target.GetLeftPart(UriPartial.Authority)}: not a configured cloud host (see Collector:LoginEndpoint, Collector:ManagementApiEndpoint).");
        }

        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>Says at start which endpoint overrides are plain http (<see cref="OutboundAllowList.ReportOverrides"/>).</summary>
/// <param name="list">The allow-list.</param>
internal sealed class OutboundAllowListReport(OutboundAllowList list) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        list.ReportOverrides();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
