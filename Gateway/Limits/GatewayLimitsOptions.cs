using System.ComponentModel.DataAnnotations;

namespace O365Activity.Gateway.Limits;

/// <summary>
/// The gateway's limits per client (configuration section <c>Gateway:Limits</c>; README, "Limits"). A client is its
/// authenticated name, or its address when the call is anonymous (<see cref="ClientKeys"/>). Each limit answers with
/// its own status: <c>RESOURCE_EXHAUSTED</c> (streams, request size, call rate), <c>INVALID_ARGUMENT</c> (page size),
/// HTTP 429 (the consent callback); the HTTP/2 stream limit makes a client's extra calls wait for a free stream.
/// </summary>
public sealed class GatewayLimitsOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Gateway:Limits";

    /// <summary>The setting <see cref="StreamsPerConnection"/> had before it moved here, still read when the new one is not set.</summary>
    public const string LegacyStreamsPerConnectionSetting = "Gateway:MaxStreamsPerConnection";

    /// <summary>
    /// The most streaming calls (<c>StreamIngress</c>, <c>StreamAdmin</c>, <c>StreamRaw</c>, <c>WatchEventSources</c>)
    /// one client may have open at once, over all its connections (setting <c>Gateway:Limits:StreamsPerClient</c>,
    /// default 100). One more fails at once with <c>RESOURCE_EXHAUSTED</c>; a stream's place is freed when it ends in
    /// any way (completed, cancelled, failed, past its deadline).
    /// </summary>
    [Range(1, 1_000_000)]
    public int StreamsPerClient { get; set; } = 100;

    /// <summary>
    /// The most concurrent HTTP/2 streams (gRPC calls) one client connection may open (setting
    /// <c>Gateway:Limits:StreamsPerConnection</c>, formerly <c>Gateway:MaxStreamsPerConnection</c>, default 1,000;
    /// Kestrel's <c>Http2.MaxStreamsPerConnection</c>). The gateway advertises it to the client, whose calls beyond it
    /// wait for a free stream (or open another connection, if the client allows several).
    /// </summary>
    [Range(1, 100_000)]
    public int StreamsPerConnection { get; set; } = 1_000;

    /// <summary>
    /// The largest request message the gRPC services read, in bytes (setting <c>Gateway:Limits:MaxRequestBytes</c>,
    /// default 65,536; gRPC's own default is 4 MiB). The largest legitimate request, an event source with 100 federated
    /// domains, is under 30 KB. A larger message fails with <c>RESOURCE_EXHAUSTED</c> before it is parsed. Responses
    /// are not limited.
    /// </summary>
    [Range(1_024, 4 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 64 * 1024;

    /// <summary>The page size of a history query that gives <c>page_size</c> 0 (setting <c>Gateway:Limits:DefaultPageSize</c>, default 100).</summary>
    [Range(1, 100_000)]
    public int DefaultPageSize { get; set; } = 100;

    /// <summary>
    /// The largest <c>page_size</c> a history query may ask for (setting <c>Gateway:Limits:MaxPageSize</c>, default
    /// 1,000); more fails with <c>INVALID_ARGUMENT</c> naming the maximum. It also bounds each list of
    /// <c>GetUserActivity</c>. At least 20: the status page asks for pages of 20.
    /// </summary>
    [Range(20, 100_000)]
    public int MaxPageSize { get; set; } = 1_000;

    /// <summary>
    /// The management calls (<c>EventSources</c>' create, get, list, update, delete, renew) a client may make per
    /// <see cref="ManagementPeriod"/> once its burst is spent (setting <c>Gateway:Limits:ManagementRequests</c>, default
    /// 10). Beyond it a call fails with <c>RESOURCE_EXHAUSTED</c>, saying when to retry.
    /// </summary>
    [Range(1, 1_000_000)]
    public int ManagementRequests { get; set; } = 10;

    /// <summary>The period of <see cref="ManagementRequests"/> (setting <c>Gateway:Limits:ManagementPeriod</c>, default 1 second).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan ManagementPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The management calls a client may make at once after a quiet spell (setting
    /// <c>Gateway:Limits:ManagementBurst</c>, default 20): a token bucket of this size, refilled with
    /// <see cref="ManagementRequests"/> tokens each <see cref="ManagementPeriod"/>.
    /// </summary>
    [Range(1, 1_000_000)]
    public int ManagementBurst { get; set; } = 20;

    /// <summary>
    /// The consent-callback requests one client address may make per <see cref="ConsentWindow"/> (setting
    /// <c>Gateway:Limits:ConsentRequests</c>, default 30). Beyond it the callback answers 429 with <c>Retry-After</c>.
    /// </summary>
    [Range(1, 1_000_000)]
    public int ConsentRequests { get; set; } = 30;

    /// <summary>The fixed window of <see cref="ConsentRequests"/> (setting <c>Gateway:Limits:ConsentWindow</c>, default 1 minute).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ConsentWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The reverse proxies whose <c>X-Forwarded-For</c> header the gateway believes (setting
    /// <c>Gateway:Limits:TrustedProxies</c>, IP addresses or CIDR networks such as <c>10.0.0.0/8</c>; default none).
    /// Empty: the header is ignored and a client is the address that connected. Otherwise a request that comes from a
    /// trusted proxy counts against the address the proxies name (the first one, from the right, that is not itself
    /// a trusted proxy), for every per-address limit.
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];
}
