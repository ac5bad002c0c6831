using O365Activity.Cli.Normalize;

namespace O365Activity.Tests.Cli.Normalize;

/// <summary><see cref="JsonArrayReader"/> on its own: element positions, empty elements, what follows the array.</summary>
public sealed class JsonArrayReaderTests
{
    [Fact]
    public async Task JsonArrayReader_Elements_PositionsNameLineAndElementNumber()
    {
        var (records, errors) = await ReaderHarness.ReadAsync("[\n{\"Id\":\"a\"},\n  {\"Id\":\"b\"}, 7\n]\n", JsonArrayReader.ReadAsync);

        Assert.Equal(["line 2, element 1: {\"Id\":\"a\"}", "line 3, element 2: {\"Id\":\"b\"}", "line 3, element 3: 7"], records);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task JsonArrayReader_EmptyElement_ReportedWithTheNumberTheElementWouldHave()
    {
        var (records, errors) = await ReaderHarness.ReadAsync("[{\"Id\":\"a\"},,{\"Id\":\"b\"}]", JsonArrayReader.ReadAsync);

        Assert.Equal(["line 1, element 1: {\"Id\":\"a\"}", "line 1, element 2: {\"Id\":\"b\"}"], records);
        Assert.Equal(["line 1, element 2: an empty array element (',' where an element should be)"], errors);
    }

    [Fact]
    public async Task JsonArrayReader_ContentAfterTheArray_Reported()
    {
        var (records, errors) = await ReaderHarness.ReadAsync("[{\"Id\":\"a\"}]\n\n[{\"Id\":\"b\"}]\n", JsonArrayReader.ReadAsync);

        Assert.Equal(["line 1, element 1: {\"Id\":\"a\"}"], records);
        Assert.Equal(["line 3: unexpected content after the end of the JSON array"], errors);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("[\n]\n")]
    public async Task JsonArrayReader_EmptyArray_NoRecordsNoErrors(string input)
    {
        var (records, errors) = await ReaderHarness.ReadAsync(input, JsonArrayReader.ReadAsync);

        Assert.Empty(records);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task JsonArrayReader_TrailingComma_Accepted()
    {
        var (records, errors) = await ReaderHarness.ReadAsync("[\n{\"Id\":\"a\"},\n]\n", JsonArrayReader.ReadAsync);

        Assert.Equal(["line 2, element 1: {\"Id\":\"a\"}"], records);
        Assert.Empty(errors);
    }
}
