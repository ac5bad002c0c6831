using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using O365Activity.Gateway;
using O365Activity.Gateway.Security;
using O365Activity.Protos.V1;
using O365Activity.Tests.Cli;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.Security;

/// <summary>
/// The whole service with authentication on, as production runs it: the gateway on https:// with its own
/// certificate, clients by certificate (the test CA) or by bearer token (the issuer's keys from its OpenID Connect
/// metadata, served over HTTP as an identity provider serves them), each with its roles and tenants.
/// </summary>
public sealed class SecuredServiceFixture : ServiceFixture
{
    /// <summary>The tenant the scoped clients may see.</summary>
    public static readonly Guid TenantA = Guid.Parse("a0000000-0000-4000-8000-00000000000a");

    /// <summary>A tenant the scoped clients may not see.</summary>
    public static readonly Guid TenantB = Guid.Parse("b0000000-0000-4000-8000-00000000000b");

    /// <summary>A tenant nobody created.</summary>
    public static readonly Guid TenantMissing = Guid.Parse("c0000000-0000-4000-8000-00000000000c");

    private readonly string _folder = Directory.CreateTempSubdirectory("o365-auth-").FullName;
    private WebApplication? _issuer;
    private Uri _metadata = null!;

    public SecuredServiceFixture()
    {
        Credentials = new TestCredentials(_folder);
        Operator = Credentials.Client("operator");
        Reader = Credentials.Client("reader");
        ScopedAdmin = Credentials.Client("scoped-admin");
        Unmapped = Credentials.Client("nobody");
    }

    public TestCredentials Credentials { get; }

    /// <summary>admin and reader, every tenant (by subject).</summary>
    public X509Certificate2 Operator { get; }

    /// <summary>reader, tenant A only (by subject).</summary>
    public X509Certificate2 Reader { get; }

    /// <summary>admin only, tenant A only (by thumbprint).</summary>
    public X509Certificate2 ScopedAdmin { get; }

    /// <summary>From the trusted CA, but named by no entry.</summary>
    public X509Certificate2 Unmapped { get; }

    protected override string Scheme => "https";

    /// <summary>Starts the token issuer's metadata endpoint (its discovery document and keys), then the service.</summary>
    public override async Task InitializeAsync()
    {
        var issuer = WebApplication.CreateSlimBuilder();
        var port = O365Activity.Harness.Ports.Free();
        issuer.WebHost.UseUrls($"http://127.0.0.1:{port}");
        _issuer = issuer.Build();
        _issuer.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, string>
        {
            ["issuer"] = TestCredentials.Issuer,
            ["jwks_uri"] = $"http://127.0.0.1:{port}/keys",
        }));
        _issuer.MapGet("/keys", () => Results.Text(File.ReadAllText(Credentials.SigningKeysPath), "application/json"));
        await _issuer.StartAsync();
        _metadata = new Uri($"http://127.0.0.1:{port}/.well-known/openid-configuration");
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_issuer is not null)
        {
            await _issuer.DisposeAsync();
        }
    }

    protected override IEnumerable<string> GatewayArguments() =>
    [
        $"--Gateway:Tls:CertificatePath={Credentials.ServerCertificatePath}",
        $"--Gateway:Tls:KeyPath={Credentials.ServerKeyPath}",
        $"--Gateway:Authentication:ClientCertificates:CaCertificatePath={Credentials.CaPath}",
        "--Gateway:Authentication:ClientCertificates:Clients:0:Subject=CN=operator",
        "--Gateway:Authentication:ClientCertificates:Clients:0:Roles:0=admin",
        "--Gateway:Authentication:ClientCertificates:Clients:0:Roles:1=reader",
        "--Gateway:Authentication:ClientCertificates:Clients:1:Subject=CN=reader",
        "--Gateway:Authentication:ClientCertificates:Clients:1:Roles:0=reader",
        $"--Gateway:Authentication:ClientCertificates:Clients:1:Tenants:0={TenantA}",
        $"--Gateway:Authentication:ClientCertificates:Clients:2:Thumbprint={ScopedAdmin.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant()}",
        "--Gateway:Authentication:ClientCertificates:Clients:2:Roles:0=admin",
        $"--Gateway:Authentication:ClientCertificates:Clients:2:Tenants:0={TenantA}",
        $"--Gateway:Authentication:Jwt:Audience={TestCredentials.Audience}",
        $"--Gateway:Authentication:Jwt:MetadataAddress={_metadata}",
        "--Gateway:Authentication:Jwt:RequireHttpsMetadata=false",
    ];

    protected override GrpcChannel CreateChannel(Uri address) => Credentials.Channel(address, Operator);

    public GrpcChannel ChannelFor(X509Certificate2? client = null, string? token = null) => Credentials.Channel(GrpcAddress, client, token);

    public HttpClient StatusClient(X509Certificate2? client = null) => new(Credentials.Handler(client)) { BaseAddress = StatusAddress };
}

[Collection(SecuredCollection.Name)]
public sealed class AuthenticationTests(SecuredServiceFixture fixture)
{
    private static readonly string[] Both = [GatewayRoles.Admin, GatewayRoles.Reader];

    [Fact]
    public async Task Anonymous_EveryServiceRefusesWithUnauthenticated()
    {
        using var channel = fixture.ChannelFor();

        var list = await Assert.ThrowsAsync<RpcException>(async () => await new EventSources.EventSourcesClient(channel).ListEventSourcesAsync(new ListEventSourcesRequest()));
        var stream = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = new Activity.ActivityClient(channel).StreamIngress(new StreamRequest { TenantId = SecuredServiceFixture.TenantA.ToString() });
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });
        var history = await Assert.ThrowsAsync<RpcException>(async () => await new History.HistoryClient(channel).ListIngressAsync(new ListIngressRequest { TenantId = SecuredServiceFixture.TenantA.ToString() }));

        Assert.All([list, stream, history], e => Assert.Equal(StatusCode.Unauthenticated, e.StatusCode));
    }

    [Fact]
    public async Task CertificateFromAnotherCa_OrExpired_IsNotAuthenticated()
    {
        foreach (var certificate in new[] { fixture.Credentials.ForeignClient("operator"), fixture.Credentials.ExpiredClient("operator") })
        {
            using var channel = fixture.ChannelFor(certificate);
            var error = await Assert.ThrowsAsync<RpcException>(async () => await new EventSources.EventSourcesClient(channel).ListEventSourcesAsync(new ListEventSourcesRequest()));
            Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        }
    }

    [Fact]
    public async Task Reader_MayNotManageSources_AdminMay()
    {
        await EnsureSourcesAsync();
        using var channel = fixture.ChannelFor(fixture.Reader);
        var sources = new EventSources.EventSourcesClient(channel);

        var create = await Assert.ThrowsAsync<RpcException>(async () => await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = SecuredServiceFixture.TenantA.ToString() }));
        var delete = await Assert.ThrowsAsync<RpcException>(async () => await sources.DeleteEventSourceAsync(new DeleteEventSourceRequest { TenantId = SecuredServiceFixture.TenantA.ToString() }));
        var renew = await Assert.ThrowsAsync<RpcException>(async () => await sources.RenewConsentUrlAsync(new RenewConsentUrlRequest { TenantId = SecuredServiceFixture.TenantA.ToString() }));
        var update = await Assert.ThrowsAsync<RpcException>(async () => await sources.UpdateEventSourceAsync(new UpdateEventSourceRequest { TenantId = SecuredServiceFixture.TenantA.ToString(), DisplayName = "x" }));

        Assert.All([create, delete, renew, update], e =>
        {
            Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
            Assert.Contains("'admin'", e.Status.Detail);
        });
        // The source is still there, unchanged, and the reader may read it.
        var source = await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = SecuredServiceFixture.TenantA.ToString() });
        Assert.Equal("Tenant A", source.DisplayName);
    }

    [Fact]
    public async Task AdminWithoutReaderRole_MayNotStreamOrQuery()
    {
        using var channel = fixture.ChannelFor(fixture.ScopedAdmin);

        var history = await Assert.ThrowsAsync<RpcException>(async () => await new History.HistoryClient(channel).ListIngressAsync(new ListIngressRequest { TenantId = SecuredServiceFixture.TenantA.ToString() }));
        var stream = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = new Activity.ActivityClient(channel).StreamAdmin(new StreamRequest { TenantId = SecuredServiceFixture.TenantA.ToString() });
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });

        Assert.All([history, stream], e => Assert.Equal(StatusCode.PermissionDenied, e.StatusCode));
    }

    [Fact]
    public async Task ScopedReader_OutsideItsTenants_GetsOneAnswerWhetherTheTenantExistsOrNot()
    {
        await EnsureSourcesAsync();
        using var channel = fixture.ChannelFor(fixture.Reader);
        var sources = new EventSources.EventSourcesClient(channel);
        var history = new History.HistoryClient(channel);

        var existing = await Assert.ThrowsAsync<RpcException>(async () => await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = SecuredServiceFixture.TenantB.ToString() }));
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = SecuredServiceFixture.TenantMissing.ToString() }));
        var existingHistory = await Assert.ThrowsAsync<RpcException>(async () => await history.ListAdminAsync(new ListAdminRequest { TenantId = SecuredServiceFixture.TenantB.ToString() }));
        var missingHistory = await Assert.ThrowsAsync<RpcException>(async () => await history.ListAdminAsync(new ListAdminRequest { TenantId = SecuredServiceFixture.TenantMissing.ToString() }));
        var stream = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = new Activity.ActivityClient(channel).StreamRaw(new StreamRequest { TenantId = SecuredServiceFixture.TenantB.ToString() });
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });

        Assert.All([existing, missing, existingHistory, missingHistory, stream], e =>
        {
            Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
            Assert.Equal(ClientAccess.OutOfScopeMessage, e.Status.Detail);
        });
        // Inside its scope, the same calls answer.
        Assert.Equal("Tenant A", (await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = SecuredServiceFixture.TenantA.ToString() })).DisplayName);
        await history.ListAdminAsync(new ListAdminRequest { TenantId = SecuredServiceFixture.TenantA.ToString() });
    }

    [Fact]
    public async Task ScopedReader_ListAndWatch_ShowOnlyItsTenants()
    {
        await EnsureSourcesAsync();
        using var scoped = fixture.ChannelFor(fixture.Reader);
        var sources = new EventSources.EventSourcesClient(scoped);

        var listed = (await sources.ListEventSourcesAsync(new ListEventSourcesRequest())).EventSources.Select(s => s.TenantId).ToList();
        var all = (await new EventSources.EventSourcesClient(fixture.Channel).ListEventSourcesAsync(new ListEventSourcesRequest())).EventSources.Select(s => s.TenantId).ToList();
        var watched = new List<string>();
        using (var watch = sources.WatchEventSources(new WatchEventSourcesRequest(), cancellationToken: new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token))
        {
            while (await watch.ResponseStream.MoveNext(CancellationToken.None) && watch.ResponseStream.Current.Kind != EventSourceChange.Types.Kind.InSync)
            {
                watched.Add(watch.ResponseStream.Current.TenantId);
            }
        }

        Assert.Equal([SecuredServiceFixture.TenantA.ToString()], listed);
        Assert.Equal([SecuredServiceFixture.TenantA.ToString()], watched);
        Assert.Contains(SecuredServiceFixture.TenantB.ToString(), all);
    }

    [Fact]
    public async Task ScopedAdmin_ByThumbprint_ManagesOnlyItsTenants()
    {
        await EnsureSourcesAsync();
        using var channel = fixture.ChannelFor(fixture.ScopedAdmin);
        var sources = new EventSources.EventSourcesClient(channel);

        var renamed = await sources.UpdateEventSourceAsync(new UpdateEventSourceRequest { TenantId = SecuredServiceFixture.TenantA.ToString(), DisplayName = "Tenant A" });
        var other = await Assert.ThrowsAsync<RpcException>(async () => await sources.DeleteEventSourceAsync(new DeleteEventSourceRequest { TenantId = SecuredServiceFixture.TenantB.ToString() }));
        var create = await Assert.ThrowsAsync<RpcException>(async () => await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = Guid.NewGuid().ToString() }));

        Assert.Equal("Tenant A", renamed.DisplayName);
        Assert.Equal(StatusCode.PermissionDenied, other.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, create.StatusCode);
        await new EventSources.EventSourcesClient(fixture.Channel).GetEventSourceAsync(new GetEventSourceRequest { TenantId = SecuredServiceFixture.TenantB.ToString() });
    }

    [Fact]
    public async Task UnmappedCertificate_IsAuthenticatedButMayDoNothing()
    {
        using var channel = fixture.ChannelFor(fixture.Unmapped);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await new EventSources.EventSourcesClient(channel).ListEventSourcesAsync(new ListEventSourcesRequest()));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task BearerToken_ValidOnesAuthenticate_WithTheirRolesAndTenants()
    {
        await EnsureSourcesAsync();
        var scopedToken = fixture.Credentials.Token("siem-1", [GatewayRoles.Reader], [SecuredServiceFixture.TenantA.ToString()]);
        var adminToken = fixture.Credentials.Token("provisioner", Both);
        using var scoped = fixture.ChannelFor(token: scopedToken);
        using var admin = fixture.ChannelFor(token: adminToken);

        var listed = (await new EventSources.EventSourcesClient(scoped).ListEventSourcesAsync(new ListEventSourcesRequest())).EventSources.Select(s => s.TenantId);
        var denied = await Assert.ThrowsAsync<RpcException>(async () => await new History.HistoryClient(scoped).ListIngressAsync(new ListIngressRequest { TenantId = SecuredServiceFixture.TenantB.ToString() }));
        var tenant = Guid.NewGuid().ToString();
        var created = await new EventSources.EventSourcesClient(admin).CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant });

        Assert.Equal([SecuredServiceFixture.TenantA.ToString()], listed);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Equal(tenant, created.TenantId);
        await new EventSources.EventSourcesClient(admin).DeleteEventSourceAsync(new DeleteEventSourceRequest { TenantId = tenant });
    }

    [Fact]
    public async Task BearerToken_WrongAudienceIssuerKeyOrExpired_IsNotAuthenticated_AndOneWithoutRolesMayDoNothing()
    {
        var credentials = fixture.Credentials;
        var refused = new[]
        {
            credentials.Token("x", Both, audience: "api://another-service"),
            credentials.Token("x", Both, issuer: "https://somebody-else.invalid/"),
            credentials.Token("x", Both, foreignKey: true),
            credentials.Token("x", Both, expiresIn: TimeSpan.FromMinutes(-30)),
            "not-a-jwt",
        };
        foreach (var token in refused)
        {
            using var channel = fixture.ChannelFor(token: token);
            var error = await Assert.ThrowsAsync<RpcException>(async () => await new EventSources.EventSourcesClient(channel).ListEventSourcesAsync(new ListEventSourcesRequest()));
            Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        }

        using var noRoles = fixture.ChannelFor(token: credentials.Token("x", []));
        var denied = await Assert.ThrowsAsync<RpcException>(async () => await new EventSources.EventSourcesClient(noRoles).ListEventSourcesAsync(new ListEventSourcesRequest()));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
    }

    [Fact]
    public async Task StatusPage_NeedsAuthentication_AndItsApiIsScoped()
    {
        await EnsureSourcesAsync();
        using var anonymous = fixture.StatusClient();
        using var reader = fixture.StatusClient(fixture.Reader);
        using var scopedAdmin = fixture.StatusClient(fixture.ScopedAdmin);
        using var unmapped = fixture.StatusClient(fixture.Unmapped);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/static/sources.js")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/sources")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/")).StatusCode);
        var listed = await reader.GetStringAsync("/api/sources");
        Assert.Contains(SecuredServiceFixture.TenantA.ToString(), listed);
        Assert.DoesNotContain(SecuredServiceFixture.TenantB.ToString(), listed);
        var existing = await reader.GetAsync($"/api/tenants/{SecuredServiceFixture.TenantB}");
        var missing = await reader.GetAsync($"/api/tenants/{SecuredServiceFixture.TenantMissing}/ingress");
        Assert.Equal(HttpStatusCode.Forbidden, existing.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, missing.StatusCode);
        Assert.Equal(await existing.Content.ReadAsStringAsync(), await missing.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/api/tenants/{SecuredServiceFixture.TenantA}")).StatusCode);
        // A client with neither role sees the pages' shell, but no data.
        Assert.Equal(HttpStatusCode.Forbidden, (await unmapped.GetAsync("/api/sources")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await scopedAdmin.GetAsync("/api/sources")).StatusCode);
    }

    [Fact]
    public async Task ConsentCallback_StaysAnonymous()
    {
        using var browser = new HttpClient();

        var answer = await browser.GetAsync(new Uri(fixture.ConsentAddress, $"/consent/callback?state={SecuredServiceFixture.TenantA}.forged-state&admin_consent=True&tenant={SecuredServiceFixture.TenantA}"));

        // The callback's own answer to a forged state (not the authentication's 401).
        Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
        Assert.False(answer.Headers.WwwAuthenticate.Any());
    }

    [Fact]
    public async Task Cli_WithATokenFile_IsScopedByItsClaims_AndWithoutCredentialsIsToldWhatToGive()
    {
        await EnsureSourcesAsync();
        var tokenFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(tokenFile, fixture.Credentials.Token("siem-2", [GatewayRoles.Reader], [SecuredServiceFixture.TenantA.ToString()]) + "\n");
            string[] gateway = ["--gateway", fixture.GrpcAddress.ToString(), "--ca", fixture.Credentials.CaPath];

            var listed = await CliRunner.RunAsync([.. gateway, "--token-file", tokenFile, "--json", "list"]);
            var anonymous = await CliRunner.RunAsync([.. gateway, "list"]);
            var untrusted = await CliRunner.RunAsync("--gateway", fixture.GrpcAddress.ToString(), "--token-file", tokenFile, "list");

            Assert.True(listed.Code == 0, listed.Error);
            Assert.Contains(SecuredServiceFixture.TenantA.ToString(), listed.Output);
            Assert.DoesNotContain(SecuredServiceFixture.TenantB.ToString(), listed.Output);
            Assert.Equal(1, anonymous.Code);
            Assert.StartsWith("UNAUTHENTICATED", anonymous.Error);
            Assert.Contains("--cert", anonymous.Error);
            // Without --ca the test CA is not trusted: the connection fails, the token is not sent.
            Assert.Equal(1, untrusted.Code);
            Assert.StartsWith("UNAVAILABLE", untrusted.Error);
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }

    [Fact]
    public async Task Health_AnswersAnonymously_ItsDetailedReportOnlyToClientsOfEveryTenant()
    {
        using var anonymous = fixture.ChannelFor();
        using var anonymousStatus = fixture.StatusClient();
        using var scoped = fixture.StatusClient(fixture.Reader);
        using var operatorStatus = fixture.StatusClient(fixture.Operator);

        var live = await new Grpc.Health.V1.Health.HealthClient(anonymous).CheckAsync(new Grpc.Health.V1.HealthCheckRequest { Service = "liveness" });

        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, live.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymousStatus.GetAsync("/api/health")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await scoped.GetAsync("/api/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await operatorStatus.GetAsync("/api/health")).StatusCode);
    }

    private async Task EnsureSourcesAsync()
    {
        var sources = new EventSources.EventSourcesClient(fixture.Channel);
        foreach (var (tenant, name) in new[] { (SecuredServiceFixture.TenantA, "Tenant A"), (SecuredServiceFixture.TenantB, "Tenant B") })
        {
            try
            {
                await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant.ToString(), DisplayName = name });
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
            {
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SecuredCollection : ICollectionFixture<SecuredServiceFixture>
{
    public const string Name = "secured service";
}

/// <summary>The gateway refuses to start with security settings that would leave it open or broken.</summary>
public sealed class SecuritySettingsTests
{
    [Fact]
    public void AuthenticationOff_OutsideDevelopment_RefusesToStart()
    {
        var error = Assert.Throws<InvalidOperationException>(() => GatewayApp.CreateBuilder(["--environment=Production", "--Gateway:Authentication:Mode=None", "--Collector:ClientId=" + Guid.NewGuid()]));

        Assert.Contains("only in Development", error.Message);
    }

    [Fact]
    public void AuthenticationRequired_WithNoWayIn_RefusesToStart()
    {
        var error = Assert.Throws<InvalidOperationException>(() => GatewayApp.CreateBuilder(["--environment=Production", "--Collector:ClientId=" + Guid.NewGuid()]));

        Assert.Contains("no way in is configured", error.Message);
    }

    [Fact]
    public void ClientCertificates_WithoutTls_OrWithAnUnknownRole_RefuseToStart()
    {
        var folder = Directory.CreateTempSubdirectory("o365-auth-settings-").FullName;
        try
        {
            var credentials = new TestCredentials(folder);
            var withoutTls = Assert.Throws<InvalidOperationException>(() => GatewayApp.CreateBuilder(
                [$"--Gateway:Authentication:ClientCertificates:CaCertificatePath={credentials.CaPath}"]));
            var unknownRole = Assert.Throws<InvalidOperationException>(() => GatewayApp.CreateBuilder(
            [
                $"--Gateway:Authentication:ClientCertificates:CaCertificatePath={credentials.CaPath}",
                $"--Gateway:Tls:CertificatePath={credentials.ServerCertificatePath}", $"--Gateway:Tls:KeyPath={credentials.ServerKeyPath}",
                "--Gateway:Authentication:ClientCertificates:Clients:0:Subject=CN=x", "--Gateway:Authentication:ClientCertificates:Clients:0:Roles:0=superuser",
            ]));

            Assert.Contains("Gateway:Tls", withoutTls.Message);
            Assert.Contains("'superuser'", unknownRole.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void EveryMethodOfOurServices_HasItsRoles()
    {
        var methods = new[] { EventSources.Descriptor, Activity.Descriptor, History.Descriptor }
            .SelectMany(s => s.Methods.Select(m => $"/{s.FullName}/{m.Name}"));

        Assert.All(methods, m => Assert.NotEmpty(AccessInterceptor.RolesFor(m)!));
        Assert.Empty(AccessInterceptor.RolesFor("/o365activity.v1.EventSources/NotAMethod")!);
        Assert.Null(AccessInterceptor.RolesFor("/grpc.health.v1.Health/Check"));
    }
}
