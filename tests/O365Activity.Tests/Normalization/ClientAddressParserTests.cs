using System.Net;
using O365Activity.Contracts.Activity;
using O365Activity.Grains.Normalization;

namespace O365Activity.Tests.Normalization;

/// <summary>Cases B01, B02, B04, B06, B07, B08 (cases/ip-fields.md) and every spelling of PROTOCOL.md §8.</summary>
public sealed class ClientAddressParserTests
{
    private const string B01Record = """
        {"CreationTime":"2024-03-05T10:15:22","Id":"6b1f0d2e-7c3a-4e59-8f21-0a9b8c7d6e5f",
         "Operation":"MailItemsAccessed","RecordType":50,"Workload":"Exchange","ResultStatus":"Succeeded",
         "OrganizationId":"9d0c4a1e-5b7f-4c2a-8e3d-1f2a3b4c5d6e","UserId":"alice@example.com",
         "ClientIP":"[203.0.113.24]:50412","ClientIPAddress":"203.0.113.24"}
        """;

    [Fact]
    public void ClientAddressParser_B01_BracketedIPv4WithPort_GivesAddressAndPort()
    {
        var address = ClientAddressParser.Parse("[203.0.113.24]:50412", "ClientIP");

        Assert.Equal("203.0.113.24", address.Ip);
        Assert.Equal(50412, address.Port);
        Assert.Equal("[203.0.113.24]:50412", address.Raw);
        Assert.Equal("ClientIP", address.SourceField);
        Assert.Equal("203.0.113.0/24", address.Network);
    }

    [Fact]
    public void RawRecord_B01_TwoAgreeingAddressFields_AddressAndPortFromClientIPRawKept()
    {
        var result = NormalizerHarness.Normalize(B01Record);

        // MailItemsAccessed is neither a sign-in nor an admin action: the record flows as raw, no error, with its address.
        Assert.Null(result.Activity);
        Assert.Equal("6b1f0d2e-7c3a-4e59-8f21-0a9b8c7d6e5f", result.Raw.RecordId);
        Assert.Equal(
            new ClientAddress { Ip = "203.0.113.24", Port = 50412, Raw = "[203.0.113.24]:50412", SourceField = "ClientIP", Network = "203.0.113.0/24" },
            result.Raw.ClientAddress);
        Assert.Equal("alice@example.com", result.Raw.User);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void IngressEvent_B01_TwoAgreeingAddressFields_FirstFieldWins()
    {
        var withSignIn = B01Record.Replace("\"MailItemsAccessed\",\"RecordType\":50", "\"UserLoggedIn\",\"RecordType\":15", StringComparison.Ordinal);
        var ingress = NormalizerHarness.Ingress(withSignIn);
        Assert.Equal(
            new ClientAddress { Ip = "203.0.113.24", Port = 50412, Raw = "[203.0.113.24]:50412", SourceField = "ClientIP", Network = "203.0.113.0/24" },
            ingress.ClientAddress);
    }

    /// <summary>Case B02's table, plus the B04 row (B04: "add this value as a row of the B02 table test").</summary>
    [Theory]
    [InlineData("203.0.113.24", "203.0.113.24", null)]
    [InlineData("[203.0.113.24]:50412", "203.0.113.24", 50412)]
    [InlineData("203.0.113.24:50412", "203.0.113.24", 50412)]
    [InlineData("2001:db8:10::24", "2001:db8:10::24", null)]
    [InlineData("[2001:db8:10::24]:50412", "2001:db8:10::24", 50412)]
    [InlineData("::ffff:203.0.113.24", "203.0.113.24", null)]
    [InlineData("[2001:db8:5791:aa10::8351]:52344", "2001:db8:5791:aa10::8351", 52344)]
    public void ClientAddressParser_B02_Table_GivesIpAndPort(string clientIp, string ip, int? port)
    {
        Assert.True(ClientAddressParser.TryParse(clientIp, out var address, out var parsedPort));
        Assert.Equal(ip, address!.ToString());
        Assert.Equal(port, parsedPort);

        // The same row through a whole record, on both activity kinds (B04: the parser is shared).
        var ingress = NormalizerHarness.Ingress(SignInWithClientIp(clientIp));
        Assert.Equal(ip, ingress.ClientAddress?.Ip);
        Assert.Equal(port, ingress.ClientAddress?.Port);
        Assert.Equal(clientIp, ingress.ClientAddress?.Raw);

        var admin = NormalizerHarness.Admin(InboxRuleWithClientIp(clientIp));
        Assert.Equal(ip, admin.ActorAddress?.Ip);
        Assert.Equal(port, admin.ActorAddress?.Port);
    }

    [Fact]
    public void ClientAddressParser_B02_BareIPv6_NotSplitAtLastColon()
    {
        Assert.True(ClientAddressParser.TryParse("2001:db8:10::24", out var address, out var port));
        Assert.Equal(IPAddress.Parse("2001:db8:10::24"), address);
        Assert.Null(port);
    }

    [Theory]
    [InlineData("203.0.113")]
    [InlineData("1")]
    [InlineData("203.0.113.256")]
    [InlineData("203.0.113.24.5")]
    [InlineData("203..113.24")]
    [InlineData("0x7f.0.0.1")]
    public void ClientAddressParser_B02_ShortOrInvalidIPv4_Rejected(string value)
    {
        Assert.False(ClientAddressParser.TryParse(value, out var address, out var port));
        Assert.Null(address);
        Assert.Null(port);
    }

    [Fact]
    public void ClientAddressParser_B02_IPv4MappedChoice_ReducedToIPv4()
    {
        // Choice documented on ClientAddressParser: IPv4-mapped IPv6 becomes the IPv4 address, in both spellings.
        Assert.Equal("198.51.100.7", ClientAddressParser.Parse("::ffff:198.51.100.7", "ClientIP").Ip);
        Assert.Equal("198.51.100.7", ClientAddressParser.Parse("::ffff:c633:6407", "ClientIP").Ip);
        var bracketed = ClientAddressParser.Parse("[::ffff:198.51.100.7]:443", "ClientIP");
        Assert.Equal("198.51.100.7", bracketed.Ip);
        Assert.Equal(443, bracketed.Port);
        Assert.Equal("198.51.100.0/24", bracketed.Network);
    }

    [Fact]
    public void Normalizer_B04_BracketedIPv6WithPortOnInboxRule_AdminEventHasAddressAndPort()
    {
        var admin = NormalizerHarness.Admin("""
            {"CreationTime":"2024-05-10T12:00:01","Id":"2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a",
             "Operation":"New-InboxRule","RecordType":1,"Workload":"Exchange","ResultStatus":"True",
             "UserId":"bob@example.com","ClientIP":"[2001:db8:5791:aa10::8351]:52344",
             "Parameters":[{"Name":"ForwardTo","Value":"ext@example.net"},{"Name":"Name","Value":"."}]}
            """);

        Assert.Equal(AdminAction.InboxRuleCreated, admin.Action);
        Assert.Equal("New-InboxRule", admin.Operation);
        Assert.Equal("bob@example.com", admin.Actor);
        Assert.Equal("2001:db8:5791:aa10::8351", admin.ActorAddress?.Ip);
        Assert.Equal(52344, admin.ActorAddress?.Port);
        Assert.Equal("ClientIP", admin.ActorAddress?.SourceField);
        Assert.Equal("2001:db8:5791:aa10::/64", admin.ActorAddress?.Network);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("<null>")]
    [InlineData("Unknown")]
    [InlineData("   ")]
    [InlineData("Not Available")]
    [InlineData("null")]
    public void Normalizer_B06_EmptyOrPlaceholderClientIP_NoAddressNoError(string clientIp)
    {
        var alert = $$"""
            {"CreationTime":"2025-05-01T08:10:44","Id":"3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7",
             "Operation":"AlertTriggered","RecordType":40,"Workload":"SecurityComplianceCenter",
             "UserId":"SecurityComplianceAlerts","ClientIP":"{{clientIp}}",
             "Data":"{\"f3u\":\"carol@example.com\",\"sip\":\"\",\"ts\":\"2025-05-01T08:09:00Z\"}"}
            """;

        Assert.False(ClientAddressParser.TryParse(clientIp, out var address, out _));
        Assert.Null(address);
        Assert.True(ClientAddressParser.IsEmptyValue(clientIp));

        // The alert flows as a raw record.
        var raw = NormalizerHarness.Normalize(alert);
        Assert.Null(raw.Activity);
        Assert.Equal("3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7", raw.Raw.RecordId);

        // On a sign-in the same value gives no address ("unknown") and the event is still emitted.
        var ingress = NormalizerHarness.Ingress(SignInWithClientIp(clientIp));
        Assert.Null(ingress.ClientAddress);
        Assert.Null(ingress.Location);
    }

    [Fact]
    public void Normalizer_B06_EmptyClientIPInBatch_RestOfBatchUnaffected()
    {
        var results = NormalizerHarness.NormalizeArray($"[{SignInWithClientIp("")},{SignInWithClientIp("203.0.113.5")}]");

        Assert.Equal(2, results.Length);
        Assert.Null(Assert.IsType<IngressEvent>(results[0].Activity).ClientAddress);
        Assert.Equal("203.0.113.5", Assert.IsType<IngressEvent>(results[1].Activity).ClientAddress?.Ip);
    }

    [Fact]
    public void Normalizer_B07_SameIPv6OnTwoSignIns_SameAddressAndNetwork()
    {
        var results = NormalizerHarness.NormalizeArray("""
            [
             {"CreationTime":"2024-06-11T09:00:00","Id":"4f5a6b7c-8d9e-4fa0-b1c2-d3e4f5a6b7c8","Operation":"UserLoggedIn",
              "RecordType":15,"Workload":"AzureActiveDirectory","ResultStatus":"Success","UserId":"dave@example.com",
              "ClientIP":"2001:db8:4:1::77"},
             {"CreationTime":"2024-06-11T09:03:00","Id":"5a6b7c8d-9eaf-40b1-c2d3-e4f5a6b7c8d9","Operation":"UserLoginFailed",
              "RecordType":15,"Workload":"AzureActiveDirectory","ResultStatus":"Success","UserId":"dave@example.com",
              "ClientIP":"2001:db8:4:1::77","LogonError":"InvalidUserNameOrPassword","ErrorNumber":"50126"}
            ]
            """);

        var success = Assert.IsType<IngressEvent>(results[0].Activity);
        var failure = Assert.IsType<IngressEvent>(results[1].Activity);
        Assert.Equal("2001:db8:4:1::77", success.ClientAddress?.Ip);
        Assert.Equal(success.ClientAddress?.Ip, failure.ClientAddress?.Ip);
        Assert.Equal("2001:db8:4:1::/64", success.ClientAddress?.Network);
        Assert.Equal(success.ClientAddress?.Network, failure.ClientAddress?.Network);
        Assert.Equal(SignInResult.Success, success.Result);
        Assert.Equal(SignInResult.Failure, failure.Result);
        Assert.Equal("InvalidUserNameOrPassword", failure.FailureReason);
        Assert.Equal("50126", failure.FailureCode);
    }

    [Theory]
    [InlineData("2001:db8:4:1::77", "2001:db8:4:1::/64")]
    [InlineData("2001:DB8:4:1:0:0:0:77", "2001:db8:4:1::/64")]
    [InlineData("2001:db8:4:1:ffff:ffff:ffff:ffff", "2001:db8:4:1::/64")]
    [InlineData("203.0.113.77", "203.0.113.0/24")]
    [InlineData("198.51.100.200", "198.51.100.0/24")]
    public void ClientAddressParser_B07_Network_ComputedFromParsedAddress(string ip, string network)
    {
        Assert.Equal(network, ClientAddressParser.NetworkOf(IPAddress.Parse(ip)));
        Assert.Equal(network, ClientAddressParser.Parse(ip, "ClientIP").Network);
    }

    [Fact]
    public void Normalizer_B08_AddressFieldOrder_SourceFieldSaysWhich()
    {
        var results = NormalizerHarness.NormalizeArray("""
            [
             {"CreationTime":"2024-07-02T14:20:11","Id":"7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b","Operation":"MailboxLogin",
              "RecordType":2,"Workload":"Exchange","ResultStatus":"Succeeded","UserId":"mia@example.com",
              "ClientIPAddress":"203.0.113.9"},
             {"CreationTime":"2024-07-02T14:20:15","Id":"8f9a0b1c-2d3e-4f4a-9b5c-6d7e8f9a0b1c","Operation":"UserLoggedIn",
              "RecordType":15,"Workload":"AzureActiveDirectory","ResultStatus":"Success","UserId":"mia@example.com",
              "ActorIpAddress":"203.0.113.10"},
             {"CreationTime":"2024-07-02T14:21:40","Id":"9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d","Operation":"FileModified",
              "RecordType":6,"Workload":"SharePoint","UserId":"mia@example.com",
              "ClientIP":"198.51.100.200","UserAgent":"Microsoft Office Word 2014"}
            ]
            """);

        Assert.Equal(3, results.Length);
        Assert.Null(results[0].Activity);
        Assert.Null(results[2].Activity);
        var signIn = Assert.IsType<IngressEvent>(results[1].Activity);
        Assert.Equal("203.0.113.10", signIn.ClientAddress?.Ip);
        Assert.Equal("ActorIpAddress", signIn.ClientAddress?.SourceField);

        // The records that are neither sign-ins nor admin actions carry their address on the raw record, read the same way.
        Assert.Equal(
            new ClientAddress { Ip = "203.0.113.9", Raw = "203.0.113.9", SourceField = "ClientIPAddress", Network = "203.0.113.0/24" },
            results[0].Raw.ClientAddress);
        Assert.Equal(
            new ClientAddress { Ip = "198.51.100.200", Raw = "198.51.100.200", SourceField = "ClientIP", Network = "198.51.100.0/24" },
            results[2].Raw.ClientAddress);
        Assert.Equal(signIn.ClientAddress, results[1].Raw.ClientAddress);
        Assert.Equal(["mia@example.com", "mia@example.com", "mia@example.com"], results.Select(r => r.Raw.User));
    }

    [Theory]
    [InlineData("""{"ClientIP":"203.0.113.1","ClientIPAddress":"203.0.113.2","ActorIpAddress":"203.0.113.3"}""", "203.0.113.1", "ClientIP")]
    [InlineData("""{"ClientIP":"","ClientIPAddress":"203.0.113.2","ActorIpAddress":"203.0.113.3"}""", "203.0.113.2", "ClientIPAddress")]
    [InlineData("""{"ClientIP":"<null>","ActorIpAddress":"203.0.113.3"}""", "203.0.113.3", "ActorIpAddress")]
    [InlineData("""{"ClientIP":"localhost","ClientIPAddress":"203.0.113.2"}""", "203.0.113.2", "ClientIPAddress")]
    [InlineData("""{"clientip":"203.0.113.4"}""", "203.0.113.4", "ClientIP")]
    public void RawRecord_B08_FirstFieldWithAnAddressWins(string fields, string ip, string sourceField)
    {
        var address = NormalizerHarness.Normalize(fields).Raw.ClientAddress;

        Assert.Equal((ip, sourceField), (address?.Ip, address?.SourceField));
    }

    [Fact]
    public void RawRecord_B08_NoAddressField_AddressNullRecordEmitted()
    {
        var raw = NormalizerHarness.Normalize("""{"Id":"x","Operation":"FileModified","ClientIP":"","ClientIPAddress":"<null>"}""").Raw;

        Assert.Null(raw.ClientAddress);
        Assert.Equal("x", raw.RecordId);
    }

    [Fact]
    public void RawRecord_B08_HostNameOnly_RawKeptWithoutIp()
    {
        var raw = NormalizerHarness.Normalize("""{"Id":"x","Operation":"FileModified","ClientIP":"cool.client.local:12345"}""").Raw;

        Assert.Equal(new ClientAddress { Raw = "cool.client.local:12345", SourceField = "ClientIP" }, raw.ClientAddress);
    }

    [Fact]
    public void Normalizer_B08_NoAddressField_AddressUnknownAndEventEmitted()
    {
        var ingress = NormalizerHarness.Ingress("""
            {"CreationTime":"2024-07-02T14:20:15","Id":"0b1c2d3e-4f5a-4b6c-8d7e-8f9a0b1c2d3e","Operation":"UserLoggedIn",
             "RecordType":15,"UserId":"mia@example.com","ClientIP":"","ActorIpAddress":"-"}
            """);

        Assert.Null(ingress.ClientAddress);
        Assert.Equal("mia@example.com", ingress.User);
    }

    [Fact]
    public void Normalizer_B08_AzureAdAdminRecord_ActorIpAddressFirst()
    {
        var admin = NormalizerHarness.Admin("""
            {"CreationTime":"2024-07-02T14:25:00","Id":"1c2d3e4f-5a6b-4c7d-9e8f-9a0b1c2d3e4f","Operation":"Update user.",
             "RecordType":8,"Workload":"AzureActiveDirectory","ResultStatus":"Success","UserId":"admin@example.com",
             "ObjectId":"mia@example.com","ClientIP":"198.51.100.1","ActorIpAddress":"203.0.113.44"}
            """);

        Assert.Equal("203.0.113.44", admin.ActorAddress?.Ip);
        Assert.Equal("ActorIpAddress", admin.ActorAddress?.SourceField);
    }

    /// <summary>Every spelling of PROTOCOL.md §8 and the corpus's ip-formats stubs, with the host names and malformed values.</summary>
    [Theory]
    [InlineData("10.11.12.13", "10.11.12.13", null)]
    [InlineData("10.11.12.13:12345", "10.11.12.13", 12345)]
    [InlineData("[10.11.12.13]", "10.11.12.13", null)]
    [InlineData("[10.11.12.13]:12345", "10.11.12.13", 12345)]
    [InlineData("203.0.113.24-50412", "203.0.113.24", 50412)]
    [InlineData("::ffff:10.11.12.13", "10.11.12.13", null)]
    [InlineData("[::ffff:10.11.12.13]:12345", "10.11.12.13", 12345)]
    [InlineData("2001:db8::abcd", "2001:db8::abcd", null)]
    [InlineData("[2001:db8::abcd]", "2001:db8::abcd", null)]
    [InlineData("[2001:db8::abcd]:12345", "2001:db8::abcd", 12345)]
    [InlineData("2001:db8::abcd%eth0", "2001:db8::abcd", null)]
    [InlineData("fe80::1%25", "fe80::1", null)]
    [InlineData("2001:DB8:0:0:0:0:0:ABCD", "2001:db8::abcd", null)]
    [InlineData(" 203.0.113.24 ", "203.0.113.24", null)]
    [InlineData("[fdfd::555]:12346", "fdfd::555", 12346)]
    [InlineData("203.0.113.24:0", "203.0.113.24", 0)]
    [InlineData("203.0.113.24:65535", "203.0.113.24", 65535)]
    public void ClientAddressParser_Spelling_Parsed(string value, string ip, int? port)
    {
        var address = ClientAddressParser.Parse(value, "ClientIP");

        Assert.Equal(ip, address.Ip);
        Assert.Equal(port, address.Port);
        Assert.Equal(value, address.Raw);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:12345")]
    [InlineData("[localhost]:12345")]
    [InlineData("cool.client.local")]
    [InlineData("cool.client.local:12345")]
    [InlineData("[cool.client.local]:12345")]
    [InlineData("NOTANIPV4 (10.9000.0.1)")]
    [InlineData("[CORRECTIPV4 (10.90.0.1)]")]
    [InlineData("[INCORRECTIPV4 (10.900.0.1)]")]
    [InlineData("ffff:10.11.0.229")]
    [InlineData("sanitized")]
    [InlineData("203.0.113.24:65536")]
    [InlineData("203.0.113.24:port")]
    [InlineData("[203.0.113.24]:")]
    [InlineData("[203.0.113.24")]
    [InlineData("2001:db8::abcd:12345:1:2:3:4")]
    [InlineData("::ffff:10.11.12")]
    public void ClientAddressParser_HostNameOrMalformed_NoIpRawKept(string value)
    {
        var address = ClientAddressParser.Parse(value, "ClientIPAddress");

        Assert.Null(address.Ip);
        Assert.Null(address.Port);
        Assert.Null(address.Network);
        Assert.Equal(value, address.Raw);
        Assert.Equal("ClientIPAddress", address.SourceField);
        Assert.False(ClientAddressParser.IsEmptyValue(value));
    }

    [Fact]
    public void Normalizer_MalformedClientIPAddressAfterGoodClientIP_ClientIPWins()
    {
        // The corpus's pipeline-test-bad-ips shape, on a sign-in.
        var ingress = NormalizerHarness.Ingress(SignInWithClientIp("203.0.113.13:12345", """ "ClientIPAddress":"NOTANIPV4 (10.9000.0.1)" """));

        Assert.Equal("203.0.113.13", ingress.ClientAddress?.Ip);
        Assert.Equal(12345, ingress.ClientAddress?.Port);
        Assert.Equal("ClientIP", ingress.ClientAddress?.SourceField);
    }

    [Fact]
    public void Normalizer_OnlyHostName_AddressWithoutIpRawKept()
    {
        var ingress = NormalizerHarness.Ingress(SignInWithClientIp("cool.client.local:12345"));

        Assert.Equal(new ClientAddress { Raw = "cool.client.local:12345", SourceField = "ClientIP" }, ingress.ClientAddress);
    }

    internal static string SignInWithClientIp(string clientIp, string more = "") =>
        $$"""
        {"CreationTime":"2024-03-05T10:15:22","Id":"6b1f0d2e-7c3a-4e59-8f21-0a9b8c7d6e5f","Operation":"UserLoggedIn",
         "RecordType":15,"Workload":"AzureActiveDirectory","ResultStatus":"Success","UserId":"alice@example.com",
         "ClientIP":"{{clientIp}}"{{(more.Length > 0 ? "," + more : "")}}}
        """;

    private static string InboxRuleWithClientIp(string clientIp) =>
        $$"""
        {"CreationTime":"2024-05-10T12:00:01","Id":"2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a",
         "Operation":"New-InboxRule","RecordType":1,"Workload":"Exchange","ResultStatus":"True",
         "UserId":"bob@example.com","ClientIP":"{{clientIp}}"}
        """;
}
