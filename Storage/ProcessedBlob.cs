namespace O365Activity.Storage;

/// <summary>A content blob whose records are all stored (or that is lost for good), so that it is never fetched again.</summary>
/// <param name="ContentId">The blob's <c>contentId</c>.</param>
/// <param name="ContentType">Its content type.</param>
/// <param name="ContentCreated">Its <c>contentCreated</c> (UTC); the blob is remembered for the processed-blob horizon after it.</param>
/// <param name="Lost">True when the blob could not be fetched and never will be (AF20050, AF20051, AF20052): its loss is recorded.</param>
public sealed record ProcessedBlob(string ContentId, string ContentType, DateTimeOffset ContentCreated, bool Lost = false);
