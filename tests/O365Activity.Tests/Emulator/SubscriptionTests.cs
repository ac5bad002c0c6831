using O365Activity.Emulator;
using static O365Activity.Tests.Emulator.EmulatorKit;

namespace O365Activity.Tests.Emulator;

/// <summary>subscriptions/start, stop and list; cases S01, S02, S04.</summary>
public sealed class SubscriptionTests
{
    [Fact]
    public async Task Start_ThenStartAgain_AnswersEnabledThenAF20024_S01()
    {
        await using var emulator = await StartAsync(NewClock());
        using var api = await ApiClientAsync(emulator, T1);
        const string Url = "subscriptions/start?contentType=Audit.AzureActiveDirectory&PublisherIdentifier=46b472a7-c68e-4adf-8ade-3db49497518e";

        var first = await SendAsync(api, HttpMethod.Post, Url);
        var second = await SendAsync(api, HttpMethod.Post, Url);

        Assert.Equal((200, """{"contentType":"Audit.AzureActiveDirectory","status":"enabled","webhook":null}"""), first);
        Assert.Equal((400, """{"error":{"code":"AF20024","message":"The subscription is already enabled. No property change."}}"""), second);
    }

    [Fact]
    public async Task Start_ContentTypeInOtherCase_IsMatchedAndAnsweredInApiSpelling()
    {
        await using var emulator = await StartAsync(NewClock());
        using var api = await ApiClientAsync(emulator, T1);

        var result = await SendAsync(api, HttpMethod.Post, "subscriptions/start?contentType=audit.sharepoint");

        Assert.Equal((200, """{"contentType":"Audit.SharePoint","status":"enabled","webhook":null}"""), result);
    }

    [Fact]
    public async Task Start_UnknownContentType_AnswersAF20020()
    {
        await using var emulator = await StartAsync(NewClock());
        using var api = await ApiClientAsync(emulator, T1);

        var result = await SendAsync(api, HttpMethod.Post, "subscriptions/start?contentType=Audit.Teams");

        Assert.Equal((400, """{"error":{"code":"AF20020","message":"The specified content type is not valid."}}"""), result);
    }

    [Fact]
    public async Task List_ShowsEnabledAndStoppedSubscriptionsInApiOrder()
    {
        await using var emulator = await StartAsync(NewClock());
        using var api = await ApiClientAsync(emulator, T1);
        var empty = await SendAsync(api, HttpMethod.Get, "subscriptions/list");
        await SendAsync(api, HttpMethod.Post, "subscriptions/start?contentType=Audit.General");
        await SendAsync(api, HttpMethod.Post, "subscriptions/start?contentType=Audit.Exchange");

        var stop = await SendAsync(api, HttpMethod.Post, "subscriptions/stop?contentType=Audit.General");
        var list = await SendAsync(api, HttpMethod.Get, "subscriptions/list");

        Assert.Equal((200, "[]"), empty);
        Assert.Equal((200, ""), stop);
        Assert.Equal((200, """[{"contentType":"Audit.Exchange","status":"enabled","webhook":null},{"contentType":"Audit.General","status":"disabled","webhook":null}]"""), list);
    }

    [Fact]
    public async Task Stop_WithoutSubscription_AnswersAF20022()
    {
        await using var emulator = await StartAsync(NewClock());
        using var api = await ApiClientAsync(emulator, T1);

        var result = await SendAsync(api, HttpMethod.Post, "subscriptions/stop?contentType=DLP.All");

        Assert.Equal((400, """{"error":{"code":"AF20022","message":"No subscription found for the specified content type."}}"""), result);
    }

    [Fact]
    public async Task EnableAllSubscriptions_ServerSide_StartAnswersAF20024ForEach_S01()
    {
        await using var emulator = await StartAsync(NewClock());
        emulator.State.EnableAllSubscriptions(T1);
        using var api = await ApiClientAsync(emulator, T1);

        foreach (var ct in EmulatorContentTypes.All)
        {
            var (status, body) = await SendAsync(api, HttpMethod.Post, $"subscriptions/start?contentType={ct}");
            Assert.Equal(400, status);
            Assert.Contains("AF20024", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task StuckDisabled_StopStartAnswerOk_ButListIsEmptyAndListingAnswersAF20023_S02()
    {
        var clock = NewClock();
        await using var emulator = await StartAsync(clock);
        emulator.State.EnableSubscription(T1, "Audit.SharePoint");
        emulator.State.SetSubscriptionStuckDisabled(T1, "Audit.SharePoint");
        using var api = await ApiClientAsync(emulator, T1);

        var stop = await SendAsync(api, HttpMethod.Post, "subscriptions/stop?contentType=Audit.SharePoint");
        var start = await SendAsync(api, HttpMethod.Post, "subscriptions/start?contentType=Audit.SharePoint");
        var list = await SendAsync(api, HttpMethod.Get, "subscriptions/list");
        var listing = await SendAsync(api, HttpMethod.Get, Content("Audit.SharePoint", Start.AddHours(-2), Start.AddHours(-1)));
        clock.Advance(TimeSpan.FromMinutes(30));
        var later = await SendAsync(api, HttpMethod.Get, Content("Audit.SharePoint", Start.AddHours(-2), Start.AddHours(-1)));

        Assert.Equal((200, ""), stop);
        Assert.Equal((200, """{"contentType":"Audit.SharePoint","status":"enabled","webhook":null}"""), start);
        Assert.Equal((200, "[]"), list);
        Assert.Equal((400, """{"error":{"code":"AF20023","message":"The subscription was disabled by a tenant admin."}}"""), listing);
        Assert.Equal(listing, later);
    }

    [Fact]
    public async Task DisabledByAdmin_ListingAnswersAF20023_UntilStartedAgain()
    {
        await using var emulator = await StartAsync(NewClock());
        emulator.State.EnableSubscription(T1, "Audit.Exchange");
        emulator.State.DisableSubscription(T1, "Audit.Exchange", "a service admin");
        using var api = await ApiClientAsync(emulator, T1);
        var url = Content("Audit.Exchange", Start.AddHours(-1), Start);

        var disabled = await SendAsync(api, HttpMethod.Get, url);
        await SendAsync(api, HttpMethod.Post, "subscriptions/start?contentType=Audit.Exchange");
        var enabled = await SendAsync(api, HttpMethod.Get, url);

        Assert.Equal((400, """{"error":{"code":"AF20023","message":"The subscription was disabled by a service admin."}}"""), disabled);
        Assert.Equal((200, "[]"), enabled);
    }

    [Fact]
    public async Task AuditingOff_StartAnswersAF20011TenantDoesNotExist_S04()
    {
        await using var emulator = await StartAsync(NewClock());
        emulator.State.SetAuditingEnabled(T1, false);
        using var api = await ApiClientAsync(emulator, T1);

        var result = await SendAsync(api, HttpMethod.Post, "subscriptions/start?contentType=Audit.General");

        Assert.Equal((400, """{"error":{"code":"AF20011","message":"Microsoft.Office.Compliance.Audit.DataServiceException: Tenant 9d0c4a1e-5b7f-4c2a-8e3d-1f2a3b4c5d6e does not exist."}}"""), result);
    }

    [Fact]
    public async Task AuditingOff_ExceptionTextVariant_CarriesTheMessageWithAnotherCode_S04()
    {
        await using var emulator = await StartAsync(NewClock());
        emulator.State.SetAuditingEnabled(T1, false, AuditingOffAnswer.ExceptionText);
        using var api = await ApiClientAsync(emulator, T1);

        var result = await SendAsync(api, HttpMethod.Post, "subscriptions/start?contentType=Audit.General&PublisherIdentifier=46b472a7-c68e-4adf-8ade-3db49497518e");

        Assert.Equal(
            (400, """{"error":{"code":"StartSubscription [TenantId=9d0c4a1e-5b7f-4c2a-8e3d-1f2a3b4c5d6e,ContentType=Audit.General,ApplicationId=0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d,PublisherId=46b472a7-c68e-4adf-8ade-3db49497518e] failed. Exception","message":"Microsoft.Office.Compliance.Audit.DataServiceException: Tenant 9d0c4a1e-5b7f-4c2a-8e3d-1f2a3b4c5d6e does not exist."}}"""),
            result);
    }

    [Fact]
    public async Task Notifications_EnabledSubscriptionHasNone_MissingOneAnswersAF20022()
    {
        await using var emulator = await StartAsync(NewClock());
        emulator.State.EnableSubscription(T1, "Audit.General");
        using var api = await ApiClientAsync(emulator, T1);

        var enabled = await SendAsync(api, HttpMethod.Get, "subscriptions/notifications?contentType=Audit.General");
        var missing = await SendAsync(api, HttpMethod.Get, "subscriptions/notifications?contentType=Audit.Exchange");

        Assert.Equal((200, "[]"), enabled);
        Assert.Equal((400, """{"error":{"code":"AF20022","message":"No subscription found for the specified content type."}}"""), missing);
        Assert.Equal(RequestKind.ListNotifications, emulator.State.Requests[^1].Kind);
    }
}
