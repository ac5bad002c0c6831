using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using O365Activity.Contracts.Activity;
using O365Activity.Harness;
using O365Activity.Storage;
using O365Activity.Storage.History;
using O365Activity.Storage.Postgres;
using O365Activity.Storage.Wire;

namespace O365Activity.Benchmarks.Scenarios;

/// <summary>
/// The history queries on PostgreSQL for one tenant with many events (1,000,000 in the full mode: 60% sign-ins, 25%
/// admin changes, 15% raw-only records, over 7 days, 5,000 users, 2,000 addresses in 400 networks, 40 cities), each
/// query asked many times with varied parameters: the latency of a page as the gateway serves it (the statement and
/// the decoding of the events into their messages), p50 and p99. The plan of each query (EXPLAIN ANALYZE, BUFFERS) is
/// written to <c>.local/benchmarks/history-plans.txt</c>.
/// </summary>
public static class HistoryScenario
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Span = TimeSpan.FromDays(7);

    /// <summary>Runs the scenario.</summary>
    public static async Task<IReadOnlyList<Row>> RunAsync(int count, int repeats, TextWriter log)
    {
        await using var server = await PostgresServer.StartAsync(fast: false);
        await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        await new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        var store = new PostgresEventStore(dataSource);
        var tenant = Guid.NewGuid();
        var source = Guid.NewGuid();
        await store.RegisterSourceAsync(new EventSourceEntry(tenant, source, "bench", DateTimeOffset.UtcNow), CancellationToken.None);

        await log.WriteLineAsync($"history: storing {count:N0} events of one tenant...");
        var generator = new Generator(tenant, seed: 7);
        var clock = Stopwatch.StartNew();
        long last = 0;
        const int Batch = 5_000;
        for (var i = 0; i < count; i += Batch)
        {
            var batch = Enumerable.Range(i, Math.Min(Batch, count - i)).Select(n => generator.Next(n, count)).ToList();
            var result = await store.CommitAsync(
                new CommitRequest { SourceId = source, TenantId = tenant, ExpectedLastSequence = last, Records = batch, StoredAt = DateTimeOffset.UtcNow },
                CancellationToken.None);
            last = result.LastSequence;
        }

        // What autovacuum does to tables of this size soon after they are written: visibility maps (index-only scans) and
        // statistics (the planner's row counts).
        foreach (var table in new[] { "events", "location_days", "sign_in_profiles" })
        {
            await using var analyze = dataSource.CreateCommand($"VACUUM ANALYZE {table}");
            await analyze.ExecuteNonQueryAsync();
        }

        await log.WriteLineAsync($"history: stored in {clock.Elapsed.TotalSeconds:F0} s; querying...");
        // The plans are explained on one connection with the work memory CountLocationsAsync gives its statements (64 MB;
        // the list queries' plans do not depend on it: they sort a page at most).
        await using var explain = await dataSource.OpenConnectionAsync();
        await using (var memory = new NpgsqlCommand("SET work_mem = '64MB'", explain))
        {
            await memory.ExecuteNonQueryAsync();
        }

        var random = new Random(11);
        var plans = new StringBuilder($"History query plans: one tenant with {count:N0} events ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)\n");
        var rows = new List<Row>();
        ActivityQuery Query(EventKind kind) => new(kind, null, null, null, UserRole.Any, [], [], null, NewestFirst: true, null, 100);
        DateTimeOffset RandomTime(TimeSpan margin) => Start + TimeSpan.FromSeconds(random.NextDouble() * (Span - margin).TotalSeconds);

        var cases = new (string Name, Func<ActivityQuery> Make)[]
        {
            ("ListIngress, newest first, first page", () => Query(EventKind.Ingress)),
            ("ListIngress, oldest first, a page deep in", () => Query(EventKind.Ingress) with { NewestFirst = false, After = random.NextInt64(1, last) }),
            ("ListIngress, one user", () => Query(EventKind.Ingress) with { User = generator.User(random.Next(Generator.Users)) }),
            ("ListIngress, one user, one day", () => Query(EventKind.Ingress) with { User = generator.User(random.Next(Generator.Users)), Start = RandomTime(TimeSpan.FromDays(1)) } is var q ? q with { End = q.Start + TimeSpan.FromDays(1) } : null!),
            ("ListIngress, one hour", () => Query(EventKind.Ingress) with { Start = RandomTime(TimeSpan.FromHours(1)) } is var q ? q with { End = q.Start + TimeSpan.FromHours(1) } : null!),
            ("ListIngress, one day, oldest first", () => Query(EventKind.Ingress) with { NewestFirst = false, Start = RandomTime(TimeSpan.FromDays(1)) } is var q ? q with { End = q.Start + TimeSpan.FromDays(1) } : null!),
            ("ListIngress, the last 7 days (everything)", () => Query(EventKind.Ingress) with { Start = Start }),
            ("ListIngress, failures", () => Query(EventKind.Ingress) with { Results = [(short)SignInResult.Failure] }),
            ("ListIngress, failures of one user", () => Query(EventKind.Ingress) with { User = generator.User(random.Next(Generator.Users)), Results = [(short)SignInResult.Failure] }),
            ("ListIngress, one address", () => Query(EventKind.Ingress) with { Network = new IPNetwork(generator.Address(random.Next(Generator.Addresses)), 32) }),
            ("ListIngress, one /24 network", () => Query(EventKind.Ingress) with { Network = new IPNetwork(generator.Network(random.Next(Generator.Networks)), 24) }),
            ("ListAdmin, newest first, first page", () => Query(EventKind.Admin)),
            ("ListAdmin, one user (actor or target)", () => Query(EventKind.Admin) with { User = generator.User(random.Next(Generator.Users)) }),
            ("ListAdmin, one action", () => Query(EventKind.Admin) with { Actions = [(short)Generator.Actions[random.Next(Generator.Actions.Length)]] }),
        };

        foreach (var (name, make) in cases)
        {
            var latencies = new List<double>();
            for (var i = 0; i < repeats; i++)
            {
                var query = make();
                var timer = Stopwatch.StartNew();
                var page = await store.QueryAsync(source, query, CancellationToken.None);
                Decode(page);
                latencies.Add(timer.Elapsed.TotalMilliseconds);
            }

            await using (var command = new NpgsqlCommand { Connection = explain })
            {
                var query = make();
                PostgresEventStore.BuildQuery(command, source, query, await store.PreferTimeIndexAsync(source, query, CancellationToken.None));
                await ExplainAsync(command, name, plans);
            }

            rows.AddRange(Report(name, latencies));
            await log.WriteLineAsync($"history: {name}: p50 {Percentiles.Median(latencies):F1} ms, p99 {Percentiles.Of(latencies, 99):F1} ms");
        }

        var summaryLatencies = new List<double>();
        var locationsDay = new List<double>();
        var locationsWeek = new List<double>();
        for (var i = 0; i < repeats; i++)
        {
            var user = generator.User(random.Next(Generator.Users));
            var timer = Stopwatch.StartNew();
            foreach (var (kind, role) in new[] { (EventKind.Ingress, UserRole.Any), (EventKind.Admin, UserRole.Actor), (EventKind.Admin, UserRole.Target) })
            {
                Decode(await store.QueryAsync(source, Query(kind) with { User = user, Role = role }, CancellationToken.None));
            }

            await store.SummarizeUserAsync(source, user, null, null, CancellationToken.None);
            summaryLatencies.Add(timer.Elapsed.TotalMilliseconds);

            var day = RandomTime(TimeSpan.FromDays(1));
            timer.Restart();
            await store.CountLocationsAsync(source, day, day.AddDays(1), CancellationToken.None);
            locationsDay.Add(timer.Elapsed.TotalMilliseconds);
            if (i < Math.Max(5, repeats / 5))
            {
                timer.Restart();
                await store.CountLocationsAsync(source, null, null, CancellationToken.None);
                locationsWeek.Add(timer.Elapsed.TotalMilliseconds);
            }
        }

        await using (var command = new NpgsqlCommand { Connection = explain })
        {
            PostgresEventStore.BuildUserSummary(command, source, generator.User(3), null, null);
            await ExplainAsync(command, "GetUserActivity: the user's summary (its three lists use the ListIngress/ListAdmin plans of one user)", plans);
        }

        await using (var command = new NpgsqlCommand { Connection = explain })
        {
            PostgresEventStore.BuildLocationCounts(command, source, LocationRange.Of(Start.AddDays(3).AddHours(5), Start.AddDays(4).AddHours(5)));
            await ExplainAsync(command, "ListLocations, one day (05:00 to 05:00): grouped located sign-ins", plans);
        }

        await using (var command = new NpgsqlCommand { Connection = explain })
        {
            PostgresEventStore.BuildLocationCounts(command, source, LocationRange.Of(null, null));
            await ExplainAsync(command, "ListLocations, all 7 days: grouped located sign-ins", plans);
        }

        rows.AddRange(Report("GetUserActivity (3 lists of 100 and the summary)", summaryLatencies));
        rows.AddRange(Report("ListLocations, one day", locationsDay));
        rows.AddRange(Report("ListLocations, all 7 days", locationsWeek, target: false));
        await log.WriteLineAsync($"history: GetUserActivity p99 {Percentiles.Of(summaryLatencies, 99):F1} ms; ListLocations one day p99 {Percentiles.Of(locationsDay, 99):F1} ms, 7 days p99 {Percentiles.Of(locationsWeek, 99):F1} ms");

        var path = Path.Combine(RepoPaths.Root, ".local", "benchmarks", "history-plans.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, plans.ToString());
        await log.WriteLineAsync($"history: plans written to {path}");
        return rows;

        IEnumerable<Row> Report(string name, List<double> latencies, bool target = true)
        {
            var p99 = Percentiles.Of(latencies, 99);
            yield return new Row("history", $"{name}, p50 ({count:N0} events)", Percentiles.Median(latencies), "ms", "", "", null);
            yield return new Row("history", $"{name}, p99 ({count:N0} events)", p99, "ms", "", target ? "< 100 ms" : "", target ? p99 < 100 : null);
        }
    }

    private static void Decode(IReadOnlyList<StoredEvent> page)
    {
        foreach (var stored in page)
        {
            _ = stored.Kind == EventKind.Ingress ? (object)EventWireFormat.ToIngressEvent(stored) : EventWireFormat.ToAdminEvent(stored);
        }
    }

    private static async Task ExplainAsync(NpgsqlCommand command, string name, StringBuilder plans)
    {
        command.CommandText = "EXPLAIN (ANALYZE, BUFFERS) " + command.CommandText;
        plans.Append("\n== ").Append(name).Append(" ==\n");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            plans.Append(reader.GetString(0)).Append('\n');
        }
    }

    /// <summary>Synthetic normalized events with the shape of a busy tenant's, from a seed.</summary>
    private sealed class Generator(Guid tenant, int seed)
    {
        public const int Users = 5_000;
        public const int Addresses = 2_000;
        public const int Networks = 400;

        public static readonly AdminAction[] Actions =
        [
            AdminAction.UserUpdated, AdminAction.UserUpdated, AdminAction.UserUpdated, AdminAction.GroupMemberAdded, AdminAction.GroupMemberRemoved,
            AdminAction.PasswordReset, AdminAction.UserAdded, AdminAction.UserDeleted, AdminAction.RoleMemberAdded, AdminAction.SitePermissionsModified,
        ];

        private static readonly string Filler = new('x', 1_100);
        private static readonly GeoLocation[] Cities = [.. Enumerable.Range(0, 40).Select(i => new GeoLocation
        {
            CountryCode = ((char)('A' + (i % 25))).ToString() + (char)('A' + (i / 25)),
            CountryName = $"Country {i % 25}",
            Region = $"Region {i}",
            City = $"City {i}",
            Latitude = -50 + (i * 2.5),
            Longitude = -170 + (i * 8.5),
        })];

        private readonly Random _random = new(seed);

        public string User(int n) => $"user{n}@contoso.example";

        /// <summary>Address n: the (n / 400 + 1)th host of network n mod 400 (5 per network).</summary>
        public IPAddress Address(int n) => new([(byte)(10 + (n % Networks / 250)), (byte)(n % Networks % 250), 0, (byte)(1 + (n / Networks))]);

        /// <summary>Network n (a /24), n below 400.</summary>
        public IPAddress Network(int n) => new([(byte)(10 + (n / 250)), (byte)(n % 250), 0, 0]);

        public NewRecord Next(int n, int count)
        {
            var time = Start + TimeSpan.FromTicks(Span.Ticks / count * n) + TimeSpan.FromSeconds(_random.Next(-600, 600));
            var id = Guid.NewGuid().ToString();
            var kind = _random.Next(100);
            var json = $$"""{"Id":"{{id}}","CreationTime":"{{time:O}}","Filler":"{{Filler}}"}""";
            var raw = new RawRecord { TenantId = tenant, RecordId = id, EventTime = time, IngestTime = time, RecordType = 15, Operation = "UserLoggedIn", RawJson = json };
            if (kind < 60)
            {
                var user = _random.Next(Users);
                var address = Address((user * 3 + _random.Next(3)) % Addresses);
                var resultDraw = _random.Next(100);
                var location = _random.Next(100) < 3 ? null : Cities[(user + _random.Next(2)) % Cities.Length];
                return new NewRecord(raw, new IngressEvent
                {
                    TenantId = tenant, RecordId = id, EventTime = time, IngestTime = time, RecordType = 15, RawJson = json,
                    Operation = resultDraw < 12 ? "UserLoginFailed" : "UserLoggedIn",
                    User = User(user),
                    Result = resultDraw < 12 ? SignInResult.Failure : resultDraw < 15 ? SignInResult.Interrupted : SignInResult.Success,
                    ClientAddress = new ClientAddress { Ip = address.ToString(), Raw = address.ToString(), SourceField = "ClientIP" },
                    Location = location,
                    LocationReliable = _random.Next(100) >= 5,
                    ApplicationId = $"00000000-0000-0000-0000-{_random.Next(20):D12}",
                    ApplicationName = $"App {_random.Next(20)}",
                    UserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
                });
            }

            if (kind < 85)
            {
                var actor = _random.Next(100) < 80 ? User(_random.Next(50)) : User(_random.Next(Users));
                raw = raw with { RecordType = 8, Operation = "Update user." };
                return new NewRecord(raw, new AdminEvent
                {
                    TenantId = tenant, RecordId = id, EventTime = time, IngestTime = time, RecordType = 8, Operation = "Update user.", RawJson = json,
                    Action = Actions[_random.Next(Actions.Length)],
                    Actor = actor,
                    ActorKind = ActorKind.User,
                    ActorAddress = new ClientAddress { Ip = Address(_random.Next(Addresses)).ToString() },
                    TargetKind = TargetKind.User,
                    Target = User(_random.Next(Users)),
                    Result = ActivityResult.Success,
                });
            }

            return new NewRecord(raw with { RecordType = 6, Operation = "FileAccessed" }, null);
        }
    }
}
