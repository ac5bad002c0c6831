using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using O365Activity.Grains.Collection;
using O365Activity.Grains.Normalization;
using O365Activity.Harness;
using O365Activity.Storage;

namespace O365Activity.Benchmarks.Scenarios;

/// <summary>
/// The normalizer's two figures (issue 7).
/// <para><b>Fetch + normalize on one thread</b>, against the floor <c>JsonDocument.Parse</c> of the same blob bytes:
/// blobs of a realistic mix (the emulator's synthetic backlog of sign-ins, Azure AD admin changes, SharePoint and
/// Exchange records, plus the public samples of ../shared/samples that are JSON or NDJSON files) are fetched once from
/// the emulator as HTTP body bytes; then, alternating A B C A B C over several rounds on one thread, (A) each blob's
/// bytes are parsed with <c>JsonDocument.Parse</c> and its elements counted, (B) each blob goes through the service's
/// own <see cref="ManagementApiClient.FetchContentAsync"/> (over an in-memory HTTP handler serving the same bytes) and
/// <see cref="AuditRecordNormalizer.Normalize"/> as the collection pipeline calls it (no UTF-16 copy of the record's
/// text: <c>KeepRawJson</c> off), and (C) the same plus the stored encoding from the bytes received,
/// <c>new NewRecord(raw, activity, bytes)</c>. Records per second are medians; the ratios are medians of the per-round
/// ratios; allocation per record is <see cref="GC.GetAllocatedBytesForCurrentThread"/> over a run divided by its records.</para>
/// <para><b>Offline <c>normalize</c></b> of an NDJSON file (100 MB; 5 MB in short mode) written from the same records,
/// against <c>python3 -c</c> doing <c>json.loads</c> and <c>json.dumps</c> per line over the same file: both run as
/// processes under <c>/usr/bin/time</c>, alternating, output to /dev/null; wall time and peak RSS are medians. Memory is
/// flat when the peak RSS over the whole file is at most 1.1× the peak RSS over its first half (the peak over its first
/// tenth is shown too: the runtime's own warm-up, compiled code and caches, fills the first part).</para>
/// </summary>
public static class NormalizeScenario
{
    private const string Name = "normalize";
    private static readonly string[] ContentTypes = ["Audit.AzureActiveDirectory", "Audit.SharePoint", "Audit.Exchange"];
    private static readonly Uri ApiBase = new("https://api.bench.invalid/");

    /// <summary>Runs the scenario.</summary>
    /// <param name="quick">Short mode: 3,000 records, 3 rounds, a 5 MB file.</param>
    /// <param name="log">Progress lines.</param>
    /// <returns>The rows of the table.</returns>
    public static async Task<IReadOnlyList<Row>> RunAsync(bool quick, TextWriter log)
    {
        var blobs = await LoadBlobsAsync(quick ? 3_000 : 30_000, log);
        var rows = new List<Row>();
        rows.AddRange(await MeasurePathAsync(blobs, quick, quick ? 3 : 7, log));
        rows.AddRange(await MeasureOfflineAsync(blobs, quick ? 5L << 20 : 100L << 20, quick ? 1 : 3, judgeTime: !quick, log));
        return rows;
    }

    /// <summary>The blobs: the emulator's synthetic backlog as served, and the samples as one more blob.</summary>
    private static async Task<List<byte[]>> LoadBlobsAsync(int count, TextWriter log)
    {
        var tenant = Guid.NewGuid();
        var blobs = new List<byte[]>();
        HttpClient? http = null;
        try
        {
            await RecordSource.VisitBacklogAsync(tenant, count, async (services, _, _, blob) =>
            {
                if (http is null)
                {
                    // The blob's bytes exactly as served: fetched with the tenant's token, outside the service's client.
                    var token = await services.GetRequiredService<ITokenProvider>().GetTokenAsync(tenant, false, CancellationToken.None);
                    http = new HttpClient();
                    http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
                }

                blobs.Add(await http.GetByteArrayAsync(blob.ContentUri));
            });
        }
        finally
        {
            http?.Dispose();
        }

        var samples = SampleRecords();
        blobs.Add(JsonArray(samples));
        var records = blobs.Sum(CountRecords);
        var bytes = blobs.Sum(b => (long)b.Length);
        await log.WriteLineAsync(
            $"{Name}: {records:N0} records in {blobs.Count} blobs ({samples.Count} of them from the samples), {bytes / (double)records:N0} bytes per record");
        return blobs;
    }

    /// <summary>The audit records of the samples' NDJSON (<c>.log</c>) and JSON files (arrays, <c>events[].o365audit</c>), compact.</summary>
    private static List<byte[]> SampleRecords()
    {
        var folder = Path.Combine(RepoPaths.Root, "..", "shared", "samples");

        var records = new List<byte[]>();
        void Add(JsonElement element)
        {
            if (element.ValueKind == JsonValueKind.Object
                && element.EnumerateObject().Any(p => p.Name.Equals("CreationTime", StringComparison.OrdinalIgnoreCase)))
            {
                records.Add(JsonSerializer.SerializeToUtf8Bytes(element));
            }
        }

        if (!Directory.Exists(folder))
        {
            return records;
        }

        foreach (var path in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (path.EndsWith(".log", StringComparison.Ordinal))
            {
                foreach (var line in File.ReadLines(path).Where(l => !string.IsNullOrWhiteSpace(l)))
                {
                    try
                    {
                        using var document = JsonDocument.Parse(line);
                        Add(document.RootElement);
                    }
                    catch (JsonException)
                    {
                        // Not a record line.
                    }
                }
            }
            else if (path.EndsWith(".json", StringComparison.Ordinal))
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(path));
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Array)
                {
                    foreach (var element in root.EnumerateArray())
                    {
                        Add(element);
                    }
                }
                else if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("events", out var events) && events.ValueKind == JsonValueKind.Array)
                {
                    foreach (var e in events.EnumerateArray())
                    {
                        if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty("o365audit", out var record))
                        {
                            Add(record);
                        }
                    }
                }
            }
        }

        return records;
    }

    private static byte[] JsonArray(List<byte[]> records)
    {
        using var buffer = new MemoryStream();
        buffer.WriteByte((byte)'[');
        for (var i = 0; i < records.Count; i++)
        {
            if (i > 0)
            {
                buffer.WriteByte((byte)',');
            }

            buffer.Write(records[i]);
        }

        buffer.WriteByte((byte)']');
        return buffer.ToArray();
    }

    private static int CountRecords(byte[] blob)
    {
        using var document = JsonDocument.Parse(blob);
        return document.RootElement.GetArrayLength();
    }

    private static async Task<IReadOnlyList<Row>> MeasurePathAsync(List<byte[]> blobs, bool quick, int rounds, TextWriter log)
    {
        var handler = new BlobHandler(blobs);
        using var factory = new SingleClientFactory(handler);
        var client = new ManagementApiClient(factory, new FixedToken(), Options.Create(new CollectorOptions { ManagementApiEndpoint = ApiBase }));
        var normalizer = new AuditRecordNormalizer();
        var listed = blobs.Select((_, i) => new ContentBlob { ContentId = i.ToString(CultureInfo.InvariantCulture), ContentUri = new Uri(ApiBase, $"/blob/{i}").ToString() }).ToList();
        var tenant = Guid.NewGuid();
        var records = blobs.Sum(CountRecords);

        // Warm-up: every path for a second or more (JIT, tiering), then a pause for the background tier-1 compilations.
        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed < TimeSpan.FromSeconds(quick ? 1 : 3))
        {
            Floor(blobs);
            await OursAsync(client, normalizer, listed, tenant, encode: true);
            await OursAsync(client, normalizer, listed, tenant, encode: false);
        }

        await Task.Delay(500);

        // Each run goes over the blobs as many times as it takes for about 200,000 records (30,000 short), so that a run
        // lasts long enough to time.
        var passes = Math.Max(1, (int)Math.Ceiling((quick ? 30_000.0 : 200_000.0) / records));
        var floor = new List<Run>();
        var normalize = new List<Run>();
        var encode = new List<Run>();
        for (var round = 0; round < rounds; round++)
        {
            floor.Add(Measure(records * passes, () => Repeat(passes, () => Floor(blobs))));
            normalize.Add(await MeasureAsync(records * passes, () => RepeatAsync(passes, () => OursAsync(client, normalizer, listed, tenant, encode: false))));
            encode.Add(await MeasureAsync(records * passes, () => RepeatAsync(passes, () => OursAsync(client, normalizer, listed, tenant, encode: true))));
            await log.WriteLineAsync(
                $"{Name}: round {round + 1}: JsonDocument.Parse {floor[^1].Rate:N0}/s ({floor[^1].BytesPerRecord / 1024:N2} KB/record), "
                + $"fetch+normalize {normalize[^1].Rate:N0}/s ({normalize[^1].BytesPerRecord / 1024:N2} KB/record, all threads {normalize[^1].AllThreadsPerRecord / 1024:N2}), "
                + $"+encode {encode[^1].Rate:N0}/s ({encode[^1].BytesPerRecord / 1024:N2} KB/record)");
        }

        var floorRate = Percentiles.Median([.. floor.Select(r => r.Rate)]);
        var floorBytes = Percentiles.Median([.. floor.Select(r => r.BytesPerRecord)]) / 1024;
        var rows = new List<Row>();
        foreach (var (label, runs) in (ReadOnlySpan<(string, List<Run>)>)[("fetch + normalize", normalize), ("fetch + normalize + encode (NewRecord)", encode)])
        {
            var rate = Percentiles.Median([.. runs.Select(r => r.Rate)]);
            var ratio = Percentiles.Median([.. runs.Select((r, i) => r.Rate / floor[i].Rate)]);
            var kb = Percentiles.Median([.. runs.Select(r => r.BytesPerRecord)]) / 1024;
            var baseline = $"JsonDocument.Parse of the same bytes: {floorRate:N0} records/s";
            rows.Add(new Row(Name, $"Records/s, {label}, one thread ({records:N0} records × {passes}, median of {rounds})", rate, "records/s", baseline, "≥ 0.5× the floor", ratio >= 0.5));
            rows.Add(new Row(Name, $"Ratio to the floor, {label}", ratio, "×", baseline, "≥ 0.5", ratio >= 0.5));
            rows.Add(new Row(Name, $"Allocated per record, {label}", kb, "KB",
                $"JsonDocument.Parse: {floorBytes:N2} KB/record", "≤ 3 KB", kb <= 3));
        }

        return rows;
    }

    private readonly record struct Run(double Rate, double BytesPerRecord, double AllThreadsPerRecord);

    private static Run Measure(int records, Action action) =>
        MeasureAsync(records, () =>
        {
            action();
            return Task.CompletedTask;
        }).GetAwaiter().GetResult();

    private static async Task<Run> MeasureAsync(int records, Func<Task> action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var total = GC.GetTotalAllocatedBytes(precise: true);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();

        // Everything completes synchronously (in-memory bodies), so the whole run stays on this thread.
        await action();
        clock.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var all = GC.GetTotalAllocatedBytes(precise: true) - total;
        return new Run(records / clock.Elapsed.TotalSeconds, allocated / (double)records, all / (double)records);
    }

    private static void Repeat(int passes, Action action)
    {
        for (var i = 0; i < passes; i++)
        {
            action();
        }
    }

    private static async Task RepeatAsync(int passes, Func<Task> action)
    {
        for (var i = 0; i < passes; i++)
        {
            await action();
        }
    }

    private static int Floor(List<byte[]> blobs)
    {
        var count = 0;
        foreach (var blob in blobs)
        {
            using var document = JsonDocument.Parse(blob);
            foreach (var _ in document.RootElement.EnumerateArray())
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>The collection pipeline's path (see <c>CollectionPipeline.FetchAsync</c>).</summary>
    private static async Task OursAsync(
        ManagementApiClient client, AuditRecordNormalizer normalizer, List<ContentBlob> blobs, Guid tenant, bool encode)
    {
        var context = new NormalizationContext(tenant, DateTimeOffset.UtcNow, "Audit.AzureActiveDirectory", []) { KeepRawJson = false };
        long sink = 0;
        foreach (var blob in blobs)
        {
            await foreach (var record in client.FetchContentAsync(tenant, blob, CancellationToken.None))
            {
                var normalized = normalizer.Normalize(record, context);
                if (encode)
                {
                    var stored = normalized.Raw.RawJson.Length > 0
                        ? new NewRecord(normalized.Raw, normalized.Activity)
                        : new NewRecord(normalized.Raw, normalized.Activity, System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(record));
                    sink += stored.Parts.RawJson.Length;
                }
                else
                {
                    sink += normalized.Raw.RawJson.Length + normalized.Raw.RecordType;
                }
            }
        }

        GC.KeepAlive(sink);
    }

    /// <summary>The offline rows; <paramref name="judgeTime"/> false (short mode) shows them without judging: a small file measures the start of a process.</summary>
    private static async Task<IReadOnlyList<Row>> MeasureOfflineAsync(List<byte[]> blobs, long size, int rounds, bool judgeTime, TextWriter log)
    {
        var folder = Path.Combine(RepoPaths.Root, ".local", "benchmarks");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, $"normalize-{size >> 20}mb.ndjson");
        var half = Path.Combine(folder, $"normalize-{size >> 20}mb-half.ndjson");
        var tenth = Path.Combine(folder, $"normalize-{size >> 20}mb-tenth.ndjson");
        var lines = WriteNdjson(blobs, file, size);
        WriteNdjson(blobs, half, size / 2);
        WriteNdjson(blobs, tenth, size / 10);
        var cli = Path.Combine(RepoPaths.Root, "tools", "ActivityCli", "bin", RepoPaths.Configuration, "net10.0", "o365activity.dll");
        if (!File.Exists(cli))
        {
            throw new FileNotFoundException($"{cli} is not built; build the benchmark project (it builds the CLI too).", cli);
        }

        string[] Ours(string path) => ["dotnet", cli, "normalize", path];
        var python = await PythonAsync();
        string[] Python(string path) =>
            [python!, "-c", "import sys, json\nout = sys.stdout\nfor line in open(sys.argv[1], encoding='utf-8'):\n    out.write(json.dumps(json.loads(line)) + '\\n')\n", path];

        await log.WriteLineAsync($"{Name}: offline: {file} ({new FileInfo(file).Length / 1048576.0:N0} MB, {lines:N0} records); python: {python ?? "absent"}");

        // Warm-up (disk cache, the CLI's first start).
        await TimeAsync(Ours(tenth));
        var ours = new List<(double Seconds, double Mb)>();
        var theirs = new List<(double Seconds, double Mb)>();
        for (var round = 0; round < rounds; round++)
        {
            ours.Add(await TimeAsync(Ours(file)));
            if (python is not null)
            {
                theirs.Add(await TimeAsync(Python(file)));
            }

            await log.WriteLineAsync(
                $"{Name}: offline round {round + 1}: normalize {ours[^1].Seconds:N2} s, {ours[^1].Mb:N0} MB peak RSS"
                + (python is null ? "" : $"; python {theirs[^1].Seconds:N2} s, {theirs[^1].Mb:N0} MB peak RSS"));
        }

        var halfRun = await TimeAsync(Ours(half));
        var tenthRun = await TimeAsync(Ours(tenth));
        var seconds = Percentiles.Median([.. ours.Select(o => o.Seconds)]);
        var mb = Percentiles.Median([.. ours.Select(o => o.Mb)]);
        var rows = new List<Row>();
        var what = $"Offline normalize of a {size >> 20} MB NDJSON file ({lines:N0} records), wall time, median of {rounds}";
        if (python is null)
        {
            await log.WriteLineAsync($"{Name}: python3 is not installed: the comparison with Python is skipped.");
            rows.Add(new Row(Name, what, seconds, "s", "python3 absent: not compared", "faster than Python", null));
        }
        else
        {
            var pythonSeconds = Percentiles.Median([.. theirs.Select(o => o.Seconds)]);
            var pythonMb = Percentiles.Median([.. theirs.Select(o => o.Mb)]);
            // A small file (short mode) times mostly the start of the .NET process; the target is for 100 MB.
            var target = judgeTime ? "faster than Python" : "faster than Python (judged at 100 MB, full mode)";
            bool? met = judgeTime ? seconds < pythonSeconds : null;
            rows.Add(new Row(Name, what, seconds, "s", $"python3 json.loads + json.dumps per line: {pythonSeconds:N2} s ({pythonMb:N0} MB peak RSS)", target, met));
            rows.Add(new Row(Name, "Offline normalize, Python's time over ours", pythonSeconds / seconds, "×", "", judgeTime ? "> 1" : "> 1 (full mode)", met));
        }

        rows.Add(new Row(Name, $"Offline normalize, peak RSS over the {size >> 20} MB file", mb, "MB",
            $"over its first half: {halfRun.Mb:N0} MB; over its first tenth: {tenthRun.Mb:N0} MB",
            judgeTime ? "flat: ≤ 1.1× the half's" : "flat (judged at 100 MB, full mode)", judgeTime ? mb <= halfRun.Mb * 1.1 : null));
        return rows;
    }

    /// <summary>Writes the blobs' records as NDJSON, round after round, up to <paramref name="size"/> bytes.</summary>
    private static long WriteNdjson(List<byte[]> blobs, string path, long size)
    {
        var records = new List<byte[]>();
        foreach (var blob in blobs)
        {
            using var document = JsonDocument.Parse(blob);
            records.AddRange(document.RootElement.EnumerateArray().Select(e => JsonSerializer.SerializeToUtf8Bytes(e)));
        }

        using var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        long written = 0;
        long lines = 0;
        for (var i = 0; written < size; i = (i + 1) % records.Count)
        {
            output.Write(records[i]);
            output.WriteByte((byte)'\n');
            written += records[i].Length + 1;
            lines++;
        }

        return lines;
    }

    /// <summary>The real python3 executable (not a pyenv shim), or null when there is none.</summary>
    private static async Task<string?> PythonAsync()
    {
        try
        {
            var (code, output) = await RunAsync(["python3", "-c", "import sys; print(sys.executable)"]);
            return code == 0 && File.Exists(output.Trim()) ? output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Runs a command under <c>/usr/bin/time</c> with its output to /dev/null: wall seconds and peak RSS (MB).</summary>
    private static async Task<(double Seconds, double Mb)> TimeAsync(string[] command)
    {
        var times = Path.GetTempFileName();
        try
        {
            var (code, output) = await RunAsync(["/usr/bin/time", "-f", "%e %M", "-o", times, "sh", "-c", "exec \"$0\" \"$@\" > /dev/null", .. command]);
            if (code != 0)
            {
                throw new InvalidOperationException($"{string.Join(' ', command)} exited with {code}: {output}");
            }

            var fields = (await File.ReadAllTextAsync(times)).Trim().Split('\n')[^1].Split(' ');
            return (double.Parse(fields[0], CultureInfo.InvariantCulture), double.Parse(fields[1], CultureInfo.InvariantCulture) / 1024);
        }
        finally
        {
            File.Delete(times);
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string[] command)
    {
        var info = new ProcessStartInfo(command[0], command[1..])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["DOTNET_gcServer"] = "0";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {command[0]}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var errorText = await error;
        return (process.ExitCode, (await output) + (errorText.Length > 2000 ? errorText[..2000] : errorText));
    }

    /// <summary>Serves blob <c>/blob/N</c> from memory, as the API would over HTTP.</summary>
    private sealed class BlobHandler(List<byte[]> blobs) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(Send(request, cancellationToken));

        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var index = int.Parse(request.RequestUri!.AbsolutePath.AsSpan("/blob/".Length), CultureInfo.InvariantCulture);
            var content = new ByteArrayContent(blobs[index]);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = Encoding.UTF8.WebName };
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request };
        }
    }

    private sealed class SingleClientFactory(HttpMessageHandler handler) : IHttpClientFactory, IDisposable
    {
        private readonly HttpClient _client = new(handler, disposeHandler: false);

        public HttpClient CreateClient(string name) => _client;

        public void Dispose() => _client.Dispose();
    }

    private sealed class FixedToken : ITokenProvider
    {
        public Task<string> GetTokenAsync(Guid tenantId, bool forceRefresh, CancellationToken cancellationToken) => Task.FromResult("benchmark-token");

        public void Forget(Guid tenantId)
        {
        }
    }
}
