using System.Text;
using O365Activity.Cli.Normalize;

namespace O365Activity.Tests.Cli.Normalize;

/// <summary><see cref="CsvRowParser"/>, <see cref="CsvField"/> and <see cref="CsvHeader"/>: RFC 4180 rows split into fields.</summary>
public sealed class CsvRowParserTests
{
    [Fact]
    public void ParseRow_QuotedFieldWithDoubledQuotesCommaAndLineBreak_OneFieldUndoubled()
    {
        var data = Encoding.UTF8.GetBytes("a,\"x \"\"y\"\", z\nw\",b\r\nnext");
        var fields = new List<CsvField>();

        var status = CsvRowParser.ParseRow(data, final: false, fields, out var consumed, out _);

        Assert.Equal(CsvRowStatus.Complete, status);
        Assert.Equal(data.Length - "next".Length, consumed);
        Assert.Equal(["a", "x \"y\", z\nw", "b"], fields.Select(f => f.Text(data)));
        Assert.Equal([false, true, false], fields.Select(f => f.Escaped));
    }

    [Theory]
    [InlineData("a,b", false, "NeedMore")]
    [InlineData("a,b", true, "Complete")]
    [InlineData("a,\"b\"", false, "NeedMore")]
    [InlineData("a,\"b\"", true, "Complete")]
    [InlineData("a,\"b\"\r", false, "NeedMore")]
    [InlineData("a,\"b\"\r", true, "Complete")]
    [InlineData("a,\"b\nc", false, "NeedMore")]
    [InlineData("a,\"b\nc", true, "Unterminated")]
    public void ParseRow_RowNotEnded_NeedsMoreUnlessFinal(string row, bool final, string expectedName)
    {
        var expected = Enum.Parse<CsvRowStatus>(expectedName);
        var data = Encoding.UTF8.GetBytes(row);

        var status = CsvRowParser.ParseRow(data, final, [], out var consumed, out _);

        Assert.Equal(expected, status);
        Assert.Equal(status == CsvRowStatus.Complete ? data.Length : 0, consumed);
    }

    [Fact]
    public void ParseRow_QuoteFollowedByOtherThanCommaOrLineEnd_StrayQuoteAtThatQuote()
    {
        var data = Encoding.UTF8.GetBytes("\"ab\"c,d\n");

        var status = CsvRowParser.ParseRow(data, final: true, [], out _, out var errorOffset);

        Assert.Equal(CsvRowStatus.StrayQuote, status);
        Assert.Equal(3, errorOffset);
    }

    [Fact]
    public void ParseRow_UnquotedFieldsWithQuotesAndCrLf_KeptAsTheyAreCrTrimmed()
    {
        var data = Encoding.UTF8.GetBytes("a\"b, c ,\r\n");
        var fields = new List<CsvField>();

        var status = CsvRowParser.ParseRow(data, final: true, fields, out var consumed, out _);

        Assert.Equal(CsvRowStatus.Complete, status);
        Assert.Equal(data.Length, consumed);
        Assert.Equal(["a\"b", " c ", ""], fields.Select(f => f.Text(data)));
        Assert.Equal([false, false, true], fields.Select(f => f.IsBlank(data)));
    }

    [Theory]
    [InlineData("AuditData\n", 1, 0)]
    [InlineData("\"RecordId\", auditdata ,X\r\n", 3, 1)]
    [InlineData("\uFEFFCreationDate,\"AuditData\"", 2, 1)]
    public void CsvHeader_LineWithAuditDataColumn_ColumnsAndIndex(string line, int columns, int auditData)
    {
        Assert.Equal(new CsvHeader(columns, auditData), CsvHeader.TryRead(Encoding.UTF8.GetBytes(line)));
    }

    [Theory]
    [InlineData("a,b,c\n")]
    [InlineData("AuditDataX,b\n")]
    [InlineData("\"unclosed,AuditData\n")]
    public void CsvHeader_LineWithoutAuditDataColumn_Null(string line)
    {
        Assert.Null(CsvHeader.TryRead(Encoding.UTF8.GetBytes(line)));
    }
}
