using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using O365Activity.Gateway.Security;
using O365Activity.Gateway.StatusPage;
using O365Activity.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Orleans.Dashboard;

namespace O365Activity.Gateway.Operability;

/// <summary>
/// What an operator runs the gateway by: <c>grpc.health.v1</c> health on the gRPC endpoint (anonymous), the detailed
/// readiness report at <c>/api/health</c> on the status endpoint, gRPC server reflection (<c>Gateway:Reflection</c>),
/// OpenTelemetry (<see cref="ActivityTelemetry"/>, plus ASP.NET Core), the gateway's metrics
/// (<see cref="GatewayMetrics"/>) and the optional Orleans dashboard (<see cref="DashboardSettings"/>).
/// </summary>
/// <remarks>
/// Health services: <c>""</c> and <c>liveness</c> are SERVING while the process runs; <c>readiness</c> is SERVING
/// when the cluster (<see cref="ClusterHealthCheck"/>) and the database (<see cref="DatabaseHealthCheck"/>) answer,
/// and NOT_SERVING when either does not. Each <c>Check</c> runs the checks then (no cache of the health-check publisher). The per-tenant
/// summary of failed and degraded sources (<see cref="EventSourcesHealthCheck"/>) is in <c>/api/health</c> only, run on
/// request: it asks every tenant's grain, so neither gRPC probes nor the periodic publisher run it.
/// </remarks>
public static class GatewayOperability
{
    /// <summary>The setting that turns on gRPC server reflection (default false; <c>run-local.sh</c> turns it on).</summary>
    public const string ReflectionSetting = "Gateway:Reflection";

    /// <summary>The path of the readiness report on the status endpoint.</summary>
    public const string HealthPath = StatusPageEndpoints.ApiPrefix + "/health";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Registers health checks, reflection (when on), telemetry, the gateway's metrics and the dashboard (when on).</summary>
    /// <param name="builder">The gateway's builder.</param>
    /// <param name="ownClient">True when the gateway connects its own Orleans client (not a test cluster's): only then can it serve the dashboard.</param>
    public static WebApplicationBuilder AddGatewayOperability(this WebApplicationBuilder builder, bool ownClient)
    {
        builder.Services.AddSingleton<GatewayMetrics>();
        var dashboard = DashboardSettings.From(builder.Configuration);
        builder.Services.AddSingleton(new DashboardHosting(dashboard.Enabled && ownClient, dashboard.Endpoint.Port));
        builder.Services.AddSingleton<EventSourcesHealthCheck>();
        builder.Services.AddGrpcHealthChecks(o =>
        {
            o.Services.Map("", r => r.Tags.Contains(HealthTags.Live));
            o.Services.Map("liveness", r => r.Tags.Contains(HealthTags.Live));
            o.Services.Map("readiness", r => r.Tags.Contains(HealthTags.Ready));
        })
            .AddCheck("process", () => HealthCheckResult.Healthy("The gateway is running."), [HealthTags.Live])
            .AddCheck<ClusterHealthCheck>("cluster", tags: [HealthTags.Ready])
            .AddCheck<DatabaseHealthCheck>("database", tags: [HealthTags.Ready])
            .AddCheck<EventSourcesHealthCheck>("eventSources", tags: [HealthTags.Summary]);
        // The publisher (registered by the gRPC health service for its Watch) runs the cheap checks only.
        builder.Services.Configure<HealthCheckPublisherOptions>(o => o.Predicate = r => !r.Tags.Contains(HealthTags.Summary));
        if (builder.Configuration.GetValue<bool>(ReflectionSetting))
        {
            builder.Services.AddGrpcReflection();
        }

        builder.Services.AddActivityTelemetry(builder.Configuration, "o365activity-gateway",
            tracing => tracing.AddAspNetCoreInstrumentation(),
            metrics => metrics.AddAspNetCoreInstrumentation());

        if (dashboard.Enabled && ownClient)
        {
            if (dashboard.Endpoint.Scheme != Uri.UriSchemeHttp || !IPAddress.TryParse(dashboard.Endpoint.Host.Trim('[', ']'), out var address))
            {
                throw new InvalidOperationException($"{DashboardSettings.SectionName}:Endpoint '{dashboard.Endpoint}' must be an http:// URL with an IP address to listen on.");
            }

            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, dashboard.Endpoint.Port, o => o.Protocols = HttpProtocols.Http1));
        }

        return builder;
    }

    /// <summary>Maps the health service (anonymous), reflection (when on), <c>/api/health</c> and the dashboard (when on).</summary>
    public static WebApplication MapGatewayOperability(this WebApplication app)
    {
        app.MapGrpcHealthChecksService().AllowAnonymous();
        if (app.Configuration.GetValue<bool>(ReflectionSetting))
        {
            app.MapGrpcReflectionService();
        }

        app.MapGet(HealthPath, ReportAsync);
        if (app.Services.GetRequiredService<DashboardHosting>() is { Serve: true } dashboard)
        {
            app.MapOrleansDashboard(DashboardSettings.Path).RequireHost($"*:{dashboard.Port}");
        }

        return app;
    }

    /// <summary>
    /// The readiness report as JSON: <c>status</c> (<c>Healthy</c>, <c>Degraded</c>, <c>Unhealthy</c>) and per check
    /// (<c>cluster</c>, <c>database</c>, <c>eventSources</c>) its status, description and data (the active silos; the
    /// failed and degraded sources with their tenant ids and reasons). HTTP 200, or 503 when unhealthy.
    /// </summary>
    private static async Task<IResult> ReportAsync(HttpContext http, HealthCheckService health, CancellationToken cancellationToken)
    {
        // The report names every failed or degraded tenant and counts them all: for a client that may see every tenant.
        var access = ClientAccess.Of(http);
        if (!access.MayRead || !access.MaySeeEveryTenant)
        {
            return Results.Text("The health report is for clients that may see every tenant (role 'reader' or 'admin', no tenant limit); gRPC health answers anyone.", "text/plain; charset=utf-8", statusCode: StatusCodes.Status403Forbidden);
        }

        var report = await health.CheckHealthAsync(r => r.Tags.Contains(HealthTags.Ready) || r.Tags.Contains(HealthTags.Summary), cancellationToken);
        var body = new
        {
            Status = report.Status.ToString(),
            Checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                Status = e.Value.Status.ToString(),
                e.Value.Description,
                e.Value.Data,
            }),
        };
        return Results.Json(body, Json, statusCode: report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
    }
}

/// <summary>Whether this gateway serves the Orleans dashboard, and on which port (decided when the gateway is built).</summary>
/// <param name="Serve">True when <c>Cluster:Dashboard:Enabled</c> and the gateway has its own Orleans client.</param>
/// <param name="Port">The port of <c>Cluster:Dashboard:Endpoint</c>.</param>
public sealed record DashboardHosting(bool Serve, int Port);
