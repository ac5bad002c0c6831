using System.Net;
using System.Text.Json;

namespace O365Activity.Grains.Collection;

/// <summary>
/// The Management Activity API answered with an error (PROTOCOL.md §7): an HTTP status, and the <c>AFxxxxx</c> code
/// and message of a <c>{"error":{"code":..,"message":..}}</c> body when there was one. Bodies that are not that JSON
/// (HTML or text on 5xx) keep their text in <see cref="RawBody"/>.
/// </summary>
public sealed class ManagementApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="status">The HTTP status; 0 when no response arrived.</param>
    /// <param name="code">The body's error code (normally <c>AFxxxxx</c>); null when the body had none.</param>
    /// <param name="message">A message for people.</param>
    /// <param name="rawBody">The response body as text (truncated to 4,000 characters); null when empty.</param>
    public ManagementApiException(HttpStatusCode status, string? code, string message, string? rawBody = null)
        : base(message)
    {
        Status = status;
        Code = code;
        RawBody = rawBody;
    }

    /// <summary>The HTTP status; 0 when no response arrived.</summary>
    public HttpStatusCode Status { get; }

    /// <summary>The body's error code, for example <c>AF20022</c>; null when the body had none.</summary>
    public string? Code { get; }

    /// <summary>The response body as text, truncated; null when empty.</summary>
    public string? RawBody { get; }

    /// <summary>
    /// How long the API asked to wait before the request is sent again (its <c>Retry-After</c>), when it said; the poll
    /// schedules the content type no sooner (see <see cref="ApiRetryPolicy"/>).
    /// </summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>True for throttling: HTTP 429, or code <c>AF429</c> (which also comes with HTTP 403, PROTOCOL.md §6).</summary>
    public bool IsThrottled => Status == HttpStatusCode.TooManyRequests || Code == "AF429";

    /// <summary>True when the code is a documented <c>AFxxxxx</c> value; false for protocol errors (case W01: an exception text in <c>code</c>).</summary>
    public bool HasApiCode => Code is { Length: > 2 } c && c.StartsWith("AF", StringComparison.Ordinal) && c[2..].All(char.IsAsciiDigit);

    /// <summary>A one-line summary for status displays: <c>AF20022 (HTTP 400): message</c>.</summary>
    public string Summary => $"{Code ?? "no error code"} (HTTP {(int)Status}): {Message}";

    /// <summary>Builds the exception for an error response, reading the body leniently.</summary>
    /// <param name="status">The response's status.</param>
    /// <param name="body">The response body as text (may be empty, HTML, or not JSON).</param>
    /// <param name="what">What was being done, for the message (for example <c>listing Audit.Exchange content</c>).</param>
    /// <param name="retryAfter">The response's <c>Retry-After</c> as a wait, if any.</param>
    public static ManagementApiException FromResponse(HttpStatusCode status, string body, string what, TimeSpan? retryAfter = null)
    {
        string? code = null;
        string? apiMessage = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object)
            {
                code = error.TryGetProperty("code", out var c) ? c.ToString() : null;
                apiMessage = error.TryGetProperty("message", out var m) ? m.ToString() : null;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not JSON (HTML or text on 5xx), or JSON whose names or strings cannot be read (the escape of an unpaired
            // surrogate, InvalidOperationException): the raw body tells the story.
        }

        var raw = body.Length == 0 ? null : body.Length > 4000 ? body[..4000] : body;
        var message = apiMessage is { Length: > 0 }
            ? $"API error {what}: {apiMessage}"
            : $"API error {what}: HTTP {(int)status} {(raw is null ? "with an empty body" : "with a body that is not an API error: " + Truncate(raw, 300))}";
        return new ManagementApiException(status, code, message, raw) { RetryAfter = retryAfter };
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length] + "…";
}
