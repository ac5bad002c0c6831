using System.Collections;
using System.Collections.Immutable;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using O365Activity.Contracts.Activity;
using O365Activity.Grains.Normalization;

namespace O365Activity.Cli.Normalize;

/// <summary>The output line of the <c>normalize</c> command for one normalized record.</summary>
/// <remarks>
/// One JSON object on one line: <c>{"kind":"ingress"|"admin"|"raw","recordId":"…",…}</c> followed by <c>eventTime</c>,
/// <c>recordType</c>, <c>operation</c>, <c>workload</c>, then the event's own fields (<see cref="IngressEvent"/>,
/// <see cref="AdminEvent"/>, <see cref="RawRecord"/>), then <c>extendedProperties</c> and (with <c>includeRaw</c>)
/// <c>rawJson</c>; names in camelCase, enums as their names (<c>"Interrupted"</c>, <c>"RoleMemberAdded"</c>), times as
/// UTC ISO 8601 with <c>Z</c> (<see cref="UtcTimeConverter"/>). Left out, to keep lines short and the output the same on
/// every run: null values, empty lists, and the fields that mean nothing offline (<c>tenantId</c>, <c>sequence</c>,
/// <c>ingestTime</c>, <c>contentType</c>).
/// </remarks>
public static class NormalizedLine
{
    private static readonly HashSet<string> OfflineFields = new(StringComparer.Ordinal)
    {
        "tenantId", "sequence", "ingestTime", "contentType",
    };

    // The record's common fields come first and its bulky ones last; the event's own fields sit between.
    private static readonly string[] LeadingFields = ["kind", "recordId", "eventTime", "recordType", "operation", "workload"];
    private static readonly string[] TrailingFields = ["extendedProperties", "rawJson"];

    private static readonly JsonSerializerOptions SerializerOptions = CreateSerializerOptions(includeRaw: false);
    private static readonly JsonSerializerOptions SerializerOptionsWithRaw = CreateSerializerOptions(includeRaw: true);

    /// <summary>Formats one normalized record as its NDJSON line (see the class remarks for the shape).</summary>
    /// <param name="normalized">The record: its ingress or admin event when it has one, else its raw record.</param>
    /// <param name="includeRaw">Whether to keep <c>rawJson</c> (the record as received).</param>
    /// <returns>The line, without a line break.</returns>
    /// <exception cref="ArgumentNullException">When <paramref name="normalized"/> is null.</exception>
    public static string Format(NormalizedRecord normalized, bool includeRaw)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        ActivityEvent activity = normalized.Activity ?? normalized.Raw;
        return JsonSerializer.Serialize(activity, activity.GetType(), includeRaw ? SerializerOptionsWithRaw : SerializerOptions);
    }

    /// <summary>Writes one normalized record's line (see <see cref="Format"/>), without the line break, as UTF-8.</summary>
    /// <param name="writer">Where to write: a writer made with <see cref="WriterOptions"/>, at the start of a value.</param>
    /// <param name="normalized">The record.</param>
    /// <param name="includeRaw">Whether to keep <c>rawJson</c>.</param>
    /// <exception cref="ArgumentNullException">When an argument is null.</exception>
    public static void Write(Utf8JsonWriter writer, NormalizedRecord normalized, bool includeRaw)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(normalized);
        ActivityEvent activity = normalized.Activity ?? normalized.Raw;
        JsonSerializer.Serialize(writer, activity, activity.GetType(), includeRaw ? SerializerOptionsWithRaw : SerializerOptions);
    }

    /// <summary>The options of a <see cref="Utf8JsonWriter"/> for <see cref="Write"/>: what <see cref="Format"/> writes (compact, non-ASCII kept as is).</summary>
    public static JsonWriterOptions WriterOptions { get; } = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    private static string KindOf(ActivityEvent activity) => activity switch
    {
        IngressEvent => "ingress",
        AdminEvent => "admin",
        _ => "raw",
    };

    /// <summary>
    /// The line's shape is set on the serializer's contract for the event types, so that a record is serialized in one
    /// pass: a <c>kind</c> property first, the leading fields next and the trailing ones last (by
    /// <see cref="JsonPropertyInfo.Order"/>; the others keep the serializer's order), offline fields left out, empty
    /// lists left out, <c>rawJson</c> only when asked for.
    /// </summary>
    private static JsonSerializerOptions CreateSerializerOptions(bool includeRaw)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            WriteIndented = false,
            TypeInfoResolver = NormalizedLineContext.Default.WithAddedModifier(info => ShapeLine(info, includeRaw)),
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.Converters.Add(new UtcTimeConverter());
        return options;
    }

    private static void ShapeLine(JsonTypeInfo info, bool includeRaw)
    {
        if (info.Kind != JsonTypeInfoKind.Object || !typeof(ActivityEvent).IsAssignableFrom(info.Type))
        {
            return;
        }

        var kind = info.CreateJsonPropertyInfo(typeof(string), "kind");
        kind.Get = activity => KindOf((ActivityEvent)activity);
        info.Properties.Add(kind);
        for (var i = info.Properties.Count - 1; i >= 0; i--)
        {
            var property = info.Properties[i];
            if (OfflineFields.Contains(property.Name) || (property.Name == "rawJson" && !includeRaw))
            {
                info.Properties.RemoveAt(i);
                continue;
            }

            var leading = Array.IndexOf(LeadingFields, property.Name);
            var trailing = Array.IndexOf(TrailingFields, property.Name);
            property.Order = leading >= 0 ? leading - LeadingFields.Length : trailing >= 0 ? trailing + 1 : 0;
            if (property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(ImmutableArray<>))
            {
                property.ShouldSerialize = static (_, value) => value is ICollection { Count: > 0 };
            }
        }
    }
}
