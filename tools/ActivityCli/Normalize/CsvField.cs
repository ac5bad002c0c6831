using System.Text;

namespace O365Activity.Cli.Normalize;

/// <summary>Where one field of a CSV row sits in the row's bytes.</summary>
/// <param name="Start">The offset of the field's first byte (after its opening quote, for a quoted field).</param>
/// <param name="End">The offset just after its last byte (before its closing quote, and before a CR that ends its line).</param>
/// <param name="Escaped">True when the field is quoted and holds doubled quotes (<c>""</c>) that stand for one.</param>
internal readonly record struct CsvField(int Start, int End, bool Escaped)
{
    /// <summary>The field's bytes, with doubled quotes undoubled (a copy only when <see cref="Escaped"/>).</summary>
    /// <param name="row">The bytes the field's offsets are relative to.</param>
    public ReadOnlySpan<byte> Bytes(ReadOnlySpan<byte> row)
    {
        var raw = row[Start..End];
        if (!Escaped)
        {
            return raw;
        }

        var bytes = new byte[raw.Length];
        var length = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            bytes[length++] = raw[i];
            if (raw[i] == (byte)'"' && i + 1 < raw.Length && raw[i + 1] == (byte)'"')
            {
                i++;
            }
        }

        return bytes.AsSpan(0, length);
    }

    /// <summary>The field's text (UTF-8 decoded, doubled quotes undoubled).</summary>
    /// <param name="row">The bytes the field's offsets are relative to.</param>
    public string Text(ReadOnlySpan<byte> row) => Encoding.UTF8.GetString(Bytes(row));

    /// <summary>True when the field is empty or white space.</summary>
    /// <param name="row">The bytes the field's offsets are relative to.</param>
    public bool IsBlank(ReadOnlySpan<byte> row) => JsonRecordParser.IsWhiteSpace(row[Start..End]);

    /// <summary>True when the field's first byte that is not white space is <c>{</c> (it looks like a JSON object).</summary>
    /// <param name="row">The bytes the field's offsets are relative to.</param>
    public bool StartsObject(ReadOnlySpan<byte> row)
    {
        var text = row[Start..End].TrimStart(JsonRecordParser.WhiteSpace);
        return !text.IsEmpty && text[0] == (byte)'{';
    }
}
