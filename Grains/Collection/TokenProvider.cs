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
    /// <exception cref="TokenAcquisitionException">The token endpoint refused (for example <c>invalid_client</c> AADSTS7000215, or <c>unauthorized_client</c> AADSTS700016 when the tenant has not consented), or its answer could not be read (<c>invalid_response</c>).</exception>
    Task<string> GetTokenAsync(Guid tenantId, bool forceRefresh, CancellationToken cancellationToken);

    /// <summary>Forgets every token held for <paramref name="tenantId"/> (its event source was deleted): the next request, if any, asks Entra afresh.</summary>
    /// <param name="tenantId">The tenant.</param>
    void Forget(Guid tenantId);
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
/// <see cref="ITokenProvider"/> over MSAL confidential clients: one per application credential and cloud authority
/// (<see cref="SourceConnections"/> says which a tenant uses), each with MSAL's token cache partitioned per tenant, and
/// <c>WithTenantId</c> selecting the tenant per request. A credential is a client secret or a certificate (MSAL signs the
/// client assertion; PROTOCOL.md §2).
/// </summary>
/// <remarks>
/// <para>In front of MSAL, each tenant's current token is kept with the time MSAL would renew it (its <c>refresh_in</c>,
/// else five minutes before expiry), so that the many requests of a poll do not each pay for a pass through MSAL's
/// request pipeline (a tenth of an idle silo's CPU, measured with perf); after that time, or when forced, MSAL is asked again.</para>
/// <para>Each new token's audience (<c>aud</c>, when the token is a JWT) is checked against the tenant's cloud's API
/// host (case AU3): a token for another cloud is refused here as a configuration error (<c>invalid_audience</c>),
/// rather than becoming a stream of 401s from the API.</para>
/// </remarks>
public sealed partial class MsalTokenProvider : ITokenProvider, IDisposable
{
    /// <summary>Name of the HttpClient MSAL uses (it carries the login-endpoint rewrite, if any).</summary>
    public const string HttpClientName = "entra";

    /// <summary>The application id of the Office 365 Management APIs resource, which some tokens carry as their audience.</summary>
    private const string ManagementApiAppId = "c5393580-f805-4401-95e8-94b7a6ef2fc2";

    private static readonly TimeSpan RenewBeforeExpiry = TimeSpan.FromMinutes(5);
    private readonly CollectorOptions _options;
    private readonly SourceConnections _connections;
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly TimeProvider _time;
    private readonly ILogger<MsalTokenProvider> _logger;
    private readonly CollectorMetrics? _metrics;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Credential, Uri Authority), Lazy<IConfidentialClientApplication>> _applications = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, (string Token, DateTimeOffset RenewAt, SourceConnection Connection)> _current = new();
    private readonly List<System.Security.Cryptography.X509Certificates.X509Certificate2> _certificates = [];

    /// <summary>MSAL's token cache, one serialized partition per application and tenant (its <c>SuggestedCacheKey</c>), so that a tenant's can be dropped.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> _cache = new(StringComparer.Ordinal);

    /// <summary>Creates the provider.</summary>
    /// <param name="options">The credentials and the default cloud.</param>
    /// <param name="connections">Each tenant's cloud and credential.</param>
    /// <param name="httpClientFactory">Supplies the <see cref="HttpClientName"/> client.</param>
    /// <param name="time">The clock tokens are renewed by.</param>
    /// <param name="logger">Logs failures with the tenant id (never a token or secret).</param>
    /// <param name="metrics">Counts the tokens asked of Entra; null: not counted.</param>
    public MsalTokenProvider(IOptions<CollectorOptions> options, SourceConnections connections, IHttpClientFactory httpClientFactory, TimeProvider time, ILogger<MsalTokenProvider> logger, CollectorMetrics? metrics = null)
    {
        _metrics = metrics;
        _options = options.Value;
        _connections = connections;
        _httpClientFactory = httpClientFactory;
        _time = time;
        _logger = logger;
    }

    /// <inheritdoc />
    public async Task<string> GetTokenAsync(Guid tenantId, bool forceRefresh, CancellationToken cancellationToken)
    {
        var connection = _connections.For(tenantId);
        if (!forceRefresh && _current.TryGetValue(tenantId, out var current) && _time.GetUtcNow() < current.RenewAt && current.Connection == connection)
        {
            return current.Token;
        }

        try
        {
            var result = await Application(connection).AcquireTokenForClient([connection.Endpoints.Scope])
                .WithTenantId(tenantId.ToString())
                .WithForceRefresh(forceRefresh)
                .ExecuteAsync(cancellationToken)
                .ConfigureAwait(false);
            if (Audience(result.AccessToken) is { } audience && !IsApiAudience(audience, connection.Endpoints))
            {
                throw new TokenAcquisitionException("invalid_audience",
                    $"The token's audience is '{audience}', not the {connection.Cloud} API host {connection.Endpoints.ApiHost.GetLeftPart(UriPartial.Authority)}: the event source's cloud does not match the application's.");
            }

            if (result.AuthenticationResultMetadata?.TokenSource != TokenSource.Cache)
            {
                _metrics?.TokenRefreshed(tenantId, succeeded: true);
            }

            var renewAt = result.AuthenticationResultMetadata?.RefreshOn ?? result.ExpiresOn - RenewBeforeExpiry;
            _current[tenantId] = (result.AccessToken, renewAt < result.ExpiresOn ? renewAt : result.ExpiresOn, connection);
            return result.AccessToken;
        }
        catch (Exception e) when (e is not OperationCanceledException && CountFailure(tenantId))
        {
            // Not reached: the filter counts the failure, and the clauses below handle it.
            throw;
        }
        catch (TokenAcquisitionException e)
        {
            _current.TryRemove(tenantId, out _);
            LogTokenRefused(_logger, tenantId, e.Error, 0, e.Message);
            throw;
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
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or OverflowException or NullReferenceException or ArgumentException)
        {
            // MSAL lets the failure to read a token-endpoint answer escape: a field of another type (JsonException), an
            // empty body (NullReferenceException), a number out of range.
            _current.TryRemove(tenantId, out _);
            LogTokenRefused(_logger, tenantId, "invalid_response", 0, e.Message);
            throw new TokenAcquisitionException("invalid_response", $"The token endpoint's answer could not be read: {e.Message}", e);
        }
        catch (HttpRequestException e)
        {
            _current.TryRemove(tenantId, out _);
            LogTokenRefused(_logger, tenantId, "http_error", 0, e.Message);
            throw new TokenAcquisitionException("http_error", e.Message, e);
        }
        catch (Exception e) when (e is InvalidOperationException or System.Security.Cryptography.CryptographicException)
        {
            // The credential's certificate could not be loaded (checked again at each attempt: it may be fixed on disk).
            _applications.TryRemove((connection.Credential, connection.Endpoints.LoginHost), out _);
            LogTokenRefused(_logger, tenantId, "credential_unusable", 0, e.Message);
            throw new TokenAcquisitionException("credential_unusable", $"The {connection.Credential} credential's certificate cannot be used: {e.Message}", e);
        }
    }

    /// <summary>Counts a failed token request; false, so that the exception goes on to its own handler.</summary>
    private bool CountFailure(Guid tenantId)
    {
        _metrics?.TokenRefreshed(tenantId, succeeded: false);
        return false;
    }

    /// <inheritdoc />
    public void Forget(Guid tenantId)
    {
        _current.TryRemove(tenantId, out _);
        var tenant = tenantId.ToString();
        foreach (var key in _cache.Keys.Where(k => k.Contains(tenant, StringComparison.OrdinalIgnoreCase)))
        {
            _cache.TryRemove(key, out _);
        }
    }

    /// <summary>Disposes the certificates loaded.</summary>
    public void Dispose()
    {
        lock (_certificates)
        {
            foreach (var certificate in _certificates)
            {
                certificate.Dispose();
            }

            _certificates.Clear();
        }
    }

    private IConfidentialClientApplication Application(SourceConnection connection) =>
        _applications.GetOrAdd((connection.Credential, connection.Endpoints.LoginHost), key => new Lazy<IConfidentialClientApplication>(() => Build(key.Credential, key.Authority))).Value;

    private IConfidentialClientApplication Build(string name, Uri loginHost)
    {
        var credential = _options.Credential(name)
            ?? throw new TokenAcquisitionException("unknown_credential", $"No credential named '{name}' is configured (Collector:Credentials:{name}).");
        var builder = ConfidentialClientApplicationBuilder.Create(credential.ClientId)
            .WithAuthority(new Uri(loginHost, "organizations"))
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(new MsalHttpClientFactory(_httpClientFactory));
        if (credential.ClientSecret is { Length: > 0 } || credential.ClientSecretFile is { Length: > 0 })
        {
            builder = builder.WithClientSecret(credential.Secret()
                ?? throw new InvalidOperationException($"The client secret file '{credential.ClientSecretFile}' cannot be read or is empty."));
        }
        else
        {
            var certificate = credential.LoadCertificate();
            lock (_certificates)
            {
                _certificates.Add(certificate);
            }

            // x5c: the certificate travels with the assertion (subject-name/issuer authentication works too).
            builder = builder.WithCertificate(certificate, sendX5C: true);
        }

        var application = builder.Build();
        // App-token caches are partitioned per tenant (the key names it): kept here, so that Forget can drop one.
        application.AppTokenCache.SetBeforeAccess(args =>
            args.TokenCache.DeserializeMsalV3(_cache.GetValueOrDefault(args.SuggestedCacheKey), shouldClearExistingCache: true));
        application.AppTokenCache.SetAfterAccess(args =>
        {
            if (args.HasStateChanged)
            {
                _cache[args.SuggestedCacheKey] = args.TokenCache.SerializeMsalV3();
            }
        });
        return application;
    }

    /// <summary>The <c>aud</c> claim of a JWT (the first, when a list); null for a token that is not a JWT.</summary>
    internal static string? Audience(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
            using var json = System.Text.Json.JsonDocument.Parse(Convert.FromBase64String(payload));
            if (json.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object || !json.RootElement.TryGetProperty("aud", out var aud))
            {
                return null;
            }

            return aud.ValueKind switch
            {
                System.Text.Json.JsonValueKind.String => aud.GetString(),
                System.Text.Json.JsonValueKind.Array when aud.GetArrayLength() > 0 && aud[0].ValueKind == System.Text.Json.JsonValueKind.String => aud[0].GetString(),
                _ => null,
            };
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a name or string System.Text.Json parses but cannot read (an unpaired surrogate's escape).
            return null;
        }
    }

    private static bool IsApiAudience(string audience, CloudEndpoints endpoints) =>
        string.Equals(audience.TrimEnd('/'), endpoints.ApiHost.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase)
        || string.Equals(audience, ManagementApiAppId, StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "Tenant {TenantId}: token request refused: {Error} (HTTP {Status}): {Description}")]
    private static partial void LogTokenRefused(ILogger logger, Guid tenantId, string error, int status, string description);

    private sealed class MsalHttpClientFactory(IHttpClientFactory factory) : IMsalHttpClientFactory
    {
        public HttpClient GetHttpClient() => factory.CreateClient(HttpClientName);
    }
}

/// <summary>
/// Sends requests addressed to one of <paramref name="from"/> (scheme, host and port) to <paramref name="to"/> instead,
/// keeping path and query: how MSAL, which insists on an https authority, reaches the local emulator.
/// </summary>
/// <param name="from">The authorities requests are addressed to, for example <c>https://login.microsoftonline.com</c> and <c>https://login.microsoftonline.us</c>.</param>
/// <param name="to">Where they really go, for example <c>http://127.0.0.1:5090</c>.</param>
public sealed class EndpointRewriteHandler(IReadOnlyCollection<Uri> from, Uri to) : DelegatingHandler
{
    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { } uri
            && from.Any(f => string.Equals(uri.Host, f.Host, StringComparison.OrdinalIgnoreCase) && uri.Port == f.Port))
        {
            request.RequestUri = new UriBuilder(uri) { Scheme = to.Scheme, Host = to.Host, Port = to.Port }.Uri;
        }

        return base.SendAsync(request, cancellationToken);
    }
}
