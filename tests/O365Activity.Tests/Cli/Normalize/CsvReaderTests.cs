using System.Text;
using O365Activity.Cli.Normalize;

namespace O365Activity.Tests.Cli.Normalize;

/// <summary><see cref="CsvReader"/> on its own, given the header <see cref="CsvHeader.TryRead"/> found: rows, blank rows, AuditData errors.</summary>
public sealed class CsvReaderTests
{
    [Fact]
    public async Task CsvReader_Rows_HeaderSkippedBlankRowsSkippedPositionIsTheRowsLine()
    {
        var csv = "Id,AuditData\n"
            + "1,\"{\"\"Id\"\":\"\"a\"\"}\"\n"
            + "\n"
            + ",\n"
            + "2,\"{\n  \"\"Id\"\": \"\"b\"\"\n}\",extra\r\n"
            + "3,{\"Id\":\"c\"}\n";

        var (records, errors) = await Read(csv);

        Assert.Equal(["line 2: {\"Id\":\"a\"}", "line 5: {\"Id\":\"b\"}", "line 8: {\"Id\":\"c\"}"], records);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task CsvReader_RowWithoutAuditDataValue_Reported()
    {
        var (records, errors) = await Read("Id,AuditData\n1\n2, \n");

        Assert.Empty(records);
        Assert.Equal(["line 2: the row has no AuditData value", "line 3: the row has no AuditData value"], errors);
    }

    [Fact]
    public async Task CsvReader_AuditDataSyntaxError_PositionIsInsideAuditData()
    {
        var (records, errors) = await Read("AuditData\n\"{\"\"Id\"\": }\"\n\"{}\"\n");

        Assert.Equal(["line 3: {}"], records);
        Assert.Equal(["line 2: AuditData is not valid JSON: '}' is an invalid start of a value. (AuditData line 1, byte 8)"], errors);
    }

    [Fact]
    public async Task CsvReader_AuditDataWithContentAfterTheValue_Reported()
    {
        var (records, errors) = await Read("AuditData\n\"{} x\"\n");

        Assert.Empty(records);
        Assert.Equal(["line 2: AuditData is not valid JSON: unexpected content after the JSON value"], errors);
    }

    [Fact]
    public async Task CsvReader_HeaderOnly_NoRecordsNoErrors()
    {
        var (records, errors) = await Read("CreationDate,AuditData\r\n");

        Assert.Empty(records);
        Assert.Empty(errors);
    }

    private static Task<(List<string> Records, List<string> Errors)> Read(string csv)
    {
        var firstLine = Encoding.UTF8.GetBytes(csv[..(csv.IndexOf('\n', StringComparison.Ordinal) + 1)]);
        var header = CsvHeader.TryRead(firstLine);
        Assert.NotNull(header);
        return ReaderHarness.ReadAsync(csv, (window, onRecord, onError) => CsvReader.ReadAsync(window, header, onRecord, onError));
    }
}
