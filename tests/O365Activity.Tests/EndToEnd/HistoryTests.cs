using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using O365Activity.Emulator;
using O365Activity.Protos.V1;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.EndToEnd;

/// <summary>
/// The History service through the gateway, over records collected from the emulator: pages with tokens that cover
/// every event once in either order, the filters, one user's activity, sign-ins by location, and every refusal
/// (INVALID_ARGUMENT naming the field, NOT_FOUND for a tenant without a source).
/// </summary>
[Collection(ServiceCollection.Name)]
public sealed class HistoryTests(ServiceFixture service) : IAsyncLifetime
{
    private const int AnaSuccesses = 12;
    private const int AnaFailures = 5;
    private readonly Guid _tenant = Guid.NewGuid();
    private readonly History.HistoryClient _history = new(service.Channel);
    private readonly NumberedRecords _records = new("0d0c0a1e-0000-4000-8000-");

    private string Tenant => _tenant.ToString();

    public async Task InitializeAsync()
    {
        var records = new List<string>();
        for (var i = 0; i < AnaSuccesses; i++)
        {
            records.Add(_records.SignIn("ana@example.com", $"203.0.113.{i + 1}", $"2024-06-04T08:{i:D2}:00"));
        }

        for (var i = 0; i < AnaFailures; i++)
        {
            records.Add(_records.Failure("Ana@Example.com", "203.0.113.200", $"2024-06-04T09:{i:D2}:00"));
        }

        records.Add(_records.SignIn("bob@example.com", "2001:db8:4::17", "2024-06-04T10:00:00"));
        records.Add(_records.SignIn("bob@example.com", "2001:db8:4::18", "2024-06-04T10:01:00"));
        records.Add(_records.SignIn("fay@fed.example.net", "203.0.113.50", "2024-06-04T10:02:00"));
        records.Add(_records.SignIn("cy@example.com", "198.51.100.7", "2024-06-04T10:03:00"));
        records.Add(_records.Admin("Reset user password.", "admin@example.com", "ana@example.com", "2024-06-04T11:00:00"));
        records.Add(_records.Admin("Update user.", "ana@example.com", "bob@example.com", "2024-06-04T11:01:00"));
        records.Add(_records.Admin("Update user.", "admin@example.com", "cy@example.com", "2024-06-04T11:02:00"));
        service.Emulator.State.AddBlob(_tenant, records, new BlobOptions { ContentType = "Audit.AzureActiveDirectory" });
        var sources = new EventSources.EventSourcesClient(service.Channel);
        var request = new CreateEventSourceRequest { TenantId = Tenant, ContentTypes = { "Audit.AzureActiveDirectory" }, FederatedDomains = { "fed.example.net" } };
        var created = await sources.CreateEventSourceAsync(request);
        using (var browser = new HttpClient())
        {
            (await browser.GetAsync(created.AdminConsentUrl)).EnsureSuccessStatusCode();
        }

        await TestSources.WaitForSequenceAsync(sources, _tenant, records.Count, TimeSpan.FromSeconds(30));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData(SortOrder.NewestFirst)]
    [InlineData(SortOrder.OldestFirst)]
    public async Task ListIngress_PagesWithTokens_CoverEverySignInOnceInOrder(SortOrder order)
    {
        var sequences = new List<long>();
        var pages = 0;
        var token = "";
        do
        {
            var page = await _history.ListIngressAsync(new ListIngressRequest { TenantId = Tenant, PageSize = 7, Order = order, PageToken = token });
            Assert.True(page.Events.Count <= 7);
            sequences.AddRange(page.Events.Select(e => e.Header.Sequence));
            token = page.NextPageToken;
            pages++;
        }
        while (token != "");

        Assert.Equal(AnaSuccesses + AnaFailures + 4, sequences.Count);
        Assert.Equal(3, pages);
        Assert.Equal(order == SortOrder.NewestFirst ? sequences.OrderDescending() : sequences.Order(), sequences);
        Assert.Equal(sequences.Count, sequences.Distinct().Count());
    }

    [Fact]
    public async Task ListIngress_Filters_ByUserInAnyCaseResultAddressAndTime()
    {
        var ana = await _history.ListIngressAsync(new ListIngressRequest { TenantId = Tenant, User = " ANA@example.COM ", PageSize = 1000 });
        Assert.Equal(AnaSuccesses + AnaFailures, ana.Events.Count);
        Assert.All(ana.Events, e => Assert.Equal("ana@example.com", e.User, ignoreCase: true));

        var failures = await _history.ListIngressAsync(new ListIngressRequest { TenantId = Tenant, Results = { SignInResult.Failure } });
        Assert.Equal(AnaFailures, failures.Events.Count);
        Assert.All(failures.Events, e => Assert.Equal(SignInResult.Failure, e.Result));

        var network = await _history.ListIngressAsync(new ListIngressRequest { TenantId = Tenant, ClientAddress = "2001:db8:4::/64" });
        Assert.Equal(["2001:db8:4::18", "2001:db8:4::17"], network.Events.Select(e => e.ClientAddress.Ip));
        var one = await _history.ListIngressAsync(new ListIngressRequest { TenantId = Tenant, ClientAddress = "203.0.113.200" });
        Assert.Equal(AnaFailures, one.Events.Count);
        var mapped = await _history.ListIngressAsync(new ListIngressRequest { TenantId = Tenant, ClientAddress = "::ffff:203.0.113.200" });
        Assert.Equal(one.Events, mapped.Events);
        var mappedNetwork = await _history.ListIngressAsync(new ListIngressRequest { TenantId = Tenant, ClientAddress = "::ffff:203.0.113.0/120", PageSize = 1000 });
        Assert.Equal(AnaSuccesses + AnaFailures + 1, mappedNetwork.Events.Count);

        var window = await _history.ListIngressAsync(new ListIngressRequest
        {
            TenantId = Tenant,
            StartTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2024, 6, 4, 8, 10, 0, TimeSpan.Zero)),
            EndTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2024, 6, 4, 9, 2, 0, TimeSpan.Zero)),
        });
        Assert.Equal(2 + 2, window.Events.Count);
    }

    [Fact]
    public async Task ListAdmin_FiltersByUserOnEitherSideAndByAction()
    {
        var ana = await _history.ListAdminAsync(new ListAdminRequest { TenantId = Tenant, User = "ana@example.com" });
        Assert.Equal([("ana@example.com", "bob@example.com"), ("admin@example.com", "ana@example.com")], ana.Events.Select(e => (e.Actor, e.Target)));

        var resets = await _history.ListAdminAsync(new ListAdminRequest { TenantId = Tenant, Actions = { AdminAction.PasswordReset } });
        Assert.Equal("ana@example.com", Assert.Single(resets.Events).Target);
        var updates = await _history.ListAdminAsync(new ListAdminRequest { TenantId = Tenant, Actions = { AdminAction.UserUpdated }, Order = SortOrder.OldestFirst });
        Assert.Equal(["bob@example.com", "cy@example.com"], updates.Events.Select(e => e.Target));
    }

    [Fact]
    public async Task GetUserActivity_GivesSignInsChangesAndWhereFrom()
    {
        var activity = await _history.GetUserActivityAsync(new GetUserActivityRequest { TenantId = Tenant, User = "ana@example.com", PageSize = 10 });

        Assert.Equal(10, activity.SignIns.Count);
        Assert.Equal((long)(AnaSuccesses + AnaFailures), activity.SignInCount);
        Assert.Equal(AnaFailures, activity.FailureCount);
        Assert.Equal("bob@example.com", Assert.Single(activity.ChangesMade).Target);
        Assert.Equal(AdminAction.PasswordReset, Assert.Single(activity.ChangesReceived).Action);
        var netherlands = Assert.Single(activity.Countries);
        Assert.Equal(("NL", "Netherlands", (long)(AnaSuccesses + AnaFailures), (long)AnaFailures), (netherlands.Value, netherlands.Label, netherlands.SignIns, netherlands.Failures));
        Assert.Equal(new DateTimeOffset(2024, 6, 4, 8, 0, 0, TimeSpan.Zero), netherlands.FirstSeen.ToDateTimeOffset());
        Assert.Equal(new DateTimeOffset(2024, 6, 4, 9, AnaFailures - 1, 0, TimeSpan.Zero), netherlands.LastSeen.ToDateTimeOffset());
        Assert.Equal("203.0.113.200", activity.Addresses[0].Value);
        Assert.Equal(AnaSuccesses + 1, activity.Addresses.Count);
    }

    [Fact]
    public async Task ListLocations_CountsByLocation_LeavingOutFederatedAndUnlocatedSignIns()
    {
        var response = await _history.ListLocationsAsync(new ListLocationsRequest { TenantId = Tenant });

        Assert.Equal(["NL", "JP"], response.Locations.Select(l => l.Location.CountryCode));
        var amsterdam = response.Locations[0];
        Assert.Equal(("Amsterdam", 52.3759, 4.8975), (amsterdam.Location.City, amsterdam.Location.Latitude, amsterdam.Location.Longitude));
        Assert.Equal((AnaSuccesses, AnaFailures, 0, 1), ((int)amsterdam.Successes, (int)amsterdam.Failures, (int)amsterdam.Interrupted, (int)amsterdam.UserCount));
        Assert.Equal(["ana@example.com"], amsterdam.Users);
        Assert.Equal((2L, 1L), (response.Locations[1].Successes, response.Locations[1].UserCount));
        Assert.Equal((1L, 1L), (response.UnreliableSignIns, response.UnlocatedSignIns));
    }

    [Fact]
    public async Task Requests_OutOfBounds_AreRefusedWithWhatIsWrong()
    {
        await AssertRefused(StatusCode.InvalidArgument, "page_size", _history.ListIngressAsync(new ListIngressRequest { TenantId = Tenant, PageSize = 1001 }).ResponseAsync);
        await AssertRefused(StatusCode.InvalidArgument, "page_size", _history.ListAdminAsync(new ListAdminRequest { TenantId = Tenant, PageSize = -1 }).ResponseAsync);
        await AssertRefused(StatusCode.InvalidArgument, "page_token", _history.ListIngressAsync(new ListIngressRequest { TenantId = Tenant, PageToken = "not a token!" }).ResponseAsync);
        await AssertRefused(StatusCode.InvalidArgument, "did you mean 203.0.113.0/24", _history.ListIngressAsync(new ListIngressRequest { TenantId = Tenant, ClientAddress = "203.0.113.9/24" }).ResponseAsync);
        await AssertRefused(StatusCode.InvalidArgument, "client_address", _history.ListAdminAsync(new ListAdminRequest { TenantId = Tenant, ClientAddress = "intranet\u001b[2J" }).ResponseAsync);
        await AssertRefused(StatusCode.InvalidArgument, "end_time", _history.ListLocationsAsync(new ListLocationsRequest
        {
            TenantId = Tenant, StartTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddDays(2)), EndTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddDays(1)),
        }).ResponseAsync);
        await AssertRefused(StatusCode.InvalidArgument, "start_time", _history.ListIngressAsync(new ListIngressRequest { TenantId = Tenant, StartTime = new Timestamp { Seconds = 1, Nanos = -5 } }).ResponseAsync);
        await AssertRefused(StatusCode.InvalidArgument, "results", _history.ListIngressAsync(new ListIngressRequest { TenantId = Tenant, Results = { (SignInResult)99 } }).ResponseAsync);
        await AssertRefused(StatusCode.InvalidArgument, "actions", _history.ListAdminAsync(new ListAdminRequest { TenantId = Tenant, Actions = { (AdminAction)999 } }).ResponseAsync);
        await AssertRefused(StatusCode.InvalidArgument, "order", _history.ListAdminAsync(new ListAdminRequest { TenantId = Tenant, Order = (SortOrder)7 }).ResponseAsync);
        await AssertRefused(StatusCode.InvalidArgument, "user is required", _history.GetUserActivityAsync(new GetUserActivityRequest { TenantId = Tenant, User = "  " }).ResponseAsync);
        await AssertRefused(StatusCode.InvalidArgument, "tenant_id", _history.ListLocationsAsync(new ListLocationsRequest { TenantId = "contoso" }).ResponseAsync);
        await AssertRefused(StatusCode.NotFound, "no event source", _history.ListIngressAsync(new ListIngressRequest { TenantId = Guid.NewGuid().ToString() }).ResponseAsync);
        await AssertRefused(StatusCode.NotFound, "no event source", _history.GetUserActivityAsync(new GetUserActivityRequest { TenantId = Guid.NewGuid().ToString(), User = "ana@example.com" }).ResponseAsync);
    }

    [Fact]
    public async Task PageToken_UsedWithOtherFilters_IsRefused()
    {
        var first = await _history.ListIngressAsync(new ListIngressRequest { TenantId = Tenant, PageSize = 5 });
        Assert.NotEqual("", first.NextPageToken);

        await AssertRefused(StatusCode.InvalidArgument, "other filters", _history.ListIngressAsync(
            new ListIngressRequest { TenantId = Tenant, PageSize = 5, User = "bob@example.com", PageToken = first.NextPageToken }).ResponseAsync);
        await AssertRefused(StatusCode.InvalidArgument, "other filters", _history.ListIngressAsync(
            new ListIngressRequest { TenantId = Tenant, PageSize = 5, Order = SortOrder.OldestFirst, PageToken = first.NextPageToken }).ResponseAsync);
        await AssertRefused(StatusCode.InvalidArgument, "other filters", _history.ListAdminAsync(
            new ListAdminRequest { TenantId = Tenant, PageSize = 5, PageToken = first.NextPageToken }).ResponseAsync);
        var second = await _history.ListIngressAsync(new ListIngressRequest { TenantId = Tenant, PageSize = 5, PageToken = first.NextPageToken });
        Assert.True(second.Events[0].Header.Sequence < first.Events[^1].Header.Sequence);
    }

    private static async Task AssertRefused(StatusCode code, string text, Task call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.True(code == error.StatusCode, $"expected {code}, got {error.Status}");
        Assert.Contains(text, error.Status.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain('\u001b', error.Status.Detail);
    }
}
