using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using O365Activity.Grains.Collection;
using Polly;
using O365Activity.Contracts;

namespace O365Activity.Grains;

/// <summary>Registers the collection services the tenant grains use.</summary>
public static class CollectorServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="CollectorOptions"/> (section <c>Collector</c>, validated at start-up), the MSAL token provider,
    /// the Management Activity API client with its retry pipeline (the only retry boundary: HTTP 408, 429, 5xx,
    /// connection failures and attempt timeouts, 3 retries; see <see cref="ApiRetryPolicy"/>), the API's clock
    /// (<see cref="ServerClock"/>, on which the collection pipeline plans its windows), the silo's poll timer
    /// (<see cref="PollWheel"/>, which needs the silo's <see cref="IGrainFactory"/>), the collection pipeline (which needs an
    /// <see cref="O365Activity.Storage.IEventStore"/>, registered by the cluster composition) and the system clock
    /// (unless a <see cref="TimeProvider"/> is registered already).
    /// </summary>
    /// <param name="services">The silo's services.</param>
    /// <param name="configuration">The silo's configuration.</param>
    public static IServiceCollection AddCollector(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CollectorOptions>()
            .Bind(configuration.GetSection(CollectorOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => Guid.TryParse(o.ClientId, out _), $"{CollectorOptions.SectionName}:ClientId must be the application's client id (a GUID).")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CollectorOptions>, CredentialValidation>());
        services.TryAddSingleton<SourceConnections>();
        services.TryAddSingleton(sp => new CollectorMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));

        // Outbound requests go only to the clouds' hosts and the configured overrides (OutboundAllowList): MSAL's after
        // the login-endpoint rewrite, the API client's outside the retries (a refused request is not retried).
        services.TryAddSingleton<OutboundAllowList>();
        services.AddHostedService(sp => new OutboundAllowListReport(sp.GetRequiredService<OutboundAllowList>()));
        services.AddHttpClient(MsalTokenProvider.HttpClientName)
            .AddHttpMessageHandler(sp => RewriteFor(sp, o => o.LoginEndpoint, c => c.LoginHost))
            .AddHttpMessageHandler(sp => AllowList(sp, MsalTokenProvider.HttpClientName, l => l.Login));
        // The resilience pipeline first (outermost), then the request budget, so that every attempt waits its turn.
        // No request logging: the client logs what fails, and the factory's scope and request logs cost an idle tenant's
        // poll a tenth of its CPU.
        var api = services.AddHttpClient(ManagementApiClient.HttpClientName).RemoveAllLoggers()
            .AddHttpMessageHandler(sp => AllowList(sp, ManagementApiClient.HttpClientName, l => l.Api));
        // The HttpClient's own timeout would bound a call's retries and their waits too; the attempt timeout bounds one
        // attempt (until the response headers), and the retry strategy the waits (ApiRetryPolicy).
        api.ConfigureHttpClient(http => http.Timeout = Timeout.InfiniteTimeSpan);
        api.AddResilienceHandler("management-api", (pipeline, context) =>
        {
            pipeline.AddRetry(ApiRetryPolicy.Options(context.ServiceProvider.GetService<CollectorMetrics>()));
            pipeline.AddTimeout(ApiRetryPolicy.AttemptTimeout);
        });
        api.AddHttpMessageHandler(sp => new RequestBudgetHandler(sp.GetRequiredService<RequestBudget>(), sp.GetService<CollectorMetrics>()));
        // Polly logs each retried attempt at Warning, with the exception's stack trace; the client logs the sequence once
        // with its outcome (RetryRecord), so this pipeline's own events go to Debug.
        services.Configure<Polly.Telemetry.TelemetryOptions>(telemetry =>
        {
            var inner = telemetry.SeverityProvider;
            telemetry.SeverityProvider = args =>
                args.Source.PipelineName?.StartsWith(ManagementApiClient.HttpClientName, StringComparison.Ordinal) == true
                    ? Polly.Telemetry.ResilienceEventSeverity.Debug
                    : inner?.Invoke(args) ?? args.Event.Severity;
        });
        services.TryAddSingleton(sp => new RequestBudget(sp.GetRequiredService<IOptions<CollectorOptions>>()) { Metrics = sp.GetService<CollectorMetrics>() });

        services.TryAddSingleton<ITokenProvider, MsalTokenProvider>();
        services.TryAddSingleton<ManagementApiClient>();
        services.TryAddSingleton<IManagementActivityApi>(sp => sp.GetRequiredService<ManagementApiClient>());
        services.TryAddSingleton(sp => new ServerClock(sp.GetRequiredService<TimeProvider>(), sp.GetService<Microsoft.Extensions.Logging.ILogger<ServerClock>>()));
        services.TryAddSingleton<PollWheel>();
        services.TryAddSingleton(sp => new Risk.SignInRiskEvaluator(
            sp.GetRequiredService<IOptions<CollectorOptions>>().Value.Risk, sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<Risk.SignInRiskEvaluator>>()));
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<CollectionPipeline>(sp, (TimeProvider)sp.GetRequiredService<ServerClock>()));
        return services;
    }

    private static DelegatingHandler RewriteFor(IServiceProvider services, Func<CollectorOptions, Uri?> endpoint, Func<CloudEndpoints, Uri> host)
    {
        var options = services.GetRequiredService<IOptions<CollectorOptions>>().Value;
        return endpoint(options) is { } target
            ? new EndpointRewriteHandler([.. Enum.GetValues<CloudName>().Select(c => host(CloudEndpoints.For(c))).Distinct()], target)
            : new PassThroughHandler();
    }

    private static OutboundAllowListHandler AllowList(IServiceProvider services, string client, Func<OutboundAllowList, IReadOnlySet<string>> origins)
    {
        var list = services.GetRequiredService<OutboundAllowList>();
        return new OutboundAllowListHandler(client, origins(list), list);
    }

    private sealed class PassThroughHandler : DelegatingHandler;

    /// <summary>Fails start-up with the first unusable credential, naming its setting (never a secret), or with the risk settings out of range.</summary>
    private sealed class CredentialValidation : IValidateOptions<CollectorOptions>
    {
        public ValidateOptionsResult Validate(string? name, CollectorOptions options) =>
            options.CredentialProblem() is { } problem ? ValidateOptionsResult.Fail(problem)
            : options.Risk.Errors().ToList() is { Count: > 0 } risk ? ValidateOptionsResult.Fail(risk)
            : ValidateOptionsResult.Success;
    }
}
