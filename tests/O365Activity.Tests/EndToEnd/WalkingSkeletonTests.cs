using System.Text.RegularExpressions;
using Grpc.Core;
using O365Activity.Contracts;
using O365Activity.Emulator;
using O365Activity.Protos.V1;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.EndToEnd;

/// <summary>
/// The whole path through real HTTP and gRPC: a client creates an event source, an administrator's browser follows
/// the admin-consent URL through the emulator back to the gateway, the tenant grain proves consent and polls, and the
/// client receives exactly the expected ingress, admin and raw events, each once, over repeated polls.
/// </summary>
[Collection(ServiceCollection.Name)]
public sealed class WalkingSkeletonTests(ServiceFixture service)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task EventSource_CreateConsentSubscribe_StreamsExactlyTheExpectedEventsOnce()
    {
        var tenant = Guid.NewGuid();
        var t = tenant.ToString();
        var aad = new BlobOptions { ContentType = "Audit.AzureActiveDirectory" };
        service.Emulator.State.AddBlob(tenant, [SignIn("a1", "UserLoggedIn", "quinn@example.com", "81.2.69.142"),
            SignIn("a2", "UserLoginFailed", "paul@example.com", "198.51.100.45", logonError: "InvalidUserNameOrPassword", errorNumber: "50126"),
            SignIn("a3", "UserLoggedIn", "frank@example.com", "203.0.113.50", logonError: "UserStrongAuthClientAuthNRequiredInterrupt", errorNumber: "50074"),
            Directory("a4", "Add user.", "new.user@example.com"),
            Directory("a5", "Reset user password.", "quinn@example.com"),
            Directory("a6", "Update group.", "Finance Team")], aad);
        // The last record of the first blob comes again in the next (case DUP1).
        service.Emulator.State.AddBlob(tenant, [Directory("a6", "Update group.", "Finance Team"), Directory("a7", "Change user password.", "paul@example.com")], aad);
        service.Emulator.State.AddBlob(tenant, [SharePoint("s1", "SitePermissionsModified"), SharePoint("s2", "GroupAdded"), SharePoint("s3", "FileAccessed")],
            new BlobOptions { ContentType = "Audit.SharePoint" });
        service.Emulator.State.AddBlob(tenant, [Exchange("e1", "Set-Mailbox", 1), Exchange("e2", "MailItemsAccessed", 50)],
            new BlobOptions { ContentType = "Audit.Exchange" });

        var sources = new EventSources.EventSourcesClient(service.Channel);
        var activity = new Activity.ActivityClient(service.Channel);
        var created = await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = t, DisplayName = "Contoso", SendUnfiltered = true });

        Assert.Equal(ConnectionState.PendingConsent, created.State);
        Assert.StartsWith(new Uri(service.Emulator.BaseUrl, $"/{tenant}/v2.0/adminconsent?").ToString(), created.AdminConsentUrl, StringComparison.Ordinal);
        Assert.Contains("redirect_uri=" + Uri.EscapeDataString(new Uri(service.ConsentAddress, "/consent/callback").ToString()), created.AdminConsentUrl, StringComparison.Ordinal);
        var second = await Assert.ThrowsAsync<RpcException>(async () => await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = t }));
        Assert.Equal(StatusCode.AlreadyExists, second.StatusCode);

        await using var ingress = await StreamCollector<IngressEvent>.StartAsync(activity.StreamIngress(new StreamRequest { TenantId = t }));
        await using var admin = await StreamCollector<AdminEvent>.StartAsync(activity.StreamAdmin(new StreamRequest { TenantId = t }));
        await using var raw = await StreamCollector<RawRecord>.StartAsync(activity.StreamRaw(new StreamRequest { TenantId = t }));

        // The administrator's browser: the emulator's consent page redirects to the gateway's callback.
        using (var browser = new HttpClient())
        {
            using var page = await browser.GetAsync(created.AdminConsentUrl);
            Assert.Equal(new Uri(service.ConsentAddress, "/consent/callback").GetLeftPart(UriPartial.Path), page.RequestMessage!.RequestUri!.GetLeftPart(UriPartial.Path));
            Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("Connected", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var connected = await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = t });
        Assert.Contains(connected.State, (ConnectionState[])[ConnectionState.Connecting, ConnectionState.Connected]);
        Assert.Equal("", connected.AdminConsentUrl);

        var signIns = await ingress.WaitForCountAsync(3, Patience);
        var changes = await admin.WaitForCountAsync(7, Patience);
        var records = await raw.WaitForCountAsync(12, Patience);

        // Two more complete polls re-list the same blobs (overlap); nothing may come twice.
        await WaitForPollsAsync(sources, t, 2);
        signIns = ingress.Items;
        changes = admin.Items;
        records = raw.Items;

        Assert.Equal(["a1", "a2", "a3"], signIns.Select(e => Local(e.Header.RecordId)).Order());
        var quinn = signIns.Single(e => Local(e.Header.RecordId) == "a1");
        Assert.Equal((t, "quinn@example.com", SignInResult.Success, "81.2.69.142"), (quinn.Header.TenantId, quinn.User, quinn.Result, quinn.ClientAddress.Ip));
        Assert.Equal(new DateTimeOffset(2024, 6, 4, 8, 0, 10, TimeSpan.Zero), quinn.Header.EventTime.ToDateTimeOffset());
        Assert.Equal("Mozilla/5.0 (Windows NT 10.0; Win64; x64)", quinn.UserAgent);
        var paul = signIns.Single(e => Local(e.Header.RecordId) == "a2");
        Assert.Equal((SignInResult.Failure, "50126", "InvalidUserNameOrPassword", "198.51.100.45"), (paul.Result, paul.FailureCode, paul.FailureReason, paul.ClientAddress.Ip));
        var frank = signIns.Single(e => Local(e.Header.RecordId) == "a3");
        Assert.Equal((SignInResult.Interrupted, "50074"), (frank.Result, frank.FailureCode));

        Assert.Equal(
            [
                ("a4", AdminAction.UserAdded), ("a5", AdminAction.PasswordReset), ("a6", AdminAction.GroupUpdated), ("a7", AdminAction.PasswordChanged),
                ("e1", AdminAction.MailboxUpdated), ("s1", AdminAction.SitePermissionsModified), ("s2", AdminAction.SharepointGroupAdded),
            ],
            changes.Select(e => (Local(e.Header.RecordId), e.Action)).OrderBy(p => p.Item1));
        var added = changes.Single(e => e.Action == AdminAction.UserAdded);
        Assert.Equal(("admin@example.com", "new.user@example.com", "Add user.", ActivityResult.Success, "203.0.113.7"),
            (added.Actor, added.Target, added.Header.Operation, added.Result, added.ActorAddress.Ip));

        Assert.Equal(["a1", "a2", "a3", "a4", "a5", "a6", "a7", "e1", "e2", "s1", "s2", "s3"], records.Select(r => Local(r.Header.RecordId)).Order());
        var mailbox = records.Single(r => Local(r.Header.RecordId) == "e2");
        Assert.Equal(("MailItemsAccessed", "admin@example.com", "2001:db8::5", 52344, "ClientIP"),
            (mailbox.Header.Operation, mailbox.User, mailbox.ClientAddress.Ip, mailbox.ClientAddress.Port, mailbox.ClientAddress.SourceField));
        Assert.Contains("\"MailItemsAccessed\"", mailbox.RawJson, StringComparison.Ordinal);
        var sequences = records.Select(r => r.Header.Sequence).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 12).Select(i => (long)i), sequences);
        Assert.All(signIns.Concat<object>(changes), e => Assert.Contains(Sequence(e), sequences));
        Assert.Null(ingress.Error);
        Assert.Null(admin.Error);

        // Every content type polled without error: the green check, with nothing to explain.
        var healthy = await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = t });
        Assert.Equal((ConnectionState.Connected, ""), (healthy.State, healthy.StatusReason));
        Assert.All(healthy.ContentTypeStatus, c => Assert.Equal((0, "", false), (c.ConsecutiveFailures, c.LastErrorCode, c.NeedsAttention)));
    }

    [Fact]
    public async Task CreateEventSource_TenantIdNotAGuid_IsInvalidArgument()
    {
        var sources = new EventSources.EventSourcesClient(service.Channel);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = "contoso.onmicrosoft.com" }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("not a tenant id", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetEventSource_UnknownTenant_IsNotFound()
    {
        var sources = new EventSources.EventSourcesClient(service.Channel);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = Guid.NewGuid().ToString() }));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task StreamRaw_SourceWithoutUnfiltered_IsFailedPrecondition()
    {
        var tenant = Guid.NewGuid().ToString();
        var sources = new EventSources.EventSourcesClient(service.Channel);
        await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant });
        var activity = new Activity.ActivityClient(service.Channel);

        using var call = activity.StreamRaw(new StreamRequest { TenantId = tenant });
        var error = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Poll_OneBlobFailsOnce_TheOthersFlowAndItComesLaterExactlyOnce(bool bodyCutMidStream)
    {
        var tenant = Guid.NewGuid();
        var t = tenant.ToString();
        service.Emulator.State.GrantConsent(tenant);
        var aad = new BlobOptions { ContentType = "Audit.AzureActiveDirectory" };
        var failing = service.Emulator.State.AddBlob(tenant, [SignIn("b1", "UserLoggedIn", "ana@example.com", "203.0.113.1")], aad);
        service.Emulator.State.AddBlob(tenant, [SignIn("b2", "UserLoggedIn", "bo@example.com", "203.0.113.2")], aad);
        var rule = bodyCutMidStream ? new FaultRule { CutBodyAfterBytes = 40 } : FaultRule.HtmlError(404);
        using var fault = service.Emulator.State.InjectFault(rule with
        {
            Kind = RequestKind.GetBlob, TenantId = tenant, PathPattern = Regex.Escape(failing), Times = 1,
        });
        var sources = new EventSources.EventSourcesClient(service.Channel);
        var activity = new Activity.ActivityClient(service.Channel);
        var created = await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = t, ContentTypes = { "Audit.AzureActiveDirectory" } });
        await using var ingress = await StreamCollector<IngressEvent>.StartAsync(activity.StreamIngress(new StreamRequest { TenantId = t }));
        using (var browser = new HttpClient())
        {
            (await browser.GetAsync(created.AdminConsentUrl)).EnsureSuccessStatusCode();
        }

        var first = await ingress.WaitForCountAsync(1, Patience);
        Assert.Equal("b2", Local(first[0].Header.RecordId));
        var both = await ingress.WaitForCountAsync(2, Patience);
        await WaitForPollsAsync(sources, t, 2);

        Assert.Equal(1, fault.Hits);
        Assert.Equal(["b1", "b2"], ingress.Items.Select(e => Local(e.Header.RecordId)).Order());
        Assert.Equal([1L, 2L], ingress.Items.Select(e => e.Header.Sequence).Order());
        var status = await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = t });
        Assert.Equal(2, status.RecordsCollected);
        Assert.Equal("", status.LastError);
    }

    [Fact]
    public async Task TenantGrain_Deactivated_ItsReminderBringsPollingBack()
    {
        var tenant = Guid.NewGuid();
        var t = tenant.ToString();
        var sources = new EventSources.EventSourcesClient(service.Channel);
        var created = await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = t, ContentTypes = { "Audit.General" } });
        using (var browser = new HttpClient())
        {
            (await browser.GetAsync(created.AdminConsentUrl)).EnsureSuccessStatusCode();
        }

        await WaitForPollsAsync(sources, t, 1);
        var grain = service.Cluster.Client.GetGrain<ITenantGrain>(tenant);
        await service.Cluster.DeactivateAsync(grain);

        // Past any listing already on the wire when the grain went; a later one needs a new activation.
        await Task.Delay(200);
        var deactivatedAt = DateTimeOffset.UtcNow;

        // Nothing calls the grain now: only its reminder can activate it, and only an active grain lists content.
        var listing = await service.Emulator.State.WaitForRequestAsync(
            r => r.TenantId == tenant && r.Kind == RequestKind.ListContent && r.Time > deactivatedAt,
            includeLogged: false).WaitAsync(Patience);

        Assert.Equal(200, listing.StatusCode);
    }

    [Fact]
    public async Task Poll_S02_SubscriptionStaysDisabled_OneStartThenListingRetriesWhileOthersFlow()
    {
        var tenant = Guid.NewGuid();
        var t = tenant.ToString();
        service.Emulator.State.AddBlob(tenant, [SignIn("c1", "UserLoggedIn", "cy@example.com", "203.0.113.3")], new BlobOptions { ContentType = "Audit.AzureActiveDirectory" });
        var sources = new EventSources.EventSourcesClient(service.Channel);
        var activity = new Activity.ActivityClient(service.Channel);
        var created = await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = t, ContentTypes = { "Audit.AzureActiveDirectory", "Audit.SharePoint" } });
        await using var ingress = await StreamCollector<IngressEvent>.StartAsync(activity.StreamIngress(new StreamRequest { TenantId = t }));
        using (var browser = new HttpClient())
        {
            (await browser.GetAsync(created.AdminConsentUrl)).EnsureSuccessStatusCode();
        }

        // An administrator stops and starts Audit.SharePoint; the service-side state stays disabled (case S02).
        service.Emulator.State.SetSubscriptionStuckDisabled(tenant, "Audit.SharePoint");
        var since = DateTimeOffset.UtcNow;
        for (var i = 0; i < 3; i++)
        {
            await service.Emulator.State.WaitForRequestAsync(
                r => r.TenantId == tenant && r.Kind == RequestKind.ListContent && r.ErrorCode == "AF20023" && r.Time > since,
                includeLogged: false).WaitAsync(Patience);
            since = DateTimeOffset.UtcNow;
        }

        await ingress.WaitForCountAsync(1, Patience);
        var starts = service.Emulator.State.Requests.Count(r => r.TenantId == tenant && r.Kind == RequestKind.StartSubscription && r.Query("contentType") == "Audit.SharePoint");
        var status = await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = t });
        var sharePoint = status.ContentTypeStatus.Single(c => c.ContentType == "Audit.SharePoint");
        var azureAd = status.ContentTypeStatus.Single(c => c.ContentType == "Audit.AzureActiveDirectory");

        Assert.Equal(2, starts); // one at consent, one after the first AF20023, none with the retries
        Assert.Contains("AF20023", sharePoint.LastError, StringComparison.Ordinal);
        Assert.Equal("", azureAd.LastError);
        Assert.Equal("cy@example.com", Assert.Single(ingress.Items).User);
    }

    [Fact]
    public async Task Poll_DlpRefusedForAMissingPermission_SaysWhichAndRetriesSlowlyWhileOthersFlow()
    {
        var tenant = Guid.NewGuid();
        var t = tenant.ToString();
        service.Emulator.State.AddBlob(tenant, [SignIn("d1", "UserLoggedIn", "di@example.com", "203.0.113.4")], new BlobOptions { ContentType = "Audit.AzureActiveDirectory" });
        using var refused = service.Emulator.State.InjectFault(FaultRule.ApiError(403, "Forbidden", "The token lacks a required role.") with
        {
            Kind = RequestKind.ListContent, TenantId = tenant, PathPattern = @"contentType=DLP\.All", Times = null,
        });
        var sources = new EventSources.EventSourcesClient(service.Channel);
        var activity = new Activity.ActivityClient(service.Channel);
        var created = await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = t, ContentTypes = { "Audit.AzureActiveDirectory", "DLP.All" } });
        await using var ingress = await StreamCollector<IngressEvent>.StartAsync(activity.StreamIngress(new StreamRequest { TenantId = t }));
        using (var browser = new HttpClient())
        {
            (await browser.GetAsync(created.AdminConsentUrl)).EnsureSuccessStatusCode();
        }

        await ingress.WaitForCountAsync(1, Patience);
        await WaitForPollsAsync(sources, t, 3, "Audit.AzureActiveDirectory");

        var status = await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = t });
        var dlp = status.ContentTypeStatus.Single(c => c.ContentType == "DLP.All");
        var azureAd = status.ContentTypeStatus.Single(c => c.ContentType == "Audit.AzureActiveDirectory");
        Assert.StartsWith("permission missing: ActivityFeed.ReadDlp", dlp.LastError, StringComparison.Ordinal);
        Assert.Equal(("HTTP 403", true, 1), (dlp.LastErrorCode, dlp.NeedsAttention, dlp.ConsecutiveFailures));
        Assert.NotNull(dlp.RetryAt);
        Assert.Equal(ConnectionState.Failed, status.State);
        Assert.Contains("DLP.All: permission missing: ActivityFeed.ReadDlp", status.StatusReason, StringComparison.Ordinal);
        Assert.Equal("", azureAd.LastError);
        Assert.Equal(1, refused.Hits); // retried after an hour (Collector:AttentionRetryInterval), not at every poll
        Assert.Equal("di@example.com", Assert.Single(ingress.Items).User);
    }

    [Fact]
    public async Task Status_TransientFailuresInARow_TurnDegradedWithTheReasonThenConnectedAgain()
    {
        var tenant = Guid.NewGuid();
        var t = tenant.ToString();
        var sources = new EventSources.EventSourcesClient(service.Channel);
        await TestSources.CreateConnectedAsync(sources, tenant, unfiltered: false, "Audit.General");

        await WaitForPollsAsync(sources, t, 1);
        Assert.Equal(ConnectionState.Connected, (await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = t })).State);

        // Throttled over HTTP 403 (AF429, PROTOCOL.md §6), which the HTTP client does not retry: three polls fail in a row.
        using (var throttled = service.Emulator.State.InjectFault(FaultRule.ApiError(403, "AF429", "Too many requests. Method=ListContent") with
        {
            Kind = RequestKind.ListContent, TenantId = tenant, Times = null,
        }))
        {
            var degraded = await WaitForStateAsync(sources, t, ConnectionState.Degraded);
            var general = degraded.ContentTypeStatus.Single();
            Assert.Equal(("AF429", 3, false), (general.LastErrorCode, general.ConsecutiveFailures, general.NeedsAttention));
            Assert.Contains("Audit.General failed 3 polls in a row", degraded.StatusReason, StringComparison.Ordinal);
            Assert.Equal(3, throttled.Hits);
        }

        var recovered = await WaitForStateAsync(sources, t, ConnectionState.Connected);
        Assert.Equal(("", 0), (recovered.StatusReason, recovered.ContentTypeStatus.Single().ConsecutiveFailures));
    }

    [Fact]
    public async Task Status_S04_AuditLoggingOff_IsFailedWithTheHintAndRecoversOnceItIsOn()
    {
        var tenant = Guid.NewGuid();
        var t = tenant.ToString();
        var sources = new EventSources.EventSourcesClient(service.Channel);
        await TestSources.CreateConnectedAsync(sources, tenant, unfiltered: false, "Audit.General");

        await WaitForPollsAsync(sources, t, 1);
        service.Emulator.State.SetAuditingEnabled(tenant, false);

        var failed = await WaitForStateAsync(sources, t, ConnectionState.Failed);
        Assert.Contains("audit logging may be off", failed.StatusReason, StringComparison.Ordinal);
        Assert.True(failed.ContentTypeStatus.Single().NeedsAttention);

        // Turned on again: the slow retry (Collector:AttentionRetryInterval, a few seconds here) finds it and collection resumes.
        service.Emulator.State.SetAuditingEnabled(tenant, true);
        var recovered = await WaitForStateAsync(sources, t, ConnectionState.Connected);
        Assert.False(recovered.ContentTypeStatus.Single().NeedsAttention);
    }

    [Fact]
    public async Task StreamIngress_SourceDeleted_EndsWithNotFound()
    {
        var tenant = Guid.NewGuid().ToString();
        var sources = new EventSources.EventSourcesClient(service.Channel);
        await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant });
        var activity = new Activity.ActivityClient(service.Channel);
        using var call = activity.StreamIngress(new StreamRequest { TenantId = tenant });
        Assert.NotNull((await call.ResponseHeadersAsync).Get("subscribed"));

        await sources.DeleteEventSourceAsync(new DeleteEventSourceRequest { TenantId = tenant });

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Patience));
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("deleted", error.Status.Detail, StringComparison.Ordinal);
        var list = await sources.ListEventSourcesAsync(new ListEventSourcesRequest());
        Assert.DoesNotContain(list.EventSources, s => s.TenantId == tenant);
    }

    [Fact]
    public async Task StreamAdmin_UnknownTenant_IsNotFoundWithoutSubscribing()
    {
        var activity = new Activity.ActivityClient(service.Channel);
        using var call = activity.StreamAdmin(new StreamRequest { TenantId = Guid.NewGuid().ToString() });

        Assert.Null((await call.ResponseHeadersAsync).Get("subscribed"));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task CreateEventSource_TooManyFederatedDomains_IsInvalidArgument()
    {
        var sources = new EventSources.EventSourcesClient(service.Channel);
        var request = new CreateEventSourceRequest { TenantId = Guid.NewGuid().ToString() };
        request.FederatedDomains.AddRange(Enumerable.Range(0, 101).Select(i => $"d{i}.example.com"));

        var error = await Assert.ThrowsAsync<RpcException>(async () => await sources.CreateEventSourceAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("federated_domains", error.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Contoso\u0000")]
    [InlineData("Contoso\nInjected line")]
    [InlineData("\u001b[31mContoso")]
    [InlineData("Contoso \u202Egnp.exe")]
    [InlineData("\u200B")]
    [InlineData("Contoso\uFEFF")]
    [InlineData("Contoso\u2028Injected line")]
    public async Task CreateEventSource_DisplayNameWithAControlCharacter_IsInvalidArgumentAndNothingIsCreated(string name)
    {
        var sources = new EventSources.EventSourcesClient(service.Channel);
        var tenant = Guid.NewGuid().ToString();

        var error = await Assert.ThrowsAsync<RpcException>(async () => await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant, DisplayName = name }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("control character", error.Status.Detail, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant }));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task ListEventSources_ListsCreatedSources()
    {
        var tenants = new[] { Guid.NewGuid().ToString(), Guid.NewGuid().ToString() };
        var sources = new EventSources.EventSourcesClient(service.Channel);
        foreach (var tenant in tenants)
        {
            await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant, DisplayName = "List " + tenant[..4] });
        }

        var list = await sources.ListEventSourcesAsync(new ListEventSourcesRequest());

        Assert.All(tenants, t => Assert.Equal("List " + t[..4], Assert.Single(list.EventSources, s => s.TenantId == t).DisplayName));
    }

    private static long Sequence(object e) => e switch
    {
        IngressEvent i => i.Header.Sequence,
        AdminEvent a => a.Header.Sequence,
        _ => throw new ArgumentException("unexpected event"),
    };

    /// <summary>Waits until the source's status is <paramref name="state"/>, and returns it.</summary>
    private static async Task<EventSource> WaitForStateAsync(EventSources.EventSourcesClient sources, string tenant, ConnectionState state)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            var status = await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant }, cancellationToken: deadline.Token);
            if (status.State == state)
            {
                return status;
            }

            await Task.Delay(ServiceFixture.PollInterval / 3, deadline.Token);
        }
    }

    /// <summary>Waits until the source (or one of its content types) has completed <paramref name="polls"/> more polls without error.</summary>
    private static async Task WaitForPollsAsync(EventSources.EventSourcesClient sources, string tenant, int polls, string? contentType = null)
    {
        var seen = 0;
        DateTimeOffset? last = null;
        using var deadline = new CancellationTokenSource(Patience);
        while (seen < polls)
        {
            var status = await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant }, cancellationToken: deadline.Token);
            var at = contentType is null
                ? status.LastSuccessfulPollAt?.ToDateTimeOffset()
                : status.ContentTypeStatus.Single(c => c.ContentType == contentType).LastPolledAt?.ToDateTimeOffset();
            if (at is not null && at != last)
            {
                seen += last is null ? 0 : 1;
                last = at;
            }

            await Task.Delay(ServiceFixture.PollInterval / 3, deadline.Token);
        }
    }

    /// <summary>Record ids here are GUIDs whose last group spells the short name (a1 → …-0000000000a1).</summary>
    private static string Id(string name) => $"00000000-0000-4000-8000-{name.PadLeft(12, '0')}";

    private static string Local(string recordId) => recordId[^12..].TrimStart('0');

    private static string SignIn(string id, string operation, string user, string ip, string? logonError = null, string? errorNumber = null) => $$"""
        {"CreationTime":"2024-06-04T08:00:10","Id":"{{Id(id)}}","Operation":"{{operation}}","RecordType":15,
         "Workload":"AzureActiveDirectory","ResultStatus":"Success","UserType":0,"UserId":"{{user}}","ClientIP":"{{ip}}",
         {{(logonError is null ? "" : $"\"LogonError\":\"{logonError}\",\"ErrorNumber\":\"{errorNumber}\",")}}
         "ExtendedProperties":[{"Name":"UserAgent","Value":"Mozilla/5.0 (Windows NT 10.0; Win64; x64)"},{"Name":"RequestType","Value":"Login:login"}]}
        """;

    private static string Directory(string id, string operation, string target) => $$"""
        {"CreationTime":"2024-06-04T09:00:00","Id":"{{Id(id)}}","Operation":"{{operation}}","RecordType":8,
         "Workload":"AzureActiveDirectory","ResultStatus":"Success","UserType":0,"UserId":"admin@example.com",
         "ClientIP":"","ActorIpAddress":"203.0.113.7","ObjectId":"{{target}}",
         "Actor":[{"ID":"admin@example.com","Type":5}],"Target":[{"ID":"{{target}}","Type":5}]}
        """;

    private static string SharePoint(string id, string operation) => $$"""
        {"CreationTime":"2024-06-04T10:00:00","Id":"{{Id(id)}}","Operation":"{{operation}}","RecordType":4,
         "Workload":"SharePoint","UserId":"owner@example.com","ClientIP":"198.51.100.20",
         "ObjectId":"https://share.example.com/sites/finance","Site":"4b1f3a2e-0000-4000-8000-000000000001"}
        """;

    private static string Exchange(string id, string operation, int recordType) => $$"""
        {"CreationTime":"2024-06-04T11:00:00","Id":"{{Id(id)}}","Operation":"{{operation}}","RecordType":{{recordType}},
         "Workload":"Exchange","ResultStatus":"True","UserId":"admin@example.com","ClientIP":"[2001:db8::5]:52344",
         "ObjectId":"jack","Parameters":[{"Name":"Identity","Value":"jack"},{"Name":"Type","Value":"Shared"}]}
        """;
}
