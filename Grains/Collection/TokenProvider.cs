using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;
using O365Activity.Contracts;

namespace O365Activity.Grains.Collection;

/// <summary>Gets app-only access tokens for the Management Activity API, per tenant.</summary>
public interface ITokenProvider
{
    /// <summary>
    /// Returns a bearer token for <paramref name="tenantId"/> (client-credentials grant, scope <c>{api host}/.default</c>,
    /// PROTOCOL.md §2). Tokens are cached in memory per tenant and refreshed before they expire; they are never
    /// persisted or logged.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="forceRefresh">True to skip the cache (after the API answered 401 to a cached token).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="TokenAcquisitionException">The token endpoint refused (for example <c>invalid_client</c> AADSTS7000215, or <c>unauthorized_client</c> AADSTS700016 when the tenant has not consented).</exception>
    Task<string> GetTokenAsync(Guid tenantId, bool forceRefresh, CancellationToken cancellationToken);
}

/// <summary>The token endpoint refused to issue a token, or could not be reached.</summary>
/// <param name="error">The OAuth error code (<c>invalid_client</c>, <c>unauthorized_client</c>, …), or a transport error's name.</param>
/// <param name="message">The endpoint's description (an AADSTS message) or the transport failure.</param>
/// <param name="innerException">The MSAL or transport exception.</param>
public sealed class TokenAcquisitionException(string error, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    /// <summary>The OAuth error code, for example <c>unauthorized_client</c>.</summary>
    public string Error { get; } = error;
}

/// <summary>
/// <see cref="ITokenProvider"/> over one MSAL confidential client (client secret) for all tenants: MSAL's token cache
/// is partitioned per tenant, and <c>WithTenantId</c> selects the tenant per request.
/// </summary>
/// <remarks>
/// In front of MSAL, each tenant's
/// current token is kept with the time MSAL would renew it (its <c>refresh_in</c>, else five minutes before expiry), so
/// that the many requests of a poll do not each pay for a pass through MSAL's request pipeline (a tenth of an idle
/// silo's CPU, measured with perf); after that time, or when forced, MSAL is asked again.
/// </remarks>
public sealed partial class MsalTokenProvider : ITokenProvider
{
    /// <summary>Name of the HttpClient MSAL uses (it carries the login-endpoint rewrite, if any).</summary>
    public const string HttpClientName = "entra";

    private static readonly TimeSpan RenewBeforeExpiry = TimeSpan.FromMinutes(5);
    private readonly IConfidentialClientApplication _application;
    private readonly string[] _scopes;
    private readonly TimeProvider _time;
    private readonly ILogger<MsalTokenProvider> _logger;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, (string Token, DateTimeOffset RenewAt)> _current = new();

    /// <summary>Creates the provider.</summary>
    /// <param name="options">Client id, secret and cloud.</param>
    /// <param name="httpClientFactory">Supplies the <see cref="HttpClientName"/> client.</param>
    /// <param name="time">The clock tokens are renewed by.</param>
    /// <param name="logger">Logs failures with the tenant id (never a token or secret).</param>
    public MsalTokenProvider(IOptions<CollectorOptions> options, IHttpClientFactory httpClientFactory, TimeProvider time, ILogger<MsalTokenProvider> logger)
    {
        _time = time;
        var settings = options.Value;
        var cloud = CloudEndpoints.For(settings.Cloud);
        _scopes = [cloud.Scope];
        _logger = logger;
        _application = ConfidentialClientApplicationBuilder.Create(settings.ClientId)
            .WithClientSecret(settings.ClientSecret)
            .WithAuthority(new Uri(cloud.LoginHost, "organizations"))
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(new MsalHttpClientFactory(httpClientFactory))
            .Build();
    }

    /// <inheritdoc />
    public async Task<string> GetTokenAsync(Guid tenantId, bool forceRefresh, CancellationToken cancellationToken)
    {
        if (!forceRefresh && _current.TryGetValue(tenantId, out var current) && _time.GetUtcNow() < current.RenewAt)
        {
            return current.Token;
        }

        try
        {
            var result = await _application.AcquireTokenForClient(_scopes)
                .WithTenantId(tenantId.ToString())
                .WithForceRefresh(forceRefresh)
                .ExecuteAsync(cancellationToken)
                .ConfigureAwait(false);
            var renewAt = result.AuthenticationResultMetadata?.RefreshOn ?? result.ExpiresOn - RenewBeforeExpiry;
            _current[tenantId] = (result.AccessToken, renewAt < result.ExpiresOn ? renewAt : result.ExpiresOn);
            return result.AccessToken;
        }
        catch (MsalServiceException e)
        {
            _current.TryRemove(tenantId, out _);
            LogTokenRefused(_logger, tenantId, e.ErrorCode, e.StatusCode, e.Message);
            throw new TokenAcquisitionException(e.ErrorCode, e.Message, e);
        }
        catch (MsalClientException e)
        {
            _current.TryRemove(tenantId, out _);
            LogTokenRefused(_logger, tenantId, e.ErrorCode, 0, e.Message);
            throw new TokenAcquisitionException(e.ErrorCode, e.Message, e);
        }
        catch (HttpRequestException e)
        {
            _current.TryRemove(tenantId, out _);
            LogTokenRefused(_logger, tenantId, "http_error", 0, e.Message);
            throw new TokenAcquisitionException("http_error", e.Message, e);
        }
    }

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "Tenant {TenantId}: token request refused: {Error} (HTTP {Status}): {Description}")]
    private static partial void LogTokenRefused(ILogger logger, Guid tenantId, string error, int status, string description);

    private sealed class MsalHttpClientFactory(IHttpClientFactory factory) : IMsalHttpClientFactory
    {
        public HttpClient GetHttpClient() => factory.CreateClient(HttpClientName);
    }
}

/// <summary>
/// Sends requests addressed to <paramref name="from"/> (scheme, host and port) to <paramref name="to"/> instead,
/// keeping path and query: how MSAL, which insists on an https authority, reaches the local emulator.
/// </summary>
/// <param name="from">The authority requests are addressed to, for example <c>https://login.microsoftonline.com</c>.</param>
/// <param name="to">Where they really go, for example <c>http://127.0.0.1:5090</c>.</param>
public sealed class EndpointRewriteHandler(Uri from, Uri to) : DelegatingHandler
{
    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { } uri
            && string.Equals(uri.Host, from.Host, StringComparison.OrdinalIgnoreCase)
            && uri.Port == from.Port)
        {
            request.RequestUri = new UriBuilder(uri) { Scheme = to.Scheme, Host = to.Host, Port = to.Port }.Uri;
        }

        return base.SendAsync(request, cancellationToken);
    }
}
