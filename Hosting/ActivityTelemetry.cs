using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using O365Activity.Contracts.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Dashboard;

namespace O365Activity.Hosting;

/// <summary>
/// OpenTelemetry for the silo and the gateway, composed in one place (section <c>Telemetry</c>), and the optional
/// Orleans dashboard (section <c>Cluster:Dashboard</c>).
/// </summary>
/// <remarks>
/// <para>Exporting is off by default: with neither <c>Telemetry:OtlpEndpoint</c> nor the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, no OpenTelemetry SDK is registered, and the service's instruments cost
/// nothing while nobody listens. With one, metrics and traces go by OTLP (<c>Telemetry:OtlpProtocol</c>: <c>grpc</c>,
/// the default, or <c>http/protobuf</c>; the other <c>OTEL_EXPORTER_OTLP_*</c> variables apply too) from: the
/// service's own meters and activity sources (<c>O365Activity.*</c>), Orleans (meter <c>Microsoft.Orleans</c>,
/// activity sources <c>Microsoft.Orleans.Runtime</c> and <c>Microsoft.Orleans.Application</c>), HttpClient, Npgsql
/// and the .NET runtime; the gateway adds ASP.NET Core.</para>
/// </remarks>
public static class ActivityTelemetry
{
    /// <summary>The configuration section of the telemetry settings.</summary>
    public const string SectionName = "Telemetry";

    /// <summary>Orleans' meter.</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>Orleans' activity sources: the runtime's and the grain calls'.</summary>
    public static readonly string[] OrleansSources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    /// <summary>The OTLP endpoint configured (<c>Telemetry:OtlpEndpoint</c>, else <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>); null when exporting is off.</summary>
    /// <exception cref="InvalidOperationException">When the setting is not an absolute http(s) URL.</exception>
    public static Uri? OtlpEndpoint(IConfiguration configuration)
    {
        var text = configuration[$"{SectionName}:OtlpEndpoint"];
        if (string.IsNullOrWhiteSpace(text))
        {
            text = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new InvalidOperationException($"{SectionName}:OtlpEndpoint (or OTEL_EXPORTER_OTLP_ENDPOINT) '{text}' must be an http:// or https:// URL, for example http://127.0.0.1:4317.");
    }

    /// <summary>
    /// Registers OpenTelemetry (resource <paramref name="serviceName"/>) with the OTLP exporter when an endpoint is
    /// configured (see <see cref="OtlpEndpoint"/>); does nothing otherwise.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configuration">The host's configuration.</param>
    /// <param name="serviceName">The <c>service.name</c> of the resource: <c>o365activity-silo</c> or <c>o365activity-gateway</c>.</param>
    /// <param name="tracing">More trace sources or instrumentation (the gateway's ASP.NET Core).</param>
    /// <param name="metrics">More meters or instrumentation.</param>
    /// <returns>True when telemetry is exported.</returns>
    /// <exception cref="InvalidOperationException">When the endpoint or the protocol setting is invalid.</exception>
    public static bool AddActivityTelemetry(this IServiceCollection services, IConfiguration configuration, string serviceName,
        Action<TracerProviderBuilder>? tracing = null, Action<MeterProviderBuilder>? metrics = null)
    {
        if (OtlpEndpoint(configuration) is not { } endpoint)
        {
            return false;
        }

        var protocol = configuration[$"{SectionName}:OtlpProtocol"] switch
        {
            null or "" or "grpc" => OtlpExportProtocol.Grpc,
            "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
            var other => throw new InvalidOperationException($"{SectionName}:OtlpProtocol '{other}' must be grpc or http/protobuf."),
        };
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(trace =>
            {
                trace.AddSource(TelemetryNames.Prefix + ".*").AddSource(OrleansSources).AddHttpClientInstrumentation().AddNpgsql();
                tracing?.Invoke(trace);
            })
            .WithMetrics(meter =>
            {
                meter.AddMeter(TelemetryNames.Prefix + ".*", OrleansMeter).AddHttpClientInstrumentation().AddRuntimeInstrumentation().AddNpgsqlInstrumentation();
                metrics?.Invoke(meter);
            })
            .UseOtlpExporter(protocol, endpoint);
        return true;
    }

    /// <summary>
    /// A silo's telemetry: OpenTelemetry (<see cref="AddActivityTelemetry(IServiceCollection, IConfiguration, string, Action{TracerProviderBuilder}?, Action{MeterProviderBuilder}?)"/>)
    /// with Orleans' activity propagation through grain calls when exporting is on (<see cref="OtlpEndpoint"/>), and,
    /// when <c>Cluster:Dashboard:Enabled</c>, the Orleans dashboard's collection (a gateway serves its pages).
    /// </summary>
    /// <remarks>
    /// Propagation is a pair of grain-call filters, which put every grain call (a tenant's poll among them) through
    /// Orleans' filter pipeline; without an exporter nobody reads what they carry.
    /// </remarks>
    public static ISiloBuilder AddActivityTelemetry(this ISiloBuilder silo, IConfiguration configuration)
    {
        if (OtlpEndpoint(configuration) is not null)
        {
            silo.AddActivityPropagation();
        }

        silo.Services.AddActivityTelemetry(configuration, "o365activity-silo");
        if (DashboardSettings.From(configuration).Enabled)
        {
            silo.AddDashboard();
        }

        return silo;
    }

    /// <summary>
    /// A gateway's Orleans client: activity propagation through grain calls when exporting is on (<see cref="OtlpEndpoint"/>)
    /// and, when <c>Cluster:Dashboard:Enabled</c>, the Orleans dashboard's client side (the gateway maps its pages on
    /// <c>Cluster:Dashboard:Endpoint</c>).
    /// </summary>
    public static IClientBuilder AddActivityTelemetry(this IClientBuilder client, IConfiguration configuration)
    {
        if (OtlpEndpoint(configuration) is not null)
        {
            client.AddActivityPropagation();
        }

        if (DashboardSettings.From(configuration).Enabled)
        {
            client.AddDashboard();
        }

        return client;
    }
}

/// <summary>The optional Orleans dashboard (section <c>Cluster:Dashboard</c>): off by default.</summary>
public sealed class DashboardSettings
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Cluster:Dashboard";

    /// <summary>The path the dashboard is served under on its endpoint.</summary>
    public const string Path = "/dashboard";

    /// <summary>
    /// Whether the dashboard runs (setting <c>Cluster:Dashboard:Enabled</c>, default false). Every silo collects its
    /// figures and each gateway serves its pages; give every silo and gateway the same value.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>Where a gateway serves the dashboard (setting <c>Cluster:Dashboard:Endpoint</c>, default <c>http://127.0.0.1:5083</c>; HTTP/1.1, under <see cref="Path"/>).</summary>
    public Uri Endpoint { get; set; } = new("http://127.0.0.1:5083");

    /// <summary>Reads the section.</summary>
    public static DashboardSettings From(IConfiguration configuration) =>
        configuration.GetSection(SectionName).Get<DashboardSettings>() ?? new DashboardSettings();
}
