using System.Text;
using System.Text.Json;
using O365Activity.Cli.Normalize;

using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.Cli.Normalize;

/// <summary>The <c>normalize</c> command's input reader: how the format is decided, and that it streams.</summary>
public sealed class AuditInputTests
{
    private const string Record = """{"Id":"r1","Operation":"FileModified"}""";

    /// <summary>The rule of <see cref="AuditInput"/>: '[' → array; '{' → NDJSON; a first line with an AuditData column → CSV; else NDJSON.</summary>
    [Theory]
    [InlineData("[" + Record + "]", "JsonArray")]
    [InlineData(" \r\n\t\n[\n" + Record + "\n]", "JsonArray")]
    [InlineData("\uFEFF[" + Record + "]", "JsonArray")]
    [InlineData("[1,2]\n" + Record, "JsonArray")]
    [InlineData(Record + "\n" + Record, "Ndjson")]
    [InlineData("\n\n" + Record, "Ndjson")]
    [InlineData("{\"AuditData\":1},x\n", "Ndjson")]
    [InlineData("{\"Id\":\"trunc\",\"Operation\":\"UserLogg\n" + Record, "Ndjson")]
    [InlineData("42\n" + Record, "Ndjson")]
    [InlineData("a,b,c\n1,2,3", "Ndjson")]
    [InlineData("AuditDataX,b\n", "Ndjson")]
    [InlineData("\"unclosed,AuditData\n", "Ndjson")]
    [InlineData("AuditData\n", "Csv")]
    [InlineData("CreationDate,UserIds,Operations,AuditData\r\n", "Csv")]
    [InlineData("RecordId,auditdata,AssociatedAdminUnits\n", "Csv")]
    [InlineData("\"RecordId\",\"AuditData\"\n", "Csv")]
    [InlineData("\uFEFFCreationDate,AuditData\n", "Csv")]
    [InlineData("\n  RecordId , AuditData \n", "Csv")]
    [InlineData("", "Empty")]
    [InlineData(" \n\r\n", "Empty")]
    [InlineData("\uFEFF", "Empty")]
    public async Task AuditInput_FirstCharacterOrLine_DecidesFormat(string input, string expected)
    {
        var (format, _, _) = await Read(input);

        Assert.Equal(expected, format.ToString());
    }

    [Fact]
    public async Task AuditInput_BadFirstRecordInEachFormat_FormatUnchangedLaterRecordsRead()
    {
        var array = await Read($"[\n{{\"Id\": }},\n{Record}\n]");
        var ndjson = await Read($"{{\"Id\":\"trunc\",\"Operation\":\"UserLogg\n{Record}\n");
        var csv = await Read($"AuditData\n\"{{not json\"\n\"{Record.Replace("\"", "\"\"", StringComparison.Ordinal)}\"\n");

        Assert.Equal("JsonArray", array.Format.ToString());
        Assert.Equal(["line 3, element 2"], array.Records);
        Assert.Equal(["line 2, element 1"], array.Errors);
        Assert.Equal("Ndjson", ndjson.Format.ToString());
        Assert.Equal(["line 2"], ndjson.Records);
        Assert.Equal(["line 1"], ndjson.Errors);
        Assert.Equal("Csv", csv.Format.ToString());
        Assert.Equal(["line 3"], csv.Records);
        Assert.Equal(["line 2"], csv.Errors);
    }

    /// <summary>
    /// Records are handed on while the input is still being read: the first record arrives after at most two reads of the
    /// reader's 64 KiB buffer, not after the whole input (here 4 MiB) was read.
    /// </summary>
    [Theory]
    [InlineData("JsonArray")]
    [InlineData("Ndjson")]
    [InlineData("Csv")]
    public async Task AuditInput_LargeInput_RecordsHandedOnBeforeInputIsReadToEnd(string formatName)
    {
        var format = Enum.Parse<InputFormat>(formatName);
        const int Count = 40_000;
        var text = new StringBuilder();
        text.Append(format switch { InputFormat.JsonArray => "[\n", InputFormat.Csv => "CreationDate,AuditData\n", _ => "" });
        for (var i = 0; i < Count; i++)
        {
            var record = $$"""{"Id":"r{{i}}","Operation":"FileModified","RecordType":6,"UserId":"mia@example.com","ClientIP":"198.51.100.200"}""";
            text.Append(format switch
            {
                InputFormat.JsonArray => (i == 0 ? "" : ",\n") + record,
                InputFormat.Csv => $"2024-07-02,\"{record.Replace("\"", "\"\"", StringComparison.Ordinal)}\"\n",
                _ => record + "\n",
            });
        }

        text.Append(format == InputFormat.JsonArray ? "\n]\n" : "");
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        Assert.True(bytes.Length > 4_000_000, $"input is {bytes.Length} bytes");
        using var stream = new CountingStream(bytes);
        long readAtFirstRecord = -1;
        var records = 0;

        await AuditInput.ReadAsync(
            stream,
            (_, _) =>
            {
                if (records++ == 0)
                {
                    readAtFirstRecord = stream.BytesRead;
                }
            },
            (position, reason) => Assert.Fail($"{position}: {reason}"));

        Assert.Equal(Count, records);
        Assert.InRange(readAtFirstRecord, 1, 2 * 64 * 1024);
        Assert.Equal(bytes.Length, stream.BytesRead);
    }

    [Fact]
    public async Task AuditInput_NdjsonLineSplitAcrossReads_ReadWhole()
    {
        var line = $$"""{"Id":"long","Operation":"FileModified","Padding":"{{new string('x', 200_000)}}"}""";
        var (_, records, errors) = await Read($"{Record}\n{line}\n{Record}\n");

        Assert.Equal(["line 1", "line 2", "line 3"], records);
        Assert.Empty(errors);
    }

    private static async Task<(InputFormat Format, List<string> Records, List<string> Errors)> Read(string input)
    {
        var records = new List<string>();
        var errors = new List<string>();
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(input));
        var format = await AuditInput.ReadAsync(
            stream,
            (position, record) =>
            {
                Assert.NotEqual(JsonValueKind.Undefined, record.ValueKind);
                records.Add(position.ToString());
            },
            (position, _) => errors.Add(position.ToString()));
        return (format, records, errors);
    }
}
