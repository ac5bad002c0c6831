using System.Text.Json;

namespace O365Activity.Cli.Normalize;

/// <summary>
/// Reads NDJSON audit records: one record per line, or records pretty-printed one after another.
/// </summary>
/// <remarks>
/// Every line is its own record: a bad line (truncated, not JSON, nested deeper than 64 levels, or more than one value)
/// is reported and the next line read; blank lines are skipped. A line that opens an object or array that it does not
/// close starts a pretty-printed record, which goes on over the following lines up to its closing bracket; a line
/// beginning with <c>{</c> or <c>[</c> (in its first column) always starts a new record, so a truncated record never
/// swallows the next one. A line or pretty-printed record longer than <see cref="ByteWindow.MaxRecordBytes"/> is
/// reported and skipped the same way.
/// </remarks>
internal static class NdjsonReader
{
    /// <summary>Reads every record from the window's position to the end of the input.</summary>
    /// <param name="window">The input, at the start of a line.</param>
    /// <param name="onRecord">Called for each record.</param>
    /// <param name="onError">Called for each line (or pretty-printed record) that is not a readable record.</param>
    /// <param name="firstLineNote">
    /// Appended to the error of the first line that is not blank, when it is not a record (it says why the input was
    /// read as NDJSON); null for none.
    /// </param>
    /// <returns>A task that completes at the end of the input.</returns>
    public static async Task ReadAsync(ByteWindow window, InputRecordHandler onRecord, InputErrorHandler onError, string? firstLineNote = null)
    {
        while (true)
        {
            var lineEnd = await window.FindLineEndAsync(0);
            if (lineEnd < 0)
            {
                if (window.AtEnd)
                {
                    return;
                }

                onError(new InputPosition(window.Line), $"the line is longer than {ByteWindow.MaxRecordSize}");
                await window.SkipLineAsync();
                continue;
            }

            var line = window.Span[..lineEnd];
            if (JsonRecordParser.IsWhiteSpace(line))
            {
                window.Consume(lineEnd);
                continue;
            }

            var position = new InputPosition(window.Line);
            var note = firstLineNote ?? "";
            firstLineNote = null;
            using (var whole = JsonRecordParser.TryParseWhole(window.Memory[..lineEnd]))
            {
                if (whole is not null)
                {
                    onRecord(position, whole.RootElement);
                    window.Consume(lineEnd);
                    continue;
                }
            }

            var final = window.Eof && lineEnd == window.Length;
            var status = JsonRecordParser.TryParseValue(line, final, out var document, out var consumed, out var exception);
            if (status == ParseStatus.Complete)
            {
                using (document)
                {
                    if (!JsonRecordParser.IsWhiteSpace(line[consumed..]))
                    {
                        onError(position, $"unexpected content after the record on the line (one record per line){note}");
                    }
                    else
                    {
                        onRecord(position, document!.RootElement);
                    }
                }

                window.Consume(lineEnd);
                continue;
            }

            if (status == ParseStatus.Error)
            {
                onError(position, $"not valid JSON: {DescribeLineError(exception!, line, position.Line, window.Column)}{note}");
                window.Consume(lineEnd);
                continue;
            }

            await ReadMultiLineAsync(window, lineEnd, position, onRecord, onError);
        }
    }

    /// <summary>
    /// A record whose first line (<paramref name="firstLineEnd"/> bytes at the window's start) opens an object or array
    /// it does not close: reads following lines up to the value's end; a line starting with <c>{</c> or <c>[</c> ends it.
    /// </summary>
    private static async Task ReadMultiLineAsync(ByteWindow window, int firstLineEnd, InputPosition position, InputRecordHandler onRecord, InputErrorHandler onError)
    {
        var state = new JsonReaderState(JsonRecordParser.ReaderOptions);
        var scanned = 0;
        var end = firstLineEnd;
        var startColumn = window.Column;
        while (true)
        {
            int valueEnd;
            try
            {
                valueEnd = ScanValue(window.Span[..end], window.Eof && end == window.Length, ref state, ref scanned);
            }
            catch (JsonException e)
            {
                onError(position, $"not valid JSON: {JsonRecordParser.Describe(e, position.Line, startColumn)}");
                window.Consume(end);
                await SkipContinuationLinesAsync(window);
                return;
            }

            if (valueEnd >= 0)
            {
                var rest = window.Span[valueEnd..end];
                if (!JsonRecordParser.IsWhiteSpace(rest))
                {
                    onError(position, "unexpected content after the record on the line where it ends");
                }
                else
                {
                    using var document = JsonRecordParser.Parse(window.Span[..valueEnd], out _);
                    onRecord(position, document.RootElement);
                }

                window.Consume(end);
                return;
            }

            var nextEnd = await window.FindLineEndAsync(end);
            if (nextEnd < 0 && !window.AtEndFrom(end))
            {
                onError(position, $"the record is longer than {ByteWindow.MaxRecordSize}");
                window.Consume(end);
                await SkipContinuationLinesAsync(window);
                return;
            }

            if (nextEnd < 0)
            {
                onError(position, "not valid JSON: the record is not complete at the end of the input (truncated?)");
                window.Consume(end);
                return;
            }

            if (StartsRecord(window.Span[end]))
            {
                onError(position, $"not valid JSON: the record is not complete before line {position.Line + window.Span[..end].Count((byte)'\n')}, which starts a new record (truncated?)");
                window.Consume(end);
                return;
            }

            end = nextEnd;
        }
    }

    private static bool StartsRecord(byte first) => first is (byte)'{' or (byte)'[';

    /// <summary>Skips lines that continue a broken multi-line record: up to the next line starting with <c>{</c> or <c>[</c>.</summary>
    private static async Task SkipContinuationLinesAsync(ByteWindow window)
    {
        while (await window.EnsureAsync(1) && !StartsRecord(window.Span[0]))
        {
            if (!await window.SkipLineAsync())
            {
                return;
            }
        }
    }

    /// <summary>
    /// Scans on from <paramref name="scanned"/> (with the reader state left there) for the end of the JSON value that
    /// starts at the beginning of <paramref name="data"/>: its end offset, or -1 when <paramref name="data"/> ends first.
    /// </summary>
    /// <exception cref="JsonException">When the value is not valid JSON.</exception>
    private static int ScanValue(ReadOnlySpan<byte> data, bool final, ref JsonReaderState state, ref int scanned)
    {
        var reader = new Utf8JsonReader(data[scanned..], final, state);
        while (reader.Read())
        {
            if (reader.CurrentDepth == 0 && reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
            {
                return scanned + (int)reader.BytesConsumed;
            }
        }

        if (final)
        {
            // Only reached for an empty or comment-only value; the caller never passes one.
            throw new JsonException("The input ends before the value does.");
        }

        scanned += (int)reader.BytesConsumed;
        state = reader.CurrentState;
        return -1;
    }

    /// <summary>
    /// An NDJSON line's error; an error at the line's end (inside a string the line leaves open) says that the line
    /// ends before its record does.
    /// </summary>
    private static string DescribeLineError(JsonException e, ReadOnlySpan<byte> line, int lineNumber, int column)
    {
        var content = line.TrimEnd("\r\n"u8).Length;
        return e.LineNumber == 0 && e.BytePositionInLine >= content
            ? "the line ends inside a string, before the record does (truncated?)"
            : JsonRecordParser.Describe(e, lineNumber, column);
    }
}
