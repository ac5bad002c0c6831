using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using O365Activity.Contracts.Activity;

namespace O365Activity.Grains.Normalization;

/// <summary>
/// Lenient readers for audit-record values whose JSON type drifts between records (PROTOCOL.md §8; cases A02, A03,
/// A05, A06, A08): numbers as strings, lists as strings, list elements as JSON text. None of them throws.
/// </summary>
/// <remarks>
/// Short plain-ASCII texts come from <see cref="StringCache"/> (one string per distinct text), and JSON written inside a
/// string is parsed into a pooled document that is released as soon as what was read from it is made: what these
/// readers return never refers to the record's document.
/// </remarks>
internal static class LenientJson
{
    private static readonly JsonWriterOptions CompactWriter = new()
    {
        Indented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>A JSON string's value; the cached string (<see cref="StringCache"/>) when it is short ASCII without escapes.</summary>
    /// <param name="value">A <see cref="JsonValueKind.String"/> value.</param>
    public static string String(JsonElement value)
    {
        return StringCache.GetPlain(JsonMarshal.GetRawUtf8Value(value)[1..^1]) ?? value.GetString()!;
    }

    /// <summary>A string, number or boolean as text; null for JSON null, objects and arrays.</summary>
    public static string? ScalarText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => String(value),
        JsonValueKind.Number => StringCache.GetAscii(JsonMarshal.GetRawUtf8Value(value)),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    /// <summary>Any value as text: a string's value, JSON text for everything else; null for JSON null (case A05, <see cref="NameValue"/>).</summary>
    public static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => String(value),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.Number => StringCache.GetAscii(JsonMarshal.GetRawUtf8Value(value)),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };

    /// <summary>An integer from a JSON number (integral doubles such as <c>10240.0</c> too) or a numeric string; null otherwise (case A08).</summary>
    public static long? Int64(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                if (value.TryGetInt64(out var l))
                {
                    return l;
                }

                return value.TryGetDouble(out var d) ? IntegralOrNull(d) : null;
            case JsonValueKind.String:
                var s = String(value).AsSpan().Trim();
                if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ls))
                {
                    return ls;
                }

                return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var ds) ? IntegralOrNull(ds) : null;
            default:
                return null;
        }
    }

    /// <summary>A boolean from JSON true/false, the strings <c>true</c>/<c>false</c>/<c>1</c>/<c>0</c> (any case) or the numbers 1/0; null otherwise.</summary>
    public static bool? Boolean(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.String:
                return Boolean(String(value));
            case JsonValueKind.Number:
                return value.TryGetInt64(out var n) && n is 0 or 1 ? n == 1 : null;
            default:
                return null;
        }
    }

    /// <summary>A boolean from the text <c>true</c>/<c>false</c>/<c>1</c>/<c>0</c> (any case, trimmed); null otherwise.</summary>
    public static bool? Boolean(string? text)
    {
        var s = text.AsSpan().Trim();
        if (s.Equals("true", StringComparison.OrdinalIgnoreCase) || s.Equals("1", StringComparison.Ordinal))
        {
            return true;
        }

        if (s.Equals("false", StringComparison.OrdinalIgnoreCase) || s.Equals("0", StringComparison.Ordinal))
        {
            return false;
        }

        return null;
    }

    /// <summary>
    /// The elements of a list-valued field, whatever its shape: a JSON array; a string holding a JSON array or object;
    /// a single object. Array elements that are strings holding a JSON object or array are decoded (case A06); other
    /// elements are returned as they are. Each element is detached (see <see cref="List"/> for the reader that is not).
    /// </summary>
    public static IEnumerable<JsonElement> Elements(JsonElement value)
    {
        var elements = new List<JsonElement>();
        foreach (var element in List(value))
        {
            elements.Add(element.Clone());
        }

        return elements;
    }

    /// <summary>
    /// The elements of a list-valued field as <see cref="Elements"/> reads them, for a <c>foreach</c>: an element decoded
    /// from JSON inside a string is valid only until the next element.
    /// </summary>
    public static LenientList List(JsonElement value) => new(value);

    /// <summary>Looks up an object's property by name, exact match first, then case-insensitively (Panther lower-cases keys).</summary>
    /// <remarks>As <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/>, the last of two exact matches wins; else the first case-insensitive one.</remarks>
    public static bool TryGetProperty(JsonElement obj, string name, out JsonElement value)
    {
        value = default;
        if (obj.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var exact = false;
        var insensitive = false;
        foreach (var property in obj.EnumerateObject())
        {
            var raw = JsonMarshal.GetRawUtf8PropertyName(property);
            var plain = !raw.ContainsAnyExcept(RecordFields.PlainNameBytes);
            if (plain ? Ascii.Equals(raw, name) : property.NameEquals(name))
            {
                value = property.Value;
                exact = true;
                insensitive = true;
            }
            else if (!insensitive
                && (plain ? Ascii.EqualsIgnoreCase(raw, name) : string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                value = property.Value;
                insensitive = true;
            }
        }

        return exact || insensitive;
    }

    /// <summary>
    /// <see cref="TryGetProperty"/> of <c>Name</c> and of <c>Value</c> in one pass: true when the object has a
    /// <c>Name</c>; <paramref name="value"/> is <c>default</c> when it has no <c>Value</c>.
    /// </summary>
    public static bool TryGetNameAndValue(JsonElement obj, out JsonElement name, out JsonElement value)
    {
        name = default;
        value = default;
        var nameFound = 0;
        var valueFound = 0;
        foreach (var property in obj.EnumerateObject())
        {
            var raw = JsonMarshal.GetRawUtf8PropertyName(property);
            if (raw.ContainsAnyExcept(RecordFields.PlainNameBytes))
            {
                Match(property, property.NameEquals("Name"), string.Equals(property.Name, "Name", StringComparison.OrdinalIgnoreCase), ref name, ref nameFound);
                Match(property, property.NameEquals("Value"), string.Equals(property.Name, "Value", StringComparison.OrdinalIgnoreCase), ref value, ref valueFound);
            }
            else if (raw.Length == 4)
            {
                Match(property, raw.SequenceEqual("Name"u8), Ascii.EqualsIgnoreCase(raw, "Name"u8), ref name, ref nameFound);
            }
            else if (raw.Length == 5)
            {
                Match(property, raw.SequenceEqual("Value"u8), Ascii.EqualsIgnoreCase(raw, "Value"u8), ref value, ref valueFound);
            }
        }

        return nameFound > 0;

        // As TryGetProperty: the last exact match (2), else the first case-insensitive one (1).
        static void Match(JsonProperty property, bool exact, bool insensitive, ref JsonElement found, ref int how)
        {
            if (exact)
            {
                found = property.Value;
                how = 2;
            }
            else if (insensitive && how == 0)
            {
                found = property.Value;
                how = 1;
            }
        }
    }

    /// <summary>
    /// Reads a <c>{Name, Value}</c> list (<c>ExtendedProperties</c>, <c>Parameters</c>, <c>DeviceProperties</c>) in any
    /// shape: a list of objects, of strings holding objects (A06), of bare strings or other scalars (each a name without
    /// a value), an object used as a map, or a string holding any of these. Values stay the text as received (A05).
    /// </summary>
    /// <param name="value">The field's value.</param>
    /// <param name="text">
    /// The field's text when it was not a list at all: a string that is not JSON (case A03), or a number or boolean
    /// (<c>"Parameters":12</c> gives <c>12</c>), so that no scalar is dropped; else null.
    /// </param>
    public static ImmutableArray<NameValue> NameValues(JsonElement value, out string? text)
    {
        var builder = new NameValueBuilder();
        VisitNameValues(value, ref builder, out text);
        return builder.Values.ToImmutable();
    }

    /// <summary>Reads a <c>{Name, Value}</c> list as <see cref="NameValues"/> does, handing each entry to <paramref name="visitor"/> instead of making it.</summary>
    public static void VisitNameValues<TVisitor>(JsonElement value, ref TVisitor visitor, out string? text)
        where TVisitor : struct, INameValueVisitor
    {
        text = null;
        if (value.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
        {
            text = ScalarText(value);
            return;
        }

        if (value.ValueKind == JsonValueKind.String && !IsEmbeddedList(value))
        {
            text = String(value);
            return;
        }

        foreach (var element in List(value))
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object when TryGetNameAndValue(element, out var name, out var v):
                    visitor.Visit(new EntryName(name), v);
                    break;
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        visitor.Visit(new EntryName(property), property.Value);
                    }

                    break;
                case JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                    visitor.Visit(new EntryName(element), default);
                    break;
            }
        }
    }

    /// <summary>
    /// Reads <c>ModifiedProperties</c> in any shape (cases A02, A03): <c>{Name, NewValue, OldValue}</c> objects, strings
    /// holding such objects, bare property names, or a string holding a list. A string that is not JSON is one name;
    /// so is a number or boolean, alone or as a list element (its text), so that no scalar is dropped. JSON null
    /// elements are skipped. Values are decoded as <see cref="ChangeValue"/> describes.
    /// </summary>
    public static ImmutableArray<PropertyChange> PropertyChanges(JsonElement value)
    {
        if (value.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False
            || (value.ValueKind == JsonValueKind.String && !IsEmbeddedList(value)))
        {
            var name = ScalarText(value);
            return string.IsNullOrEmpty(name) ? [] : [new PropertyChange { Name = name }];
        }

        var builder = new PooledBuilder<PropertyChange>();
        try
        {
            foreach (var element in List(value))
            {
                switch (element.ValueKind)
                {
                    case JsonValueKind.Object:
                        builder.Add(new PropertyChange
                        {
                            Name = TryGetProperty(element, "Name", out var name) ? ScalarText(name) ?? "" : "",
                            OldValue = TryGetProperty(element, "OldValue", out var oldValue) ? ChangeValue(oldValue) : null,
                            NewValue = TryGetProperty(element, "NewValue", out var newValue) ? ChangeValue(newValue) : null,
                        });
                        break;
                    case JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                        builder.Add(new PropertyChange { Name = ScalarText(element) ?? "" });
                        break;
                }
            }

            return builder.ToImmutable();
        }
        finally
        {
            builder.Dispose();
        }
    }

    /// <summary>
    /// Reads a list whose elements have no fixed shape (<c>Actions</c>, case A06) as one compact JSON text per element.
    /// A list, a string holding a list, or a single object is read with <see cref="Elements"/>, so elements written as
    /// JSON inside a string are decoded (an object sent either way gives the same text); any other element (a string
    /// that is not JSON, a number) is its own compact JSON text. A value that is not a list (a number, a string that is
    /// not JSON) gives one entry, its compact JSON text. JSON null gives none.
    /// </summary>
    public static ImmutableArray<string> JsonTexts(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return [];
            case JsonValueKind.Array or JsonValueKind.Object:
            case JsonValueKind.String when IsEmbeddedList(value):
                var builder = new PooledBuilder<string>();
                try
                {
                    foreach (var element in List(value))
                    {
                        builder.Add(Compact(element));
                    }

                    return builder.ToImmutable();
                }
                finally
                {
                    builder.Dispose();
                }

            default:
                return [Compact(value)];
        }
    }

    /// <summary>
    /// Decodes a <c>ModifiedProperties</c> value (see <see cref="PropertyChange"/>): JSON inside a string is decoded; a
    /// single string or scalar gives its text (<c>"[\r\n  true\r\n]"</c> gives <c>true</c>); a list of scalars gives
    /// the texts joined with <c>", "</c> (an empty list gives the empty string); objects and lists holding objects
    /// give compact JSON text. Text that is not JSON is returned as received. JSON null gives null.
    /// </summary>
    public static string? ChangeValue(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return null;
            case JsonValueKind.String:
                using (var embedded = EmbeddedJson.Parse(value))
                {
                    return embedded.IsEmpty ? String(value) : Flatten(embedded.Root);
                }

            default:
                return Flatten(value);
        }
    }

    /// <summary>Writes a value as compact JSON text (no white space, non-ASCII kept as is).</summary>
    public static string Compact(JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, CompactWriter))
        {
            value.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A property's name (cached when it is short plain ASCII).</summary>
    public static string PropertyName(JsonProperty property)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        return raw.Length <= StringCache.MaxLength && !raw.ContainsAnyExcept(RecordFields.PlainNameBytes)
            ? StringCache.GetAscii(raw)
            : property.Name;
    }

    /// <summary>Whether a string value holds a JSON array or object (<see cref="EmbeddedJson"/> of its text is one).</summary>
    private static bool IsEmbeddedList(JsonElement value)
    {
        using var embedded = EmbeddedJson.Parse(value);
        return !embedded.IsEmpty && embedded.Root.ValueKind is JsonValueKind.Array or JsonValueKind.Object;
    }

    private static string Flatten(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return String(value);
            case JsonValueKind.Number:
                return StringCache.GetAscii(JsonMarshal.GetRawUtf8Value(value));
            case JsonValueKind.True:
                return "true";
            case JsonValueKind.False:
                return "false";
            case JsonValueKind.Null:
                return "";
            case JsonValueKind.Array:
                var count = 0;
                JsonElement single = default;
                foreach (var element in value.EnumerateArray())
                {
                    if (element.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                    {
                        return Compact(value);
                    }

                    if (element.ValueKind != JsonValueKind.Null)
                    {
                        single = element;
                        count++;
                    }
                }

                if (count <= 1)
                {
                    return count == 0 ? "" : Flatten(single);
                }

                var parts = new string[count];
                var i = 0;
                foreach (var element in value.EnumerateArray())
                {
                    if (element.ValueKind != JsonValueKind.Null)
                    {
                        parts[i++] = Flatten(element);
                    }
                }

                return string.Join(", ", parts);
            default:
                return Compact(value);
        }
    }

    private static long? IntegralOrNull(double d) =>
        double.IsFinite(d) && Math.Floor(d) == d && d >= long.MinValue && d <= long.MaxValue ? (long)d : null;

    /// <summary>Makes the <see cref="NameValue"/> entries of <see cref="NameValues"/>.</summary>
    private struct NameValueBuilder : INameValueVisitor
    {
        public PooledBuilder<NameValue> Values;

        public void Visit(in EntryName name, JsonElement value) => Values.Add(NameValueCache.Get(name.Text(), Text(value)));
    }
}
