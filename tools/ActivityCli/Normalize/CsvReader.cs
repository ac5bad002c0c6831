using System.Text.Json;

namespace O365Activity.Cli.Normalize;

/// <summary>
/// Reads the CSV that a Microsoft Purview audit search exports: a header row with an <c>AuditData</c> column holding
/// each record's JSON (RFC 4180 quoting, see <see cref="CsvRowParser"/>).
/// </summary>
/// <remarks>
/// A quoted field that is never closed (or that holds a <c>"</c> that is not doubled) is reported at its row's line as
/// an unterminated quoted field, and reading resumes at the next line that starts a row with the header's number of
/// columns and a JSON object in <c>AuditData</c>; when none does, the error says the rest could not be read. A row
/// longer than <see cref="ByteWindow.MaxRecordBytes"/> is reported and skipped the same way. Blank rows are skipped;
/// rows may have fewer or more columns than the header. A row's position is the line where it starts.
/// </remarks>
internal static class CsvReader
{
    /// <summary>Reads every row after the header, from the window's position to the end of the input.</summary>
    /// <param name="window">The input, at the header row (which is read and skipped).</param>
    /// <param name="header">The header, as <see cref="CsvHeader.TryRead"/> found it in the row at the window's position.</param>
    /// <param name="onRecord">Called for each row's <c>AuditData</c> value.</param>
    /// <param name="onError">Called for each row that cannot be read or has no readable <c>AuditData</c>.</param>
    /// <returns>A task that completes at the end of the input.</returns>
    public static async Task ReadAsync(ByteWindow window, CsvHeader header, InputRecordHandler onRecord, InputErrorHandler onError)
    {
        var fields = new List<CsvField>();
        var isHeader = true;
        while (true)
        {
            if (!await window.EnsureAsync(1))
            {
                return;
            }

            var position = new InputPosition(window.Line);
            var status = CsvRowParser.ParseRow(window.Span, window.Eof, fields, out var consumed, out var errorOffset);
            if (status == CsvRowStatus.NeedMore)
            {
                if (await window.FillAsync() || window.Eof)
                {
                    continue;
                }

                await ResyncAsync(window, header, fields, position, $"the row is longer than {ByteWindow.MaxRecordSize} (an unterminated quoted field?)", onError);
                continue;
            }

            if (status != CsvRowStatus.Complete)
            {
                var reason = status == CsvRowStatus.Unterminated
                    ? "unterminated quoted field: a '\"' opens a field that is never closed"
                    : $"unterminated quoted field, or a '\"' inside a quoted field that is not doubled: the '\"' at line {position.Line + window.Span[..errorOffset].Count((byte)'\n')} is followed by {Shown(window.Span[errorOffset + 1])}, not by ',' or a line end";
                await ResyncAsync(window, header, fields, position, reason, onError);
                continue;
            }

            if (isHeader)
            {
                isHeader = false;
            }
            else
            {
                ReadRow(window.Span[..consumed], fields, header, position, onRecord, onError);
            }

            window.Consume(consumed);
        }
    }

    private static void ReadRow(ReadOnlySpan<byte> row, List<CsvField> fields, CsvHeader header, InputPosition position, InputRecordHandler onRecord, InputErrorHandler onError)
    {
        var blank = true;
        foreach (var field in fields)
        {
            blank &= field.IsBlank(row);
        }

        if (blank)
        {
            return;
        }

        if (header.AuditData >= fields.Count || fields[header.AuditData].IsBlank(row))
        {
            onError(position, "the row has no AuditData value");
            return;
        }

        var auditData = fields[header.AuditData].Bytes(row);
        JsonDocument document;
        int consumed;
        try
        {
            document = JsonRecordParser.Parse(auditData, out consumed);
        }
        catch (JsonException e)
        {
            onError(position, $"AuditData is not valid JSON: {JsonRecordParser.Describe(e, 1, 0).Replace("(line ", "(AuditData line ", StringComparison.Ordinal)}");
            return;
        }

        using (document)
        {
            if (!JsonRecordParser.IsWhiteSpace(auditData[consumed..]))
            {
                onError(position, "AuditData is not valid JSON: unexpected content after the JSON value");
                return;
            }

            onRecord(position, document.RootElement);
        }
    }

    /// <summary>
    /// After a row that cannot be read, starting at the window's start: reports it and moves to the next line that
    /// starts a row with the header's column count and a JSON object in <c>AuditData</c>.
    /// </summary>
    private static async Task ResyncAsync(ByteWindow window, CsvHeader header, List<CsvField> fields, InputPosition position, string reason, InputErrorHandler onError)
    {
        if (!await window.SkipLineAsync())
        {
            onError(position, reason);
            return;
        }

        var skippedFrom = window.Line;
        var skippedText = false;
        while (await window.EnsureAsync(1))
        {
            var status = CsvRowParser.ParseRow(window.Span, window.Eof, fields, out _, out _);
            while (status == CsvRowStatus.NeedMore && (await window.FillAsync() || window.Eof))
            {
                status = CsvRowParser.ParseRow(window.Span, window.Eof, fields, out _, out _);
            }

            if (status == CsvRowStatus.Complete && fields.Count == header.Columns && fields[header.AuditData].StartsObject(window.Span))
            {
                onError(position, window.Line == skippedFrom ? reason : $"{reason}; skipped to line {window.Line}");
                return;
            }

            var (_, first) = await window.PeekLineStartAsync();
            skippedText |= first is not ('\n' or '\r' or -1);
            if (!await window.SkipLineAsync())
            {
                break;
            }
        }

        if (!skippedText)
        {
            onError(position, reason);
            return;
        }

        onError(position, $"{reason}; no later line starts a row of {header.Columns} columns with a JSON object in AuditData, so the rest of the input (from line {skippedFrom}) could not be read");
    }

    private static string Shown(byte b) => b is >= 0x20 and < 0x7F ? $"'{(char)b}'" : $"byte 0x{b:X2}";
}
