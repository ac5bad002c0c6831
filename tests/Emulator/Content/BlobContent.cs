namespace O365Activity.Emulator.Content;

/// <summary>
/// The records of one blob as the emulator serves them to the blob's tenant: held as bytes (<see cref="StoredBlobContent"/>:
/// records added by tests or read from the records folder) or made on demand (<see cref="GeneratedBlobContent"/>: the
/// backlog and the generator, which keep only what regenerates the records). Immutable; safe to use from several requests.
/// </summary>
internal abstract class BlobContent
{
    /// <summary>How many records the blob holds.</summary>
    public abstract int Count { get; }

    /// <summary>The <c>Id</c> of each record, in blob order (records whose <c>Id</c> is not a string are left out).</summary>
    public abstract IEnumerable<string> RecordIds();

    /// <summary>Sends the records as the body of <paramref name="response"/>: one JSON array (UTF-8, no white space between
    /// records) with <c>Content-Length</c> set, written in pieces of about 64 KB so that a 25 MB blob never sits in memory
    /// as one string.</summary>
    /// <param name="response">The response; status and content type are the caller's.</param>
    /// <param name="cancellationToken">Stops the write (the client went away).</param>
    /// <returns>A task that completes once everything is written.</returns>
    public abstract Task SendAsync(HttpResponse response, CancellationToken cancellationToken);
}
