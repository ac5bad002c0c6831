using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using O365Activity.Emulator;
using O365Activity.Protos.V1;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.EndToEnd;

/// <summary><c>UpdateEventSource</c> and the per-source poll interval and first-collection backfill.</summary>
[Collection(ServiceCollection.Name)]
public sealed class EventSourceUpdateTests(ServiceFixture service)
{
    private const string Aad = "Audit.AzureActiveDirectory";
    private const string Exchange = "Audit.Exchange";

    private EventSources.EventSourcesClient Sources => new(service.Channel);

    [Fact]
    public async Task Update_ChangesOnlyTheFieldsGiven_AndGetShowsThem()
    {
        var tenant = Guid.NewGuid().ToString();
        await Sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant, DisplayName = "Before" });

        var updated = await Sources.UpdateEventSourceAsync(new UpdateEventSourceRequest
        {
            TenantId = tenant,
            DisplayName = "After",
            SendUnfiltered = true,
            FederatedDomains = new StringList { Values = { "@Contoso.COM" } },
            ContentTypes = new StringList { Values = { "audit.exchange", Aad } },
            PollInterval = Duration.FromTimeSpan(TimeSpan.FromSeconds(30)),
            InitialBackfill = Duration.FromTimeSpan(TimeSpan.FromHours(48)),
        });

        Assert.Equal("After", updated.DisplayName);
        Assert.True(updated.SendUnfiltered);
        Assert.Equal(["contoso.com"], updated.FederatedDomains);
        Assert.Equal([Exchange, Aad], updated.ContentTypes);
        Assert.Equal(TimeSpan.FromSeconds(30), updated.PollInterval.ToTimeSpan());
        Assert.Equal(TimeSpan.FromHours(48), updated.InitialBackfill.ToTimeSpan());
        var got = await Sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant });
        Assert.Equal(updated.DisplayName, got.DisplayName);
        Assert.Equal(updated.ContentTypes, got.ContentTypes);
        Assert.Contains(got, (await Sources.ListEventSourcesAsync(new ListEventSourcesRequest())).EventSources.Where(s => s.DisplayName == "After"));

        // Only the poll interval, back to the default: the rest stays.
        var reset = await Sources.UpdateEventSourceAsync(new UpdateEventSourceRequest { TenantId = tenant, PollInterval = new Duration() });

        Assert.Null(reset.PollInterval);
        Assert.Equal("After", reset.DisplayName);
        Assert.True(reset.SendUnfiltered);
        Assert.Equal(TimeSpan.FromHours(48), reset.InitialBackfill.ToTimeSpan());
        Assert.Equal(updated.AdminConsentUrl, reset.AdminConsentUrl);
    }

    [Theory]
    [InlineData("poll_interval", 5, 0)]
    [InlineData("poll_interval", 7_200, 0)]
    [InlineData("poll_interval", -30, 0)]
    [InlineData("initial_backfill", 0, 8 * 86_400)]
    [InlineData("initial_backfill", 0, -60)]
    [InlineData("content_types", 0, 0)]
    [InlineData("federated_domains", 0, 0)]
    [InlineData("federated_domains", 1, 0)]
    [InlineData("federated_domains", 2, 0)]
    [InlineData("federated_domains", 3, 0)]
    [InlineData("display_name", 0, 0)]
    public async Task Update_OutOfBounds_IsInvalidArgument_NamingTheField_AndChangesNothing(string field, int pollSeconds, int backfillSeconds)
    {
        var tenant = Guid.NewGuid().ToString();
        var created = await Sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant, DisplayName = "Kept" });
        var request = new UpdateEventSourceRequest { TenantId = tenant, DisplayName = "Changed" };
        switch (field)
        {
            case "poll_interval":
                request.PollInterval = Duration.FromTimeSpan(TimeSpan.FromSeconds(pollSeconds));
                break;
            case "initial_backfill":
                request.InitialBackfill = Duration.FromTimeSpan(TimeSpan.FromSeconds(backfillSeconds));
                break;
            case "content_types":
                request.ContentTypes = new StringList { Values = { "Audit.Nothing" } };
                break;
            case "federated_domains":
                request.FederatedDomains = new StringList { Values = { pollSeconds switch { 1 => "ex..com", 2 => "-evil-.com", 3 => "1.2.3.4", _ => "not a domain" } } };
                break;
            default:
                request.DisplayName = "two\nlines";
                break;
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => Sources.UpdateEventSourceAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field == "display_name" ? "display_name" : field, error.Status.Detail, StringComparison.Ordinal);
        var unchanged = await Sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant });
        Assert.Equal("Kept", unchanged.DisplayName);
        Assert.Equal(created.ContentTypes, unchanged.ContentTypes);
        Assert.Null(unchanged.PollInterval);
    }

    [Fact]
    public async Task CloudAndCredential_PerSource_AreShown_AndDriveTheConsentUrl_AnUnknownCredentialIsRefusedByName()
    {
        var tenant = Guid.NewGuid().ToString();
        var created = await Sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant, Cloud = Cloud.GccHigh });

        Assert.Equal(Cloud.GccHigh, created.Cloud);
        Assert.Equal(ServiceFixture.ClientId, created.ClientId);
        Assert.Equal("", created.Credential);
        Assert.Contains("scope=" + Uri.EscapeDataString("https://manage.office365.us/.default"), created.AdminConsentUrl, StringComparison.Ordinal);
        Assert.Contains("client_id=" + ServiceFixture.ClientId, created.AdminConsentUrl, StringComparison.Ordinal);

        var unknown = await Assert.ThrowsAsync<RpcException>(() => Sources.UpdateEventSourceAsync(new UpdateEventSourceRequest { TenantId = tenant, Credential = "nope" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, unknown.StatusCode);
        Assert.Contains("no credential named 'nope'", unknown.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(ServiceFixture.ClientSecret, unknown.Status.Detail, StringComparison.Ordinal);

        var back = await Sources.UpdateEventSourceAsync(new UpdateEventSourceRequest { TenantId = tenant, Cloud = Cloud.Enterprise, Credential = "default" });
        Assert.Equal(Cloud.Enterprise, back.Cloud);
        Assert.Equal("", back.Credential);
        Assert.Contains("scope=" + Uri.EscapeDataString("https://manage.office.com/.default"), back.AdminConsentUrl, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_UnknownTenant_IsNotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Sources.UpdateEventSourceAsync(new UpdateEventSourceRequest { TenantId = Guid.NewGuid().ToString(), DisplayName = "x" }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Update_AddedContentType_IsSubscribedAndCollected()
    {
        var tenant = Guid.NewGuid();
        service.Emulator.State.GrantConsent(tenant);
        await TestSources.CreateConnectedAsync(Sources, tenant, unfiltered: true, Aad);
        service.Emulator.State.AddBlob(tenant, [TestRecords.SignIn(1)], new BlobOptions { ContentType = Aad });
        await TestSources.WaitForSequenceAsync(Sources, tenant, 1, TimeSpan.FromSeconds(20));
        service.Emulator.State.AddBlob(tenant, [ExchangeRecord(2)], new BlobOptions { ContentType = Exchange });

        await Sources.UpdateEventSourceAsync(new UpdateEventSourceRequest { TenantId = tenant.ToString(), ContentTypes = new StringList { Values = { Aad, Exchange } } });
        var status = await TestSources.WaitForSequenceAsync(Sources, tenant, 2, TimeSpan.FromSeconds(20));

        var exchange = Assert.Single(status.ContentTypeStatus, c => c.ContentType == Exchange);
        Assert.True(exchange.Subscribed);
        Assert.Equal(1, exchange.Counters.Records);
    }

    [Fact]
    public async Task InitialBackfill_ReachesAsFarBackAsTheSourceSays_OtherSourcesKeepTheDefault()
    {
        // Content published 48 hours ago: inside a 72-hour backfill, outside the default 24 hours.
        var old = DateTimeOffset.UtcNow.AddHours(-48);
        Guid wide = Guid.NewGuid(), standard = Guid.NewGuid();
        foreach (var tenant in new[] { wide, standard })
        {
            service.Emulator.State.GrantConsent(tenant);
            service.Emulator.State.AddBlob(tenant, [TestRecords.SignIn(1)], new BlobOptions { ContentType = Aad, ContentCreated = old });
            service.Emulator.State.AddBlob(tenant, [TestRecords.SignIn(2)], new BlobOptions { ContentType = Aad });
        }

        var request = new CreateEventSourceRequest { TenantId = wide.ToString(), InitialBackfill = Duration.FromTimeSpan(TimeSpan.FromHours(72)) };
        request.ContentTypes.Add(Aad);
        var created = await Sources.CreateEventSourceAsync(request);
        using (var browser = new HttpClient())
        {
            (await browser.GetAsync(created.AdminConsentUrl)).EnsureSuccessStatusCode();
        }

        await TestSources.CreateConnectedAsync(Sources, standard, unfiltered: true, Aad);

        var wideStatus = await TestSources.WaitForSequenceAsync(Sources, wide, 2, TimeSpan.FromSeconds(20));
        var standardStatus = await TestSources.WaitForSequenceAsync(Sources, standard, 1, TimeSpan.FromSeconds(20));
        await Task.Delay(ServiceFixture.PollInterval * 4);
        standardStatus = await Sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = standard.ToString() });

        Assert.Equal(2, wideStatus.LastSequence);
        Assert.Equal(1, standardStatus.LastSequence);
        Assert.Equal(TimeSpan.FromHours(72), wideStatus.InitialBackfill.ToTimeSpan());
    }

    private static string ExchangeRecord(int number) => $$"""
        {"CreationTime":"2024-06-04T11:00:00","Id":"{{TestRecords.Id(number)}}","Operation":"Set-Mailbox","RecordType":1,
         "Workload":"Exchange","ResultStatus":"True","UserId":"admin@example.com","ObjectId":"mailbox{{number}}"}
        """;
}
