using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using O365Activity.Contracts;
using O365Activity.Emulator;
using O365Activity.Grains.Collection;

namespace O365Activity.Tests.Collection;

/// <summary>
/// Application credentials (client secret, certificate file or store) per event source, and clouds per source
/// (PROTOCOL.md §1–2; cases AU1 and AU3), through the real token provider and API client against the emulator.
/// </summary>
public sealed class CredentialTests : IDisposable
{
    private const string ClientId = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    private const string OtherClientId = "7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b";
    private readonly string _folder = Directory.CreateTempSubdirectory("o365-credentials-").FullName;
    private readonly X509Certificate2 _registered = Certificate("CN=collector", 2048);

    public void Dispose()
    {
        _registered.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Theory]
    [InlineData("pem")]
    [InlineData("pem-key-apart")]
    [InlineData("pem-encrypted")]
    [InlineData("pfx")]
    public async Task Certificate_File_SignsTheClientAssertion_WhichEntraVerifies(string format)
    {
        await using var emulator = await Emulator();
        var settings = CertificateSettings(format, _registered);
        await using var services = CollectorServices.Create(Settings(emulator, settings), _ => { });

        var subscriptions = await services.GetRequiredService<ManagementApiClient>().ListSubscriptionsAsync(Guid.NewGuid(), CancellationToken.None);

        Assert.NotNull(subscriptions);
        var token = Assert.Single(emulator.State.Requests, r => r.Kind == RequestKind.Token);
        Assert.Equal(200, token.StatusCode);
    }

    [Fact]
    public async Task Certificate_NotTheRegisteredOne_IsRefusedByEntra_AndSaysSo()
    {
        await using var emulator = await Emulator();
        using var other = Certificate("CN=someone-else", 2048);
        await using var services = CollectorServices.Create(Settings(emulator, CertificateSettings("pfx", other)), _ => { });

        var error = await Assert.ThrowsAsync<TokenAcquisitionException>(() => services.GetRequiredService<ITokenProvider>().GetTokenAsync(Guid.NewGuid(), false, CancellationToken.None));

        Assert.Equal("invalid_client", error.Error);
        Assert.Contains("AADSTS700027", error.Message, StringComparison.Ordinal);
        Assert.True(ApiErrorText.NeedsAttention(error));
    }

    [Fact]
    public async Task Certificate_FromTheStore_ByThumbprint()
    {
        await using var emulator = await Emulator();
        using var exportable = X509CertificateLoader.LoadPkcs12(_registered.Export(X509ContentType.Pkcs12, "p"), "p", X509KeyStorageFlags.Exportable | X509KeyStorageFlags.PersistKeySet);
        using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
        store.Open(OpenFlags.ReadWrite);
        store.Add(exportable);
        try
        {
            await using var services = CollectorServices.Create(
                Settings(emulator, new() { ["Collector:CertificateThumbprint"] = _registered.Thumbprint }), _ => { });

            var token = await services.GetRequiredService<ITokenProvider>().GetTokenAsync(Guid.NewGuid(), false, CancellationToken.None);

            Assert.False(string.IsNullOrEmpty(token));
        }
        finally
        {
            store.Remove(exportable);
        }
    }

    [Fact]
    public async Task Certificate_WithASmallKey_IsACredentialProblem_NotACrash()
    {
        await using var emulator = await Emulator();
        using var small = Certificate("CN=small", 1024);
        await using var services = CollectorServices.Create(Settings(emulator, CertificateSettings("pfx", small)), _ => { });

        var error = await Assert.ThrowsAsync<TokenAcquisitionException>(() => services.GetRequiredService<ITokenProvider>().GetTokenAsync(Guid.NewGuid(), false, CancellationToken.None));

        Assert.Equal("credential_unusable", error.Error);
        Assert.Contains("2,048", error.Message, StringComparison.Ordinal);
        Assert.True(ApiErrorText.NeedsAttention(error));
    }

    [Theory]
    [InlineData("both", "exactly one of ClientSecret, CertificatePath and CertificateThumbprint")]
    [InlineData("none", "exactly one of ClientSecret, CertificatePath and CertificateThumbprint")]
    [InlineData("missing-file", "Collector:CertificatePath: no file at")]
    [InlineData("named-bad-id", "Collector:Credentials:gov:ClientId")]
    public async Task Options_UnusableCredentials_FailAtStart_NamingTheSetting_NeverTheSecret(string problem, string expected)
    {
        await using var emulator = await Emulator();
        var settings = problem switch
        {
            "both" => new Dictionary<string, string?> { ["Collector:ClientSecret"] = "the-secret-value", ["Collector:CertificatePath"] = Write("c.pfx", _registered.Export(X509ContentType.Pkcs12)) },
            "none" => new Dictionary<string, string?> { ["Collector:ClientSecret"] = "" },
            "missing-file" => new Dictionary<string, string?> { ["Collector:ClientSecret"] = "", ["Collector:CertificatePath"] = Path.Combine(_folder, "nothing.pem") },
            _ => new Dictionary<string, string?> { ["Collector:ClientSecret"] = "the-secret-value", ["Collector:Credentials:gov:ClientId"] = "not-a-guid", ["Collector:Credentials:gov:ClientSecret"] = "gov-secret-value" },
        };
        await using var services = CollectorServices.Create(Settings(emulator, settings), _ => { });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<CollectorOptions>>().Value);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credentials_PerTenant_EachTenantsTokenRequestsUseItsOwnApplication_AndOneFailingDoesNotStopTheOther()
    {
        // Case AU1: the emulator knows only ClientId; tenant B's source names a credential of another application,
        // which that tenant never consented to: AADSTS700016 for B alone.
        await using var emulator = await Emulator();
        await using var services = CollectorServices.Create(Settings(emulator, new()
        {
            ["Collector:ClientSecret"] = "secret",
            ["Collector:Credentials:other:ClientId"] = OtherClientId,
            ["Collector:Credentials:other:ClientSecret"] = "other-secret",
        }), _ => { });
        var connections = services.GetRequiredService<SourceConnections>();
        var client = services.GetRequiredService<ManagementApiClient>();
        Guid a = Guid.NewGuid(), b = Guid.NewGuid();
        connections.Set(b, null, "other");

        var error = await Assert.ThrowsAsync<TokenAcquisitionException>(() => client.ListSubscriptionsAsync(b, CancellationToken.None));
        await client.ListSubscriptionsAsync(a, CancellationToken.None);

        Assert.Equal("unauthorized_client", error.Error);
        Assert.Contains("AADSTS700016", error.Message, StringComparison.Ordinal);
        Assert.All(emulator.State.Requests.Where(r => r.Kind == RequestKind.Token && r.TenantId == b), r => Assert.Equal(OtherClientId, r.ClientId));
        Assert.All(emulator.State.Requests.Where(r => r.Kind == RequestKind.Token && r.TenantId == a), r => Assert.Equal(ClientId, r.ClientId));
        Assert.Contains(emulator.State.Requests, r => r.Kind == RequestKind.ListSubscriptions && r.TenantId == a && r.StatusCode == 200);
    }

    [Theory]
    [InlineData(CloudName.Enterprise, "login.microsoftonline.com", "manage.office.com")]
    [InlineData(CloudName.Gcc, "login.microsoftonline.com", "manage-gcc.office.com")]
    [InlineData(CloudName.GccHigh, "login.microsoftonline.us", "manage.office365.us")]
    [InlineData(CloudName.DoD, "login.microsoftonline.us", "manage.protection.apps.mil")]
    public async Task Cloud_PerTenant_DrivesTheTokenAuthorityTheScopeAndTheApiHost(CloudName cloud, string login, string api)
    {
        // Case AU3: no endpoint overrides; the real hosts are sent to the emulator, which checks the token's audience
        // against the host the request was for.
        await using var emulator = await Emulator();
        var sent = new List<(Uri Url, string? Body)>();
        var values = new Dictionary<string, string?> { ["Collector:ClientId"] = ClientId, ["Collector:ClientSecret"] = "secret" };
        await using var services = CollectorServices.Create(values, s =>
        {
            foreach (var name in new[] { MsalTokenProvider.HttpClientName, ManagementApiClient.HttpClientName })
            {
                s.AddHttpClient(name).ConfigurePrimaryHttpMessageHandler(() => new Recording(sent, new MicrosoftHostRedirectHandler(emulator.BaseUrl)));
            }
        });
        var tenant = Guid.NewGuid();
        // Another tenant stays in the default (Enterprise) cloud.
        var other = Guid.NewGuid();
        services.GetRequiredService<SourceConnections>().Set(tenant, cloud, null);
        var client = services.GetRequiredService<ManagementApiClient>();

        await client.ListSubscriptionsAsync(tenant, CancellationToken.None);
        await client.ListSubscriptionsAsync(other, CancellationToken.None);

        var tokenRequest = Assert.Single(sent, s => s.Url.AbsolutePath.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal) && s.Url.AbsolutePath.Contains(tenant.ToString(), StringComparison.Ordinal));
        Assert.Equal($"https://{login}/{tenant}/oauth2/v2.0/token", tokenRequest.Url.ToString());
        Assert.Contains("scope=" + Uri.EscapeDataString($"https://{api}/.default"), tokenRequest.Body, StringComparison.Ordinal);
        Assert.Contains(sent, s => s.Url.ToString() == $"https://{api}/api/v1.0/{tenant}/activity/feed/subscriptions/list");
        Assert.Contains(sent, s => s.Url.ToString() == $"https://manage.office.com/api/v1.0/{other}/activity/feed/subscriptions/list");
    }

    [Fact]
    public async Task Token_ForAnotherClouds_Audience_IsAConfigurationError_NotAStreamOf401s()
    {
        await using var emulator = await Emulator();
        await using var services = CollectorServices.Create(emulator, ClientId, "secret");
        var tenant = Guid.NewGuid();
        services.GetRequiredService<SourceConnections>().Set(tenant, CloudName.GccHigh, null);
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes($$"""{"aud":"https://manage.office.com","tid":"{{tenant}}","exp":4102444800}""")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        using var fault = emulator.State.InjectFault(new FaultRule
        {
            Kind = RequestKind.Token, TenantId = tenant, Times = null, StatusCode = 200, ContentType = "application/json; charset=utf-8",
            Body = $$"""{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJhbGciOiJub25lIn0.{{payload}}.c2ln"}""",
        });

        var error = await Assert.ThrowsAsync<TokenAcquisitionException>(() => services.GetRequiredService<ManagementApiClient>().ListSubscriptionsAsync(tenant, CancellationToken.None));

        Assert.Equal("invalid_audience", error.Error);
        Assert.Contains("manage.office365.us", error.Message, StringComparison.Ordinal);
        Assert.True(ApiErrorText.NeedsAttention(error));
        Assert.DoesNotContain(emulator.State.Requests, r => r.TenantId == tenant && r.Kind == RequestKind.ListSubscriptions);
    }

    private Task<EmulatorServer> Emulator() => EmulatorServer.StartAsync(new EmulatorOptions
    {
        ClientId = ClientId, ClientSecret = "secret", AutoConsentAllTenants = true, ClientCertificates = [_registered],
    });

    private static Dictionary<string, string?> Settings(EmulatorServer emulator, Dictionary<string, string?> extra)
    {
        var values = new Dictionary<string, string?>
        {
            ["Collector:ClientId"] = ClientId,
            ["Collector:LoginEndpoint"] = emulator.BaseUrl.ToString(),
            ["Collector:ManagementApiEndpoint"] = emulator.BaseUrl.ToString(),
        };
        foreach (var (key, value) in extra)
        {
            values[key] = value;
        }

        return values;
    }

    private Dictionary<string, string?> CertificateSettings(string format, X509Certificate2 certificate)
    {
        var key = certificate.GetRSAPrivateKey()!;
        var pemCertificate = certificate.ExportCertificatePem();
        return format switch
        {
            "pem" => new() { ["Collector:ClientSecret"] = "", ["Collector:CertificatePath"] = Write("both.pem", pemCertificate + "\n" + key.ExportPkcs8PrivateKeyPem()) },
            "pem-key-apart" => new()
            {
                ["Collector:ClientSecret"] = "", ["Collector:CertificatePath"] = Write("cert.pem", pemCertificate),
                ["Collector:CertificateKeyPath"] = Write("key.pem", key.ExportPkcs8PrivateKeyPem()),
            },
            "pem-encrypted" => new()
            {
                ["Collector:ClientSecret"] = "", ["Collector:CertificatePath"] = Write("cert-enc.pem", pemCertificate),
                ["Collector:CertificateKeyPath"] = Write("key-enc.pem", new string(PemEncoding.Write("ENCRYPTED PRIVATE KEY",
                    key.ExportEncryptedPkcs8PrivateKey("pem-password", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 10_000))))),
                ["Collector:CertificatePassword"] = "pem-password",
            },
            _ => new()
            {
                ["Collector:ClientSecret"] = "", ["Collector:CertificatePath"] = Write($"{certificate.Thumbprint}.pfx", certificate.Export(X509ContentType.Pkcs12, "pfx-password")),
                ["Collector:CertificatePassword"] = "pfx-password",
            },
        };
    }

    private string Write(string name, string text) => Write(name, Encoding.ASCII.GetBytes(text));

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static X509Certificate2 Certificate(string subject, int bits)
    {
        using var rsa = RSA.Create(bits);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
    }

    /// <summary>Records each request's URL (as addressed, before the emulator redirect) and form body.</summary>
    private sealed class Recording(List<(Uri Url, string? Body)> sent, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string? body = null;
            if (request.Content is { } content)
            {
                await content.LoadIntoBufferAsync(cancellationToken);
                body = await content.ReadAsStringAsync(cancellationToken);
            }

            lock (sent)
            {
                sent.Add((request.RequestUri!, body));
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
