using System.Text.Json;

namespace O365Activity.Cli.Normalize;

/// <summary>Called by an input reader for each record read, in input order.</summary>
/// <param name="position">Where the record starts.</param>
/// <param name="record">The record's JSON value (any kind: the reader does not check that it is an object); valid only during the call.</param>
internal delegate void InputRecordHandler(InputPosition position, JsonElement record);
