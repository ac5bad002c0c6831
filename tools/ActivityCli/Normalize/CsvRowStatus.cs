namespace O365Activity.Cli.Normalize;

/// <summary>The outcome of <see cref="CsvRowParser.ParseRow"/>.</summary>
internal enum CsvRowStatus
{
    /// <summary>A whole row was parsed.</summary>
    Complete,

    /// <summary>The bytes end inside the row: more input is needed.</summary>
    NeedMore,

    /// <summary>A quoted field is still open at the end of the input.</summary>
    Unterminated,

    /// <summary>A quoted field's closing <c>"</c> is followed by something other than <c>,</c> or a line end.</summary>
    StrayQuote,
}
