using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using O365Activity.Contracts.Activity;

namespace O365Activity.Grains.Normalization;

/// <summary>What a normalization needs besides the record itself.</summary>
/// <param name="TenantId">The tenant the record was collected for (stamped on every event).</param>
/// <param name="IngestTime">When the record was fetched (UTC).</param>
/// <param name="ContentType">The content type of the blob it came from; null offline.</param>
/// <param name="FederatedDomains">The tenant's federated (AD FS) domains, lower case (see <c>EventSourceSettings.FederatedDomains</c>).</param>
public sealed record NormalizationContext(
    Guid TenantId,
    DateTimeOffset IngestTime,
    string? ContentType,
    ImmutableArray<string> FederatedDomains)
{
    /// <summary>
    /// Whether the events carry the record's text (<see cref="ActivityEvent.RawJson"/>); true by default. False for a
    /// caller that does not use it (the <c>normalize</c> command without <c>--include-raw</c>): <c>RawJson</c> is then
    /// empty, and the record's UTF-16 copy (twice its size) is not made; except for the rare record whose strings must be
    /// repaired to be read (invalid UTF-8, or the escape of an unpaired UTF-16 surrogate), whose text is always kept.
    /// </summary>
    public bool KeepRawJson { get; init; } = true;
}

/// <summary>One audit record normalized: always its raw form, plus the ingress or admin event it maps to, if any.</summary>
/// <param name="Raw">The record as a raw record (always present).</param>
/// <param name="Activity">The <see cref="IngressEvent"/> or <see cref="AdminEvent"/> the record maps to; null for records of other kinds.</param>
public sealed record NormalizedRecord(RawRecord Raw, ActivityEvent? Activity)
{
    /// <summary>
    /// What the normalizer could not read as the protocol says and replaced (today: an unreadable or missing
    /// <c>CreationTime</c>), in field order; empty when none. The events are emitted all the same: a warning says that a
    /// value in them is a stand-in, for the caller to show or count (the <c>normalize</c> command prints them).
    /// </summary>
    public ImmutableArray<NormalizationWarning> Warnings { get; init; } = [];
}

/// <summary>A field of an audit record that the normalizer could not read, and what it used instead.</summary>
/// <param name="Field">The record field, for example <c>CreationTime</c>.</param>
/// <param name="Value">The field's value as received, as JSON text (<c>"not a date"</c>, <c>null</c>, <c>1717228800</c>); null when the field is absent.</param>
/// <param name="Message">One sentence for people, naming the field and the value and saying what was used instead.</param>
public sealed record NormalizationWarning(string Field, string? Value, string Message);

/// <summary>
/// Turns audit records (PROTOCOL.md §8) into ingress activity, admin activity or raw records. Never throws for a JSON
/// object of any shape: fields of unexpected types are read leniently or left out. Thread-safe; one instance serves
/// every tenant.
/// </summary>
/// <remarks>
/// <para>Field names are matched case-insensitively (Panther samples lower-case every key); the first of two
/// spellings of one name wins. Numbers may arrive as strings (<c>"RecordType":"15"</c>). Unknown fields are kept:
/// <see cref="ActivityEvent.RawJson"/> is the record's text exactly as received (case A08).</para>
/// <para>Which kind: a sign-in (see <see cref="SignInMapper"/>: operation <c>UserLoggedIn</c>/<c>UserLoginFailed</c>, or
/// RecordType 9 or 15) gives an <see cref="IngressEvent"/>; otherwise an admin record (see <see cref="AdminOperations"/>:
/// an operation in the admin table, or any operation of RecordType 1, 8 or 18) gives an <see cref="AdminEvent"/>;
/// every other record gives only its <see cref="RawRecord"/>.</para>
/// <para>A record without an <c>Id</c> (absent, null or empty) is still normalized. Its
/// <see cref="ActivityEvent.RecordId"/> is derived from its text: <c>sha256:</c> followed by the lower-case hex SHA-256
/// of the raw JSON (UTF-8), so byte-identical copies share one id and different records never share the empty id.</para>
/// <para><c>CreationTime</c> is read as UTC (<see cref="AuditTime.TryParse"/>, cases T01, T02; a number is seconds since
/// 1970); a record without a readable one gets <see cref="DateTimeOffset.MinValue"/> as its event time (never the
/// ingest time), a <see cref="NormalizationWarning"/> in <see cref="NormalizedRecord.Warnings"/> and a warning log.
/// A missing or non-numeric <c>RecordType</c> reads as 0.</para>
/// <para>The <see cref="RawRecord"/> carries the decodings that apply to any record: the client address (read like a
/// sign-in's), <c>UserId</c>, <c>ModifiedProperties</c> (read like an admin event's changes) and <c>Actions</c>.</para>
/// <para><c>ExtendedProperties</c> come out as name → text, each value exactly the string received (case A05); when
/// the field is a single string that is not JSON, it comes out as one entry named <c>ExtendedProperties</c>.</para>
/// </remarks>
public sealed partial class AuditRecordNormalizer
{
    private readonly GeoLocator? _geoLocator;
    private readonly ILogger _logger;

    /// <summary>Creates a normalizer.</summary>
    /// <param name="geoLocator">Where sign-in addresses are located; null for no locations.</param>
    /// <param name="logger">For warnings about unreadable records; null for none.</param>
    public AuditRecordNormalizer(GeoLocator? geoLocator = null, ILogger<AuditRecordNormalizer>? logger = null)
    {
        _geoLocator = geoLocator;
        _logger = logger ?? NullLogger<AuditRecordNormalizer>.Instance;
    }

    /// <summary>Normalizes one audit record.</summary>
    /// <param name="record">The record: a JSON object.</param>
    /// <param name="context">Tenant, ingest time, content type and tenant options.</param>
    /// <returns>The raw record and, when the record is a sign-in or an admin action, its activity event.</returns>
    /// <exception cref="AuditRecordFormatException">When <paramref name="record"/> is not a JSON object.</exception>
    public NormalizedRecord Normalize(JsonElement record, NormalizationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (record.ValueKind != JsonValueKind.Object)
        {
            throw new AuditRecordFormatException($"An audit record must be a JSON object, not {record.ValueKind}.");
        }

        var utf8 = JsonMarshal.GetRawUtf8Value(record);
        var validUtf8 = Utf8.IsValid(utf8);
        if (!validUtf8 || utf8.IndexOf(@"\u"u8) >= 0 && HasSurrogateEscape(utf8))
        {
            // System.Text.Json parses such text but cannot read its strings (or names) as .NET strings: read the
            // repaired text instead. Invalid UTF-8 is also what is kept as the record's text (the bytes received cannot
            // be stored as text); an unpaired surrogate escape is valid UTF-8, kept as received.
            var repairedText = RepairedText(utf8);
            using var repaired = JsonDocument.Parse(repairedText, RepairedTextOptions);
            // Kept whatever KeepRawJson says, so that the text stored and the id derived from it are those of the record.
            return Normalize(repaired.RootElement, context, validUtf8 ? Encoding.UTF8.GetString(utf8) : repairedText);
        }

        // The record's text is read only when it is kept.
        return Normalize(record, context, context.KeepRawJson ? record.GetRawText() : "");
    }

    /// <summary>
    /// The text of a record whose strings System.Text.Json cannot read: each invalid UTF-8 sequence as U+FFFD, and each
    /// <c>\u</c> escape of an unpaired UTF-16 surrogate as <c>\uFFFD</c> (escaped backslashes and surrogate pairs kept).
    /// Both occur only inside strings, so the result is the same JSON with readable strings.
    /// </summary>
    /// <param name="utf8">The record's text as received.</param>
    internal static string RepairedText(ReadOnlySpan<byte> utf8) => RepairedEscapes(Encoding.UTF8.GetString(utf8));

    /// <summary>JSON text with each <c>\u</c> escape of an unpaired UTF-16 surrogate as <c>\uFFFD</c> (escaped backslashes and surrogate pairs kept); the text itself when it has none.</summary>
    /// <param name="json">JSON text (a record, or JSON written inside one of its strings).</param>
    internal static string RepairedEscapes(string json) =>
        json.Contains(@"\u", StringComparison.Ordinal) ? SurrogateEscape().Replace(json, m => m.Length == 2 || m.Length == 12 ? m.Value : @"\uFFFD") : json;

    private static bool HasSurrogateEscape(ReadOnlySpan<byte> utf8)
    {
        for (var at = utf8.IndexOf(@"\u"u8); at >= 0 && at + 3 < utf8.Length; )
        {
            if (utf8[at + 2] is (byte)'d' or (byte)'D' && utf8[at + 3] is >= (byte)'8' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F')
            {
                return true;
            }

            var next = utf8[(at + 2)..].IndexOf(@"\u"u8);
            at = next < 0 ? -1 : at + 2 + next;
        }

        return false;
    }

    /// <summary>
    /// How a repaired text is parsed again: accepting whatever the first parse may have accepted (the <c>normalize</c>
    /// command reads records with comments and trailing commas), so that the repair never fails where the record parsed.
    /// </summary>
    private static readonly JsonDocumentOptions RepairedTextOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = 1024,
    };

    /// <summary>An escaped backslash, a surrogate pair's escapes, or one surrogate's escape (in this order, left to right).</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"\\\\|\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|\\u[dD][89a-fA-F][0-9a-fA-F]{2}")]
    private static partial System.Text.RegularExpressions.Regex SurrogateEscape();

    private NormalizedRecord Normalize(JsonElement record, NormalizationContext context, string rawJson)
    {
        var view = new AuditRecordView(record);

        var recordId = view.UniqueText(RecordField.Id);
        if (string.IsNullOrWhiteSpace(recordId))
        {
            recordId = DerivedId(rawJson.Length > 0 ? rawJson : record.GetRawText());
            LogRecordWithoutId(_logger, context.TenantId, recordId);
        }

        var warnings = ImmutableArray<NormalizationWarning>.Empty;
        var hasCreationTime = view.TryGet(RecordField.CreationTime, out var creationTimeValue);
        if (!ReadTime(creationTimeValue, out var eventTime))
        {
            var warning = UnreadableCreationTime(hasCreationTime ? creationTimeValue : null);
            warnings = [warning];
            LogUnreadableCreationTime(_logger, context.TenantId, recordId, warning.Value);
        }

        var extendedProperties = view.NameValueList(RecordField.ExtendedProperties);
        if (extendedProperties.Text is { } extendedText)
        {
            extendedProperties = new NameValueList([NameValueCache.Get("ExtendedProperties", extendedText)], null);
        }

        var header = new RecordHeader(
            context.TenantId,
            recordId,
            eventTime,
            context.IngestTime,
            view.Int32(RecordField.RecordType) ?? 0,
            view.Text(RecordField.Operation) ?? "",
            view.NonEmptyText(RecordField.Workload),
            context.ContentType,
            rawJson,
            extendedProperties);

        var address = view.Address(ClientAddressParser.DefaultFields);
        var changes = view.PropertyChanges(RecordField.ModifiedProperties);
        var user = view.NonEmptyText(RecordField.UserId);
        var raw = new RawRecord
        {
            TenantId = header.TenantId,
            RecordId = header.RecordId,
            EventTime = header.EventTime,
            IngestTime = header.IngestTime,
            RecordType = header.RecordType,
            Operation = header.Operation,
            Workload = header.Workload,
            ContentType = header.ContentType,
            RawJson = header.RawJson,
            ExtendedProperties = header.ExtendedProperties,
            ClientAddress = address,
            User = user,
            Changes = changes,
            Actions = view.JsonTexts(RecordField.Actions),
        };

        ActivityEvent? activity = SignInMapper.IsSignIn(header.Operation, header.RecordType)
            ? SignInMapper.Map(in view, in header, user, address, context, _geoLocator)
            : AdminOperations.Classify(header.Operation, header.RecordType) is { } action
                ? AdminMapper.Map(in view, in header, action, address, changes)
                : null;

        return new NormalizedRecord(raw, activity) { Warnings = warnings };
    }

    /// <summary>
    /// Reads <c>CreationTime</c> as <see cref="AuditTime.TryParse"/> does, from the JSON text without making a string in
    /// the common case (<see cref="AuditTime.TryParseCanonical"/>).
    /// </summary>
    private static bool ReadTime(JsonElement value, out DateTimeOffset time)
    {
        if (value.ValueKind == JsonValueKind.String && AuditTime.TryParseCanonical(JsonMarshal.GetRawUtf8Value(value)[1..^1], out time))
        {
            return true;
        }

        return AuditTime.TryParse(value.ValueKind == JsonValueKind.String ? value.GetString() : LenientJson.ScalarText(value), out time);
    }

    private static NormalizationWarning UnreadableCreationTime(JsonElement? value)
    {
        const string Field = "CreationTime";
        const string Instead = "; the event time is 0001-01-01T00:00:00Z";
        if (value is not { } v)
        {
            return new NormalizationWarning(Field, null, $"{Field} is missing{Instead}");
        }

        var text = v.GetRawText();
        var shown = text.Length <= 100 ? text : string.Concat(text.AsSpan(0, 100), "…");
        var message = v.ValueKind switch
        {
            JsonValueKind.Null => $"{Field} is null{Instead}",
            JsonValueKind.Number => $"{Field} {shown} is not a time: a number is read as seconds since 1970 only from 2000-01-01 to 9999-12-31{Instead}",
            _ => $"{Field} {shown} is not a date and time{Instead}",
        };
        return new NormalizationWarning(Field, text, message);
    }

    /// <summary>The id given to a record without <c>Id</c>: <c>sha256:</c> and the lower-case hex SHA-256 of its raw JSON text (UTF-8).</summary>
    /// <param name="rawJson">The record's text as received.</param>
    public static string DerivedId(string rawJson)
    {
        ArgumentNullException.ThrowIfNull(rawJson);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(rawJson), hash);
        return "sha256:" + Convert.ToHexStringLower(hash);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Tenant {TenantId}: audit record without Id; using derived id {RecordId}.")]
    private static partial void LogRecordWithoutId(ILogger logger, Guid tenantId, string recordId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: audit record {RecordId} has no readable CreationTime ({CreationTime}); its event time is DateTimeOffset.MinValue.")]
    private static partial void LogUnreadableCreationTime(ILogger logger, Guid tenantId, string recordId, string? creationTime);
}

/// <summary>An input that is not an audit record at all (not a JSON object).</summary>
/// <param name="message">What was wrong with the input.</param>
public sealed class AuditRecordFormatException(string message) : Exception(message);
