namespace O365Activity.Cli.Normalize;

/// <summary>Called by an input reader for each part of the input that is not a readable record, in input order.</summary>
/// <param name="position">Where the unreadable part starts.</param>
/// <param name="reason">Why it could not be read, and where reading resumed (no position prefix, no trailing full stop).</param>
internal delegate void InputErrorHandler(InputPosition position, string reason);
