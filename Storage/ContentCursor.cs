namespace O365Activity.Storage;

/// <summary>The listing cursor of one content type of one source.</summary>
/// <param name="ContentType">The content type, in the API's spelling.</param>
/// <param name="ListedThrough">The end (UTC) of the last listing window fully processed; null before the first.</param>
/// <param name="PolledAt">When the content type was last polled without error (UTC); null before.</param>
public sealed record ContentCursor(string ContentType, DateTimeOffset? ListedThrough, DateTimeOffset? PolledAt);
