namespace O365Activity.Cli.Normalize;

/// <summary>The outcome of <see cref="JsonRecordParser.TryParseValue"/>.</summary>
internal enum ParseStatus
{
    /// <summary>A whole JSON value was parsed.</summary>
    Complete,

    /// <summary>The bytes end inside the value: more input is needed.</summary>
    NeedMore,

    /// <summary>The bytes are not valid JSON.</summary>
    Error,
}
