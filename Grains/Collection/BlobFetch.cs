using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using O365Activity.Storage;

namespace O365Activity.Grains.Collection;

/// <summary>
/// One content blob being fetched and normalized on the thread pool, its records waiting in a bounded buffer for the
/// pipeline to store them in order. The producer never throws: its failure is kept and raised to the reader once the
/// records it produced before failing have been read (a failing blob's earlier records are stored like the others,
/// and skipped by record <c>Id</c> when the blob is fetched again).
/// </summary>
internal sealed class BlobFetch
{
    private readonly Channel<NewRecord> _records;
    private ExceptionDispatchInfo? _failure;

    private BlobFetch(ContentBlob blob, int capacity)
    {
        Blob = blob;
        _records = Channel.CreateBounded<NewRecord>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
    }

    /// <summary>The blob.</summary>
    public ContentBlob Blob { get; }

    /// <summary>The producer; it completes (never faults) when the blob is read to its end, fails or is cancelled.</summary>
    public Task Producer { get; private set; } = Task.CompletedTask;

    /// <summary>Starts fetching on the thread pool.</summary>
    /// <param name="blob">The blob.</param>
    /// <param name="capacity">Most records waiting to be read; the producer waits while the buffer is full.</param>
    /// <param name="produce">Writes the blob's records; it may throw, and must stop when the token is cancelled.</param>
    /// <param name="cancellationToken">Stops the producer.</param>
    public static BlobFetch Start(ContentBlob blob, int capacity, Func<ChannelWriter<NewRecord>, CancellationToken, Task> produce, CancellationToken cancellationToken)
    {
        var fetch = new BlobFetch(blob, capacity);
        fetch.Producer = Task.Run(() => fetch.RunAsync(produce, cancellationToken), CancellationToken.None);
        return fetch;
    }

    /// <summary>Reads the blob's records in order, then raises the producer's failure, if any.</summary>
    /// <exception cref="Exception">Whatever the producer threw (a <see cref="ManagementApiException"/>, for example), after the records it produced first.</exception>
    public async IAsyncEnumerable<NewRecord> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var record in _records.Reader.ReadAllAsync(cancellationToken))
        {
            yield return record;
        }

        _failure?.Throw();
    }

    private async Task RunAsync(Func<ChannelWriter<NewRecord>, CancellationToken, Task> produce, CancellationToken cancellationToken)
    {
        try
        {
            await produce(_records.Writer, cancellationToken);
        }
        catch (Exception e)
        {
            _failure = ExceptionDispatchInfo.Capture(e);
        }
        finally
        {
            // The failure is set before the buffer completes, so the reader sees it once the buffer is empty.
            _records.Writer.TryComplete();
        }
    }
}
