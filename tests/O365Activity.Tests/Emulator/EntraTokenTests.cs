using System.Text;
using System.Text.Json;
using Microsoft.Identity.Client;
using O365Activity.Emulator;
using static O365Activity.Tests.Emulator.EmulatorKit;

namespace O365Activity.Tests.Emulator;

/// <summary>The Entra token endpoint: success, the error bodies of cases AU1 and AU5, and real MSAL through the emulator.</summary>
public sealed class EntraTokenTests
{
    [Fact]
    public async Task Token_ClientCredentials_ReturnsBearerWithClaims()
    {
        var clock = NewClock();
        await using var emulator = await StartAsync(clock);
        using var http = Client(emulator);

        using var response = await http.PostAsync($"{T1}/oauth2/v2.0/token", TokenForm());
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal(["token_type", "expires_in", "ext_expires_in", "access_token"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Bearer", root.GetProperty("token_type").GetString());
        Assert.Equal(3599, root.GetProperty("expires_in").GetInt32());
        Assert.Equal(3599, root.GetProperty("ext_expires_in").GetInt32());

        var parts = root.GetProperty("access_token").GetString()!.Split('.');
        Assert.Equal(3, parts.Length);
        using var payload = JsonDocument.Parse(Base64Url(parts[1]));
        var claims = payload.RootElement;
        Assert.Equal(T1.ToString(), claims.GetProperty("tid").GetString());
        Assert.Equal("https://manage.office.com", claims.GetProperty("aud").GetString());
        Assert.Equal(ClientId, claims.GetProperty("appid").GetString());
        Assert.Equal(["ActivityFeed.Read", "ActivityFeed.ReadDlp"], claims.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(Start.ToUnixTimeSeconds(), claims.GetProperty("iat").GetInt64());
        Assert.Equal(Start.ToUnixTimeSeconds() + 3599, claims.GetProperty("exp").GetInt64());
    }

    [Fact]
    public async Task Token_WrongSecret_Answers401InvalidClient_AU5()
    {
        await using var emulator = await StartAsync(NewClock());
        using var http = Client(emulator);

        using var response = await http.PostAsync($"{T1}/oauth2/v2.0/token", TokenForm(secret: "wrong"));

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal(
            """{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215]}""",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Token_UnknownClientId_Answers400UnauthorizedClient()
    {
        await using var emulator = await StartAsync(NewClock());
        using var http = Client(emulator);

        using var response = await http.PostAsync($"{T1}/oauth2/v2.0/token", TokenForm(clientId: "11111111-2222-4333-8444-555555555555"));

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal(
            """{"error":"unauthorized_client","error_description":"AADSTS700016: Application with identifier '11111111-2222-4333-8444-555555555555' was not found in the directory '9d0c4a1e-5b7f-4c2a-8e3d-1f2a3b4c5d6e'.","error_codes":[700016]}""",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Token_TenantWithoutConsent_Answers700016_AU1()
    {
        // T1 is the home tenant (consented); T2 has not consented.
        await using var emulator = await StartAsync(NewClock(), o => o with { ConsentedTenants = [T1] });
        using var http = Client(emulator);

        using var home = await http.PostAsync($"{T1}/oauth2/v2.0/token", TokenForm());
        using var other = await http.PostAsync($"{T2}/oauth2/v2.0/token", TokenForm());

        Assert.Equal(200, (int)home.StatusCode);
        Assert.Equal(400, (int)other.StatusCode);
        Assert.Equal(
            """{"error":"unauthorized_client","error_description":"AADSTS700016: Application with identifier '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' was not found in the directory '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9'.","error_codes":[700016]}""",
            await other.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Token_AutoConsentAllTenants_IssuesForAnyTenant()
    {
        var stranger = Guid.Parse("0f0e0d0c-0b0a-4908-8706-050403020100");
        await using var emulator = await StartAsync(NewClock(), o => o with { ConsentedTenants = [], AutoConsentAllTenants = true });
        using var http = Client(emulator);

        using var response = await http.PostAsync($"{stranger}/oauth2/v2.0/token", TokenForm());

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Token_BadScope_Answers400InvalidScope()
    {
        await using var emulator = await StartAsync(NewClock());
        using var http = Client(emulator);

        using var response = await http.PostAsync($"{T1}/oauth2/v2.0/token", TokenForm(scope: "https://graph.example.com/.default"));

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal(
            """{"error":"invalid_scope","error_description":"AADSTS70011: The provided value for the input parameter 'scope' is not valid. The scope https://graph.example.com/.default is not valid.","error_codes":[70011]}""",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Token_GovernmentCloudScope_TokenAudienceIsThatHost_AU3()
    {
        await using var emulator = await StartAsync(NewClock());
        using var http = Client(emulator);

        using var response = await http.PostAsync($"{T2}/oauth2/v2.0/token", TokenForm(scope: "https://manage.office365.us/.default"));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var token = json.RootElement.GetProperty("access_token").GetString()!;
        using var payload = JsonDocument.Parse(Base64Url(token.Split('.')[1]));

        Assert.Equal("https://manage.office365.us", payload.RootElement.GetProperty("aud").GetString());
    }

    [Fact]
    public async Task Token_ClientAssertion_IsAccepted()
    {
        await using var emulator = await StartAsync(NewClock());
        using var http = Client(emulator);
        var assertion = string.Join('.',
            B64("""{"alg":"RS256","typ":"JWT","x5t":"AAAA"}"""),
            B64($$"""{"aud":"https://login.microsoftonline.com/{{T1}}/oauth2/v2.0/token","iss":"{{ClientId}}","sub":"{{ClientId}}","jti":"1","exp":1999999999}"""),
            B64("signature"));
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = ClientId,
            ["scope"] = ManageScope,
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = assertion,
        });

        using var response = await http.PostAsync($"{T1}/oauth2/v2.0/token", form);

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Msal_AcquireTokenForClient_ThroughRedirectHandler_GetsEmulatorToken()
    {
        await using var emulator = await StartAsync(NewClock());
        var app = ConfidentialClientApplicationBuilder.Create(ClientId)
            .WithClientSecret(ClientSecret)
            .WithAuthority($"https://login.microsoftonline.com/{T1}")
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(new RedirectingFactory(emulator))
            .Build();

        var first = await app.AcquireTokenForClient([ManageScope]).WithTenantId(T1.ToString()).ExecuteAsync();
        var second = await app.AcquireTokenForClient([ManageScope]).WithTenantId(T2.ToString()).ExecuteAsync();

        using var payload = JsonDocument.Parse(Base64Url(second.AccessToken.Split('.')[1]));
        Assert.Equal(T2.ToString(), payload.RootElement.GetProperty("tid").GetString());
        Assert.NotEqual(first.AccessToken, second.AccessToken);
        Assert.Equal(TokenSource.IdentityProvider, first.AuthenticationResultMetadata.TokenSource);

        var tokenRequests = emulator.State.Requests.Where(r => r.Kind == RequestKind.Token).ToList();
        Assert.Equal(2, tokenRequests.Count);
        Assert.All(tokenRequests, r => Assert.Equal(200, r.StatusCode));
        Assert.Equal([T1, T2], tokenRequests.Select(r => r.TenantId!.Value));
    }

    [Fact]
    public async Task Msal_WrongSecret_ThrowsServiceExceptionWithInvalidClient()
    {
        await using var emulator = await StartAsync(NewClock());
        var app = ConfidentialClientApplicationBuilder.Create(ClientId)
            .WithClientSecret("wrong")
            .WithAuthority($"https://login.microsoftonline.com/{T1}")
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(new RedirectingFactory(emulator))
            .Build();

        var error = await Assert.ThrowsAsync<MsalServiceException>(() => app.AcquireTokenForClient([ManageScope]).ExecuteAsync());

        Assert.Equal("invalid_client", error.ErrorCode);
        Assert.Equal(401, error.StatusCode);
        Assert.Contains("AADSTS7000215", error.Message, StringComparison.Ordinal);
    }

    internal static byte[] Base64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s + new string('=', (4 - (s.Length % 4)) % 4));
    }

    private static string B64(string text) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>MSAL's HTTP client: every request to login.microsoftonline.com goes to the emulator.</summary>
    private sealed class RedirectingFactory(EmulatorServer emulator) : IMsalHttpClientFactory
    {
        private readonly HttpClient _client = new(emulator.CreateRedirectHandler());

        public HttpClient GetHttpClient() => _client;
    }
}
