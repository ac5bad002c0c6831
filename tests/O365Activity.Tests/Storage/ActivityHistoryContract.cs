using System.Net;
using O365Activity.Contracts.Activity;
using O365Activity.Storage;
using O365Activity.Storage.History;
using O365Activity.Storage.InMemory;
using O365Activity.Storage.Wire;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.Storage;

/// <summary>
/// What every <see cref="IActivityHistory"/> must answer, run against both stores so that they agree: pages in sequence
/// order that cover each match once, the filters (time range, user in any letter case, result, action, actor or target,
/// address and network), sign-ins by location with the unreliable and unlocated ones counted apart, and one user's summary.
/// </summary>
public abstract class ActivityHistoryContract : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2024, 6, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly GeoLocation Amsterdam = new() { CountryCode = "NL", CountryName = "Netherlands", Region = "North Holland", City = "Amsterdam", Latitude = 52.37, Longitude = 4.89 };
    private static readonly GeoLocation Paris = new() { CountryCode = "FR", CountryName = "France", Region = "Île-de-France", City = "Paris", Latitude = 48.85, Longitude = 2.35 };
    private static readonly GeoLocation CountryOnly = new() { CountryCode = "DE", CountryName = "Germany" };
    private readonly Guid _tenant = Guid.NewGuid();
    private readonly Guid _source = Guid.NewGuid();
    private long _last;
    private int _number;

    /// <summary>The store under test (both interfaces).</summary>
    protected IEventStore Store { get; private set; } = null!;

    private IActivityHistory History => (IActivityHistory)Store;

    public async Task InitializeAsync()
    {
        Store = await CreateStoreAsync();
        await Store.RegisterSourceAsync(new EventSourceEntry(_tenant, _source, "Contoso", T0), CancellationToken.None);
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Query_PagesInSequenceOrder_CoverEveryMatchOnceAndNothingElse(bool newestFirst)
    {
        var records = new List<NewRecord>();
        for (var i = 0; i < 23; i++)
        {
            records.Add(SignIn($"user{i % 3}@example.com", SignInResult.Success, T0.AddMinutes(i), "203.0.113.5", Amsterdam));
            records.Add(i % 2 == 0 ? Admin("admin@example.com", "user1@example.com", AdminAction.UserUpdated, T0.AddMinutes(i)) : Raw(T0.AddMinutes(i)));
        }

        var sequences = await CommitAsync(records);
        var expected = sequences.Where((_, i) => records[i].Kind == EventKind.Ingress).ToList();
        if (newestFirst)
        {
            expected.Reverse();
        }

        var seen = new List<long>();
        long? after = null;
        while (true)
        {
            var page = await QueryAsync(Query(EventKind.Ingress) with { NewestFirst = newestFirst, After = after, Limit = 5 });
            Assert.All(page, e => Assert.Equal(EventKind.Ingress, e.Kind));
            seen.AddRange(page.Select(e => e.Sequence));
            if (page.Count < 5)
            {
                break;
            }

            after = page[^1].Sequence;
        }

        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task Query_Ingress_FiltersByTimeUserResultAndAddress()
    {
        var records = new[]
        {
            SignIn("Ana@Example.com", SignInResult.Success, T0, "203.0.113.5", Amsterdam),
            SignIn("ana@example.com", SignInResult.Failure, T0.AddHours(1), "203.0.113.77", Amsterdam),
            SignIn("bob@example.com", SignInResult.Interrupted, T0.AddHours(2), "198.51.100.9", Paris),
            SignIn("ana@example.com", SignInResult.Success, T0.AddHours(3), "2001:db8:4:1::25", Paris),
            SignIn("bob@example.com", SignInResult.Failure, T0.AddHours(4), null, null),
        };
        var s = await CommitAsync(records);

        Assert.Equal([s[3], s[1], s[0]], await Sequences(Query(EventKind.Ingress) with { User = "ana@example.com" }));
        Assert.Equal([s[4], s[1]], await Sequences(Query(EventKind.Ingress) with { Results = [(short)SignInResult.Failure] }));
        Assert.Equal([s[4], s[2], s[1]], await Sequences(Query(EventKind.Ingress) with { Results = [(short)SignInResult.Failure, (short)SignInResult.Interrupted] }));
        // [start, end): the start is in, the end is out.
        Assert.Equal([s[2], s[1]], await Sequences(Query(EventKind.Ingress) with { Start = T0.AddHours(1), End = T0.AddHours(3) }));
        Assert.Equal([s[1], s[0]], await Sequences(Query(EventKind.Ingress) with { Network = IPNetwork.Parse("203.0.113.0/24") }));
        Assert.Equal([s[1]], await Sequences(Query(EventKind.Ingress) with { Network = IPNetwork.Parse("203.0.113.77/32") }));
        Assert.Equal([s[3]], await Sequences(Query(EventKind.Ingress) with { Network = IPNetwork.Parse("2001:db8:4:1::/64") }));
        Assert.Empty(await Sequences(Query(EventKind.Ingress) with { Network = IPNetwork.Parse("10.0.0.0/8") }));
        Assert.Equal([s[1]], await Sequences(Query(EventKind.Ingress) with { User = "ana@example.com", Results = [(short)SignInResult.Failure], Start = T0.AddMinutes(1) }));
    }

    [Fact]
    public async Task Query_Admin_UserMatchesActorOrTarget_AndActionsFilter()
    {
        var records = new[]
        {
            Admin("admin@example.com", "ana@example.com", AdminAction.PasswordReset, T0),
            Admin("ana@example.com", "sales", AdminAction.GroupMemberAdded, T0.AddMinutes(1)),
            Admin("admin@example.com", "bob@example.com", AdminAction.UserDeleted, T0.AddMinutes(2)),
            SignIn("ana@example.com", SignInResult.Success, T0, "203.0.113.5", Amsterdam),
        };
        var s = await CommitAsync(records);

        Assert.Equal([s[1], s[0]], await Sequences(Query(EventKind.Admin) with { User = "ana@example.com" }));
        Assert.Equal([s[1]], await Sequences(Query(EventKind.Admin) with { User = "ana@example.com", Role = UserRole.Actor }));
        Assert.Equal([s[0]], await Sequences(Query(EventKind.Admin) with { User = "ana@example.com", Role = UserRole.Target }));
        Assert.Equal([s[2], s[0]], await Sequences(Query(EventKind.Admin) with { Actions = [(short)AdminAction.UserDeleted, (short)AdminAction.PasswordReset] }));
        Assert.Equal([s[2], s[1], s[0]], await Sequences(Query(EventKind.Admin) with { Network = IPNetwork.Parse("192.0.2.0/24") }));
        Assert.Empty(await Sequences(Query(EventKind.Admin) with { Network = IPNetwork.Parse("192.0.2.45/32") }));
    }

    [Fact]
    public async Task CountLocations_GroupsReliableLocatedSignIns_CountsTheRestApart()
    {
        await CommitAsync(
        [
            SignIn("ana@example.com", SignInResult.Success, T0, "203.0.113.5", Amsterdam),
            SignIn("ana@example.com", SignInResult.Failure, T0.AddMinutes(1), "203.0.113.6", Amsterdam),
            SignIn("bob@example.com", SignInResult.Interrupted, T0.AddMinutes(2), "203.0.113.7", Amsterdam),
            SignIn("cy@example.com", SignInResult.Failure, T0.AddMinutes(3), "198.51.100.9", Paris),
            SignIn("dee@example.com", SignInResult.Success, T0.AddMinutes(4), "192.0.2.1", CountryOnly),
            SignIn("fed@fed.example.net", SignInResult.Success, T0.AddMinutes(5), "198.51.100.10", Paris, reliable: false),
            SignIn("eve@example.com", SignInResult.Success, T0.AddMinutes(6), "10.1.2.3", null),
            SignIn("old@example.com", SignInResult.Success, T0.AddDays(-3), "198.51.100.11", Paris),
            Admin("admin@example.com", "ana@example.com", AdminAction.PasswordReset, T0),
        ]);

        var summary = await History.CountLocationsAsync(_source, T0.AddDays(-1), T0.AddDays(1), CancellationToken.None);

        Assert.Equal(
            [
                ("NL", "Amsterdam", 1L, 1L, 1L, 2L, "ana@example.com,bob@example.com"),
                ("DE", (string?)null, 1L, 0L, 0L, 1L, "dee@example.com"),
                ("FR", "Paris", 0L, 1L, 0L, 1L, "cy@example.com"),
            ],
            summary.Locations.Select(l => (l.CountryCode, l.City, l.Successes, l.Failures, l.Interrupted, l.UserCount, string.Join(',', l.Users))));
        Assert.Equal((52.37, 4.89), (summary.Locations[0].Latitude, summary.Locations[0].Longitude));
        Assert.Equal((1L, 1L), (summary.Unreliable, summary.Unlocated));

        var all = await History.CountLocationsAsync(_source, null, null, CancellationToken.None);
        Assert.Equal(2, all.Locations.Single(l => l.CountryCode == "FR").Successes + all.Locations.Single(l => l.CountryCode == "FR").Failures);
    }

    [Fact]
    public async Task CountLocations_AnyRange_AgreesWithCountingTheSignInsOneByOne_AndRecordsStoredAgainCountOnce()
    {
        // Sign-ins every 7 hours over 17 days, so that ranges cut days at their edges, from places, a country alone,
        // unknown places and federated users, with every result.
        var midnight = new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);
        GeoLocation?[] places = [Amsterdam, Paris, CountryOnly, null, Amsterdam];
        var signIns = Enumerable.Range(0, 60).Select(i => (
            User: $"u{i % 5}@example.com",
            Time: midnight.AddHours(3 + (7 * i)),
            Place: places[i % places.Length],
            Reliable: i % 11 != 0,
            Result: (SignInResult)(1 + (i % 3)))).ToList();
        var records = signIns.Select(x => SignIn(x.User, x.Result, x.Time, "203.0.113.5", x.Place, x.Reliable)).ToList();
        await CommitAsync(records[..30]);
        await CommitAsync(records[20..]);

        (DateTimeOffset? Start, DateTimeOffset? End)[] ranges =
        [
            (null, null), (midnight, midnight.AddDays(3)), (midnight.AddHours(5), midnight.AddDays(2).AddHours(3)),
            (midnight.AddHours(1), midnight.AddHours(20)), (null, midnight.AddDays(4).AddHours(12)), (midnight.AddDays(9).AddHours(1), null),
            (midnight.AddDays(30), null),
        ];
        foreach (var (start, end) in ranges)
        {
            var inRange = signIns.Where(x => (start is null || x.Time >= start) && (end is null || x.Time < end)).ToList();
            var located = inRange.Where(x => x.Reliable && x.Place is not null).ToList();
            var expected = located
                .GroupBy(x => x.Place!.City ?? x.Place.CountryCode)
                .Select(g => (g.Key, g.Count(x => x.Result == SignInResult.Success), g.Count(x => x.Result == SignInResult.Failure), g.Count(x => x.Result == SignInResult.Interrupted),
                    string.Join(',', g.Select(x => x.User).Distinct().Order(StringComparer.Ordinal))))
                .OrderBy(e => e.Key, StringComparer.Ordinal);

            var summary = await History.CountLocationsAsync(_source, start, end, CancellationToken.None);

            Assert.Equal(expected, summary.Locations
                .Select(l => (l.City ?? l.CountryCode, (int)l.Successes, (int)l.Failures, (int)l.Interrupted, string.Join(',', l.Users)))
                .OrderBy(e => e.Item1, StringComparer.Ordinal));
            Assert.Equal(
                (inRange.Count(x => !x.Reliable), inRange.Count(x => x.Reliable && x.Place is null)),
                ((int)summary.Unreliable, (int)summary.Unlocated));
        }
    }

    [Fact]
    public async Task SummarizeUser_GivesCountriesAddressesAndApplications_WithFirstAndLastSeen()
    {
        await CommitAsync(
        [
            SignIn("ana@example.com", SignInResult.Success, T0, "203.0.113.5", Amsterdam, application: ("app-1", "Outlook")),
            SignIn("ana@example.com", SignInResult.Failure, T0.AddHours(1), "203.0.113.5", Amsterdam, application: ("app-1", "Outlook")),
            SignIn("ANA@example.com", SignInResult.Success, T0.AddHours(2), "198.51.100.9", Paris, application: ("app-2", "Teams")),
            SignIn("bob@example.com", SignInResult.Success, T0.AddHours(3), "192.0.2.1", CountryOnly),
        ]);

        var summary = await History.SummarizeUserAsync(_source, "ana@example.com", null, null, CancellationToken.None);

        Assert.Equal((3L, 1L), (summary.SignIns, summary.Failures));
        Assert.Equal(
            [new SeenValue("FR", "France", 1, 0, T0.AddHours(2), T0.AddHours(2)), new SeenValue("NL", "Netherlands", 2, 1, T0, T0.AddHours(1))],
            summary.Countries);
        Assert.Equal(
            [new SeenValue("198.51.100.9", "FR", 1, 0, T0.AddHours(2), T0.AddHours(2)), new SeenValue("203.0.113.5", "NL", 2, 1, T0, T0.AddHours(1))],
            summary.Addresses);
        Assert.Equal(["app-2:Teams", "app-1:Outlook"], summary.Applications.Select(a => $"{a.Value}:{a.Label}"));

        var later = await History.SummarizeUserAsync(_source, "ana@example.com", T0.AddHours(1), null, CancellationToken.None);
        Assert.Equal((2L, 1L), (later.SignIns, later.Failures));
        Assert.Equal(T0.AddHours(1), later.Countries.Single(c => c.Value == "NL").FirstSeen);
    }

    /// <summary>Creates the store under test, empty.</summary>
    protected abstract Task<IEventStore> CreateStoreAsync();

    private static ActivityQuery Query(EventKind kind) => new(kind, null, null, null, UserRole.Any, [], [], null, NewestFirst: true, null, 1_000);

    private Task<IReadOnlyList<StoredEvent>> QueryAsync(ActivityQuery query) => History.QueryAsync(_source, query, CancellationToken.None);

    private async Task<List<long>> Sequences(ActivityQuery query) => [.. (await QueryAsync(query)).Select(e => e.Sequence)];

    private async Task<List<long>> CommitAsync(IReadOnlyList<NewRecord> records)
    {
        var result = await Store.CommitAsync(
            new CommitRequest { SourceId = _source, TenantId = _tenant, ExpectedLastSequence = _last, Records = records, StoredAt = T0 },
            CancellationToken.None);
        _last = result.LastSequence;
        return [.. Enumerable.Range(0, records.Count).Select(i => result.FirstSequence + i)];
    }

    private RawRecord Header(DateTimeOffset time, int recordType, string operation) => new()
    {
        TenantId = _tenant, RecordId = TestRecords.Id(++_number), EventTime = time, IngestTime = time, RecordType = recordType, Operation = operation,
    };

    private NewRecord SignIn(string user, SignInResult result, DateTimeOffset time, string? ip, GeoLocation? location, bool reliable = true, (string Id, string Name)? application = null)
    {
        var raw = Header(time, 15, result == SignInResult.Failure ? "UserLoginFailed" : "UserLoggedIn");
        return new NewRecord(raw, new IngressEvent
        {
            TenantId = _tenant, RecordId = raw.RecordId, EventTime = time, IngestTime = time, RecordType = 15, Operation = raw.Operation,
            User = user, Result = result, ClientAddress = ip is null ? null : new ClientAddress { Ip = ip, Raw = ip, SourceField = "ClientIP" },
            Location = location, LocationReliable = reliable, ApplicationId = application?.Id, ApplicationName = application?.Name,
        });
    }

    private NewRecord Admin(string actor, string target, AdminAction action, DateTimeOffset time)
    {
        var raw = Header(time, 8, "Update user.");
        return new NewRecord(raw, new AdminEvent
        {
            TenantId = _tenant, RecordId = raw.RecordId, EventTime = time, IngestTime = time, RecordType = 8, Operation = raw.Operation,
            Actor = actor, Target = target, Action = action, ActorAddress = new ClientAddress { Ip = "192.0.2.44" }, Result = ActivityResult.Success,
        });
    }

    private NewRecord Raw(DateTimeOffset time) => new(Header(time, 6, "FileAccessed"), null);
}

/// <summary>The history contract in memory.</summary>
public sealed class InMemoryActivityHistoryTests : ActivityHistoryContract
{
    protected override Task<IEventStore> CreateStoreAsync() => Task.FromResult<IEventStore>(new InMemoryEventStore());
}

/// <summary>The history contract on PostgreSQL (through the migrations, as deployed).</summary>
public sealed class PostgresActivityHistoryTests : ActivityHistoryContract
{
    private PostgresTestStore _postgres = null!;

    public override Task DisposeAsync() => _postgres.DisposeAsync().AsTask();

    [Fact]
    public async Task StoredEvent_DecodesToTheEventThatWasCommitted()
    {
        var tenant = Guid.NewGuid();
        var source = Guid.NewGuid();
        await Store.RegisterSourceAsync(new EventSourceEntry(tenant, source, "t", DateTimeOffset.UtcNow), CancellationToken.None);
        var record = new NewRecord(
            new RawRecord { TenantId = tenant, RecordId = TestRecords.Id(1), EventTime = DateTimeOffset.UnixEpoch, RecordType = 15, Operation = "UserLoggedIn" },
            new IngressEvent { TenantId = tenant, RecordId = TestRecords.Id(1), RecordType = 15, Operation = "UserLoggedIn", User = "Ana\0@example.com", ApplicationName = "A\0pp" });
        await Store.CommitAsync(new CommitRequest { SourceId = source, TenantId = tenant, ExpectedLastSequence = 0, Records = [record], StoredAt = DateTimeOffset.UtcNow }, CancellationToken.None);

        // A NUL in a filtered text (which PostgreSQL's text refuses) is stored as U+FFFD and found in that form.
        var found = await ((IActivityHistory)Store).QueryAsync(
            source, new ActivityQuery(EventKind.Ingress, null, null, ActivityFacts.UserKey("ana\0@example.com"), UserRole.Any, [], [], null, true, null, 10), CancellationToken.None);
        Assert.Equal("Ana\0@example.com", EventWireFormat.ToIngressEvent(Assert.Single(found)).User);
    }

    [Fact]
    public async Task Retention_DeletesProfilesNotWrittenSinceTheCutOff()
    {
        var tenant = Guid.NewGuid();
        var source = Guid.NewGuid();
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await Store.RegisterSourceAsync(new EventSourceEntry(tenant, source, "t", t0), CancellationToken.None);
        await Store.CommitAsync(new CommitRequest { SourceId = source, TenantId = tenant, ExpectedLastSequence = 0, StoredAt = t0, Profiles = new Dictionary<string, string> { ["u:old"] = "{}" } }, CancellationToken.None);
        await Store.CommitAsync(new CommitRequest { SourceId = source, TenantId = tenant, ExpectedLastSequence = 0, StoredAt = t0.AddDays(2), Profiles = new Dictionary<string, string> { ["u:new"] = "{}" } }, CancellationToken.None);

        await Store.PurgeAsync(t0.AddDays(1), t0, 100, CancellationToken.None);

        Assert.Equal(["u:new"], (await Store.LoadProfilesAsync(source, ["u:old", "u:new"], CancellationToken.None)).Keys);
    }

    protected override async Task<IEventStore> CreateStoreAsync()
    {
        _postgres = await PostgresTestStore.CreateAsync();
        return _postgres.Store;
    }
}
