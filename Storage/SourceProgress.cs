namespace O365Activity.Storage;

/// <summary>A source's collection progress as stored: its last sequence and its cursors.</summary>
/// <param name="LastSequence">The last sequence given out (0 before the first record).</param>
/// <param name="Cursors">The cursors of the content types polled so far.</param>
public sealed record SourceProgress(long LastSequence, ImmutableArray<ContentCursor> Cursors);
