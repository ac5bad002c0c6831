using O365Activity.Emulator;
using O365Activity.Protos.V1;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.EndToEnd;

/// <summary>
/// Issue 3's proof through the gateway: the streamed ingress and admin events carry every normalized field (address
/// with port and source field, location and ASN from the configured GeoIP database, device, application,
/// authentication, federated-domain reliability; actor, actor address, target, role, changes, parameters, extended
/// properties as received, raw JSON), for a record set of our own served by the emulator.
/// </summary>
[Collection(ServiceCollection.Name)]
public sealed class ActivityFieldsTests(ServiceFixture service)
{
    [Fact]
    public async Task StreamedEvents_CarryAllNormalizedFields()
    {
        var tenant = Guid.NewGuid();
        var t = tenant.ToString();
        service.Emulator.State.AddBlob(tenant, [RichSignIn, FederatedSignIn, RoleMemberAdded, UserUpdated], new BlobOptions { ContentType = "Audit.AzureActiveDirectory" });
        service.Emulator.State.AddBlob(tenant, [InboxRule], new BlobOptions { ContentType = "Audit.Exchange" });
        var sources = new EventSources.EventSourcesClient(service.Channel);
        var activity = new Activity.ActivityClient(service.Channel);
        var created = await sources.CreateEventSourceAsync(new CreateEventSourceRequest
        {
            TenantId = t,
            DisplayName = "Fabrikam",
            ContentTypes = { "audit.azureactivedirectory", "Audit.Exchange" },
            FederatedDomains = { "@Fed.Example.NET" },
        });
        Assert.Equal(["Audit.AzureActiveDirectory", "Audit.Exchange"], created.ContentTypes);
        Assert.Equal(["fed.example.net"], created.FederatedDomains);
        await using var ingress = await StreamCollector<IngressEvent>.StartAsync(activity.StreamIngress(new StreamRequest { TenantId = t }));
        await using var admin = await StreamCollector<AdminEvent>.StartAsync(activity.StreamAdmin(new StreamRequest { TenantId = t }));
        using (var browser = new HttpClient())
        {
            (await browser.GetAsync(created.AdminConsentUrl)).EnsureSuccessStatusCode();
        }

        var signIns = await ingress.WaitForCountAsync(2, TimeSpan.FromSeconds(30));
        var changes = await admin.WaitForCountAsync(3, TimeSpan.FromSeconds(30));

        var rich = signIns.Single(e => e.User == "amy@example.com");
        Assert.Equal(t, rich.Header.TenantId);
        Assert.Equal("0d0c0a1e-0000-4000-8000-0000000000a1", rich.Header.RecordId);
        Assert.Equal(new DateTimeOffset(2024, 9, 2, 8, 15, 30, 123, TimeSpan.Zero), rich.Header.EventTime.ToDateTimeOffset());
        Assert.True(rich.Header.IngestTime.ToDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5), "ingest time is the fetch time");
        Assert.Equal((15, "UserLoggedIn", "AzureActiveDirectory", "Audit.AzureActiveDirectory"), (rich.Header.RecordType, rich.Header.Operation, rich.Header.Workload, rich.Header.ContentType));
        Assert.Equal(("11111111-2222-4333-8444-555555555501", 0, SignInResult.Success), (rich.UserObjectId, rich.UserType, rich.Result));
        Assert.Equal(("", "", ""), (rich.FailureCode, rich.FailureReason, rich.FailureDescription));
        Assert.Equal(new ClientAddress { Ip = "203.0.113.24", Port = 50412, Raw = "[203.0.113.24]:50412", SourceField = "ClientIP", Network = "203.0.113.0/24" }, rich.ClientAddress);
        Assert.Equal(new GeoLocation
        {
            CountryCode = "NL", CountryName = "Netherlands", Region = "North Holland", City = "Amsterdam",
            Latitude = 52.3759, Longitude = 4.8975, Asn = 64500, AsOrganization = "Example Transit B.V.",
        }, rich.Location);
        Assert.True(rich.LocationReliable);
        Assert.Equal(("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Teams/1.0", "1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams"), (rich.UserAgent, rich.ApplicationId, rich.ApplicationName));
        Assert.Equal(new DeviceInfo
        {
            OperatingSystem = "Windows10", Browser = "Edge", IsCompliant = true, IsManaged = true,
            TrustType = "Azure AD joined", DeviceId = "22222222-3333-4444-8555-666666666601", DisplayName = "AMY-LAPTOP",
        }, rich.Device);
        Assert.Equal(("1", "OAuth2:Authorize", "Redirect", true), (rich.AuthenticationMethod, rich.RequestType, rich.ResultStatusDetail, rich.KeepMeSignedIn));
        Assert.Equal(["ResultStatusDetail", "UserAgent", "UserAuthenticationMethod", "RequestType", "KeepMeSignedIn"], rich.Header.ExtendedProperties.Select(p => p.Name));
        Assert.Contains("\"DeviceProperties\"", rich.RawJson, StringComparison.Ordinal);

        var federated = signIns.Single(e => e.User == "sam@fed.example.net");
        Assert.Equal(("2001:db8:4:1::77", "2001:db8:4:1::/64", "JP"), (federated.ClientAddress.Ip, federated.ClientAddress.Network, federated.Location.CountryCode));
        Assert.False(federated.LocationReliable);
        Assert.Contains("fed.example.net", federated.LocationUnreliableReason, StringComparison.Ordinal);
        Assert.Equal((SignInResult.Interrupted, "50074", "UserStrongAuthClientAuthNRequiredInterrupt"), (federated.Result, federated.FailureCode, federated.FailureReason));
        Assert.NotEqual("", federated.FailureDescription);

        var role = changes.Single(e => e.Action == AdminAction.RoleMemberAdded);
        Assert.Equal(("Add member to role.", "admin@example.com", ActorKind.User, TargetKind.User, "hank@example.com"), (role.Header.Operation, role.Actor, role.ActorKind, role.TargetKind, role.Target));
        Assert.Equal(("198.51.100.10", "ActorIpAddress"), (role.ActorAddress.Ip, role.ActorAddress.SourceField));
        Assert.Equal("Global Administrator", role.TargetDetails.Single(d => d.Name == "Role").Value);
        Assert.Equal(new PropertyChange { Name = "Role.DisplayName", OldValue = "", NewValue = "Global Administrator" }, role.Changes.Single(c => c.Name == "Role.DisplayName"));
        Assert.Equal((ActivityResult.Success, "Success"), (role.Result, role.ResultStatus));

        var updated = changes.Single(e => e.Action == AdminAction.UserUpdated);
        Assert.Equal("lee@example.com", updated.Target);
        Assert.Equal("{\"UserType\":\"Member\"}", updated.Header.ExtendedProperties.Single(p => p.Name == "additionalDetails").Value);
        Assert.Equal(new PropertyChange { Name = "StrongAuthenticationMethod", OldValue = "[{\"MethodType\":7,\"Default\":true}]", NewValue = "" }, updated.Changes.Single());

        var rule = changes.Single(e => e.Action == AdminAction.InboxRuleCreated);
        Assert.Equal(("New-InboxRule", "bob@example.com", "2001:db8:5791:aa10::8351", 52344), (rule.Header.Operation, rule.Actor, rule.ActorAddress.Ip, rule.ActorAddress.Port));
        Assert.Equal([("ForwardTo", "ext@example.net"), ("Name", ".")], rule.Parameters.Select(p => (p.Name, p.Value)));
        Assert.Equal((ActivityResult.Success, "True"), (rule.Result, rule.ResultStatus));
    }

    private const string RichSignIn = """
        {"CreationTime":"2024-09-02T08:15:30.123","Id":"0d0c0a1e-0000-4000-8000-0000000000a1","Operation":"UserLoggedIn","RecordType":15,
         "Workload":"AzureActiveDirectory","ResultStatus":"Success","UserType":0,"UserKey":"11111111-2222-4333-8444-555555555501",
         "UserId":"amy@example.com","ClientIP":"[203.0.113.24]:50412","ApplicationId":"1fec8e78-bce4-4aaf-ab1b-5451cc387264",
         "ExtendedProperties":[{"Name":"ResultStatusDetail","Value":"Redirect"},{"Name":"UserAgent","Value":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Teams/1.0"},
           {"Name":"UserAuthenticationMethod","Value":"1"},{"Name":"RequestType","Value":"OAuth2:Authorize"},{"Name":"KeepMeSignedIn","Value":"true"}],
         "DeviceProperties":[{"Name":"Id","Value":"22222222-3333-4444-8555-666666666601"},{"Name":"DisplayName","Value":"AMY-LAPTOP"},
           {"Name":"OS","Value":"Windows10"},{"Name":"BrowserType","Value":"Edge"},{"Name":"IsCompliant","Value":"True"},
           {"Name":"IsCompliantAndManaged","Value":"True"},{"Name":"TrustType","Value":"Azure AD joined"}]}
        """;

    private const string FederatedSignIn = """
        {"CreationTime":"2024-09-02T08:20:00","Id":"0d0c0a1e-0000-4000-8000-0000000000a2","Operation":"UserLoggedIn","RecordType":"15",
         "Workload":"AzureActiveDirectory","ResultStatus":"Success","UserId":"sam@fed.example.net","ClientIP":"2001:db8:4:1::77",
         "LogonError":"UserStrongAuthClientAuthNRequiredInterrupt","ErrorNumber":"50074"}
        """;

    private const string RoleMemberAdded = """
        {"CreationTime":"2024-09-03T09:12:00","Id":"0d0c0a1e-0000-4000-8000-0000000000a3","Operation":"Add member to role.","RecordType":8,
         "Workload":"AzureActiveDirectory","ResultStatus":"Success","UserId":"admin@example.com","ClientIP":"","ActorIpAddress":"198.51.100.10",
         "ObjectId":"hank@example.com",
         "ModifiedProperties":[{"Name":"Role.DisplayName","NewValue":"Global Administrator","OldValue":""},
           {"Name":"Role.WellKnownObjectName","NewValue":"TenantAdmins","OldValue":""}],
         "Actor":[{"ID":"admin@example.com","Type":5}],
         "Target":[{"ID":"User_2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e","Type":2},{"ID":"hank@example.com","Type":5}]}
        """;

    private const string UserUpdated = """
        {"CreationTime":"2025-11-04T09:00:00","Id":"0d0c0a1e-0000-4000-8000-0000000000a4","Operation":"Update user.","RecordType":8,
         "Workload":"AzureActiveDirectory","ResultStatus":"Success","UserId":"admin@example.com","ObjectId":"lee@example.com",
         "ModifiedProperties":[{"Name":"StrongAuthenticationMethod","NewValue":"[]","OldValue":"[{\"MethodType\":7,\"Default\":true}]"}],
         "ExtendedProperties":[{"Name":"additionalDetails","Value":"{\"UserType\":\"Member\"}"},{"Name":"extendedAuditEventCategory","Value":"User"}]}
        """;

    private const string InboxRule = """
        {"CreationTime":"2024-05-10T12:00:01","Id":"0d0c0a1e-0000-4000-8000-0000000000a5","Operation":"New-InboxRule","RecordType":1,
         "Workload":"Exchange","ResultStatus":"True","UserId":"bob@example.com","ClientIP":"[2001:db8:5791:aa10::8351]:52344",
         "Parameters":[{"Name":"ForwardTo","Value":"ext@example.net"},{"Name":"Name","Value":"."}]}
        """;
}
