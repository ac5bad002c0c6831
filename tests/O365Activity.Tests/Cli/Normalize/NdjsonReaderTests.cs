using O365Activity.Cli.Normalize;

namespace O365Activity.Tests.Cli.Normalize;

/// <summary><see cref="NdjsonReader"/> on its own: every line its own record, pretty-printed records, the first-line note.</summary>
public sealed class NdjsonReaderTests
{
    [Fact]
    public async Task NdjsonReader_LinesOfAnyJsonValue_EachLineOneRecordBlankLinesSkipped()
    {
        // The reader does not decide the format: a line starting with '[' is a record of its own here.
        var (records, errors) = await ReaderHarness.ReadAsync("[1,2]\n\n{\"Id\":\"a\"}\r\n  \"text\"\n", Read);

        Assert.Equal(["line 1: [1,2]", "line 3: {\"Id\":\"a\"}", "line 4: \"text\""], records);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task NdjsonReader_PrettyPrintedRecords_PositionIsTheRecordsFirstLine()
    {
        var (records, errors) = await ReaderHarness.ReadAsync("{\n  \"Id\": \"a\",\n  \"Target\": [\n    1\n  ]\n}\n{\"Id\":\"b\"}\n", Read);

        Assert.Equal(["line 1: {\"Id\":\"a\",\"Target\":[1]}", "line 7: {\"Id\":\"b\"}"], records);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task NdjsonReader_PrettyPrintedRecordWithContentAfterItsEnd_ReportedNextRecordRead()
    {
        var (records, errors) = await ReaderHarness.ReadAsync("{\n  \"Id\": \"a\"\n} 5\n{\"Id\":\"b\"}\n", Read);

        Assert.Equal(["line 4: {\"Id\":\"b\"}"], records);
        Assert.Equal(["line 1: unexpected content after the record on the line where it ends"], errors);
    }

    [Fact]
    public async Task NdjsonReader_FirstLineNote_AppendedToTheFirstNonBlankLinesErrorOnly()
    {
        var (records, errors) = await ReaderHarness.ReadAsync(
            "\nx\ny\n",
            (window, onRecord, onError) => NdjsonReader.ReadAsync(window, onRecord, onError, "; NOTE"));

        Assert.Empty(records);
        Assert.Equal(
            [
                "line 2: not valid JSON: 'x' is an invalid start of a value. (line 2, byte 1); NOTE",
                "line 3: not valid JSON: 'y' is an invalid start of a value. (line 3, byte 1)",
            ],
            errors);
    }

    [Fact]
    public async Task NdjsonReader_NoteWhenFirstLineIsARecord_NotUsedLater()
    {
        var (records, errors) = await ReaderHarness.ReadAsync(
            "{\"Id\":\"a\"}\nx\n",
            (window, onRecord, onError) => NdjsonReader.ReadAsync(window, onRecord, onError, "; NOTE"));

        Assert.Equal(["line 1: {\"Id\":\"a\"}"], records);
        Assert.Equal(["line 2: not valid JSON: 'x' is an invalid start of a value. (line 2, byte 1)"], errors);
    }

    [Fact]
    public async Task NdjsonReader_BrokenPrettyPrintedRecord_ContinuationLinesSkippedToNextRecord()
    {
        var (records, errors) = await ReaderHarness.ReadAsync("{\n  \"Id\": x,\n  \"More\": 1\n}\n{\"Id\":\"b\"}\n", Read);

        Assert.Equal(["line 5: {\"Id\":\"b\"}"], records);
        Assert.Equal(["line 1: not valid JSON: 'x' is an invalid start of a value. (line 2, byte 9)"], errors);
    }

    private static Task Read(ByteWindow window, InputRecordHandler onRecord, InputErrorHandler onError) => NdjsonReader.ReadAsync(window, onRecord, onError);
}
