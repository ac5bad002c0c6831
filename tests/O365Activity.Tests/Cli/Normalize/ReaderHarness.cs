using System.Text;
using System.Text.Json;
using O365Activity.Cli.Normalize;

namespace O365Activity.Tests.Cli.Normalize;

/// <summary>Runs one input reader on its own, on a window over a string's UTF-8 bytes.</summary>
internal static class ReaderHarness
{
    /// <summary>
    /// Opens a window on <paramref name="input"/> and runs <paramref name="read"/> on it. Records come back as
    /// <c>POSITION: JSON</c> (the record re-serialized, compact), errors as <c>POSITION: reason</c>, each in input order.
    /// </summary>
    public static async Task<(List<string> Records, List<string> Errors)> ReadAsync(
        string input,
        Func<ByteWindow, InputRecordHandler, InputErrorHandler, Task> read)
    {
        var records = new List<string>();
        var errors = new List<string>();
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(input));
        var window = await ByteWindow.OpenAsync(stream, CancellationToken.None);
        await read(
            window,
            (position, record) => records.Add($"{position}: {JsonSerializer.Serialize(record)}"),
            (position, reason) => errors.Add($"{position}: {reason}"));
        return (records, errors);
    }
}
