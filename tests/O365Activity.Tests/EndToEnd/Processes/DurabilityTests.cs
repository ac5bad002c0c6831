using Grpc.Core;
using Npgsql;
using Xunit.Abstractions;
using O365Activity.Emulator;
using O365Activity.Protos.V1;
using O365Activity.Tests.Infrastructure;
using O365Activity.Harness;
using O365Activity.Tests.Infrastructure.Processes;

namespace O365Activity.Tests.EndToEnd.Processes;

/// <summary>
/// The service in real processes on a real PostgreSQL, through restarts, crashes and a database outage: nothing
/// lost, nothing doubled, every source still there, subscribers gapless (DESIGN.md decisions 2–4, 7; case DUP3).
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class DurabilityTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private static readonly string[] BacklogTypes = ["Audit.AzureActiveDirectory", "Audit.SharePoint", "Audit.Exchange"];

    [Fact]
    public async Task FullRestart_MidCollection_SourcesStayAndAResumingSubscriberGetsEveryEventOnceInOrder()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var cluster = await ProcessCluster.CreateAsync(nameof(FullRestart_MidCollection_SourcesStayAndAResumingSubscriberGetsEveryEventOnceInOrder), database.ConnectionString, Backlog(6_000, seed: 11));
        await cluster.StartSiloAsync();
        await cluster.StartGatewayAsync();
        var tenant = Guid.NewGuid();
        using var slow = SlowBlobs(cluster, tenant);
        await TestSources.CreateConnectedAsync(cluster.Sources, tenant, unfiltered: true, BacklogTypes);
        var expected = cluster.Emulator.State.EnumerateRecordIds(tenant).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.Equal(6_000, expected.Count);

        var first = ResumingReader.Start(() => cluster.Activity, tenant, after: 0, resume: false);
        await first.WaitForCountAsync(1_000, Patience, cluster.Tails);
        await first.DisposeAsync();
        var stoppedAt = await LastSequenceAsync(database, tenant);
        foreach (var process in cluster.Gateways.Concat(cluster.Silos))
        {
            await process.StopAsync(TimeSpan.FromSeconds(20));
        }

        Assert.True(stoppedAt < 6_000, $"The collection had finished before the stop ({stoppedAt}); the test must stop it midway.");
        await cluster.StartSiloAsync();
        await cluster.StartGatewayAsync();
        var status = await cluster.Sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant.ToString() });
        Assert.Contains(status.State, (ConnectionState[])[ConnectionState.Connecting, ConnectionState.Connected]);
        await using var second = ResumingReader.Start(() => cluster.Activity, tenant, after: first.Last, resume: false);
        await second.WaitForCountAsync(6_000 - first.Received.Count, Patience, cluster.Tails);

        var all = first.Received.Concat(second.Received).ToList();
        Assert.Equal(Enumerable.Range(1, 6_000).Select(i => (long)i), all.Select(e => e.Sequence));
        Assert.True(expected.SetEquals(all.Select(e => e.RecordId)), "The records delivered are not the set the emulator served.");
        Assert.Equal(2, second.Connections + first.Connections);

        // The same records again, in new blobs after the restart (case DUP3): nothing new is stored or delivered.
        cluster.Emulator.State.AddBlob(tenant, [.. cluster.Emulator.State.GetBlobs(tenant, "Audit.SharePoint").Take(3).SelectMany(b => cluster.Emulator.State.GetRecordIds(b.ContentId)).Select(id => TestRecords.SignIn(1).Replace(TestRecords.Id(1), id, StringComparison.Ordinal))], new BlobOptions { ContentType = "Audit.AzureActiveDirectory" });
        await WaitForListingAsync(cluster, tenant);
        await Task.Delay(1_000);
        Assert.Equal(6_000, await LastSequenceAsync(database, tenant));
        Assert.Equal(6_000 - first.Received.Count, second.Received.Count);

        // The history of the stored events, from PostgreSQL through the gateway process: every sign-in and admin change
        // once, in sequence order, as many as the source counted.
        var counted = (await cluster.Sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant.ToString() })).Counters;
        var history = new History.HistoryClient(cluster.Channel);
        var signIns = new List<long>();
        var token = "";
        do
        {
            var page = await history.ListIngressAsync(new ListIngressRequest { TenantId = tenant.ToString(), PageSize = 1_000, PageToken = token });
            signIns.AddRange(page.Events.Select(e => e.Header.Sequence));
            token = page.NextPageToken;
        }
        while (token != "");

        Assert.True(signIns.Count > 0, "the backlog has sign-ins");
        Assert.Equal(counted.IngressEvents, signIns.Count);
        Assert.Equal(signIns.OrderDescending(), signIns);
        Assert.Equal(signIns.Count, signIns.Distinct().Count());
        var locations = await history.ListLocationsAsync(new ListLocationsRequest { TenantId = tenant.ToString() });
        Assert.Equal(counted.IngressEvents, locations.Locations.Sum(l => l.Successes + l.Failures + l.Interrupted) + locations.UnreliableSignIns + locations.UnlocatedSignIns
            + (await history.ListIngressAsync(new ListIngressRequest { TenantId = tenant.ToString(), PageSize = 1_000, Results = { SignInResult.Unspecified } })).Events.Count(e => e.Location is { CountryCode.Length: > 0 } && e.LocationReliable));
    }

    [Fact]
    public async Task SiloCrash_TwoSilosTwoGatewaysFiftyTenants_SurvivorCarriesOnAndSubscribersOnEitherGatewayStayGapless()
    {
        const int tenants = 50;
        const int perTenant = 400;
        await using var database = await TestDatabase.CreateAsync();
        await using var cluster = await ProcessCluster.CreateAsync(nameof(SiloCrash_TwoSilosTwoGatewaysFiftyTenants_SurvivorCarriesOnAndSubscribersOnEitherGatewayStayGapless), database.ConnectionString, Backlog(perTenant, seed: 12));
        await cluster.StartSiloAsync();
        await cluster.StartSiloAsync();
        await cluster.StartGatewayAsync();
        var second = new Uri($"http://127.0.0.1:{Ports.FreeFixed()}");
        await cluster.StartGatewayAsync(grpcAddress: second);
        using var secondChannel = Grpc.Net.Client.GrpcChannel.ForAddress(second);
        var ids = Enumerable.Range(0, tenants).Select(_ => Guid.NewGuid()).ToList();
        var slow = ids.Select(t => SlowBlobs(cluster, t, TimeSpan.FromMilliseconds(600))).ToList();
        foreach (var tenant in ids)
        {
            await TestSources.CreateConnectedAsync(cluster.Sources, tenant, unfiltered: true, BacklogTypes);
        }

        var connected = ids.ToDictionary(t => t, t => ResumingReader.Start(() => cluster.Activity, t, after: 0, resume: false));
        // On the other gateway, one resuming reader per tenant: each gets the events of a tenant on either silo.
        var resumingReaders = ids.ToDictionary(t => t, t => ResumingReader.Start(() => new Activity.ActivityClient(secondChannel), t, after: 0, resume: true));
        try
        {
            // Every reader is subscribed (a call that starts during the crash may rightly get UNAVAILABLE) and events flow.
            await Task.WhenAll(connected.Values.Concat(resumingReaders.Values).Select(r => r.Subscribed)).WaitAsync(Patience);
            await connected[ids[0]].WaitForCountAsync(50, Patience, cluster.Tails);

            // The victim: the silo that hosts most tenants.
            var hosts = await HostsAsync(database);
            Assert.Equal(2, hosts.Values.Distinct().Count());
            var victimAddress = hosts.GroupBy(h => h.Value).OrderByDescending(g => g.Count()).First().Key;
            var victim = cluster.Silos.Single(s => victimAddress.StartsWith($"127.0.0.1:{s.SiloPort}@", StringComparison.Ordinal));
            var moved = hosts.Where(h => h.Value == victimAddress).Select(h => h.Key).ToList();
            victim.Kill();
            var killedAt = DateTimeOffset.UtcNow;

            // Its tenants list content again from the survivor.
            foreach (var tenant in moved)
            {
                await cluster.Emulator.State.WaitForRequestAsync(r => r.TenantId == tenant && r.Time > killedAt && r.Kind == RequestKind.ListContent, includeLogged: true).WaitAsync(Patience);
            }

            var failover = DateTimeOffset.UtcNow - killedAt;
            output.WriteLine($"kill -9 of the silo hosting {moved.Count} of {tenants} tenants: all of them listing again on the survivor after {failover.TotalSeconds:F1} s");
            Assert.True(failover < TimeSpan.FromSeconds(60), $"The crashed silo's {moved.Count} tenants collected again after {failover}.");
            foreach (var (tenant, reader) in connected)
            {
                await reader.WaitForCountAsync(perTenant, Patience, cluster.Tails);
            }

            foreach (var (tenant, reader) in resumingReaders)
            {
                await reader.WaitForCountAsync(perTenant, Patience, cluster.Tails);
                Assert.Equal(Enumerable.Range(1, perTenant).Select(i => (long)i), reader.Received.Select(e => e.Sequence));
            }

            foreach (var (tenant, reader) in connected)
            {
                var expected = cluster.Emulator.State.EnumerateRecordIds(tenant).ToHashSet(StringComparer.OrdinalIgnoreCase);
                Assert.Equal(Enumerable.Range(1, perTenant).Select(i => (long)i), reader.Received.Select(e => e.Sequence));
                Assert.True(expected.SetEquals(reader.Received.Select(e => e.RecordId)), $"Tenant {tenant}: the records delivered are not the set the emulator served.");
                Assert.Null(reader.Error);
                Assert.Equal(expected.Count, await StoredCountAsync(database, tenant));
            }
        }
        finally
        {
            foreach (var reader in connected.Values.Concat(resumingReaders.Values))
            {
                await reader.DisposeAsync();
            }

            slow.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task GatewayRestart_ClientsReconnectWithTheirLastSequenceAndLoseNothing()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var cluster = await ProcessCluster.CreateAsync(nameof(GatewayRestart_ClientsReconnectWithTheirLastSequenceAndLoseNothing), database.ConnectionString, Backlog(3_000, seed: 13));
        await cluster.StartSiloAsync();
        var gateway = await cluster.StartGatewayAsync();
        var tenant = Guid.NewGuid();
        using var slow = SlowBlobs(cluster, tenant);
        await TestSources.CreateConnectedAsync(cluster.Sources, tenant, unfiltered: true, BacklogTypes);
        await using var reader = ResumingReader.Start(() => cluster.Activity, tenant, after: 0, resume: true);
        await reader.WaitForCountAsync(500, Patience, cluster.Tails);

        gateway.Kill();
        await Task.Delay(500);
        await cluster.StartGatewayAsync();
        await reader.WaitForCountAsync(3_000, Patience, cluster.Tails);

        Assert.True(reader.Connections >= 2, "The reader never had to reconnect.");
        Assert.Equal(Enumerable.Range(1, 3_000).Select(i => (long)i), reader.Received.Select(e => e.Sequence));
    }

    [Fact]
    public async Task GatewayStopped_OpenStreamsEndAtOnceWithUnavailable()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var cluster = await ProcessCluster.CreateAsync(nameof(GatewayStopped_OpenStreamsEndAtOnceWithUnavailable), database.ConnectionString, Backlog(100, seed: 14));
        await cluster.StartSiloAsync();
        var gateway = await cluster.StartGatewayAsync();
        var tenant = Guid.NewGuid();
        await TestSources.CreateConnectedAsync(cluster.Sources, tenant, unfiltered: true, BacklogTypes);
        await using var reader = ResumingReader.Start(() => cluster.Activity, tenant, after: 0, resume: false);
        await reader.WaitForCountAsync(100, Patience, cluster.Tails);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await gateway.StopAsync(TimeSpan.FromSeconds(30));
        var stopped = clock.Elapsed;
        await reader.Ended.WaitAsync(Patience);

        Assert.True(stopped < TimeSpan.FromSeconds(10), $"The gateway took {stopped} to stop with a stream open.");
        Assert.Equal(StatusCode.Unavailable, reader.Error?.StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GatewayStopped_WithAStatusWatchOpen_StopsAtOnceAndEndsItWithUnavailable(bool siloCrashedBefore)
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var cluster = await ProcessCluster.CreateAsync(nameof(GatewayStopped_WithAStatusWatchOpen_StopsAtOnceAndEndsItWithUnavailable), database.ConnectionString, Backlog(100, seed: 15));
        var silo = await cluster.StartSiloAsync();
        var gateway = await cluster.StartGatewayAsync();
        var tenant = Guid.NewGuid();
        await TestSources.CreateConnectedAsync(cluster.Sources, tenant, unfiltered: true, BacklogTypes);
        await using var reader = ResumingReader.Start(() => cluster.Activity, tenant, after: 0, resume: false);
        await reader.WaitForCountAsync(100, Patience, cluster.Tails);

        // A status watch (the CLI's demo keeps one open beside its streams), in sync.
        using var watch = cluster.Sources.WatchEventSources(new WatchEventSourcesRequest());
        while (await watch.ResponseStream.MoveNext(CancellationToken.None) && watch.ResponseStream.Current.Kind != EventSourceChange.Types.Kind.InSync)
        {
        }

        var watching = Task.Run(async () =>
        {
            try
            {
                while (await watch.ResponseStream.MoveNext(CancellationToken.None))
                {
                }

                return StatusCode.OK;
            }
            catch (RpcException e)
            {
                return e.StatusCode;
            }
        });
        if (siloCrashedBefore)
        {
            silo.Kill();
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await gateway.StopAsync(TimeSpan.FromSeconds(60));
        var stopped = clock.Elapsed;

        // Before, the host waited for the watch until its shutdown timeout (30 s) cut it; an orchestrator would have killed it first.
        Assert.True(stopped < TimeSpan.FromSeconds(8), $"The gateway took {stopped} to stop with a status watch open.\n{gateway.Tail()}");
        Assert.Equal(StatusCode.Unavailable, await watching.WaitAsync(Patience));
    }

    [Fact]
    public async Task DatabaseOutage_DuringCollection_PollingPausesAndCatchesUpWithNothingLost()
    {
        await using var server = await PostgresServer.StartAsync();
        await using var cluster = await ProcessCluster.CreateAsync(nameof(DatabaseOutage_DuringCollection_PollingPausesAndCatchesUpWithNothingLost), server.ConnectionString, Backlog(4_000, seed: 14));
        await cluster.StartSiloAsync();
        await cluster.StartGatewayAsync();
        var tenant = Guid.NewGuid();
        using var slow = SlowBlobs(cluster, tenant);
        await TestSources.CreateConnectedAsync(cluster.Sources, tenant, unfiltered: true, BacklogTypes);
        await using var reader = ResumingReader.Start(() => cluster.Activity, tenant, after: 0, resume: true);
        await reader.WaitForCountAsync(500, Patience, cluster.Tails);

        await server.StopAsync();
        var status = await WaitForStatusAsync(cluster, tenant, s => s.LastError.Contains("event store", StringComparison.Ordinal));
        Assert.Contains("PostgreSQL", status.LastError, StringComparison.Ordinal);
        var duringOutage = reader.Received.Count;
        await Task.Delay(3_000);
        Assert.Equal(duringOutage, reader.Received.Count);
        await server.RestartAsync();

        await reader.WaitForCountAsync(4_000, Patience, cluster.Tails);
        var expected = cluster.Emulator.State.EnumerateRecordIds(tenant).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.Equal(Enumerable.Range(1, 4_000).Select(i => (long)i), reader.Received.Select(e => e.Sequence));
        Assert.True(expected.SetEquals(reader.Received.Select(e => e.RecordId)), "The records delivered are not the set the emulator served.");
        await WaitForStatusAsync(cluster, tenant, s => s.LastError.Length == 0);
    }

    [Fact]
    public async Task NoSiloRunning_CallsAreUnavailableAndAnOpenStreamPausesThenContinues()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var cluster = await ProcessCluster.CreateAsync(nameof(NoSiloRunning_CallsAreUnavailableAndAnOpenStreamPausesThenContinues), database.ConnectionString, Backlog(2_000, seed: 15));
        var silo = await cluster.StartSiloAsync();
        await cluster.StartGatewayAsync();
        var tenant = Guid.NewGuid();
        using var slow = SlowBlobs(cluster, tenant);
        await TestSources.CreateConnectedAsync(cluster.Sources, tenant, unfiltered: true, BacklogTypes);
        await using var reader = ResumingReader.Start(() => cluster.Activity, tenant, after: 0, resume: false);
        await reader.WaitForCountAsync(200, Patience, cluster.Tails);

        silo.Kill();
        var calls = new List<Grpc.Core.StatusCode>();
        for (var i = 0; i < 3; i++)
        {
            var error = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () =>
                await cluster.Sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant.ToString() }, deadline: DateTime.UtcNow.AddSeconds(60)));
            calls.Add(error.StatusCode);
        }

        Assert.All(calls, c => Assert.Equal(Grpc.Core.StatusCode.Unavailable, c));
        await cluster.StartSiloAsync();
        await reader.WaitForCountAsync(2_000, Patience, cluster.Tails);

        Assert.Null(reader.Error);
        Assert.Equal(1, reader.Connections);
        Assert.Equal(Enumerable.Range(1, 2_000).Select(i => (long)i), reader.Received.Select(e => e.Sequence));
    }

    private static EmulatorOptions Backlog(int records, int seed) => new()
    {
        Backlog = new BacklogOptions(records) { Window = TimeSpan.FromHours(12) },
        BlobSize = 100,
        GeneratorSeed = seed,
        AutoConsentAllTenants = true,
    };

    /// <summary>
    /// Slows every blob fetch of the tenant, so that a collection is still running when the test strikes. A tenant fetches
    /// four blobs at once (<c>Collector:MaxConcurrentFetches</c>), so the delay is four times what one blob at a time needs.
    /// </summary>
    private static FaultHandle SlowBlobs(ProcessCluster cluster, Guid tenant, TimeSpan? delay = null) =>
        cluster.Emulator.State.InjectFault(new FaultRule { Kind = RequestKind.GetBlob, TenantId = tenant, Times = null, Delay = delay ?? TimeSpan.FromMilliseconds(240), DelayOnly = true });

    private static async Task WaitForListingAsync(ProcessCluster cluster, Guid tenant)
    {
        var since = DateTimeOffset.UtcNow;
        await cluster.Emulator.State.WaitForRequestAsync(r => r.TenantId == tenant && r.Kind == RequestKind.ListContent && r.Time > since, includeLogged: false).WaitAsync(Patience);
        since = DateTimeOffset.UtcNow;
        await cluster.Emulator.State.WaitForRequestAsync(r => r.TenantId == tenant && r.Kind == RequestKind.ListContent && r.Time > since, includeLogged: false).WaitAsync(Patience);
    }

    private static async Task<EventSource> WaitForStatusAsync(ProcessCluster cluster, Guid tenant, Func<EventSource, bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        EventSource status;
        while (!condition(status = await cluster.Sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant.ToString() })))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"The status never matched; last error '{status.LastError}'.\n{cluster.Tails()}");
            }

            await Task.Delay(200);
        }

        return status;
    }

    private static async Task<long> LastSequenceAsync(TestDatabase database, Guid tenant)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT last_sequence FROM event_sources WHERE tenant_id = $1", connection) { Parameters = { new() { Value = tenant } } };
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<long> StoredCountAsync(TestDatabase database, Guid tenant)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM events WHERE tenant_id = $1", connection) { Parameters = { new() { Value = tenant } } };
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<Dictionary<Guid, string>> HostsAsync(TestDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT tenant_id, host_silo FROM event_sources WHERE host_silo IS NOT NULL", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var hosts = new Dictionary<Guid, string>();
        while (await reader.ReadAsync())
        {
            hosts[reader.GetGuid(0)] = reader.GetString(1);
        }

        return hosts;
    }
}
