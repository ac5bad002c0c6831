using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using O365Activity.Grains.Collection;
using O365Activity.Harness;
using O365Activity.Tests.Collection;

namespace O365Activity.Tests.Security;

/// <summary>
/// The silo's outbound requests go only to the clouds' hosts (https) and the configured endpoint overrides: a request
/// elsewhere is refused by the handler, logged, and not sent. The emulator listens on 127.0.0.1; the same server under
/// the name <c>localhost</c> is "another host", so a request that slipped through would show in its request log.
/// </summary>
public sealed class OutboundAllowListTests : EmulatedCollector
{
    protected override string Secret => "outbound-test-secret-4471";

    private Uri OtherHost(string pathAndQuery) => new($"http://localhost:{Emulator.BaseUrl.Port}{pathAndQuery}");

    [Fact]
    public async Task TheApiClient_RefusesAHostOffTheList_LogsIt_AndSendsNothing()
    {
        var http = Services.GetRequiredService<IHttpClientFactory>().CreateClient(ManagementApiClient.HttpClientName);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(OtherHost($"/api/v1.0/{Tenant}/activity/feed/subscriptions/list")));

        Assert.Contains("Refused to send a request to http://localhost", error.Message, StringComparison.Ordinal);
        Assert.Empty(Emulator.State.Requests);
        var logged = Assert.Single(Logs.Lines, l => l.Contains("Outbound request refused", StringComparison.Ordinal));
        Assert.Contains(" Error: ", logged, StringComparison.Ordinal);
        Assert.Contains("management-api", logged, StringComparison.Ordinal);

        // The same client reaches the configured endpoint: the list is not simply closed.
        using var allowed = await http.GetAsync(new Uri(Emulator.BaseUrl, $"/api/v1.0/{Tenant}/activity/feed/subscriptions/list"));
        Assert.Equal(HttpStatusCode.Unauthorized, allowed.StatusCode);
    }

    [Fact]
    public async Task ATokenEndpointOnAnotherHost_IsRefused_AndTheSecretIsNotSent()
    {
        var http = Services.GetRequiredService<IHttpClientFactory>().CreateClient(MsalTokenProvider.HttpClientName);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = ClientId,
            ["client_secret"] = Secret,
            ["grant_type"] = "client_credentials",
            ["scope"] = "https://manage.office.com/.default",
        });

        await Assert.ThrowsAsync<HttpRequestException>(() => http.PostAsync(OtherHost($"/{Tenant}/oauth2/v2.0/token"), form));

        Assert.Empty(Emulator.State.Requests);
        Assert.Contains(Logs.Lines, l => l.Contains("Outbound request refused", StringComparison.Ordinal) && l.Contains("entra", StringComparison.Ordinal));

        // MSAL's own requests (to the cloud's login host, rewritten to the configured endpoint) go through.
        var token = await Services.GetRequiredService<ITokenProvider>().GetTokenAsync(Tenant, forceRefresh: false, CancellationToken.None);
        Assert.NotEmpty(token);
    }

    [Fact]
    public async Task WithoutOverrides_OnlyTheCloudHostsOverHttps_AreAllowed()
    {
        await using var services = CollectorServices.Create(
            new Dictionary<string, string?> { ["Collector:ClientId"] = ClientId, ["Collector:ClientSecret"] = Secret },
            s => s.AddLogging(logging => logging.AddProvider(Logs)));
        var list = services.GetRequiredService<OutboundAllowList>();

        Assert.Contains("https://login.microsoftonline.com:443", list.Login);
        Assert.Contains("https://login.microsoftonline.us:443", list.Login);
        Assert.Contains("https://manage.office.com:443", list.Api);
        Assert.Contains("https://manage.protection.apps.mil:443", list.Api);
        Assert.DoesNotContain(list.Login.Concat(list.Api), o => !o.StartsWith("https://", StringComparison.Ordinal));
        Assert.DoesNotContain("https://manage.office.com:443", list.Login);

        // Plain http to a cloud host is refused before any connection is tried.
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient(MsalTokenProvider.HttpClientName);
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri("http://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration")));
        Assert.StartsWith("Refused to send", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnHttpOverride_IsAWarningAtStart()
    {
        foreach (var hosted in Services.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        Assert.Contains(Logs.Lines, l => l.Contains(" Warning: Collector:LoginEndpoint is http://127.0.0.1", StringComparison.Ordinal));
        Assert.Contains(Logs.Lines, l => l.Contains(" Warning: Collector:ManagementApiEndpoint is http://127.0.0.1", StringComparison.Ordinal));
    }

    [Fact]
    public void NoOutboundCodeTurnsOffCertificateValidation()
    {
        string[] forbidden = ["ServerCertificateCustomValidationCallback", "DangerousAcceptAnyServerCertificateValidator", "RemoteCertificateValidationCallback", "CheckCertificateRevocationList = false"];
        var sources = new[] { "Grains", "Silo", "Hosting", "Storage", "Contracts" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, folder), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(sources);
        Assert.All(sources, file => Assert.DoesNotContain(forbidden, word => File.ReadAllText(file).Contains(word, StringComparison.Ordinal)));
    }
}
