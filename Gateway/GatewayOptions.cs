using System.ComponentModel.DataAnnotations;
using O365Activity.Contracts;

namespace O365Activity.Gateway;

/// <summary>The gateway's own settings (configuration section <c>Gateway</c>).</summary>
public sealed class GatewayOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Gateway";

    /// <summary>Where the gRPC services listen (setting <c>Gateway:GrpcEndpoint</c>; HTTP/2, default <c>http://127.0.0.1:5080</c>; <c>https://</c> with <c>Gateway:Tls</c>).</summary>
    [Required]
    public Uri GrpcEndpoint { get; set; } = new("http://127.0.0.1:5080");

    /// <summary>Where the admin-consent redirect endpoint listens (setting <c>Gateway:ConsentEndpoint</c>; HTTP/1.1 for browsers, default <c>http://127.0.0.1:5081</c>).</summary>
    [Required]
    public Uri ConsentEndpoint { get; set; } = new("http://127.0.0.1:5081");

    /// <summary>
    /// Where the status page and its JSON API listen (setting <c>Gateway:StatusEndpoint</c>; HTTP/1.1 for browsers,
    /// default <c>http://127.0.0.1:5082</c>; <c>https://</c> with <c>Gateway:Tls</c>). The page shows the tenants'
    /// collection status and activity to authenticated clients, each only its own tenants (see
    /// <see cref="Security.GatewaySecurity"/>).
    /// </summary>
    [Required]
    public Uri StatusEndpoint { get; set; } = new("http://127.0.0.1:5082");

    /// <summary>
    /// The redirect URI registered on the application, as browsers reach it (setting <c>Gateway:ConsentRedirectUri</c>);
    /// defaults to <c>{ConsentEndpoint}/consent/callback</c>. It must match a registered redirect URI exactly (PROTOCOL.md §2).
    /// </summary>
    public Uri? ConsentRedirectUri { get; set; }

    /// <summary>
    /// How many stored events an activity stream reads from the event store at a time (setting
    /// <c>Gateway:ReplayPageSize</c>, default 500): the most one stream holds in memory, however far behind it is.
    /// </summary>
    [Range(1, 10_000)]
    public int ReplayPageSize { get; set; } = 500;

    /// <summary>
    /// How often the gateway checks the event store for each tenant with open streams (setting
    /// <c>Gateway:SourceCheckInterval</c>, default 1 second): twice this is the most a lost notice or a silo failover
    /// delays live events, and once this the most it takes a stream of a deleted source to end with <c>NOT_FOUND</c>.
    /// One query per tenant with open streams per interval, whatever the number of streams.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan SourceCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Most bytes of recent events the gateway keeps per tenant with open streams (setting
    /// <c>Gateway:FeedCacheBytes</c>, default 4 MiB): the events the notices carried, which the tenant's streams at or
    /// near the head are served from without reading the store, however many streams there are. A stream further
    /// behind reads the store. 0 turns the cache off.
    /// </summary>
    [Range(0, 1L << 30)]
    public long FeedCacheBytes { get; set; } = 4L * 1024 * 1024;

    /// <summary>True when the gRPC, consent and status endpoints have three different ports (each port serves only its own routes).</summary>
    public bool HasDistinctPorts =>
        GrpcEndpoint.Port != ConsentEndpoint.Port && GrpcEndpoint.Port != StatusEndpoint.Port && ConsentEndpoint.Port != StatusEndpoint.Port;

    /// <summary>The redirect URI in effect.</summary>
    public Uri EffectiveRedirectUri => ConsentRedirectUri ?? new Uri(ConsentEndpoint, "/consent/callback");
}

/// <summary>
/// The application and cloud settings the gateway needs to build admin-consent URLs; they are read from the same
/// section as the silo's (<c>Collector</c>), so one setting serves both.
/// </summary>
public sealed class ConsentApplicationOptions
{
    /// <summary>The multi-tenant application's client id (<c>Collector:ClientId</c>).</summary>
    [Required]
    public string ClientId { get; set; } = "";

    /// <summary>The cloud (<c>Collector:Cloud</c>).</summary>
    public CloudName Cloud { get; set; } = CloudName.Enterprise;

    /// <summary>Where browsers really reach the token authority (<c>Collector:LoginEndpoint</c>): the emulator locally; empty in production.</summary>
    public Uri? LoginEndpoint { get; set; }
}
