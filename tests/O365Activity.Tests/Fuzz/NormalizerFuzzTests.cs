using System.Text.Json;
using FsCheck.Fluent;
using O365Activity.Cli.Normalize;
using O365Activity.Grains.Collection;
using O365Activity.Grains.Normalization;
using O365Activity.Tests.Infrastructure;
using Xunit.Abstractions;

namespace O365Activity.Tests.Fuzz;

/// <summary>
/// The normalizer on hostile records (<see cref="HostileRecords"/>), as the silo runs it on each record of a blob
/// (<c>CollectionPipeline.Prepare</c>: normalize, then encode as stored) and as the <c>normalize</c> command runs it
/// (with the record's text kept, written as an NDJSON line): nothing escapes but the documented rejection of a value
/// that is not a JSON object, and every line written is JSON.
/// </summary>
public sealed class NormalizerFuzzTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _geoFolder = Directory.CreateTempSubdirectory("o365-fuzz-geo-").FullName;

    public void Dispose() => Directory.Delete(_geoFolder, recursive: true);

    [Fact]
    public void Normalizer_HostileRecords_StoreOrAreRejectedAsNotObjects_NothingElseEscapes()
    {
        var (city, asn) = TestGeoDatabases.Write(_geoFolder);
        using var geo = new GeoLocator(new GeoIpOptions { CityDatabasePath = city, AsnDatabasePath = asn });
        var normalizer = new AuditRecordNormalizer(geo);
        var service = new NormalizationContext(Guid.NewGuid(), DateTimeOffset.UtcNow, "Audit.AzureActiveDirectory", ["example.com", "fed.contoso.com"]) { KeepRawJson = false };
        var offline = service with { KeepRawJson = true, ContentType = null };
        int parsed = 0, objects = 0;

        Fuzzing.Check(output, "normalizer", HostileRecords.Record(), input =>
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(input.Bytes);
            }
            catch (JsonException)
            {
                // Not JSON: the readers' part (see the reader properties), never the normalizer's.
                return Task.CompletedTask;
            }

            using (document)
            {
                var record = document.RootElement;
                Interlocked.Increment(ref parsed);
                var isObject = record.ValueKind == JsonValueKind.Object;

                var stored = CollectionPipeline.Prepare(normalizer, record, service, out _, out var rejected);
                Assert.Equal(isObject, stored is not null);
                Assert.Equal(isObject, rejected is null);
                if (!isObject)
                {
                    Assert.Throws<AuditRecordFormatException>(() => normalizer.Normalize(record, offline));
                    return Task.CompletedTask;
                }

                Interlocked.Increment(ref objects);
                Assert.False(string.IsNullOrEmpty(stored!.RecordId));
                var normalized = normalizer.Normalize(record, offline);
                Assert.Equal(stored.RecordId, normalized.Raw.RecordId);
                var text = new StringWriter();
                using (var lines = new LineOutput(text))
                {
                    lines.WriteRecord(normalized, includeRaw: true);
                    lines.FlushAsync(CancellationToken.None).GetAwaiter().GetResult();
                }

                using var line = JsonDocument.Parse(text.ToString());
                Assert.Equal(normalized.Raw.RecordId, line.RootElement.GetProperty("recordId").GetString());
            }

            return Task.CompletedTask;
        }, ciCases: 600);

        output.WriteLine($"{parsed} cases parsed as JSON, {objects} of them objects (records)");
        Assert.True(objects > Fuzzing.Cases(600) / 3, $"only {objects} cases reached the normalizer as records: the mutations break too many");
    }

    [Fact]
    public void Normalizer_RandomJsonValues_NeverThrowButTheRejection()
    {
        var normalizer = new AuditRecordNormalizer();
        var context = new NormalizationContext(Guid.NewGuid(), DateTimeOffset.UtcNow, null, []);
        var values = HostileRecords.RandomBytes().Select(b => new HostileInput("random", b));

        Fuzzing.Check(output, "normalizer on random values", values, input =>
        {
            try
            {
                using var document = JsonDocument.Parse(input.Bytes);
                _ = CollectionPipeline.Prepare(normalizer, document.RootElement, context, out _, out _);
            }
            catch (JsonException)
            {
            }

            return Task.CompletedTask;
        }, ciCases: 300);
    }
}
