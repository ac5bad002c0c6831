using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using O365Activity.Emulator;
using O365Activity.Grains.Collection;
using O365Activity.Harness;
using O365Activity.Tests.Collection;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.Security;

/// <summary>
/// The silo's outbound requests go only to the clouds' hosts (https) and the configured endpoint overrides: a request
/// elsewhere is refused by the handler, logged, and not sent. The emulator listens on 127.0.0.1; the same server under
/// the name <c>localhost</c> is "another host", so a request that slipped through would show in its request log.
/// </summary>
public sealed class OutboundAllowListTests : IAsyncLifetime
{
    private const string ClientId = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    private const string Secret = "outbound-test-secret-4471";
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
            services => services.AddLogging(logging => logging.AddProvider(_logs)));
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _emulator.DisposeAsync();
    }

    private Uri OtherHost(string pathAndQuery) => new($"http://localhost:{_emulator.BaseUrl.Port}{pathAndQuery}");

    [Fact]
    public async Task TheApiClient_RefusesAHostOffTheList_LogsIt_AndSendsNothing()
    {
        var http = _services.GetRequiredService<IHttpClientFactory>().CreateClient(ManagementApiClient.HttpClientName);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(OtherHost($"/api/v1.0/{_tenant}/activity/feed/subscriptions/list")));

        Assert.Contains("Refused to send a request to http://localhost", error.Message, StringComparison.Ordinal);
        Assert.Empty(_emulator.State.Requests);
        var logged = Assert.Single(_logs.Lines, l => l.Contains("Outbound request refused", StringComparison.Ordinal));
        Assert.Contains(" Error: ", logged, StringComparison.Ordinal);
        Assert.Contains("management-api", logged, StringComparison.Ordinal);

        // The same client reaches the configured endpoint: the list is not simply closed.
        using var allowed = await http.GetAsync(new Uri(_emulator.BaseUrl, $"/api/v1.0/{_tenant}/activity/feed/subscriptions/list"));
        Assert.Equal(HttpStatusCode.Unauthorized, allowed.StatusCode);
    }

    [Fact]
    public async Task ATokenEndpointOnAnotherHost_IsRefused_AndTheSecretIsNotSent()
    {
        var http = _services.GetRequiredService<IHttpClientFactory>().CreateClient(MsalTokenProvider.HttpClientName);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = ClientId,
            ["client_secret"] = Secret,
            ["grant_type"] = "client_credentials",
            ["scope"] = "https://manage.office.com/.default",
        });

        await Assert.ThrowsAsync<HttpRequestException>(() => http.PostAsync(OtherHost($"/{_tenant}/oauth2/v2.0/token"), form));

        Assert.Empty(_emulator.State.Requests);
        Assert.Contains(_logs.Lines, l => l.Contains("Outbound request refused", StringComparison.Ordinal) && l.Contains("entra", StringComparison.Ordinal));

        // MSAL's own requests (to the cloud's login host, rewritten to the configured endpoint) go through.
        var token = await _services.GetRequiredService<ITokenProvider>().GetTokenAsync(_tenant, forceRefresh: false, CancellationToken.None);
        Assert.NotEmpty(token);
    }

    [Fact]
    public async Task WithoutOverrides_OnlyTheCloudHostsOverHttps_AreAllowed()
    {
        await using var services = CollectorServices.Create(
            new Dictionary<string, string?> { ["Collector:ClientId"] = ClientId, ["Collector:ClientSecret"] = Secret },
            s => s.AddLogging(logging => logging.AddProvider(_logs)));
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
        foreach (var hosted in _services.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        Assert.Contains(_logs.Lines, l => l.Contains(" Warning: Collector:LoginEndpoint is http://127.0.0.1", StringComparison.Ordinal));
        Assert.Contains(_logs.Lines, l => l.Contains(" Warning: Collector:ManagementApiEndpoint is http://127.0.0.1", StringComparison.Ordinal));
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
