namespace O365Activity.Cli.Normalize;

/// <summary>Reads a JSON array of audit records (a content blob, an export) element by element.</summary>
/// <remarks>
/// An element with a syntax error is reported and reading resumes at the next line that starts an element: its first
/// character that is not white space is <c>{</c> (or the closing <c>]</c>), at most as far in as the bad element's own
/// <c>{</c> (the one-element-per-line layout of exports and the pretty-printed layout both resync this way; the nested
/// objects of a pretty-printed record, further in, are skipped). When no later line qualifies (a whole array on one
/// line) reading stops, and the error says so and how many records were read. An element longer than
/// <see cref="ByteWindow.MaxRecordBytes"/> is reported and skipped the same way. A missing <c>,</c> between two
/// elements, an empty element, an array that is not closed and content after its end are reported too. Every position in
/// the array names the element number as well as the line.
/// </remarks>
internal static class JsonArrayReader
{
    /// <summary>Reads every element of the array that starts at the window's position, and checks that nothing follows it.</summary>
    /// <param name="window">The input, at the array's <c>[</c>.</param>
    /// <param name="onRecord">Called for each element.</param>
    /// <param name="onError">Called for each part of the array that is not a readable element.</param>
    /// <returns>A task that completes at the end of the input, or where reading had to stop.</returns>
    public static async Task ReadAsync(ByteWindow window, InputRecordHandler onRecord, InputErrorHandler onError)
    {
        window.Consume(1);
        var element = 0;
        var read = 0;
        var afterValue = false;
        while (true)
        {
            if (!await window.SkipWhiteSpaceAsync())
            {
                onError(new InputPosition(window.Line), $"the JSON array is not closed at the end of the input ({Records(read)} read)");
                return;
            }

            var first = window.Span[0];
            if (first == (byte)']')
            {
                window.Consume(1);
                if (await window.SkipWhiteSpaceAsync())
                {
                    onError(new InputPosition(window.Line), "unexpected content after the end of the JSON array");
                }

                return;
            }

            if (first == (byte)',')
            {
                if (!afterValue)
                {
                    onError(new InputPosition(window.Line, element + 1), "an empty array element (',' where an element should be)");
                }

                afterValue = false;
                window.Consume(1);
                continue;
            }

            element++;
            var position = new InputPosition(window.Line, element);
            var column = window.Column;
            if (afterValue)
            {
                onError(position, "',' missing before this element (read on as if it were there)");
            }

            string reason;
            while (true)
            {
                var status = JsonRecordParser.TryParseValue(window.Span, window.Eof, out var document, out var consumed, out var exception);
                if (status == ParseStatus.Complete)
                {
                    using (document)
                    {
                        onRecord(position, document!.RootElement);
                    }

                    window.Consume(consumed);
                    read++;
                    afterValue = true;
                    reason = "";
                    break;
                }

                if (status == ParseStatus.Error)
                {
                    reason = $"not valid JSON: {JsonRecordParser.Describe(exception!, position.Line, column)}";
                    break;
                }

                if (!await window.FillAsync() && !window.Eof)
                {
                    reason = $"the element is longer than {ByteWindow.MaxRecordSize}";
                    break;
                }
            }

            if (reason.Length == 0)
            {
                continue;
            }

            if (await ResyncAsync(window, column))
            {
                onError(position, $"{reason}; skipped to line {window.Line}");
                afterValue = false;
                continue;
            }

            onError(position, $"{reason}; reading stopped here: {Records(read)} read before it, and the rest of the input could not be read (no later line starts an array element)");
            return;
        }
    }

    /// <summary>
    /// After a bad element that starts at the window's start, <paramref name="column"/> bytes into its line: moves to the
    /// next line whose first character that is not white space is <c>{</c> or <c>]</c>, at most <paramref name="column"/>
    /// bytes in. False when the input ends first.
    /// </summary>
    private static async Task<bool> ResyncAsync(ByteWindow window, int column)
    {
        if (!await window.SkipLineAsync())
        {
            return false;
        }

        while (true)
        {
            var (indent, first) = await window.PeekLineStartAsync();
            if (first < 0)
            {
                return false;
            }

            if (first is '{' or ']' && indent <= column)
            {
                window.Consume(indent);
                return true;
            }

            if (!await window.SkipLineAsync())
            {
                return false;
            }
        }
    }

    private static string Records(int count) => count == 1 ? "1 record" : $"{count} records";
}
