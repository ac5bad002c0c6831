using System.Net;
using System.Text.Json;
using O365Activity.Protos.V1;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.StatusPage;

/// <summary>
/// Issue 9's status endpoint over plain HTTP: the page and its API only on <c>Gateway:StatusEndpoint</c> (and nothing
/// of the other endpoints there), its security headers, the API's 400 and 404 answers, and no consent URL in it.
/// </summary>
[Collection(ServiceCollection.Name)]
public sealed class StatusPageRoutingTests(ServiceFixture service)
{
    private static readonly string[] PageRoutes =
        ["/", "/tenants/9d0c4a1e-5b7f-4c2a-8e3d-1f2a3b4c5d6e", "/tenants/9d0c4a1e-5b7f-4c2a-8e3d-1f2a3b4c5d6e/users/ana%40example.com", "/api/sources", "/static/sources.js", "/static/vendor/countries-110m.json", "/static/vendor/d3-geo.min.js"];

    [Fact]
    public async Task StatusPage_Routes_ServedOnlyOnTheStatusEndpoint()
    {
        using var http = new HttpClient();
        using var h2c = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        foreach (var route in PageRoutes)
        {
            using var onStatus = await http.GetAsync(new Uri(service.StatusAddress, route));
            Assert.True(onStatus.StatusCode == HttpStatusCode.OK, $"{route} on the status endpoint: expected 200, got {(int)onStatus.StatusCode}");
            Assert.Equal("default-src 'self'", onStatus.Headers.GetValues("Content-Security-Policy").Single().Split(';')[0]);
            Assert.Equal("nosniff", onStatus.Headers.GetValues("X-Content-Type-Options").Single());

            using var onConsent = await http.GetAsync(new Uri(service.ConsentAddress, route));
            Assert.True(onConsent.StatusCode == HttpStatusCode.NotFound, $"{route} on the consent endpoint: expected 404, got {(int)onConsent.StatusCode}");
            using var onGrpc = await h2c.GetAsync(new Uri(service.GrpcAddress, route));
            Assert.True(onGrpc.StatusCode == HttpStatusCode.NotFound, $"{route} on the gRPC endpoint: expected 404, got {(int)onGrpc.StatusCode}");
        }

        Assert.StartsWith("text/html", (await http.GetAsync(new Uri(service.StatusAddress, "/"))).Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        // Nothing of the other endpoints on the status endpoint: neither the consent callback nor a gRPC method.
        using var consent = await http.GetAsync(new Uri(service.StatusAddress, "/consent/callback?state=x.y"));
        Assert.Equal(HttpStatusCode.NotFound, consent.StatusCode);
        using var grpc = await http.PostAsync(new Uri(service.StatusAddress, "/o365activity.v1.EventSources/ListEventSources"), new ByteArrayContent([0, 0, 0, 0, 0]));
        Assert.Equal(HttpStatusCode.NotFound, grpc.StatusCode);
    }

    [Theory]
    [InlineData("/api/tenants/not-a-tenant/locations", "tenant_id")]
    [InlineData("/api/tenants/{tenant}/ingress?page_size=many", "page_size")]
    [InlineData("/api/tenants/{tenant}/ingress?page_size=5000", "page_size")]
    [InlineData("/api/tenants/{tenant}/ingress?results=MAYBE", "results")]
    [InlineData("/api/tenants/{tenant}/ingress?flagged_only=perhaps", "flagged_only")]
    [InlineData("/api/tenants/{tenant}/admin?actions=NOT_AN_ACTION", "actions")]
    [InlineData("/api/tenants/{tenant}/locations?start=yesterday", "start")]
    [InlineData("/api/tenants/{tenant}/locations?start=2024-06-05T00:00:00Z&end=2024-06-04T00:00:00Z", "end_time")]
    [InlineData("/api/tenants/{tenant}/ingress?client_address=somewhere", "client_address")]
    [InlineData("/api/tenants/{tenant}/admin?colour=red", "colour")]
    [InlineData("/api/tenants/{tenant}/users/ana%40example.com?page_size=-1", "page_size")]
    public async Task StatusApi_BadInput_Answers400WithOneLine(string route, string named)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(service.StatusAddress, route.Replace("{tenant}", Guid.NewGuid().ToString(), StringComparison.Ordinal)));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{route}: expected 400, got {(int)response.StatusCode}: {body}");
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain('\n', body);
        Assert.Contains(named, body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/tenants/{tenant}")]
    [InlineData("/api/tenants/{tenant}/locations")]
    [InlineData("/api/tenants/{tenant}/ingress")]
    [InlineData("/api/tenants/{tenant}/admin")]
    [InlineData("/api/tenants/{tenant}/users/ana%40example.com")]
    [InlineData("/api/no-such-route")]
    public async Task StatusApi_UnknownTenantOrRoute_Answers404(string route)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(service.StatusAddress, route.Replace("{tenant}", Guid.NewGuid().ToString(), StringComparison.Ordinal)));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{route}: expected 404, got {(int)response.StatusCode}: {body}");
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatusApi_PendingSource_ShowsExpiryButNoConsentUrl()
    {
        var tenant = Guid.NewGuid().ToString();
        var sources = new EventSources.EventSourcesClient(service.Channel);
        var created = await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant, DisplayName = "Pending" });
        var state = System.Web.HttpUtility.ParseQueryString(new Uri(created.AdminConsentUrl).Query)["state"];
        Assert.False(string.IsNullOrEmpty(state));

        using var http = new HttpClient();
        foreach (var route in new[] { "/api/sources", $"/api/tenants/{tenant}" })
        {
            var body = await http.GetStringAsync(new Uri(service.StatusAddress, route));
            Assert.DoesNotContain(state, body, StringComparison.Ordinal);
            Assert.DoesNotContain(Uri.EscapeDataString(state), body, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(body);
            var source = route == "/api/sources"
                ? json.RootElement.GetProperty("eventSources").EnumerateArray().Single(s => s.GetProperty("tenantId").GetString() == tenant)
                : json.RootElement;
            Assert.Equal("CONNECTION_STATE_PENDING_CONSENT", source.GetProperty("state").GetString());
            Assert.Equal("", source.GetProperty("adminConsentUrl").GetString());
            Assert.Equal(created.AdminConsentUrlExpiresAt.ToDateTimeOffset(), source.GetProperty("adminConsentUrlExpiresAt").GetDateTimeOffset());
        }

        // The gRPC API still gives the URL to its clients.
        Assert.Equal(created.AdminConsentUrl, (await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant })).AdminConsentUrl);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", "http://127.0.0.1:5081", "http://127.0.0.1:5082", true)]
    [InlineData("http://127.0.0.1:5080", "http://127.0.0.1:5081", "http://127.0.0.1:5081", false)]
    [InlineData("http://127.0.0.1:5080", "http://127.0.0.1:5081", "http://0.0.0.0:5080", false)]
    public void GatewayOptions_Endpoints_NeedThreeDifferentPorts(string grpc, string consent, string status, bool valid)
    {
        var options = new O365Activity.Gateway.GatewayOptions { GrpcEndpoint = new Uri(grpc), ConsentEndpoint = new Uri(consent), StatusEndpoint = new Uri(status) };
        Assert.Equal(valid, options.HasDistinctPorts);
    }
}
