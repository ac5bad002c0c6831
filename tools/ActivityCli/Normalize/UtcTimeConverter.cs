using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace O365Activity.Cli.Normalize;

/// <summary>
/// Writes times as UTC ISO 8601 with <c>Z</c> and only the fractional digits needed (<c>2024-06-01T08:00:00Z</c>,
/// <c>2024-06-01T08:00:00.5Z</c>); reads any ISO 8601 time, taking one without an offset as UTC.
/// </summary>
internal sealed class UtcTimeConverter : JsonConverter<DateTimeOffset>
{
    /// <inheritdoc />
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        Span<byte> text = stackalloc byte[64];
        if (!value.UtcDateTime.TryFormat(text, out var length, "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture))
        {
            throw new FormatException($"The time {value:O} does not fit in 64 bytes.");
        }

        writer.WriteStringValue(text[..length]);
    }
}
