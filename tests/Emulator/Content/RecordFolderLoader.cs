using System.Text.Json;

namespace O365Activity.Emulator.Content;

/// <summary>Reads a records folder (see <see cref="FolderLoadReport"/> for the formats).</summary>
internal sealed partial class RecordFolderLoader
{
    private static readonly HashSet<string> LineFormats = new(StringComparer.OrdinalIgnoreCase) { ".log", ".ndjson", ".jsonl" };

    private readonly ILogger _logger;
    private readonly List<AuditRecord> _records = [];
    private readonly List<SkippedInput> _skipped = [];

    private RecordFolderLoader(ILogger logger) => _logger = logger;

    /// <summary>Loads every record under <paramref name="directory"/>.</summary>
    /// <param name="directory">The folder; a missing folder gives an empty result with one skipped entry.</param>
    /// <param name="logger">Receives one warning per skipped item.</param>
    /// <returns>The records in file order, and the report.</returns>
    public static (IReadOnlyList<AuditRecord> Records, FolderLoadReport Report) Load(string directory, ILogger logger)
    {
        var loader = new RecordFolderLoader(logger);
        var files = 0;
        if (!Directory.Exists(directory))
        {
            loader.Skip(directory, 0, "folder does not exist");
        }
        else
        {
            IEnumerable<string> paths;
            try
            {
                paths = Directory.EnumerateFiles(directory, "*", new EnumerationOptions
                {
                    RecurseSubdirectories = true,
                    IgnoreInaccessible = true,
                    AttributesToSkip = 0,
                }).Order(StringComparer.Ordinal).ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                loader.Skip(directory, 0, e.Message);
                paths = [];
            }

            foreach (var path in paths)
            {
                var extension = Path.GetExtension(path);
                if (string.Equals(extension, ".json", StringComparison.OrdinalIgnoreCase))
                {
                    files++;
                    loader.LoadJsonFile(path);
                }
                else if (LineFormats.Contains(extension))
                {
                    files++;
                    loader.LoadLineFile(path);
                }
            }
        }

        var byType = loader._records.GroupBy(r => r.ContentType)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return (loader._records, new FolderLoadReport(directory, files, loader._records.Count, byType, loader._skipped));
    }

    /// <summary>The file's bytes, or null (with the file recorded as skipped) when it cannot be read.</summary>
    private byte[]? ReadAll(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Skip(path, 0, e.Message);
            return null;
        }
    }

    private void LoadLineFile(string path)
    {
        if (ReadAll(path) is not { } bytes)
        {
            return;
        }

        var rest = bytes.AsSpan();
        var line = 0;
        while (!rest.IsEmpty)
        {
            line++;
            var end = rest.IndexOf((byte)'\n');
            var current = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 1)..];
            if (current.Trim(" \t\r\n"u8).IsEmpty || current.Trim(" \t\r\n"u8).SequenceEqual("\uFEFF"u8))
            {
                continue;
            }

            TryAdd(current, path, line);
        }
    }

    private void LoadJsonFile(string path)
    {
        if (ReadAll(path) is not { } bytes)
        {
            return;
        }

        var span = bytes.AsSpan();
        if (span.StartsWith("\uFEFF"u8))
        {
            span = span[3..];
        }

        var options = new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        try
        {
            var reader = new Utf8JsonReader(span, options);
            if (!reader.Read())
            {
                Skip(path, 1, "empty file");
                return;
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    LoadArray(path, span, ref reader);
                    break;
                case JsonTokenType.StartObject:
                    LoadObject(path, span, options);
                    break;
                default:
                    Skip(path, 1, $"top-level {reader.TokenType} is neither an array nor an object");
                    break;
            }
        }
        catch (JsonException e)
        {
            Skip(path, (int)(e.LineNumber ?? -1) + 1, "not valid JSON: " + e.Message);
        }
    }

    private void LoadArray(string path, ReadOnlySpan<byte> span, ref Utf8JsonReader reader)
    {
        // Validate the whole file first, so that a file cut short loads nothing rather than half its records.
        var validator = reader;
        validator.Skip();

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var start = (int)reader.TokenStartIndex;
            var line = LineAt(span, start);
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }

            if (reader.TokenType != JsonTokenType.EndObject)
            {
                Skip(path, line, "array item is not a JSON object");
                continue;
            }

            TryAdd(span[start..(int)reader.BytesConsumed], path, line);
        }
    }

    private void LoadObject(string path, ReadOnlySpan<byte> span, JsonReaderOptions options)
    {
        using var document = JsonDocument.Parse(span.ToArray(), new JsonDocumentOptions
        {
            CommentHandling = options.CommentHandling,
            AllowTrailingCommas = options.AllowTrailingCommas,
        });
        var root = document.RootElement;
        if (root.TryGetProperty("events", out var events) && events.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var item in events.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object
                    && item.TryGetProperty("o365audit", out var record) && record.ValueKind == JsonValueKind.Object)
                {
                    TryAdd(System.Text.Encoding.UTF8.GetBytes(record.GetRawText()), path, 0, $"events[{index}]");
                }
                else
                {
                    Skip(path, 0, $"events[{index}] has no o365audit object");
                }

                index++;
            }

            return;
        }

        TryAdd(span, path, 1);
    }

    private void TryAdd(ReadOnlySpan<byte> utf8, string path, int line, string? where = null)
    {
        try
        {
            _records.Add(AuditRecord.Parse(utf8));
        }
        catch (FormatException e)
        {
            Skip(path, line, (where is null ? "" : where + ": ") + "not a JSON object: " + e.Message);
        }
    }

    private void Skip(string path, int line, string reason)
    {
        _skipped.Add(new SkippedInput(path, line, reason));
        LogSkipped(_logger, path, line, reason);
    }

    private static int LineAt(ReadOnlySpan<byte> span, int offset) => span[..offset].Count((byte)'\n') + 1;

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Skipped record input {File}:{Line}: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string file, int line, string reason);
}
