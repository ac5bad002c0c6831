using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using O365Activity.Emulator;
using O365Activity.Grains.Collection;
using O365Activity.Tests.Collection;

namespace O365Activity.Tests.Logging;

/// <summary>
/// A request that the API fails and the retry pipeline sends again is logged once per retry sequence, with its outcome
/// (attempts, waits, how the attempts failed), and without a stack trace: not once per attempt.
/// </summary>
public sealed class RetryLoggingTests : EmulatedCollector
{
    protected override string Secret => "retry-logging-secret";

    protected override LogLevel MinimumLevel => LogLevel.Trace;

    [Fact]
    public async Task ACallFailingTwiceThenSucceeding_LogsOneWarningWithItsOutcome_AndNoStackTrace()
    {
        var client = Services.GetRequiredService<ManagementApiClient>();
        using var fault = Emulator.State.InjectFault(FaultRule.HtmlError(503) with { Kind = RequestKind.ListSubscriptions, TenantId = Tenant, Times = 2 });

        await client.ListSubscriptionsAsync(Tenant, CancellationToken.None);

        Assert.Equal(2, fault.Hits);
        var warnings = Logs.Lines.Where(l => l.Contains(" Warning: ", StringComparison.Ordinal) || l.Contains(" Error: ", StringComparison.Ordinal)).ToList();
        var warning = Assert.Single(warnings);
        Assert.Contains(Tenant.ToString(), warning, StringComparison.Ordinal);
        Assert.Contains("succeeded after 3 attempts", warning, StringComparison.Ordinal);
        Assert.Contains("HTTP 503, HTTP 503", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", warning, StringComparison.Ordinal);
        // Polly's own per-attempt events are still there, at Debug, for whoever turns Debug on.
        Assert.Contains(Logs.Lines, l => l.StartsWith("Polly Debug", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACallFailingEveryAttempt_CarriesItsAttemptsInTheOneError_AndLogsNothingPerAttempt()
    {
        var client = Services.GetRequiredService<ManagementApiClient>();
        using var fault = Emulator.State.InjectFault(FaultRule.HtmlError(503) with { Kind = RequestKind.ListSubscriptions, TenantId = Tenant, Times = null });

        var error = await Assert.ThrowsAsync<ManagementApiException>(() => client.ListSubscriptionsAsync(Tenant, CancellationToken.None));

        Assert.Equal(ApiRetryPolicy.MaxRetries + 1, fault.Hits);
        Assert.Contains($"{ApiRetryPolicy.MaxRetries + 1} attempts", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Logs.Lines, l => l.Contains(" Warning: ", StringComparison.Ordinal) || l.Contains(" Error: ", StringComparison.Ordinal));
    }
}
