using System.Buffers;
using System.Text.Json;

namespace O365Activity.Grains.Collection;

/// <summary>
/// Reads a JSON array from a stream in batches of whole elements, each batch parsed once into a pooled
/// <see cref="JsonDocument"/> over a pooled buffer: what a content blob's records are read with (PROTOCOL.md §6; case R01:
/// no size cap, and the memory held is one buffer, whatever the size of the blob).
/// </summary>
/// <remarks>
/// <para>The buffer starts at 64 KiB and grows only while one element does not fit in it. Each time it is full (or the
/// stream ends), the bytes up to the last element that ends in it become one batch: the comma after that element is
/// overwritten with <c>]</c> (and the comma before the batch with <c>[</c>), so that the batch parses as a JSON array of
/// its own, in one pass, with its elements' bytes exactly as received. The comma is first guessed (the last <c>,</c>
/// between a <c>}</c> and a <c>{</c>, which is where objects meet); a guess inside a string fails to parse, because JSON is
/// read from left to right and a prefix that parses as a whole array ends between elements, and then the elements are
/// found with <see cref="Utf8JsonReader"/>, which also finds any syntax error. The reader options are
/// System.Text.Json's defaults (no comments, no trailing commas, depth 64), as the serializer's.</para>
/// <para>A batch's elements are valid until the next <see cref="ReadAsync"/> or <see cref="Dispose"/>, except when the
/// whole array is one batch (a blob of up to 64 KiB, the API's usual size): that batch is parsed into memory of its own,
/// not pooled, and stays valid for as long as it is referenced.</para>
/// <para>Also accepted, as <see cref="JsonSerializer"/> accepts them: a UTF-8 byte-order mark, white space around the
/// array, and the body <c>null</c> (no elements). Anything else that is not one JSON array throws
/// <see cref="JsonException"/>, with System.Text.Json's message (positions are counted from the start of the batch).</para>
/// </remarks>
internal sealed class JsonArrayBatchReader : IDisposable
{
    private const int InitialBufferSize = 64 * 1024;
    private const int MaxRecordStartName = 64;

    private readonly Stream _stream;
    private byte[] _buffer;
    private int _open;
    private int _end;
    private bool _eof;
    private State _state;
    private bool _returnedBatch;
    private JsonDocument? _document;
    private byte[]? _recordStart;

    /// <summary>Creates a reader of <paramref name="stream"/>, which it reads but does not close.</summary>
    /// <param name="stream">The JSON text (UTF-8).</param>
    public JsonArrayBatchReader(Stream stream)
    {
        _stream = stream;
        _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
    }

    private enum State
    {
        /// <summary>Before the array's <c>[</c>.</summary>
        Start,

        /// <summary>Inside the array; <see cref="_open"/> is the index of the <c>[</c> or <c>,</c> before the next batch.</summary>
        Elements,

        /// <summary>The array's <c>]</c> has been read; what follows must be white space.</summary>
        Trailing,

        /// <summary>Everything is read.</summary>
        Done,
    }

    private static ReadOnlySpan<byte> WhiteSpace => " \t\r\n"u8;

    /// <summary>The current batch: a JSON array of one or more consecutive elements of the stream's array.</summary>
    public JsonElement Current { get; private set; }

    /// <summary>Reads the next batch into <see cref="Current"/>; the previous one is released.</summary>
    /// <param name="cancellationToken">Cancels the reading.</param>
    /// <returns>False at the end of the array (and of the stream).</returns>
    /// <exception cref="JsonException">When the stream is not one JSON array (or <c>null</c>).</exception>
    public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
    {
        Release();
        while (true)
        {
            switch (_state)
            {
                case State.Start:
                    if (!await StartAsync(cancellationToken).ConfigureAwait(false))
                    {
                        continue;
                    }

                    break;
                case State.Trailing:
                    await ReadTrailingAsync(cancellationToken).ConfigureAwait(false);
                    _state = State.Done;
                    return false;
                case State.Done:
                    return false;
            }

            await FillAsync(cancellationToken).ConfigureAwait(false);
            if (_eof)
            {
                // The rest is the last batch, with the array's own ']' and the white space after it (which the parse checks).
                Parse(_end, last: true);
                _state = State.Done;
                return true;
            }

            var guess = GuessBoundary();
            if (guess > _open && TryParse(guess))
            {
                return true;
            }

            var (boundary, arrayEnd) = FindBoundary();
            if (boundary > _open)
            {
                if (arrayEnd)
                {
                    Parse(boundary + 1, last: true);
                    _open = boundary + 1;
                    _state = State.Trailing;
                }
                else
                {
                    Parse(boundary, last: false);
                }

                return true;
            }

            // Not one whole element in a full buffer: make room for a larger one.
            var larger = ArrayPool<byte>.Shared.Rent(checked(_buffer.Length * 2));
            _buffer.AsSpan(_open, _end - _open).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
            _end -= _open;
            _open = 0;
        }
    }

    /// <summary>Releases the current batch and the buffer.</summary>
    public void Dispose()
    {
        Release();
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private void Release()
    {
        _document?.Dispose();
        _document = null;
        Current = default;
    }

    /// <summary>Reads up to the array's <c>[</c>; false (and <see cref="State.Trailing"/>) for the body <c>null</c>.</summary>
    private async ValueTask<bool> StartAsync(CancellationToken cancellationToken)
    {
        await FillAsync(cancellationToken).ConfigureAwait(false);
        var start = _buffer.AsSpan(0, _end).StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        var first = _buffer.AsSpan(start, _end - start).IndexOfAnyExcept(WhiteSpace);
        if (first >= 0 && _buffer[start + first] == (byte)'[')
        {
            _open = start + first;
            _state = State.Elements;
            LearnRecordStart();
            return true;
        }

        // Not an array: System.Text.Json's reader says what it is (or what is wrong with it).
        var reader = new Utf8JsonReader(_buffer.AsSpan(start, _end - start), _eof, default);
        if (reader.Read() && reader.TokenType == JsonTokenType.Null)
        {
            _open = start + (int)reader.BytesConsumed;
            _state = State.Trailing;
            return false;
        }

        throw new JsonException(
            $"The JSON value is {(reader.TokenType == JsonTokenType.None ? "too long" : reader.TokenType.ToString())}, not an array (byte {start + reader.TokenStartIndex}).");
    }

    /// <summary>Reads until the buffer is full or the stream ends, first moving the unread bytes to the buffer's start.</summary>
    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_open > 0)
        {
            _buffer.AsSpan(_open, _end - _open).CopyTo(_buffer);
            _end -= _open;
            _open = 0;
        }

        while (!_eof && _end < _buffer.Length)
        {
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _eof = true;
            }

            _end += read;
        }
    }

    /// <summary>Checks that only white space follows the array, to the end of the stream.</summary>
    private async ValueTask ReadTrailingAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var other = _buffer.AsSpan(_open, _end - _open).IndexOfAnyExcept(WhiteSpace);
            if (other >= 0)
            {
                throw new JsonException($"'{(char)_buffer[_open + other]}' is invalid after a single JSON value. Expected end of data.");
            }

            _open = _end;
            if (_eof)
            {
                return;
            }

            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A guess at the comma after the last element that ends in the buffer: the last comma followed by the start of the
    /// first element (<see cref="_recordStart"/>, for example <c>{"CreationTime"</c>), else the last comma between a
    /// <c>}</c> and a <c>{</c>, white space around it allowed, in both cases followed by bytes that pass
    /// <see cref="StartsElements"/>; -1 when none.
    /// </summary>
    private int GuessBoundary()
    {
        var data = _buffer.AsSpan(0, _end);
        if (_recordStart is { } recordStart)
        {
            var searchEnd = _end;
            while (true)
            {
                var start = data[(_open + 1)..searchEnd].LastIndexOf(recordStart);
                if (start < 0)
                {
                    break;
                }

                start += _open + 1;
                var comma = data[..start].LastIndexOfAnyExcept(WhiteSpace);
                if (comma > _open && data[comma] == (byte)',' && StartsElements(data[start..]))
                {
                    return comma;
                }

                searchEnd = start;
            }
        }

        var end = _end;
        while (true)
        {
            var comma = data[(_open + 1)..end].LastIndexOf((byte)',');
            if (comma < 0)
            {
                return -1;
            }

            comma += _open + 1;
            var before = data[..comma].LastIndexOfAnyExcept(WhiteSpace);
            var after = data[(comma + 1)..].IndexOfAnyExcept(WhiteSpace);
            if (before >= 0 && data[before] == (byte)'}' && after >= 0 && data[comma + 1 + after] == (byte)'{' && StartsElements(data[(comma + 1)..]))
            {
                return comma;
            }

            end = comma;
        }
    }

    /// <summary>
    /// Keeps how the array's first element starts when it is an object: <c>{</c>, its first property name with quotes,
    /// and any white space between (<c>{"CreationTime"</c>). Audit records start alike, and the bytes <c>{"name"</c> are
    /// never inside a string (a quote in a string is escaped), so the same bytes after a comma most likely start the next
    /// record, rather than an object of one of a record's lists.
    /// </summary>
    private void LearnRecordStart()
    {
        var data = _buffer.AsSpan(_open + 1, _end - _open - 1);
        var brace = data.IndexOfAnyExcept(WhiteSpace);
        if (brace < 0 || data[brace] != (byte)'{')
        {
            return;
        }

        var quote = data[(brace + 1)..].IndexOfAnyExcept(WhiteSpace);
        if (quote < 0 || data[brace + 1 + quote] != (byte)'"')
        {
            return;
        }

        quote += brace + 1;
        var name = data[(quote + 1)..Math.Min(data.Length, quote + 1 + MaxRecordStartName)];
        var close = name.IndexOfAny((byte)'"', (byte)'\\');
        if (close > 0 && name[close] == (byte)'"')
        {
            _recordStart = data[brace..(quote + 1 + close + 1)].ToArray();
        }
    }

    /// <summary>
    /// Whether <paramref name="bytes"/>, read as following a comma between two elements of the array, never closes more
    /// than it opens: a cheap check that rejects most commas inside an element (those of its inner lists, whose closing
    /// brackets follow) before the parse, which alone decides.
    /// </summary>
    private static bool StartsElements(ReadOnlySpan<byte> bytes)
    {
        var depth = 0;
        var inString = false;
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (inString)
            {
                if (b == (byte)'\\')
                {
                    i++;
                }
                else if (b == (byte)'"')
                {
                    inString = false;
                }
            }
            else if (b == (byte)'"')
            {
                inString = true;
            }
            else if (b is (byte)'{' or (byte)'[')
            {
                depth++;
            }
            else if (b is (byte)'}' or (byte)']' && --depth < 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses the batch that ends at the comma <paramref name="comma"/>; false when the bytes up to it are not a whole array.</summary>
    private bool TryParse(int comma)
    {
        _buffer[_open] = (byte)'[';
        _buffer[comma] = (byte)']';
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(_buffer.AsMemory(_open, comma + 1 - _open));
        }
        catch (JsonException)
        {
            _buffer[comma] = (byte)',';
            return false;
        }

        Accept(document.RootElement, document, comma);
        return true;
    }

    /// <summary>Parses the batch that ends at <paramref name="end"/>: a comma (overwritten) or, when <paramref name="last"/>, past the array's end.</summary>
    private void Parse(int end, bool last)
    {
        _buffer[_open] = (byte)'[';
        if (last && !_returnedBatch)
        {
            // The whole array in one batch: memory of its own, so that its elements outlive the reader.
            Accept(JsonElement.Parse(_buffer.AsSpan(_open, end - _open)), null, end);
            return;
        }

        if (!last)
        {
            _buffer[end] = (byte)']';
        }

        var document = JsonDocument.Parse(_buffer.AsMemory(_open, (last ? end : end + 1) - _open));
        Accept(document.RootElement, document, end);
    }

    private void Accept(JsonElement batch, JsonDocument? document, int next)
    {
        _document = document;
        Current = batch;
        _open = next;
        _returnedBatch = true;
    }

    /// <summary>
    /// Finds, with <see cref="Utf8JsonReader"/>, the comma after the last element that ends in the buffer, or the
    /// array's <c>]</c> (<c>ArrayEnd</c>); -1 when no element ends in it.
    /// </summary>
    /// <exception cref="JsonException">When the bytes are not JSON.</exception>
    private (int Index, bool ArrayEnd) FindBoundary()
    {
        _buffer[_open] = (byte)'[';
        var data = _buffer.AsSpan(_open, _end - _open);
        var reader = new Utf8JsonReader(data, isFinalBlock: false, default);
        reader.Read();
        var comma = -1;
        var afterElement = false;
        while (true)
        {
            var before = (int)reader.BytesConsumed;
            if (!reader.Read())
            {
                return (comma, false);
            }

            if (reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == 0)
            {
                return (_open + (int)reader.TokenStartIndex, true);
            }

            if (afterElement)
            {
                comma = _open + before + data[before..(int)reader.TokenStartIndex].IndexOf((byte)',');
            }

            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !reader.TrySkip())
            {
                return (comma, false);
            }

            afterElement = true;
        }
    }
}
