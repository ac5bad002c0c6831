using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using O365Activity.Emulator;
using O365Activity.Grains.Collection;

namespace O365Activity.Tests.Collection;

/// <summary>The Management Activity API client over real HTTP against the emulator, with the real MSAL token provider.</summary>
public sealed class ManagementApiClientTests : IAsyncLifetime
{
    private const string ClientId = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    private const string Secret = "client-test-secret";
    private const string Aad = "Audit.AzureActiveDirectory";
    private readonly Guid _tenant = Guid.NewGuid();
    private EmulatorServer _emulator = null!;
    private ServiceProvider _services = null!;
    private ManagementApiClient _client = null!;

    public async Task InitializeAsync()
    {
        _emulator = await EmulatorServer.StartAsync(new EmulatorOptions { ClientId = ClientId, ClientSecret = Secret, AutoConsentAllTenants = true });
        _services = CollectorServices.Create(_emulator, ClientId, Secret);
        _client = _services.GetRequiredService<ManagementApiClient>();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _emulator.DisposeAsync();
    }

    [Theory]
    [InlineData("NextPageUri", false)]
    [InlineData("nextpageuri", false)]
    [InlineData("NextPageUrl", false)]
    [InlineData("NextPageUri", true)]
    public async Task ListContentAsync_P01_FollowsEveryPage(string header, bool emptyFirstPage)
    {
        _emulator.State.EnableSubscription(_tenant, Aad);
        _emulator.State.SetPaging(_tenant, new PagingBehavior(PageSize: 100, HeaderName: header, EmptyFirstPage: emptyFirstPage));
        var now = DateTimeOffset.UtcNow;
        var added = Enumerable.Range(0, 137)
            .Select(i => _emulator.State.AddBlob(_tenant, [Record(i)], new BlobOptions { ContentType = Aad, ContentCreated = now.AddMinutes(-30).AddSeconds(i) }))
            .ToHashSet();

        var blobs = await _client.ListContentAsync(_tenant, Aad, now.AddHours(-1), now.AddMinutes(1), CancellationToken.None);

        Assert.Equal(137, blobs.Count);
        Assert.True(added.SetEquals(blobs.Select(b => b.ContentId)), "every listed blob, each once");
        var listings = _emulator.State.Requests.Where(r => r.TenantId == _tenant && r.Url.AbsolutePath.Contains("subscriptions/content", StringComparison.Ordinal)).ToList();
        Assert.Equal(emptyFirstPage ? 3 : 2, listings.Count);
        Assert.All(listings, r => Assert.Equal(200, r.StatusCode));
    }

    [Fact]
    public async Task ListContentAsync_W02_WindowOverTwentyFourHours_IsRefusedBeforeSending()
    {
        var now = DateTimeOffset.UtcNow;

        await Assert.ThrowsAsync<ArgumentException>(() => _client.ListContentAsync(_tenant, Aad, now.AddHours(-25), now, CancellationToken.None));

        Assert.DoesNotContain(_emulator.State.Requests, r => r.TenantId == _tenant);
    }

    [Fact]
    public async Task ListContentAsync_W01_SendsBothTimesInUtc()
    {
        _emulator.State.EnableSubscription(_tenant, Aad);
        var start = new DateTimeOffset(DateTimeOffset.UtcNow.Date.AddHours(1), TimeSpan.Zero).AddDays(-1);

        await _client.ListContentAsync(_tenant, Aad, start.ToOffset(TimeSpan.FromHours(-5)), start.AddHours(2), CancellationToken.None);

        var listing = Assert.Single(_emulator.State.Requests, r => r.TenantId == _tenant && r.Url.AbsolutePath.Contains("subscriptions/content", StringComparison.Ordinal));
        Assert.Equal(start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss"), listing.Query("startTime"));
        Assert.Equal(start.AddHours(2).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss"), listing.Query("endTime"));
    }

    [Fact]
    public async Task ListContentAsync_NoSubscription_IsAF20022()
    {
        var now = DateTimeOffset.UtcNow;

        var error = await Assert.ThrowsAsync<ManagementApiException>(() => _client.ListContentAsync(_tenant, Aad, now.AddHours(-1), now, CancellationToken.None));

        Assert.Equal(("AF20022", HttpStatusCode.BadRequest), (error.Code, error.Status));
    }

    [Fact]
    public async Task StartSubscriptionAsync_S01_AlreadyEnabled_IsSuccess()
    {
        _emulator.State.EnableSubscription(_tenant, Aad);

        await _client.StartSubscriptionAsync(_tenant, Aad, CancellationToken.None);

        var start = Assert.Single(_emulator.State.Requests, r => r.TenantId == _tenant && r.Url.AbsolutePath.Contains("subscriptions/start", StringComparison.Ordinal));
        Assert.Equal((400, "AF20024"), (start.StatusCode, start.ErrorCode));
        Assert.Contains(await _client.ListSubscriptionsAsync(_tenant, CancellationToken.None), s => s.ContentType == Aad && s.IsEnabled);
    }

    [Fact]
    public async Task FetchContentAsync_YieldsTheBlobsRecords()
    {
        _emulator.State.EnableSubscription(_tenant, Aad);
        var now = DateTimeOffset.UtcNow;
        _emulator.State.AddBlob(_tenant, [Record(1), Record(2), Record(3)], new BlobOptions { ContentType = Aad, ContentCreated = now.AddMinutes(-5) });
        var blob = Assert.Single(await _client.ListContentAsync(_tenant, Aad, now.AddHours(-1), now.AddMinutes(1), CancellationToken.None));

        var records = new List<JsonElement>();
        await foreach (var record in _client.FetchContentAsync(_tenant, blob, CancellationToken.None))
        {
            records.Add(record);
        }

        Assert.Equal([Id(1), Id(2), Id(3)], records.Select(r => r.GetProperty("Id").GetString()));
        Assert.All(records, r => Assert.Equal(_tenant.ToString(), r.GetProperty("OrganizationId").GetString()));
    }

    [Fact]
    public async Task FetchContentAsync_ContentUriOffTheApiHost_IsRefusedWithoutSendingTheToken()
    {
        var blob = new ContentBlob { ContentId = "x", ContentUri = "http://203.0.113.9/api/v1.0/x/activity/feed/audit/x", ContentCreated = DateTimeOffset.UtcNow };

        var error = await Assert.ThrowsAsync<ManagementApiException>(async () =>
        {
            await foreach (var _ in _client.FetchContentAsync(_tenant, blob, CancellationToken.None))
            {
            }
        });

        Assert.Contains("refusing to follow", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchContentAsync_ExpiredContent_IsAF20051()
    {
        _emulator.State.EnableSubscription(_tenant, Aad);
        var now = DateTimeOffset.UtcNow;
        _emulator.State.AddBlob(_tenant, [Record(1)], new BlobOptions { ContentType = Aad, ContentCreated = now.AddMinutes(-5), ContentExpiration = now.AddMinutes(-1) });
        var blob = Assert.Single(await _client.ListContentAsync(_tenant, Aad, now.AddHours(-1), now.AddMinutes(1), CancellationToken.None));

        var error = await Assert.ThrowsAsync<ManagementApiException>(async () =>
        {
            await foreach (var _ in _client.FetchContentAsync(_tenant, blob, CancellationToken.None))
            {
            }
        });

        Assert.Equal("AF20051", error.Code);
    }

    [Fact]
    public async Task ListSubscriptionsAsync_HtmlErrorPageOnce_IsRetriedAndSucceeds()
    {
        using var fault = _emulator.State.InjectFault(FaultRule.HtmlError(502) with { Kind = RequestKind.ListSubscriptions, TenantId = _tenant, Times = 1 });

        var subscriptions = await _client.ListSubscriptionsAsync(_tenant, CancellationToken.None);

        Assert.Empty(subscriptions);
        Assert.Equal(1, fault.Hits);
    }

    [Fact]
    public async Task ListSubscriptionsAsync_HtmlClientError_IsATypedErrorWithTheBody()
    {
        using var fault = _emulator.State.InjectFault(FaultRule.HtmlError(404) with { Kind = RequestKind.ListSubscriptions, TenantId = _tenant, Times = 1 });

        var error = await Assert.ThrowsAsync<ManagementApiException>(() => _client.ListSubscriptionsAsync(_tenant, CancellationToken.None));

        Assert.Equal(HttpStatusCode.NotFound, error.Status);
        Assert.Null(error.Code);
        Assert.Contains("<", error.RawBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListSubscriptionsAsync_TokenRejectedOnce_RefreshesTheTokenAndRetries()
    {
        using var fault = _emulator.State.InjectFault(new FaultRule
        {
            Kind = RequestKind.ListSubscriptions, TenantId = _tenant, Times = 1, StatusCode = 401, ContentType = "application/json",
            Body = """{"Message":"Authorization has been denied for this request."}""",
        });

        await _client.ListSubscriptionsAsync(_tenant, CancellationToken.None);

        Assert.Equal(1, fault.Hits);
        Assert.Equal(2, _emulator.State.Requests.Count(r => r.TenantId == _tenant && r.Url.AbsolutePath.Contains("subscriptions/list", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ListContentAsync_BurstOf5xx_IsRetriedCalmlyAfterAtLeastTheFloorEachTime()
    {
        _emulator.State.EnableSubscription(_tenant, Aad);
        using var fault = _emulator.State.InjectFault(FaultRule.HtmlError(503) with { Kind = RequestKind.ListContent, TenantId = _tenant, Times = 2 });
        var now = DateTimeOffset.UtcNow;

        await _client.ListContentAsync(_tenant, Aad, now.AddHours(-1), now, CancellationToken.None);

        var listings = _emulator.State.Requests.Where(r => r.TenantId == _tenant && r.Kind == RequestKind.ListContent).Select(r => r.Time).ToList();
        Assert.Equal(3, listings.Count);
        Assert.All(listings.Zip(listings.Skip(1)), pair => Assert.True(pair.Second - pair.First >= TimeSpan.FromSeconds(0.95), $"retried after {(pair.Second - pair.First).TotalMilliseconds:F0} ms"));
    }

    [Fact]
    public async Task StartSubscriptionAsync_RetryAfterLongerThanTheInlineWait_FailsAtOnceWithTheWaitForThePollToSchedule()
    {
        using var fault = _emulator.State.InjectFault(FaultRule.ApiError(429, "AF429", "Too many requests.") with
        {
            Kind = RequestKind.StartSubscription, TenantId = _tenant, Times = null, Headers = new Dictionary<string, string> { ["Retry-After"] = "120" },
        });
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<ManagementApiException>(() => _client.StartSubscriptionAsync(_tenant, Aad, CancellationToken.None));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the call waited {clock.Elapsed} inside itself");
        Assert.Equal(TimeSpan.FromSeconds(120), error.RetryAfter);
        Assert.True(error.IsThrottled);
        Assert.Equal(1, fault.Hits);
    }

    [Fact]
    public async Task ListSubscriptionsAsync_ShortRetryAfter_IsWaitedThenRetried()
    {
        using var fault = _emulator.State.InjectFault(FaultRule.HtmlError(503) with
        {
            Kind = RequestKind.ListSubscriptions, TenantId = _tenant, Times = 1, Headers = new Dictionary<string, string> { ["Retry-After"] = "2" },
        });
        var clock = System.Diagnostics.Stopwatch.StartNew();

        await _client.ListSubscriptionsAsync(_tenant, CancellationToken.None);

        Assert.Equal(1, fault.Hits);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.9), $"retried after {clock.Elapsed}, before the 2 s the API asked for");
    }

    [Fact]
    public async Task FetchContentAsync_BodyCutMidStream_IsATypedErrorOfThatBlob()
    {
        _emulator.State.EnableSubscription(_tenant, Aad);
        var now = DateTimeOffset.UtcNow;
        _emulator.State.AddBlob(_tenant, Enumerable.Range(1, 200).Select(Record), new BlobOptions { ContentType = Aad, ContentCreated = now.AddMinutes(-5) });
        var blob = Assert.Single(await _client.ListContentAsync(_tenant, Aad, now.AddHours(-1), now.AddMinutes(1), CancellationToken.None));
        using var fault = _emulator.State.InjectFault(new FaultRule { Kind = RequestKind.GetBlob, TenantId = _tenant, CutBodyAfterBytes = 5_000 });
        var records = 0;

        var error = await Assert.ThrowsAsync<ManagementApiException>(async () =>
        {
            await foreach (var _ in _client.FetchContentAsync(_tenant, blob, CancellationToken.None))
            {
                records++;
            }

        });

        Assert.Equal(1, fault.Hits);
        Assert.Single(_emulator.State.Requests, r => r.TenantId == _tenant && r.Kind == RequestKind.GetBlob);
        Assert.False(error.IsThrottled);
        Assert.Contains("the body was cut", error.Message, StringComparison.Ordinal);
        Assert.InRange(records, 0, 199);
    }

    private static string Id(int i) => $"00000000-0000-4000-8000-{i:D12}";

    private static string Record(int i) =>
        $$"""{"CreationTime":"2024-06-04T08:00:10","Id":"{{Id(i)}}","Operation":"UserLoggedIn","RecordType":15,"Workload":"AzureActiveDirectory","UserId":"u{{i}}@example.com"}""";
}
