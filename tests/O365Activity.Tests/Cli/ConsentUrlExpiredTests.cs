using Google.Protobuf.WellKnownTypes;
using O365Activity.Protos.V1;
using O365Activity.Tests.Cli.Fakes;

namespace O365Activity.Tests.Cli;

/// <summary><c>consent-url</c> for a source whose consent URL expired: a fresh one is issued (a fake gateway: the real URLs last an hour).</summary>
public sealed class ConsentUrlExpiredTests
{
    [Fact]
    public async Task ConsentUrl_Expired_IssuesAndPrintsAFreshOne()
    {
        var tenant = Guid.NewGuid().ToString();
        var source = new EventSource
        {
            TenantId = tenant,
            State = ConnectionState.PendingConsent,
            AdminConsentUrl = "https://login.example.com/adminconsent?state=old",
            AdminConsentUrlExpiresAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero)),
        };
        await using var gateway = await FakeGateway.StartAsync(source, new IngressEvent());

        var (code, output, error) = await CliRunner.RunAsync("--gateway", gateway.Address.ToString(), "consent-url", tenant);

        Assert.Equal((0, ""), (code, error));
        Assert.Equal(
            [$"Admin consent URL (fresh; the previous one expired at 2020-01-01 00:00:00Z): {FakeEventSources.RenewedUrl}", "Valid until 2099-01-01 00:00:00Z, for one use."],
            CliRunner.Lines(output));
        Assert.Equal(1, gateway.Sources.Renewals);
    }
}
