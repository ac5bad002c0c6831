using System.Text.Json;
using O365Activity.Contracts.Activity;

namespace O365Activity.Grains.Normalization;

/// <summary>
/// One audit record's top-level fields that the normalizer reads (<see cref="RecordField"/>), found in one pass over
/// the record and held inline, without a string per name (Panther samples lower-case every key: names are compared
/// case-insensitively). When a name occurs twice (in any case) the first occurrence wins. Accessors are lenient: a field
/// of an unexpected type reads as absent, never as an error. Texts come from <see cref="StringCache"/> when short.
/// </summary>
internal readonly struct AuditRecordView
{
    // What is read from list fields, remembered by their text (see RawValueMemo): these repeat from record to record.
    private static readonly RawValueMemo<NameValueList> NameValueLists = new();
    private static readonly RawValueMemo<ImmutableArray<PropertyChange>> PropertyChangeLists = new();
    private static readonly RawValueMemo<ImmutableArray<Identity>> IdentityLists = new();
    private static readonly RawValueMemo<DeviceInfo?> Devices = new();

    private static readonly NameValueList EmptyList = new([], null);

    private readonly RecordFieldValues _values;

    public AuditRecordView(JsonElement record)
    {
        foreach (var property in record.EnumerateObject())
        {
            if (RecordFields.TryFind(property, out var field) && _values[(int)field].ValueKind == JsonValueKind.Undefined)
            {
                _values[(int)field] = property.Value;
            }
        }
    }

    public bool TryGet(RecordField field, out JsonElement value)
    {
        value = _values[(int)field];
        return value.ValueKind != JsonValueKind.Undefined;
    }

    /// <summary>A string, number or boolean field as text; null when absent, JSON null, an object or a list.</summary>
    public string? Text(RecordField field) => TryGet(field, out var v) ? LenientJson.ScalarText(v) : null;

    /// <summary>Like <see cref="Text"/>, but a new string, not a cached one (for texts that never repeat, such as <c>Id</c>).</summary>
    public string? UniqueText(RecordField field) => TryGet(field, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : Text(field);

    /// <summary>Like <see cref="Text"/>, but null for empty or white-space text too.</summary>
    public string? NonEmptyText(RecordField field)
    {
        var text = Text(field);
        return string.IsNullOrWhiteSpace(text) ? null : text;
    }

    public int? Int32(RecordField field) =>
        TryGet(field, out var v) && LenientJson.Int64(v) is { } l && l is >= int.MinValue and <= int.MaxValue
            ? (int)l
            : null;

    public bool? Boolean(RecordField field) => TryGet(field, out var v) ? LenientJson.Boolean(v) : null;

    public ImmutableArray<NameValue> NameValues(RecordField field, out string? text)
    {
        var list = NameValueList(field);
        text = list.Text;
        return list.Values;
    }

    /// <summary>A <c>{Name, Value}</c> list field as <see cref="LenientJson.NameValues"/> reads it (empty when absent).</summary>
    public NameValueList NameValueList(RecordField field) =>
        TryGet(field, out var v)
            ? NameValueLists.Get(v, 0, static (value, unused) => new NameValueList(LenientJson.NameValues(value, out var text), text))
            : EmptyList;

    /// <summary>A sign-in's device, from its <c>DeviceProperties</c> list (see <see cref="DeviceVisitor"/>); null when it names none.</summary>
    public DeviceInfo? Device() =>
        TryGet(RecordField.DeviceProperties, out var v)
            ? Devices.Get(v, 0, static (value, unused) => DeviceVisitor.Read(value))
            : null;

    public ImmutableArray<PropertyChange> PropertyChanges(RecordField field) =>
        TryGet(field, out var v) ? PropertyChangeLists.Get(v, 0, static (value, unused) => LenientJson.PropertyChanges(value)) : [];

    /// <summary>A list field as one compact JSON text per element (see <see cref="LenientJson.JsonTexts"/>); empty when absent.</summary>
    public ImmutableArray<string> JsonTexts(RecordField field) =>
        TryGet(field, out var v) ? LenientJson.JsonTexts(v) : [];

    /// <summary>An <c>Actor</c>/<c>Target</c> list of <c>{ID, Type}</c> (PROTOCOL.md §8), in any list shape; entries without an ID are left out.</summary>
    public ImmutableArray<Identity> Identities(RecordField field) =>
        TryGet(field, out var v) ? IdentityLists.Get(v, 0, static (value, unused) => ReadIdentities(value)) : [];

    private static ImmutableArray<Identity> ReadIdentities(JsonElement v)
    {
        var list = new PooledBuilder<Identity>();
        foreach (var element in LenientJson.List(v))
        {
            if (LenientJson.TryGetProperty(element, "ID", out var id) && LenientJson.ScalarText(id) is { Length: > 0 } idText)
            {
                int? type = LenientJson.TryGetProperty(element, "Type", out var t) && LenientJson.Int64(t) is { } l
                    && l is >= int.MinValue and <= int.MaxValue ? (int)l : null;
                list.Add(new Identity(idText, type));
            }
        }

        return list.ToImmutable();
    }

    /// <summary>
    /// The client address, from the first of <paramref name="fieldOrder"/> whose value is an IP address; when none is,
    /// the first field with other non-empty text (a host name, a malformed value) with no IP; null when every field is
    /// absent, empty or a placeholder (cases B06, B08). Fields that agree or disagree never cause an error (B01): the
    /// first in order wins.
    /// </summary>
    public ClientAddress? Address(ReadOnlySpan<RecordField> fieldOrder)
    {
        ClientAddress? fallback = null;
        foreach (var field in fieldOrder)
        {
            var raw = Text(field);
            if (ClientAddressParser.IsEmptyValue(raw))
            {
                continue;
            }

            var parsed = ClientAddressParser.ParseShared(raw!, field);
            if (parsed.Ip is not null)
            {
                return parsed;
            }

            fallback ??= parsed;
        }

        return fallback;
    }
}
