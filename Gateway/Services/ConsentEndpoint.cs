using System.Net;
using O365Activity.Contracts;
using O365Activity.Contracts.EventSources;

namespace O365Activity.Gateway.Services;

/// <summary>
/// The admin-consent redirect endpoint (<c>GET /consent/callback</c>, PROTOCOL.md §2). Entra sends the administrator's
/// browser here with <c>admin_consent</c>, <c>tenant</c> and <c>state</c>, or with <c>error</c> and
/// <c>error_description</c>. The <c>state</c> names the tenant (its text before the first dot) and must match the
/// pending event source; the tenant grain then proves consent itself. Answers a small HTML page for the person.
/// </summary>
public static partial class ConsentEndpoint
{
    /// <summary>The path the endpoint is mapped at.</summary>
    public const string Path = "/consent/callback";

    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapConsentCallback(this IEndpointRouteBuilder endpoints)
    {
        // Entra's redirect: anonymous (GatewaySecurity's fallback policy does not apply), and limited per client address
        // instead (Gateway:Limits:ConsentRequests).
        endpoints.MapGet(Path, HandleAsync).AllowAnonymous().RequireRateLimiting(Limits.GatewayLimits.ConsentPolicy);
        return endpoints;
    }

    private static async Task<IResult> HandleAsync(HttpRequest request, IGrainFactory grains, ILoggerFactory loggers)
    {
        var query = request.Query;
        string? Value(string name) => query.TryGetValue(name, out var v) && v.Count > 0 ? v[0] : null;
        var state = Value("state");
        var dot = state?.IndexOf('.') ?? -1;
        if (state is null || dot <= 0 || !Guid.TryParse(state.AsSpan(0, dot), out var tenantId))
        {
            return Page(HttpStatusCode.BadRequest, "Consent not recorded", "This link has no valid <code>state</code> value. Start again from the admin-consent URL of your event source.");
        }

        var callback = new ConsentCallback
        {
            State = state,
            AdminConsent = Value("admin_consent"),
            Tenant = Value("tenant"),
            Error = Value("error"),
            ErrorDescription = Value("error_description"),
        };
        try
        {
            var result = await grains.GetGrain<ITenantGrain>(tenantId).CompleteConsent(callback);
            return result.Granted
                ? Page(HttpStatusCode.OK, "Connected ✔", $"Tenant {tenantId} ({Encode(result.Status.Settings.DisplayName)}): {Encode(result.Message)}")
                : Page(HttpStatusCode.OK, "Not connected", $"Tenant {tenantId}: {Encode(result.Message)}");
        }
        catch (EventSourceException e) when (e.Error == EventSourceError.FailedPrecondition)
        {
            // The state was this source's (so the caller held its link), but expired or used: say which, in plain words.
            LogRefused(loggers.CreateLogger(typeof(ConsentEndpoint)), tenantId, e.Error, e.Message);
            return Page(HttpStatusCode.Gone, "Consent not recorded", Encode(e.Message));
        }
        catch (EventSourceException e)
        {
            LogRefused(loggers.CreateLogger(typeof(ConsentEndpoint)), tenantId, e.Error, e.Message);
            // One answer for an unknown tenant and a wrong state: the page must not tell strangers which tenants exist.
            return Page(HttpStatusCode.Forbidden, "Consent not recorded", "This consent link does not match an event source (it may be stale). Start again from the event source's current admin-consent URL.");
        }
    }

    /// <summary>
    /// The headers of every answer of the consent endpoint: a page with nothing to load (no script, style or image, no
    /// framing), no content sniffing, and no referrer (the callback's address holds the consent state).
    /// </summary>
    public static void AddSecurityHeaders(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.XFrameOptions = "DENY";
    }

    /// <summary>
    /// The page of a request refused for its address's rate (HTTP 429): it says when to try again and nothing else.
    /// </summary>
    /// <param name="retryAfterSeconds">When to try again, in seconds (also in the <c>Retry-After</c> header).</param>
    public static string TooManyRequestsHtml(long retryAfterSeconds) =>
        Html("Too many requests", $"Too many requests from this address. Try again in {retryAfterSeconds:N0} seconds.");

    private static IResult Page(HttpStatusCode status, string title, string bodyHtml) => Results.Content(
        Html(title, bodyHtml),
        "text/html; charset=utf-8",
        statusCode: (int)status);

    private static string Html(string title, string bodyHtml) =>
        $"<!doctype html><html><head><meta charset=\"utf-8\"><title>{Encode(title)}</title></head><body><h1>{Encode(title)}</h1><p>{bodyHtml}</p></body></html>";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: consent callback refused ({Error}): {Message}")]
    private static partial void LogRefused(ILogger logger, Guid tenantId, EventSourceError error, string message);
}
