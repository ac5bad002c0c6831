namespace O365Activity.Cli.Normalize;

/// <summary>Splits CSV rows (RFC 4180: quoted fields, doubled quotes and line breaks inside quoted fields) into fields.</summary>
internal static class CsvRowParser
{
    /// <summary>
    /// Parses one CSV row at the start of <paramref name="data"/>. A quoted field ends at a <c>"</c> that is not doubled,
    /// which must be followed by <c>,</c>, a line end or the end of the input (else <see cref="CsvRowStatus.StrayQuote"/>,
    /// with <paramref name="errorOffset"/> at that quote). An unquoted field ends at <c>,</c> or the line end; quotes in it
    /// are kept as they are. A row ends at LF or CRLF.
    /// </summary>
    /// <param name="data">The bytes, starting at the row.</param>
    /// <param name="final">True when no bytes follow <paramref name="data"/> in the input.</param>
    /// <param name="fields">Cleared, then filled with the row's fields, offsets relative to <paramref name="data"/>.</param>
    /// <param name="consumed">How many bytes the row takes, line break included, when <see cref="CsvRowStatus.Complete"/>.</param>
    /// <param name="errorOffset">The offset of the stray quote, when <see cref="CsvRowStatus.StrayQuote"/>.</param>
    /// <returns>Whether the row is complete, needs more bytes (only when not <paramref name="final"/>) or cannot be read.</returns>
    public static CsvRowStatus ParseRow(ReadOnlySpan<byte> data, bool final, List<CsvField> fields, out int consumed, out int errorOffset)
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
                    return CsvRowStatus.NeedMore;
                }

                fields.Add(new CsvField(i, i, false));
                consumed = i;
                return CsvRowStatus.Complete;
            }

            if (data[i] != (byte)'"')
            {
                var stop = data[i..].IndexOfAny((byte)',', (byte)'\n');
                if (stop < 0)
                {
                    if (!final)
                    {
                        return CsvRowStatus.NeedMore;
                    }

                    fields.Add(new CsvField(i, TrimCr(data, i, data.Length), false));
                    consumed = data.Length;
                    return CsvRowStatus.Complete;
                }

                stop += i;
                if (data[stop] == (byte)',')
                {
                    fields.Add(new CsvField(i, stop, false));
                    i = stop + 1;
                    continue;
                }

                fields.Add(new CsvField(i, TrimCr(data, i, stop), false));
                consumed = stop + 1;
                return CsvRowStatus.Complete;
            }

            var start = i + 1;
            var escaped = false;
            i = start;
            while (true)
            {
                var quote = data[i..].IndexOf((byte)'"');
                if (quote < 0)
                {
                    return final ? CsvRowStatus.Unterminated : CsvRowStatus.NeedMore;
                }

                i += quote + 1;
                if (i == data.Length && !final)
                {
                    return CsvRowStatus.NeedMore;
                }

                if (i < data.Length && data[i] == (byte)'"')
                {
                    escaped = true;
                    i++;
                    continue;
                }

                break;
            }

            fields.Add(new CsvField(start, i - 1, escaped));
            if (i == data.Length)
            {
                consumed = i;
                return CsvRowStatus.Complete;
            }

            switch (data[i])
            {
                case (byte)',':
                    i++;
                    continue;
                case (byte)'\n':
                    consumed = i + 1;
                    return CsvRowStatus.Complete;
                case (byte)'\r' when i + 1 < data.Length && data[i + 1] == (byte)'\n':
                    consumed = i + 2;
                    return CsvRowStatus.Complete;
                case (byte)'\r' when i + 1 == data.Length:
                    if (!final)
                    {
                        return CsvRowStatus.NeedMore;
                    }

                    consumed = i + 1;
                    return CsvRowStatus.Complete;
                default:
                    errorOffset = i - 1;
                    return CsvRowStatus.StrayQuote;
            }
        }
    }

    private static int TrimCr(ReadOnlySpan<byte> data, int start, int end) => end > start && data[end - 1] == (byte)'\r' ? end - 1 : end;
}
