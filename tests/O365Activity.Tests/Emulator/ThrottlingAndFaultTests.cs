using O365Activity.Emulator;
using static O365Activity.Tests.Emulator.EmulatorKit;

namespace O365Activity.Tests.Emulator;

/// <summary>The per-tenant request budget (PROTOCOL.md §6) and injected faults.</summary>
public sealed class ThrottlingAndFaultTests
{
    [Fact]
    public async Task Throttle_OverBudget_Answers403AF429_UntilTheNextMinute()
    {
        var clock = NewClock(Start.AddSeconds(30));
        await using var emulator = await StartAsync(clock, o => o with { Throttling = new ThrottleBehavior(RequestsPerMinute: 3, StatusCode: 403) });
        emulator.State.EnableSubscription(T1, "Audit.AzureActiveDirectory");
        var id = emulator.State.AddBlob(T1, [Record("44444444-0000-4000-8000-000000000001")], new BlobOptions { ContentCreated = Start.AddMinutes(-1) });
        using var api = await ApiClientAsync(emulator, T1);
        using var other = await ApiClientAsync(emulator, T2);
        var url = $"audit/{id}?PublisherIdentifier=46b472a7-c68e-4adf-8ade-3db49497518e";

        var allowed = new[] { await SendAsync(api, HttpMethod.Get, url), await SendAsync(api, HttpMethod.Get, url), await SendAsync(api, HttpMethod.Get, url) };
        var throttled = await SendAsync(api, HttpMethod.Get, url);
        var anonymous = await SendAsync(api, HttpMethod.Get, "subscriptions/list");
        var otherTenant = await SendAsync(other, HttpMethod.Get, "subscriptions/list");
        clock.Advance(TimeSpan.FromSeconds(30));
        var nextMinute = await SendAsync(api, HttpMethod.Get, url);

        Assert.All(allowed, r => Assert.Equal(200, r.Status));
        Assert.Equal((403, """{"error":{"code":"AF429","message":"Too many requests. Method=GetBlob, PublisherId=46b472a7-c68e-4adf-8ade-3db49497518e"}}"""), throttled);
        Assert.Equal((403, """{"error":{"code":"AF429","message":"Too many requests. Method=ListSubscriptions, PublisherId=00000000-0000-0000-0000-000000000000"}}"""), anonymous);
        Assert.Equal(200, otherTenant.Status);
        Assert.Equal(200, nextMinute.Status);
    }

    [Fact]
    public async Task Throttle_PerTenant429WithRetryAfter()
    {
        await using var emulator = await StartAsync(NewClock());
        emulator.State.SetThrottling(T1, new ThrottleBehavior(RequestsPerMinute: 1, RetryAfter: TimeSpan.FromSeconds(30)));
        using var api = await ApiClientAsync(emulator, T1);

        using var first = await api.GetAsync("subscriptions/list");
        using var second = await api.GetAsync("subscriptions/list");

        Assert.Equal(200, (int)first.StatusCode);
        Assert.Equal(429, (int)second.StatusCode);
        Assert.Equal("30", second.Headers.GetValues("Retry-After").Single());
    }

    [Fact]
    public async Task Fault_NextTwoListingsOfOneTenant_AnswerHtml503_ThenNormal()
    {
        await using var emulator = await StartAsync(NewClock());
        emulator.State.EnableSubscription(T1, "Audit.General");
        emulator.State.EnableSubscription(T2, "Audit.General");
        using var fault = emulator.State.InjectFault(FaultRule.HtmlError(503) with { Kind = RequestKind.ListContent, TenantId = T1, Times = 2 });
        using var api = await ApiClientAsync(emulator, T1);
        using var other = await ApiClientAsync(emulator, T2);
        var url = Content("Audit.General", Start.AddHours(-1), Start);

        using var first = await api.GetAsync(url);
        var firstBody = await first.Content.ReadAsStringAsync();
        var otherTenant = await SendAsync(other, HttpMethod.Get, url);
        var list = await SendAsync(api, HttpMethod.Get, "subscriptions/list");
        var second = await SendAsync(api, HttpMethod.Get, url);
        var third = await SendAsync(api, HttpMethod.Get, url);

        Assert.Equal(503, (int)first.StatusCode);
        Assert.Equal("text/html; charset=utf-8", first.Content.Headers.ContentType!.ToString());
        Assert.StartsWith("<!DOCTYPE html>", firstBody, StringComparison.Ordinal);
        Assert.Equal((200, "[]"), otherTenant);
        Assert.Equal(200, list.Status);
        Assert.Equal(503, second.Status);
        Assert.Equal((200, "[]"), third);
        Assert.Equal(2, fault.Hits);
        Assert.True(fault.Retired);
        Assert.Equal([true, false, false, true, false], emulator.State.Requests.Where(r => r.Kind != RequestKind.Token).Select(r => r.Faulted));
    }

    [Fact]
    public async Task Fault_DelayOnly_SlowsTheRequestThenAnswersNormally()
    {
        await using var emulator = await StartAsync(NewClock());
        emulator.State.EnableSubscription(T1, "Audit.General");
        using var fault = emulator.State.InjectFault(new FaultRule { Kind = RequestKind.ListContent, TenantId = T1, Times = 1, Delay = TimeSpan.FromMilliseconds(300), DelayOnly = true });
        using var api = await ApiClientAsync(emulator, T1);
        var url = Content("Audit.General", Start.AddHours(-1), Start);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var slowed = await SendAsync(api, HttpMethod.Get, url);
        var slowTime = clock.Elapsed;

        Assert.Equal((200, "[]"), slowed);
        // .NET timers tick on a millisecond clock and may fire a few milliseconds before the stopwatch agrees.
        Assert.True(slowTime >= TimeSpan.FromMilliseconds(270), $"answered after {slowTime}");
        Assert.Equal(1, fault.Hits);
        Assert.False(emulator.State.Requests.Single(r => r.Kind == RequestKind.ListContent).Faulted);
    }

    [Fact]
    public async Task Fault_TokenEndpointWithHeadersAndJsonBody_UntilRemoved()
    {
        await using var emulator = await StartAsync(NewClock());
        var fault = emulator.State.InjectFault(FaultRule.ApiError(500, "AF50000", "An internal error occurred. Retry the request.") with
        {
            PathPattern = "/oauth2/v2.0/token$",
            Method = "POST",
            Times = null,
            Headers = new Dictionary<string, string> { ["Retry-After"] = "5" },
        });
        using var http = Client(emulator);

        using var first = await http.PostAsync($"{T1}/oauth2/v2.0/token", TokenForm());
        using var second = await http.PostAsync($"{T2}/oauth2/v2.0/token", TokenForm());
        fault.Dispose();
        using var third = await http.PostAsync($"{T1}/oauth2/v2.0/token", TokenForm());

        Assert.Equal(500, (int)first.StatusCode);
        Assert.Equal("""{"error":{"code":"AF50000","message":"An internal error occurred. Retry the request."}}""", await first.Content.ReadAsStringAsync());
        Assert.Equal("5", first.Headers.GetValues("Retry-After").Single());
        Assert.Equal(500, (int)second.StatusCode);
        Assert.Equal(200, (int)third.StatusCode);
        Assert.Equal(2, fault.Hits);
    }

    [Fact]
    public async Task Fault_AbortConnection_FailsTheClientRequest()
    {
        await using var emulator = await StartAsync(NewClock());
        emulator.State.InjectFault(new FaultRule { Kind = RequestKind.ListSubscriptions, AbortConnection = true });
        using var api = await ApiClientAsync(emulator, T1);

        await Assert.ThrowsAsync<HttpRequestException>(() => api.GetAsync("subscriptions/list"));
        var after = await SendAsync(api, HttpMethod.Get, "subscriptions/list");

        Assert.Equal((200, "[]"), after);
    }

    [Fact]
    public async Task Fault_DoesNotCountAgainstTheBudget()
    {
        await using var emulator = await StartAsync(NewClock());
        emulator.State.SetThrottling(T1, new ThrottleBehavior(RequestsPerMinute: 1));
        using var api = await ApiClientAsync(emulator, T1);
        emulator.State.InjectFault(FaultRule.HtmlError(502) with { TenantId = T1 });

        var faulted = await SendAsync(api, HttpMethod.Get, "subscriptions/list");
        var counted = await SendAsync(api, HttpMethod.Get, "subscriptions/list");

        Assert.Equal(502, faulted.Status);
        Assert.Equal((200, "[]"), counted);
    }
}
