namespace O365Activity.Cli.Normalize;

/// <summary>The format <see cref="AuditInput"/> decided the input is in.</summary>
internal enum InputFormat
{
    /// <summary>Nothing but white space (or nothing at all).</summary>
    Empty,

    /// <summary>A JSON array of records (a content blob), read by <see cref="JsonArrayReader"/>.</summary>
    JsonArray,

    /// <summary>One record per line, or records pretty-printed one after another, read by <see cref="NdjsonReader"/>.</summary>
    Ndjson,

    /// <summary>A Microsoft Purview audit-search CSV export, read by <see cref="CsvReader"/>.</summary>
    Csv,
}
