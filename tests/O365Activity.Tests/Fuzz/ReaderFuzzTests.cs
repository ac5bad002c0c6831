using System.Text;
using System.Text.Json;
using FsCheck.Fluent;
using Microsoft.Extensions.Configuration;
using O365Activity.Cli.Normalize;
using O365Activity.Grains.Collection;
using Xunit.Abstractions;

namespace O365Activity.Tests.Fuzz;

/// <summary>
/// The input readers on hostile input: the offline <c>normalize</c> command (JSON array, NDJSON and Purview CSV
/// readers, then the normalizer and the output lines) and the blob reader of the fetch path
/// (<see cref="JsonArrayBatchReader"/>). No exception escapes and nothing hangs; a part that cannot be read is reported
/// and the rest still flows; the blob reader reads exactly what System.Text.Json reads, or refuses the body.
/// </summary>
public sealed class ReaderFuzzTests(ITestOutputHelper output)
{
    private enum Layout
    {
        Ndjson,
        JsonArray,
        Csv,
    }

    [Fact]
    public void NormalizeCommand_HostileFiles_ExitZeroOrOne_ReportEveryBadPart_AndWriteOnlyJsonLines()
    {
        var files =
            from layout in Gen.Elements(Enum.GetValues<Layout>())
            from count in Gen.Choose(1, 8)
            from records in Gen.ArrayOf(HostileRecords.Record(), count)
            from includeRaw in Gen.Elements(false, true)
            select (layout, records, includeRaw);

        Fuzzing.Check(output, "normalize command", files, async file =>
        {
            var (layout, records, includeRaw) = file;
            var input = Build(layout, records);
            var (code, lines, errors) = await RunAsync(input, includeRaw);

            Assert.InRange(code, 0, 1);
            AssertJsonLines(lines);
            var failures = errors.Count(e => !e.Contains(": warning: ", StringComparison.Ordinal));
            Assert.Equal(failures == 0 ? 0 : 1, code);

            // One record a line, none with a line break inside: each line is a record or one reported failure.
            var oneLineEach = records.All(r => !r.Bytes.AsSpan().ContainsAny((byte)'\n', (byte)'\r'));
            if (layout == Layout.Ndjson && oneLineEach && records.All(r => r.Bytes.Length > 0 && r.Bytes[0] == (byte)'{'))
            {
                Assert.Equal(records.Length, lines.Count + failures);
            }

            // Every element parses: each is a record or a value that is not one.
            if (layout == Layout.JsonArray && records.All(r => HostileRecords.Parses(r.Bytes)))
            {
                Assert.Equal(records.Length, lines.Count + failures);
            }
        }, ciCases: 250);
    }

    [Fact]
    public void NormalizeCommand_RandomBytes_ExitZeroOrOne_AndWriteOnlyJsonLines()
    {
        var inputs = HostileRecords.RandomBytes().Select(b => new HostileInput("random", b));

        Fuzzing.Check(output, "normalize command on random bytes", inputs, async input =>
        {
            var (code, lines, _) = await RunAsync(input.Bytes, includeRaw: true);

            Assert.InRange(code, 0, 1);
            AssertJsonLines(lines);
        }, ciCases: 250);
    }

    [Fact]
    public void BlobReader_HostileBodies_ReadExactlyWhatSystemTextJsonReads_OrRefuseTheBody()
    {
        var bodies =
            from count in Gen.Choose(0, 12)
            from records in Gen.ArrayOf(HostileRecords.Record(), count)
            from whole in HostileRecords.Record()
            from mutateWhole in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
            from chunk in Gen.Choose(1, 70_000)
            select (Body: Body(records, mutateWhole ? whole : null), Chunk: chunk);

        Fuzzing.Check(output, "blob reader", bodies, async body =>
        {
            string[]? expected;
            try
            {
                using var document = JsonDocument.Parse(body.Body.Bytes);
                expected = document.RootElement.ValueKind switch
                {
                    JsonValueKind.Array => [.. document.RootElement.EnumerateArray().Select(Raw)],
                    JsonValueKind.Null => [],
                    _ => null,
                };
            }
            catch (JsonException)
            {
                expected = null;
            }

            using var stream = new ChunkedStream(body.Body.Bytes, body.Chunk);
            using var reader = new JsonArrayBatchReader(stream);
            var read = new List<string>();
            try
            {
                while (await reader.ReadAsync(CancellationToken.None))
                {
                    read.AddRange(reader.Current.EnumerateArray().Select(Raw));
                }
            }
            catch (JsonException) when (expected is null)
            {
                return;
            }

            Assert.NotNull(expected);
            Assert.Equal(expected, read);
        }, ciCases: 200);
    }

    /// <summary>A JSON array of the records, one a line; when <paramref name="whole"/> is given, its byte mutations (its origin's) are replayed on the whole body as random edits.</summary>
    internal static HostileInput Body(HostileInput[] records, HostileInput? whole)
    {
        var bytes = new List<byte>("[\n"u8.ToArray());
        for (var i = 0; i < records.Length; i++)
        {
            bytes.AddRange(records[i].Bytes);
            bytes.AddRange(i + 1 < records.Length ? ",\n"u8.ToArray() : "\n"u8.ToArray());
        }

        bytes.AddRange("]"u8.ToArray());
        if (whole is not null && bytes.Count > 0)
        {
            // Cut or corrupt the body as a whole: at a position taken from the other input's length.
            var at = whole.Bytes.Length % bytes.Count;
            if (whole.Bytes.Length % 2 == 0)
            {
                bytes.RemoveRange(at, bytes.Count - at);
            }
            else
            {
                bytes.InsertRange(at, whole.Bytes.Take(64));
            }
        }

        return new HostileInput($"array of {records.Length}: " + string.Join(" | ", records.Select(r => r.Origin)), [.. bytes]);
    }

    private static byte[] Build(Layout layout, HostileInput[] records)
    {
        var bytes = new List<byte>();
        switch (layout)
        {
            case Layout.Ndjson:
                foreach (var record in records)
                {
                    bytes.AddRange(record.Bytes);
                    bytes.Add((byte)'\n');
                }

                break;
            case Layout.JsonArray:
                bytes.AddRange("[\n"u8.ToArray());
                for (var i = 0; i < records.Length; i++)
                {
                    bytes.AddRange(records[i].Bytes);
                    bytes.AddRange(i + 1 < records.Length ? ",\n"u8.ToArray() : "\n"u8.ToArray());
                }

                bytes.AddRange("]\n"u8.ToArray());
                break;
            default:
                bytes.AddRange("\uFEFFCreationDate,UserIds,Operations,AuditData\r\n"u8.ToArray());
                foreach (var record in records)
                {
                    bytes.AddRange("2024-06-01T08:00:00.0000000Z,ana@example.com,UserLoggedIn,\""u8.ToArray());
                    foreach (var b in record.Bytes)
                    {
                        bytes.Add(b);
                        if (b == (byte)'"')
                        {
                            bytes.Add(b);
                        }
                    }

                    bytes.AddRange("\"\r\n"u8.ToArray());
                }

                break;
        }

        return [.. bytes];
    }

    private static async Task<(int Code, List<string> Lines, List<string> Errors)> RunAsync(byte[] input, bool includeRaw)
    {
        using var stdin = new MemoryStream(input);
        using var stdout = new MemoryStream();
        var stderr = new StringWriter();
        var code = await NormalizeCommand.RunAsync(includeRaw ? ["--include-raw"] : [], stdin, stdout, stderr, new ConfigurationBuilder().Build());
        var lines = Encoding.UTF8.GetString(stdout.ToArray()).Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).ToList();
        var errors = stderr.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).ToList();
        // Each report is one line, whatever the input quoted: no control or format character gets through.
        Assert.All(errors, e => Assert.StartsWith("normalize: ", e, StringComparison.Ordinal));
        Assert.All(errors, e => Assert.DoesNotContain(e, c => char.IsControl(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format));
        return (code, lines, errors.Where(e => !e.StartsWith("normalize: no records in ", StringComparison.Ordinal)).ToList());
    }

    /// <summary>An element's bytes as received (hex: they need not be valid UTF-8).</summary>
    private static string Raw(JsonElement element) => Convert.ToHexString(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(element));

    private static void AssertJsonLines(List<string> lines)
    {
        foreach (var line in lines)
        {
            using var document = JsonDocument.Parse(line);
            Assert.True(document.RootElement.TryGetProperty("kind", out _), line);
        }
    }

    /// <summary>A read-only stream that answers each read with at most <c>chunk</c> bytes, as a network body arrives.</summary>
    private sealed class ChunkedStream(byte[] bytes, int chunk) : MemoryStream(bytes, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, chunk), cancellationToken);
    }
}
