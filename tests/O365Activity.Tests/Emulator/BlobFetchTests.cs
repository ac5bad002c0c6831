using System.Text.Json;
using O365Activity.Emulator;
using static O365Activity.Tests.Emulator.EmulatorKit;

namespace O365Activity.Tests.Emulator;

/// <summary>GET .../audit/{contentId}: records with OrganizationId rewritten, expiry, unknown and invalid ids, a large blob (R01).</summary>
public sealed class BlobFetchTests
{
    [Fact]
    public async Task Fetch_ServesRecordsVerbatimWithOrganizationIdOfThePathTenant()
    {
        await using var emulator = await StartAsync(NewClock());
        emulator.State.EnableSubscription(T1, "Audit.AzureActiveDirectory");
        emulator.State.EnableSubscription(T2, "Audit.AzureActiveDirectory");
        string[] records =
        [
            """{"CreationTime":"2024-06-01T08:00:00","Id":"b4c5d6e7-f8a9-4b0c-9d1e-2f3a4b5c6d7e","Operation":"UserLoggedIn","OrganizationId":"ffffffff-ffff-ffff-ffff-ffffffffffff","RecordType":"15","Workload":"AzureActiveDirectory","ClientIP":"203.0.113.61","Nested":{"OrganizationId":"keep"}}""",
            """{"CreationTime":"2024-06-01T08:00:01","Id":"c4c5d6e7-f8a9-4b0c-9d1e-2f3a4b5c6d7e","Operation":"UserLoginFailed","RecordType":15,"ErrorNumber":"50126"}""",
            """{}""",
        ];
        var forT1 = emulator.State.AddBlob(T1, records, new BlobOptions { ContentType = "Audit.AzureActiveDirectory", ContentCreated = Start.AddMinutes(-5) });
        var forT2 = emulator.State.AddBlob(T2, records, new BlobOptions { ContentType = "Audit.AzureActiveDirectory", ContentCreated = Start.AddMinutes(-5) });
        using var api1 = await ApiClientAsync(emulator, T1);
        using var api2 = await ApiClientAsync(emulator, T2);

        using var response = await api1.GetAsync($"audit/{forT1}?PublisherIdentifier=46b472a7-c68e-4adf-8ade-3db49497518e");
        var body = await response.Content.ReadAsStringAsync();
        var t2 = await SendAsync(api2, HttpMethod.Get, $"audit/{forT2}");
        var t2AsksForT1Blob = await SendAsync(api2, HttpMethod.Get, $"audit/{forT1}");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        Assert.Equal(
            "[" + records[0].Replace("ffffffff-ffff-ffff-ffff-ffffffffffff", T1.ToString(), StringComparison.Ordinal) + ","
            + """{"OrganizationId":"9d0c4a1e-5b7f-4c2a-8e3d-1f2a3b4c5d6e","CreationTime":"2024-06-01T08:00:01","Id":"c4c5d6e7-f8a9-4b0c-9d1e-2f3a4b5c6d7e","Operation":"UserLoginFailed","RecordType":15,"ErrorNumber":"50126"},"""
            + """{"OrganizationId":"9d0c4a1e-5b7f-4c2a-8e3d-1f2a3b4c5d6e"}]""",
            body);
        Assert.All(Array(t2.Body), r => Assert.Equal(T2.ToString(), r.GetProperty("OrganizationId").GetString()));
        Assert.Equal(400, t2AsksForT1Blob.Status);
        Assert.Contains("AF20050", t2AsksForT1Blob.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_AfterExpiration_AnswersAF20051()
    {
        var clock = NewClock();
        await using var emulator = await StartAsync(clock);
        emulator.State.EnableSubscription(T1, "Audit.AzureActiveDirectory");
        var id = emulator.State.AddBlob(T1, [Record("33333333-0000-4000-8000-000000000001")], new BlobOptions { ContentCreated = Start.AddDays(-7).AddMinutes(1) });
        using var api = await ApiClientAsync(emulator, T1);

        var before = await SendAsync(api, HttpMethod.Get, $"audit/{id}");
        clock.Advance(TimeSpan.FromMinutes(1));
        using var api2 = await ApiClientAsync(emulator, T1);
        var after = await SendAsync(api2, HttpMethod.Get, $"audit/{id}");

        Assert.Equal(200, before.Status);
        Assert.Equal(
            (400, $$$"""{"error":{"code":"AF20051","message":"Content requested with the key {{{id}}} has already expired. Content older than 7 days cannot be retrieved."}}"""),
            after);
    }

    [Fact]
    public async Task Fetch_UnknownId_AnswersAF20050_AndMalformedId_AnswersAF20052()
    {
        await using var emulator = await StartAsync(NewClock());
        using var api = await ApiClientAsync(emulator, T1);

        var unknown = await SendAsync(api, HttpMethod.Get, "audit/20240601000000000000000$20240601000000000000000$audit_general$Audit_General$emea0001");
        var malformed = await SendAsync(api, HttpMethod.Get, "audit/not%20an%3Cid%3E");

        Assert.Equal(
            (400, """{"error":{"code":"AF20050","message":"The specified content (20240601000000000000000$20240601000000000000000$audit_general$Audit_General$emea0001) does not exist."}}"""),
            unknown);
        Assert.Equal((400, """{"error":{"code":"AF20052","message":"Content ID not an<id> in the URL is invalid."}}"""), malformed);
    }

    [Fact]
    public async Task Fetch_SubscriptionStopped_AnswersAF20023()
    {
        await using var emulator = await StartAsync(NewClock());
        emulator.State.EnableSubscription(T1, "Audit.AzureActiveDirectory");
        var id = emulator.State.AddBlob(T1, [Record("33333333-0000-4000-8000-000000000001")], new BlobOptions { ContentCreated = Start.AddMinutes(-1) });
        emulator.State.DisableSubscription(T1, "Audit.AzureActiveDirectory");
        using var api = await ApiClientAsync(emulator, T1);

        var result = await SendAsync(api, HttpMethod.Get, $"audit/{id}");

        Assert.Equal((400, """{"error":{"code":"AF20023","message":"The subscription was disabled by a tenant admin."}}"""), result);
    }

    [Fact]
    public async Task Fetch_60000RecordBlob_IsServedWholeWithContentLength_R01()
    {
        await using var emulator = await StartAsync(NewClock());
        emulator.State.EnableSubscription(T1, "Audit.SharePoint");
        const string Prefix = """{"CreationTime":"2024-06-06T03:00:00","Id":"5b6c7d8e-9f0a-4b1c-8d2e-""";
        var suffix = "\",\"Operation\":\"FileAccessed\",\"RecordType\":6,\"Workload\":\"SharePoint\",\"UserId\":\"sam@example.com\","
            + "\"ClientIP\":\"203.0.113.33\",\"ObjectId\":\"https://share.example.com/sites/finance/Shared Documents/q2.xlsx\","
            + "\"Padding\":\"" + new string('x', 120) + "\"}";
        var records = new string[60_000];
        for (var i = 0; i < records.Length; i++)
        {
            records[i] = Prefix + i.ToString("x12", System.Globalization.CultureInfo.InvariantCulture) + suffix;
        }

        var id = emulator.State.AddBlob(T1, records, new BlobOptions { ContentCreated = Start.AddMinutes(-1) });
        using var api = await ApiClientAsync(emulator, T1);

        using var response = await api.GetAsync($"audit/{id}", HttpCompletionOption.ResponseHeadersRead);
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(bytes.Length, response.Content.Headers.ContentLength);
        Assert.True(bytes.Length > 25_000_000, $"expected a blob over 25 MB, got {bytes.Length} bytes");
        var (count, organizations, lastId) = CountRecords(bytes);
        Assert.Equal(60_000, count);
        Assert.Equal(60_000, organizations);
        Assert.Equal("5b6c7d8e-9f0a-4b1c-8d2e-00000000ea5f", lastId);
    }

    /// <summary>Counts the array's objects, the ones whose OrganizationId is T1, and the last Id, in one forward pass.</summary>
    private static (int Count, int Organizations, string? LastId) CountRecords(byte[] json)
    {
        var reader = new Utf8JsonReader(json);
        int count = 0, organizations = 0;
        string? lastId = null;
        var tenant = System.Text.Encoding.UTF8.GetBytes(T1.ToString());
        while (reader.Read())
        {
            if (reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.StartObject)
            {
                count++;
            }
            else if (reader.CurrentDepth == 2 && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isOrganization = reader.ValueTextEquals("OrganizationId"u8);
                var isId = reader.ValueTextEquals("Id"u8);
                reader.Read();
                if (isOrganization && reader.ValueTextEquals(tenant))
                {
                    organizations++;
                }
                else if (isId)
                {
                    lastId = reader.GetString();
                }
            }
        }

        return (count, organizations, lastId);
    }
}
