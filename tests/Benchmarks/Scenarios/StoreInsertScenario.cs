using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using O365Activity.Harness;
using O365Activity.Storage;
using O365Activity.Storage.Postgres;
using O365Activity.Grains.Normalization;

namespace O365Activity.Benchmarks.Scenarios;

/// <summary>
/// The event store's insert rate against the floor, side by side: <see cref="PostgresEventStore.CommitAsync"/> in
/// transactions of 2,000 records (de-duplication lookup, binary COPY, progress rows), and a bare binary COPY of the
/// same rows (encoded beforehand) into the same table, alternated A B A B over several rounds. The rows are
/// 20,000 realistic normalized records used again with fresh record ids, so that the benchmark process holds what a
/// silo holds (a batch) rather than the whole run, whose garbage collection would slow one side only.
/// </summary>
public static class StoreInsertScenario
{
    private const int Batch = 2_000;

    private static NewRecord WithFreshId(NormalizedRecord record)
    {
        var id = Guid.NewGuid().ToString();
        return new NewRecord(record.Raw with { RecordId = id }, record.Activity is null ? null : record.Activity with { RecordId = id });
    }

    /// <summary>Runs the scenario.</summary>
    public static async Task<IReadOnlyList<Row>> RunAsync(bool quick, TextWriter log)
    {
        var count = quick ? 10_000 : 200_000;
        var rounds = 3;
        var poolSize = Math.Min(count, 20_000);
        await log.WriteLineAsync($"store-insert: loading {poolSize:N0} normalized records...");
        var (tenant, pool) = await RecordSource.LoadAsync(poolSize);
        await using var server = await PostgresServer.StartAsync(fast: false);
        await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        await new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        var store = new PostgresEventStore(dataSource);
        var encoded = pool.Select(r => new NewRecord(r.Raw, r.Activity)).ToList();

        var ours = new List<double>();
        var copy = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            // Each round writes a new source, tenant and record ids stay the same per source: no conflicts across rounds.
            var source = Guid.NewGuid();
            await store.RegisterSourceAsync(new EventSourceEntry(Guid.NewGuid(), source, "bench", DateTimeOffset.UtcNow), CancellationToken.None);
            var clock = new Stopwatch();
            long last = 0;
            for (var i = 0; i < count; i += Batch)
            {
                var batch = Enumerable.Range(i, Batch).Select(n => WithFreshId(pool[n % pool.Count])).ToList();
                clock.Start();
                var result = await store.CommitAsync(new CommitRequest
                {
                    SourceId = source,
                    TenantId = tenant,
                    ExpectedLastSequence = last,
                    Records = batch,
                    StoredAt = DateTimeOffset.UtcNow,
                }, CancellationToken.None);
                clock.Stop();
                last = result.LastSequence;
            }

            ours.Add(count / clock.Elapsed.TotalSeconds);
            var copied = Guid.NewGuid();
            clock.Reset();
            for (var i = 0; i < count; i += Batch)
            {
                var keys = Enumerable.Range(0, Batch).Select(_ => Guid.NewGuid()).ToArray();
                clock.Start();
                await using var connection = await dataSource.OpenConnectionAsync();
                await using var transaction = await connection.BeginTransactionAsync();
                await using (var importer = await connection.BeginBinaryImportAsync(PostgresEventStore.CopyCommand))
                {
                    var now = DateTime.UtcNow;
                    for (var j = i; j < i + Batch; j++)
                    {
                        var record = encoded[j % pool.Count];
                        await importer.StartRowAsync();
                        await importer.WriteAsync(copied, NpgsqlDbType.Uuid);
                        await importer.WriteAsync((long)j + 1, NpgsqlDbType.Bigint);
                        await importer.WriteAsync(keys[j - i], NpgsqlDbType.Uuid);
                        await importer.WriteAsync((short)record.Kind, NpgsqlDbType.Smallint);
                        await importer.WriteAsync(tenant, NpgsqlDbType.Uuid);
                        await importer.WriteAsync(record.ContentType!, NpgsqlDbType.Text);
                        await importer.WriteAsync(record.RecordType, NpgsqlDbType.Integer);
                        await importer.WriteAsync(record.Operation, NpgsqlDbType.Text);
                        await importer.WriteAsync(record.EventTime.UtcDateTime, NpgsqlDbType.TimestampTz);
                        await importer.WriteAsync(record.IngestTime.UtcDateTime, NpgsqlDbType.TimestampTz);
                        await importer.WriteAsync(now, NpgsqlDbType.TimestampTz);
                        await importer.WriteAsync(record.Parts.Header, NpgsqlDbType.Bytea);
                        await importer.WriteAsync(record.Parts.Raw, NpgsqlDbType.Bytea);
                        if (record.Kind != EventKind.Raw)
                        {
                            await importer.WriteAsync(record.Parts.Activity, NpgsqlDbType.Bytea);
                        }
                        else
                        {
                            await importer.WriteNullAsync();
                        }

                        await importer.WriteAsync(record.Parts.RawJson, NpgsqlDbType.Text);
                        await PostgresEventStore.WriteFactsAsync(importer, record.Facts, CancellationToken.None);
                        await importer.WriteAsync(record.RiskFlags, NpgsqlDbType.Smallint);
                    }

                    await importer.CompleteAsync();
                }

                await transaction.CommitAsync();
                clock.Stop();
            }

            copy.Add(count / clock.Elapsed.TotalSeconds);
            await log.WriteLineAsync($"store-insert: round {round + 1}: ours {ours[^1]:N0}/s, COPY {copy[^1]:N0}/s");
        }

        var ratio = Percentiles.Median(ours) / Percentiles.Median(copy);
        return
        [
            new Row("store-insert", $"Event-store commit, batches of {Batch:N0} ({count:N0} records, median of {rounds})", Percentiles.Median(ours), "events/s",
                $"binary COPY of the same rows: {Percentiles.Median(copy):N0} events/s", "≥ 0.7× COPY", ratio >= 0.7),
            new Row("store-insert", "Ratio to binary COPY", ratio, "×", "", "≥ 0.7", ratio >= 0.7),
        ];
    }
}
