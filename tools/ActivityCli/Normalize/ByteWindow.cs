using System.Text;

namespace O365Activity.Cli.Normalize;

/// <summary>
/// A window on the input's UTF-8 bytes: the bytes read and not yet consumed, with the line and column of the first of
/// them. It starts at 64 KiB and grows (up to <see cref="MaxRecordBytes"/>) only while one record does not fit, so that
/// memory does not grow with the input.
/// </summary>
/// <remarks>
/// Offsets passed to and returned by the methods are relative to the window's first byte; they stay valid when
/// <see cref="FillAsync"/> moves the bytes. Lines end at <c>\n</c> (a CRLF line's <c>\r</c> is part of its line).
/// </remarks>
internal sealed class ByteWindow
{
    /// <summary>The longest record (NDJSON line or pretty-printed record, array element, CSV row) read: 64 MiB.</summary>
    public const int MaxRecordBytes = 64 * 1024 * 1024;

    /// <summary><see cref="MaxRecordBytes"/> as the error messages say it: <c>64 MiB</c>.</summary>
    public static readonly string MaxRecordSize = $"{MaxRecordBytes / (1024 * 1024)} MiB";

    private readonly Stream _stream;
    private readonly CancellationToken _cancellationToken;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private ByteWindow(Stream stream, CancellationToken cancellationToken)
    {
        _stream = stream;
        _cancellationToken = cancellationToken;
    }

    /// <summary>True once the input has no more bytes.</summary>
    public bool Eof { get; private set; }

    /// <summary>The 1-based line of the window's first byte.</summary>
    public int Line { get; private set; } = 1;

    /// <summary>How many bytes of its line come before the window's first byte.</summary>
    public int Column { get; private set; }

    /// <summary>How many bytes the window holds.</summary>
    public int Length => _end - _start;

    /// <summary>The bytes the window holds; valid until the next call that reads or consumes.</summary>
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(_start, _end - _start);

    /// <summary>The bytes the window holds, as memory (for a <see cref="System.Text.Json.JsonDocument"/> over them); valid until the next call that reads or consumes.</summary>
    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(_start, _end - _start);

    /// <summary>True when every byte has been consumed.</summary>
    public bool AtEnd => Eof && Length == 0;

    /// <summary>
    /// Opens a window on <paramref name="input"/> and reads its first block, past a UTF-8 byte-order mark. A seekable
    /// input (a file) that starts with a UTF-16 or UTF-32 byte-order mark is transcoded to UTF-8; any other input is
    /// taken to be UTF-8.
    /// </summary>
    /// <param name="input">The input; read from its current position, never closed.</param>
    /// <param name="cancellationToken">Stops every later read too.</param>
    /// <returns>The window, at line 1 (or at the end of an empty input).</returns>
    public static async Task<ByteWindow> OpenAsync(Stream input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var window = new ByteWindow(Transcoded(input), cancellationToken);
        await window.FillAsync();
        if (window.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            window._start += 3;
        }

        return window;
    }

    /// <summary>True when nothing follows the first <paramref name="offset"/> bytes.</summary>
    public bool AtEndFrom(int offset) => Eof && Length == offset;

    /// <summary>Reads more bytes; false at the end of the input, or when the window already holds <see cref="MaxRecordBytes"/>.</summary>
    public async ValueTask<bool> FillAsync()
    {
        if (Eof)
        {
            return false;
        }

        if (_end == _buffer.Length)
        {
            if (Length >= _buffer.Length / 2 && _buffer.Length < MaxRecordBytes)
            {
                var larger = new byte[Math.Min(_buffer.Length * 2, MaxRecordBytes)];
                Span.CopyTo(larger);
                _buffer = larger;
                _end = Length;
                _start = 0;
            }
            else if (_start > 0)
            {
                Span.CopyTo(_buffer);
                _end = Length;
                _start = 0;
            }
            else
            {
                return false;
            }
        }

        // A file is read synchronously: its asynchronous reads would each be a hop to the thread pool, and there is
        // nothing else for this thread to do meanwhile.
        _cancellationToken.ThrowIfCancellationRequested();
        var read = _stream is FileStream
            ? _stream.Read(_buffer, _end, _buffer.Length - _end)
            : await _stream.ReadAsync(_buffer.AsMemory(_end), _cancellationToken);
        if (read == 0)
        {
            Eof = true;
            return false;
        }

        _end += read;
        return true;
    }

    /// <summary>Fills until the window holds at least <paramref name="count"/> bytes; false when it cannot.</summary>
    public async ValueTask<bool> EnsureAsync(int count)
    {
        while (Length < count)
        {
            if (!await FillAsync())
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Consumes the first <paramref name="count"/> bytes, moving <see cref="Line"/> and <see cref="Column"/> past them.</summary>
    public void Consume(int count)
    {
        var consumed = Span[..count];
        var newlines = consumed.Count((byte)'\n');
        if (newlines > 0)
        {
            Line += newlines;
            Column = count - 1 - consumed.LastIndexOf((byte)'\n');
        }
        else
        {
            Column += count;
        }

        _start += count;
        if (_start == _end)
        {
            _start = _end = 0;
        }
    }

    /// <summary>Consumes white space (line breaks too); false when the input ends first.</summary>
    public async ValueTask<bool> SkipWhiteSpaceAsync()
    {
        while (true)
        {
            var other = Span.IndexOfAnyExcept(JsonRecordParser.WhiteSpace);
            if (other >= 0)
            {
                Consume(other);
                return true;
            }

            Consume(Length);
            if (!await FillAsync())
            {
                return false;
            }
        }
    }

    /// <summary>
    /// The end of the line that starts <paramref name="from"/> bytes into the window: the offset just after its
    /// <c>\n</c>, or the window's length when it is the input's last line; -1 when the input ends at
    /// <paramref name="from"/>, or when the line does not fit in the window.
    /// </summary>
    public async ValueTask<int> FindLineEndAsync(int from)
    {
        var searched = from;
        while (true)
        {
            var newline = Span[searched..].IndexOf((byte)'\n');
            if (newline >= 0)
            {
                return searched + newline + 1;
            }

            // Offsets are relative to the window's start, so they stay valid when FillAsync moves the bytes.
            searched = Length;
            if (!await FillAsync())
            {
                return Eof && Length > from ? Length : -1;
            }
        }
    }

    /// <summary>Consumes up to and including the next <c>\n</c>, however long the line; false when the input ends first.</summary>
    public async ValueTask<bool> SkipLineAsync()
    {
        while (true)
        {
            var newline = Span.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                Consume(newline + 1);
                return true;
            }

            Consume(Length);
            if (!await FillAsync())
            {
                return false;
            }
        }
    }

    /// <summary>The line at the window's start: how many spaces and tabs begin it, and the byte after them (<c>\n</c> for a blank line); -1 at the end of the input.</summary>
    public async ValueTask<(int Indent, int First)> PeekLineStartAsync()
    {
        while (true)
        {
            var other = Span.IndexOfAnyExcept(" \t"u8);
            if (other >= 0)
            {
                return (other, Span[other]);
            }

            if (!await FillAsync())
            {
                return (Length, -1);
            }
        }
    }

    /// <summary>A seekable input that starts with a UTF-16 or UTF-32 byte-order mark, transcoded to UTF-8; else the input itself.</summary>
    private static Stream Transcoded(Stream input)
    {
        if (!input.CanSeek)
        {
            return input;
        }

        Span<byte> head = stackalloc byte[4];
        var start = input.Position;
        var read = input.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        input.Position = start;
        head = head[..read];
        Encoding? encoding =
            head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0x00, 0x00]) ? new UTF32Encoding(bigEndian: false, byteOrderMark: true)
            : head.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]) ? new UTF32Encoding(bigEndian: true, byteOrderMark: true)
            : head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) ? Encoding.Unicode
            : head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) ? Encoding.BigEndianUnicode
            : null;
        return encoding is null ? input : Encoding.CreateTranscodingStream(input, encoding, Encoding.UTF8, leaveOpen: true);
    }
}
