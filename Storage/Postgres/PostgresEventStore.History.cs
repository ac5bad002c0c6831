using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using O365Activity.Storage.History;

namespace O365Activity.Storage.Postgres;

/// <summary>The history queries (<see cref="IActivityHistory"/>) over the columns and indexes of migration 5 (<c>Migrations/0005_history.sql</c>).</summary>
public sealed partial class PostgresEventStore
{
    /// <inheritdoc />
    /// <remarks>
    /// The kind is a literal so that the planner can use the partial indexes: in sequence order
    /// <c>ix_events_kind_sequence</c> (no filter, or time, results, actions and flags), <c>ix_events_history_user</c> or
    /// <c>ix_events_history_target</c>; a time range <c>ix_events_history_time</c> and
    /// an address or network <c>ix_events_history_address</c>, then a sort of the rows they give.
    /// </remarks>
    public async Task<IReadOnlyList<StoredEvent>> QueryAsync(Guid sourceId, ActivityQuery query, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        if (query.Kind is not (EventKind.Ingress or EventKind.Admin))
        {
            throw new ArgumentException("History queries read ingress or admin events.", nameof(query));
        }

        var timeFirst = TimeIndexFits(query) && await PreferTimeIndexAsync(sourceId, query, cancellationToken);
        await using var command = dataSource.CreateCommand();
        BuildQuery(command, sourceId, query, timeFirst);
        var events = new List<StoredEvent>(Math.Min(query.Limit, 1024));
        await ReadEventsAsync(command, events, cancellationToken);
        return events;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Two statements: the located, reliable sign-ins grouped by location, and the unreliable and unlocated counts. The
    /// range's whole UTC days come from the daily roll-up (<c>location_days</c>, migration 9: a row per place, user and
    /// day), the parts of days at its edges from the events' indexes alone (<c>ix_events_history_locations</c>,
    /// <c>ix_events_history_time</c>; the unlocated are the reliable less the located there).
    /// </remarks>
    public async Task<LocationSummary> CountLocationsAsync(Guid sourceId, DateTimeOffset? start, DateTimeOffset? end, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);

        // Room to group a day's sign-ins by location and user in memory (a hash), rather than sort them on disk.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var memory = new NpgsqlCommand("SET LOCAL work_mem = '64MB'", connection, transaction))
        {
            await memory.ExecuteNonQueryAsync(cancellationToken);
        }

        var range = LocationRange.Of(start, end);
        var locations = new List<LocationCount>();
        long located = 0;
        await using (var command = new NpgsqlCommand { Connection = connection, Transaction = transaction })
        {
            BuildLocationCounts(command, sourceId, range);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                locations.Add(new LocationCount(
                    TextOrNull(reader, 0),
                    TextOrNull(reader, 1),
                    TextOrNull(reader, 2),
                    TextOrNull(reader, 3),
                    reader.IsDBNull(4) ? null : reader.GetDouble(4),
                    reader.IsDBNull(5) ? null : reader.GetDouble(5),
                    reader.GetInt64(6),
                    reader.GetInt64(7),
                    reader.GetInt64(8),
                    reader.GetInt64(9),
                    reader.IsDBNull(10) ? [] : reader.GetFieldValue<string[]>(10)));
                located += reader.GetInt64(11);
            }
        }

        await using (var command = new NpgsqlCommand { Connection = connection, Transaction = transaction })
        {
            BuildLocationRest(command, sourceId, range);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return new LocationSummary(locations, reader.GetInt64(0), reader.GetInt64(1) + reader.GetInt64(2) - located);
        }
    }

    /// <inheritdoc />
    /// <remarks>One scan of the user's sign-ins on <c>ix_events_history_user</c>, grouped three ways at once (grouping sets).</remarks>
    public async Task<UserSummary> SummarizeUserAsync(Guid sourceId, string user, DateTimeOffset? start, DateTimeOffset? end, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand();
        BuildUserSummary(command, sourceId, user, start, end);

        List<SeenValue> countries = [], addresses = [], applications = [];
        long signIns = 0, failures = 0;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                // GROUPING gives a bit per grouped-out column: 3 = by country (the other two out), 5 = by address, 6 = by application, 7 = the total.
                var grouping = reader.GetInt32(0);
                var count = reader.GetInt64(7);
                var failed = reader.GetInt64(8);
                if (grouping == 7)
                {
                    (signIns, failures) = (count, failed);
                    continue;
                }

                var (list, value, label) = grouping switch
                {
                    3 => (countries, TextOrNull(reader, 1), TextOrNull(reader, 4)),
                    5 => (addresses, TextOrNull(reader, 2), TextOrNull(reader, 5)),
                    _ => (applications, TextOrNull(reader, 3), TextOrNull(reader, 6)),
                };
                if (value is not null)
                {
                    list.Add(new SeenValue(value, label, count, failed, reader.GetFieldValue<DateTimeOffset>(9), reader.GetFieldValue<DateTimeOffset>(10)));
                }
            }
        }

        return new UserSummary(Newest(countries), Newest(addresses), Newest(applications), signIns, failures);
    }

    /// <summary>Whether the time index holds every column the query filters on (it has no user, address or action).</summary>
    private static bool TimeIndexFits(ActivityQuery query) => query.User is null && query.Network is null && query.Actions.Count == 0;

    /// <summary>
    /// Whether a page of a time range is cheaper from the time index than by walking the sequence index: the walk reads
    /// the entries on its way to the range (stored after it, newest first; before it, oldest first) and then the range
    /// until it has its page; the time index reads the whole range. Both are estimated from where the range's times fall
    /// in the store's sequence (<c>stored_at</c> grows with it; a record's event time is usually shortly before it was
    /// stored): an estimate that only picks the faster of two plans that give the same page.
    /// </summary>
    internal async Task<bool> PreferTimeIndexAsync(Guid sourceId, ActivityQuery query, CancellationToken cancellationToken)
    {
        if (query.Start is null && query.End is null)
        {
            return false;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var bounds = await SequenceBoundsAsync(connection, sourceId, cancellationToken);
        var (first, last) = bounds;
        if (last == 0)
        {
            return false;
        }

        var low = query.Start is { } start ? await SequenceStoredBeforeAsync(connection, sourceId, start.UtcDateTime, cancellationToken, bounds) : first - 1;
        var high = query.End is { } end ? await SequenceStoredBeforeAsync(connection, sourceId, end.UtcDateTime, cancellationToken, bounds) : last;
        var inRange = Math.Max(high - low, 1);
        var before = query.NewestFirst ? last - high : low - (first - 1);
        var walk = before + (query.Limit * (double)(last - first + 1) / inRange);
        return inRange < walk;
    }

    /// <summary>The statement of <see cref="CountLocationsAsync"/> that groups the located, reliable sign-ins: by location and user first (a hash aggregate), then by location; its last column is how many of them came from the edges.</summary>
    internal static void BuildLocationCounts(NpgsqlCommand command, Guid sourceId, LocationRange range)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = sourceId });
        var parts = new List<string>();
        if (range.HasDays)
        {
            parts.Add("SELECT country_code AS cc, country_name AS cn, region AS rg, city AS ct, latitude AS la, longitude AS lo, user_key AS u, "
                + "successes AS s, failures AS f, interrupted AS i, total AS t, 0 AS te FROM location_days WHERE source_id = $1 AND location_key NOT LIKE '~%'"
                + DayFilter(command, range));
        }

        foreach (var (from, to) in range.Edges)
        {
            var edge = new StringBuilder(
                "SELECT country_code AS cc, country_name AS cn, region AS rg, city AS ct, latitude AS la, longitude AS lo, coalesce(user_key, '') AS u, "
                + "(result = 1)::int AS s, (result = 2)::int AS f, (result = 3)::int AS i, 1 AS t, 1 AS te "
                + "FROM events WHERE source_id = $1 AND kind = 1 AND location_reliable AND (country_code IS NOT NULL OR latitude IS NOT NULL)");
            AppendTimeRange(command, edge, from, to);
            parts.Add(edge.ToString());
        }

        command.CommandText =
            $"""
            SELECT cc, cn, rg, ct, la, lo, sum(s)::bigint, sum(f)::bigint, sum(i)::bigint, count(*) FILTER (WHERE u <> ''),
                   (array_agg(u ORDER BY u) FILTER (WHERE u <> ''))[1:{IActivityHistory.LocationUserLimit}], sum(te)::bigint
            FROM (SELECT cc, cn, rg, ct, la, lo, u, sum(s) AS s, sum(f) AS f, sum(i) AS i, sum(t) AS t, sum(te) AS te
                  FROM ({string.Join(" UNION ALL ", parts)}) AS parts
                  GROUP BY cc, cn, rg, ct, la, lo, u) AS per_user
            GROUP BY cc, cn, rg, ct, la, lo
            ORDER BY sum(t) DESC, cc, rg, ct
            """;
    }

    /// <summary>
    /// The statement of <see cref="CountLocationsAsync"/> that counts the rest: the unreliable sign-ins, the unlocated ones
    /// of the whole days, and the reliable ones of the edges (their unlocated are those less the located).
    /// </summary>
    internal static void BuildLocationRest(NpgsqlCommand command, Guid sourceId, LocationRange range)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = sourceId });
        var parts = new List<string>();
        if (range.HasDays)
        {
            parts.Add("SELECT CASE WHEN location_key = '~unreliable' THEN total ELSE 0 END AS unreliable, CASE WHEN location_key = '~unlocated' THEN total ELSE 0 END AS unlocated, "
                + "0 AS reliable FROM location_days WHERE source_id = $1 AND location_key LIKE '~%'" + DayFilter(command, range));
        }

        foreach (var (from, to) in range.Edges)
        {
            var edge = new StringBuilder("SELECT (location_reliable IS NOT TRUE)::int AS unreliable, 0 AS unlocated, (location_reliable IS TRUE)::int AS reliable FROM events WHERE source_id = $1 AND kind = 1");
            AppendTimeRange(command, edge, from, to);
            parts.Add(edge.ToString());
        }

        command.CommandText =
            $"SELECT coalesce(sum(unreliable), 0)::bigint, coalesce(sum(unlocated), 0)::bigint, coalesce(sum(reliable), 0)::bigint FROM ({string.Join(" UNION ALL ", parts)}) AS parts";
    }

    private static string DayFilter(NpgsqlCommand command, LocationRange range) =>
        (range.FirstDay is { } first ? " AND day >= " + Add(command, first, NpgsqlDbType.Date) : "")
        + (range.EndDay is { } end ? " AND day < " + Add(command, end, NpgsqlDbType.Date) : "");

    /// <summary>The statement of <see cref="SummarizeUserAsync"/>.</summary>
    internal static void BuildUserSummary(NpgsqlCommand command, Guid sourceId, string user, DateTimeOffset? start, DateTimeOffset? end)
    {
        var sql = new StringBuilder(
            """
            SELECT GROUPING(country_code, client_ip, coalesce(application_id, application_name)),
                   country_code, host(client_ip), coalesce(application_id, application_name),
                   max(country_name), max(country_code), max(application_name),
                   count(*), count(*) FILTER (WHERE result = 2), min(event_time), max(event_time)
            FROM events WHERE source_id = $1 AND kind = 1 AND user_key = $2
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = sourceId });
        command.Parameters.Add(new NpgsqlParameter { Value = user, NpgsqlDbType = NpgsqlDbType.Text });
        AppendTimeRange(command, sql, start, end);
        sql.Append(" GROUP BY GROUPING SETS ((country_code), (client_ip), (coalesce(application_id, application_name)), ())");
        command.CommandText = sql.ToString();
    }

    /// <summary>Sets the command's text and parameters to <see cref="QueryAsync"/>'s statement (also for EXPLAIN in the benchmark).</summary>
    /// <remarks>
    /// Without a user or address filter, a page is read in two steps, its sequences from an index alone, then only its
    /// rows: walking <c>ix_events_kind_sequence</c> in the page's order and filtering on time, result, action and flags
    /// there; or, without actions and when <paramref name="timeFirst"/> (<see cref="PreferTimeIndexAsync"/>), taking the range's entries
    /// from <c>ix_events_history_time</c> and sorting their sequences ("sequence + 0" keeps the planner from walking the
    /// sequence index instead). Queries with a user or an address are one step, in the order of the index that fits.
    /// </remarks>
    internal static void BuildQuery(NpgsqlCommand command, Guid sourceId, ActivityQuery query, bool timeFirst)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = sourceId });
        timeFirst &= TimeIndexFits(query);
        var filters = new StringBuilder(" WHERE source_id = $1 AND kind = ").Append((short)query.Kind);
        AppendTimeRange(command, filters, query.Start, query.End);
        if (query.User is { } user)
        {
            var p = Add(command, user, NpgsqlDbType.Text);
            filters.Append(query.Role switch
            {
                UserRole.Actor => $" AND user_key = {p}",
                UserRole.Target => $" AND target_key = {p}",
                _ when query.Kind == EventKind.Admin => $" AND (user_key = {p} OR target_key = {p})",
                _ => $" AND user_key = {p}",
            });
        }

        if (query.Results.Count > 0)
        {
            filters.Append(" AND result = ANY(").Append(Add(command, query.Results.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Smallint)).Append(')');
        }

        if (query.Actions.Count > 0)
        {
            filters.Append(" AND action = ANY(").Append(Add(command, query.Actions.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Smallint)).Append(')');
        }

        if (query.Network is { } network)
        {
            filters.Append(" AND client_ip <<= ").Append(Add(command, network, NpgsqlDbType.Cidr));
        }

        if (query.FlaggedOnly)
        {
            filters.Append(" AND risk_flags <> 0");
        }

        if (query.After is { } after)
        {
            filters.Append(query.NewestFirst ? " AND sequence < " : " AND sequence > ").Append(Add(command, after, NpgsqlDbType.Bigint));
        }

        var direction = query.NewestFirst ? " DESC" : "";
        var limit = Add(command, query.Limit, NpgsqlDbType.Integer);
        const string Columns = "SELECT sequence, kind, header, raw, activity, raw_json FROM events";
        var twoSteps = query.User is null && query.Network is null;
        command.CommandText = !twoSteps
            ? $"{Columns}{filters} ORDER BY sequence{direction} LIMIT {limit}"
            : $"{Columns} WHERE source_id = $1 AND sequence = ANY(ARRAY(SELECT sequence FROM events{filters} ORDER BY sequence{(timeFirst ? " + 0" : "")}{direction} LIMIT {limit})) ORDER BY sequence{direction}";
    }

    private static List<SeenValue> Newest(List<SeenValue> values) =>
        [.. values.OrderByDescending(v => v.LastSeen).ThenBy(v => v.Value, StringComparer.Ordinal).Take(IActivityHistory.SummaryLimit)];

    private static void AppendTimeRange(NpgsqlCommand command, StringBuilder sql, DateTimeOffset? start, DateTimeOffset? end)
    {
        if (start is { } from)
        {
            sql.Append(" AND event_time >= ").Append(Add(command, from.UtcDateTime, NpgsqlDbType.TimestampTz));
        }

        if (end is { } to)
        {
            sql.Append(" AND event_time < ").Append(Add(command, to.UtcDateTime, NpgsqlDbType.TimestampTz));
        }
    }

    /// <summary>Adds a positional parameter and gives its placeholder (<c>$n</c>).</summary>
    private static string Add(NpgsqlCommand command, object value, NpgsqlDbType type)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = type });
        return "$" + command.Parameters.Count.ToString(CultureInfo.InvariantCulture);
    }

    private static string? TextOrNull(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
