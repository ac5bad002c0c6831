using Microsoft.Extensions.FileProviders;

namespace O365Activity.Gateway.StatusPage;

/// <summary>
/// The status page, served on <c>Gateway:StatusEndpoint</c> only (HTTP/1.1, for browsers): three HTML pages, the event
/// sources (<c>/</c>), a tenant (<c>/tenants/{tenantId}</c>: its sign-in locations on a world map, its latest admin
/// activity and flagged sign-ins) and one of its users (<c>/tenants/{tenantId}/users/{user}</c>); their scripts,
/// styles and map libraries under <c>/static/</c> (the build's <c>wwwroot</c>, see the gateway's project file); and
/// the JSON API under <c>/api/</c> that the scripts read (<see cref="StatusApi"/>). The pages are static: every value
/// from a tenant reaches the page as JSON and is inserted as text by the scripts, and every answer carries a
/// <c>Content-Security-Policy</c> that allows no inline script and nothing from another origin.
/// </summary>
public static class StatusPageEndpoints
{
    /// <summary>The path prefix of the page's scripts, styles and libraries.</summary>
    public const string StaticPrefix = "/static";

    /// <summary>The path prefix of the JSON API.</summary>
    public const string ApiPrefix = "/api";

    /// <summary>The path prefix of the tenant and user pages.</summary>
    public const string TenantsPrefix = "/tenants";

    /// <summary>The policy sent with every answer of the status endpoint: this origin only, no inline script or style, no framing.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private const string SourcesPage = "sources.html";
    private const string TenantPage = "tenant.html";
    private const string UserPage = "user.html";

    /// <summary>The folder the page's files are served from: <c>wwwroot</c> beside the gateway's assembly.</summary>
    public static string WebRoot { get; } = Path.Combine(AppContext.BaseDirectory, "wwwroot");

    /// <summary>True for the paths the status endpoint serves (and the other endpoints refuse).</summary>
    public static bool Owns(PathString path) =>
        path == "/" || path.StartsWithSegments(TenantsPrefix) || path.StartsWithSegments(ApiPrefix) || path.StartsWithSegments(StaticPrefix);

    /// <summary>Sets the headers every answer of the status endpoint carries (before the answer starts).</summary>
    public static void AddSecurityHeaders(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.XFrameOptions = "DENY";
    }

    /// <summary>Serves the page's files under <see cref="StaticPrefix"/> from <see cref="WebRoot"/>.</summary>
    /// <exception cref="InvalidOperationException">The build left no <c>wwwroot</c> beside the assembly.</exception>
    public static IApplicationBuilder UseStatusPageFiles(this IApplicationBuilder app)
    {
        if (!File.Exists(Path.Combine(WebRoot, SourcesPage)))
        {
            throw new InvalidOperationException($"The status page's files are missing from {WebRoot}: build the gateway (its build runs npm ci in Gateway/web and copies the page into wwwroot).");
        }

        return app.UseStaticFiles(new StaticFileOptions
        {
            RequestPath = StaticPrefix,
            FileProvider = new PhysicalFileProvider(WebRoot),
            // Scripts and styles change with each build: the browser asks again each time (an unchanged file answers 304).
            OnPrepareResponse = file => file.Context.Response.Headers.CacheControl = "no-cache",
        });
    }

    /// <summary>Maps the three pages and the JSON API.</summary>
    public static IEndpointRouteBuilder MapStatusPage(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", () => Page(SourcesPage));
        endpoints.MapGet(TenantsPrefix + "/{tenantId}", () => Page(TenantPage));
        endpoints.MapGet(TenantsPrefix + "/{tenantId}/users/{user}", () => Page(UserPage));
        endpoints.MapStatusApi();
        return endpoints;
    }

    private static IResult Page(string name) => Results.File(Path.Combine(WebRoot, name), "text/html; charset=utf-8");
}
