namespace O365Activity.Emulator;

/// <summary>
/// What loading <see cref="EmulatorOptions.RecordsDirectory"/> found. The folder is read recursively, files in ordinal
/// path order: <c>.json</c> files hold a JSON array of records, one record object, or an object with
/// <c>events[].o365audit</c> (the Elastic pipeline-test format); <c>.log</c>, <c>.ndjson</c> and <c>.jsonl</c> files hold one
/// record per line (blank lines ignored). Other files are ignored. Anything that does not parse or is not a JSON object is
/// skipped with a warning naming the file and line; loading never fails.
/// </summary>
/// <param name="Directory">The folder read.</param>
/// <param name="FilesRead">How many record files were read (ignored file types not counted).</param>
/// <param name="RecordsLoaded">How many records were loaded.</param>
/// <param name="RecordsByContentType">Loaded records per content type (only types that have records).</param>
/// <param name="Skipped">What was skipped, in order.</param>
public sealed record FolderLoadReport(
    string Directory,
    int FilesRead,
    int RecordsLoaded,
    IReadOnlyDictionary<string, int> RecordsByContentType,
    IReadOnlyList<SkippedInput> Skipped);

/// <summary>A piece of a records folder that was skipped.</summary>
/// <param name="File">The file's path.</param>
/// <param name="Line">The 1-based line where the skipped item starts, or 0 when unknown (a whole file or a pipeline event).</param>
/// <param name="Reason">Why it was skipped.</param>
public sealed record SkippedInput(string File, int Line, string Reason);
