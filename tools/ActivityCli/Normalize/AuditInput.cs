namespace O365Activity.Cli.Normalize;

/// <summary>
/// Reads audit records from the input of the <c>normalize</c> command, record by record, holding only one record (and
/// a 64 KiB read buffer) in memory at a time: it decides the input's format and hands the input to that format's
/// reader (<see cref="JsonArrayReader"/>, <see cref="NdjsonReader"/>, <see cref="CsvReader"/>).
/// </summary>
/// <remarks>
/// <para><b>Encoding.</b> UTF-8, with or without a byte-order mark. A seekable input (a file) that starts with a UTF-16
/// or UTF-32 byte-order mark (Windows PowerShell's <c>Out-File</c>) is transcoded; standard input must be UTF-8. Lines
/// end at LF or CRLF (see <see cref="ByteWindow"/>).</para>
/// <para><b>Format</b>, decided once from the start of the input so that a bad first record cannot change it: the first
/// character that is not white space is <c>[</c> → a JSON array; <c>{</c> → NDJSON; anything else → a Purview CSV when
/// the first non-blank line, read as a CSV row, has a column named <c>AuditData</c> (see <see cref="CsvHeader.TryRead"/>),
/// else NDJSON (its first line is then reported as not JSON, with a note saying why the input was read as NDJSON).</para>
/// <para><b>Errors.</b> Each reader reports a bad part (with its position) and reads on; how it finds the next record
/// is told on the reader. A single record (line, element or row) longer than <see cref="ByteWindow.MaxRecordBytes"/>
/// is reported and skipped the same way as a syntax error.</para>
/// </remarks>
internal static class AuditInput
{
    private const string NdjsonFallbackNote =
        "; the input was read as NDJSON: it does not start with '[' or '{', and its first line is not a CSV header with an AuditData column";

    /// <summary>Reads every record of <paramref name="input"/>, reporting each record and each unreadable part in input order.</summary>
    /// <param name="input">The input; read to its end, not closed.</param>
    /// <param name="onRecord">Called for each record.</param>
    /// <param name="onError">Called for each unreadable part.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>The format the input was read as.</returns>
    public static async Task<InputFormat> ReadAsync(
        Stream input,
        InputRecordHandler onRecord,
        InputErrorHandler onError,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(onRecord);
        ArgumentNullException.ThrowIfNull(onError);

        var window = await ByteWindow.OpenAsync(input, cancellationToken);
        if (!await window.SkipWhiteSpaceAsync())
        {
            return InputFormat.Empty;
        }

        switch (window.Span[0])
        {
            case (byte)'[':
                await JsonArrayReader.ReadAsync(window, onRecord, onError);
                return InputFormat.JsonArray;
            case (byte)'{':
                await NdjsonReader.ReadAsync(window, onRecord, onError);
                return InputFormat.Ndjson;
        }

        var lineEnd = await window.FindLineEndAsync(0);
        if (lineEnd >= 0 && CsvHeader.TryRead(window.Span[..lineEnd]) is { } header)
        {
            await CsvReader.ReadAsync(window, header, onRecord, onError);
            return InputFormat.Csv;
        }

        await NdjsonReader.ReadAsync(window, onRecord, onError, NdjsonFallbackNote);
        return InputFormat.Ndjson;
    }
}
