using O365Activity.Emulator;
using static O365Activity.Tests.Emulator.EmulatorKit;

namespace O365Activity.Tests.Emulator;

/// <summary>The v2.0 admin-consent endpoint (PROTOCOL.md §2).</summary>
public sealed class AdminConsentTests
{
    private const string Callback = "http://127.0.0.1:7001/consent/callback";

    private static string ConsentUrl(string tenant, string state = "s t&8=x") =>
        $"{tenant}/v2.0/adminconsent?client_id={ClientId}&scope={Uri.EscapeDataString(ManageScope)}"
        + $"&redirect_uri={Uri.EscapeDataString(Callback)}&state={Uri.EscapeDataString(state)}";

    [Fact]
    public async Task AdminConsent_Success_RedirectsWithTenantScopeAndState_AndTokensThenWork()
    {
        await using var emulator = await StartAsync(NewClock(), o => o with { ConsentedTenants = [] });
        using var http = Client(emulator);
        using var before = await http.PostAsync($"{T2}/oauth2/v2.0/token", TokenForm());

        using var response = await http.GetAsync(ConsentUrl(T2.ToString()));
        using var after = await http.PostAsync($"{T2}/oauth2/v2.0/token", TokenForm());

        Assert.Equal(400, (int)before.StatusCode);
        Assert.Equal(302, (int)response.StatusCode);
        Assert.Equal(
            Callback + $"?admin_consent=True&tenant={T2}&scope=https%3A%2F%2Fmanage.office.com%2F.default&state=s+t%268%3Dx",
            response.Headers.Location!.OriginalString);
        Assert.True(emulator.State.IsConsented(T2));
        Assert.Equal(200, (int)after.StatusCode);
    }

    [Fact]
    public async Task AdminConsent_Organizations_UsesTenantHintThenDefault()
    {
        var fallback = Guid.Parse("1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d");
        await using var emulator = await StartAsync(NewClock(), o => o with { ConsentedTenants = [], DefaultConsentTenant = fallback });
        using var http = Client(emulator);

        using var hinted = await http.GetAsync(ConsentUrl("organizations") + $"&tenant_hint={T1}");
        using var defaulted = await http.GetAsync(ConsentUrl("common"));

        Assert.Contains($"&tenant={T1}&", hinted.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Contains($"&tenant={fallback}&", defaulted.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.True(emulator.State.IsConsented(T1));
        Assert.True(emulator.State.IsConsented(fallback));
        var logged = emulator.State.Requests.Where(r => r.Kind == RequestKind.AdminConsent).Select(r => r.TenantId).ToList();
        Assert.Equal([T1, fallback], logged);
    }

    [Fact]
    public async Task AdminConsent_Declined_RedirectsWithErrorAndLeavesTenantUnconsented()
    {
        await using var emulator = await StartAsync(NewClock(), o => o with { ConsentedTenants = [] });
        emulator.State.SetConsentFailure(T1, ConsentFailure.Declined);
        using var http = Client(emulator);

        using var response = await http.GetAsync(ConsentUrl(T1.ToString(), "abc123"));

        Assert.Equal(302, (int)response.StatusCode);
        Assert.Equal(
            Callback + "?admin_consent=True&error=access_denied&error_description=AADSTS65004%3A+User+declined+to+consent+to+access+the+app.&state=abc123",
            response.Headers.Location!.OriginalString);
        Assert.False(emulator.State.IsConsented(T1));
    }

    [Fact]
    public async Task AdminConsent_AdminApprovalRequired_RedirectsWithAadsts90094()
    {
        await using var emulator = await StartAsync(NewClock(), o => o with { ConsentedTenants = [] });
        emulator.State.SetConsentFailure(T1, ConsentFailure.AdminApprovalRequired);
        using var http = Client(emulator);

        using var response = await http.GetAsync(ConsentUrl(T1.ToString(), "abc123"));

        Assert.Equal(
            Callback + "?admin_consent=True&error=consent_required&error_description=AADSTS90094%3A+The+grant+requires+admin+permission.&state=abc123",
            response.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&state=1", "AADSTS900144: The request body must contain the following parameter: &#39;client_id&#39;.")]
    [InlineData("client_id=0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d&state=1", "AADSTS900144: The request body must contain the following parameter: &#39;redirect_uri&#39;.")]
    public async Task AdminConsent_MissingParameter_Answers400Page(string query, string message)
    {
        await using var emulator = await StartAsync(NewClock());
        using var http = Client(emulator);

        using var response = await http.GetAsync($"{T1}/v2.0/adminconsent?{query}");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Contains(message, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminConsent_UnregisteredRedirectUri_Answers400Aadsts50011()
    {
        await using var emulator = await StartAsync(NewClock(), o => o with { RedirectUris = ["https://app.example.com/callback"] });
        using var http = Client(emulator);

        using var response = await http.GetAsync(ConsentUrl(T1.ToString()));

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("AADSTS50011", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
