using System.Text.Json;

namespace O365Activity.Grains.Normalization;

/// <summary>
/// The elements of a list-valued field, whatever its shape (see <see cref="LenientJson.Elements"/>), for a
/// <c>foreach</c>: a JSON array; a string holding a JSON array or object; a single object. Array elements that are strings
/// holding a JSON object or array are decoded (case A06). JSON inside strings is parsed into pooled documents: an
/// element decoded from one is valid until the next element, and the enumeration releases them all when it ends.
/// </summary>
internal ref struct LenientList
{
    private JsonElement.ArrayEnumerator _array;
    private bool _isArray;
    private JsonElement _single;
    private bool _singlePending;
    private EmbeddedJson _container;
    private EmbeddedJson _decoded;

    /// <summary>Starts reading a field's value.</summary>
    /// <param name="value">The value.</param>
    public LenientList(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Array:
                _array = value.EnumerateArray();
                _isArray = true;
                break;
            case JsonValueKind.String:
                var embedded = EmbeddedJson.Parse(value);
                if (!embedded.IsEmpty && embedded.Root.ValueKind == JsonValueKind.Array)
                {
                    _container = embedded;
                    _array = embedded.Root.EnumerateArray();
                    _isArray = true;
                }
                else if (!embedded.IsEmpty && embedded.Root.ValueKind == JsonValueKind.Object)
                {
                    _container = embedded;
                    _single = embedded.Root;
                    _singlePending = true;
                }
                else
                {
                    embedded.Dispose();
                }

                break;
            case JsonValueKind.Object:
                _single = value;
                _singlePending = true;
                break;
        }
    }

    /// <summary>The current element.</summary>
    public JsonElement Current { get; private set; }

    /// <summary>This list, as its own enumerator.</summary>
    public readonly LenientList GetEnumerator() => this;

    /// <summary>Moves to the next element; the previous decoded one is released.</summary>
    public bool MoveNext()
    {
        _decoded.Dispose();
        _decoded = default;
        if (_singlePending)
        {
            _singlePending = false;
            Current = _single;
            return true;
        }

        if (!_isArray || !_array.MoveNext())
        {
            return false;
        }

        var element = _array.Current;
        if (element.ValueKind == JsonValueKind.String)
        {
            var decoded = EmbeddedJson.Parse(element);
            if (!decoded.IsEmpty && decoded.Root.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            {
                _decoded = decoded;
                Current = decoded.Root;
                return true;
            }

            decoded.Dispose();
        }

        Current = element;
        return true;
    }

    /// <summary>Releases the documents of decoded strings.</summary>
    public void Dispose()
    {
        _decoded.Dispose();
        _decoded = default;
        _container.Dispose();
        _container = default;
    }
}
