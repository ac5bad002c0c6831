namespace O365Activity.Cli.Normalize;

/// <summary>The header row of a Microsoft Purview audit-search CSV export: how many columns, and which holds <c>AuditData</c>.</summary>
/// <param name="Columns">The header's number of columns.</param>
/// <param name="AuditData">The 0-based index of the <c>AuditData</c> column (each record's JSON).</param>
internal sealed record CsvHeader(int Columns, int AuditData)
{
    /// <summary>
    /// The header of a Purview CSV, when <paramref name="line"/> read as a CSV row has a column named <c>AuditData</c>
    /// (compared case-insensitively, after trimming white space, quotes and a byte-order mark); else null.
    /// </summary>
    /// <param name="line">The input's first line that is not blank, line break included.</param>
    public static CsvHeader? TryRead(ReadOnlySpan<byte> line)
    {
        var fields = new List<CsvField>();
        if (CsvRowParser.ParseRow(line, final: true, fields, out _, out _) != CsvRowStatus.Complete)
        {
            return null;
        }

        for (var i = 0; i < fields.Count; i++)
        {
            var name = fields[i].Text(line).Trim().Trim('\uFEFF').Trim('"').Trim();
            if (string.Equals(name, "AuditData", StringComparison.OrdinalIgnoreCase))
            {
                return new CsvHeader(fields.Count, i);
            }
        }

        return null;
    }
}
