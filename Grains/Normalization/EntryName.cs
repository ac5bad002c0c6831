using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace O365Activity.Grains.Normalization;

/// <summary>
/// The name of one entry of a <c>{Name, Value}</c> list (see <see cref="LenientJson.VisitNameValues"/>): the value of
/// its <c>Name</c> property or the entry itself (a scalar), or a property name (an object used as a map). It can be
/// compared without making its text.
/// </summary>
internal readonly ref struct EntryName
{
    private readonly JsonElement _element;
    private readonly JsonProperty _property;
    private readonly bool _isProperty;
    private readonly bool _isPlain;
    private readonly ReadOnlySpan<byte> _plain;

    /// <summary>A name given as a value (<c>ScalarText</c> of it, or empty).</summary>
    public EntryName(JsonElement element)
    {
        _element = element;
        if (element.ValueKind == JsonValueKind.String)
        {
            var raw = JsonMarshal.GetRawUtf8Value(element)[1..^1];
            _isPlain = !raw.ContainsAnyExcept(RecordFields.PlainNameBytes);
            _plain = raw;
        }
    }

    /// <summary>A name given as a property name.</summary>
    public EntryName(JsonProperty property)
    {
        _property = property;
        _isProperty = true;
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        _isPlain = !raw.ContainsAnyExcept(RecordFields.PlainNameBytes);
        _plain = raw;
    }

    /// <summary>The name's text: the value's text (<see cref="LenientJson.ScalarText"/>, empty for none), or the property's name.</summary>
    public string Text() =>
        _isPlain ? StringCache.GetAscii(_plain)
        : _isProperty ? _property.Name
        : LenientJson.ScalarText(_element) ?? "";

    /// <summary>The name's length when it is plain ASCII (compared as it is); -1 otherwise.</summary>
    public int PlainLength => _isPlain ? _plain.Length : -1;

    /// <summary>Whether the name, upper-cased (<see cref="string.ToUpperInvariant"/>), is <paramref name="upperAscii"/>.</summary>
    /// <param name="upperAscii">Upper-case ASCII letters.</param>
    public bool UpperEquals(string upperAscii) =>
        _isPlain ? _plain.Length == upperAscii.Length && Ascii.EqualsIgnoreCase(_plain, upperAscii) : Text().ToUpperInvariant() == upperAscii;
}
