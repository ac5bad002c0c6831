namespace O365Activity.Emulator;

/// <summary>How <c>NextPageUri</c> values are written (case P01).</summary>
public enum NextPageUriStyle
{
    /// <summary>The request's own URL (scheme, host, port, path, query) with <c>nextPage=&lt;token&gt;</c> set.</summary>
    SameAsRequest,

    /// <summary>
    /// Like the real service: parameter names in lower case and the window in round-trip form, for example
    /// <c>?contenttype=Audit.Exchange&amp;starttime=2024-06-01T00:00:00.0000000Z&amp;endtime=...&amp;nextpage=...</c>.
    /// </summary>
    LowerCaseLikeService,
}

/// <summary>
/// Paging of content listings (PROTOCOL.md §5, case P01). Set for all tenants with <see cref="EmulatorOptions.Paging"/>
/// or per tenant with <see cref="EmulatorState.SetPaging"/>.
/// </summary>
/// <param name="PageSize">Most entries per response. Must be at least 1.</param>
/// <param name="HeaderName">The response header that carries the next page's URL: <c>NextPageUri</c> (the reference),
/// <c>NextPageUrl</c> (the troubleshooting page) or any other spelling such as <c>nextpageuri</c>.</param>
/// <param name="UriStyle">How the next page's URL is written.</param>
/// <param name="EmptyFirstPage">When true, a listing (without <c>nextPage</c>) that has entries first answers an empty
/// array <c>[]</c> that still carries the next-page header; the entries follow on the next page.</param>
public sealed record PagingBehavior(
    int PageSize = 100,
    string HeaderName = "NextPageUri",
    NextPageUriStyle UriStyle = NextPageUriStyle.SameAsRequest,
    bool EmptyFirstPage = false)
{
    /// <summary>100 entries per page, header <c>NextPageUri</c>, the request's URL plus <c>nextPage</c>.</summary>
    public static PagingBehavior Default { get; } = new();
}

/// <summary>
/// The per-tenant request budget of the Management Activity API (PROTOCOL.md §6). Requests of a tenant are counted per
/// minute of the emulator's clock (fixed windows starting at whole minutes); requests over the budget answer
/// <see cref="StatusCode"/> with <c>{"error":{"code":"AF429","message":"Too many requests. Method=..., PublisherId=..."}}</c>.
/// </summary>
/// <param name="RequestsPerMinute">The budget; null means unlimited.</param>
/// <param name="StatusCode">429, or 403 as the real service also answers.</param>
/// <param name="RetryAfter">When set, a <c>Retry-After</c> header in whole seconds (the real API documents none).</param>
public sealed record ThrottleBehavior(int? RequestsPerMinute = null, int StatusCode = 429, TimeSpan? RetryAfter = null)
{
    /// <summary>No budget.</summary>
    public static ThrottleBehavior Unlimited { get; } = new();
}

/// <summary>
/// A failed admin consent (PROTOCOL.md §2): the callback gets <c>admin_consent=True&amp;error=..&amp;error_description=..&amp;state=..</c>.
/// </summary>
/// <param name="Error">The <c>error</c> value, for example <c>access_denied</c>.</param>
/// <param name="ErrorDescription">The <c>error_description</c> value (an AADSTS message).</param>
public sealed record ConsentFailure(string Error, string ErrorDescription)
{
    /// <summary>The administrator declined: <c>access_denied</c>, AADSTS65004.</summary>
    public static ConsentFailure Declined { get; } =
        new("access_denied", "AADSTS65004: User declined to consent to access the app.");

    /// <summary>The user is not an administrator: <c>consent_required</c>, AADSTS90094 "admin approval required".</summary>
    public static ConsentFailure AdminApprovalRequired { get; } =
        new("consent_required", "AADSTS90094: The grant requires admin permission.");
}

/// <summary>The state of a tenant's subscription to one content type.</summary>
public enum SubscriptionStatus
{
    /// <summary>Never started: listing answers AF20022.</summary>
    None,

    /// <summary>Started: listed as <c>"enabled"</c>; content can be listed and fetched.</summary>
    Enabled,

    /// <summary>Stopped or disabled by an admin: listed as <c>"disabled"</c>; listing and fetching answer AF20023.</summary>
    Disabled,
}

/// <summary>One subscription of a tenant as the emulator holds it.</summary>
/// <param name="ContentType">The content type, in the API's spelling.</param>
/// <param name="Status">Its status.</param>
/// <param name="StartedAt">When it was last started (emulator clock), or null if never.</param>
/// <param name="StuckDisabled">True while the S02 fault is on: <c>start</c> answers enabled, yet <c>list</c> leaves it out
/// and listing answers AF20023.</param>
public sealed record SubscriptionInfo(string ContentType, SubscriptionStatus Status, DateTimeOffset? StartedAt, bool StuckDisabled);

/// <summary>Optional settings of a blob added with <see cref="EmulatorState.AddBlob(Guid, IEnumerable{string}, BlobOptions?)"/>.</summary>
public sealed record BlobOptions
{
    /// <summary>The content type; null derives it from the records (they must then all map to one content type).</summary>
    public string? ContentType { get; init; }

    /// <summary>The blob's <c>contentCreated</c>; null is the emulator's now. Truncated to whole milliseconds.</summary>
    public DateTimeOffset? ContentCreated { get; init; }

    /// <summary>When the blob first shows in listings and can be fetched (case LATE1: published after its
    /// <c>contentCreated</c>); null or earlier than <see cref="ContentCreated"/> means at <c>contentCreated</c>.</summary>
    public DateTimeOffset? VisibleAt { get; init; }

    /// <summary>The blob's <c>contentExpiration</c>; null is <c>contentCreated</c> + <see cref="EmulatorOptions.ContentRetention"/>.</summary>
    public DateTimeOffset? ContentExpiration { get; init; }

    /// <summary>The content id; null generates a unique one in the real style. Must be unique.</summary>
    public string? ContentId { get; init; }
}

/// <summary>A blob as the emulator holds it.</summary>
/// <param name="TenantId">The tenant it belongs to.</param>
/// <param name="ContentType">Its content type.</param>
/// <param name="ContentId">Its content id.</param>
/// <param name="ContentCreated">Its <c>contentCreated</c> (UTC, whole milliseconds).</param>
/// <param name="ContentExpiration">Its <c>contentExpiration</c>.</param>
/// <param name="VisibleAt">When it becomes visible.</param>
/// <param name="RecordCount">How many audit records it holds.</param>
public sealed record BlobInfo(
    Guid TenantId,
    string ContentType,
    string ContentId,
    DateTimeOffset ContentCreated,
    DateTimeOffset ContentExpiration,
    DateTimeOffset VisibleAt,
    int RecordCount);

/// <summary>The error body of an API call for a tenant whose unified audit logging is off (case S04).</summary>
public enum AuditingOffAnswer
{
    /// <summary><c>{"error":{"code":"AF20011","message":"Microsoft.Office.Compliance.Audit.DataServiceException: Tenant &lt;id&gt; does not exist."}}</c>.</summary>
    Af20011,

    /// <summary>The same message with an exception text as the code, as the service has also been seen to answer:
    /// <c>"code":"StartSubscription [TenantId=&lt;id&gt;,ContentType=..,ApplicationId=..,PublisherId=..] failed. Exception"</c>.</summary>
    ExceptionText,
}
