using System.Text;
using System.Text.Json;

namespace O365Activity.Silo;

/// <summary>
/// Reads audit records from the text given to the <c>normalize</c> command, in whichever format it is: a JSON array
/// (a content blob), NDJSON (one record per line; also one or more pretty-printed records one after another), or the
/// CSV that a Microsoft Purview audit search exports (a header row with an <c>AuditData</c> column holding each record's
/// JSON; RFC 4180 quoting, doubled quotes and line breaks inside quoted fields). A leading UTF-8 byte-order mark is ignored.
/// </summary>
/// <remarks>
/// The format is decided by the first character that is not white space: <c>[</c> is a JSON array, <c>{</c> is NDJSON
/// (or, when the first line is not a whole JSON value, a sequence of JSON values), anything else is CSV. Every record
/// and every error comes with the 1-based line number where the record starts.
/// </remarks>
internal static class AuditInput
{
    /// <summary>Called for each record read; the element is valid only during the call.</summary>
    public delegate void RecordHandler(int line, JsonElement record);

    /// <summary>Called for each part of the input that is not a readable record.</summary>
    public delegate void ErrorHandler(int line, string reason);

    private static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip };

    /// <summary>Reads every record of <paramref name="text"/>, reporting each record and each unreadable part in input order.</summary>
    public static void Read(string text, RecordHandler onRecord, ErrorHandler onError)
    {
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        var start = 0;
        while (start < text.Length && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        if (start == text.Length)
        {
            return;
        }

        switch (text[start])
        {
            case '[':
                ReadValues(text, onRecord, onError, array: true);
                break;
            case '{':
                if (FirstLineIsWholeValue(text))
                {
                    ReadLines(text, onRecord, onError);
                }
                else
                {
                    ReadValues(text, onRecord, onError, array: false);
                }

                break;
            default:
                ReadCsv(text, onRecord, onError);
                break;
        }
    }

    private static bool FirstLineIsWholeValue(string text)
    {
        using var lines = new StringReader(text);
        string? line;
        while ((line = lines.ReadLine()) is not null && string.IsNullOrWhiteSpace(line))
        {
        }

        if (line is null)
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(line, DocumentOptions);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>NDJSON: each non-blank line is one record; a bad line is reported and the next line read.</summary>
    private static void ReadLines(string text, RecordHandler onRecord, ErrorHandler onError)
    {
        using var lines = new StringReader(text);
        var number = 0;
        string? line;
        while ((line = lines.ReadLine()) is not null)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line, DocumentOptions);
            }
            catch (JsonException e)
            {
                onError(number, $"not valid JSON: {e.Message}");
                continue;
            }

            using (document)
            {
                onRecord(number, document.RootElement);
            }
        }
    }

    /// <summary>
    /// A JSON array of records, or JSON values one after another. A syntax error ends the reading (the position after it
    /// cannot be trusted) and is reported with its line.
    /// </summary>
    private static void ReadValues(string text, RecordHandler onRecord, ErrorHandler onError, bool array)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            AllowMultipleValues = !array,
        });
        var lineCounter = new LineCounter(bytes);
        try
        {
            if (array)
            {
                reader.Read();
            }

            while (reader.Read())
            {
                if (array && reader.TokenType == JsonTokenType.EndArray)
                {
                    if (reader.Read())
                    {
                        onError(lineCounter.LineAt(reader.TokenStartIndex), "unexpected content after the end of the JSON array");
                    }

                    return;
                }

                var line = lineCounter.LineAt(reader.TokenStartIndex);
                using var document = JsonDocument.ParseValue(ref reader);
                onRecord(line, document.RootElement);
            }

            if (array)
            {
                onError(lineCounter.LineAt(bytes.Length), "the JSON array is not closed");
            }
        }
        catch (JsonException e)
        {
            onError((int)(e.LineNumber ?? 0) + 1, $"not valid JSON: {e.Message} The rest of the input could not be read.");
        }
    }

    /// <summary>Purview audit-search CSV: the header row names the columns; each row's <c>AuditData</c> cell is one record.</summary>
    private static void ReadCsv(string text, RecordHandler onRecord, ErrorHandler onError)
    {
        var csv = new CsvReader(text);
        if (!csv.TryReadRow(out var headerLine, out var header, out var headerError))
        {
            onError(headerLine, headerError ?? "no header row");
            return;
        }

        var auditData = header.FindIndex(h => string.Equals(h.Trim().Trim('\uFEFF'), "AuditData", StringComparison.OrdinalIgnoreCase));
        if (auditData < 0)
        {
            onError(headerLine, "the input is not a JSON array, NDJSON or a Purview audit CSV: the first row has no AuditData column");
            return;
        }

        while (csv.TryReadRow(out var line, out var row, out var error))
        {
            if (error is not null)
            {
                onError(line, error);
                continue;
            }

            if (row.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }

            if (auditData >= row.Count || string.IsNullOrWhiteSpace(row[auditData]))
            {
                onError(line, "the row has no AuditData value");
                continue;
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(row[auditData], DocumentOptions);
            }
            catch (JsonException e)
            {
                onError(line, $"AuditData is not valid JSON: {e.Message}");
                continue;
            }

            using (document)
            {
                onRecord(line, document.RootElement);
            }
        }
    }

    /// <summary>Turns byte offsets into 1-based line numbers, for offsets given in increasing order.</summary>
    private sealed class LineCounter(byte[] bytes)
    {
        private int _position;
        private int _line = 1;

        public int LineAt(long offset)
        {
            var end = (int)Math.Min(offset, bytes.Length);
            if (end > _position)
            {
                _line += bytes.AsSpan(_position, end - _position).Count((byte)'\n');
                _position = end;
            }

            return _line;
        }
    }

    /// <summary>An RFC 4180 reader: comma-separated fields, quoted fields with doubled quotes and line breaks; rows end at LF, CRLF or CR.</summary>
    private sealed class CsvReader(string text)
    {
        private int _position;
        private int _line = 1;

        /// <summary>Reads the next row; false at the end of the input.</summary>
        /// <param name="startLine">The 1-based line where the row starts.</param>
        /// <param name="fields">The row's fields.</param>
        /// <param name="error">Why the row could not be read (an unterminated quote); null when it could.</param>
        public bool TryReadRow(out int startLine, out List<string> fields, out string? error)
        {
            startLine = _line;
            fields = [];
            error = null;
            if (_position >= text.Length)
            {
                return false;
            }

            var field = new StringBuilder();
            var quoted = false;
            var atFieldStart = true;
            while (_position < text.Length)
            {
                var c = text[_position++];
                if (quoted)
                {
                    if (c == '"')
                    {
                        if (_position < text.Length && text[_position] == '"')
                        {
                            field.Append('"');
                            _position++;
                        }
                        else
                        {
                            quoted = false;
                        }
                    }
                    else
                    {
                        if (c == '\n')
                        {
                            _line++;
                        }

                        field.Append(c);
                    }

                    continue;
                }

                switch (c)
                {
                    case '"' when atFieldStart:
                        quoted = true;
                        atFieldStart = false;
                        break;
                    case ',':
                        fields.Add(field.ToString());
                        field.Clear();
                        atFieldStart = true;
                        break;
                    case '\r' or '\n':
                        if (c == '\r' && _position < text.Length && text[_position] == '\n')
                        {
                            _position++;
                        }

                        _line++;
                        fields.Add(field.ToString());
                        return true;
                    default:
                        field.Append(c);
                        atFieldStart = false;
                        break;
                }
            }

            if (quoted)
            {
                error = "a quoted field is not closed before the end of the input";
            }

            fields.Add(field.ToString());
            return true;
        }
    }
}
