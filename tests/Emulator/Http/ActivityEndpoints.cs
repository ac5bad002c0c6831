using System.Globalization;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace O365Activity.Emulator.Http;

/// <summary>
/// The stand-in for <c>https://manage.office.com/api/v1.0/{tenant}/activity/feed</c> (PROTOCOL.md §3–§7).
/// </summary>
internal static class ActivityEndpoints
{
    private const string Root = "/api/v1.0/{tenant}/activity/feed";

    /// <summary>The AF20055 message (the API reference's error table).</summary>
    internal const string WindowMessage =
        "Start time and end time must both be specified (or both omitted) and must be less than or equal to 24 hours apart, "
        + "with the start time prior to end time and start time no more than 7 days in the past.";

    /// <summary>The body <c>code</c> of a listing without <c>startTime</c> and <c>endTime</c> (case W01): the text of the
    /// .NET <see cref="ArgumentNullException"/> the real service leaks, with its one-letter parameter name as message.</summary>
    internal const string MissingWindowCode = "Value cannot be null.\r\nParameter name: s";

    private static readonly string[] TimeFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-ddK",
        "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mmK",
        "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ssK",
        "yyyy-MM-ddTHH:mm:ss.FFFFFFF", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK",
    ];

    public static void Map(IEndpointRouteBuilder app, EmulatorRuntime runtime)
    {
        app.MapPost(Root + "/subscriptions/start", context => GateAsync(context, runtime, "StartSubscription", StartAsync));
        app.MapPost(Root + "/subscriptions/stop", context => GateAsync(context, runtime, "StopSubscription", StopAsync));
        app.MapGet(Root + "/subscriptions/list", context => GateAsync(context, runtime, "ListSubscriptions", ListAsync));
        app.MapGet(Root + "/subscriptions/content", context => GateAsync(context, runtime, "ListContent", ContentAsync));
        app.MapGet(Root + "/subscriptions/notifications", context => GateAsync(context, runtime, "ListNotifications", NotificationsAsync));
        app.MapGet(Root + "/audit/{contentId}", context => GateAsync(context, runtime, "GetBlob", BlobAsync));
    }

    /// <summary>
    /// What every API call passes before its own handler, in this order: a valid bearer token (else 401
    /// <c>{"Message":"Authorization has been denied for this request."}</c>), a GUID tenant in the path (AF20013), the
    /// tenant's request budget (AF429), the token's <c>tid</c> (AF20010), its <c>aud</c> (401) and <c>roles</c> (AF10001),
    /// and the tenant's unified audit logging (AF20011).
    /// </summary>
    private static async Task GateAsync(
        HttpContext context, EmulatorRuntime runtime, string method, Func<HttpContext, EmulatorRuntime, ApiCall, Task> handler)
    {
        var state = runtime.State;
        var now = state.UtcNow;
        var tenantSegment = (string)context.Request.RouteValues["tenant"]!;
        var claims = ReadToken(context, runtime, now);
        if (claims is null)
        {
            await DeniedAsync(context);
            return;
        }

        if (!Guid.TryParse(tenantSegment, out var tenant))
        {
            await Json.ApiErrorAsync(context, 400, "AF20013", $"The tenant ID passed in the URL ({tenantSegment}) is not a valid GUID.");
            return;
        }

        if (state.CountRequest(tenant, now) is { } throttled)
        {
            if (throttled.RetryAfter is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            }

            await Json.ApiErrorAsync(context, throttled.StatusCode, "AF429",
                $"Too many requests. Method={method}, PublisherId={Publisher(context)}");
            return;
        }

        if (!Guid.TryParse(claims.TenantId, out var tokenTenant) || tokenTenant != tenant)
        {
            await Json.ApiErrorAsync(context, 401, "AF20010",
                $"The tenant ID passed in the URL ({tenantSegment}) does not match the tenant ID passed in the access token ({claims.TenantId}).");
            return;
        }

        if (!AudienceMatches(context, runtime, claims.Audience))
        {
            await DeniedAsync(context);
            return;
        }

        if (!claims.Roles.Contains("ActivityFeed.Read", StringComparer.Ordinal))
        {
            await Json.ApiErrorAsync(context, 401, "AF10001",
                $"The permission set ({string.Join(" ", claims.Roles)}) sent in the request did not include the expected permission ActivityFeed.Read.");
            return;
        }

        if (state.AuditingOff(tenant) is { } answer)
        {
            var message = $"Microsoft.Office.Compliance.Audit.DataServiceException: Tenant {tenant} does not exist.";
            var code = answer == AuditingOffAnswer.Af20011
                ? "AF20011"
                : $"{method} [TenantId={tenant},ContentType={context.Request.Query["contentType"]},ApplicationId={claims.AppId},"
                    + $"PublisherId={Publisher(context)}] failed. Exception";
            await Json.ApiErrorAsync(context, 400, code, message);
            return;
        }

        await handler(context, runtime, new ApiCall(tenant, tenant.ToString(), claims, now));
    }

    private static AccessTokenClaims? ReadToken(HttpContext context, EmulatorRuntime runtime, DateTimeOffset now)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string Bearer = "Bearer ";
        return header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase)
            ? runtime.Tokens.Validate(header[Bearer.Length..].Trim(), now)
            : null;
    }

    /// <summary>
    /// A request forwarded for one of the real API hosts (<c>X-Forwarded-Host</c>, as <see cref="MicrosoftHostRedirectHandler"/>
    /// sends) needs a token for exactly that host; a direct request accepts any resource the token endpoint issues for.
    /// </summary>
    private static bool AudienceMatches(HttpContext context, EmulatorRuntime runtime, string audience)
    {
        var forwarded = context.Request.Headers["X-Forwarded-Host"].ToString();
        if (forwarded.Length > 0 && EmulatorRuntime.ManagementHosts.Contains(forwarded, StringComparer.OrdinalIgnoreCase))
        {
            return string.Equals(audience.TrimEnd('/'), "https://" + forwarded, StringComparison.OrdinalIgnoreCase);
        }

        return runtime.IsAcceptedResource(audience);
    }

    private static Task DeniedAsync(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Json.SendAsync(context, 401, """{"Message":"Authorization has been denied for this request."}""", "Unauthorized");
    }

    private static async Task StartAsync(HttpContext context, EmulatorRuntime runtime, ApiCall call)
    {
        if (await ContentTypeAsync(context) is not { } contentType)
        {
            return;
        }

        if (runtime.State.StartSubscription(call.Tenant, contentType) == EmulatorState.StartOutcome.AlreadyEnabled)
        {
            await Json.ApiErrorAsync(context, 400, "AF20024", "The subscription is already enabled. No property change.");
            return;
        }

        await Json.SendAsync(context, 200, SubscriptionJson(contentType, "enabled"));
    }

    private static async Task StopAsync(HttpContext context, EmulatorRuntime runtime, ApiCall call)
    {
        if (await ContentTypeAsync(context) is not { } contentType)
        {
            return;
        }

        if (!runtime.State.StopSubscription(call.Tenant, contentType))
        {
            await Json.ApiErrorAsync(context, 400, "AF20022", "No subscription found for the specified content type.");
            return;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentLength = 0;
    }

    private static Task ListAsync(HttpContext context, EmulatorRuntime runtime, ApiCall call)
    {
        var subscriptions = runtime.State.ListedSubscriptions(call.Tenant);
        var body = new StringBuilder("[");
        foreach (var subscription in subscriptions)
        {
            body.Append(body.Length > 1 ? "," : "")
                .Append(SubscriptionJson(subscription.ContentType, subscription.Status == SubscriptionStatus.Enabled ? "enabled" : "disabled"));
        }

        return Json.SendAsync(context, 200, body.Append(']').ToString());
    }

    /// <summary><c>GET /subscriptions/notifications</c>: webhooks are not emulated, so an enabled subscription has no
    /// notification history (<c>[]</c>); a missing or disabled one answers AF20022/AF20023 as the reference says.</summary>
    private static async Task NotificationsAsync(HttpContext context, EmulatorRuntime runtime, ApiCall call)
    {
        if (await ContentTypeAsync(context) is not { } contentType)
        {
            return;
        }

        if (SubscriptionErrorFor(runtime.State, call, contentType) is { } error)
        {
            await Json.ApiErrorAsync(context, 400, error.Code, error.Message);
            return;
        }

        await Json.SendAsync(context, 200, "[]");
    }

    /// <summary>
    /// <c>GET /subscriptions/content</c>: the content type, then the window (W01, W02, W03, CLK1), then the page token
    /// (AF20031), then the subscription (AF20022, AF20023). Lists visible blobs with
    /// <c>startTime &lt;= contentCreated &lt; endTime</c> in (<c>contentCreated</c>, <c>contentId</c>) order, paged.
    /// </summary>
    private static async Task ContentAsync(HttpContext context, EmulatorRuntime runtime, ApiCall call)
    {
        var state = runtime.State;
        var options = runtime.Options;
        if (await ContentTypeAsync(context) is not { } contentType)
        {
            return;
        }

        var query = context.Request.Query;
        var startText = NonEmpty(query["startTime"]);
        var endText = NonEmpty(query["endTime"]);
        if (startText is null && endText is null)
        {
            await Json.SendAsync(context, 400, Json.ApiErrorBody(MissingWindowCode, "s"), MissingWindowCode);
            return;
        }

        DateTimeOffset start = default, end = default;
        if ((startText is not null && !TryParseTime(startText, out start)) || (endText is not null && !TryParseTime(endText, out end)))
        {
            var name = startText is not null && !TryParseTime(startText, out _) ? "startTime" : "endTime";
            await Json.ApiErrorAsync(context, 400, "AF20002", $"Invalid parameter type: {name}. Expected type: datetime");
            return;
        }

        // Only one of the two is accepted (W01 step 2): the other is taken 24 hours away.
        start = startText is null ? end - options.MaxWindow : start;
        end = endText is null ? start + options.MaxWindow : end;
        if (end - start > options.MaxWindow || start >= end || start < call.Now - options.MaxStartAge)
        {
            await Json.ApiErrorAsync(context, 400, "AF20055", WindowMessage);
            return;
        }

        (DateTimeOffset Created, string ContentId)? from = null;
        var pageToken = NonEmpty(query["nextPage"]);
        if (pageToken is not null)
        {
            from = state.ResolvePageToken(pageToken, call.Tenant, contentType, start, end, call.Now);
            if (from is null)
            {
                await Json.ApiErrorAsync(context, 400, "AF20031", $"Invalid nextPage Input: {pageToken}.");
                return;
            }
        }

        if (SubscriptionErrorFor(state, call, contentType) is { } error)
        {
            await Json.ApiErrorAsync(context, 400, error.Code, error.Message);
            return;
        }

        var paging = state.PagingFor(call.Tenant);
        // One more than a page: the first entry of the next page, for its token.
        var visible = state.ListVisible(call.Tenant, contentType, start, end, call.Now, from, Math.Max(1, paging.PageSize) + 1);
        var emptyFirst = paging.EmptyFirstPage && pageToken is null && visible.Count > 0;
        var page = emptyFirst ? [] : visible.Take(Math.Max(1, paging.PageSize)).ToList();
        var next = emptyFirst ? visible[0] : visible.Count > page.Count ? visible[page.Count] : null;
        if (next is not null)
        {
            var token = state.IssuePageToken(call.Tenant, contentType, start, end, next, call.Now);
            context.Response.Headers[paging.HeaderName] = NextPageUri(context, paging.UriStyle, contentType, start, end, token);
        }

        var origin = Origin(context);
        var body = new StringBuilder("[");
        foreach (var blob in page)
        {
            body.Append(body.Length > 1 ? "," : "").Append(Json.Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("contentType", blob.ContentType);
                w.WriteString("contentId", blob.ContentId);
                w.WriteString("contentUri", $"{origin}/api/v1.0/{call.TenantText}/activity/feed/audit/{blob.ContentId}");
                w.WriteString("contentCreated", FormatTime(blob.ContentCreated));
                w.WriteString("contentExpiration", FormatTime(blob.ContentExpiration));
                w.WriteEndObject();
            }));
        }

        await Json.SendAsync(context, 200, body.Append(']').ToString());
    }

    /// <summary>
    /// <c>GET /audit/{contentId}</c>: the blob's records as a JSON array, streamed with <c>Content-Length</c> set, each with
    /// <c>OrganizationId</c> set to the path tenant (synthetic blobs are written as they are sent). Unknown or not yet visible: AF20050; malformed id: AF20052; expired: AF20051; subscription not
    /// enabled: AF20022/AF20023.
    /// </summary>
    private static async Task BlobAsync(HttpContext context, EmulatorRuntime runtime, ApiCall call)
    {
        var contentId = (string)context.Request.RouteValues["contentId"]!;
        if (contentId.Length > 512 || !contentId.All(c => char.IsAsciiLetterOrDigit(c) || c is '$' or '_' or '-' or '.'))
        {
            await Json.ApiErrorAsync(context, 400, "AF20052", $"Content ID {contentId} in the URL is invalid.");
            return;
        }

        if (runtime.State.FindBlob(call.Tenant, contentId) is not { } found || found.Info.VisibleAt > call.Now)
        {
            await Json.ApiErrorAsync(context, 400, "AF20050", $"The specified content ({contentId}) does not exist.");
            return;
        }

        if (call.Now >= found.Info.ContentExpiration)
        {
            await Json.ApiErrorAsync(context, 400, "AF20051",
                $"Content requested with the key {contentId} has already expired. Content older than 7 days cannot be retrieved.");
            return;
        }

        if (SubscriptionErrorFor(runtime.State, call, found.Info.ContentType) is { } error)
        {
            await Json.ApiErrorAsync(context, 400, error.Code, error.Message);
            return;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = Json.ContentType;
        await found.Content.SendAsync(context.Response, context.RequestAborted);
    }

    private static (string Code, string Message)? SubscriptionErrorFor(EmulatorState state, ApiCall call, string contentType)
    {
        if (state.SubscriptionError(call.Tenant, contentType) is { } error)
        {
            return error;
        }

        // DLP.All needs ActivityFeed.ReadDlp; without it the real service keeps answering AF20023 (case S02).
        return contentType == EmulatorContentTypes.Dlp && !call.Claims.Roles.Contains("ActivityFeed.ReadDlp", StringComparer.Ordinal)
            ? ("AF20023", "The subscription was disabled by a service admin.")
            : null;
    }

    /// <summary>The canonical content type of the request, or null after answering AF20001 (missing) or AF20020 (unknown).</summary>
    private static async Task<string?> ContentTypeAsync(HttpContext context)
    {
        var value = NonEmpty(context.Request.Query["contentType"]);
        if (value is null)
        {
            await Json.ApiErrorAsync(context, 400, "AF20001", "Missing parameter: contentType.");
            return null;
        }

        var contentType = EmulatorContentTypes.Canonical(value);
        if (contentType is null)
        {
            await Json.ApiErrorAsync(context, 400, "AF20020", "The specified content type is not valid.");
        }

        return contentType;
    }

    /// <summary>Parses a window bound: <c>yyyy-MM-dd</c>, <c>yyyy-MM-ddTHH:mm</c>, <c>yyyy-MM-ddTHH:mm:ss</c> with an
    /// optional fraction (up to 7 digits) and an optional <c>Z</c> or offset; a time without a zone is UTC.</summary>
    internal static bool TryParseTime(string text, out DateTimeOffset value)
    {
        if (DateTime.TryParseExact(text.Trim(), TimeFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            value = new DateTimeOffset(parsed, TimeSpan.Zero);
            return true;
        }

        value = default;
        return false;
    }

    internal static string FormatTime(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string SubscriptionJson(string contentType, string status) => Json.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("contentType", contentType);
        w.WriteString("status", status);
        w.WriteNull("webhook");
        w.WriteEndObject();
    });

    /// <summary>The scheme, host and port clients used: <c>X-Forwarded-Proto</c>/<c>X-Forwarded-Host</c> when present, else the request's.</summary>
    private static string Origin(HttpContext context)
    {
        var request = context.Request;
        var host = NonEmpty(request.Headers["X-Forwarded-Host"]) ?? request.Host.ToUriComponent();
        var scheme = NonEmpty(request.Headers["X-Forwarded-Proto"]) ?? request.Scheme;
        return $"{scheme}://{host}";
    }

    private static string NextPageUri(
        HttpContext context, NextPageUriStyle style, string contentType, DateTimeOffset start, DateTimeOffset end, string token)
    {
        var request = context.Request;
        var baseUri = Origin(context) + request.Path.ToUriComponent();
        if (style == NextPageUriStyle.LowerCaseLikeService)
        {
            var publisher = NonEmpty(request.Query["PublisherIdentifier"]);
            return baseUri
                + $"?contenttype={Uri.EscapeDataString(contentType)}"
                + $"&starttime={start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)}"
                + $"&endtime={end.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)}"
                + (publisher is null ? "" : $"&publisheridentifier={Uri.EscapeDataString(publisher)}")
                + $"&nextpage={token}";
        }

        // The request's own query, as sent, without any earlier nextPage.
        var kept = request.QueryString.HasValue
            ? request.QueryString.Value!.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
                .Where(p => !p.Split('=')[0].Equals("nextPage", StringComparison.OrdinalIgnoreCase))
            : [];
        return baseUri + "?" + string.Join("&", kept.Append("nextPage=" + token));
    }

    private static string? NonEmpty(StringValues values)
    {
        var value = values.ToString();
        return value.Length == 0 ? null : value;
    }

    private static string Publisher(HttpContext context) =>
        NonEmpty(context.Request.Query["PublisherIdentifier"]) ?? Guid.Empty.ToString();

    /// <summary>An authenticated API call for one tenant.</summary>
    private sealed record ApiCall(Guid Tenant, string TenantText, AccessTokenClaims Claims, DateTimeOffset Now);
}
