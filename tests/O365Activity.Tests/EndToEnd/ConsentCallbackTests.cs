using System.Net;
using O365Activity.Protos.V1;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.EndToEnd;

/// <summary>The admin-consent redirect endpoint with callbacks Entra did not send, or sent with an error (PROTOCOL.md §2).</summary>
[Collection(ServiceCollection.Name)]
public sealed class ConsentCallbackTests(ServiceFixture service)
{
    [Fact]
    public async Task Callback_ForgedState_IsRefusedAndTheSourceStaysPending()
    {
        var tenant = Guid.NewGuid().ToString();
        var sources = new EventSources.EventSourcesClient(service.Channel);
        await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant });
        using var browser = new HttpClient();

        using var page = await browser.GetAsync(Callback($"admin_consent=True&tenant={tenant}&state={tenant}.forged<script>"));

        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        Assert.DoesNotContain("<script>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        AssertHardened(page);
        Assert.Equal(ConnectionState.PendingConsent, (await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant })).State);
    }

    [Theory]
    [InlineData("")]
    [InlineData("state=")]
    [InlineData("state=not-a-tenant.abc")]
    [InlineData("admin_consent=True&tenant=9d0c4a1e-5b7f-4c2a-8e3d-1f2a3b4c5d6e")]
    public async Task Callback_WithoutAUsableState_IsBadRequest(string query)
    {
        using var browser = new HttpClient();

        using var page = await browser.GetAsync(Callback(query));

        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        AssertHardened(page);
    }

    /// <summary>Every answer of the consent endpoint loads nothing, cannot be framed or sniffed, and sends no referrer (its address holds the state).</summary>
    private static void AssertHardened(HttpResponseMessage page)
    {
        Assert.Equal("default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'", string.Join(',', page.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", string.Join(',', page.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", string.Join(',', page.Headers.GetValues("Referrer-Policy")));
    }

    [Fact]
    public async Task Callback_UnknownTenant_AnswersLikeAWrongState()
    {
        var known = Guid.NewGuid().ToString();
        var sources = new EventSources.EventSourcesClient(service.Channel);
        await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = known });
        using var browser = new HttpClient();

        using var unknown = await browser.GetAsync(Callback($"admin_consent=True&state={Guid.NewGuid()}.abc"));
        using var wrong = await browser.GetAsync(Callback($"admin_consent=True&state={known}.abc"));

        Assert.Equal(HttpStatusCode.Forbidden, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal(await wrong.Content.ReadAsStringAsync(), await unknown.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Callback_ConnectedSourceWithAnotherState_IsRefusedAndShowsNothing()
    {
        var tenant = Guid.NewGuid();
        service.Emulator.State.GrantConsent(tenant);
        var sources = new EventSources.EventSourcesClient(service.Channel);
        await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant.ToString(), DisplayName = "Secret Customer" });
        var created = await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant.ToString() });
        using var browser = new HttpClient();
        using (var consent = await browser.GetAsync(created.AdminConsentUrl))
        {
            var text = await consent.Content.ReadAsStringAsync();
            Assert.Contains("Connected", text, StringComparison.Ordinal);
            Assert.Contains("close this tab", text, StringComparison.Ordinal);
        }

        using var forged = await browser.GetAsync(Callback($"admin_consent=True&state={tenant}.forged"));
        using var again = await browser.GetAsync(created.AdminConsentUrl);

        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.DoesNotContain("Secret Customer", await forged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // The same link again (a reloaded page): single use, so refused, and it says why; the source stays connected.
        Assert.Equal(HttpStatusCode.Gone, again.StatusCode);
        Assert.Contains("used already", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var source = await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant.ToString() });
        Assert.NotNull(source.ConnectedAt);
        Assert.Equal("", source.AdminConsentUrl);
    }

    [Fact]
    public async Task Callback_NotAnAdministrator_StaysPendingWithAFreshUrl_WhichThenWorks()
    {
        // A user without administrator rights signs in: Entra answers AADSTS90094 (admin approval required).
        var tenant = Guid.NewGuid();
        service.Emulator.State.SetConsentFailure(tenant, O365Activity.Emulator.ConsentFailure.AdminApprovalRequired);
        var sources = new EventSources.EventSourcesClient(service.Channel);
        var created = await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant.ToString() });
        using var browser = new HttpClient();

        using var refused = await browser.GetAsync(created.AdminConsentUrl);

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var page = await refused.Content.ReadAsStringAsync();
        Assert.Contains("Not connected", page, StringComparison.Ordinal);
        Assert.Contains("Global Administrator", page, StringComparison.Ordinal);
        Assert.Contains("AADSTS90094", page, StringComparison.Ordinal);
        var pending = await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant.ToString() });
        Assert.Equal(ConnectionState.PendingConsent, pending.State);
        Assert.Contains("AADSTS90094", pending.StatusReason, StringComparison.Ordinal);
        Assert.Contains("Global Administrator", pending.StatusReason, StringComparison.Ordinal);
        Assert.NotEqual("", pending.AdminConsentUrl);
        Assert.NotEqual(created.AdminConsentUrl, pending.AdminConsentUrl);

        // An administrator now uses the fresh URL.
        service.Emulator.State.SetConsentFailure(tenant, null);
        using var granted = await browser.GetAsync(pending.AdminConsentUrl);

        Assert.Contains("Connected", await granted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var connected = await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant.ToString() });
        Assert.NotNull(connected.ConnectedAt);
        Assert.Equal("", connected.AdminConsentUrl);
    }

    [Fact]
    public async Task RenewConsentUrl_IssuesAFreshUrl_AndTheOldOneNoLongerWorks()
    {
        var tenant = Guid.NewGuid();
        var sources = new EventSources.EventSourcesClient(service.Channel);
        var created = await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant.ToString() });
        var oldState = Uri.UnescapeDataString(created.AdminConsentUrl.Split("state=")[1]);

        var renewed = await sources.RenewConsentUrlAsync(new RenewConsentUrlRequest { TenantId = tenant.ToString() });

        Assert.NotEqual(created.AdminConsentUrl, renewed.AdminConsentUrl);
        Assert.True(renewed.AdminConsentUrlExpiresAt.ToDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(50), "valid for the default hour");
        Assert.Equal(renewed.AdminConsentUrl, (await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant.ToString() })).AdminConsentUrl);
        using var browser = new HttpClient();
        using var old = await browser.GetAsync(Callback($"admin_consent=True&tenant={tenant}&state={Uri.EscapeDataString(oldState)}"));
        Assert.Equal(HttpStatusCode.Forbidden, old.StatusCode);

        service.Emulator.State.GrantConsent(tenant);
        using var fresh = await browser.GetAsync(renewed.AdminConsentUrl);
        Assert.Contains("Connected", await fresh.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var missing = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => sources.RenewConsentUrlAsync(new RenewConsentUrlRequest { TenantId = Guid.NewGuid().ToString() }).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Callback_AccessDenied_ShowsTheErrorOnTheSource()
    {
        var tenant = Guid.NewGuid().ToString();
        var sources = new EventSources.EventSourcesClient(service.Channel);
        var created = await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant });
        var state = Uri.UnescapeDataString(created.AdminConsentUrl.Split("state=")[1]);
        using var browser = new HttpClient();

        // admin_consent=True is present even on errors: the error decides (PROTOCOL.md §2).
        using var page = await browser.GetAsync(Callback(
            $"admin_consent=True&error=access_denied&error_description={Uri.EscapeDataString("AADSTS65004: User declined to consent to access the app.\r\nTrace ID: 1")}&state={Uri.EscapeDataString(state)}"));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Not connected", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var source = await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant });
        // Declined: still waiting for consent, with the reason and a fresh URL (the used one is spent).
        Assert.Equal(ConnectionState.PendingConsent, source.State);
        Assert.Contains("access_denied", source.LastError, StringComparison.Ordinal);
        Assert.Contains("AADSTS65004", source.LastError, StringComparison.Ordinal);
        Assert.Contains("declined", source.StatusReason, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", source.LastError, StringComparison.Ordinal);
        Assert.NotEqual("", source.AdminConsentUrl);
        Assert.NotEqual(created.AdminConsentUrl, source.AdminConsentUrl);
        using var reused = await browser.GetAsync(Callback($"admin_consent=True&tenant={tenant}&state={Uri.EscapeDataString(state)}"));
        Assert.Equal(HttpStatusCode.Gone, reused.StatusCode);
    }

    [Fact]
    public async Task Callback_SuccessWithoutRealConsent_IsNotTrusted()
    {
        // The right state and admin_consent=True, but the tenant never consented at Entra (the browser skipped it):
        // proving consent with a token fails with AADSTS700016, and the source says so.
        var tenant = Guid.NewGuid().ToString();
        var sources = new EventSources.EventSourcesClient(service.Channel);
        var created = await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant });
        var state = created.AdminConsentUrl.Split("state=")[1];
        using var browser = new HttpClient();

        using var page = await browser.GetAsync(Callback($"admin_consent=True&tenant={tenant}&state={state}"));

        Assert.Contains("Not connected", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var source = await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant });
        Assert.Equal(ConnectionState.Failed, source.State);
        Assert.Contains("AADSTS700016", source.LastError, StringComparison.Ordinal);
        Assert.Null(source.ConnectedAt);
        Assert.NotEqual(created.AdminConsentUrl, source.AdminConsentUrl);
        Assert.NotEqual("", source.AdminConsentUrl);
    }

    [Fact]
    public async Task Endpoints_ServeOnlyTheirOwnRoutes()
    {
        using var browser = new HttpClient();
        using var h2c = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        // Without the separation the consent page would answer 400 (no valid state) on the gRPC port.
        using var consentOnGrpcPort = await h2c.GetAsync(new Uri(service.GrpcAddress, "/consent/callback?state=x"));
        using var grpcOnConsentPort = await browser.PostAsync(new Uri(service.ConsentAddress, "/o365activity.v1.EventSources/ListEventSources"), new ByteArrayContent([0, 0, 0, 0, 0]));

        Assert.Equal(HttpStatusCode.NotFound, consentOnGrpcPort.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, grpcOnConsentPort.StatusCode);
    }

    private Uri Callback(string query) => new(service.ConsentAddress, "/consent/callback" + (query.Length > 0 ? "?" + query : ""));
}

/// <summary>An admin-consent link used after its lifetime.</summary>
[Collection(SecondServiceCollection.Name)]
public sealed class ConsentExpiryTests(SecondServiceFixture service)
{
    [Fact]
    public async Task Callback_ExpiredState_IsRefusedInPlainWords_NothingChanges_AndARenewedUrlWorks()
    {
        var tenant = Guid.NewGuid();
        service.Emulator.State.GrantConsent(tenant);
        var sources = new EventSources.EventSourcesClient(service.Channel);
        var created = await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant.ToString() });
        Assert.True(created.AdminConsentUrlExpiresAt.ToDateTimeOffset() < DateTimeOffset.UtcNow.AddSeconds(4));
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        using var browser = new HttpClient();

        using var expired = await browser.GetAsync(created.AdminConsentUrl);

        Assert.Equal(HttpStatusCode.Gone, expired.StatusCode);
        Assert.Contains("expired", await expired.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var pending = await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant.ToString() });
        Assert.Equal(ConnectionState.PendingConsent, pending.State);
        Assert.Equal(created.AdminConsentUrl, pending.AdminConsentUrl);
        Assert.Null(pending.ConnectedAt);

        var renewed = await sources.RenewConsentUrlAsync(new RenewConsentUrlRequest { TenantId = tenant.ToString() });
        using var granted = await browser.GetAsync(renewed.AdminConsentUrl);

        Assert.Contains("Connected", await granted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
