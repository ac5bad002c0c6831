using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using O365Activity.Silo;

namespace O365Activity.Tests.Normalization;

/// <summary>The offline <c>normalize</c> command: input formats, output lines, errors and exit codes.</summary>
public sealed class NormalizeCommandTests : IDisposable
{
    private const string SignIn = """{"CreationTime":"2024-06-01T08:00:00","Id":"b4c5d6e7-f8a9-4b0c-9d1e-2f3a4b5c6d7e","Operation":"UserLoggedIn","RecordType":15,"UserId":"omar@example.com","ClientIP":"203.0.113.61"}""";
    private const string Admin = """{"CreationTime":"2024-03-04T12:50:48","Id":"c1d2e3f4-a5b6-47c8-d9e0-f1a2b3c4d5e6","Operation":"Add member to role.","RecordType":8,"UserId":"admin@example.com","Target":[{"ID":"hank@example.com","Type":5}],"ModifiedProperties":[{"Name":"Role.DisplayName","NewValue":"Global Administrator","OldValue":""}]}""";
    private const string Raw = """{"CreationTime":"2024-07-02T14:21:40","Id":"9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d","Operation":"FileModified","RecordType":6,"Workload":"SharePoint","UserId":"mia@example.com","ClientIP":"198.51.100.200"}""";

    private const string SignInLine = """{"kind":"ingress","recordId":"b4c5d6e7-f8a9-4b0c-9d1e-2f3a4b5c6d7e","eventTime":"2024-06-01T08:00:00Z","recordType":15,"operation":"UserLoggedIn","user":"omar@example.com","result":"Success","clientAddress":{"ip":"203.0.113.61","raw":"203.0.113.61","sourceField":"ClientIP","network":"203.0.113.0/24"},"locationReliable":true}""";
    private const string AdminLine = """{"kind":"admin","recordId":"c1d2e3f4-a5b6-47c8-d9e0-f1a2b3c4d5e6","eventTime":"2024-03-04T12:50:48Z","recordType":8,"operation":"Add member to role.","action":"RoleMemberAdded","actor":"admin@example.com","actorKind":"User","targetKind":"User","target":"hank@example.com","targetDetails":[{"name":"Role","value":"Global Administrator"}],"changes":[{"name":"Role.DisplayName","oldValue":"","newValue":"Global Administrator"}],"result":"Unknown"}""";
    private const string RawLine = """{"kind":"raw","recordId":"9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d","eventTime":"2024-07-02T14:21:40Z","recordType":6,"operation":"FileModified","workload":"SharePoint"}""";

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
    public async Task NormalizeCommand_CsvWithoutAuditDataColumn_ReportedAndExitCode1()
    {
        var (code, output, error) = await Run("a,b,c\n1,2,3\n");

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal(
            "normalize: line 1: the input is not a JSON array, NDJSON or a Purview audit CSV: the first row has no AuditData column",
            Assert.Single(Lines(error)));
    }

    [Fact]
    public async Task NormalizeCommand_CsvUnterminatedQuote_Reported()
    {
        var (code, output, error) = await Run($"AuditData\n{Csv(SignIn)}\n\"{{\"\"Id\"\":\"\"x\"\"}}\n");

        Assert.Equal(1, code);
        Assert.Equal([SignInLine], Lines(output));
        Assert.Equal("normalize: line 3: a quoted field is not closed before the end of the input", Assert.Single(Lines(error)));
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
    public async Task NormalizeCommand_JsonArrayWithNonObjectElement_ReportedRestFlows()
    {
        var (code, output, error) = await Run($"[\n{SignIn},\n\"text\",\n{Raw}\n]");

        Assert.Equal(1, code);
        Assert.Equal([SignInLine, RawLine], Lines(output));
        Assert.Equal("normalize: line 3: An audit record must be a JSON object, not String.", Assert.Single(Lines(error)));
    }

    [Fact]
    public async Task NormalizeCommand_JsonArrayWithSyntaxError_RecordsBeforeItFlowAndLineReported()
    {
        var (code, output, error) = await Run($"[\n{SignIn},\n{{\"Id\": }},\n{Raw}\n]");

        Assert.Equal(1, code);
        Assert.Equal([SignInLine], Lines(output));
        Assert.StartsWith("normalize: line 3: not valid JSON:", Assert.Single(Lines(error)), StringComparison.Ordinal);
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

    [Fact]
    public async Task NormalizeCommand_EmptyInput_NothingAndExitCode0()
    {
        var (code, output, error) = await Run("  \n");

        Assert.Equal(0, code);
        Assert.Equal("", output);
        Assert.Equal("", error);
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

    internal static async Task<(int Code, string Output, string Error)> Run(string input, string[] args, Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var stdin = new MemoryStream(Encoding.UTF8.GetBytes(input));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await NormalizeCommand.RunAsync(args, stdin, stdout, stderr, configuration);
        return (code, stdout.ToString(), stderr.ToString());
    }

    internal static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Csv(string value) => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
