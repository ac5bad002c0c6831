using System.Text.Json;
using O365Activity.Contracts.Activity;
using O365Activity.Grains.Normalization;

namespace O365Activity.Tests.Normalization;

/// <summary>Cases A01, A02, A03, A05, A06, A08 (cases/record-shapes.md) and the lenient reading rules.</summary>
public sealed class RecordShapesTests
{
    private const string A01Record = """
        {"CreationTime":"2024-03-04T12:50:48","Id":"c1d2e3f4-a5b6-47c8-d9e0-f1a2b3c4d5e6",
         "Operation":"Add member to role.","RecordType":8,"Workload":"AzureActiveDirectory","ResultStatus":"Success",
         "UserId":"admin@example.com","ObjectId":"hank@example.com",
         "ModifiedProperties":[{"Name":"Role.DisplayName","NewValue":"Global Administrator","OldValue":""},
           {"Name":"Role.WellKnownObjectName","NewValue":"TenantAdmins","OldValue":""}],
         "Target":[{"ID":"User_2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e","Type":2},{"ID":"hank@example.com","Type":5}]}
        """;

    private const string A02Record = """
        {"CreationTime":"2025-03-03T08:00:00","Id":"d2e3f4a5-b6c7-48d9-e0f1-a2b3c4d5e6f7","Operation":"Update",
         "RecordType":2,"Workload":"Exchange","ResultStatus":"Succeeded","UserId":"ivy@example.com",
         "ClientIP":"203.0.113.14","ModifiedProperties":["AttachmentCollection","Body"]}
        """;

    [Fact]
    public void AdminEvent_A01_AddMemberToRoleWithDot_RoleMembershipAdded()
    {
        var admin = NormalizerHarness.Admin(A01Record);

        Assert.Equal(AdminAction.RoleMemberAdded, admin.Action);
        Assert.Equal("Add member to role.", admin.Operation);
        Assert.Equal("admin@example.com", admin.Actor);
        Assert.Equal(ActorKind.User, admin.ActorKind);
        Assert.Equal(TargetKind.User, admin.TargetKind);
        Assert.Equal("hank@example.com", admin.Target);
        Assert.Equal<NameValue>([new NameValue { Name = "Role", Value = "Global Administrator" }], admin.TargetDetails);
        Assert.Equal(ActivityResult.Success, admin.Result);
        Assert.Equal("Success", admin.ResultStatus);
        Assert.Equal<PropertyChange>(
            [
                new PropertyChange { Name = "Role.DisplayName", NewValue = "Global Administrator", OldValue = "" },
                new PropertyChange { Name = "Role.WellKnownObjectName", NewValue = "TenantAdmins", OldValue = "" },
            ],
            admin.Changes);
    }

    [Theory]
    [InlineData("Add member to role.")]
    [InlineData("Add member to role")]
    [InlineData("add member to role.")]
    [InlineData("ADD MEMBER TO ROLE")]
    [InlineData("Add member to role. ")]
    public void AdminEvent_A01_OperationSpellings_MatchedAndKeptAsReceived(string operation)
    {
        var admin = NormalizerHarness.Admin(A01Record.Replace("Add member to role.", operation, StringComparison.Ordinal));

        Assert.Equal(AdminAction.RoleMemberAdded, admin.Action);
        Assert.Equal(operation, admin.Operation);
    }

    [Fact]
    public void RawRecord_A02_ModifiedPropertiesAsListOfStrings_NamesWithoutValues()
    {
        var result = NormalizerHarness.Normalize(A02Record);

        Assert.Null(result.Activity);
        Assert.Equal("d2e3f4a5-b6c7-48d9-e0f1-a2b3c4d5e6f7", result.Raw.RecordId);
        Assert.Equal<PropertyChange>(
            [new PropertyChange { Name = "AttachmentCollection" }, new PropertyChange { Name = "Body" }],
            result.Raw.Changes);
        Assert.Equal("ivy@example.com", result.Raw.User);
        Assert.Equal("203.0.113.14", result.Raw.ClientAddress?.Ip);
    }

    [Fact]
    public void Record_A02_BothShapesInBothOrders_BothRight()
    {
        foreach (var order in new[] { new[] { A01Record, A02Record }, new[] { A02Record, A01Record } })
        {
            var results = NormalizerHarness.NormalizeArray($"[{order[0]},{order[1]}]");
            Assert.Equal(2, results.Length);
            var admin = Assert.Single(results.Select(r => r.Activity).OfType<AdminEvent>());
            Assert.Equal("Global Administrator", admin.Changes[0].NewValue);
            Assert.Equal<PropertyChange>(admin.Changes, results.Single(r => r.Activity is AdminEvent).Raw.Changes);
            var exchange = results.Single(r => r.Activity is null).Raw;
            Assert.Equal(["AttachmentCollection", "Body"], exchange.Changes.Select(c => c.Name));
            Assert.All(exchange.Changes, c => Assert.Equal((null, null), (c.OldValue, c.NewValue)));
        }
    }

    private const string A03Records = """
        [
         {"Operation":"Set-Mailbox","Workload":"Exchange","RecordType":1,"Id":"e3f4a5b6-c7d8-49e0-f1a2-b3c4d5e6f7a8",
          "CreationTime":"2024-02-01T10:00:00","Parameters":[{"Name":"Identity","Value":"jack"},{"Name":"Type","Value":"Shared"}]},
         {"Operation":"Set-Mailbox","Workload":"Exchange","RecordType":1,"Id":"f4a5b6c7-d8e9-4af1-a2b3-c4d5e6f7a8b9",
          "CreationTime":"2024-02-01T10:00:01","Parameters":"-Identity jack -Type Shared"},
         {"Operation":"Update","Workload":"Exchange","RecordType":2,"Id":"a5b6c7d8-e9fa-4b02-b3c4-d5e6f7a8b9c0",
          "CreationTime":"2024-02-01T10:00:02","ModifiedProperties":["Subject"]}
        ]
        """;

    [Fact]
    public void AdminEvent_A03_ParametersAsList_NameValues()
    {
        var results = NormalizerHarness.NormalizeArray(A03Records);
        var admin = Assert.IsType<AdminEvent>(results[0].Activity);

        Assert.Equal<NameValue>(
            [new NameValue { Name = "Identity", Value = "jack" }, new NameValue { Name = "Type", Value = "Shared" }],
            admin.Parameters);
        Assert.Null(admin.ParametersText);
        Assert.Equal("jack", admin.Target);
        Assert.Equal(TargetKind.Mailbox, admin.TargetKind);
    }

    [Fact]
    public void AdminEvent_A03_ParametersAsString_KeptAsText()
    {
        var results = NormalizerHarness.NormalizeArray(A03Records);
        var admin = Assert.IsType<AdminEvent>(results[1].Activity);

        Assert.Empty(admin.Parameters);
        Assert.Equal("-Identity jack -Type Shared", admin.ParametersText);
        Assert.Equal(AdminAction.MailboxUpdated, admin.Action);
    }

    [Fact]
    public void RawRecord_A03_ModifiedPropertiesAsListOfStrings_Names()
    {
        var results = NormalizerHarness.NormalizeArray(A03Records);

        Assert.Equal(3, results.Length);
        Assert.Null(results[2].Activity);
        Assert.Equal<PropertyChange>([new PropertyChange { Name = "Subject" }], results[2].Raw.Changes);
    }

    [Fact]
    public void Record_A03_ShapesInReverseOrder_SameResults()
    {
        using var document = JsonDocument.Parse(A03Records);
        var reversed = "[" + string.Join(",", document.RootElement.EnumerateArray().Reverse().Select(e => e.GetRawText())) + "]";
        var results = NormalizerHarness.NormalizeArray(reversed);

        Assert.Equal(3, results.Length);
        Assert.Equal("-Identity jack -Type Shared", Assert.IsType<AdminEvent>(results[1].Activity).ParametersText);
        Assert.Equal(2, Assert.IsType<AdminEvent>(results[2].Activity).Parameters.Length);
        Assert.Equal<PropertyChange>([new PropertyChange { Name = "Subject" }], results[0].Raw.Changes);
    }

    [Fact]
    public void AdminEvent_A03_ParametersAndModifiedPropertiesAsJsonInString_Decoded()
    {
        var admin = NormalizerHarness.Admin("""
            {"Operation":"Set-Mailbox","RecordType":1,"Id":"b6c7d8e9-fa0b-4c13-c4d5-e6f7a8b9c0d1","CreationTime":"2024-02-01T10:00:03",
             "Parameters":"[{\"Name\":\"Identity\",\"Value\":\"jack\"}]",
             "ModifiedProperties":"[{\"Name\":\"Type\",\"NewValue\":\"Shared\",\"OldValue\":\"Regular\"}]"}
            """);

        Assert.Equal<NameValue>([new NameValue { Name = "Identity", Value = "jack" }], admin.Parameters);
        Assert.Null(admin.ParametersText);
        Assert.Equal<PropertyChange>([new PropertyChange { Name = "Type", NewValue = "Shared", OldValue = "Regular" }], admin.Changes);
    }

    [Fact]
    public void AdminEvent_A03_ModifiedPropertiesAsPlainString_OneName()
    {
        var admin = NormalizerHarness.Admin("""{"Operation":"Set-Mailbox","RecordType":1,"Id":"x","ModifiedProperties":"Subject"}""");

        Assert.Equal<PropertyChange>([new PropertyChange { Name = "Subject" }], admin.Changes);
    }

    [Fact]
    public void AdminEvent_A05_ExtendedPropertyHoldingJson_KeptAsRawString()
    {
        var admin = NormalizerHarness.Admin("""
            {"CreationTime":"2025-11-04T09:00:00","Id":"c7d8e9fa-0b1c-4d24-d5e6-f7a8b9c0d1e2","Operation":"Update user.",
             "RecordType":8,"Workload":"AzureActiveDirectory","ResultStatus":"Success","UserId":"admin@example.com",
             "ObjectId":"lee@example.com",
             "ExtendedProperties":[{"Name":"additionalDetails","Value":"{\"UserType\":\"Member\"}"},
               {"Name":"extendedAuditEventCategory","Value":"User"}]}
            """);

        Assert.Equal(AdminAction.UserUpdated, admin.Action);
        Assert.Equal("admin@example.com", admin.Actor);
        Assert.Equal("lee@example.com", admin.Target);
        Assert.Equal(TargetKind.User, admin.TargetKind);
        Assert.Equal<NameValue>(
            [
                new NameValue { Name = "additionalDetails", Value = "{\"UserType\":\"Member\"}" },
                new NameValue { Name = "extendedAuditEventCategory", Value = "User" },
            ],
            admin.ExtendedProperties);
    }

    [Fact]
    public void Record_A05_NonStringExtendedPropertyValue_ItsJsonText()
    {
        var raw = NormalizerHarness.Normalize("""
            {"Id":"x","Operation":"Something","ExtendedProperties":[{"Name":"n","Value":{"a":1}},{"Name":"b","Value":true},{"Name":"c","Value":null},{"Name":"d","Value":5}]}
            """).Raw;

        Assert.Equal<NameValue>(
            [
                new NameValue { Name = "n", Value = "{\"a\":1}" },
                new NameValue { Name = "b", Value = "true" },
                new NameValue { Name = "c", Value = null },
                new NameValue { Name = "d", Value = "5" },
            ],
            raw.ExtendedProperties);
    }

    [Fact]
    public void Record_A05_ExtendedPropertiesAsObjectOrJsonString_Read()
    {
        Assert.Equal<NameValue>(
            [new NameValue { Name = "UserAgent", Value = "A" }],
            NormalizerHarness.Normalize("""{"Id":"x","ExtendedProperties":{"UserAgent":"A"}}""").Raw.ExtendedProperties);
        Assert.Equal<NameValue>(
            [new NameValue { Name = "UserAgent", Value = "B" }],
            NormalizerHarness.Normalize("""{"Id":"x","ExtendedProperties":"[{\"Name\":\"UserAgent\",\"Value\":\"B\"}]"}""").Raw.ExtendedProperties);
    }

    private const string A06VariantA = """
        {"CreationTime":"2025-08-14T10:00:00","Id":"d8e9fa0b-1c2d-4e35-e6f7-a8b9c0d1e2f3","Operation":"AirInvestigationData",
         "RecordType":64,"Workload":"AirInvestigation",
         "Actions":["{\"$id\":\"1\",\"ActionType\":\"EmailRemediation\",\"ActionStatus\":\"Skipped\"}"]}
        """;

    private const string A06VariantB = """
        {"CreationTime":"2025-08-14T10:00:00","Id":"d8e9fa0b-1c2d-4e35-e6f7-a8b9c0d1e2f3","Operation":"AirInvestigationData",
         "RecordType":64,"Workload":"AirInvestigation",
         "Actions":[{"$id":"1","ActionType":"EmailRemediation","ActionStatus":"Skipped"}]}
        """;

    [Theory]
    [InlineData(A06VariantA)]
    [InlineData(A06VariantB)]
    public void RawRecord_A06_ActionsAsObjectsOrJsonStrings_SameDecodedAction(string record)
    {
        var result = NormalizerHarness.Normalize(record);
        Assert.Null(result.Activity);
        Assert.Equal("d8e9fa0b-1c2d-4e35-e6f7-a8b9c0d1e2f3", result.Raw.RecordId);
        Assert.Equal(64, result.Raw.RecordType);

        var action = Assert.Single(result.Raw.Actions);
        Assert.Equal("""{"$id":"1","ActionType":"EmailRemediation","ActionStatus":"Skipped"}""", action);
        using var document = JsonDocument.Parse(action);
        Assert.Equal("EmailRemediation", document.RootElement.GetProperty("ActionType").GetString());
        Assert.Equal("Skipped", document.RootElement.GetProperty("ActionStatus").GetString());
    }

    [Fact]
    public void RawRecord_A06_BothVariants_EqualActions()
    {
        Assert.Equal<string>(NormalizerHarness.Normalize(A06VariantA).Raw.Actions, NormalizerHarness.Normalize(A06VariantB).Raw.Actions);
    }

    [Theory]
    [InlineData("""["{not json", {"a":1}, 5, null, "[1,2]"]""", new[] { "\"{not json\"", "{\"a\":1}", "5", "null", "[1,2]" })]
    [InlineData("""[]""", new string[0])]
    [InlineData("""null""", new string[0])]
    [InlineData("""{"ActionType":"BlockUrl"}""", new[] { "{\"ActionType\":\"BlockUrl\"}" })]
    [InlineData(""" "[{\"ActionType\":\"BlockUrl\"},\"{\\\"ActionType\\\":\\\"Isolate\\\"}\"]" """, new[] { "{\"ActionType\":\"BlockUrl\"}", "{\"ActionType\":\"Isolate\"}" })]
    [InlineData(""" "not json" """, new[] { "\"not json\"" })]
    [InlineData("""12""", new[] { "12" })]
    [InlineData(""" "Tëst ✓" """, new[] { "\"Tëst ✓\"" })]
    public void RawRecord_A06_ActionsOfAnyShape_OneCompactJsonTextPerElement(string actions, string[] expected)
    {
        var raw = NormalizerHarness.Normalize($$"""{"Id":"x","Operation":"AirInvestigationData","Actions":{{actions}}}""").Raw;

        Assert.Equal(expected, raw.Actions);
    }

    [Fact]
    public void Record_A06_ListElementStringThatIsNotJson_KeptAsRawText()
    {
        using var document = JsonDocument.Parse("""["{not json", {"a":1}]""");
        var elements = LenientJson.Elements(document.RootElement).ToList();

        Assert.Equal(2, elements.Count);
        Assert.Equal("{not json", elements[0].GetString());
        Assert.Equal(1, elements[1].GetProperty("a").GetInt32());
    }

    [Fact]
    public void AdminEvent_A06_TargetAndModifiedPropertiesElementsAsJsonStrings_Decoded()
    {
        var admin = NormalizerHarness.Admin("""
            {"CreationTime":"2024-03-04T12:50:48","Id":"e9fa0b1c-2d3e-4f46-a7b8-c9d0e1f2a3b4","Operation":"Add member to role.",
             "RecordType":8,"UserId":"admin@example.com",
             "ModifiedProperties":["{\"Name\":\"Role.DisplayName\",\"NewValue\":\"Global Reader\",\"OldValue\":\"\"}"],
             "Target":["{\"ID\":\"hank@example.com\",\"Type\":5}"]}
            """);

        Assert.Equal("hank@example.com", admin.Target);
        Assert.Equal("Global Reader", Assert.Single(admin.TargetDetails).Value);
    }

    [Fact]
    public void Record_A08_IntegerFloatAndUndocumentedFields_AllAccepted()
    {
        var results = NormalizerHarness.NormalizeArray("""
            [
             {"CreationTime":"2024-04-09T07:12:00","Id":"e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b","Operation":"MailItemsAccessed",
              "RecordType":50,"Workload":"Exchange","ResultStatus":"Succeeded","UserId":"nina@example.com",
              "Folders":[{"Path":"\\Inbox","FolderItems":[{"SizeInBytes":10240}]}]},
             {"CreationTime":"2024-04-09T07:12:05","Id":"f2a3b4c5-d6e7-4f8a-9b0c-1d2e3f4a5b6c","Operation":"MailItemsAccessed",
              "RecordType":50,"Workload":"Exchange","ResultStatus":"Succeeded","UserId":"nina@example.com",
              "Folders":[{"Path":"\\Inbox","FolderItems":[{"SizeInBytes":10240.0}]}]},
             {"CreationTime":"2024-04-09T07:12:09","Id":"a3b4c5d6-e7f8-4a9b-8c1d-2e3f4a5b6c7d","Operation":"MailItemsAccessed",
              "RecordType":50,"Workload":"Exchange","ResultStatus":"Succeeded","UserId":"nina@example.com",
              "OperationCount":1,"TokenTenantId":"9d0c4a1e-5b7f-4c2a-8e3d-1f2a3b4c5d6e",
              "Folders":[{"Path":"\\Inbox","FolderItems":[{"SizeInBytes":10240}]}]}
            ]
            """);

        Assert.Equal(3, results.Length);
        foreach (var result in results)
        {
            Assert.Equal(50, result.Raw.RecordType);
            using var document = JsonDocument.Parse(result.Raw.RawJson);
            var size = document.RootElement.GetProperty("Folders")[0].GetProperty("FolderItems")[0].GetProperty("SizeInBytes");
            Assert.Equal(10240L, LenientJson.Int64(size));
        }

        Assert.Contains("\"OperationCount\":1", results[2].Raw.RawJson, StringComparison.Ordinal);
        Assert.Contains("\"TokenTenantId\":\"9d0c4a1e-5b7f-4c2a-8e3d-1f2a3b4c5d6e\"", results[2].Raw.RawJson, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10240", 10240L)]
    [InlineData("10240.0", 10240L)]
    [InlineData("\"10240\"", 10240L)]
    [InlineData("\"10240.0\"", 10240L)]
    [InlineData("\" 15 \"", 15L)]
    [InlineData("-1", -1L)]
    [InlineData("10240.5", null)]
    [InlineData("\"abc\"", null)]
    [InlineData("true", null)]
    [InlineData("null", null)]
    [InlineData("[1]", null)]
    public void LenientJson_Int64_NumbersAndNumericStrings(string json, long? expected)
    {
        using var document = JsonDocument.Parse(json);
        Assert.Equal(expected, LenientJson.Int64(document.RootElement));
    }

    [Fact]
    public void Record_RecordTypeAsString_ReadAsNumber()
    {
        var ingress = NormalizerHarness.Ingress("""{"Id":"x","RecordType":"15","Operation":"UserLoggedIn","UserType":"0"}""");

        Assert.Equal(15, ingress.RecordType);
        Assert.Equal(0, ingress.UserType);
    }

    [Fact]
    public void Record_LowerCaseFieldNames_MatchedCaseInsensitively()
    {
        var admin = NormalizerHarness.Admin("""
            {"clientip":"203.0.113.4:10736","creationtime":"2022-12-12 22:19:00","id":"111-22-33","objectid":"homer",
             "operation":"New-InboxRule","parameters":[{"Name":"Name","Value":"Move it"},{"Name":"Mailbox","Value":"homer@example.com"}],
             "recordtype":1,"resultstatus":"True","userid":"homer@example.com","usertype":2,"workload":"Exchange"}
            """);

        Assert.Equal("111-22-33", admin.RecordId);
        Assert.Equal(AdminAction.InboxRuleCreated, admin.Action);
        Assert.Equal(new DateTimeOffset(2022, 12, 12, 22, 19, 0, TimeSpan.Zero), admin.EventTime);
        Assert.Equal("203.0.113.4", admin.ActorAddress?.Ip);
        Assert.Equal(10736, admin.ActorAddress?.Port);
        Assert.Equal("homer@example.com", admin.Actor);
        Assert.Equal(TargetKind.Rule, admin.TargetKind);
        Assert.Equal("Move it", admin.Target);
        Assert.Equal<NameValue>([new NameValue { Name = "Mailbox", Value = "homer@example.com" }], admin.TargetDetails);
        Assert.Equal(ActivityResult.Success, admin.Result);
        Assert.Equal("Exchange", admin.Workload);
    }

    [Fact]
    public void Record_DuplicateFieldInTwoCases_FirstWins()
    {
        Assert.Equal("first", NormalizerHarness.Normalize("""{"Id":"first","id":"second"}""").Raw.RecordId);
    }

    [Fact]
    public void Record_WithoutId_DerivedIdFromRawText()
    {
        const string record = """{"CreationTime":"2020-02-28T09:42:45","RecordType":1,"OriginatingServer":"[SOMETHING (10.555.1.2)]"}""";
        var result = NormalizerHarness.Normalize(record);

        Assert.Equal("sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(record))), result.Raw.RecordId);
        Assert.StartsWith("sha256:", result.Raw.RecordId, StringComparison.Ordinal);
        Assert.Equal(71, result.Raw.RecordId.Length);
        var admin = Assert.IsType<AdminEvent>(result.Activity);
        Assert.Equal(result.Raw.RecordId, admin.RecordId);
        Assert.Equal(AdminAction.Other, admin.Action);
        Assert.Equal("", admin.Operation);

        // Same text, same id; other text, other id; an empty Id counts as missing.
        Assert.Equal(result.Raw.RecordId, NormalizerHarness.Normalize(record).Raw.RecordId);
        Assert.NotEqual(result.Raw.RecordId, NormalizerHarness.Normalize(record.Replace("09:42:45", "09:42:46", StringComparison.Ordinal)).Raw.RecordId);
        Assert.StartsWith("sha256:", NormalizerHarness.Normalize("""{"Id":"","Operation":"X"}""").Raw.RecordId, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"Id":{"nested":true},"RecordType":[1],"CreationTime":5,"Operation":{"a":1},"UserId":[],"ClientIP":{"x":1}}""")]
    [InlineData("""{"Id":"x","Operation":"UserLoggedIn","ExtendedProperties":5,"DeviceProperties":"x","ErrorNumber":{"a":1},"KeepMeSignedIn":[]}""")]
    [InlineData("""{"Id":"x","Operation":"Add member to role.","ModifiedProperties":[1,null,true,{"Name":null}],"Target":[5,"x",{"ID":null}],"Actor":{"ID":"a@example.com","Type":"5"}}""")]
    [InlineData("""{"Id":"x","Operation":"Set-Mailbox","Parameters":[null,{"Value":"v"},3],"ResultStatus":7}""")]
    [InlineData("""{"Id":"x","RecordType":"99999999999","CreationTime":"not a time"}""")]
    [InlineData("""{"Id":"x","Operation":"AddedToGroup","EventData":"<Group>unterminated","TargetUserOrGroupName":5}""")]
    public void Normalizer_OddFieldTypes_NeverThrows(string record)
    {
        var result = NormalizerHarness.Normalize(record);

        Assert.NotNull(result.Raw);
        Assert.Equal(record, result.Raw.RawJson);
    }

    [Fact]
    public void Normalizer_OddFieldTypes_ReadLenientlyOrIgnored()
    {
        var admin = NormalizerHarness.Admin("""{"Id":"x","Operation":"Add member to role.","ModifiedProperties":[1,null,true,{"Name":null}],"Target":[5,"x",{"ID":null}],"Actor":{"ID":"a@example.com","Type":"5"}}""");

        Assert.Equal("a@example.com", admin.Actor);

        // Scalars in the list are bare names (no scalar is dropped); null is skipped; an object without a name has an empty one.
        Assert.Equal<PropertyChange>(
            [new PropertyChange { Name = "1" }, new PropertyChange { Name = "true" }, new PropertyChange { Name = "" }],
            admin.Changes);
        Assert.Null(admin.Target);

        var odd = NormalizerHarness.Normalize("""{"Id":{"nested":true},"RecordType":[1],"CreationTime":5,"Operation":{"a":1}}""").Raw;
        Assert.StartsWith("sha256:", odd.RecordId, StringComparison.Ordinal);
        Assert.Equal(0, odd.RecordType);
        Assert.Equal("", odd.Operation);
        Assert.Equal(DateTimeOffset.MinValue, odd.EventTime);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("5")]
    [InlineData("null")]
    public void Normalizer_NotAnObject_FormatException(string json)
    {
        var e = Assert.Throws<AuditRecordFormatException>(() => NormalizerHarness.Normalize(json));
        Assert.StartsWith("An audit record must be a JSON object", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"[\\r\\n  true\\r\\n]\"", "true")]
    [InlineData("\"[\\r\\n  \\\"x\\\"\\r\\n]\"", "x")]
    [InlineData("\"[\\\"a\\\",\\\"b\\\"]\"", "a, b")]
    [InlineData("\"[]\"", "")]
    [InlineData("\"\"", "")]
    [InlineData("\"Member\"", "Member")]
    [InlineData("\"[{\\\"Default\\\": true,\\\"MethodType\\\": 7}]\"", "[{\"Default\":true,\"MethodType\":7}]")]
    [InlineData("\"{\\\"a\\\": [1, 2]}\"", "{\"a\":[1,2]}")]
    [InlineData("\"[SkuName=E5, DisabledPlans=[]]\"", "[SkuName=E5, DisabledPlans=[]]")]
    [InlineData("\"{not json\"", "{not json")]
    [InlineData("\"\\\"quoted\\\"\"", "quoted")]
    [InlineData("true", "true")]
    [InlineData("5", "5")]
    [InlineData("[\"a\",null,\"b\"]", "a, b")]
    [InlineData("null", null)]
    public void LenientJson_ChangeValue_DecodesJsonInString(string json, string? expected)
    {
        using var document = JsonDocument.Parse(json);
        Assert.Equal(expected, LenientJson.ChangeValue(document.RootElement));
    }
}
