using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using O365Activity.Emulator;

namespace O365Activity.Tests.Emulator;

/// <summary>Shared values and helpers of the emulator's protocol tests (tenants T1/T2 and the app id of the cases README).</summary>
internal static class EmulatorKit
{
    public static readonly Guid T1 = Guid.Parse("9d0c4a1e-5b7f-4c2a-8e3d-1f2a3b4c5d6e");
    public static readonly Guid T2 = Guid.Parse("5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9");
    public const string ClientId = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    public const string ClientSecret = "emulator-test-secret";
    public const string ManageScope = "https://manage.office.com/.default";

    /// <summary>The fake "now" most tests start at.</summary>
    public static readonly DateTimeOffset Start = new(2024, 6, 1, 10, 0, 0, TimeSpan.Zero);

    public static FakeTimeProvider NewClock(DateTimeOffset? start = null) => new(start ?? Start);

    /// <summary>Starts an emulator on a free port with a fake clock, the test app's credentials and T1/T2 consented.</summary>
    public static Task<EmulatorServer> StartAsync(FakeTimeProvider clock, Func<EmulatorOptions, EmulatorOptions>? configure = null)
    {
        var options = new EmulatorOptions
        {
            TimeProvider = clock,
            ClientId = ClientId,
            ClientSecret = ClientSecret,
            ConsentedTenants = [T1, T2],
        };
        return EmulatorServer.StartAsync(configure is null ? options : configure(options));
    }

    public static HttpClient Client(EmulatorServer emulator) =>
        new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = emulator.BaseUrl };

    public static FormUrlEncodedContent TokenForm(string clientId = ClientId, string secret = ClientSecret, string scope = ManageScope) =>
        new(new Dictionary<string, string>
        {
            ["client_id"] = clientId,
            ["client_secret"] = secret,
            ["scope"] = scope,
            ["grant_type"] = "client_credentials",
        });

    public static async Task<string> GetTokenAsync(HttpClient http, Guid tenant)
    {
        using var response = await http.PostAsync($"{tenant}/oauth2/v2.0/token", TokenForm());
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"token request for {tenant} failed: {(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>An HttpClient for <paramref name="tenant"/>'s API root with a valid bearer token.</summary>
    public static async Task<HttpClient> ApiClientAsync(EmulatorServer emulator, Guid tenant)
    {
        string token;
        using (var tokenClient = Client(emulator))
        {
            token = await GetTokenAsync(tokenClient, tenant);
        }

        var http = new HttpClient { BaseAddress = new Uri(emulator.BaseUrl, $"api/v1.0/{tenant}/activity/feed/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public static async Task<(int Status, string Body)> SendAsync(HttpClient http, HttpMethod method, string relative)
    {
        using var request = new HttpRequestMessage(method, relative);
        using var response = await http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public static string Content(string contentType, DateTimeOffset start, DateTimeOffset end) =>
        $"subscriptions/content?contentType={contentType}&startTime={Iso(start)}&endTime={Iso(end)}";

    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    public static string Record(string id, string operation = "UserLoggedIn", int recordType = 15, string workload = "AzureActiveDirectory") =>
        $$"""{"CreationTime":"2024-06-01T09:00:00","Id":"{{id}}","Operation":"{{operation}}","OrganizationId":"00000000-0000-0000-0000-000000000000","RecordType":{{recordType}},"Workload":"{{workload}}","UserId":"omar@example.com","ClientIP":"203.0.113.61"}""";

    public static JsonElement[] Array(string body)
    {
        using var json = JsonDocument.Parse(body);
        return [.. json.RootElement.EnumerateArray().Select(e => e.Clone())];
    }
}
