using System.Text.Json;
using O365Activity.Contracts.Activity;

namespace O365Activity.Grains.Normalization;

/// <summary>
/// One audit record's top-level fields, read once into a case-insensitive lookup (Panther samples lower-case every
/// key). When a name occurs twice (in any case) the first occurrence wins. Accessors are lenient: a field of an
/// unexpected type reads as absent, never as an error.
/// </summary>
internal sealed class AuditRecordView
{
    private readonly Dictionary<string, JsonElement> _fields;

    public AuditRecordView(JsonElement record)
    {
        _fields = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in record.EnumerateObject())
        {
            _fields.TryAdd(property.Name, property.Value);
        }
    }

    public bool TryGet(string name, out JsonElement value) => _fields.TryGetValue(name, out value);

    /// <summary>A string, number or boolean field as text; null when absent, JSON null, an object or a list.</summary>
    public string? Text(string name) => _fields.TryGetValue(name, out var v) ? LenientJson.ScalarText(v) : null;

    /// <summary>Like <see cref="Text"/>, but null for empty or white-space text too.</summary>
    public string? NonEmptyText(string name)
    {
        var text = Text(name);
        return string.IsNullOrWhiteSpace(text) ? null : text;
    }

    public int? Int32(string name) =>
        _fields.TryGetValue(name, out var v) && LenientJson.Int64(v) is { } l && l is >= int.MinValue and <= int.MaxValue
            ? (int)l
            : null;

    public bool? Boolean(string name) => _fields.TryGetValue(name, out var v) ? LenientJson.Boolean(v) : null;

    public ImmutableArray<NameValue> NameValues(string name, out string? text)
    {
        text = null;
        return _fields.TryGetValue(name, out var v) ? LenientJson.NameValues(v, out text) : [];
    }

    public ImmutableArray<PropertyChange> PropertyChanges(string name) =>
        _fields.TryGetValue(name, out var v) ? LenientJson.PropertyChanges(v) : [];

    /// <summary>A list field as one compact JSON text per element (see <see cref="LenientJson.JsonTexts"/>); empty when absent.</summary>
    public ImmutableArray<string> JsonTexts(string name) =>
        _fields.TryGetValue(name, out var v) ? LenientJson.JsonTexts(v) : [];

    /// <summary>An <c>Actor</c>/<c>Target</c> list of <c>{ID, Type}</c> (PROTOCOL.md §8), in any list shape; entries without an ID are left out.</summary>
    public IReadOnlyList<Identity> Identities(string name)
    {
        if (!_fields.TryGetValue(name, out var v))
        {
            return [];
        }

        var list = new List<Identity>();
        foreach (var element in LenientJson.Elements(v))
        {
            if (LenientJson.TryGetProperty(element, "ID", out var id) && LenientJson.ScalarText(id) is { Length: > 0 } idText)
            {
                int? type = LenientJson.TryGetProperty(element, "Type", out var t) && LenientJson.Int64(t) is { } l
                    && l is >= int.MinValue and <= int.MaxValue ? (int)l : null;
                list.Add(new Identity(idText, type));
            }
        }

        return list;
    }

    /// <summary>
    /// The client address, from the first of <paramref name="fieldOrder"/> whose value is an IP address; when none is,
    /// the first field with other non-empty text (a host name, a malformed value) with no IP; null when every field is
    /// absent, empty or a placeholder (cases B06, B08). Fields that agree or disagree never cause an error (B01): the
    /// first in order wins.
    /// </summary>
    public ClientAddress? Address(ImmutableArray<string> fieldOrder)
    {
        ClientAddress? fallback = null;
        foreach (var field in fieldOrder)
        {
            var raw = Text(field);
            if (ClientAddressParser.IsEmptyValue(raw))
            {
                continue;
            }

            var parsed = ClientAddressParser.Parse(raw, field);
            if (parsed.Ip is not null)
            {
                return parsed;
            }

            fallback ??= parsed;
        }

        return fallback;
    }
}

/// <summary>One <c>{ID, Type}</c> entry of an <c>Actor</c> or <c>Target</c> list.</summary>
internal readonly record struct Identity(string Id, int? Type);
