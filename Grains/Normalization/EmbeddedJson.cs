using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace O365Activity.Grains.Normalization;

/// <summary>
/// JSON written inside a string (<c>"{\"a\":1}"</c>, <c>"[\r\n  true\r\n]"</c>; case A06), parsed into a pooled
/// document: empty unless the string's text, trimmed, starts with <c>{</c>, <c>[</c> or <c>"</c> and parses. Dispose it
/// once what was read from <see cref="Root"/> is made.
/// </summary>
internal readonly struct EmbeddedJson : IDisposable
{
    private readonly JsonDocument? _document;
    private readonly byte[]? _rented;

    private EmbeddedJson(JsonDocument document, byte[]? rented)
    {
        _document = document;
        _rented = rented;
    }

    /// <summary>True when the text was not JSON (or not a string).</summary>
    public bool IsEmpty => _document is null;

    /// <summary>The decoded value; only when not <see cref="IsEmpty"/>.</summary>
    public JsonElement Root => _document!.RootElement;

    /// <summary>Decodes a string's text.</summary>
    /// <param name="text">The text; may be null.</param>
    public static EmbeddedJson Parse(string? text)
    {
        var s = text.AsSpan().Trim();
        if (s.IsEmpty || (s[0] != '{' && s[0] != '[' && s[0] != '"'))
        {
            return default;
        }

        try
        {
            // An unpaired surrogate's escape parses, but its string cannot be read: repaired first, as a record's are.
            return new EmbeddedJson(JsonDocument.Parse(AuditRecordNormalizer.RepairedEscapes(text!)), null);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    /// <summary>Decodes a JSON string value's text (as <see cref="Parse(string?)"/> of its value), without making the string when it is ASCII.</summary>
    /// <param name="value">A value; anything but a string gives an empty result.</param>
    public static EmbeddedJson Parse(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return default;
        }

        var raw = JsonMarshal.GetRawUtf8Value(value);
        var escaped = raw[1..^1];
        if (escaped.IndexOf("\\u"u8) >= 0 || !Ascii.IsValid(escaped))
        {
            return Parse(value.GetString());
        }

        // The first character after white space, which may be escaped (\t, \n, \r, \f) in the raw text: {, [ or \".
        var i = 0;
        while (i < escaped.Length)
        {
            if (escaped[i] == (byte)' ')
            {
                i++;
            }
            else if (escaped[i] == (byte)'\\' && i + 1 < escaped.Length && escaped[i + 1] is (byte)'t' or (byte)'n' or (byte)'r' or (byte)'f')
            {
                i += 2;
            }
            else
            {
                break;
            }
        }

        if (i == escaped.Length
            || !(escaped[i] is (byte)'{' or (byte)'[' || (escaped[i] == (byte)'\\' && i + 1 < escaped.Length && escaped[i + 1] == (byte)'"')))
        {
            return default;
        }

        var rented = ArrayPool<byte>.Shared.Rent(escaped.Length);
        try
        {
            var reader = new Utf8JsonReader(raw);
            reader.Read();
            var length = reader.CopyString(rented);
            return new EmbeddedJson(JsonDocument.Parse(rented.AsMemory(0, length)), rented);
        }
        catch (JsonException)
        {
            ArrayPool<byte>.Shared.Return(rented);
            return default;
        }
    }

    /// <summary>Releases the document.</summary>
    public void Dispose()
    {
        _document?.Dispose();
        if (_rented is not null)
        {
            ArrayPool<byte>.Shared.Return(_rented);
        }
    }
}
