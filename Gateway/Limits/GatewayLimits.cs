using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using O365Activity.Gateway.Services;

namespace O365Activity.Gateway.Limits;

/// <summary>
/// Wires the limits of <see cref="GatewayLimitsOptions"/> into the gateway: Kestrel's HTTP/2 streams per connection,
/// gRPC's request size, the streams per client and the management rate (interceptors), the consent callback's rate per
/// address (ASP.NET Core's rate limiter) and the trusted proxies' <c>X-Forwarded-For</c> (ASP.NET Core's forwarded
/// headers).
/// </summary>
public static class GatewayLimits
{
    /// <summary>The rate-limiter policy of the consent callback.</summary>
    public const string ConsentPolicy = "consent-callback";

    /// <summary>Registers the options (validated on start) and every limit's services.</summary>
    public static WebApplicationBuilder AddGatewayLimits(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddGatewayLimitsOptions(builder.Configuration);
        services.AddSingleton<ClientStreamLimits>();
        services.AddSingleton<ManagementRateLimits>();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<GatewayLimitsOptions>>((kestrel, limits) =>
            kestrel.Limits.Http2.MaxStreamsPerConnection = limits.Value.StreamsPerConnection);
        services.AddOptions<GrpcServiceOptions>().Configure<IOptions<GatewayLimitsOptions>>((grpc, limits) =>
        {
            grpc.MaxReceiveMessageSize = limits.Value.MaxRequestBytes;
            grpc.Interceptors.Add<StreamLimitInterceptor>();
        });
        services.AddGrpc().AddServiceOptions<EventSourcesService>(o => o.Interceptors.Add<ManagementRateLimitInterceptor>());
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<GatewayLimitsOptions>>((rateLimiter, limits) =>
        {
            var (permits, window) = (limits.Value.ConsentRequests, limits.Value.ConsentWindow);
            rateLimiter.AddPolicy(ConsentPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                AddressKey(context.Connection.RemoteIpAddress),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0, AutoReplenishment = true }));
            rateLimiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            rateLimiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var retry = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) && after > TimeSpan.Zero ? after : window;
                var seconds = (long)Math.Ceiling(retry.TotalSeconds);
                var response = rejected.HttpContext.Response;
                response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                response.ContentType = "text/html; charset=utf-8";
                await response.WriteAsync(ConsentEndpoint.TooManyRequestsHtml(seconds), cancellationToken);
            };
        });
        services.AddRateLimiter(_ => { });
        return builder;
    }

    /// <summary>
    /// Binds <see cref="GatewayLimitsOptions"/> to <c>Gateway:Limits</c> (the legacy <c>Gateway:MaxStreamsPerConnection</c>
    /// still sets <see cref="GatewayLimitsOptions.StreamsPerConnection"/> when the new setting is absent) and validates
    /// it on start.
    /// </summary>
    public static IServiceCollection AddGatewayLimitsOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GatewayLimitsOptions>()
            .Configure(o =>
            {
                if (configuration.GetValue<int?>(GatewayLimitsOptions.LegacyStreamsPerConnectionSetting) is { } legacy)
                {
                    o.StreamsPerConnection = legacy;
                }
            })
            .Bind(configuration.GetSection(GatewayLimitsOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.DefaultPageSize <= o.MaxPageSize, "Gateway:Limits:DefaultPageSize must be at most Gateway:Limits:MaxPageSize.")
            .Validate(o => o.ManagementRequests <= o.ManagementBurst, "Gateway:Limits:ManagementRequests must be at most Gateway:Limits:ManagementBurst (the bucket holds no more than the burst).")
            .Validate(o => o.TrustedProxies.All(p => TryParseNetwork(p, out _)), "Gateway:Limits:TrustedProxies: each entry must be an IP address or a CIDR network such as 10.0.0.0/8.")
            .ValidateOnStart();
        return services;
    }

    /// <summary>
    /// Takes the client address from <c>X-Forwarded-For</c> for requests from <see cref="GatewayLimitsOptions.TrustedProxies"/>
    /// (nothing when none is configured: the header is then ignored). Call it first in the pipeline.
    /// </summary>
    public static WebApplication UseTrustedProxies(this WebApplication app)
    {
        var proxies = app.Services.GetRequiredService<IOptions<GatewayLimitsOptions>>().Value.TrustedProxies;
        if (proxies.Length == 0)
        {
            return app;
        }

        var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor, ForwardLimit = null };
        // Not the defaults (loopback): only what the setting names.
        forwarded.KnownIPNetworks.Clear();
        forwarded.KnownProxies.Clear();
        foreach (var proxy in proxies)
        {
            forwarded.KnownIPNetworks.Add(TryParseNetwork(proxy, out var network) ? network : throw new InvalidOperationException($"Gateway:Limits:TrustedProxies: '{proxy}' is not an IP address or CIDR network."));
        }

        app.UseForwardedHeaders(forwarded);
        return app;
    }

    private static bool TryParseNetwork(string text, out System.Net.IPNetwork network)
    {
        var value = text.Trim();
        if (IPAddress.TryParse(value, out var address) && !value.Contains('/', StringComparison.Ordinal))
        {
            network = new System.Net.IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return System.Net.IPNetwork.TryParse(value, out network);
    }

    private static string AddressKey(IPAddress? address) =>
        address is null ? "unknown" : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
}
