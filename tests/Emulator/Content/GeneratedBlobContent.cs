using System.Text.Json;

namespace O365Activity.Emulator.Content;

/// <summary>
/// A blob of synthetic records that keeps only what makes them again (about 100 bytes, whatever the record count): the
/// stream, the first ordinal, the count and the range of <c>CreationTime</c>s. The JSON is written when the blob is fetched
/// (see <see cref="SendAsync"/>).
/// </summary>
internal sealed class GeneratedBlobContent : BlobContent
{
    /// <summary>The largest estimated size (1,600 bytes a record: up to 5,242 records) of a blob written into a pooled buffer
    /// in one pass; larger blobs are streamed.</summary>
    public const int BufferLimit = 8 * 1024 * 1024;

    private const int FlushBytes = 64 * 1024;

    // A little more than the mean synthetic record (about 1.46 KB), so that the buffer seldom grows.
    private const int EstimatedRecordBytes = 1_600;

    private readonly SyntheticRecords _generator;
    private readonly JsonEncodedText _tenant;
    private readonly string _contentType;
    private readonly ulong _stream;
    private readonly long _firstOrdinal;
    private readonly int _count;
    private readonly DateTimeOffset _eventsEnd;
    private readonly TimeSpan _eventsSpan;
    private long _length = -1;

    /// <summary>Describes a blob of synthetic records.</summary>
    /// <param name="generator">The generator (holds the seed).</param>
    /// <param name="tenant">The id of the tenant the blob belongs to, as text (one instance shared by the tenant's blobs).</param>
    /// <param name="contentType">The canonical content type (one of <see cref="SyntheticMix.ContentTypes"/>).</param>
    /// <param name="stream">The stream tag (<see cref="SyntheticRecords.StreamTag"/>).</param>
    /// <param name="firstOrdinal">The ordinal of the first record in the stream.</param>
    /// <param name="count">How many records, at least 1.</param>
    /// <param name="eventsEnd">The latest <c>CreationTime</c>.</param>
    /// <param name="eventsSpan">How far before <paramref name="eventsEnd"/> the <c>CreationTime</c>s spread.</param>
    public GeneratedBlobContent(
        SyntheticRecords generator, JsonEncodedText tenant, string contentType, ulong stream, long firstOrdinal, int count, DateTimeOffset eventsEnd, TimeSpan eventsSpan)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _generator = generator;
        _tenant = tenant;
        _contentType = contentType;
        _stream = stream;
        _firstOrdinal = firstOrdinal;
        _count = count;
        _eventsEnd = eventsEnd;
        _eventsSpan = eventsSpan;
    }

    /// <inheritdoc/>
    public override int Count => _count;

    /// <inheritdoc/>
    public override IEnumerable<string> RecordIds()
    {
        for (var i = 0; i < _count; i++)
        {
            yield return _generator.RecordId(_stream, _firstOrdinal + i).ToString();
        }
    }

    /// <summary>
    /// Writes the blob into a pooled buffer and sends it when its estimate is at most <see cref="BufferLimit"/> (one pass; a
    /// 1,000-record blob takes about 2 ms to make); a larger blob is written twice — once into a counting sink for
    /// <c>Content-Length</c> (remembered for later fetches), then streamed — so memory stays at about 64 KB per request.
    /// </summary>
    /// <inheritdoc/>
    public override async Task SendAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        var length = Interlocked.Read(ref _length);
        if (length < 0 && (long)_count * EstimatedRecordBytes <= BufferLimit)
        {
            using var buffer = new PooledBufferWriter(_count * EstimatedRecordBytes);
            using (var writer = SyntheticRecords.CreateWriter(buffer))
            {
                WriteAll(writer);
            }

            response.ContentLength = buffer.WrittenMemory.Length;
            await response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken);
            return;
        }

        if (length < 0)
        {
            // Racing requests compute the same value; the last write wins harmlessly.
            using var counter = SyntheticRecords.CreateWriter(Stream.Null);
            WriteAll(counter);
            length = counter.BytesCommitted;
            Interlocked.Exchange(ref _length, length);
        }

        response.ContentLength = length;
        await using var streamed = SyntheticRecords.CreateWriter(response.Body);
        streamed.WriteStartArray();
        for (var i = 0; i < _count; i++)
        {
            _generator.Write(streamed, _tenant, _contentType, _stream, _firstOrdinal + i, _eventsEnd, _eventsSpan);
            if (streamed.BytesPending >= FlushBytes)
            {
                await streamed.FlushAsync(cancellationToken);
            }
        }

        streamed.WriteEndArray();
        await streamed.FlushAsync(cancellationToken);
    }

    /// <summary>Writes the whole array synchronously (into a buffer or a counting sink), flushing as the streamed write
    /// does so that the writer's own buffer stays small.</summary>
    private void WriteAll(Utf8JsonWriter writer)
    {
        writer.WriteStartArray();
        for (var i = 0; i < _count; i++)
        {
            _generator.Write(writer, _tenant, _contentType, _stream, _firstOrdinal + i, _eventsEnd, _eventsSpan);
            if (writer.BytesPending >= FlushBytes)
            {
                writer.Flush();
            }
        }

        writer.WriteEndArray();
        writer.Flush();
    }
}
