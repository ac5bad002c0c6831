using Google.Protobuf;

namespace O365Activity.Cli.Terminal;

/// <summary>
/// Where a gateway command writes. Text mode (for people): lines and tables on standard output, every line through
/// <see cref="TerminalText.Escape"/>. JSON mode (<c>--json</c>): nothing but JSON on standard output (one document per
/// result, one object per line for streams), written by <see cref="JsonFormatter"/>, which escapes control, format and
/// separator characters itself; messages for people go to standard error.
/// </summary>
internal sealed class CommandOutput
{
    /// <summary>Writes to <paramref name="output"/> and <paramref name="error"/>, in JSON mode when <paramref name="json"/>.</summary>
    public CommandOutput(TextWriter output, TextWriter error, bool json)
    {
        Output = output;
        Error = error;
        Json = json;
    }

    /// <summary>Standard output.</summary>
    public TextWriter Output { get; }

    /// <summary>Standard error.</summary>
    public TextWriter Error { get; }

    /// <summary>True with <c>--json</c>.</summary>
    public bool Json { get; }

    /// <summary>One message as a single line of JSON (Google.Protobuf's JSON mapping: lowerCamel field names, enum names, RFC 3339 times).</summary>
    public static string Format(IMessage message) => JsonFormatter.Default.Format(message);

    /// <summary>A line of a text result on standard output, escaped (callers in JSON mode write documents instead).</summary>
    public Task LineAsync(string text) => Output.WriteLineAsync(TerminalText.Escape(text));

    /// <summary>A message for people, escaped: on standard output in text mode, on standard error in JSON mode.</summary>
    public Task MessageAsync(string text) => (Json ? Error : Output).WriteLineAsync(TerminalText.Escape(text));

    /// <summary>A warning or a failure, escaped, on standard error.</summary>
    public Task WarningAsync(string text) => Error.WriteLineAsync(TerminalText.Escape(text));

    /// <summary>A result as one JSON document (one line) on standard output.</summary>
    public Task DocumentAsync(IMessage message) => Output.WriteLineAsync(Format(message));

    /// <summary>A table on standard output (its cells were escaped as they were added).</summary>
    public Task TableAsync(Table table, string indent = "") => table.WriteToAsync(Output, indent);
}
