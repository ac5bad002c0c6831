using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using O365Activity.Emulator;
using O365Activity.Grains.Collection;
using O365Activity.Tests.Collection;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.Logging;

/// <summary>
/// A request that the API fails and the retry pipeline sends again is logged once per retry sequence, with its outcome
/// (attempts, waits, how the attempts failed), and without a stack trace: not once per attempt.
/// </summary>
public sealed class RetryLoggingTests : IAsyncLifetime
{
    private const string ClientId = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    private const string Secret = "retry-logging-secret";
    private readonly Guid _tenant = Guid.NewGuid();
    private readonly CapturedLogs _logs = new();
    private EmulatorServer _emulator = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _emulator = await EmulatorServer.StartAsync(new EmulatorOptions { ClientId = ClientId, ClientSecret = Secret, AutoConsentAllTenants = true });
        _services = CollectorServices.Create(
            new Dictionary<string, string?>
            {
                ["Collector:ClientId"] = ClientId,
                ["Collector:ClientSecret"] = Secret,
                ["Collector:LoginEndpoint"] = _emulator.BaseUrl.ToString(),
                ["Collector:ManagementApiEndpoint"] = _emulator.BaseUrl.ToString(),
            },
            services => services.AddLogging(logging => logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace)));
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _emulator.DisposeAsync();
    }

    [Fact]
    public async Task ACallFailingTwiceThenSucceeding_LogsOneWarningWithItsOutcome_AndNoStackTrace()
    {
        var client = _services.GetRequiredService<ManagementApiClient>();
        using var fault = _emulator.State.InjectFault(FaultRule.HtmlError(503) with { Kind = RequestKind.ListSubscriptions, TenantId = _tenant, Times = 2 });

        await client.ListSubscriptionsAsync(_tenant, CancellationToken.None);

        Assert.Equal(2, fault.Hits);
        var warnings = _logs.Lines.Where(l => l.Contains(" Warning: ", StringComparison.Ordinal) || l.Contains(" Error: ", StringComparison.Ordinal)).ToList();
        var warning = Assert.Single(warnings);
        Assert.Contains(_tenant.ToString(), warning, StringComparison.Ordinal);
        Assert.Contains("succeeded after 3 attempts", warning, StringComparison.Ordinal);
        Assert.Contains("HTTP 503, HTTP 503", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", warning, StringComparison.Ordinal);
        // Polly's own per-attempt events are still there, at Debug, for whoever turns Debug on.
        Assert.Contains(_logs.Lines, l => l.StartsWith("Polly Debug", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACallFailingEveryAttempt_CarriesItsAttemptsInTheOneError_AndLogsNothingPerAttempt()
    {
        var client = _services.GetRequiredService<ManagementApiClient>();
        using var fault = _emulator.State.InjectFault(FaultRule.HtmlError(503) with { Kind = RequestKind.ListSubscriptions, TenantId = _tenant, Times = null });

        var error = await Assert.ThrowsAsync<ManagementApiException>(() => client.ListSubscriptionsAsync(_tenant, CancellationToken.None));

        Assert.Equal(ApiRetryPolicy.MaxRetries + 1, fault.Hits);
        Assert.Contains($"{ApiRetryPolicy.MaxRetries + 1} attempts", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_logs.Lines, l => l.Contains(" Warning: ", StringComparison.Ordinal) || l.Contains(" Error: ", StringComparison.Ordinal));
    }
}
