using O365Activity.Contracts.Activity;
using O365Activity.Storage.Wire;
using O365Activity.Grains.Normalization;
using O365Activity.Tests.Cli.Normalize;

namespace O365Activity.Tests.Normalization;

/// <summary>
/// The generic decodings every raw record carries (address, user, changes, actions), the scalars that must not be
/// dropped, the <c>CreationTime</c> warnings, and the raw record's gRPC mapping.
/// </summary>
public sealed class RawRecordTests
{
    [Theory]
    [InlineData("\"UserId\":\"mia@example.com\",", "mia@example.com")]
    [InlineData("\"UserId\":\"Not Available\",", "Not Available")]
    [InlineData("\"UserId\":\"2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e\",", "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e")]
    [InlineData("\"UserId\":\"NT AUTHORITY\\\\SYSTEM (Microsoft.Exchange.ServiceHost)\",", "NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)")]
    [InlineData("\"userid\":\"lower@example.com\",", "lower@example.com")]
    [InlineData("\"UserId\":\"\",", null)]
    [InlineData("\"UserId\":null,", null)]
    [InlineData("", null)]
    public void RawRecord_UserId_KeptAsReceived(string field, string? expected)
    {
        var raw = NormalizerHarness.Normalize($$"""{{{field}}"Id":"x","Operation":"FileModified","RecordType":6}""").Raw;

        Assert.Equal(expected, raw.User);
    }

    [Fact]
    public void RawRecord_ModifiedPropertiesObjects_SameChangesAsAdminEvent()
    {
        const string Record = """
            {"Id":"x","Operation":"Update user.","RecordType":8,"UserId":"admin@example.com",
             "ModifiedProperties":[{"Name":"AccountEnabled","NewValue":"[\r\n  false\r\n]","OldValue":"[\r\n  true\r\n]"},"Department"]}
            """;
        var result = NormalizerHarness.Normalize(Record);

        Assert.Equal<PropertyChange>(
            [new PropertyChange { Name = "AccountEnabled", OldValue = "true", NewValue = "false" }, new PropertyChange { Name = "Department" }],
            result.Raw.Changes);
        Assert.Equal<PropertyChange>(Assert.IsType<AdminEvent>(result.Activity).Changes, result.Raw.Changes);
    }

    [Fact]
    public void RawRecord_NoGenericFields_EmptyOrNull()
    {
        var raw = NormalizerHarness.Normalize("""{"Id":"x","Operation":"FileModified"}""").Raw;

        Assert.Null(raw.ClientAddress);
        Assert.Null(raw.User);
        Assert.Empty(raw.Changes);
        Assert.Empty(raw.Actions);
    }

    [Fact]
    public async Task NormalizeCommand_RawRecord_LineCarriesGenericDecodings()
    {
        const string Record = """{"CreationTime":"2025-03-03T08:00:00","Id":"d2e3","Operation":"Update","RecordType":2,"Workload":"Exchange","UserId":"ivy@example.com","ClientIP":"[203.0.113.24]:50412","ModifiedProperties":["Body"],"Actions":["{\"ActionType\":\"X\"}"]}""";

        var (code, output, error) = await NormalizeCommandTests.Run(Record);

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Equal(
            """{"kind":"raw","recordId":"d2e3","eventTime":"2025-03-03T08:00:00Z","recordType":2,"operation":"Update","workload":"Exchange","clientAddress":{"ip":"203.0.113.24","port":50412,"raw":"[203.0.113.24]:50412","sourceField":"ClientIP","network":"203.0.113.0/24"},"user":"ivy@example.com","changes":[{"name":"Body"}],"actions":["{\"ActionType\":\"X\"}"]}""",
            Assert.Single(NormalizeCommandTests.Lines(output)));
    }

    [Fact]
    public void ActivityMessages_RawRecord_EveryDecodedFieldMapped()
    {
        var raw = new RawRecord
        {
            RecordId = "r1",
            RawJson = """{"Id":"r1"}""",
            ClientAddress = new ClientAddress { Ip = "203.0.113.24", Port = 50412, Raw = "[203.0.113.24]:50412", SourceField = "ClientIP", Network = "203.0.113.0/24" },
            User = "ivy@example.com",
            Changes = [new PropertyChange { Name = "Body" }, new PropertyChange { Name = "Type", OldValue = "Regular", NewValue = "Shared" }],
            Actions = ["""{"ActionType":"X"}""", "\"text\""],
        };

        var message = ActivityMessages.ToProto(raw);

        Assert.Equal("r1", message.Header.RecordId);
        Assert.Equal("""{"Id":"r1"}""", message.RawJson);
        Assert.Equal(
            new Protos.V1.ClientAddress { Ip = "203.0.113.24", Port = 50412, Raw = "[203.0.113.24]:50412", SourceField = "ClientIP", Network = "203.0.113.0/24" },
            message.ClientAddress);
        Assert.Equal("ivy@example.com", message.User);
        Assert.Equal(2, message.Changes.Count);
        Assert.Equal("Body", message.Changes[0].Name);
        Assert.False(message.Changes[0].HasOldValue);
        Assert.False(message.Changes[0].HasNewValue);
        Assert.Equal(new Protos.V1.PropertyChange { Name = "Type", OldValue = "Regular", NewValue = "Shared" }, message.Changes[1]);
        Assert.Equal(["""{"ActionType":"X"}""", "\"text\""], message.Actions);
    }

    [Fact]
    public void ActivityMessages_RawRecordWithoutDecodings_DefaultsAndNoAddress()
    {
        var message = ActivityMessages.ToProto(new RawRecord { RecordId = "r1" });

        Assert.Null(message.ClientAddress);
        Assert.Equal("", message.User);
        Assert.Empty(message.Changes);
        Assert.Empty(message.Actions);
    }

    // ---- scalars that must not be dropped (a number or boolean where a list is expected) ----

    [Theory]
    [InlineData("12", "12")]
    [InlineData("-1.5", "-1.5")]
    [InlineData("true", "true")]
    [InlineData("\"-Identity jack\"", "-Identity jack")]
    public void AdminEvent_ScalarParameters_KeptAsParametersText(string parameters, string expected)
    {
        var admin = NormalizerHarness.Admin($$"""{"Id":"x","Operation":"Set-Mailbox","RecordType":1,"Parameters":{{parameters}}}""");

        Assert.Equal(expected, admin.ParametersText);
        Assert.Empty(admin.Parameters);
    }

    [Fact]
    public void AdminEvent_ScalarsInParametersList_NamesWithoutValues()
    {
        var admin = NormalizerHarness.Admin("""{"Id":"x","Operation":"Set-Mailbox","RecordType":1,"Parameters":[{"Name":"Identity","Value":"jack"},3,false,null]}""");

        Assert.Equal<NameValue>(
            [new NameValue { Name = "Identity", Value = "jack" }, new NameValue { Name = "3" }, new NameValue { Name = "false" }],
            admin.Parameters);
        Assert.Null(admin.ParametersText);
    }

    [Theory]
    [InlineData("12", "12")]
    [InlineData("false", "false")]
    public void Record_ScalarModifiedProperties_OneNamedChange(string modifiedProperties, string expected)
    {
        var result = NormalizerHarness.Normalize($$"""{"Id":"x","Operation":"Set-Mailbox","RecordType":1,"ModifiedProperties":{{modifiedProperties}}}""");

        Assert.Equal<PropertyChange>([new PropertyChange { Name = expected }], result.Raw.Changes);
        Assert.Equal<PropertyChange>([new PropertyChange { Name = expected }], Assert.IsType<AdminEvent>(result.Activity).Changes);
    }

    [Fact]
    public void Record_ScalarExtendedProperties_OneEntryNamedExtendedProperties()
    {
        var raw = NormalizerHarness.Normalize("""{"Id":"x","Operation":"FileModified","ExtendedProperties":5}""").Raw;

        Assert.Equal<NameValue>([new NameValue { Name = "ExtendedProperties", Value = "5" }], raw.ExtendedProperties);
    }

    // ---- CreationTime warnings ----

    [Theory]
    [InlineData("\"CreationTime\":null,", "null", "CreationTime is null; the event time is 0001-01-01T00:00:00Z")]
    [InlineData("\"CreationTime\":\"not a date\",", "\"not a date\"", "CreationTime \"not a date\" is not a date and time; the event time is 0001-01-01T00:00:00Z")]
    [InlineData("\"CreationTime\":\"2024-02-30T10:00:00\",", "\"2024-02-30T10:00:00\"", "CreationTime \"2024-02-30T10:00:00\" is not a date and time; the event time is 0001-01-01T00:00:00Z")]
    [InlineData("\"CreationTime\":\"\",", "\"\"", "CreationTime \"\" is not a date and time; the event time is 0001-01-01T00:00:00Z")]
    [InlineData("\"CreationTime\":{\"a\":1},", "{\"a\":1}", "CreationTime {\"a\":1} is not a date and time; the event time is 0001-01-01T00:00:00Z")]
    [InlineData("\"CreationTime\":5,", "5", "CreationTime 5 is not a time: a number is read as seconds since 1970 only from 2000-01-01 to 9999-12-31; the event time is 0001-01-01T00:00:00Z")]
    [InlineData("\"CreationTime\":1717228800000,", "1717228800000", "CreationTime 1717228800000 is not a time: a number is read as seconds since 1970 only from 2000-01-01 to 9999-12-31; the event time is 0001-01-01T00:00:00Z")]
    [InlineData("", null, "CreationTime is missing; the event time is 0001-01-01T00:00:00Z")]
    public void Normalizer_UnreadableCreationTime_WarningNamesFieldAndValue(string field, string? value, string message)
    {
        var result = NormalizerHarness.Normalize($$"""{{{field}}"Id":"x","Operation":"UserLoggedIn","RecordType":15,"UserId":"mia@example.com"}""");

        Assert.Equal(new NormalizationWarning("CreationTime", value, message), Assert.Single(result.Warnings));
        Assert.Equal(DateTimeOffset.MinValue, result.Raw.EventTime);
        Assert.Equal(DateTimeOffset.MinValue, Assert.IsType<IngressEvent>(result.Activity).EventTime);
    }

    [Theory]
    [InlineData("\"2024-06-01T08:00:00\"")]
    [InlineData("1717228800")]
    [InlineData("\"1717228800\"")]
    public void Normalizer_ReadableCreationTime_NoWarning(string creationTime)
    {
        var result = NormalizerHarness.Normalize($$"""{"CreationTime":{{creationTime}},"Id":"x","Operation":"FileModified"}""");

        Assert.Empty(result.Warnings);
        Assert.Equal(new DateTimeOffset(2024, 6, 1, 8, 0, 0, TimeSpan.Zero), result.Raw.EventTime);
    }

    [Fact]
    public async Task NormalizeCommand_UnreadableCreationTime_WarningOnStandardErrorRecordFlowsExitCode0()
    {
        const string Good = """{"CreationTime":"2024-07-02T14:21:40","Id":"a","Operation":"FileModified"}""";
        const string Bad = """{"CreationTime":"2024-02-30T10:00:00","Id":"b","Operation":"FileModified"}""";
        const string Missing = """{"Id":"c","Operation":"FileModified"}""";

        var (code, output, error) = await NormalizeCommandTests.Run($"[\n{Good},\n{Bad},\n{Missing}\n]");

        Assert.Equal(0, code);
        Assert.Equal(
            [
                """{"kind":"raw","recordId":"a","eventTime":"2024-07-02T14:21:40Z","recordType":0,"operation":"FileModified"}""",
                """{"kind":"raw","recordId":"b","eventTime":"0001-01-01T00:00:00Z","recordType":0,"operation":"FileModified"}""",
                """{"kind":"raw","recordId":"c","eventTime":"0001-01-01T00:00:00Z","recordType":0,"operation":"FileModified"}""",
            ],
            NormalizeCommandTests.Lines(output));
        Assert.Equal(
            [
                "normalize: line 3, element 2: warning: CreationTime \"2024-02-30T10:00:00\" is not a date and time; the event time is 0001-01-01T00:00:00Z",
                "normalize: line 4, element 3: warning: CreationTime is missing; the event time is 0001-01-01T00:00:00Z",
            ],
            NormalizeCommandTests.Lines(error));
    }

    [Fact]
    public async Task NormalizeCommand_WarningAndBadLine_ExitCode1ForTheBadLineOnly()
    {
        var (code, _, error) = await NormalizeCommandTests.Run("{\"Id\":\"a\"}\n{broken\n");

        Assert.Equal(1, code);
        var lines = NormalizeCommandTests.Lines(error);
        Assert.Equal(2, lines.Length);
        Assert.Equal("normalize: line 1: warning: CreationTime is missing; the event time is 0001-01-01T00:00:00Z", lines[0]);
        Assert.StartsWith("normalize: line 2: not valid JSON:", lines[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1717228800", "2024-06-01T08:00:00.0000000Z")]
    [InlineData("1717228800.25", "2024-06-01T08:00:00.2500000Z")]
    [InlineData(" 946684800 ", "2000-01-01T00:00:00.0000000Z")]
    [InlineData("253402300799", "9999-12-31T23:59:59.0000000Z")]
    public void AuditTime_EpochSeconds_ReadAsUtc(string text, string expectedUtc)
    {
        Assert.True(AuditTime.TryParse(text, out var time));
        Assert.Equal(TimeSpan.Zero, time.Offset);
        Assert.Equal(expectedUtc, time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("5")]
    [InlineData("946684799")]
    [InlineData("253402300800")]
    [InlineData("1717228800000")]
    [InlineData("20240601")]
    [InlineData("-1717228800")]
    [InlineData("1.7e9")]
    [InlineData("2024-02-30T10:00:00")]
    public void AuditTime_NumbersOutOfRangeAndImpossibleDates_NotATime(string text)
    {
        Assert.False(AuditTime.TryParse(text, out var time));
        Assert.Equal(DateTimeOffset.MinValue, time);
    }

    [Fact]
    public void Normalizer_JsonNumberCreationTime_SameEventTimeAsText()
    {
        var number = NormalizerHarness.Normalize("""{"CreationTime":1717228800,"Id":"x"}""").Raw.EventTime;
        var text = NormalizerHarness.Normalize("""{"CreationTime":"2024-06-01T08:00:00","Id":"x"}""").Raw.EventTime;

        Assert.Equal(text, number);
    }
}
