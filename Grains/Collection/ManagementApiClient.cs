using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace O365Activity.Grains.Collection;

/// <summary>A content blob as listed by <c>subscriptions/content</c> (PROTOCOL.md §3).</summary>
public sealed record ContentBlob
{
    /// <summary>The blob's content type, as the listing spelled it.</summary>
    [JsonPropertyName("contentType")] public string? ContentType { get; init; }

    /// <summary>The blob's id; the first dedupe key (case LATE1).</summary>
    [JsonPropertyName("contentId")] public string ContentId { get; init; } = "";

    /// <summary>Where to fetch it (absolute URL on the API host).</summary>
    [JsonPropertyName("contentUri")] public string ContentUri { get; init; } = "";

    /// <summary>When the blob became available (UTC); what listing windows filter on.</summary>
    [JsonPropertyName("contentCreated")] public DateTimeOffset ContentCreated { get; init; }

    /// <summary>When it can no longer be fetched (UTC; 7 days after <see cref="ContentCreated"/>).</summary>
    [JsonPropertyName("contentExpiration")] public DateTimeOffset ContentExpiration { get; init; }
}

/// <summary>A subscription as <c>subscriptions/list</c> and <c>subscriptions/start</c> return it.</summary>
public sealed record SubscriptionInfo
{
    /// <summary>The content type.</summary>
    [JsonPropertyName("contentType")] public string ContentType { get; init; } = "";

    /// <summary><c>enabled</c> or <c>disabled</c>.</summary>
    [JsonPropertyName("status")] public string Status { get; init; } = "";

    /// <summary>True when <see cref="Status"/> is <c>enabled</c> (any case).</summary>
    [JsonIgnore] public bool IsEnabled => string.Equals(Status, "enabled", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Client of the Office 365 Management Activity API (PROTOCOL.md §3–§7): subscriptions, content listing with
/// paging, blob fetch. Every call is scoped to one tenant and carries its app-only token. Error responses become
/// <see cref="ManagementApiException"/> (the status is checked before the body is read, case W02). Transient
/// failures (HTTP 408, 429, 5xx, connection errors) are retried by the HttpClient's resilience pipeline, the one
/// retry boundary; everything else surfaces to the caller. Thread-safe, and it touches no grain state: its awaits do
/// not come back to the caller's scheduler (<c>ConfigureAwait(false)</c>), so a grain's poll returns to its own
/// scheduler once per call rather than once per await.
/// </summary>
public sealed partial class ManagementApiClient : IManagementActivityApi
{
    /// <summary>Name of the HttpClient this client uses.</summary>
    public const string HttpClientName = "management-api";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http;
    private readonly ITokenProvider _tokens;
    private readonly Uri? _apiEndpoint;
    private readonly SourceConnections _connections;
    private readonly string? _publisherIdentifier;
    private readonly ServerClock? _clock;
    private readonly CollectorMetrics? _metrics;
    private readonly ILogger? _logger;

    /// <summary>Creates the client.</summary>
    /// <param name="httpClientFactory">Supplies the <see cref="HttpClientName"/> client (with its resilience pipeline).</param>
    /// <param name="tokens">Supplies per-tenant tokens.</param>
    /// <param name="options">The cloud, the optional API endpoint override and the publisher identifier.</param>
    /// <param name="clock">Told the <c>Date</c> of every response (case CLK1); null: not measured.</param>
    /// <param name="connections">Each tenant's cloud (its API host); null: every tenant in <c>Collector:Cloud</c>.</param>
    /// <param name="metrics">Counts the calls that fail, by HTTP status and error code; null: not counted.</param>
    /// <param name="logger">Logs a request that succeeded after retries, once per request with its attempts and waits; null: not logged.</param>
    public ManagementApiClient(
        IHttpClientFactory httpClientFactory, ITokenProvider tokens, IOptions<CollectorOptions> options, ServerClock? clock = null, SourceConnections? connections = null,
        CollectorMetrics? metrics = null, ILogger<ManagementApiClient>? logger = null)
    {
        _metrics = metrics;
        _logger = logger;
        _clock = clock;
        _http = httpClientFactory.CreateClient(HttpClientName);
        _tokens = tokens;
        var settings = options.Value;
        _apiEndpoint = settings.ManagementApiEndpoint;
        _connections = connections ?? new SourceConnections(options);
        _publisherIdentifier = settings.PublisherIdentifier?.ToString();
    }

    /// <summary>Lists the tenant's subscriptions (<c>GET subscriptions/list</c>).</summary>
    /// <exception cref="ManagementApiException">On an error response.</exception>
    /// <exception cref="TokenAcquisitionException">When no token can be had.</exception>
    public async Task<IReadOnlyList<SubscriptionInfo>> ListSubscriptionsAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(tenantId, HttpMethod.Get, FeedUri(tenantId, "subscriptions/list", []), "listing subscriptions", cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync<List<SubscriptionInfo>>(response, "listing subscriptions", cancellationToken).ConfigureAwait(false) ?? [];
    }

    /// <summary>
    /// Starts the subscription to <paramref name="contentType"/> (<c>POST subscriptions/start</c>). "Already enabled"
    /// (HTTP 400, AF20024) counts as success (case S01).
    /// </summary>
    /// <exception cref="ManagementApiException">On any other error response.</exception>
    /// <exception cref="TokenAcquisitionException">When no token can be had.</exception>
    public async Task StartSubscriptionAsync(Guid tenantId, string contentType, CancellationToken cancellationToken)
    {
        var uri = FeedUri(tenantId, "subscriptions/start", [("contentType", contentType)]);
        try
        {
            using var response = await SendAsync(tenantId, HttpMethod.Post, uri, $"starting the {contentType} subscription", cancellationToken).ConfigureAwait(false);
        }
        catch (ManagementApiException e) when (e.Code == "AF20024")
        {
            // Already enabled: the state we wanted.
        }
    }

    /// <summary>
    /// Lists the content blobs of one window (<c>GET subscriptions/content</c>), following <c>NextPageUri</c> (or
    /// <c>NextPageUrl</c>, any case) until a response has none; an empty page with a next-page link does not end the
    /// listing (PROTOCOL.md §5, case P01).
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="contentType">The content type.</param>
    /// <param name="start">Window start (UTC), inclusive; sent as <c>yyyy-MM-ddTHH:mm:ss</c>.</param>
    /// <param name="end">Window end (UTC); at most 24 hours after <paramref name="start"/> (the caller slices).</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>Every blob of every page, in the order listed.</returns>
    /// <exception cref="ArgumentException">When the window is empty or longer than 24 hours.</exception>
    /// <exception cref="ManagementApiException">On an error response, or a next-page link that leaves the API host.</exception>
    /// <exception cref="TokenAcquisitionException">When no token can be had.</exception>
    public async Task<IReadOnlyList<ContentBlob>> ListContentAsync(
        Guid tenantId, string contentType, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        if (end <= start || end - start > TimeSpan.FromHours(24))
        {
            throw new ArgumentException($"A listing window must be non-empty and at most 24 hours long (PROTOCOL.md §4); got [{start:O}, {end:O}).");
        }

        var what = $"listing {contentType} content";
        var uri = FeedUri(tenantId, "subscriptions/content",
            [("contentType", contentType), ("startTime", FormatTime(start)), ("endTime", FormatTime(end))]);
        var blobs = new List<ContentBlob>();
        for (var page = 1; ; page++)
        {
            using var response = await SendAsync(tenantId, HttpMethod.Get, uri, what, cancellationToken).ConfigureAwait(false);
            var entries = await ReadJsonAsync<List<ContentBlob?>>(response, what, cancellationToken).ConfigureAwait(false) ?? [];
            blobs.AddRange(entries.Where(b => b is { ContentId.Length: > 0, ContentUri.Length: > 0 })!);
            var next = NextPage(response);
            if (next is null)
            {
                return blobs;
            }

            uri = OnApiHost(tenantId, next, what);
            if (page >= 10_000)
            {
                throw new ManagementApiException(0, null, $"API error {what}: more than 10,000 pages; the next-page links do not end.");
            }
        }
    }

    /// <summary>
    /// Fetches a content blob (<c>GET {contentUri}</c>) and yields its audit records one by one, in order, as they are
    /// parsed from the response stream: no size cap and no whole-blob buffer (case R01). The body is read in 64 KiB
    /// batches of whole records, each parsed once into a pooled document (see <see cref="JsonArrayBatchReader"/>).
    /// </summary>
    /// <remarks>
    /// Each element is valid only until the next <c>MoveNextAsync</c> of the enumerator (or its disposal): its document
    /// is pooled and reused. A caller that keeps a record longer keeps <see cref="JsonElement.Clone"/> of it, or what it
    /// read from it. (Records of a blob read in one batch, up to 64 KiB, are not pooled and stay valid; do not rely on it.)
    /// </remarks>
    /// <param name="tenantId">The tenant (for the token).</param>
    /// <param name="blob">The blob as listed.</param>
    /// <param name="cancellationToken">Cancels the fetch.</param>
    /// <exception cref="ManagementApiException">On an error response (for example AF20051, expired), a <c>contentUri</c> off the API host, or a body that is not a JSON array.</exception>
    /// <exception cref="TokenAcquisitionException">When no token can be had.</exception>
    public async IAsyncEnumerable<JsonElement> FetchContentAsync(
        Guid tenantId, ContentBlob blob, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var what = $"fetching content {blob.ContentId}";
        var uri = OnApiHost(tenantId, blob.ContentUri, what);
        if (_publisherIdentifier is not null && !uri.Query.Contains("PublisherIdentifier=", StringComparison.OrdinalIgnoreCase))
        {
            uri = new Uri(uri + (uri.Query.Length > 0 ? "&" : "?") + "PublisherIdentifier=" + Uri.EscapeDataString(_publisherIdentifier));
        }

        using var response = await SendAsync(tenantId, HttpMethod.Get, uri, what, cancellationToken).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new JsonArrayBatchReader(stream);
        var records = 0L;
        while (true)
        {
            try
            {
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    yield break;
                }
            }
            catch (JsonException e)
            {
                throw new ManagementApiException(response.StatusCode, null, $"API error {what}: the body is not a JSON array of records: {e.Message}");
            }
            catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                // A body cut mid-stream (a reset, a connection closed early): this blob's failure alone, fetched again whole later.
                throw new ManagementApiException(0, null, $"API error {what}: the body was cut after {records:N0} records: {e.Message}");
            }

            foreach (var record in reader.Current.EnumerateArray())
            {
                records++;
                yield return record;
            }
        }
    }

    /// <summary>Formats a window bound as the API expects: UTC, <c>yyyy-MM-ddTHH:mm:ss</c> (PROTOCOL.md §4).</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

    private async Task<HttpResponseMessage> SendAsync(Guid tenantId, HttpMethod method, Uri uri, string what, CancellationToken cancellationToken)
    {
        var response = await SendOnceAsync(tenantId, method, uri, what, forceRefresh: false, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            // A cached token the API no longer accepts: refresh it once, then retry (PROTOCOL.md §7, HTTP level).
            response.Dispose();
            response = await SendOnceAsync(tenantId, method, uri, what, forceRefresh: true, cancellationToken).ConfigureAwait(false);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            string body;
            try
            {
                body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                body = "";
            }

            // The retries' outcome in the message: the one log line of the sequence (the poll's) says what was tried.
            var retries = response.RequestMessage?.Options.TryGetValue(RetryRecord.Key, out var record) == true && record.Retries > 0 ? $" ({record})" : "";
            var error = ManagementApiException.FromResponse(response.StatusCode, body, what + retries, ApiRetryPolicy.RetryAfter(response));
            _metrics?.Error(tenantId, (int)response.StatusCode, error.HasApiCode ? error.Code! : "http");
            throw error;
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(Guid tenantId, HttpMethod method, Uri uri, string what, bool forceRefresh, CancellationToken cancellationToken)
    {
        var token = await _tokens.GetTokenAsync(tenantId, forceRefresh, cancellationToken).ConfigureAwait(false);
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Options.Set(RequestBudgetHandler.TenantKey, tenantId);
        var retries = new RetryRecord();
        request.Options.Set(RetryRecord.Key, retries);
        try
        {
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            _clock?.Observe(response.Headers.Date, tenantId);
            if (retries.Retries > 0 && response.IsSuccessStatusCode && _logger is not null)
            {
                // Once per retry sequence, not per attempt (Polly's own per-attempt events are turned down to Debug).
                LogRecovered(_logger, tenantId, what, retries.Retries + 1, retries.Waited.TotalSeconds, string.Join(", ", retries.Failures));
            }

            return response;
        }
        catch (HttpRequestException e)
        {
            _metrics?.Error(tenantId, 0, "connection");
            throw new ManagementApiException(0, null, $"API error {what}: {e.Message}" + (retries.Retries > 0 ? $" ({retries})" : ""));
        }
        catch (TimeoutRejectedException)
        {
            _metrics?.Error(tenantId, 0, "timeout");
            throw new ManagementApiException(0, null, $"API error {what}: no answer within {ApiRetryPolicy.AttemptTimeout.TotalSeconds:F0} s, {ApiRetryPolicy.MaxRetries + 1} times.");
        }
    }

    private static async Task<T?> ReadJsonAsync<T>(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength == 0)
        {
            return default;
        }

        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return await JsonSerializer.DeserializeAsync<T>(stream, JsonOptions, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: System.Text.Json parses a string that it then cannot read as one (invalid UTF-8,
            // the escape of an unpaired surrogate).
            throw new ManagementApiException(response.StatusCode, null, $"API error {what}: the body is not the JSON the API documents: {e.Message}");
        }
        catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            // A body cut mid-stream: the request fails as a whole, like one that got no answer.
            throw new ManagementApiException(0, null, $"API error {what}: the body was cut: {e.Message}");
        }
    }

    private Uri FeedUri(Guid tenantId, string path, IEnumerable<(string Name, string Value)> query)
    {
        var parameters = query.ToList();
        if (_publisherIdentifier is not null)
        {
            parameters.Add(("PublisherIdentifier", _publisherIdentifier));
        }

        var queryText = string.Join("&", parameters.Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value)}"));
        return new Uri(ApiBase(tenantId), $"/api/v1.0/{tenantId}/activity/feed/{path}{(queryText.Length > 0 ? "?" + queryText : "")}");
    }

    /// <summary>The tenant's API host: its cloud's, or <c>Collector:ManagementApiEndpoint</c> when set (the emulator).</summary>
    private Uri ApiBase(Guid tenantId) => _apiEndpoint ?? _connections.For(tenantId).Endpoints.ApiHost;

    private static string? NextPage(HttpResponseMessage response)
    {
        // Header names are case-insensitive in HttpHeaders; one Microsoft page says NextPageUrl (PROTOCOL.md §5).
        foreach (var name in (string[])["NextPageUri", "NextPageUrl"])
        {
            if (response.Headers.TryGetValues(name, out var values) && values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v)) is { } value)
            {
                return value.Trim();
            }
        }

        return null;
    }

    /// <summary>Only URLs on the API host get this tenant's bearer token: a hostile listing cannot send it elsewhere.</summary>
    private Uri OnApiHost(Guid tenantId, string url, string what)
    {
        var apiBase = ApiBase(tenantId);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || Uri.Compare(uri, apiBase, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0)
        {
            throw new ManagementApiException(0, null, $"API error {what}: refusing to follow '{url}', which is not on the API host {apiBase.GetLeftPart(UriPartial.Authority)}.");
        }

        return uri;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: {What} succeeded after {Attempts} attempts and {WaitedSeconds:F1} s of waits (earlier attempts: {Failures})")]
    private static partial void LogRecovered(ILogger logger, Guid tenantId, string what, int attempts, double waitedSeconds, string failures);
}
