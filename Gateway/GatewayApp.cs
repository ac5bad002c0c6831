using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;
using O365Activity.Gateway.Feeds;
using O365Activity.Gateway.Limits;
using O365Activity.Gateway.Operability;
using O365Activity.Gateway.Security;
using O365Activity.Gateway.Services;
using O365Activity.Gateway.StatusPage;
using O365Activity.Hosting;

namespace O365Activity.Gateway;

/// <summary>
/// Builds the gateway: gRPC services on an HTTP/2 endpoint, the consent callback on an HTTP/1.1 endpoint, the
/// status page (<see cref="StatusPageEndpoints"/>) on another HTTP/1.1 endpoint (each plain, or TLS with
/// <c>Gateway:Tls</c>), authentication and access (<see cref="GatewaySecurity"/>, <see cref="AccessInterceptor"/>), the
/// limits (<see cref="GatewayLimits"/>), health and reflection (<see cref="GatewayOperability"/>), an
/// Orleans client of the cluster and the event store (both composed by <see cref="ClusterComposition"/>, sections
/// <c>Cluster</c> and <c>Storage</c>). The client keeps trying to connect until a silo answers; the endpoints listen
/// meanwhile and answer <c>UNAVAILABLE</c>.
/// </summary>
public static class GatewayApp
{
    /// <summary>Creates the application builder with every service registered.</summary>
    /// <param name="args">Command-line arguments (configuration overrides such as <c>--Gateway:GrpcEndpoint=…</c>).</param>
    /// <param name="clusterClient">
    /// A client of an already running cluster to use instead of connecting one (an in-process test cluster, whose
    /// silos are not reachable over TCP); null to connect as <c>Cluster</c> says.
    /// </param>
    public static WebApplicationBuilder CreateBuilder(string[] args, IClusterClient? clusterClient = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddOptions<GatewayOptions>()
            .Bind(builder.Configuration.GetSection(GatewayOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.HasDistinctPorts, "Gateway:GrpcEndpoint, Gateway:ConsentEndpoint and Gateway:StatusEndpoint must have three different ports: each port serves only its own routes.")
            .ValidateOnStart();
        builder.Services.AddOptions<ConsentApplicationOptions>()
            .Bind(builder.Configuration.GetSection("Collector"))
            .ValidateDataAnnotations()
            .Validate(o => Guid.TryParse(o.ClientId, out _), "Collector:ClientId must be the application's client id (a GUID).")
            .ValidateOnStart();
        builder.Services.AddSingleton<ConsentUrlBuilder>();
        builder.Services.AddSingleton<EventSourceStatuses>();
        builder.Services.AddSingleton<TenantFeeds>();
        builder.Services.AddSingleton<StatusWatchers>();
        builder.Services.AddSingleton<HistoryQueries>();
        var connected = clusterClient is not null;
        builder.Services.AddSingleton(sp => new ClusterReadiness(sp.GetRequiredService<IHostApplicationLifetime>(), connected));
        builder.AddGatewaySecurity();
        builder.Services.AddGrpc(o =>
        {
            // Access first: a caller that may not make a call learns nothing else (not even whether the cluster is ready).
            o.Interceptors.Add<AccessInterceptor>();
            o.Interceptors.Add<ErrorMappingInterceptor>();
        });
        builder.AddGatewayLimits();
        builder.Services.AddSingleton<Grpc.AspNetCore.Server.Model.IServiceMethodProvider<ActivityService>, ActivityMethods>();
        // Listen while the Orleans client is still connecting, so that calls get UNAVAILABLE rather than a refused connection.
        builder.Services.Configure<HostOptions>(o => o.ServicesStartConcurrently = true);
        builder.AddGatewayOperability(ownClient: clusterClient is null);

        var gateway = builder.Configuration.GetSection(GatewayOptions.SectionName).Get<GatewayOptions>() ?? new GatewayOptions();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var https = GatewaySecurity.Https(builder.Configuration);
            Listen(kestrel, https, "Gateway:GrpcEndpoint", gateway.GrpcEndpoint, HttpProtocols.Http2);
            Listen(kestrel, https, "Gateway:ConsentEndpoint", gateway.ConsentEndpoint, HttpProtocols.Http1);
            Listen(kestrel, https, "Gateway:StatusEndpoint", gateway.StatusEndpoint, HttpProtocols.Http1);
        });

        if (clusterClient is not null)
        {
            builder.Services.AddSingleton(clusterClient);
            builder.Services.AddSingleton<IGrainFactory>(clusterClient);
            builder.Services.AddSingleton(clusterClient.ServiceProvider.GetRequiredService<Orleans.Serialization.Serializer>());
            builder.Services.AddActivityStore(builder.Configuration, builder.Configuration.GetClusterSettings().Mode);
            return builder;
        }

        builder.UseOrleansClient(client => client.UseActivityCluster(builder.Configuration));
        return builder;
    }

    /// <summary>Builds the application and maps its endpoints.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        var options = app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        var (consentPort, statusPort) = (options.ConsentEndpoint.Port, options.StatusEndpoint.Port);
        app.UseTrustedProxies();
        app.Use(async (context, next) =>
        {
            // Each endpoint serves only its own routes: the consent page is public, the status page is for operators,
            // the gRPC API is internal.
            var port = context.Connection.LocalPort;
            var consentRoute = context.Request.Path.StartsWithSegments(ConsentEndpoint.Path);
            var statusRoute = StatusPageEndpoints.Owns(context.Request.Path);
            var allowed = port == consentPort ? consentRoute : port == statusPort ? statusRoute : !consentRoute && !statusRoute;
            if (port == statusPort)
            {
                StatusPageEndpoints.AddSecurityHeaders(context.Response);
            }
            else if (port == consentPort)
            {
                ConsentEndpoint.AddSecurityHeaders(context.Response);
            }

            if (!allowed)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            await next(context);
        });
        app.UseRateLimiter();
        // After the port check, before the status page's files: the fallback policy (an authenticated caller) covers them too.
        app.UseAuthentication();
        app.UseAuthorization();
        GatewaySecurity.WarnWhenOff(app);
        app.UseStatusPageFiles();
        app.MapGrpcService<EventSourcesService>();
        app.MapGrpcService<ActivityService>();
        app.MapGrpcService<HistoryService>();
        app.MapConsentCallback();
        app.MapStatusPage();
        app.MapGatewayOperability();
        return app;
    }

    private static void Listen(KestrelServerOptions kestrel, Action<HttpsConnectionAdapterOptions>? https, string setting, Uri endpoint, HttpProtocols protocols)
    {
        if (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps)
        {
            throw new InvalidOperationException($"{setting} '{endpoint}' must be an http:// URL, or https:// with Gateway:Tls.");
        }

        if (endpoint.Scheme == Uri.UriSchemeHttps && https is null)
        {
            throw new InvalidOperationException($"{setting} is an https:// URL but Gateway:Tls:CertificatePath is not set.");
        }

        void Configure(ListenOptions listen)
        {
            listen.Protocols = protocols;
            if (endpoint.Scheme == Uri.UriSchemeHttps)
            {
                listen.UseHttps(https!);
            }
        }

        if (endpoint.Host == "localhost")
        {
            kestrel.ListenLocalhost(endpoint.Port, Configure);
        }
        else if (IPAddress.TryParse(endpoint.Host.Trim('[', ']'), out var address))
        {
            kestrel.Listen(address, endpoint.Port, Configure);
        }
        else
        {
            throw new InvalidOperationException($"{setting} '{endpoint}' must name an IP address to listen on (for example http://0.0.0.0:{endpoint.Port}) or localhost, not a host name.");
        }
    }
}
