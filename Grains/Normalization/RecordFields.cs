using System.Buffers;
using System.Collections.Frozen;
using System.Text;
using System.Text.Json;
using System.Runtime.InteropServices;

namespace O365Activity.Grains.Normalization;

/// <summary>
/// Finds which <see cref="RecordField"/> a property of an audit record is, by its name compared case-insensitively
/// (<see cref="StringComparer.OrdinalIgnoreCase"/>), without making a string of the name when it is plain ASCII.
/// </summary>
internal static class RecordFields
{
    /// <summary>How many fields there are.</summary>
    public const int Count = (int)RecordField.TargetUserOrGroupType + 1;

    /// <summary>The bytes a property name may hold to be compared as it is: printable ASCII without <c>\</c> (no escapes).</summary>
    public static readonly SearchValues<byte> PlainNameBytes = SearchValues.Create(
        Enumerable.Range(0x20, 0x7F - 0x20).Where(b => b != '\\').Select(b => (byte)b).ToArray());

    private static readonly FrozenDictionary<string, RecordField> ByName =
        Enum.GetValues<RecordField>().ToFrozenDictionary(f => f.ToString(), f => f, StringComparer.OrdinalIgnoreCase);

    // Per name length, the fields of that length with their names in lower case.
    private static readonly (byte[] Lower, RecordField Field)[][] ByLength = MakeByLength();

    /// <summary>The field a property is; false for any other property.</summary>
    /// <param name="property">A property of the record.</param>
    /// <param name="field">The field.</param>
    public static bool TryFind(JsonProperty property, out RecordField field)
    {
        var name = JsonMarshal.GetRawUtf8PropertyName(property);
        if (name.Length < ByLength.Length)
        {
            foreach (var (lower, candidate) in ByLength[name.Length])
            {
                if ((name[0] | 0x20) == lower[0] && Ascii.EqualsIgnoreCase(name, lower))
                {
                    field = candidate;
                    return true;
                }
            }
        }

        // Escaped or non-ASCII names are compared as strings, as the API's names are.
        if (name.ContainsAnyExcept(PlainNameBytes))
        {
            return ByName.TryGetValue(property.Name, out field);
        }

        field = default;
        return false;
    }

    private static (byte[] Lower, RecordField Field)[][] MakeByLength()
    {
        var fields = Enum.GetValues<RecordField>();
        var longest = fields.Max(f => f.ToString().Length);
        var byLength = new (byte[] Lower, RecordField Field)[longest + 1][];
        for (var length = 0; length <= longest; length++)
        {
            byLength[length] = [.. fields.Where(f => f.ToString().Length == length).Select(f => (Encoding.ASCII.GetBytes(f.ToString().ToLowerInvariant()), f))];
        }

        return byLength;
    }
}
