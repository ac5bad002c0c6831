using System.Collections;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Configuration;
using O365Activity.Contracts.Activity;
using O365Activity.Grains.Normalization;

namespace O365Activity.Silo;

/// <summary>
/// The offline <c>normalize</c> command: <c>dotnet run --project Silo -- normalize [--include-raw]
/// [--federated-domain DOMAIN]... [FILE]</c>. It reads audit records from FILE (none or <c>-</c>: standard input) and
/// writes one NDJSON line per record, using the service's normalizer and GeoIP settings (configuration section
/// <c>GeoIp</c>, see <see cref="GeoIpOptions"/>).
/// </summary>
/// <remarks>
/// <para>Input: a JSON array, NDJSON, or a Microsoft Purview audit-search CSV export, read record by record so that
/// memory does not grow with the input (see <see cref="AuditInput"/> for how the format is decided and how a bad part
/// is skipped).</para>
/// <para>Output, one line per record, in input order: <c>{"kind":"ingress"|"admin"|"raw","recordId":"…",…}</c> followed
/// by <c>eventTime</c>, <c>recordType</c>, <c>operation</c>, <c>workload</c>, then the event's own fields (<see cref="IngressEvent"/>,
/// <see cref="AdminEvent"/>), then <c>extendedProperties</c> and (with <c>--include-raw</c>) <c>rawJson</c>; names in camelCase,
/// enums as their names (<c>"Interrupted"</c>, <c>"RoleMemberAdded"</c>), times as UTC ISO 8601 with <c>Z</c>.
/// Left out, to keep lines short and the output the same on every run: null values, empty lists, and the fields that
/// mean nothing offline (<c>tenantId</c>, <c>sequence</c>, <c>ingestTime</c>, <c>contentType</c>). <c>rawJson</c> (the
/// record as received) is left out unless <c>--include-raw</c> is given. <c>--federated-domain</c> names a federated
/// (AD FS) domain whose sign-ins get <c>locationReliable: false</c>.</para>
/// <para>Raw records (<c>"kind":"raw"</c>) carry their generic decodings too: <c>clientAddress</c>, <c>user</c>,
/// <c>changes</c> and <c>actions</c> (see <see cref="RawRecord"/>).</para>
/// <para>Errors: each input part that is not a readable record is reported on the error writer as
/// <c>normalize: line N: reason</c> (<c>line N, element M</c> in a JSON array) and the other records still flow.
/// A record that is normalized with a stand-in value (an unreadable or missing <c>CreationTime</c>, see
/// <see cref="NormalizedRecord.Warnings"/>) is written all the same and reported as
/// <c>normalize: line N: warning: …</c>. An input without any record is reported as
/// <c>normalize: no records in FILE</c>. Exit code 0 when every record was normalized (warnings and an empty input
/// included), 1 when any part of the input could not be read or was not a record, 2 for usage errors (an unknown
/// option, a missing or unreadable file, a directory, unusable GeoIP settings).</para>
/// </remarks>
public static class NormalizeCommand
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

    /// <summary>Runs the command.</summary>
    /// <param name="args">The arguments after <c>normalize</c>.</param>
    /// <param name="input">Standard input as bytes (UTF-8), read when no FILE or <c>-</c> is given; not closed.</param>
    /// <param name="output">Where the NDJSON lines go.</param>
    /// <param name="error">Where usage and record errors and warnings go.</param>
    /// <param name="configuration">The configuration holding the <c>GeoIp</c> section.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>The exit code: 0 all records normalized, 1 some failed, 2 usage error.</returns>
    public static async Task<int> RunAsync(
        string[] args,
        Stream input,
        TextWriter output,
        TextWriter error,
        IConfiguration configuration,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(configuration);

        string? file = null;
        var includeRaw = false;
        var federatedDomains = ImmutableArray.CreateBuilder<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "-h" or "--help":
                    await output.WriteLineAsync(Usage);
                    return 0;
                case "--include-raw":
                    includeRaw = true;
                    break;
                case "--federated-domain" when i + 1 < args.Length:
                    federatedDomains.Add(args[++i].Trim().TrimStart('@').ToLowerInvariant());
                    break;
                case var a when a.StartsWith("--", StringComparison.Ordinal) || file is not null:
                    await error.WriteLineAsync($"normalize: unexpected argument '{a}'.");
                    await error.WriteLineAsync(Usage);
                    return 2;
                default:
                    file = args[i];
                    break;
            }
        }

        var fromStandardInput = file is null or "-";
        if (!fromStandardInput && Directory.Exists(file))
        {
            await error.WriteLineAsync($"normalize: is a directory: {file}");
            return 2;
        }

        if (!fromStandardInput && !File.Exists(file))
        {
            await error.WriteLineAsync($"normalize: file not found: {file}");
            return 2;
        }

        var options = configuration.GetSection(GeoIpOptions.SectionName).Get<GeoIpOptions>() ?? new GeoIpOptions();
        var validation = new GeoIpOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            foreach (var failure in validation.Failures ?? [])
            {
                await error.WriteLineAsync($"normalize: {failure}");
            }

            return 2;
        }

        Stream stream;
        try
        {
            // No FileStream buffer: AuditInput reads in large blocks of its own.
            stream = fromStandardInput ? input : new FileStream(file!, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"normalize: cannot read {file}: {e.Message}");
            return 2;
        }

        await using var ownedStream = fromStandardInput ? null : stream;
        using var geoLocator = new GeoLocator(options);
        var normalizer = new AuditRecordNormalizer(geoLocator);
        var context = new NormalizationContext(Guid.Empty, DateTimeOffset.UtcNow, null, federatedDomains.ToImmutable());
        var records = 0;
        var failed = 0;

        await AuditInput.ReadAsync(
            stream,
            (position, record) =>
            {
                records++;
                NormalizedRecord normalized;
                try
                {
                    normalized = normalizer.Normalize(record, context);
                }
                catch (AuditRecordFormatException e)
                {
                    failed++;
                    error.WriteLine($"normalize: {position}: {e.Message}");
                    return;
                }

                foreach (var warning in normalized.Warnings)
                {
                    error.WriteLine($"normalize: {position}: warning: {warning.Message}");
                }

                output.WriteLine(FormatLine(normalized, includeRaw));
            },
            (position, reason) =>
            {
                failed++;
                error.WriteLine($"normalize: {position}: {reason}");
            },
            cancellationToken);

        if (records == 0 && failed == 0)
        {
            await error.WriteLineAsync($"normalize: no records in {(fromStandardInput ? "standard input" : file)}");
        }

        await output.FlushAsync(cancellationToken);
        await error.FlushAsync(cancellationToken);
        return failed == 0 ? 0 : 1;
    }

    /// <summary>The command's usage text.</summary>
    public const string Usage =
        "usage: normalize [--include-raw] [--federated-domain DOMAIN]... [FILE]\n" +
        "  FILE: a JSON array, NDJSON or a Purview audit CSV export; none or '-' reads standard input.\n" +
        "  Writes one NDJSON line per record: {\"kind\":\"ingress|admin|raw\",\"recordId\":...,...}.\n" +
        "  Bad input parts and warnings go to stderr as 'normalize: line N: ...'.\n" +
        "  Exit code: 0 all records normalized, 1 some input could not be read, 2 usage error.";

    /// <summary>Formats one normalized record as its NDJSON line (see the class remarks for the shape).</summary>
    /// <param name="normalized">The record.</param>
    /// <param name="includeRaw">Whether to keep <c>rawJson</c>.</param>
    /// <returns>The line, without a line break.</returns>
    public static string FormatLine(NormalizedRecord normalized, bool includeRaw)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        ActivityEvent activity = normalized.Activity ?? normalized.Raw;
        return JsonSerializer.Serialize(activity, activity.GetType(), includeRaw ? SerializerOptionsWithRaw : SerializerOptions);
    }

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
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { info => ShapeLine(info, includeRaw) } },
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

    /// <summary>Writes times as UTC ISO 8601 with <c>Z</c> and only the fractional digits needed (<c>2024-06-01T08:00:00Z</c>).</summary>
    private sealed class UtcTimeConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
    }
}
