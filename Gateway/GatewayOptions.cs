using System.ComponentModel.DataAnnotations;
using O365Activity.Contracts;

namespace O365Activity.Gateway;

/// <summary>The gateway's own settings (configuration section <c>Gateway</c>).</summary>
public sealed class GatewayOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Gateway";

    /// <summary>Where the gRPC services listen (setting <c>Gateway:GrpcEndpoint</c>; plain HTTP/2, default <c>http://127.0.0.1:5080</c>).</summary>
    [Required]
    public Uri GrpcEndpoint { get; set; } = new("http://127.0.0.1:5080");

    /// <summary>Where the admin-consent redirect endpoint listens (setting <c>Gateway:ConsentEndpoint</c>; HTTP/1.1 for browsers, default <c>http://127.0.0.1:5081</c>).</summary>
    [Required]
    public Uri ConsentEndpoint { get; set; } = new("http://127.0.0.1:5081");

    /// <summary>
    /// The redirect URI registered on the application, as browsers reach it (setting <c>Gateway:ConsentRedirectUri</c>);
    /// defaults to <c>{ConsentEndpoint}/consent/callback</c>. It must match a registered redirect URI exactly (PROTOCOL.md §2).
    /// </summary>
    public Uri? ConsentRedirectUri { get; set; }

    /// <summary>
    /// How many events may wait for one slow gRPC subscriber (setting <c>Gateway:StreamBufferCapacity</c>, default
    /// 10,000). A subscriber that falls further behind gets <c>RESOURCE_EXHAUSTED</c>; memory does not grow with the backlog.
    /// </summary>
    [Range(1, 1_000_000)]
    public int StreamBufferCapacity { get; set; } = 10_000;

    /// <summary>
    /// How often an open activity stream checks that its event source still exists (setting
    /// <c>Gateway:SourceCheckInterval</c>, default 30 seconds); a stream of a deleted source ends with <c>NOT_FOUND</c>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan SourceCheckInterval { get; set; } = TimeSpan.FromSeconds(30);

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
