using O365Activity.Emulator;
using static O365Activity.Tests.Emulator.EmulatorKit;

namespace O365Activity.Tests.Emulator;

/// <summary>Paged content listings (PROTOCOL.md §5, case P01).</summary>
public sealed class PagingTests
{
    private static readonly DateTimeOffset WindowStart = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string Window = "subscriptions/content?contentType=Audit.Exchange&startTime=2024-06-01T00:00:00Z&endTime=2024-06-01T01:00:00Z";

    private static async Task<(EmulatorServer Emulator, HttpClient Api, List<string> Ids)> SetUpAsync(int blobs, PagingBehavior? paging = null)
    {
        var emulator = await StartAsync(NewClock(new DateTimeOffset(2024, 6, 1, 2, 0, 0, TimeSpan.Zero)),
            o => paging is null ? o : o with { Paging = paging });
        emulator.State.EnableSubscription(T1, "Audit.Exchange");
        var ids = new List<string>();
        for (var i = 0; i < blobs; i++)
        {
            ids.Add(emulator.State.AddBlob(T1, [Record($"22222222-0000-4000-8000-{i:D12}", "Set-Mailbox", 1, "Exchange")],
                new BlobOptions { ContentCreated = WindowStart.AddSeconds(10 + (i * 20)) }));
        }

        return (emulator, await ApiClientAsync(emulator, T1), ids);
    }

    [Theory]
    [InlineData("NextPageUri")]
    [InlineData("NextPageUrl")]
    [InlineData("nextpageuri")]
    public async Task Listing_137Blobs_TwoPagesOf100And37_HeaderOnFirstOnly_P01(string headerName)
    {
        var (emulator, api, ids) = await SetUpAsync(137, PagingBehavior.Default with { HeaderName = headerName });
        await using var _ = emulator;
        using var __ = api;

        using var first = await api.GetAsync(Window);
        var firstIds = Array(await first.Content.ReadAsStringAsync()).Select(e => e.GetProperty("contentId").GetString()!).ToList();
        var next = first.Headers.GetValues(headerName).Single();
        Assert.Equal([headerName], first.Headers.Where(h => h.Key.StartsWith("next", StringComparison.OrdinalIgnoreCase)).Select(h => h.Key));
        using var second = await api.GetAsync(next);
        var secondIds = Array(await second.Content.ReadAsStringAsync()).Select(e => e.GetProperty("contentId").GetString()!).ToList();

        Assert.Equal(100, firstIds.Count);
        Assert.Equal(37, secondIds.Count);
        Assert.Equal(ids, firstIds.Concat(secondIds));
        Assert.StartsWith(new Uri(emulator.BaseUrl, $"api/v1.0/{T1}/activity/feed/" + Window + "&nextPage=").ToString(), next, StringComparison.Ordinal);
        Assert.Equal(200, (int)second.StatusCode);
        Assert.DoesNotContain(second.Headers, h => h.Key.StartsWith("next", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Listing_LowerCaseUriStyle_WritesTheServiceForm_P01()
    {
        var (emulator, api, _) = await SetUpAsync(3, new PagingBehavior(PageSize: 2, UriStyle: NextPageUriStyle.LowerCaseLikeService));
        await using var _1 = emulator;
        using var _2 = api;

        using var first = await api.GetAsync(Window + "&PublisherIdentifier=46b472a7-c68e-4adf-8ade-3db49497518e");
        var next = first.Headers.GetValues("NextPageUri").Single();
        var second = await SendAsync(api, HttpMethod.Get, next);

        Assert.Matches(
            "^" + System.Text.RegularExpressions.Regex.Escape(new Uri(emulator.BaseUrl, $"api/v1.0/{T1}/activity/feed/subscriptions/content").ToString())
            + @"\?contenttype=Audit\.Exchange&starttime=2024-06-01T00:00:00\.0000000Z&endtime=2024-06-01T01:00:00\.0000000Z"
            + @"&publisheridentifier=46b472a7-c68e-4adf-8ade-3db49497518e&nextpage=20240601000050000\d{6}\$20240601000000000000000\$emea0001$",
            next);
        Assert.Equal(200, second.Status);
        Assert.Single(Array(second.Body));
    }

    [Fact]
    public async Task Listing_EmptyFirstPage_StillCarriesNextPage_P01()
    {
        var (emulator, api, ids) = await SetUpAsync(3, PagingBehavior.Default with { EmptyFirstPage = true });
        await using var _1 = emulator;
        using var _2 = api;

        using var first = await api.GetAsync(Window);
        var firstBody = await first.Content.ReadAsStringAsync();
        using var second = await api.GetAsync(first.Headers.GetValues("NextPageUri").Single());
        var secondIds = Array(await second.Content.ReadAsStringAsync()).Select(e => e.GetProperty("contentId").GetString()!);

        Assert.Equal("[]", firstBody);
        Assert.Equal(ids, secondIds);
        Assert.False(second.Headers.Contains("NextPageUri"));
    }

    [Fact]
    public async Task Listing_PerTenantPaging_OverridesTheDefault()
    {
        var (emulator, api, _) = await SetUpAsync(5);
        await using var _1 = emulator;
        using var _2 = api;
        emulator.State.SetPaging(T1, new PagingBehavior(PageSize: 2));

        using var first = await api.GetAsync(Window);

        Assert.Equal(2, Array(await first.Content.ReadAsStringAsync()).Length);
        Assert.True(first.Headers.Contains("NextPageUri"));
    }

    [Fact]
    public async Task Listing_InvalidOrInvalidatedPageToken_AnswersAF20031()
    {
        var (emulator, api, _) = await SetUpAsync(3, new PagingBehavior(PageSize: 2));
        await using var _1 = emulator;
        using var _2 = api;
        using var first = await api.GetAsync(Window);
        var next = first.Headers.GetValues("NextPageUri").Single();

        var forged = await SendAsync(api, HttpMethod.Get, Window + "&nextPage=20240601003000000000000$20240601000000000000000$emea0012");
        var otherWindow = await SendAsync(api, HttpMethod.Get,
            next.Replace("endTime=2024-06-01T01:00:00Z", "endTime=2024-06-01T01:30:00Z", StringComparison.Ordinal));
        emulator.State.InvalidatePageTokens();
        var invalidated = await SendAsync(api, HttpMethod.Get, next);

        Assert.Equal((400, """{"error":{"code":"AF20031","message":"Invalid nextPage Input: 20240601003000000000000$20240601000000000000000$emea0012."}}"""), forged);
        Assert.Equal(400, otherWindow.Status);
        Assert.Contains("AF20031", otherWindow.Body, StringComparison.Ordinal);
        Assert.Equal(400, invalidated.Status);
        Assert.Contains("AF20031", invalidated.Body, StringComparison.Ordinal);
    }
}
