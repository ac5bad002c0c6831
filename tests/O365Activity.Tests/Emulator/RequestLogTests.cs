using O365Activity.Emulator;
using static O365Activity.Tests.Emulator.EmulatorKit;

namespace O365Activity.Tests.Emulator;

/// <summary>The request log: what tests assert on the requests a client sent (case W01: every listing carries a window ≤ 24 h).</summary>
public sealed class RequestLogTests
{
    [Fact]
    public async Task RequestLog_RecordsKindTenantStatusErrorCodeAndFullUrl()
    {
        var clock = NewClock();
        await using var emulator = await StartAsync(clock);
        emulator.State.EnableSubscription(T1, "Audit.General");
        using var api = await ApiClientAsync(emulator, T1);
        clock.Advance(TimeSpan.FromSeconds(5));

        await SendAsync(api, HttpMethod.Get, Content("Audit.General", Start.AddHours(-2), Start.AddHours(-1)));
        await SendAsync(api, HttpMethod.Get, "subscriptions/content?contentType=Audit.General");
        await SendAsync(api, HttpMethod.Post, "subscriptions/start?contentType=Audit.General");

        var requests = emulator.State.Requests;
        Assert.Equal([RequestKind.Token, RequestKind.ListContent, RequestKind.ListContent, RequestKind.StartSubscription], requests.Select(r => r.Kind));
        var token = requests[0];
        Assert.Equal(("POST", 200, ClientId, (Guid?)T1, Start), (token.Method, token.StatusCode, token.ClientId, token.TenantId, token.Time));
        var listing = requests[1];
        Assert.Equal(new Uri(emulator.BaseUrl, $"api/v1.0/{T1}/activity/feed/" + Content("Audit.General", Start.AddHours(-2), Start.AddHours(-1))), listing.Url);
        Assert.Equal(("GET", 200, (string?)null, T1.ToString(), Start.AddSeconds(5)), (listing.Method, listing.StatusCode, listing.ErrorCode, listing.TenantSegment, listing.Time));
        Assert.Equal("2024-06-01T08:00:00", listing.Query("starttime"));
        Assert.Equal((400, "Value cannot be null.\r\nParameter name: s"), (requests[2].StatusCode, requests[2].ErrorCode));
        Assert.Equal((400, "AF20024"), (requests[3].StatusCode, requests[3].ErrorCode));
    }

    [Fact]
    public async Task RequestLog_LetsATestCheckEveryListingWindow_W01()
    {
        await using var emulator = await StartAsync(NewClock());
        emulator.State.EnableSubscription(T1, "Audit.General");
        using var api = await ApiClientAsync(emulator, T1);
        await SendAsync(api, HttpMethod.Get, Content("Audit.General", Start.AddHours(-24), Start));
        await SendAsync(api, HttpMethod.Get, $"subscriptions/content?contentType=Audit.General&startTime={Iso(Start.AddHours(-1))}");

        var violations = emulator.State.Requests.Where(r => r.Kind == RequestKind.ListContent).Where(r =>
            r.Query("startTime") is not { } s || r.Query("endTime") is not { } e
            || DateTimeOffset.Parse(e, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal)
                - DateTimeOffset.Parse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal) > TimeSpan.FromHours(24)).ToList();

        Assert.Single(violations);
        Assert.Null(violations[0].Query("endTime"));
    }

    [Fact]
    public async Task WaitForRequest_CompletesWhenAMatchingRequestArrives_AndCountsLoggedOnes()
    {
        await using var emulator = await StartAsync(NewClock());
        using var api = await ApiClientAsync(emulator, T1);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var pending = emulator.State.WaitForRequestAsync(r => r.Kind == RequestKind.ListSubscriptions, includeLogged: true, timeout.Token);
        Assert.False(pending.IsCompleted);
        await SendAsync(api, HttpMethod.Get, "subscriptions/list");
        var seen = await pending;
        var already = await emulator.State.WaitForRequestAsync(r => r.Kind == RequestKind.Token, cancellationToken: timeout.Token);
        var notYet = emulator.State.WaitForRequestAsync(r => r.Kind == RequestKind.Token, includeLogged: false, timeout.Token);
        emulator.State.ClearRequests();

        Assert.Equal(200, seen.StatusCode);
        Assert.Equal(RequestKind.Token, already.Kind);
        Assert.False(notYet.IsCompleted);
        Assert.Empty(emulator.State.Requests);
        await timeout.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => notYet);
    }
}
