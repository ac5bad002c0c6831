using Google.Protobuf;
using Grpc.Core;
using O365Activity.Gateway.Security;
using O365Activity.Gateway.Services;
using Proto = O365Activity.Protos.V1;

namespace O365Activity.Gateway.StatusPage;

/// <summary>
/// The status page's JSON API (under <c>/api/</c> on <c>Gateway:StatusEndpoint</c>): the gRPC services' own messages
/// in the proto JSON mapping (<see cref="JsonFormatter"/>: lowerCamelCase field names, enum value names, 64-bit
/// integers as strings, RFC 3339 UTC times), from the same code the gRPC services use. Failures map as the gRPC
/// services' do (<see cref="ErrorMappingInterceptor.ToStatus"/>) and answer a one-line plain-text message:
/// <c>INVALID_ARGUMENT</c> 400, <c>NOT_FOUND</c> 404 (an unknown tenant), <c>UNAVAILABLE</c> 503, anything else 500.
/// No answer carries a secret: event sources are shown without their admin-consent URL (its <c>state</c> is the
/// single-use key that connects a tenant), only whether consent is pending and until when.
/// </summary>
public static partial class StatusApi
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    /// <summary>Maps the API's routes.</summary>
    public static IEndpointRouteBuilder MapStatusApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup(StatusPageEndpoints.ApiPrefix);
        // Who may read: a reader or an admin, and of the tenants only those in its scope (one answer for a tenant out of
        // scope, whether it exists or not). The pages themselves need only an authenticated caller.
        api.AddEndpointFilter(async (context, next) =>
        {
            var access = ClientAccess.Of(context.HttpContext);
            if (!access.MayRead)
            {
                return Results.Text("This client may not read the status API (it needs the role 'reader' or 'admin').", "text/plain; charset=utf-8", statusCode: StatusCodes.Status403Forbidden);
            }

            if (context.HttpContext.GetRouteValue("tenantId") is string tenant && !access.MaySee(tenant))
            {
                return Results.Text(ClientAccess.OutOfScopeMessage, "text/plain; charset=utf-8", statusCode: StatusCodes.Status403Forbidden);
            }

            return await next(context);
        });
        // Every event source (as ListEventSources), without consent URLs.
        api.MapGet("/sources", (HttpContext http, EventSourceStatuses statuses) =>
            AnswerAsync(http, async cancellation =>
            {
                NoQuery(http.Request.Query);
                return WithoutSecrets(await statuses.ListAsync(cancellation, ClientAccess.Of(http).MaySee));
            }));
        // One tenant's event source (as GetEventSource), without its consent URL.
        api.MapGet("/tenants/{tenantId}", (HttpContext http, string tenantId, EventSourceStatuses statuses) =>
            AnswerAsync(http, async _ =>
            {
                NoQuery(http.Request.Query);
                return WithoutSecrets(await statuses.GetAsync(TenantIds.Parse(tenantId)));
            }));
        // The History queries (as the History gRPC service), parameters from the query string (HistoryQueryString).
        api.MapGet("/tenants/{tenantId}/locations", (HttpContext http, string tenantId, HistoryQueries history) =>
            AnswerAsync(http, async cancellation => await history.ListLocationsAsync(HistoryQueryString.Locations(tenantId, http.Request.Query), cancellation)));
        api.MapGet("/tenants/{tenantId}/ingress", (HttpContext http, string tenantId, HistoryQueries history) =>
            AnswerAsync(http, async cancellation => await history.ListIngressAsync(HistoryQueryString.Ingress(tenantId, http.Request.Query), cancellation)));
        api.MapGet("/tenants/{tenantId}/admin", (HttpContext http, string tenantId, HistoryQueries history) =>
            AnswerAsync(http, async cancellation => await history.ListAdminAsync(HistoryQueryString.Admin(tenantId, http.Request.Query), cancellation)));
        api.MapGet("/tenants/{tenantId}/users/{user}", (HttpContext http, string tenantId, HistoryQueries history) =>
            AnswerAsync(http, async cancellation => await history.GetUserActivityAsync(HistoryQueryString.User(tenantId, LastSegment(http), http.Request.Query), cancellation)));
        // Anything else under /api/ is no route: a plain 404, not the pages'.
        api.Map("/{**rest}", () => Results.Text("No such API route.", "text/plain; charset=utf-8", statusCode: StatusCodes.Status404NotFound));
        return endpoints;
    }

    /// <summary>The event source as the page may show it: the admin-consent URL left out (its expiry stays).</summary>
    public static Proto.EventSource WithoutSecrets(Proto.EventSource source)
    {
        var shown = source.Clone();
        shown.AdminConsentUrl = "";
        return shown;
    }

    /// <summary>
    /// The request path's last segment, decoded once from the raw request target: a route value keeps an encoded slash
    /// (<c>%2F</c>) encoded, and a user name may hold one.
    /// </summary>
    private static string LastSegment(HttpContext http)
    {
        var raw = http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget;
        var path = raw is { Length: > 0 } && raw[0] == '/' ? raw.Split('?', 2)[0] : http.Request.Path.Value ?? "";
        return Uri.UnescapeDataString(path[(path.LastIndexOf('/') + 1)..]);
    }

    private static void NoQuery(IQueryCollection query)
    {
        if (query.Count > 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "This route takes no query parameters."));
        }
    }

    private static Proto.ListEventSourcesResponse WithoutSecrets(Proto.ListEventSourcesResponse list)
    {
        var shown = new Proto.ListEventSourcesResponse();
        shown.EventSources.AddRange(list.EventSources.Select(WithoutSecrets));
        return shown;
    }

    /// <summary>Runs a query and answers its message as JSON, or its failure as a status code and a one-line message.</summary>
    private static async Task<IResult> AnswerAsync(HttpContext http, Func<CancellationToken, Task<IMessage>> query)
    {
        var cancellation = http.RequestAborted;
        if (!http.RequestServices.GetRequiredService<ClusterReadiness>().IsReady)
        {
            return Failure(StatusCodes.Status503ServiceUnavailable, "The gateway is still connecting to the cluster; try again.");
        }

        try
        {
            var message = await query(cancellation);
            http.Response.Headers.CacheControl = "no-store";
            return Results.Text(Formatter.Format(message), "application/json; charset=utf-8");
        }
        catch (Exception e)
        {
            var status = ErrorMappingInterceptor.ToStatus(e, cancellation.IsCancellationRequested);
            var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StatusApi));
            if (status.StatusCode == StatusCode.Internal)
            {
                LogFailure(logger, http.Request.Path.Value ?? "", e);
            }
            else if (status.StatusCode == StatusCode.Unavailable)
            {
                LogUnavailable(logger, http.Request.Path.Value ?? "", e.GetType().Name, e.Message);
            }

            return Failure(HttpStatusOf(status.StatusCode), status.Detail);
        }
    }

    private static int HttpStatusOf(StatusCode code) => code switch
    {
        StatusCode.InvalidArgument or StatusCode.OutOfRange => StatusCodes.Status400BadRequest,
        StatusCode.NotFound => StatusCodes.Status404NotFound,
        StatusCode.FailedPrecondition or StatusCode.AlreadyExists => StatusCodes.Status409Conflict,
        StatusCode.PermissionDenied => StatusCodes.Status403Forbidden,
        StatusCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        StatusCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        StatusCode.Cancelled => StatusCodes.Status499ClientClosedRequest,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static IResult Failure(int statusCode, string message) =>
        Results.Text(message.ReplaceLineEndings(" ").Trim(), "text/plain; charset=utf-8", statusCode: statusCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Status API {Path}: UNAVAILABLE ({Type}: {Error})")]
    private static partial void LogUnavailable(ILogger logger, string path, string type, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Status API {Path} failed")]
    private static partial void LogFailure(ILogger logger, string path, Exception exception);
}
