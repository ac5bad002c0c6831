using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using O365Activity.Cli.Normalize;
using O365Activity.Tests.Normalization;

namespace O365Activity.Tests.Cli.Normalize;

/// <summary>The offline <c>normalize</c> command: input formats, output lines, errors and exit codes.</summary>
public sealed class NormalizeCommandTests : IDisposable
{
    private const string SignIn = """{"CreationTime":"2024-06-01T08:00:00","Id":"b4c5d6e7-f8a9-4b0c-9d1e-2f3a4b5c6d7e","Operation":"UserLoggedIn","RecordType":15,"UserId":"omar@example.com","ClientIP":"203.0.113.61"}""";
    private const string Admin = """{"CreationTime":"2024-03-04T12:50:48","Id":"c1d2e3f4-a5b6-47c8-d9e0-f1a2b3c4d5e6","Operation":"Add member to role.","RecordType":8,"UserId":"admin@example.com","Target":[{"ID":"hank@example.com","Type":5}],"ModifiedProperties":[{"Name":"Role.DisplayName","NewValue":"Global Administrator","OldValue":""}]}""";
    private const string Raw = """{"CreationTime":"2024-07-02T14:21:40","Id":"9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d","Operation":"FileModified","RecordType":6,"Workload":"SharePoint","UserId":"mia@example.com","ClientIP":"198.51.100.200"}""";

    private const string SignInLine = """{"kind":"ingress","recordId":"b4c5d6e7-f8a9-4b0c-9d1e-2f3a4b5c6d7e","eventTime":"2024-06-01T08:00:00Z","recordType":15,"operation":"UserLoggedIn","user":"omar@example.com","result":"Success","clientAddress":{"ip":"203.0.113.61","raw":"203.0.113.61","sourceField":"ClientIP","network":"203.0.113.0/24"},"locationReliable":true}""";
    private const string AdminLine = """{"kind":"admin","recordId":"c1d2e3f4-a5b6-47c8-d9e0-f1a2b3c4d5e6","eventTime":"2024-03-04T12:50:48Z","recordType":8,"operation":"Add member to role.","action":"RoleMemberAdded","actor":"admin@example.com","actorKind":"User","targetKind":"User","target":"hank@example.com","targetDetails":[{"name":"Role","value":"Global Administrator"}],"changes":[{"name":"Role.DisplayName","oldValue":"","newValue":"Global Administrator"}],"result":"Unknown"}""";
    private const string RawLine = """{"kind":"raw","recordId":"9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d","eventTime":"2024-07-02T14:21:40Z","recordType":6,"operation":"FileModified","workload":"SharePoint","clientAddress":{"ip":"198.51.100.200","raw":"198.51.100.200","sourceField":"ClientIP","network":"198.51.100.0/24"},"user":"mia@example.com"}""";

    private readonly string _temp = Directory.CreateTempSubdirectory("o365-normalize-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task NormalizeCommand_JsonArray_OneLinePerRecordInOrder()
    {
        var (code, output, error) = await Run($"[\n{SignIn},\n{Admin},\n{Raw}\n]\n");

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Equal([SignInLine, AdminLine, RawLine], Lines(output));
    }

    [Fact]
    public async Task NormalizeCommand_Ndjson_OneLinePerRecordInOrder()
    {
        var (code, output, error) = await Run($"{Raw}\n\n{SignIn}\r\n{Admin}");

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Equal([RawLine, SignInLine, AdminLine], Lines(output));
    }

    [Fact]
    public async Task NormalizeCommand_PrettyPrintedRecords_ReadAsSequence()
    {
        var pretty = JsonSerializer.Serialize(JsonDocument.Parse(SignIn).RootElement, new JsonSerializerOptions { WriteIndented = true });
        var (code, output, _) = await Run(pretty + "\n" + pretty);

        Assert.Equal(0, code);
        Assert.Equal([SignInLine, SignInLine], Lines(output));
    }

    [Fact]
    public async Task NormalizeCommand_PurviewCsvWithQuotedMultiLineAuditData_Read()
    {
        var multiLineAdmin = JsonSerializer.Serialize(JsonDocument.Parse(Admin).RootElement, new JsonSerializerOptions { WriteIndented = true });
        var csv = "\uFEFFCreationDate,UserIds,Operations,AuditData\r\n"
            + $"2024-06-01T08:00:00.0000000Z,omar@example.com,UserLoggedIn,{Csv(SignIn)}\r\n"
            + $"2024-03-04T12:50:48.0000000Z,admin@example.com,Add member to role.,{Csv(multiLineAdmin)}\r\n"
            + $"2024-07-02T14:21:40.0000000Z,\"mia@example.com\",FileModified,{Csv(Raw)}\r\n";

        var (code, output, error) = await Run(csv);

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Equal([SignInLine, AdminLine, RawLine], Lines(output));
    }

    [Fact]
    public async Task NormalizeCommand_PurviewCsvWithMoreColumnsAndBadRow_LineNumberOfRowReported()
    {
        var multiLine = JsonSerializer.Serialize(JsonDocument.Parse(Raw).RootElement, new JsonSerializerOptions { WriteIndented = true });
        var csv = "RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits\n"
            + $"1,2024-07-02,6,FileModified,mia@example.com,{Csv(multiLine)},\n"
            + "2,2024-07-02,6,FileModified,mia@example.com,\"{not json, with a comma\",\n"
            + $"3,2024-06-01,15,UserLoggedIn,omar@example.com,{Csv(SignIn)},\"a, b\"\n";
        var badRowLine = 2 + multiLine.Split('\n').Length;

        var (code, output, error) = await Run(csv);

        Assert.Equal(1, code);
        Assert.Equal([RawLine, SignInLine], Lines(output));
        var message = Assert.Single(Lines(error));
        Assert.StartsWith($"normalize: line {badRowLine}: AuditData is not valid JSON:", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NormalizeCommand_CsvWithoutAuditDataColumn_ReadAsNdjsonAndFirstLineSaysWhy()
    {
        var (code, output, error) = await Run("a,b,c\n1,2,3\n");

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal(
            [
                "normalize: line 1: not valid JSON: 'a' is an invalid start of a value. (line 1, byte 1); the input was read as NDJSON: it does not start with '[' or '{', and its first line is not a CSV header with an AuditData column",
                "normalize: line 2: unexpected content after the record on the line (one record per line)",
            ],
            Lines(error));
    }

    [Fact]
    public async Task NormalizeCommand_CsvUnterminatedQuoteInLastRow_Reported()
    {
        var (code, output, error) = await Run($"AuditData\n{Csv(SignIn)}\n\"{{\"\"Id\"\":\"\"x\"\"}}\n");

        Assert.Equal(1, code);
        Assert.Equal([SignInLine], Lines(output));
        Assert.Equal("normalize: line 3: unterminated quoted field: a '\"' opens a field that is never closed", Assert.Single(Lines(error)));
    }

    [Fact]
    public async Task NormalizeCommand_CsvUnterminatedQuoteInMiddleRow_ReportedLaterRowsRead()
    {
        var multiLineAdmin = JsonSerializer.Serialize(JsonDocument.Parse(Admin).RootElement, new JsonSerializerOptions { WriteIndented = true });
        var csv = "CreationDate,UserIds,AuditData\n"
            + $"2024-06-01,omar@example.com,{Csv(SignIn)}\n"
            + "2024-07-02,mia@example.com,\"{\"\"Id\"\":\"\"unclosed\"\"}\n"
            + $"2024-03-04,admin@example.com,{Csv(multiLineAdmin)}\n"
            + $"2024-07-02,mia@example.com,{Csv(Raw)}\n";

        var (code, output, error) = await Run(csv);

        Assert.Equal(1, code);
        Assert.Equal([SignInLine, AdminLine, RawLine], Lines(output));
        Assert.Equal(
            "normalize: line 3: unterminated quoted field, or a '\"' inside a quoted field that is not doubled: the '\"' at line 4 is followed by '{', not by ',' or a line end",
            Assert.Single(Lines(error)));
    }

    [Fact]
    public async Task NormalizeCommand_CsvUnterminatedQuoteLinesSkipped_SaysWhereReadingResumed()
    {
        var csv = "CreationDate,UserIds,AuditData\n"
            + "2024-07-02,mia@example.com,\"{\"\"Id\"\":\"\"unclosed\"\",\n"
            + "  \"\"Operation\"\": \"\"x\"\" } ,,\n"
            + $"2024-06-01,omar@example.com,{Csv(SignIn)}\n";

        var (code, output, error) = await Run(csv);

        Assert.Equal(1, code);
        Assert.Equal([SignInLine], Lines(output));
        Assert.Equal(
            "normalize: line 2: unterminated quoted field, or a '\"' inside a quoted field that is not doubled: the '\"' at line 4 is followed by '{', not by ',' or a line end; skipped to line 4",
            Assert.Single(Lines(error)));
    }

    [Fact]
    public async Task NormalizeCommand_CsvUnterminatedQuoteNoRowAfter_RestReportedUnreadable()
    {
        var csv = "CreationDate,UserIds,AuditData\n"
            + $"2024-06-01,omar@example.com,{Csv(SignIn)}\n"
            + "2024-07-02,mia@example.com,\"{\"\"Id\"\":\"\"unclosed\"\"}\n"
            + "not,a,row\n"
            + "1,2,3\n";

        var (code, output, error) = await Run(csv);

        Assert.Equal(1, code);
        Assert.Equal([SignInLine], Lines(output));
        Assert.Equal(
            "normalize: line 3: unterminated quoted field: a '\"' opens a field that is never closed; no later line starts a row of 3 columns with a JSON object in AuditData, so the rest of the input (from line 4) could not be read",
            Assert.Single(Lines(error)));
    }

    [Fact]
    public async Task NormalizeCommand_BadNdjsonLineInMiddle_ReportedWithLineNumberRestFlows()
    {
        var input = $"{SignIn}\n{Admin}\n{{\"Id\":\"broken\",\n\n{Raw}\n[1,2]\n";

        var (code, output, error) = await Run(input);

        Assert.Equal(1, code);
        Assert.Equal([SignInLine, AdminLine, RawLine], Lines(output));
        var errors = Lines(error);
        Assert.Equal(2, errors.Length);
        Assert.StartsWith("normalize: line 3: not valid JSON:", errors[0], StringComparison.Ordinal);
        Assert.Equal("normalize: line 6: An audit record must be a JSON object, not Array.", errors[1]);
    }

    [Fact]
    public async Task NormalizeCommand_JsonArrayWithNonObjectElement_ReportedWithElementNumberRestFlows()
    {
        var (code, output, error) = await Run($"[\n{SignIn},\n\"text\",\n{Raw}\n]");

        Assert.Equal(1, code);
        Assert.Equal([SignInLine, RawLine], Lines(output));
        Assert.Equal("normalize: line 3, element 2: An audit record must be a JSON object, not String.", Assert.Single(Lines(error)));
    }

    [Fact]
    public async Task NormalizeCommand_JsonArrayOneElementPerLineWithSyntaxError_ElementSkippedRestFlows()
    {
        var (code, output, error) = await Run($"[\n{SignIn},\n{{\"Id\": }},\n{Raw}\n]");

        Assert.Equal(1, code);
        Assert.Equal([SignInLine, RawLine], Lines(output));
        Assert.Equal(
            "normalize: line 3, element 2: not valid JSON: '}' is an invalid start of a value. (line 3, byte 8); skipped to line 4",
            Assert.Single(Lines(error)));
    }

    [Fact]
    public async Task NormalizeCommand_JsonArrayTruncatedElement_NextElementNotSwallowed()
    {
        var (code, output, error) = await Run($"[{SignIn},\n{{\"Id\":\"trunc\",\"Operation\":\n{Admin},\n{Raw}]");

        Assert.Equal(1, code);
        Assert.Equal([SignInLine, AdminLine, RawLine], Lines(output));
        Assert.Equal(
            "normalize: line 2, element 2: not valid JSON: '{' is an invalid start of a property name. Expected a '\"'. (line 4, byte 1); skipped to line 3",
            Assert.Single(Lines(error)));
    }

    [Fact]
    public async Task NormalizeCommand_PrettyPrintedJsonArrayWithSyntaxError_ResyncSkipsNestedObjects()
    {
        var indented = new JsonSerializerOptions { WriteIndented = true };
        var pretty = JsonSerializer.Serialize(new[] { SignIn, Admin, Raw }.Select(r => JsonDocument.Parse(r).RootElement), indented);
        var broken = pretty.Replace("\"Operation\": \"Add member to role.\",", "\"Operation\": \"Add member to role.\" \"x\",", StringComparison.Ordinal);
        Assert.NotEqual(pretty, broken);
        var lines = broken.Split('\n');
        var adminLine = Array.FindIndex(lines, l => l.Contains("c1d2e3f4", StringComparison.Ordinal)) + 1 - 2;
        var rawLine = Array.FindIndex(lines, l => l.Contains("9a0b1c2d", StringComparison.Ordinal)) + 1 - 2;
        var operationLine = Array.FindIndex(lines, l => l.Contains("\"x\"", StringComparison.Ordinal)) + 1;
        Assert.Contains(lines, l => l.StartsWith("      {", StringComparison.Ordinal));

        var (code, output, error) = await Run(broken);

        Assert.Equal(1, code);
        Assert.Equal([SignInLine, RawLine], Lines(output));
        Assert.Equal(
            $"normalize: line {adminLine}, element 2: not valid JSON: '\"' is invalid after a value. Expected either ',', '}}', or ']'. (line {operationLine}, byte 40); skipped to line {rawLine}",
            Assert.Single(Lines(error)));
    }

    [Fact]
    public async Task NormalizeCommand_OneLineJsonArrayWithSyntaxError_StopsSayingHowManyRecordsWereRead()
    {
        var (code, output, error) = await Run($"[{SignIn},{Admin},{{\"Id\": }},{Raw}]");

        Assert.Equal(1, code);
        Assert.Equal([SignInLine, AdminLine], Lines(output));
        Assert.Equal(
            $"normalize: line 1, element 3: not valid JSON: '}}' is an invalid start of a value. (line 1, byte {SignIn.Length + Admin.Length + 11}); reading stopped here: 2 records read before it, and the rest of the input could not be read (no later line starts an array element)",
            Assert.Single(Lines(error)));
    }

    [Fact]
    public async Task NormalizeCommand_OneLineJsonArrayWithNonObjectElement_ElementNumberInError()
    {
        var (code, output, error) = await Run($"[{SignIn},5,{Raw}]");

        Assert.Equal(1, code);
        Assert.Equal([SignInLine, RawLine], Lines(output));
        Assert.Equal("normalize: line 1, element 2: An audit record must be a JSON object, not Number.", Assert.Single(Lines(error)));
    }

    [Fact]
    public async Task NormalizeCommand_JsonArrayMissingComma_ReportedBothRecordsFlow()
    {
        var (code, output, error) = await Run($"[\n{SignIn}\n{Raw}\n]");

        Assert.Equal(1, code);
        Assert.Equal([SignInLine, RawLine], Lines(output));
        Assert.Equal("normalize: line 3, element 2: ',' missing before this element (read on as if it were there)", Assert.Single(Lines(error)));
    }

    [Fact]
    public async Task NormalizeCommand_JsonArrayNotClosed_ReportedAfterItsRecords()
    {
        var (code, output, error) = await Run($"[\n{SignIn},\n{Raw},\n");

        Assert.Equal(1, code);
        Assert.Equal([SignInLine, RawLine], Lines(output));
        Assert.Equal("normalize: line 4: the JSON array is not closed at the end of the input (2 records read)", Assert.Single(Lines(error)));
    }

    [Fact]
    public async Task NormalizeCommand_NdjsonFirstLineTruncatedInString_ReportedRestFlows()
    {
        var (code, output, error) = await Run($"{{\"Id\":\"trunc\",\"Operation\":\"UserLogg\n{SignIn}\n{Raw}\n");

        Assert.Equal(1, code);
        Assert.Equal([SignInLine, RawLine], Lines(output));
        Assert.Equal("normalize: line 1: not valid JSON: the line ends inside a string, before the record does (truncated?)", Assert.Single(Lines(error)));
    }

    [Fact]
    public async Task NormalizeCommand_NdjsonFirstLineTruncatedBetweenFields_NextLineNotSwallowed()
    {
        var (code, output, error) = await Run($"{{\"Id\":\"trunc\",\"Operation\":\r\n{SignIn}\r\n{Raw}\r\n");

        Assert.Equal(1, code);
        Assert.Equal([SignInLine, RawLine], Lines(output));
        Assert.Equal(
            "normalize: line 1: not valid JSON: the record is not complete before line 2, which starts a new record (truncated?)",
            Assert.Single(Lines(error)));
    }

    [Fact]
    public async Task NormalizeCommand_NdjsonFirstLineNotAnObject_ReportedRestFlows()
    {
        var (code, output, error) = await Run($"42\n{SignIn}\n{Raw}\n");

        Assert.Equal(1, code);
        Assert.Equal([SignInLine, RawLine], Lines(output));
        Assert.Equal("normalize: line 1: An audit record must be a JSON object, not Number.", Assert.Single(Lines(error)));
    }

    [Fact]
    public async Task NormalizeCommand_NdjsonFirstLineNestedTooDeep_ReportedRestFlows()
    {
        var deep = "{\"Id\":\"deep\",\"x\":" + string.Concat(Enumerable.Repeat("[", 70)) + string.Concat(Enumerable.Repeat("]", 70)) + "}";

        var (code, output, error) = await Run($"{deep}\n{SignIn}\n{Raw}\n");

        Assert.Equal(1, code);
        Assert.Equal([SignInLine, RawLine], Lines(output));
        Assert.Equal(
            "normalize: line 1: not valid JSON: The maximum configured depth of 64 has been exceeded. Cannot read next JSON array. (line 1, byte 81)",
            Assert.Single(Lines(error)));
    }

    [Fact]
    public async Task NormalizeCommand_NdjsonTwoRecordsOnOneLine_LineReported()
    {
        var (code, output, error) = await Run($"{SignIn}{Raw}\n{Admin}\n");

        Assert.Equal(1, code);
        Assert.Equal([AdminLine], Lines(output));
        Assert.Equal("normalize: line 1: unexpected content after the record on the line (one record per line)", Assert.Single(Lines(error)));
    }

    [Fact]
    public async Task NormalizeCommand_PrettyPrintedRecordWithError_ReportedAtItsStartNextRecordFlows()
    {
        var indented = new JsonSerializerOptions { WriteIndented = true };
        var pretty = JsonSerializer.Serialize(JsonDocument.Parse(Admin).RootElement, indented);
        var broken = pretty.Replace("\"RecordType\": 8,", "\"RecordType\": 8 8,", StringComparison.Ordinal);
        var brokenLine = Array.FindIndex(broken.Split('\n'), l => l.Contains("8 8", StringComparison.Ordinal)) + 2;
        var input = $"{SignIn}\n{broken}\n{pretty}\n{Raw}\n";

        var (code, output, error) = await Run(input);

        Assert.Equal(1, code);
        Assert.Equal([SignInLine, AdminLine, RawLine], Lines(output));
        Assert.Equal(
            $"normalize: line 2: not valid JSON: '8' is invalid after a value. Expected either ',', '}}', or ']'. (line {brokenLine}, byte 19)",
            Assert.Single(Lines(error)));
    }

    [Fact]
    public async Task NormalizeCommand_PrettyPrintedRecordTruncatedAtEnd_Reported()
    {
        var pretty = JsonSerializer.Serialize(JsonDocument.Parse(Admin).RootElement, new JsonSerializerOptions { WriteIndented = true });
        var truncated = pretty[..pretty.IndexOf("\"Target\"", StringComparison.Ordinal)];

        var (code, output, error) = await Run($"{SignIn}\n{truncated}");

        Assert.Equal(1, code);
        Assert.Equal([SignInLine], Lines(output));
        Assert.StartsWith("normalize: line 2: not valid JSON: ", Assert.Single(Lines(error)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NormalizeCommand_FileArgument_ReadsFile()
    {
        var path = Path.Combine(_temp, "records.json");
        await File.WriteAllTextAsync(path, $"[{Admin}]");

        var (code, output, _) = await Run("ignored stdin", path);

        Assert.Equal(0, code);
        Assert.Equal([AdminLine], Lines(output));
    }

    [Fact]
    public async Task NormalizeCommand_DashArgument_ReadsStandardInput()
    {
        var (code, output, _) = await Run(Raw, "-");

        Assert.Equal(0, code);
        Assert.Equal([RawLine], Lines(output));
    }

    [Fact]
    public async Task NormalizeCommand_MissingFile_UsageErrorExitCode2()
    {
        var path = Path.Combine(_temp, "nope.json");

        var (code, output, error) = await Run("", path);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Equal($"normalize: file not found: {path}", Assert.Single(Lines(error)));
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("a.json", "b.json")]
    [InlineData("--federated-domain")]
    public async Task NormalizeCommand_BadArguments_UsageErrorExitCode2(params string[] args)
    {
        var (code, output, error) = await Run("", args);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("normalize: unexpected argument", error, StringComparison.Ordinal);
        Assert.Contains("usage: normalize", error, StringComparison.Ordinal);
    }

    [SharedFact("geoip", "GeoIP2-City-Test-Broken-Double-Format.mmdb")]
    public async Task NormalizeCommand_CorruptGeoIpDatabase_UsageErrorNamingSetting()
    {
        var path = SharedFolder.Combine("geoip", "GeoIP2-City-Test-Broken-Double-Format.mmdb");

        var (code, output, error) = await Run(SignIn, [], new() { ["GeoIp:CityDatabasePath"] = path });

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith($"normalize: GeoIp:CityDatabasePath: '{path}' is not a usable MaxMind DB file", error, StringComparison.Ordinal);
    }

    [SharedFact("geoip", "GeoLite2-City-Test.mmdb")]
    public async Task NormalizeCommand_GeoIpConfigured_LocationInOutput()
    {
        var record = SignIn.Replace("203.0.113.61", "81.2.69.142", StringComparison.Ordinal);

        var (code, output, _) = await Run(record, [], new() { ["GeoIp:CityDatabasePath"] = SharedFolder.Combine("geoip", "GeoLite2-City-Test.mmdb") });

        Assert.Equal(0, code);
        using var line = JsonDocument.Parse(Assert.Single(Lines(output)));
        var location = line.RootElement.GetProperty("location");
        Assert.Equal("GB", location.GetProperty("countryCode").GetString());
        Assert.Equal("London", location.GetProperty("city").GetString());
        Assert.Equal(51.5142, location.GetProperty("latitude").GetDouble());
    }

    [SharedFact("geoip", "GeoLite2-City-Test.mmdb")]
    public async Task NormalizeCommand_AppSettingsJsonInTheExecutablesFolder_GeoIpSectionRead()
    {
        var database = SharedFolder.Combine("geoip", "GeoLite2-City-Test.mmdb");
        await File.WriteAllTextAsync(Path.Combine(_temp, "appsettings.json"), JsonSerializer.Serialize(new { GeoIp = new { CityDatabasePath = database } }));
        var record = SignIn.Replace("203.0.113.61", "81.2.69.142", StringComparison.Ordinal);

        var (code, output, error) = await RunWithConfiguration(record, NormalizeCommand.LoadConfiguration(_temp));

        Assert.Equal(0, code);
        Assert.Equal("", error);
        using var line = JsonDocument.Parse(Assert.Single(Lines(output)));
        Assert.Equal("London", line.RootElement.GetProperty("location").GetProperty("city").GetString());
    }

    [Fact]
    public async Task NormalizeCommand_NoAppSettingsJson_NoLocations()
    {
        var (code, output, _) = await RunWithConfiguration(SignIn, NormalizeCommand.LoadConfiguration(_temp));

        Assert.Equal(0, code);
        Assert.Equal([SignInLine], Lines(output));
    }

    [Fact]
    public async Task NormalizeCommand_AppSettingsJsonNotJson_LoadConfigurationThrowsInvalidData()
    {
        await File.WriteAllTextAsync(Path.Combine(_temp, "appsettings.json"), "{ not json");

        Assert.Throws<InvalidDataException>(() => NormalizeCommand.LoadConfiguration(_temp));
    }

    [Fact]
    public async Task NormalizeCommand_IncludeRawAndFederatedDomain_Applied()
    {
        var (code, output, _) = await Run(SignIn, "--include-raw", "--federated-domain", "@Example.COM");

        Assert.Equal(0, code);
        using var line = JsonDocument.Parse(Assert.Single(Lines(output)));
        Assert.Equal(SignIn, line.RootElement.GetProperty("rawJson").GetString());
        Assert.False(line.RootElement.GetProperty("locationReliable").GetBoolean());
        Assert.Equal(
            "The user's domain example.com is federated (AD FS): the sign-in address is the federation proxy's, not the user's.",
            line.RootElement.GetProperty("locationUnreliableReason").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n\r\n")]
    [InlineData("\uFEFF")]
    [InlineData("[]")]
    [InlineData(" [\n]\n")]
    [InlineData("AuditData\r\n")]
    public async Task NormalizeCommand_NoRecords_SaidOnStandardErrorExitCode0(string input)
    {
        var (code, output, error) = await Run(input);

        Assert.Equal(0, code);
        Assert.Equal("", output);
        Assert.Equal("normalize: no records in standard input", Assert.Single(Lines(error)));
    }

    [Fact]
    public async Task NormalizeCommand_EmptyFile_NoRecordsNamesTheFile()
    {
        var path = Path.Combine(_temp, "empty.json");
        await File.WriteAllTextAsync(path, "");

        var (code, output, error) = await Run("ignored stdin", path);

        Assert.Equal(0, code);
        Assert.Equal("", output);
        Assert.Equal($"normalize: no records in {path}", Assert.Single(Lines(error)));
    }

    [Fact]
    public async Task NormalizeCommand_DirectoryAsFile_IsADirectoryExitCode2()
    {
        var (code, output, error) = await Run("", _temp);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Equal($"normalize: is a directory: {_temp}", Assert.Single(Lines(error)));
    }

    [Theory]
    [InlineData("utf-16")]
    [InlineData("utf-16BE")]
    [InlineData("utf-32")]
    [InlineData("utf-8")]
    public async Task NormalizeCommand_FileWithByteOrderMark_ReadInItsEncoding(string encodingName)
    {
        var path = Path.Combine(_temp, "records.ndjson");
        var encoding = Encoding.GetEncoding(encodingName);
        await File.WriteAllTextAsync(path, $"{SignIn}\r\n{Raw}\r\n", encoding);
        Assert.True(encoding.GetPreamble().Length > 0);

        var (code, output, error) = await Run("", path);

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Equal([SignInLine, RawLine], Lines(output));
    }

    [Fact]
    public async Task NormalizeCommand_Help_UsageExitCode0()
    {
        var (code, output, _) = await Run("", "--help");

        Assert.Equal(0, code);
        Assert.StartsWith("usage: normalize", output, StringComparison.Ordinal);
    }

    internal static async Task<(int Code, string Output, string Error)> Run(string input, params string[] args) =>
        await Run(input, args, []);

    internal static Task<(int Code, string Output, string Error)> Run(string input, string[] args, Dictionary<string, string?> settings) =>
        RunWithConfiguration(input, new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), args);

    internal static async Task<(int Code, string Output, string Error)> RunWithConfiguration(string input, IConfiguration configuration, params string[] args)
    {
        using var stdin = new MemoryStream(Encoding.UTF8.GetBytes(input));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await NormalizeCommand.RunAsync(args, stdin, stdout, stderr, configuration);
        return (code, stdout.ToString(), stderr.ToString());
    }

    internal static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Csv(string value) => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
