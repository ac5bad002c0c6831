using Microsoft.Extensions.Logging.Abstractions;
using O365Activity.Contracts.Activity;
using O365Activity.Grains.Risk;
using O365Activity.Storage;
using O365Activity.Storage.InMemory;
using O365Activity.Storage.Wire;
using O365Activity.Tests.Infrastructure;
using Proto = O365Activity.Protos.V1;

namespace O365Activity.Tests.Collection;

/// <summary>
/// The sign-in risk flags as the collection computes them: each batch is evaluated against the profiles the previous
/// commits stored, then committed with them (as <c>CollectionPipeline</c> does), and the flags are read back from the
/// stored events. Every flag, and the edges: a user's first sign-in, unreliable (federated) and unknown locations,
/// records arriving out of order and late, duplicates, the retention, and password spray from one address.
/// </summary>
public sealed class SignInRiskTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly GeoLocation Amsterdam = new() { CountryCode = "NL", CountryName = "Netherlands", City = "Amsterdam", Latitude = 52.37, Longitude = 4.89 };
    private static readonly GeoLocation Rotterdam = new() { CountryCode = "NL", CountryName = "Netherlands", City = "Rotterdam", Latitude = 51.92, Longitude = 4.48 };
    private static readonly GeoLocation Paris = new() { CountryCode = "FR", CountryName = "France", City = "Paris", Latitude = 48.86, Longitude = 2.35 };
    private static readonly GeoLocation Tokyo = new() { CountryCode = "JP", CountryName = "Japan", City = "Tokyo", Latitude = 35.69, Longitude = 139.69 };
    private static readonly GeoLocation NewYork = new() { CountryCode = "US", CountryName = "United States", City = "New York", Latitude = 40.71, Longitude = -74.01 };
    private readonly InMemoryEventStore _store = new();
    private readonly SignInRiskEvaluator _evaluator = new(new RiskOptions(), NullLogger<SignInRiskEvaluator>.Instance);
    private readonly Guid _tenant = Guid.NewGuid();
    private readonly Guid _source = Guid.NewGuid();
    private long _last;
    private int _number;

    [Fact]
    public async Task NewCountry_FlagsTheFirstSuccessFromACountry_NotTheUsersFirstSignInNorUnreliableOrUnknownPlaces()
    {
        await _store.RegisterSourceAsync(new EventSourceEntry(_tenant, _source, "t", T0), CancellationToken.None);

        var flags = await CommitAsync(
            SignIn("ana@example.com", T0, Amsterdam),
            SignIn("ana@example.com", T0.AddHours(1), Amsterdam),
            SignIn("ana@example.com", T0.AddHours(2), Paris, reliable: false),
            SignIn("ana@example.com", T0.AddHours(3), null),
            SignIn("ana@example.com", T0.AddHours(4), Paris, result: SignInResult.Failure),
            SignIn("ana@example.com", T0.AddHours(5), Paris),
            SignIn("ana@example.com", T0.AddHours(6), Paris));

        Assert.Equal([[], [], [], [], [], [Proto.RiskFlagKind.NewCountry], []], flags.Select(Kinds));
        var flag = flags[5].Single();
        Assert.Equal("FR", flag.Value);
        Assert.Equal(["NL"], flag.KnownValues);
        Assert.Contains("France", flag.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewCountry_AgainAfterTheRetention()
    {
        await _store.RegisterSourceAsync(new EventSourceEntry(_tenant, _source, "t", T0), CancellationToken.None);

        var flags = await CommitAsync(
            SignIn("ana@example.com", T0, Amsterdam),
            SignIn("ana@example.com", T0.AddDays(1), Paris),
            SignIn("ana@example.com", T0.AddDays(2), Amsterdam),
            SignIn("ana@example.com", T0.AddDays(120), Paris),
            SignIn("ana@example.com", T0.AddDays(121), Amsterdam));

        Assert.Equal([[], [Proto.RiskFlagKind.NewCountry], [], [Proto.RiskFlagKind.NewCountry], [Proto.RiskFlagKind.NewCountry]], flags.Select(Kinds));
    }

    [Fact]
    public async Task ImpossibleTravel_FlagsTooFastBetweenReliableKnownPlaces_WithItsEvidence()
    {
        await _store.RegisterSourceAsync(new EventSourceEntry(_tenant, _source, "t", T0), CancellationToken.None);

        var flags = await CommitAsync(
            SignIn("bob@example.com", T0, Amsterdam),
            SignIn("bob@example.com", T0.AddMinutes(1), Rotterdam),
            SignIn("bob@example.com", T0.AddHours(1), Tokyo),
            SignIn("bob@example.com", T0.AddHours(20), Tokyo),
            SignIn("bob@example.com", T0.AddHours(20.5), NewYork, reliable: false),
            SignIn("bob@example.com", T0.AddHours(20.6), NewYork),
            SignIn("bob@example.com", T0.AddHours(20.7), null),
            SignIn("bob@example.com", T0.AddHours(20.8), Tokyo));

        Assert.Equal(
            [[], [], [Proto.RiskFlagKind.NewCountry, Proto.RiskFlagKind.ImpossibleTravel], [], [], [Proto.RiskFlagKind.NewCountry], [], []],
            flags.Select(Kinds));
        var travel = flags[2].Single(f => f.Kind == Proto.RiskFlagKind.ImpossibleTravel);
        Assert.Equal(("NL", "Rotterdam"), (travel.PreviousLocation.CountryCode, travel.PreviousLocation.City));
        Assert.Equal(T0.AddMinutes(1), travel.PreviousTime.ToDateTimeOffset());
        Assert.InRange(travel.DistanceKm, 9_200, 9_400);
        Assert.InRange(travel.SpeedKmh, 9_200, 9_700);
    }

    [Fact]
    public async Task ImpossibleTravel_AtTheSameInstantIsInfinitelyFast()
    {
        await _store.RegisterSourceAsync(new EventSourceEntry(_tenant, _source, "t", T0), CancellationToken.None);

        var flags = await CommitAsync(SignIn("bob@example.com", T0, Amsterdam), SignIn("bob@example.com", T0, NewYork));

        Assert.True(double.IsPositiveInfinity(flags[1].Single(f => f.Kind == Proto.RiskFlagKind.ImpossibleTravel).SpeedKmh));
    }

    [Fact]
    public async Task LateRecords_AreJudgedAgainstWhatCameBefore_AndNeverChangeStoredFlags()
    {
        await _store.RegisterSourceAsync(new EventSourceEntry(_tenant, _source, "t", T0), CancellationToken.None);

        // Collected first: Tokyo at noon. Collected later (a late blob): Amsterdam at 10:00, then Tokyo at 10:30.
        var first = await CommitAsync(SignIn("cy@example.com", T0.AddHours(2), Tokyo));
        var late = await CommitAsync(SignIn("cy@example.com", T0, Amsterdam));
        var after = await CommitAsync(SignIn("cy@example.com", T0.AddMinutes(30), Tokyo));

        Assert.Empty(first[0]);
        // The late Amsterdam sign-in has no earlier sign-in by time: nothing to travel from. It is a new country, since
        // the user had Tokyo on record when it was collected.
        Assert.Equal([Proto.RiskFlagKind.NewCountry], Kinds(late[0]));
        // Tokyo at 10:30 is judged against the latest sign-in at or before it: Amsterdam at 10:00.
        Assert.Equal([Proto.RiskFlagKind.ImpossibleTravel], Kinds(after[0]));
        // What was stored first is as it was.
        Assert.Equal([[], [Proto.RiskFlagKind.NewCountry], [Proto.RiskFlagKind.ImpossibleTravel]], (await StoredFlagsAsync()).Select(Kinds));
    }

    [Fact]
    public async Task FailureBurst_OfAUser_FromTheTenthFailureWithinTheWindow()
    {
        await _store.RegisterSourceAsync(new EventSourceEntry(_tenant, _source, "t", T0), CancellationToken.None);

        // Spread out: 10 failures 40 s apart are 6 minutes, more than the 5-minute window, at every point fewer than 10 in it.
        var spread = await CommitAsync([.. Enumerable.Range(0, 10).Select(i => SignIn("dee@example.com", T0.AddSeconds(40 * i), Amsterdam, SignInResult.Failure, ip: $"203.0.113.{i}"))]);
        Assert.All(spread, f => Assert.Empty(f));

        var burst = await CommitAsync([.. Enumerable.Range(0, 11).Select(i => SignIn("eve@example.com", T0.AddSeconds(20 * i), Amsterdam, SignInResult.Failure, ip: $"198.51.100.{i}"))]);
        Assert.All(burst.Take(9), f => Assert.Empty(f));
        Assert.Equal([10, 11], burst.Skip(9).Select(f => f.Single().Count));
        Assert.Equal(("user", 1, TimeSpan.FromMinutes(5)), (burst[9][0].Scope, burst[9][0].UserCount, burst[9][0].Window.ToTimeSpan()));
    }

    [Fact]
    public async Task FailureBurst_FromOneAddressAcrossUsers_IsPasswordSpray()
    {
        await _store.RegisterSourceAsync(new EventSourceEntry(_tenant, _source, "t", T0), CancellationToken.None);

        var flags = await CommitAsync([.. Enumerable.Range(0, 10).Select(i => SignIn($"user{i}@example.com", T0.AddSeconds(i), null, SignInResult.Failure, ip: "192.0.2.66"))]);

        Assert.All(flags.Take(9), f => Assert.Empty(f));
        var spray = Assert.Single(flags[9]);
        Assert.Equal((Proto.RiskFlagKind.FailureBurst, "address", 10, 10), (spray.Kind, spray.Scope, spray.Count, spray.UserCount));
        Assert.Contains("192.0.2.66", spray.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Duplicates_AreNotCountedTwice()
    {
        await _store.RegisterSourceAsync(new EventSourceEntry(_tenant, _source, "t", T0), CancellationToken.None);
        var failures = Enumerable.Range(0, 8).Select(i => SignIn("fay@example.com", T0.AddSeconds(i), null, SignInResult.Failure)).ToList();
        await CommitAsync([.. failures]);

        // A failure delivered again (the store skips it) and a new one: nine distinct failures, no burst.
        var flags = await CommitAsync(failures[3], failures[3], SignIn("fay@example.com", T0.AddSeconds(9), null, SignInResult.Failure));

        Assert.Equal(9, (await StoredFlagsAsync()).Count);
        Assert.All(flags, f => Assert.Empty(f));
    }

    [Fact]
    public async Task NewApplicationAndNewDevice_ForAUserWithHistory()
    {
        await _store.RegisterSourceAsync(new EventSourceEntry(_tenant, _source, "t", T0), CancellationToken.None);

        var flags = await CommitAsync(
            SignIn("gus@example.com", T0, Amsterdam, application: "app-outlook", device: "dev-1"),
            SignIn("gus@example.com", T0.AddHours(1), Amsterdam, application: "app-outlook", device: "dev-1"),
            SignIn("gus@example.com", T0.AddHours(2), Amsterdam, application: "app-teams", device: "dev-1"),
            SignIn("gus@example.com", T0.AddHours(3), Amsterdam, application: "app-teams", device: "dev-2"),
            SignIn("gus@example.com", T0.AddHours(4), Amsterdam, SignInResult.Failure, application: "app-admin", device: "dev-3"),
            SignIn("gus@example.com", T0.AddHours(5), Amsterdam));

        Assert.Equal([[], [], [Proto.RiskFlagKind.NewApplication], [Proto.RiskFlagKind.NewDevice], [], []], flags.Select(Kinds));
        Assert.Equal("app-teams", flags[2][0].Value);
        Assert.Equal(["app-outlook"], flags[2][0].KnownValues);
    }

    [Fact]
    public async Task Profiles_AreStoredWithTheEvents_AndAnUnreadableOneStartsAgain()
    {
        await _store.RegisterSourceAsync(new EventSourceEntry(_tenant, _source, "t", T0), CancellationToken.None);
        await CommitAsync(SignIn("hal@example.com", T0, Amsterdam));
        Assert.Contains("\"NL\"", (await _store.LoadProfilesAsync(_source, ["u:hal@example.com"], CancellationToken.None))["u:hal@example.com"], StringComparison.Ordinal);

        await _store.CommitAsync(new CommitRequest
        {
            SourceId = _source, TenantId = _tenant, ExpectedLastSequence = _last, StoredAt = T0, Profiles = new Dictionary<string, string> { ["u:hal@example.com"] = "{not json" },
        }, CancellationToken.None);

        // Another silo (nothing in memory) reads the profile.
        var flags = await CommitAsync(new SignInRiskEvaluator(new RiskOptions(), NullLogger<SignInRiskEvaluator>.Instance), SignIn("hal@example.com", T0.AddHours(1), Paris));

        // Judged without history (a first sign-in): no flag, and the profile is whole again.
        Assert.Empty(flags[0]);
        Assert.Contains("\"FR\"", (await _store.LoadProfilesAsync(_source, ["u:hal@example.com"], CancellationToken.None))["u:hal@example.com"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignInsAtTheEdgesOfTime_AreJudgedWithoutFailing()
    {
        await _store.RegisterSourceAsync(new EventSourceEntry(_tenant, _source, "t", T0), CancellationToken.None);

        // A record without a usable CreationTime has the earliest time; one far in the future the latest.
        var flags = await CommitAsync(
            SignIn("ian@example.com", DateTimeOffset.MinValue, Amsterdam, SignInResult.Failure),
            SignIn("ian@example.com", DateTimeOffset.MinValue, Amsterdam),
            SignIn("ian@example.com", DateTimeOffset.MaxValue, Tokyo),
            SignIn("ian@example.com", T0, Paris));

        Assert.Equal(4, (await StoredFlagsAsync()).Count);
        Assert.Equal([[], [], [Proto.RiskFlagKind.NewCountry], [Proto.RiskFlagKind.NewCountry]], flags.Select(Kinds));
    }

    private static Proto.RiskFlagKind[] Kinds(IReadOnlyList<Proto.RiskFlag> flags) => [.. flags.Select(f => f.Kind)];

    [Fact]
    public async Task ProfilesInMemory_AreDropped_WhenAnotherWriterCommittedMeanwhile()
    {
        await _store.RegisterSourceAsync(new EventSourceEntry(_tenant, _source, "t", T0), CancellationToken.None);
        var other = new SignInRiskEvaluator(new RiskOptions(), NullLogger<SignInRiskEvaluator>.Instance);

        await CommitAsync(SignIn("ivy@example.com", T0, Amsterdam));
        // The grain moved to another silo, which collected a sign-in from France, then came back.
        var elsewhere = await CommitAsync(other, SignIn("ivy@example.com", T0.AddHours(1), Paris));
        var back = await CommitAsync(SignIn("ivy@example.com", T0.AddHours(2), Paris));

        Assert.Equal([Proto.RiskFlagKind.NewCountry], Kinds(elsewhere[0]));
        Assert.Empty(back[0]);
    }

    [Fact]
    public async Task ProfilesInMemory_AreDropped_WhenTheCommitFails()
    {
        await _store.RegisterSourceAsync(new EventSourceEntry(_tenant, _source, "t", T0), CancellationToken.None);
        await CommitAsync(SignIn("jo@example.com", T0, Amsterdam));

        // Evaluated (France is now in memory), then the commit is lost: nothing of it is stored.
        await _evaluator.EvaluateAsync(_store, _source, _last, [SignIn("jo@example.com", T0.AddHours(1), Paris)], CancellationToken.None);
        _evaluator.Forget(_source);
        var again = await CommitAsync(SignIn("jo@example.com", T0.AddHours(2), Paris));

        Assert.Equal([Proto.RiskFlagKind.NewCountry], Kinds(again[0]));
    }

    /// <summary>Evaluates and commits one batch as the pipeline does; the flags of each record offered, as encoded in it.</summary>
    private Task<List<IReadOnlyList<Proto.RiskFlag>>> CommitAsync(params NewRecord[] records) => CommitAsync(_evaluator, records);

    private async Task<List<IReadOnlyList<Proto.RiskFlag>>> CommitAsync(SignInRiskEvaluator evaluator, params NewRecord[] records)
    {
        var (flagged, profiles) = await evaluator.EvaluateAsync(_store, _source, _last, records, CancellationToken.None);
        var result = await _store.CommitAsync(
            new CommitRequest { SourceId = _source, TenantId = _tenant, ExpectedLastSequence = _last, Records = flagged, Profiles = profiles, StoredAt = T0 },
            CancellationToken.None);
        evaluator.Committed(_source, result.LastSequence);
        _last = result.LastSequence;
        return [.. flagged.Select(r => (IReadOnlyList<Proto.RiskFlag>)EventWireFormat.ToIngressEvent(new StoredEvent(1, r.Kind, r.Parts)).RiskFlags)];
    }

    private async Task<List<IReadOnlyList<Proto.RiskFlag>>> StoredFlagsAsync() =>
        [.. (await _store.ReadAsync(_source, 0, long.MaxValue, EventKind.Ingress, 1_000, CancellationToken.None)).Select(e => (IReadOnlyList<Proto.RiskFlag>)EventWireFormat.ToIngressEvent(e).RiskFlags)];

    private NewRecord SignIn(
        string user, DateTimeOffset time, GeoLocation? location, SignInResult result = SignInResult.Success, bool reliable = true,
        string ip = "203.0.113.5", string? application = null, string? device = null)
    {
        var id = TestRecords.Id(++_number);
        var raw = new RawRecord { TenantId = _tenant, RecordId = id, EventTime = time, IngestTime = time, RecordType = 15, Operation = "UserLoggedIn" };
        return new NewRecord(raw, new IngressEvent
        {
            TenantId = _tenant, RecordId = id, EventTime = time, IngestTime = time, RecordType = 15, Operation = raw.Operation,
            User = user, Result = result, ClientAddress = new ClientAddress { Ip = ip }, Location = location, LocationReliable = reliable,
            ApplicationId = application, Device = device is null ? null : new DeviceInfo { DeviceId = device },
        });
    }
}
