using System.Runtime.InteropServices;
using System.Text.Json;

namespace O365Activity.Cli.Normalize;

/// <summary>
/// The JSON parsing that every input reader shares: one reader configuration (comments skipped, trailing commas
/// allowed, System.Text.Json's default depth limit of 64), JSON white space, and error messages with absolute positions.
/// </summary>
internal static class JsonRecordParser
{
    /// <summary>The options of every JSON reader of the input.</summary>
    public static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary><see cref="ReaderOptions"/> as document options.</summary>
    public static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>JSON's white space (RFC 8259 section 2): space, tab, CR and LF.</summary>
    public static ReadOnlySpan<byte> WhiteSpace => " \t\r\n"u8;

    /// <summary>True when <paramref name="bytes"/> is empty or holds only <see cref="WhiteSpace"/>.</summary>
    public static bool IsWhiteSpace(ReadOnlySpan<byte> bytes) => bytes.IndexOfAnyExcept(WhiteSpace) < 0;

    /// <summary>Parses the JSON value at the start of <paramref name="data"/>; what follows it is left alone.</summary>
    /// <param name="data">The bytes, starting with the value (white space and comments before it are skipped).</param>
    /// <param name="final">True when no bytes follow <paramref name="data"/> in the input.</param>
    /// <param name="document">The value, when <see cref="ParseStatus.Complete"/>; the caller disposes it.</param>
    /// <param name="consumed">How many bytes the value took, when <see cref="ParseStatus.Complete"/>.</param>
    /// <param name="exception">The reader's error, when <see cref="ParseStatus.Error"/>.</param>
    /// <returns>Whether a value was parsed, more bytes are needed (only when not <paramref name="final"/>), or the bytes are not JSON.</returns>
    public static ParseStatus TryParseValue(ReadOnlySpan<byte> data, bool final, out JsonDocument? document, out int consumed, out JsonException? exception)
    {
        document = null;
        consumed = 0;
        exception = null;
        var reader = new Utf8JsonReader(data, final, new JsonReaderState(ReaderOptions));
        try
        {
            if (!JsonDocument.TryParseValue(ref reader, out document))
            {
                return ParseStatus.NeedMore;
            }

            consumed = (int)reader.BytesConsumed;
            return ParseStatus.Complete;
        }
        catch (JsonException e)
        {
            exception = e;
            return ParseStatus.Error;
        }
    }

    /// <summary>
    /// Parses <paramref name="data"/> when it is one whole JSON value with only white space after it (comments and white
    /// space before it skipped), in one pass over the bytes and without copying them: what <see cref="TryParseValue"/>
    /// followed by a white-space check accepts, read the same. Null for anything else, which the caller then reads with
    /// <see cref="TryParseValue"/> (for its messages, and for values that go on after <paramref name="data"/>).
    /// </summary>
    /// <param name="data">The bytes; the document refers to them, so they must stay unchanged until it is disposed.</param>
    /// <returns>The value; the caller disposes it.</returns>
    public static JsonDocument? TryParseWhole(ReadOnlyMemory<byte> data)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(data, DocumentOptions);
        }
        catch (JsonException)
        {
            return null;
        }

        // A comment after the value is not white space: that line is read again, and reported, the usual way.
        var value = JsonMarshal.GetRawUtf8Value(document.RootElement);
        var span = data.Span;
        if (span.Overlaps(value, out var offset) && IsWhiteSpace(span[(offset + value.Length)..]))
        {
            return document;
        }

        document.Dispose();
        return null;
    }

    /// <summary>Parses the JSON value at the start of <paramref name="data"/>, which holds all of it.</summary>
    /// <param name="data">The bytes, starting with the value.</param>
    /// <param name="consumed">How many bytes the value took; what follows is left for the caller to judge.</param>
    /// <returns>The value; the caller disposes it.</returns>
    /// <exception cref="JsonException">When <paramref name="data"/> does not start with a whole, valid JSON value.</exception>
    public static JsonDocument Parse(ReadOnlySpan<byte> data, out int consumed)
    {
        var reader = new Utf8JsonReader(data, isFinalBlock: true, new JsonReaderState(ReaderOptions));
        var document = JsonDocument.ParseValue(ref reader);
        consumed = (int)reader.BytesConsumed;
        return document;
    }

    /// <summary>
    /// A reader error's message with its position made absolute: System.Text.Json counts lines and bytes from where the
    /// reader started (<paramref name="startLine"/>, <paramref name="startColumn"/> bytes into that line).
    /// </summary>
    /// <param name="e">The reader's error.</param>
    /// <param name="startLine">The 1-based input line where the reader started.</param>
    /// <param name="startColumn">How many bytes of that line come before where the reader started.</param>
    /// <returns>The message without System.Text.Json's own position, followed by <c>(line L, byte B)</c> (B 1-based) when the error has a position.</returns>
    public static string Describe(JsonException e, int startLine, int startColumn)
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
}
