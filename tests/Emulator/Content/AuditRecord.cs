using System.Globalization;
using System.Text;
using System.Text.Json;

namespace O365Activity.Emulator.Content;

/// <summary>
/// One audit record held as its original UTF-8 JSON text (verbatim: field order, escapes and odd shapes are kept), with
/// the place of its top-level <c>OrganizationId</c> value so that it can be served to any tenant with that value
/// rewritten, without parsing the record again.
/// </summary>
internal sealed class AuditRecord
{
    private static readonly byte[] OrganizationIdProperty = "\"OrganizationId\":"u8.ToArray();

    private readonly byte[] _utf8;

    // Start and length of the OrganizationId value token (quotes included); -1 when the record has none.
    private readonly int _orgStart;
    private readonly int _orgLength;
    private readonly bool _isEmptyObject;

    private AuditRecord(byte[] utf8, int orgStart, int orgLength, bool isEmptyObject, string contentType, string? id)
    {
        _utf8 = utf8;
        _orgStart = orgStart;
        _orgLength = orgLength;
        _isEmptyObject = isEmptyObject;
        ContentType = contentType;
        Id = id;
    }

    /// <summary>The content type derived from the record's Workload and RecordType.</summary>
    public string ContentType { get; }

    /// <summary>The record's <c>Id</c> when it is a string, else null.</summary>
    public string? Id { get; }

    /// <summary>Parses one record.</summary>
    /// <param name="utf8">The JSON text of one object (surrounding white space allowed).</param>
    /// <returns>The record.</returns>
    /// <exception cref="FormatException">The text is not one JSON object.</exception>
    public static AuditRecord Parse(ReadOnlySpan<byte> utf8) => Parse(utf8, null);

    /// <summary>Parses one record from a string.</summary>
    /// <param name="json">The JSON text of one object.</param>
    /// <returns>The record.</returns>
    /// <exception cref="FormatException">The text is not one JSON object.</exception>
    public static AuditRecord Parse(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        return Parse(bytes, bytes);
    }

    private static AuditRecord Parse(ReadOnlySpan<byte> utf8, byte[]? owner)
    {
        var trimmed = Trim(utf8);
        if (trimmed.Length == 0 || trimmed[0] != (byte)'{')
        {
            throw new FormatException("not a JSON object");
        }

        // Keep the caller's array when nothing was trimmed (saves a copy per record of a large blob).
        var bytes = owner is not null && trimmed.Length == owner.Length ? owner : trimmed.ToArray();
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        int orgStart = -1, orgLength = 0, members = 0;
        string? workload = null, id = null;
        int? recordType = null;
        try
        {
            reader.Read();
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0)
                {
                    break;
                }

                // Depth 1 property names only: nested OrganizationId/Workload values are not the record's. Only names of
                // the right length are read (a 25 MB blob of 60,000 records is parsed in one call).
                var name = reader.ValueSpan.Length is 2 or 8 or 10 or 14 || reader.ValueIsEscaped ? reader.GetString() : null;
                members++;
                reader.Read();
                var valueStart = (int)reader.TokenStartIndex;
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }

                if (string.Equals(name, "OrganizationId", StringComparison.OrdinalIgnoreCase) && orgStart < 0)
                {
                    orgStart = valueStart;
                    orgLength = (int)reader.BytesConsumed - valueStart;
                }
                else if (string.Equals(name, "Workload", StringComparison.OrdinalIgnoreCase) && reader.TokenType == JsonTokenType.String)
                {
                    workload ??= reader.GetString();
                }
                else if (string.Equals(name, "RecordType", StringComparison.OrdinalIgnoreCase))
                {
                    recordType ??= ReadLenientInt(ref reader);
                }
                else if (string.Equals(name, "Id", StringComparison.OrdinalIgnoreCase) && reader.TokenType == JsonTokenType.String)
                {
                    id ??= reader.GetString();
                }
            }

            if (reader.Read())
            {
                throw new FormatException("text after the end of the object");
            }
        }
        catch (JsonException e)
        {
            throw new FormatException(e.Message, e);
        }

        return new AuditRecord(bytes, orgStart, orgLength, members == 0, EmulatorContentTypes.ForRecord(workload, recordType), id);
    }

    /// <summary>The number of bytes <see cref="WriteTo"/> writes for a tenant id of <paramref name="tenantLength"/> characters.</summary>
    /// <param name="tenantLength">The length of the tenant id text (36 for a GUID).</param>
    public long SizeFor(int tenantLength) => _orgStart >= 0
        ? _utf8.Length - _orgLength + tenantLength + 2
        : _utf8.Length + OrganizationIdProperty.Length + tenantLength + 2 + (_isEmptyObject ? 0 : 1);

    /// <summary>Writes the record with <c>OrganizationId</c> set to <paramref name="tenantUtf8"/> (kept in place when the
    /// record has the field, else added as the first field).</summary>
    /// <param name="destination">Where to write.</param>
    /// <param name="tenantUtf8">The tenant id, UTF-8, without quotes (a GUID needs no escaping).</param>
    public void WriteTo(Stream destination, ReadOnlySpan<byte> tenantUtf8)
    {
        if (_orgStart >= 0)
        {
            destination.Write(_utf8.AsSpan(0, _orgStart));
            WriteQuoted(destination, tenantUtf8);
            destination.Write(_utf8.AsSpan(_orgStart + _orgLength));
            return;
        }

        destination.WriteByte((byte)'{');
        destination.Write(OrganizationIdProperty);
        WriteQuoted(destination, tenantUtf8);
        if (!_isEmptyObject)
        {
            destination.WriteByte((byte)',');
        }

        destination.Write(_utf8.AsSpan(1));
    }

    /// <summary>The record as served to <paramref name="tenant"/>, as a string (for tests and the generator).</summary>
    /// <param name="tenant">The tenant id text.</param>
    public string ToJson(string tenant)
    {
        using var buffer = new MemoryStream();
        WriteTo(buffer, Encoding.UTF8.GetBytes(tenant));
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteQuoted(Stream destination, ReadOnlySpan<byte> value)
    {
        destination.WriteByte((byte)'"');
        destination.Write(value);
        destination.WriteByte((byte)'"');
    }

    private static int? ReadLenientInt(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var n))
        {
            return n;
        }

        if (reader.TokenType == JsonTokenType.String
            && int.TryParse(reader.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s))
        {
            return s;
        }

        return null;
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> utf8)
    {
        // A UTF-8 byte order mark is white space for our purpose.
        if (utf8.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }

        return utf8.Trim(" \t\r\n"u8);
    }
}
