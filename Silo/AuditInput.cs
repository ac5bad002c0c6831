using System.Text;
using System.Text.Json;

namespace O365Activity.Silo;

/// <summary>Where a record or an error sits in the input.</summary>
/// <param name="Line">The 1-based line where the record (or the unreadable part) starts.</param>
/// <param name="Element">For an element of a JSON array, its number in the array, counted from 1; else null.</param>
internal readonly record struct InputPosition(int Line, int? Element = null)
{
    /// <summary><c>line 3</c>, or <c>line 1, element 7</c> for an array element.</summary>
    public override string ToString() => Element is { } element ? $"line {Line}, element {element}" : $"line {Line}";
}

/// <summary>The format <see cref="AuditInput"/> decided the input is in.</summary>
internal enum InputFormat
{
    /// <summary>Nothing but white space (or nothing at all).</summary>
    Empty,

    /// <summary>A JSON array of records (a content blob).</summary>
    JsonArray,

    /// <summary>One record per line, or records pretty-printed one after another.</summary>
    Ndjson,

    /// <summary>A Microsoft Purview audit-search CSV export.</summary>
    Csv,
}

/// <summary>
/// Reads audit records from the input of the <c>normalize</c> command, record by record, holding only one record (and
/// a 64 KiB read buffer) in memory at a time: a JSON array (a content blob), NDJSON (one record per line; records
/// pretty-printed one after another too), or the CSV that a Microsoft Purview audit search exports (a header row with an
/// <c>AuditData</c> column holding each record's JSON; RFC 4180 quoting, doubled quotes and line breaks inside quoted
/// fields).
/// </summary>
/// <remarks>
/// <para><b>Encoding.</b> UTF-8, with or without a byte-order mark. A seekable input (a file) that starts with a UTF-16
/// or UTF-32 byte-order mark (Windows PowerShell's <c>Out-File</c>) is transcoded; standard input must be UTF-8. Lines
/// end at LF or CRLF.</para>
/// <para><b>Format</b>, decided once from the start of the input so that a bad first record cannot change it: the first
/// character that is not white space is <c>[</c> → a JSON array; <c>{</c> → NDJSON; anything else → a Purview CSV when
/// the first non-blank line, read as a CSV row, has a column named <c>AuditData</c> (compared case-insensitively, after
/// trimming white space, quotes and a byte-order mark), else NDJSON (its first line is then reported as not JSON, with
/// a note saying why the input was read as NDJSON).</para>
/// <para><b>NDJSON.</b> Every line is its own record: a bad line (truncated, not JSON, nested deeper than 64 levels,
/// or more than one value) is reported and the next line read. A line that opens an object or array that it does not
/// close starts a pretty-printed record, which goes on over the following lines up to its closing bracket; a line
/// beginning with <c>{</c> or <c>[</c> (in its first column) always starts a new record, so a truncated record never
/// swallows the next one.</para>
/// <para><b>JSON array.</b> Read element by element. An element with a syntax error is reported and reading resumes at
/// the next line that starts an element: its first character that is not white space is <c>{</c> (or the closing
/// <c>]</c>), at most as far in as the bad element's own <c>{</c> (the one-element-per-line layout of exports and the
/// pretty-printed layout both resync this way; the nested objects of a pretty-printed record, further in, are skipped).
/// When no later line qualifies (a whole array on one line) reading stops, and the error says so and how many records
/// were read. Every array position names the element number as well as the line.</para>
/// <para><b>CSV.</b> A quoted field that is never closed (or that holds a <c>"</c> that is not doubled) is reported at
/// its row's line as an unterminated quoted field, and reading resumes at the next line that starts a row with the
/// header's number of columns and a JSON object in <c>AuditData</c>; when none does, the error says the rest could not
/// be read. Blank rows are skipped; rows may have fewer or more columns than the header.</para>
/// <para><b>Limits.</b> A single record (line, element or row) longer than <see cref="MaxRecordBytes"/> is reported and
/// skipped the same way as a syntax error.</para>
/// </remarks>
internal static class AuditInput
{
    /// <summary>The longest record (NDJSON line or pretty-printed record, array element, CSV row) read: 64 MiB.</summary>
    public const int MaxRecordBytes = 64 * 1024 * 1024;

    /// <summary>Called for each record read; the element is valid only during the call.</summary>
    public delegate void RecordHandler(InputPosition position, JsonElement record);

    /// <summary>Called for each part of the input that is not a readable record.</summary>
    public delegate void ErrorHandler(InputPosition position, string reason);

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private enum Status
    {
        Complete,
        NeedMore,
        Error,
    }

    /// <summary>Reads every record of <paramref name="input"/>, reporting each record and each unreadable part in input order.</summary>
    /// <param name="input">The input; read to its end, not closed.</param>
    /// <param name="onRecord">Called for each record.</param>
    /// <param name="onError">Called for each unreadable part.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>The format the input was read as.</returns>
    public static async Task<InputFormat> ReadAsync(
        Stream input,
        RecordHandler onRecord,
        ErrorHandler onError,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(onRecord);
        ArgumentNullException.ThrowIfNull(onError);

        var window = new ByteWindow(Transcoded(input), cancellationToken);
        await window.FillAsync();
        window.SkipUtf8Preamble();
        if (!await window.SkipWhiteSpaceAsync())
        {
            return InputFormat.Empty;
        }

        switch (window.Span[0])
        {
            case (byte)'[':
                await ReadArrayAsync(window, onRecord, onError);
                return InputFormat.JsonArray;
            case (byte)'{':
                await ReadLinesAsync(window, onRecord, onError, firstLineNote: null);
                return InputFormat.Ndjson;
        }

        var lineEnd = await window.FindLineEndAsync(0);
        if (lineEnd >= 0 && CsvHeader(window.Span[..lineEnd]) is { } header)
        {
            await ReadCsvAsync(window, header, onRecord, onError);
            return InputFormat.Csv;
        }

        await ReadLinesAsync(
            window,
            onRecord,
            onError,
            "; the input was read as NDJSON: it does not start with '[' or '{', and its first line is not a CSV header with an AuditData column");
        return InputFormat.Ndjson;
    }

    /// <summary>A seekable input that starts with a UTF-16 or UTF-32 byte-order mark, transcoded to UTF-8; else the input itself.</summary>
    private static Stream Transcoded(Stream input)
    {
        if (!input.CanSeek)
        {
            return input;
        }

        Span<byte> head = stackalloc byte[4];
        var start = input.Position;
        var read = input.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        input.Position = start;
        head = head[..read];
        Encoding? encoding =
            head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0x00, 0x00]) ? new UTF32Encoding(bigEndian: false, byteOrderMark: true)
            : head.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]) ? new UTF32Encoding(bigEndian: true, byteOrderMark: true)
            : head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) ? Encoding.Unicode
            : head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) ? Encoding.BigEndianUnicode
            : null;
        return encoding is null ? input : Encoding.CreateTranscodingStream(input, encoding, Encoding.UTF8, leaveOpen: true);
    }

    // ---- NDJSON -------------------------------------------------------------------------------------------------

    private static async Task ReadLinesAsync(ByteWindow window, RecordHandler onRecord, ErrorHandler onError, string? firstLineNote)
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

                onError(new InputPosition(window.Line), $"the line is longer than {MaxRecordBytes / (1024 * 1024)} MiB");
                await window.SkipLineAsync();
                continue;
            }

            var line = window.Span[..lineEnd];
            if (IsWhiteSpace(line))
            {
                window.Consume(lineEnd);
                continue;
            }

            var position = new InputPosition(window.Line);
            var note = firstLineNote ?? "";
            firstLineNote = null;
            var final = window.Eof && lineEnd == window.Length;
            var status = TryParseValue(line, final, out var document, out var consumed, out var exception);
            if (status == Status.Complete)
            {
                using (document)
                {
                    if (!IsWhiteSpace(line[consumed..]))
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

            if (status == Status.Error)
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
    private static async Task ReadMultiLineAsync(ByteWindow window, int firstLineEnd, InputPosition position, RecordHandler onRecord, ErrorHandler onError)
    {
        var state = new JsonReaderState(ReaderOptions);
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
                onError(position, $"not valid JSON: {Describe(e, position.Line, startColumn)}");
                window.Consume(end);
                await SkipContinuationLinesAsync(window);
                return;
            }

            if (valueEnd >= 0)
            {
                var rest = window.Span[valueEnd..end];
                if (!IsWhiteSpace(rest))
                {
                    onError(position, "unexpected content after the record on the line where it ends");
                }
                else
                {
                    var reader = new Utf8JsonReader(window.Span[..valueEnd], isFinalBlock: true, new JsonReaderState(ReaderOptions));
                    using var document = JsonDocument.ParseValue(ref reader);
                    onRecord(position, document.RootElement);
                }

                window.Consume(end);
                return;
            }

            var nextEnd = await window.FindLineEndAsync(end);
            if (nextEnd < 0 && !window.AtEndFrom(end))
            {
                onError(position, $"the record is longer than {MaxRecordBytes / (1024 * 1024)} MiB");
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

    // ---- JSON array ---------------------------------------------------------------------------------------------

    private static async Task ReadArrayAsync(ByteWindow window, RecordHandler onRecord, ErrorHandler onError)
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
                var status = TryParseValue(window.Span, window.Eof, out var document, out var consumed, out var exception);
                if (status == Status.Complete)
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

                if (status == Status.Error)
                {
                    reason = $"not valid JSON: {Describe(exception!, position.Line, column)}";
                    break;
                }

                if (!await window.FillAsync() && !window.Eof)
                {
                    reason = $"the element is longer than {MaxRecordBytes / (1024 * 1024)} MiB";
                    break;
                }
            }

            if (reason.Length == 0)
            {
                continue;
            }

            if (await ResyncArrayAsync(window, column))
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
    private static async Task<bool> ResyncArrayAsync(ByteWindow window, int column)
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

    // ---- CSV ----------------------------------------------------------------------------------------------------

    private sealed record CsvHeaderInfo(int Columns, int AuditData);

    private readonly record struct Field(int Start, int End, bool Escaped);

    private enum RowStatus
    {
        Complete,
        NeedMore,
        Unterminated,
        StrayQuote,
    }

    /// <summary>The header of a Purview CSV, when <paramref name="line"/> read as a CSV row has an <c>AuditData</c> column; else null.</summary>
    private static CsvHeaderInfo? CsvHeader(ReadOnlySpan<byte> line)
    {
        var fields = new List<Field>();
        if (ParseRow(line, final: true, fields, out _, out _) != RowStatus.Complete)
        {
            return null;
        }

        for (var i = 0; i < fields.Count; i++)
        {
            var name = FieldText(line, fields[i]).Trim().Trim('\uFEFF').Trim('"').Trim();
            if (string.Equals(name, "AuditData", StringComparison.OrdinalIgnoreCase))
            {
                return new CsvHeaderInfo(fields.Count, i);
            }
        }

        return null;
    }

    private static async Task ReadCsvAsync(ByteWindow window, CsvHeaderInfo header, RecordHandler onRecord, ErrorHandler onError)
    {
        var fields = new List<Field>();
        var isHeader = true;
        while (true)
        {
            if (!await window.EnsureAsync(1))
            {
                return;
            }

            var position = new InputPosition(window.Line);
            var status = ParseRow(window.Span, window.Eof, fields, out var consumed, out var errorOffset);
            if (status == RowStatus.NeedMore)
            {
                if (await window.FillAsync() || window.Eof)
                {
                    continue;
                }

                await ResyncCsvAsync(window, header, fields, position, $"the row is longer than {MaxRecordBytes / (1024 * 1024)} MiB (an unterminated quoted field?)", onError);
                continue;
            }

            if (status != RowStatus.Complete)
            {
                var reason = status == RowStatus.Unterminated
                    ? "unterminated quoted field: a '\"' opens a field that is never closed"
                    : $"unterminated quoted field, or a '\"' inside a quoted field that is not doubled: the '\"' at line {position.Line + window.Span[..errorOffset].Count((byte)'\n')} is followed by {Shown(window.Span[errorOffset + 1])}, not by ',' or a line end";
                await ResyncCsvAsync(window, header, fields, position, reason, onError);
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

    private static void ReadRow(ReadOnlySpan<byte> row, List<Field> fields, CsvHeaderInfo header, InputPosition position, RecordHandler onRecord, ErrorHandler onError)
    {
        var blank = true;
        foreach (var field in fields)
        {
            blank &= IsWhiteSpace(row[field.Start..field.End]);
        }

        if (blank)
        {
            return;
        }

        if (header.AuditData >= fields.Count || IsWhiteSpace(row[fields[header.AuditData].Start..fields[header.AuditData].End]))
        {
            onError(position, "the row has no AuditData value");
            return;
        }

        var auditData = FieldBytes(row, fields[header.AuditData]);
        var reader = new Utf8JsonReader(auditData, isFinalBlock: true, new JsonReaderState(ReaderOptions));
        JsonDocument document;
        try
        {
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            onError(position, $"AuditData is not valid JSON: {Describe(e, 1, 0).Replace("(line ", "(AuditData line ", StringComparison.Ordinal)}");
            return;
        }

        using (document)
        {
            if (!IsWhiteSpace(auditData[(int)reader.BytesConsumed..]))
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
    private static async Task ResyncCsvAsync(ByteWindow window, CsvHeaderInfo header, List<Field> fields, InputPosition position, string reason, ErrorHandler onError)
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
            var status = ParseRow(window.Span, window.Eof, fields, out _, out _);
            while (status == RowStatus.NeedMore && (await window.FillAsync() || window.Eof))
            {
                status = ParseRow(window.Span, window.Eof, fields, out _, out _);
            }

            if (status == RowStatus.Complete && fields.Count == header.Columns && IsObjectText(window.Span, fields[header.AuditData]))
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

    private static bool IsObjectText(ReadOnlySpan<byte> row, Field field)
    {
        var text = row[field.Start..field.End].TrimStart(" \t\r\n"u8);
        return !text.IsEmpty && text[0] == (byte)'{';
    }

    /// <summary>
    /// Parses one CSV row at the start of <paramref name="data"/>. A quoted field ends at a <c>"</c> that is not doubled,
    /// which must be followed by <c>,</c>, a line end or the end of the input (else <see cref="RowStatus.StrayQuote"/>,
    /// with <paramref name="errorOffset"/> at that quote). An unquoted field ends at <c>,</c> or the line end; quotes in it
    /// are kept as they are.
    /// </summary>
    private static RowStatus ParseRow(ReadOnlySpan<byte> data, bool final, List<Field> fields, out int consumed, out int errorOffset)
    {
        fields.Clear();
        consumed = 0;
        errorOffset = 0;
        var i = 0;
        while (true)
        {
            if (i == data.Length)
            {
                if (!final)
                {
                    return RowStatus.NeedMore;
                }

                fields.Add(new Field(i, i, false));
                consumed = i;
                return RowStatus.Complete;
            }

            if (data[i] != (byte)'"')
            {
                var stop = data[i..].IndexOfAny((byte)',', (byte)'\n');
                if (stop < 0)
                {
                    if (!final)
                    {
                        return RowStatus.NeedMore;
                    }

                    fields.Add(new Field(i, TrimCr(data, i, data.Length), false));
                    consumed = data.Length;
                    return RowStatus.Complete;
                }

                stop += i;
                if (data[stop] == (byte)',')
                {
                    fields.Add(new Field(i, stop, false));
                    i = stop + 1;
                    continue;
                }

                fields.Add(new Field(i, TrimCr(data, i, stop), false));
                consumed = stop + 1;
                return RowStatus.Complete;
            }

            var start = i + 1;
            var escaped = false;
            i = start;
            while (true)
            {
                var quote = data[i..].IndexOf((byte)'"');
                if (quote < 0)
                {
                    return final ? RowStatus.Unterminated : RowStatus.NeedMore;
                }

                i += quote + 1;
                if (i == data.Length && !final)
                {
                    return RowStatus.NeedMore;
                }

                if (i < data.Length && data[i] == (byte)'"')
                {
                    escaped = true;
                    i++;
                    continue;
                }

                break;
            }

            fields.Add(new Field(start, i - 1, escaped));
            if (i == data.Length)
            {
                consumed = i;
                return RowStatus.Complete;
            }

            switch (data[i])
            {
                case (byte)',':
                    i++;
                    continue;
                case (byte)'\n':
                    consumed = i + 1;
                    return RowStatus.Complete;
                case (byte)'\r' when i + 1 < data.Length && data[i + 1] == (byte)'\n':
                    consumed = i + 2;
                    return RowStatus.Complete;
                case (byte)'\r' when i + 1 == data.Length:
                    if (!final)
                    {
                        return RowStatus.NeedMore;
                    }

                    consumed = i + 1;
                    return RowStatus.Complete;
                default:
                    errorOffset = i - 1;
                    return RowStatus.StrayQuote;
            }
        }
    }

    private static string Shown(byte b) => b is >= 0x20 and < 0x7F ? $"'{(char)b}'" : $"byte 0x{b:X2}";

    private static int TrimCr(ReadOnlySpan<byte> data, int start, int end) => end > start && data[end - 1] == (byte)'\r' ? end - 1 : end;

    /// <summary>A field's bytes, with doubled quotes undoubled.</summary>
    private static ReadOnlySpan<byte> FieldBytes(ReadOnlySpan<byte> row, Field field)
    {
        var raw = row[field.Start..field.End];
        if (!field.Escaped)
        {
            return raw;
        }

        var bytes = new byte[raw.Length];
        var length = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            bytes[length++] = raw[i];
            if (raw[i] == (byte)'"' && i + 1 < raw.Length && raw[i + 1] == (byte)'"')
            {
                i++;
            }
        }

        return bytes.AsSpan(0, length);
    }

    private static string FieldText(ReadOnlySpan<byte> row, Field field) => Encoding.UTF8.GetString(FieldBytes(row, field));

    // ---- shared -------------------------------------------------------------------------------------------------

    /// <summary>Parses the JSON value at the start of <paramref name="data"/>.</summary>
    private static Status TryParseValue(ReadOnlySpan<byte> data, bool final, out JsonDocument? document, out int consumed, out JsonException? exception)
    {
        document = null;
        consumed = 0;
        exception = null;
        var reader = new Utf8JsonReader(data, final, new JsonReaderState(ReaderOptions));
        try
        {
            if (!JsonDocument.TryParseValue(ref reader, out document))
            {
                return Status.NeedMore;
            }

            consumed = (int)reader.BytesConsumed;
            return Status.Complete;
        }
        catch (JsonException e)
        {
            exception = e;
            return Status.Error;
        }
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
            : Describe(e, lineNumber, column);
    }

    /// <summary>
    /// A reader error's message with its position made absolute: System.Text.Json counts lines and bytes from where the
    /// reader started (<paramref name="startLine"/>, <paramref name="startColumn"/> bytes into that line).
    /// </summary>
    private static string Describe(JsonException e, int startLine, int startColumn)
    {
        var message = e.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut >= 0)
        {
            message = message[..cut];
        }

        message = message.TrimEnd();
        if (e.LineNumber is not { } line || e.BytePositionInLine is not { } bytes)
        {
            return message;
        }

        var column = (line == 0 ? startColumn : 0) + bytes + 1;
        return $"{message} (line {startLine + line}, byte {column})";
    }

    private static string Records(int count) => count == 1 ? "1 record" : $"{count} records";

    private static bool IsWhiteSpace(ReadOnlySpan<byte> bytes) => bytes.IndexOfAnyExcept(" \t\r\n"u8) < 0;

    /// <summary>
    /// A window on the input: the bytes read and not yet consumed, with the line and column of the first of them. Grows
    /// (up to <see cref="MaxRecordBytes"/>) only while one record does not fit.
    /// </summary>
    private sealed class ByteWindow(Stream stream, CancellationToken cancellationToken)
    {
        private byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;

        /// <summary>True once the input has no more bytes.</summary>
        public bool Eof { get; private set; }

        /// <summary>The 1-based line of the window's first byte.</summary>
        public int Line { get; private set; } = 1;

        /// <summary>How many bytes of its line come before the window's first byte.</summary>
        public int Column { get; private set; }

        public int Length => _end - _start;

        public ReadOnlySpan<byte> Span => _buffer.AsSpan(_start, _end - _start);

        /// <summary>True when every byte has been consumed.</summary>
        public bool AtEnd => Eof && Length == 0;

        /// <summary>True when nothing follows the first <paramref name="offset"/> bytes.</summary>
        public bool AtEndFrom(int offset) => Eof && Length == offset;

        /// <summary>Reads more bytes; false at the end of the input, or when the window already holds <see cref="MaxRecordBytes"/>.</summary>
        public async ValueTask<bool> FillAsync()
        {
            if (Eof)
            {
                return false;
            }

            if (_end == _buffer.Length)
            {
                if (Length >= _buffer.Length / 2 && _buffer.Length < MaxRecordBytes)
                {
                    var larger = new byte[Math.Min(_buffer.Length * 2, MaxRecordBytes)];
                    Span.CopyTo(larger);
                    _buffer = larger;
                    _end = Length;
                    _start = 0;
                }
                else if (_start > 0)
                {
                    Span.CopyTo(_buffer);
                    _end = Length;
                    _start = 0;
                }
                else
                {
                    return false;
                }
            }

            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                Eof = true;
                return false;
            }

            _end += read;
            return true;
        }

        /// <summary>Fills until the window holds at least <paramref name="count"/> bytes; false when it cannot.</summary>
        public async ValueTask<bool> EnsureAsync(int count)
        {
            while (Length < count)
            {
                if (!await FillAsync())
                {
                    return false;
                }
            }

            return true;
        }

        public void SkipUtf8Preamble()
        {
            if (Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            {
                _start += 3;
            }
        }

        public void Consume(int count)
        {
            var consumed = Span[..count];
            var newlines = consumed.Count((byte)'\n');
            if (newlines > 0)
            {
                Line += newlines;
                Column = count - 1 - consumed.LastIndexOf((byte)'\n');
            }
            else
            {
                Column += count;
            }

            _start += count;
            if (_start == _end)
            {
                _start = _end = 0;
            }
        }

        /// <summary>Consumes white space (line breaks too); false when the input ends first.</summary>
        public async ValueTask<bool> SkipWhiteSpaceAsync()
        {
            while (true)
            {
                var other = Span.IndexOfAnyExcept(" \t\r\n"u8);
                if (other >= 0)
                {
                    Consume(other);
                    return true;
                }

                Consume(Length);
                if (!await FillAsync())
                {
                    return false;
                }
            }
        }

        /// <summary>
        /// The end of the line that starts <paramref name="from"/> bytes into the window: the offset just after its
        /// <c>\n</c>, or the window's length when it is the input's last line; -1 when the input ends at
        /// <paramref name="from"/>, or when the line does not fit in the window.
        /// </summary>
        public async ValueTask<int> FindLineEndAsync(int from)
        {
            var searched = from;
            while (true)
            {
                var newline = Span[searched..].IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    return searched + newline + 1;
                }

                // Offsets are relative to the window's start, so they stay valid when FillAsync moves the bytes.
                searched = Length;
                if (!await FillAsync())
                {
                    return Eof && Length > from ? Length : -1;
                }
            }
        }

        /// <summary>Consumes up to and including the next <c>\n</c>, however long the line; false when the input ends first.</summary>
        public async ValueTask<bool> SkipLineAsync()
        {
            while (true)
            {
                var newline = Span.IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    Consume(newline + 1);
                    return true;
                }

                Consume(Length);
                if (!await FillAsync())
                {
                    return false;
                }
            }
        }

        /// <summary>The line at the window's start: how many spaces and tabs begin it, and the byte after them (<c>\n</c> for a blank line); -1 at the end of the input.</summary>
        public async ValueTask<(int Indent, int First)> PeekLineStartAsync()
        {
            while (true)
            {
                var other = Span.IndexOfAnyExcept(" \t"u8);
                if (other >= 0)
                {
                    return (other, Span[other]);
                }

                if (!await FillAsync())
                {
                    return (Length, -1);
                }
            }
        }
    }
}
