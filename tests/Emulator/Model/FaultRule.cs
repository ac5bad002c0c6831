using System.Text.RegularExpressions;

namespace O365Activity.Emulator;

/// <summary>
/// An injected fault: requests that match answer <see cref="StatusCode"/> with <see cref="Body"/> instead of the normal
/// answer (or the connection is dropped). Rules are checked in the order they were added, before authentication and
/// throttling; a faulted request is logged with <see cref="EmulatorRequest.Faulted"/> set and does not count against a
/// request budget. Every set criterion must match.
/// </summary>
public sealed record FaultRule
{
    /// <summary>Only requests of this kind; null for any.</summary>
    public RequestKind? Kind { get; init; }

    /// <summary>Only this HTTP method (case-insensitive); null for any.</summary>
    public string? Method { get; init; }

    /// <summary>Only requests whose path and query (as sent) match this regular expression (case-insensitive); null for any.</summary>
    public string? PathPattern { get; init; }

    /// <summary>Only requests for this tenant (the tenant in the path); null for any.</summary>
    public Guid? TenantId { get; init; }

    /// <summary>How many requests the rule answers before it retires; null for every matching request until removed.</summary>
    public int? Times { get; init; } = 1;

    /// <summary>The status to answer. Default 503.</summary>
    public int StatusCode { get; init; } = 503;

    /// <summary>The body to answer (may be anything: HTML, text, truncated JSON). Default empty.</summary>
    public string Body { get; init; } = "";

    /// <summary>When set, the body answered instead of <see cref="Body"/>, byte for byte (invalid UTF-8 included: hostile input).</summary>
    public byte[]? BodyBytes { get; init; }

    /// <summary>The <c>Content-Type</c> of <see cref="Body"/>; null sends none.</summary>
    public string? ContentType { get; init; } = "text/html; charset=utf-8";

    /// <summary>Extra response headers (for example <c>Retry-After</c>).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>A real-time delay before answering (to provoke client time-outs).</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>
    /// When true the request is only slowed: after <see cref="Delay"/> it gets its normal answer (a slow API, to keep
    /// a collection running for a while). It is then logged as a normal request, not as a fault.
    /// </summary>
    public bool DelayOnly { get; init; }

    /// <summary>When true the connection is aborted without any answer (a network failure).</summary>
    public bool AbortConnection { get; init; }

    /// <summary>
    /// When set the request gets its normal answer, but the connection is cut after this many bytes of its body (a body
    /// cut mid-stream: the client has the status, the headers and the start of the body, then a reset). The request is
    /// logged as a fault, with its normal status.
    /// </summary>
    public int? CutBodyAfterBytes { get; init; }

    /// <summary>A fault answering the API's JSON error body <c>{"error":{"code":..,"message":..}}</c>.</summary>
    /// <param name="statusCode">The status, for example 500.</param>
    /// <param name="code">The error code, for example <c>AF50000</c>.</param>
    /// <param name="message">The message.</param>
    public static FaultRule ApiError(int statusCode, string code, string message) => new()
    {
        StatusCode = statusCode,
        ContentType = "application/json; charset=utf-8",
        Body = Http.Json.ApiErrorBody(code, message),
    };

    /// <summary>A fault answering an HTML error page, as a load balancer or gateway sends on 5xx.</summary>
    /// <param name="statusCode">The status, for example 502.</param>
    public static FaultRule HtmlError(int statusCode) => new()
    {
        StatusCode = statusCode,
        ContentType = "text/html; charset=utf-8",
        Body = $"<!DOCTYPE html><html><head><title>{statusCode} Service Unavailable</title></head>"
            + $"<body><h1>Service Unavailable</h1><p>HTTP Error {statusCode}. The service is unavailable.</p></body></html>",
    };

    internal bool Matches(string method, string pathAndQuery, RequestKind kind, Guid? tenant) =>
        (Kind is null || Kind == kind)
        && (Method is null || string.Equals(Method, method, StringComparison.OrdinalIgnoreCase))
        && (TenantId is null || TenantId == tenant)
        && (PathPattern is null || Regex.IsMatch(pathAndQuery, PathPattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
}

/// <summary>An injected fault's handle: how often it answered, and a way to remove it.</summary>
public sealed class FaultHandle : IDisposable
{
    private readonly EmulatorState _state;
    private int _hits;

    internal FaultHandle(EmulatorState state, FaultRule rule)
    {
        _state = state;
        Rule = rule;
    }

    /// <summary>The rule.</summary>
    public FaultRule Rule { get; }

    /// <summary>How many requests it has answered.</summary>
    public int Hits => Volatile.Read(ref _hits);

    /// <summary>True once it has answered <see cref="FaultRule.Times"/> requests or was removed.</summary>
    public bool Retired { get; internal set; }

    /// <summary>Removes the rule (no effect when already retired).</summary>
    public void Dispose() => _state.RemoveFault(this);

    internal int Hit() => Interlocked.Increment(ref _hits);
}
