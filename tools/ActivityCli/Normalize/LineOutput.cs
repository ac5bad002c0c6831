using System.Buffers;
using System.Text;
using System.Text.Json;
using O365Activity.Grains.Normalization;

namespace O365Activity.Cli.Normalize;

/// <summary>
/// Where the <c>normalize</c> command writes: a stream (standard output), to which each record's line is written as
/// UTF-8 straight from the serializer and handed over in blocks of 64 KiB; or a <see cref="TextWriter"/> (tests), to
/// which each line is written as text. Lines end with <see cref="Environment.NewLine"/>, as <see cref="TextWriter.WriteLine(string)"/> ends them.
/// </summary>
internal sealed class LineOutput : IDisposable
{
    private const int BlockSize = 64 * 1024;
    private static readonly byte[] NewLine = Encoding.UTF8.GetBytes(Environment.NewLine);

    private readonly Stream? _stream;
    private readonly TextWriter? _text;
    private readonly ArrayBufferWriter<byte> _buffer = new(BlockSize * 2);
    private readonly Utf8JsonWriter _json;

    /// <summary>Lines to a stream, as UTF-8 without a byte-order mark.</summary>
    /// <param name="stream">The stream; not closed.</param>
    public LineOutput(Stream stream)
    {
        _stream = stream;
        _json = new Utf8JsonWriter(_buffer, NormalizedLine.WriterOptions);
    }

    /// <summary>Lines to a text writer.</summary>
    /// <param name="text">The writer; not closed.</param>
    public LineOutput(TextWriter text)
    {
        _text = text;
        _json = new Utf8JsonWriter(_buffer, NormalizedLine.WriterOptions);
    }

    /// <summary>Writes a line of text (the usage).</summary>
    public async Task WriteLineAsync(string line)
    {
        if (_text is not null)
        {
            await _text.WriteLineAsync(line);
            return;
        }

        _buffer.Write(Encoding.UTF8.GetBytes(line));
        _buffer.Write(NewLine);
    }

    /// <summary>Writes a record's line (see <see cref="NormalizedLine"/>).</summary>
    public void WriteRecord(NormalizedRecord normalized, bool includeRaw)
    {
        _json.Reset(_buffer);
        NormalizedLine.Write(_json, normalized, includeRaw);
        _json.Flush();
        if (_text is not null)
        {
            _text.WriteLine(Encoding.UTF8.GetString(_buffer.WrittenSpan));
            _buffer.ResetWrittenCount();
            return;
        }

        _buffer.Write(NewLine);
        if (_buffer.WrittenCount >= BlockSize)
        {
            _stream!.Write(_buffer.WrittenSpan);
            _buffer.ResetWrittenCount();
        }
    }

    /// <summary>Writes what is buffered and flushes the stream or writer.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_text is not null)
        {
            await _text.FlushAsync(cancellationToken);
            return;
        }

        await _stream!.WriteAsync(_buffer.WrittenMemory, cancellationToken);
        _buffer.ResetWrittenCount();
        await _stream.FlushAsync(cancellationToken);
    }

    /// <summary>Releases the JSON writer (the stream or text writer is not closed).</summary>
    public void Dispose() => _json.Dispose();
}
