using System.Text;
using System.Text.Json;
using O365Activity.Cli.Normalize;

namespace O365Activity.Tests.Cli.Normalize;

/// <summary><see cref="JsonRecordParser"/>: partial values, and errors with positions made absolute.</summary>
public sealed class JsonRecordParserTests
{
    [Theory]
    [InlineData("{\"a\":", false, "NeedMore", 0)]
    [InlineData("{\"a\":", true, "Error", 0)]
    [InlineData("{\"a\":1} rest", false, "Complete", 7)]
    [InlineData("/* note */ [1,2,]", true, "Complete", 17)]
    [InlineData("{\"a\" 1}", false, "Error", 0)]
    public void TryParseValue_PartialCompleteOrBad_Status(string data, bool final, string expectedName, int expectedConsumed)
    {
        var expected = Enum.Parse<ParseStatus>(expectedName);
        var status = JsonRecordParser.TryParseValue(Encoding.UTF8.GetBytes(data), final, out var document, out var consumed, out var exception);
        using (document)
        {
            Assert.Equal(expected, status);
            Assert.Equal(expected == ParseStatus.Complete, document is not null);
            Assert.Equal(expected == ParseStatus.Error, exception is not null);
            Assert.Equal(expectedConsumed, consumed);
        }
    }

    [Theory]
    [InlineData("{\"a\": }", 5, 10, "'}' is an invalid start of a value. (line 5, byte 17)")]
    [InlineData("{\n \"a\": }", 5, 10, "'}' is an invalid start of a value. (line 6, byte 7)")]
    public void Describe_ReaderError_PositionMadeAbsolute(string data, int startLine, int startColumn, string expected)
    {
        var exception = Assert.ThrowsAny<JsonException>(() => JsonRecordParser.Parse(Encoding.UTF8.GetBytes(data), out _));

        Assert.Equal(expected, JsonRecordParser.Describe(exception, startLine, startColumn));
    }

    [Fact]
    public void Parse_ValueWithContentAfterIt_ConsumedStopsAtTheValuesEnd()
    {
        using var document = JsonRecordParser.Parse("{\"a\":1}  x"u8, out var consumed);

        Assert.Equal(7, consumed);
        Assert.Equal(1, document.RootElement.GetProperty("a").GetInt32());
    }
}
