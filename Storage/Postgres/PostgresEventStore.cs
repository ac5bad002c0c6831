using Dapper;
using Npgsql;
using NpgsqlTypes;
using O365Activity.Storage.History;

namespace O365Activity.Storage.Postgres;

/// <summary>
/// The event store on PostgreSQL (schema: <c>Migrations/0002_event_store.sql</c>), over one shared
/// <see cref="NpgsqlDataSource"/> (Dapper for the plain queries, Npgsql's batches and binary <c>COPY</c> on the write
/// path). A commit is one transaction: it locks the source's registry row, checks the expected last sequence (the
/// single-writer fence), writes the new events by binary <c>COPY</c>, and records the source's last sequence, the
/// completed blobs and the cursor. It first assumes that no record is stored already; when the unique index on
/// (source, record key) says one is, the transaction is rolled back and done again with a look-up of the stored keys,
/// skipping those records.
/// </summary>
/// <remarks>
/// Record <c>Id</c>s are de-duplicated on <see cref="RecordKeys.For"/> (a GUID id in any letter case is one key), while
/// the stored events keep the id exactly as received.
/// </remarks>
public sealed partial class PostgresEventStore(NpgsqlDataSource dataSource) : IEventStore, IActivityHistory
{
    /// <summary>
    /// Adds the sign-ins just stored (sequences after $2 through $3 of source $1) to their days in <c>location_days</c>
    /// (migration 9): by place and user when located and reliable, else under '~unreliable' or '~unlocated'.
    /// </summary>
    private const string RollUpLocations =
        """
        INSERT INTO location_days AS d (source_id, day, location_key, user_key, country_code, country_name, region, city, latitude, longitude, successes, failures, interrupted, total)
        SELECT $1, (event_time AT TIME ZONE 'UTC')::date, place, CASE WHEN located THEN coalesce(user_key, '') ELSE '' END,
               CASE WHEN located THEN country_code END, CASE WHEN located THEN country_name END, CASE WHEN located THEN region END,
               CASE WHEN located THEN city END, CASE WHEN located THEN latitude END, CASE WHEN located THEN longitude END,
               count(*) FILTER (WHERE result = 1), count(*) FILTER (WHERE result = 2), count(*) FILTER (WHERE result = 3), count(*)
        FROM (SELECT e.*, location_reliable IS TRUE AND (country_code IS NOT NULL OR latitude IS NOT NULL) AS located,
                     CASE WHEN location_reliable IS NOT TRUE THEN '~unreliable'
                          WHEN country_code IS NULL AND latitude IS NULL THEN '~unlocated'
                          ELSE concat_ws(chr(31), coalesce(country_code, ''), coalesce(country_name, ''), coalesce(region, ''), coalesce(city, ''),
                                         coalesce(latitude::text, ''), coalesce(longitude::text, '')) END AS place
              FROM events e WHERE source_id = $1 AND kind = 1 AND sequence > $2 AND sequence <= $3) AS stored
        GROUP BY 2, 3, 4, 5, 6, 7, 8, 9, 10
        ON CONFLICT (source_id, day, location_key, user_key) DO UPDATE SET successes = d.successes + EXCLUDED.successes,
            failures = d.failures + EXCLUDED.failures, interrupted = d.interrupted + EXCLUDED.interrupted, total = d.total + EXCLUDED.total
        """;

    /// <summary>The binary COPY of new events; each row's columns are written in this order (the facts last, by <see cref="WriteFactsAsync"/>).</summary>
    internal const string CopyCommand =
        "COPY events (source_id, sequence, record_key, kind, tenant_id, content_type, record_type, operation, event_time, ingest_time, stored_at, header, raw, activity, raw_json, " +
        "user_key, target_key, result, action, client_ip, country_code, country_name, region, city, latitude, longitude, location_reliable, application_id, application_name, risk_flags) FROM STDIN (FORMAT BINARY)";

    /// <inheritdoc />
    public async Task RegisterSourceAsync(EventSourceEntry source, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);
        // A row left by a source whose deletion did not finish: its events go to the retention job.
        batch.BatchCommands.Add(Command(
            """
            WITH old AS (DELETE FROM event_sources WHERE tenant_id = $1 AND source_id <> $2 RETURNING source_id, tenant_id)
            INSERT INTO deleted_sources (source_id, tenant_id, deleted_at) SELECT source_id, tenant_id, $3 FROM old
            ON CONFLICT (source_id) DO NOTHING
            """,
            source.TenantId, source.SourceId, source.CreatedAt.UtcDateTime));
        batch.BatchCommands.Add(Command(
            """
            INSERT INTO event_sources (tenant_id, source_id, display_name, created_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (tenant_id) DO UPDATE SET display_name = EXCLUDED.display_name
            """,
            source.TenantId, source.SourceId, source.DisplayName, source.CreatedAt.UtcDateTime));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task RemoveSourceAsync(Guid tenantId, Guid sourceId, DateTimeOffset deletedAt, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(Command(
            """
            WITH gone AS (DELETE FROM event_sources WHERE tenant_id = $1 AND source_id = $2 RETURNING source_id, tenant_id)
            INSERT INTO deleted_sources (source_id, tenant_id, deleted_at) SELECT source_id, tenant_id, $3 FROM gone
            ON CONFLICT (source_id) DO NOTHING
            """,
            tenantId, sourceId, deletedAt.UtcDateTime));
        batch.BatchCommands.Add(Command("DELETE FROM content_cursors WHERE source_id = $1", sourceId));
        batch.BatchCommands.Add(Command("DELETE FROM processed_blobs WHERE source_id = $1", sourceId));
        batch.BatchCommands.Add(Command("DELETE FROM sign_in_profiles WHERE source_id = $1", sourceId));
        batch.BatchCommands.Add(Command("DELETE FROM location_days WHERE source_id = $1", sourceId));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<EventSourceEntry?> GetSourceAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var sources = await ReadSourcesAsync("WHERE tenant_id = $1", tenantId, cancellationToken);
        return sources.Count == 0 ? null : sources[0];
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<EventSourceEntry>> ListSourcesAsync(CancellationToken cancellationToken) =>
        ReadSourcesAsync("ORDER BY tenant_id", null, cancellationToken);

    /// <inheritdoc />
    public async Task SetHostAsync(Guid sourceId, string silo, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE event_sources SET host_silo = @silo, host_since = @since WHERE source_id = @sourceId",
            new { sourceId, silo, since = since.UtcDateTime },
            cancellationToken: cancellationToken));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Guid>> FindSourcesHostedOutsideAsync(IReadOnlyCollection<string> activeSilos, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var tenants = await connection.QueryAsync<Guid>(new CommandDefinition(
            "SELECT tenant_id FROM event_sources WHERE host_silo IS NULL OR NOT (host_silo = ANY(@active)) ORDER BY tenant_id",
            new { active = activeSilos.ToArray() },
            cancellationToken: cancellationToken));
        return [.. tenants];
    }

    /// <inheritdoc />
    public async Task<SourceProgress> LoadProgressAsync(Guid sourceId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(Command("SELECT last_sequence FROM event_sources WHERE source_id = $1", sourceId));
        batch.BatchCommands.Add(Command("SELECT content_type, listed_through, polled_at FROM content_cursors WHERE source_id = $1 ORDER BY content_type", sourceId));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new EventStoreConflictException(sourceId, 0, null);
        }

        var last = reader.GetInt64(0);
        await reader.NextResultAsync(cancellationToken);
        var cursors = ImmutableArray.CreateBuilder<ContentCursor>();
        while (await reader.ReadAsync(cancellationToken))
        {
            cursors.Add(new ContentCursor(reader.GetString(0), NullableTime(reader, 1), NullableTime(reader, 2)));
        }

        return new SourceProgress(last, cursors.ToImmutable());
    }

    /// <inheritdoc />
    public async Task<IReadOnlySet<string>> FindProcessedBlobsAsync(Guid sourceId, IReadOnlyCollection<string> contentIds, CancellationToken cancellationToken)
    {
        if (contentIds.Count == 0)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var found = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT content_id FROM processed_blobs WHERE source_id = @sourceId AND content_id = ANY(@contentIds)",
            new { sourceId, contentIds = contentIds.ToArray() },
            cancellationToken: cancellationToken));
        return new HashSet<string>(found, StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>> LoadProfilesAsync(Guid sourceId, IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        var profiles = new Dictionary<string, string>(StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return profiles;
        }

        await using var command = dataSource.CreateCommand("SELECT profile_key, profile FROM sign_in_profiles WHERE source_id = $1 AND profile_key = ANY($2)");
        AddParameters(command.Parameters, sourceId, keys.Select(k => Text(k)).ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            profiles[reader.GetString(0)] = reader.GetString(1);
        }

        return profiles;
    }

    /// <inheritdoc />
    public async Task<CommitResult> CommitAsync(CommitRequest request, CancellationToken cancellationToken)
    {
        // Duplicates within the request: the first occurrence wins.
        var unique = new List<NewRecord>(request.Records.Count);
        var keys = new List<Guid>(request.Records.Count);
        var seen = new HashSet<Guid>();
        foreach (var record in request.Records)
        {
            if (seen.Add(record.RecordKey))
            {
                unique.Add(record);
                keys.Add(record.RecordKey);
            }
        }

        try
        {
            // Optimistic first: most batches repeat nothing already stored, and the unique index says when one does.
            return await CommitOnceAsync(request, unique, keys, lookUpDuplicates: false, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "ux_events_record")
        {
            return await CommitOnceAsync(request, unique, keys, lookUpDuplicates: true, cancellationToken);
        }
    }

    private async Task<CommitResult> CommitOnceAsync(CommitRequest request, List<NewRecord> unique, List<Guid> keys, bool lookUpDuplicates, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long? stored = null;
        var existing = new HashSet<Guid>();
        await using (var check = new NpgsqlBatch(connection, transaction))
        {
            // Locking the registry row serializes a source's writers; the second one then sees the sequence moved.
            check.BatchCommands.Add(Command("SELECT last_sequence FROM event_sources WHERE source_id = $1 FOR UPDATE", request.SourceId));
            if (lookUpDuplicates && keys.Count > 0)
            {
                check.BatchCommands.Add(Command("SELECT record_key FROM events WHERE source_id = $1 AND record_key = ANY($2)", request.SourceId, keys.ToArray()));
            }

            await using var reader = await check.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                stored = reader.GetInt64(0);
            }

            if (lookUpDuplicates && keys.Count > 0 && await reader.NextResultAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    existing.Add(reader.GetGuid(0));
                }
            }
        }

        if (stored != request.ExpectedLastSequence)
        {
            throw new EventStoreConflictException(request.SourceId, request.ExpectedLastSequence, stored);
        }

        var next = request.ExpectedLastSequence;
        var kinds = new List<EventKind>();
        if (existing.Count < unique.Count)
        {
            await using var importer = await connection.BeginBinaryImportAsync(CopyCommand, cancellationToken);
            for (var i = 0; i < unique.Count; i++)
            {
                if (existing.Contains(keys[i]))
                {
                    continue;
                }

                next++;
                var record = unique[i];
                kinds.Add(record.Kind);
                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(request.SourceId, NpgsqlDbType.Uuid, cancellationToken);
                await importer.WriteAsync(next, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(keys[i], NpgsqlDbType.Uuid, cancellationToken);
                await importer.WriteAsync((short)record.Kind, NpgsqlDbType.Smallint, cancellationToken);
                await importer.WriteAsync(request.TenantId, NpgsqlDbType.Uuid, cancellationToken);
                if (record.ContentType is null)
                {
                    await importer.WriteNullAsync(cancellationToken);
                }
                else
                {
                    await importer.WriteAsync(record.ContentType, NpgsqlDbType.Text, cancellationToken);
                }

                await importer.WriteAsync(record.RecordType, NpgsqlDbType.Integer, cancellationToken);
                await importer.WriteAsync(Text(record.Operation), NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(record.EventTime.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
                await importer.WriteAsync(record.IngestTime.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
                await importer.WriteAsync(request.StoredAt.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
                await importer.WriteAsync(record.Parts.Header, NpgsqlDbType.Bytea, cancellationToken);
                await importer.WriteAsync(record.Parts.Raw, NpgsqlDbType.Bytea, cancellationToken);
                if (record.Kind == EventKind.Raw)
                {
                    await importer.WriteNullAsync(cancellationToken);
                }
                else
                {
                    await importer.WriteAsync(record.Parts.Activity, NpgsqlDbType.Bytea, cancellationToken);
                }

                // The record's UTF-8 text as received: JSON text holds no U+0000, so it is always valid PostgreSQL text.
                await importer.WriteAsync(record.Parts.RawJson, NpgsqlDbType.Text, cancellationToken);
                await WriteFactsAsync(importer, record.Facts, cancellationToken);
                await importer.WriteAsync(record.RiskFlags, NpgsqlDbType.Smallint, cancellationToken);
            }

            await importer.CompleteAsync(cancellationToken);
        }

        await using (var finish = new NpgsqlBatch(connection, transaction))
        {
            if (next != request.ExpectedLastSequence)
            {
                finish.BatchCommands.Add(Command("UPDATE event_sources SET last_sequence = $2 WHERE source_id = $1", request.SourceId, next));
            }

            if (request.Blobs.Count > 0)
            {
                finish.BatchCommands.Add(Command(
                    """
                    INSERT INTO processed_blobs (source_id, content_id, content_type, content_created, processed_at, outcome)
                    SELECT $1, b.id, b.type, b.created, $2, b.outcome FROM unnest($3::text[], $4::text[], $5::timestamptz[], $6::smallint[]) AS b(id, type, created, outcome)
                    ON CONFLICT (source_id, content_id) DO NOTHING
                    """,
                    request.SourceId,
                    request.StoredAt.UtcDateTime,
                    request.Blobs.Select(b => b.ContentId).ToArray(),
                    request.Blobs.Select(b => b.ContentType).ToArray(),
                    request.Blobs.Select(b => b.ContentCreated.UtcDateTime).ToArray(),
                    request.Blobs.Select(b => (short)(b.Lost ? 1 : 0)).ToArray()));
            }

            if (kinds.Contains(EventKind.Ingress))
            {
                finish.BatchCommands.Add(Command(RollUpLocations, request.SourceId, request.ExpectedLastSequence, next));
            }

            if (request.Profiles.Count > 0)
            {
                finish.BatchCommands.Add(Command(
                    """
                    INSERT INTO sign_in_profiles (source_id, profile_key, profile, updated_at)
                    SELECT $1, p.key, p.profile, $2 FROM unnest($3::text[], $4::text[]) AS p(key, profile)
                    ON CONFLICT (source_id, profile_key) DO UPDATE SET profile = EXCLUDED.profile, updated_at = EXCLUDED.updated_at
                    """,
                    request.SourceId,
                    request.StoredAt.UtcDateTime,
                    request.Profiles.Keys.Select(k => Text(k)).ToArray(),
                    request.Profiles.Values.ToArray()));
            }

            if (request.Cursor is { } cursor)
            {
                finish.BatchCommands.Add(Command(
                    """
                    INSERT INTO content_cursors (source_id, content_type, listed_through, polled_at) VALUES ($1, $2, $3, $4)
                    ON CONFLICT (source_id, content_type) DO UPDATE SET listed_through = EXCLUDED.listed_through, polled_at = EXCLUDED.polled_at
                    """,
                    request.SourceId,
                    cursor.ContentType,
                    (object?)cursor.ListedThrough?.UtcDateTime ?? DBNull.Value,
                    (object?)cursor.PolledAt?.UtcDateTime ?? DBNull.Value));
            }

            if (finish.BatchCommands.Count > 0)
            {
                await finish.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return CommitResult.For(request.ExpectedLastSequence, request.Records.Count, kinds);
    }

    /// <summary>Writes the history columns of a row of <see cref="CopyCommand"/>.</summary>
    internal static async Task WriteFactsAsync(NpgsqlBinaryImporter importer, ActivityFacts facts, CancellationToken cancellationToken)
    {
        await WriteOrNullAsync(importer, facts.User, NpgsqlDbType.Text, cancellationToken);
        await WriteOrNullAsync(importer, facts.Target, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(facts.Result, NpgsqlDbType.Smallint, cancellationToken);
        await WriteOrNullAsync(importer, facts.Action, NpgsqlDbType.Smallint, cancellationToken);
        await WriteOrNullAsync(importer, facts.ClientIp, NpgsqlDbType.Inet, cancellationToken);
        var location = facts.Location;
        await WriteOrNullAsync(importer, Text(location?.CountryCode), NpgsqlDbType.Text, cancellationToken);
        await WriteOrNullAsync(importer, Text(location?.CountryName), NpgsqlDbType.Text, cancellationToken);
        await WriteOrNullAsync(importer, Text(location?.Region), NpgsqlDbType.Text, cancellationToken);
        await WriteOrNullAsync(importer, Text(location?.City), NpgsqlDbType.Text, cancellationToken);
        await WriteOrNullAsync(importer, location?.Latitude, NpgsqlDbType.Double, cancellationToken);
        await WriteOrNullAsync(importer, location?.Longitude, NpgsqlDbType.Double, cancellationToken);
        await WriteOrNullAsync(importer, facts.LocationReliable, NpgsqlDbType.Boolean, cancellationToken);
        await WriteOrNullAsync(importer, facts.ApplicationId, NpgsqlDbType.Text, cancellationToken);
        await WriteOrNullAsync(importer, facts.ApplicationName, NpgsqlDbType.Text, cancellationToken);
    }

    private static Task WriteOrNullAsync<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
        where T : class =>
        value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, type, cancellationToken);

    private static Task WriteOrNullAsync<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
        where T : struct =>
        value is { } v ? importer.WriteAsync(v, type, cancellationToken) : importer.WriteNullAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredEvent>> ReadAsync(Guid sourceId, long afterSequence, long throughSequence, EventKind? kind, int limit, CancellationToken cancellationToken)
    {
        var events = new List<StoredEvent>(Math.Min(limit, 1024));
        if (throughSequence <= afterSequence || limit <= 0)
        {
            return events;
        }

        // The kind is a literal so that the planner picks the kind's partial index.
        var filter = kind is { } k ? $" AND kind = {(short)k}" : "";
        await using var command = dataSource.CreateCommand(
            $"SELECT sequence, kind, header, raw, activity, raw_json FROM events WHERE source_id = $1{filter} AND sequence > $2 AND sequence <= $3 ORDER BY sequence LIMIT $4");
        AddParameters(command.Parameters, sourceId, afterSequence, throughSequence, limit);
        await ReadEventsAsync(command, events, cancellationToken);
        return events;
    }

    /// <summary>Reads the rows of a query whose columns are sequence, kind, header, raw, activity and raw_json.</summary>
    private static async Task ReadEventsAsync(NpgsqlCommand command, List<StoredEvent> events, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new StoredEvent(
                reader.GetInt64(0),
                (EventKind)reader.GetInt16(1),
                new EventParts(
                    reader.GetFieldValue<byte[]>(2),
                    reader.GetFieldValue<byte[]>(3),
                    reader.IsDBNull(4) ? ReadOnlyMemory<byte>.Empty : reader.GetFieldValue<byte[]>(4),
                    reader.GetFieldValue<byte[]>(5))));
        }
    }

    /// <inheritdoc />
    /// <remarks>A binary search over the primary key on <c>stored_at</c>, which only grows within a source: about 40 index probes at most.</remarks>
    public async Task<long> FindSequenceBeforeAsync(Guid sourceId, DateTimeOffset storedFrom, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await SequenceStoredBeforeAsync(connection, sourceId, storedFrom.UtcDateTime, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<RetentionResult> PurgeAsync(DateTimeOffset eventsBefore, DateTimeOffset blobsBefore, int batchSize, CancellationToken cancellationToken)
    {
        long events = 0;
        long blobs = 0;
        var sources = 0;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);

        // Deleted sources: all their events, in primary-key ranges, then their tombstone.
        foreach (var sourceId in await ReadGuidsAsync(connection, "SELECT source_id FROM deleted_sources ORDER BY deleted_at", cancellationToken))
        {
            events += await DeleteThroughAsync(connection, sourceId, long.MaxValue, batchSize, cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM processed_blobs WHERE source_id = @sourceId", new { sourceId }, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM content_cursors WHERE source_id = @sourceId", new { sourceId }, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM sign_in_profiles WHERE source_id = @sourceId", new { sourceId }, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM location_days WHERE source_id = @sourceId", new { sourceId }, cancellationToken: cancellationToken));
            sources += await connection.ExecuteAsync(new CommandDefinition("DELETE FROM deleted_sources WHERE source_id = @sourceId", new { sourceId }, cancellationToken: cancellationToken));
        }

        // Live sources: the events stored before the cut-off, found by binary search on stored_at.
        foreach (var sourceId in await ReadGuidsAsync(connection, "SELECT source_id FROM event_sources ORDER BY tenant_id", cancellationToken))
        {
            var through = await SequenceStoredBeforeAsync(connection, sourceId, eventsBefore.UtcDateTime, cancellationToken);
            events += await DeleteThroughAsync(connection, sourceId, through, batchSize, cancellationToken);
        }

        await using (var command = new NpgsqlCommand("DELETE FROM processed_blobs WHERE ctid = ANY(ARRAY(SELECT ctid FROM processed_blobs WHERE content_created < $1 LIMIT $2))", connection))
        {
            AddParameters(command.Parameters, blobsBefore.UtcDateTime, batchSize);
            int deleted;
            do
            {
                deleted = await command.ExecuteNonQueryAsync(cancellationToken);
                blobs += deleted;
            }
            while (deleted >= batchSize);
        }

        // Location days before the cut-off's day.
        await using (var command = new NpgsqlCommand("DELETE FROM location_days WHERE ctid = ANY(ARRAY(SELECT ctid FROM location_days WHERE day < $1 LIMIT $2))", connection))
        {
            AddParameters(command.Parameters, DateOnly.FromDateTime(eventsBefore.UtcDateTime), batchSize);
            while (await command.ExecuteNonQueryAsync(cancellationToken) >= batchSize)
            {
            }
        }

        // Sign-in profiles not written since the cut-off: everything they remember is older than the retention.
        await using (var command = new NpgsqlCommand("DELETE FROM sign_in_profiles WHERE ctid = ANY(ARRAY(SELECT ctid FROM sign_in_profiles WHERE updated_at < $1 LIMIT $2))", connection))
        {
            AddParameters(command.Parameters, eventsBefore.UtcDateTime, batchSize);
            while (await command.ExecuteNonQueryAsync(cancellationToken) >= batchSize)
            {
            }
        }

        return new RetentionResult(events, blobs, sources);
    }

    /// <summary>Deletes a source's events with sequence ≤ <paramref name="through"/>, at most <paramref name="batchSize"/> sequences per statement.</summary>
    private static async Task<long> DeleteThroughAsync(NpgsqlConnection connection, Guid sourceId, long through, int batchSize, CancellationToken cancellationToken)
    {
        long total = 0;
        while (true)
        {
            await using var command = new NpgsqlCommand(
                "DELETE FROM events WHERE source_id = $1 AND sequence <= LEAST($2, (SELECT min(sequence) FROM events WHERE source_id = $1) + $3 - 1)", connection);
            AddParameters(command.Parameters, sourceId, through, (long)batchSize);
            var deleted = await command.ExecuteNonQueryAsync(cancellationToken);
            total += deleted;
            if (deleted == 0)
            {
                return total;
            }
        }
    }

    /// <summary>The source's lowest and highest stored sequences; (0, 0) when it has none.</summary>
    private static async Task<(long First, long Last)> SequenceBoundsAsync(NpgsqlConnection connection, Guid sourceId, CancellationToken cancellationToken)
    {
        await using var bounds = new NpgsqlCommand("SELECT COALESCE(min(sequence), 0), COALESCE(max(sequence), 0) FROM events WHERE source_id = $1", connection);
        AddParameters(bounds.Parameters, sourceId);
        await using var reader = await bounds.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>
    /// The last sequence of the source stored before <paramref name="time"/>: 0 when none, the last sequence when all
    /// were. <paramref name="bounds"/>: the source's <see cref="SequenceBoundsAsync"/> when the caller has them (read when null).
    /// </summary>
    private static async Task<long> SequenceStoredBeforeAsync(NpgsqlConnection connection, Guid sourceId, DateTime time, CancellationToken cancellationToken, (long First, long Last)? bounds = null)
    {
        var (low, high) = bounds ?? await SequenceBoundsAsync(connection, sourceId, cancellationToken);
        if (high == 0)
        {
            return 0;
        }

        // The first sequence in [low, high] stored at or after the time; none: every event is older.
        await using var probe = new NpgsqlCommand("SELECT stored_at >= $3 FROM events WHERE source_id = $1 AND sequence >= $2 ORDER BY sequence LIMIT 1", connection);
        AddParameters(probe.Parameters, sourceId, 0L, time);
        var first = high + 1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            probe.Parameters[1].Value = middle;
            if ((bool)(await probe.ExecuteScalarAsync(cancellationToken))!)
            {
                first = middle;
                high = middle - 1;
            }
            else
            {
                low = middle + 1;
            }
        }

        return first - 1;
    }

    private static async Task<List<Guid>> ReadGuidsAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken) =>
        [.. await connection.QueryAsync<Guid>(new CommandDefinition(sql, cancellationToken: cancellationToken))];

    private async Task<IReadOnlyList<EventSourceEntry>> ReadSourcesAsync(string clause, Guid? tenantId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT tenant_id, source_id, display_name, created_at, last_sequence, host_silo FROM event_sources {clause}");
        if (tenantId is { } id)
        {
            AddParameters(command.Parameters, id);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var sources = new List<EventSourceEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            sources.Add(new EventSourceEntry(
                reader.GetGuid(0),
                reader.GetGuid(1),
                reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3),
                reader.GetInt64(4),
                reader.IsDBNull(5) ? null : reader.GetString(5)));
        }

        return sources;
    }

    /// <summary>
    /// PostgreSQL text cannot hold U+0000, which a record's decoded fields can (JSON allows <c>\u0000</c>): in the
    /// <c>operation</c> and <c>raw_json</c> columns it becomes U+FFFD, so that such a record is stored with the others
    /// rather than failing its whole batch. The event's payload keeps the exact text.
    /// </summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(value))]
    private static string? Text(string? value) => value is not null && value.Contains('\0', StringComparison.Ordinal) ? value.Replace('\0', '\uFFFD') : value;

    private static DateTimeOffset? NullableTime(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        AddParameters(command.Parameters, values);
        return command;
    }

    private static void AddParameters(NpgsqlParameterCollection parameters, params object[] values)
    {
        foreach (var value in values)
        {
            parameters.Add(new NpgsqlParameter { Value = value });
        }
    }
}
