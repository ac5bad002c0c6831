using System.Net.Http.Headers;
using O365Activity.Emulator;
using static O365Activity.Tests.Emulator.EmulatorKit;

namespace O365Activity.Tests.Emulator;

/// <summary>What every API call checks before its own work: token, tenant id, roles, audience.</summary>
public sealed class ApiAuthTests
{
    private const string Denied = """{"Message":"Authorization has been denied for this request."}""";

    [Fact]
    public async Task Api_WithoutToken_Answers401DeniedWithBearerChallenge()
    {
        await using var emulator = await StartAsync(NewClock());
        using var http = Client(emulator);

        using var response = await http.GetAsync($"api/v1.0/{T1}/activity/feed/subscriptions/list");

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal(Denied, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Api_TamperedToken_Answers401()
    {
        await using var emulator = await StartAsync(NewClock());
        using var api = await ApiClientAsync(emulator, T1);
        var token = api.DefaultRequestHeaders.Authorization!.Parameter!;
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token[..^2] + (token[^2] == 'A' ? "BB" : "AA"));

        var result = await SendAsync(api, HttpMethod.Get, "subscriptions/list");

        Assert.Equal((401, Denied), result);
    }

    [Fact]
    public async Task Api_TokenExpiredByEmulatorClock_Answers401()
    {
        var clock = NewClock();
        await using var emulator = await StartAsync(clock);
        using var api = await ApiClientAsync(emulator, T1);
        var fresh = await SendAsync(api, HttpMethod.Get, "subscriptions/list");

        clock.Advance(TimeSpan.FromSeconds(3599));
        var expired = await SendAsync(api, HttpMethod.Get, "subscriptions/list");

        Assert.Equal((200, "[]"), fresh);
        Assert.Equal((401, Denied), expired);
    }

    [Fact]
    public async Task Api_TokenOfAnotherTenant_AnswersAF20010()
    {
        await using var emulator = await StartAsync(NewClock());
        using var api = await ApiClientAsync(emulator, T1);

        var result = await SendAsync(api, HttpMethod.Get, $"/api/v1.0/{T2}/activity/feed/subscriptions/list");

        Assert.Equal(
            (401, """{"error":{"code":"AF20010","message":"The tenant ID passed in the URL (5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9) does not match the tenant ID passed in the access token (9d0c4a1e-5b7f-4c2a-8e3d-1f2a3b4c5d6e)."}}"""),
            result);
    }

    [Fact]
    public async Task Api_TenantNotAGuid_AnswersAF20013()
    {
        await using var emulator = await StartAsync(NewClock());
        using var api = await ApiClientAsync(emulator, T1);

        var result = await SendAsync(api, HttpMethod.Get, "/api/v1.0/contoso.onmicrosoft.com/activity/feed/subscriptions/list");

        Assert.Equal(
            (400, """{"error":{"code":"AF20013","message":"The tenant ID passed in the URL (contoso.onmicrosoft.com) is not a valid GUID."}}"""),
            result);
    }

    [Fact]
    public async Task Api_TokenWithoutActivityFeedRead_AnswersAF10001()
    {
        await using var emulator = await StartAsync(NewClock());
        emulator.State.SetTokenRoles(T1, ["ActivityFeed.ReadDlp"]);
        using var api = await ApiClientAsync(emulator, T1);

        var result = await SendAsync(api, HttpMethod.Get, "subscriptions/list");

        Assert.Equal(
            (401, """{"error":{"code":"AF10001","message":"The permission set (ActivityFeed.ReadDlp) sent in the request did not include the expected permission ActivityFeed.Read."}}"""),
            result);
    }

    [Fact]
    public async Task Api_DlpWithoutReadDlp_ListingAnswersAF20023()
    {
        await using var emulator = await StartAsync(NewClock());
        emulator.State.SetTokenRoles(T1, ["ActivityFeed.Read"]);
        emulator.State.EnableSubscription(T1, "DLP.All");
        using var api = await ApiClientAsync(emulator, T1);

        var result = await SendAsync(api, HttpMethod.Get, Content("DLP.All", Start.AddHours(-1), Start));

        Assert.Equal((400, """{"error":{"code":"AF20023","message":"The subscription was disabled by a service admin."}}"""), result);
    }

    [Fact]
    public async Task RedirectHandler_GovernmentHost_NeedsTokenForThatHost_AU3()
    {
        await using var emulator = await StartAsync(NewClock());
        emulator.State.EnableSubscription(T2, "Audit.General");
        var blob = emulator.State.AddBlob(T2, [Record("0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e", "MemberAdded", 25, "MicrosoftTeams")],
            new BlobOptions { ContentCreated = Start.AddMinutes(-30) });
        using var http = new HttpClient(emulator.CreateRedirectHandler());

        async Task<(int, string)> ListAsync(string scope, string host)
        {
            using var tokenResponse = await http.PostAsync($"https://login.microsoftonline.us/{T2}/oauth2/v2.0/token", TokenForm(scope: scope));
            using var json = System.Text.Json.JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync());
            using var request = new HttpRequestMessage(HttpMethod.Get,
                $"https://{host}/api/v1.0/{T2}/activity/feed/" + Content("Audit.General", Start.AddHours(-1), Start));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", json.RootElement.GetProperty("access_token").GetString());
            using var response = await http.SendAsync(request);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var gccHigh = await ListAsync("https://manage.office365.us/.default", "manage.office365.us");
        var wrongAudience = await ListAsync("https://manage.office.com/.default", "manage.office365.us");

        Assert.Equal(200, gccHigh.Item1);
        Assert.Equal($"https://manage.office365.us/api/v1.0/{T2}/activity/feed/audit/{blob}", Array(gccHigh.Item2).Single().GetProperty("contentUri").GetString());
        Assert.Equal((401, Denied), wrongAudience);
    }
}
