using O365Activity.Emulator;
using static O365Activity.Tests.Emulator.EmulatorKit;

namespace O365Activity.Tests.Emulator;

/// <summary>subscriptions/content: window rules (W01, W02, W03, CLK1), filtering on contentCreated, late blobs (LATE1).</summary>
public sealed class ContentListingTests
{
    private const string AF20055 =
        """{"error":{"code":"AF20055","message":"Start time and end time must both be specified (or both omitted) and must be less than or equal to 24 hours apart, with the start time prior to end time and start time no more than 7 days in the past."}}""";

    private static readonly string Root = $"api/v1.0/{T1}/activity/feed/";

    [Fact]
    public async Task Listing_BothTimesMissing_Answers400WithNonAfCode_W01()
    {
        await using var emulator = await StartAsync(NewClock());
        emulator.State.EnableSubscription(T1, "Audit.General");
        using var api = await ApiClientAsync(emulator, T1);

        using var response = await api.GetAsync("subscriptions/content?contentType=Audit.General");

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("""{"error":{"code":"Value cannot be null.\r\nParameter name: s","message":"s"}}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Listing_OnlyStartTime_IsAccepted_W01()
    {
        await using var emulator = await StartAsync(NewClock());
        emulator.State.EnableSubscription(T1, "Audit.General");
        var inside = emulator.State.AddBlob(T1, [Record("11111111-0000-4000-8000-000000000001", "MemberAdded", 25, "MicrosoftTeams")],
            new BlobOptions { ContentCreated = Start.AddHours(-3) });
        using var api = await ApiClientAsync(emulator, T1);

        var (status, body) = await SendAsync(api, HttpMethod.Get, $"subscriptions/content?contentType=Audit.General&startTime={Iso(Start.AddHours(-4))}");

        Assert.Equal(200, status);
        Assert.Equal([inside], Array(body).Select(e => e.GetProperty("contentId").GetString()));
    }

    [Fact]
    public async Task Listing_WindowOver24Hours_AnswersAF20055_W02()
    {
        await using var emulator = await StartAsync(NewClock(new DateTimeOffset(2024, 3, 25, 11, 38, 2, TimeSpan.Zero)));
        emulator.State.EnableSubscription(T1, "Audit.Exchange");
        using var api = await ApiClientAsync(emulator, T1);

        var tooLong = await SendAsync(api, HttpMethod.Get,
            "subscriptions/content?contentType=Audit.Exchange&startTime=2024-03-21T11:38:02Z&endTime=2024-03-25T11:38:02Z");
        var exactly24h = await SendAsync(api, HttpMethod.Get,
            "subscriptions/content?contentType=Audit.Exchange&startTime=2024-03-24T11:38:02Z&endTime=2024-03-25T11:38:02Z");

        Assert.Equal((400, AF20055), tooLong);
        Assert.Equal((200, "[]"), exactly24h);
    }

    [Fact]
    public async Task Listing_StartMoreThan7DaysBack_AnswersAF20055_ButCatchUpWindowWorks_W03()
    {
        await using var emulator = await StartAsync(NewClock(new DateTimeOffset(2024, 10, 14, 9, 0, 0, TimeSpan.Zero)));
        emulator.State.EnableSubscription(T1, "Audit.General");
        using var api = await ApiClientAsync(emulator, T1);

        var stale = await SendAsync(api, HttpMethod.Get,
            "subscriptions/content?contentType=Audit.General&startTime=2024-10-05T10:27:13Z&endTime=2024-10-05T10:57:13Z");
        var clamped = await SendAsync(api, HttpMethod.Get,
            "subscriptions/content?contentType=Audit.General&startTime=2024-10-07T09:05:00Z&endTime=2024-10-08T09:05:00Z");

        Assert.Equal((400, AF20055), stale);
        Assert.Equal((200, "[]"), clamped);
    }

    [Fact]
    public async Task Listing_StartNotBeforeEnd_AnswersAF20055()
    {
        await using var emulator = await StartAsync(NewClock());
        emulator.State.EnableSubscription(T1, "Audit.General");
        using var api = await ApiClientAsync(emulator, T1);

        var equal = await SendAsync(api, HttpMethod.Get, Content("Audit.General", Start.AddHours(-1), Start.AddHours(-1)));
        var reversed = await SendAsync(api, HttpMethod.Get, Content("Audit.General", Start, Start.AddHours(-1)));

        Assert.Equal((400, AF20055), equal);
        Assert.Equal((400, AF20055), reversed);
    }

    [Fact]
    public async Task Listing_ServerClockAhead_RejectsByServerTimeAndSendsServerDate_CLK1()
    {
        // The test's clock reads 10:30; the emulator's (the server's) reads 12:00, 90 minutes ahead.
        var clock = NewClock(new DateTimeOffset(2024, 10, 14, 10, 30, 0, TimeSpan.Zero));
        await using var emulator = await StartAsync(clock, o => o with { ClockSkew = TimeSpan.FromMinutes(90) });
        emulator.State.EnableSubscription(T1, "Audit.General");
        using var api = await ApiClientAsync(emulator, T1);

        using var response = await api.GetAsync("subscriptions/content?contentType=Audit.General&startTime=2024-10-07T10:30:00Z&endTime=2024-10-07T11:00:00Z");
        var retry = await SendAsync(api, HttpMethod.Get, "subscriptions/content?contentType=Audit.General&startTime=2024-10-07T12:05:00Z&endTime=2024-10-07T13:00:00Z");

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("Mon, 14 Oct 2024 12:00:00 GMT", response.Headers.GetValues("Date").Single());
        Assert.Equal(AF20055, await response.Content.ReadAsStringAsync());
        Assert.Equal((200, "[]"), retry);
    }

    [Fact]
    public async Task Listing_EndInTheFuture_IsAccepted()
    {
        await using var emulator = await StartAsync(NewClock());
        emulator.State.EnableSubscription(T1, "Audit.General");
        using var api = await ApiClientAsync(emulator, T1);

        var result = await SendAsync(api, HttpMethod.Get, Content("Audit.General", Start.AddHours(-1), Start.AddHours(5)));

        Assert.Equal((200, "[]"), result);
    }

    [Fact]
    public async Task Listing_WithoutSubscription_AnswersAF20022()
    {
        await using var emulator = await StartAsync(NewClock());
        using var api = await ApiClientAsync(emulator, T1);

        var result = await SendAsync(api, HttpMethod.Get, Content("Audit.General", Start.AddHours(-1), Start));

        Assert.Equal((400, """{"error":{"code":"AF20022","message":"No subscription found for the specified content type."}}"""), result);
    }

    [Fact]
    public async Task Listing_FiltersOnContentCreated_StartInclusiveEndExclusive_AndWritesAbsoluteContentUri()
    {
        await using var emulator = await StartAsync(NewClock());
        emulator.State.EnableSubscription(T1, "Audit.AzureActiveDirectory");
        var atStart = emulator.State.AddBlob(T1, [Record("11111111-0000-4000-8000-000000000001")],
            new BlobOptions { ContentCreated = Start.AddHours(-2), ContentId = "20240601080000000000001$20240601080000000000001$audit_azureactivedirectory$Audit_AzureActiveDirectory$emea0001" });
        var inside = emulator.State.AddBlob(T1, [Record("11111111-0000-4000-8000-000000000002")], new BlobOptions { ContentCreated = Start.AddHours(-1.5).AddMilliseconds(123) });
        emulator.State.AddBlob(T1, [Record("11111111-0000-4000-8000-000000000003")], new BlobOptions { ContentCreated = Start.AddHours(-1) });
        emulator.State.AddBlob(T1, [Record("11111111-0000-4000-8000-000000000004")], new BlobOptions { ContentCreated = Start.AddHours(-2).AddTicks(-1) });
        emulator.State.AddBlob(T2, [Record("11111111-0000-4000-8000-000000000005")], new BlobOptions { ContentCreated = Start.AddHours(-1.5) });
        using var api = await ApiClientAsync(emulator, T1);

        var (status, body) = await SendAsync(api, HttpMethod.Get, Content("Audit.AzureActiveDirectory", Start.AddHours(-2), Start.AddHours(-1)));

        Assert.Equal(200, status);
        var entries = Array(body);
        Assert.Equal([atStart, inside], entries.Select(e => e.GetProperty("contentId").GetString()));
        Assert.Equal(["contentType", "contentId", "contentUri", "contentCreated", "contentExpiration"], entries[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal("Audit.AzureActiveDirectory", entries[0].GetProperty("contentType").GetString());
        Assert.Equal(new Uri(emulator.BaseUrl, Root + "audit/" + atStart).ToString(), entries[0].GetProperty("contentUri").GetString());
        Assert.Equal("2024-06-01T08:00:00.000Z", entries[0].GetProperty("contentCreated").GetString());
        Assert.Equal("2024-06-08T08:00:00.000Z", entries[0].GetProperty("contentExpiration").GetString());
        Assert.Equal("2024-06-01T08:30:00.123Z", entries[1].GetProperty("contentCreated").GetString());
    }

    [Theory]
    [InlineData("2024-06-01T08:00:00", "2024-06-01T09:00:00")]
    [InlineData("2024-06-01T08:00:00Z", "2024-06-01T09:00:00Z")]
    [InlineData("2024-06-01T08:00:00.0000000Z", "2024-06-01T09:00:00.0000000Z")]
    [InlineData("2024-06-01T08:00", "2024-06-01T09:00")]
    public async Task Listing_AcceptsTheDateForms_ReadAsUtc(string start, string end)
    {
        await using var emulator = await StartAsync(NewClock());
        emulator.State.EnableSubscription(T1, "Audit.General");
        var id = emulator.State.AddBlob(T1, [Record("11111111-0000-4000-8000-000000000001", "MemberAdded", 25, "MicrosoftTeams")],
            new BlobOptions { ContentCreated = new DateTimeOffset(2024, 6, 1, 8, 0, 0, TimeSpan.Zero) });
        using var api = await ApiClientAsync(emulator, T1);

        var (status, body) = await SendAsync(api, HttpMethod.Get, $"subscriptions/content?contentType=Audit.General&startTime={start}&endTime={end}");

        Assert.Equal(200, status);
        Assert.Equal([id], Array(body).Select(e => e.GetProperty("contentId").GetString()));
    }

    [Fact]
    public async Task Listing_LateBlob_ShowsUnderItsContentCreatedOnlyOnceVisible_LATE1()
    {
        var clock = NewClock(new DateTimeOffset(2024, 6, 3, 10, 0, 0, TimeSpan.Zero));
        await using var emulator = await StartAsync(clock);
        emulator.State.EnableSubscription(T1, "Audit.General");
        var b3 = emulator.State.AddBlob(T1, [Record("11111111-0000-4000-8000-000000000003", "MemberAdded", 25, "MicrosoftTeams")], new BlobOptions
        {
            ContentId = "20240603095800111222333$20240603095800111222333$audit_general$Audit_General$emea0001",
            ContentCreated = new DateTimeOffset(2024, 6, 3, 9, 58, 0, 111, TimeSpan.Zero),
            VisibleAt = new DateTimeOffset(2024, 6, 3, 10, 20, 0, TimeSpan.Zero),
        });
        using var api = await ApiClientAsync(emulator, T1);
        const string Window = "subscriptions/content?contentType=Audit.General&startTime=2024-06-03T09:00:00&endTime=2024-06-03T10:00:00";

        var before = await SendAsync(api, HttpMethod.Get, Window);
        var fetchEarly = await SendAsync(api, HttpMethod.Get, "audit/" + b3);
        clock.Advance(TimeSpan.FromMinutes(20));
        var after = await SendAsync(api, HttpMethod.Get, Window);

        Assert.Equal((200, "[]"), before);
        Assert.Equal(400, fetchEarly.Status);
        Assert.Contains("AF20050", fetchEarly.Body, StringComparison.Ordinal);
        var entry = Array(after.Body).Single();
        Assert.Equal(b3, entry.GetProperty("contentId").GetString());
        Assert.Equal("2024-06-03T09:58:00.111Z", entry.GetProperty("contentCreated").GetString());
        Assert.Equal("2024-06-10T09:58:00.111Z", entry.GetProperty("contentExpiration").GetString());
    }
}
