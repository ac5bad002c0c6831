using System.Globalization;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using O365Activity.Contracts.Activity;
using O365Activity.Storage;
using Proto = O365Activity.Protos.V1;

namespace O365Activity.Grains.Risk;

/// <summary>
/// Computes the risk flags of a batch of sign-ins about to be stored, from the profiles of their users and addresses
/// (<see cref="SignInProfile"/>), in the order the records are numbered, and gives the profiles to store with them. A
/// sign-in's flags depend only on the sign-ins numbered before it: a late record never changes what was stored before
/// it, and the flags are stored in the event, so a replay gives the same flags. The rules (thresholds in
/// <see cref="RiskOptions"/>):
/// <list type="bullet">
/// <item><c>FAILURE_BURST</c>: a failed sign-in with at least <see cref="RiskOptions.FailureBurstCount"/> failures of the
/// user, or from its address across users, with event times in (t − window, t].</item>
/// <item><c>NEW_COUNTRY</c>, <c>NEW_APPLICATION</c>, <c>NEW_DEVICE</c>: a successful sign-in whose country (reliable
/// locations only), application id or device id the user, who has successful sign-ins on record, has not had within
/// <see cref="RiskOptions.Retention"/> before it.</item>
/// <item><c>IMPOSSIBLE_TRAVEL</c>: a successful sign-in whose distance from the user's previous successful sign-in (the
/// latest with an event time at or before its own), over the time between them, exceeds the speed, both locations
/// reliable and known, at least <see cref="RiskOptions.MinTravelDistance"/> apart.</item>
/// </list>
/// </summary>
public sealed partial class SignInRiskEvaluator(RiskOptions options, ILogger<SignInRiskEvaluator> logger)
{
    private const double EarthRadiusKm = 6371.0088;

    /// <summary>The most profiles kept in memory per source between its commits; beyond it the source's are dropped and read again as needed.</summary>
    public const int MaxCachedProfiles = 10_000;

    private static readonly TimeSpan CacheIdleTime = TimeSpan.FromMinutes(10);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, SourceProfiles> _sources = new();
    private long _lastSweep = Environment.TickCount64;

    /// <summary>
    /// The records with their flags (the same list when none has any), and the profiles to store with them (key to
    /// JSON): those of the users and addresses the batch touched. A source's profiles stay in memory between its
    /// commits, valid while the source's last sequence is the one its last commit here left
    /// (<paramref name="expectedLastSequence"/>, the commit's fence): the caller tells <see cref="Committed"/> or
    /// <see cref="Forget"/> how the commit went.
    /// </summary>
    /// <exception cref="System.Data.Common.DbException">When the profiles cannot be read.</exception>
    public async Task<(IReadOnlyList<NewRecord> Records, IReadOnlyDictionary<string, string> Profiles)> EvaluateAsync(
        IEventStore store, Guid sourceId, long expectedLastSequence, IReadOnlyList<NewRecord> records, CancellationToken cancellationToken)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            if (record.Kind == EventKind.Ingress && record.Facts.User is { } user)
            {
                keys.Add(UserKey(user));
                if (record.Facts.Result == (short)SignInResult.Failure && record.Facts.ClientIp is { } ip)
                {
                    keys.Add(AddressKey(ip.ToString()));
                }
            }
        }

        if (keys.Count == 0)
        {
            return (records, new Dictionary<string, string>());
        }

        SweepIdleSources();
        var cache = _sources.GetOrAdd(sourceId, _ => new SourceProfiles());
        Dictionary<string, SignInProfile> profiles;
        if (Interlocked.CompareExchange(ref cache.Busy, 1, 0) == 0)
        {
            if (cache.AsOf != expectedLastSequence)
            {
                cache.Profiles.Clear();
            }

            cache.AsOf = -1;
            cache.LastUsed = Environment.TickCount64;
            profiles = cache.Profiles;
        }
        else
        {
            // Another evaluation of the source is under way (not the single writer's way): work apart from the cache.
            profiles = new Dictionary<string, SignInProfile>(StringComparer.Ordinal);
        }

        var missing = keys.Where(k => !profiles.ContainsKey(k)).ToList();
        var stored = missing.Count == 0 ? new Dictionary<string, string>() : await store.LoadProfilesAsync(sourceId, missing, cancellationToken);
        foreach (var key in missing)
        {
            profiles[key] = stored.TryGetValue(key, out var json) ? Read(sourceId, key, json) : new SignInProfile();
        }

        List<NewRecord>? flagged = null;
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            if (record.Kind != EventKind.Ingress || record.Facts.User is null)
            {
                continue;
            }

            List<Proto.RiskFlag> flags;
            try
            {
                flags = Evaluate(record, key => profiles[key]);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or OverflowException)
            {
                // A record the rules cannot judge is stored without flags, and said so; the rest of the batch goes on.
                LogUnjudged(logger, e, sourceId, record.RecordId);
                continue;
            }

            if (flags.Count > 0)
            {
                flagged ??= [.. records];
                flagged[i] = record.WithRiskFlags(flags);
            }
        }

        return (flagged ?? records, keys.ToDictionary(k => k, k => JsonSerializer.Serialize(profiles[k], SignInProfileJson.Default.SignInProfile), StringComparer.Ordinal));
    }

    /// <summary>The commit of the last evaluation of the source stored its records and profiles: its profiles in memory are valid as of <paramref name="lastSequence"/>.</summary>
    public void Committed(Guid sourceId, long lastSequence)
    {
        if (_sources.TryGetValue(sourceId, out var cache) && Volatile.Read(ref cache.Busy) == 1)
        {
            if (cache.Profiles.Count > MaxCachedProfiles)
            {
                cache.Profiles.Clear();
            }

            cache.AsOf = lastSequence;
            Volatile.Write(ref cache.Busy, 0);
        }
    }

    /// <summary>The commit of the last evaluation of the source failed (or never happened): its profiles in memory are dropped.</summary>
    public void Forget(Guid sourceId)
    {
        if (_sources.TryGetValue(sourceId, out var cache) && Volatile.Read(ref cache.Busy) == 1)
        {
            cache.Profiles.Clear();
            cache.AsOf = -1;
            Volatile.Write(ref cache.Busy, 0);
        }
    }

    /// <summary>Drops the profiles of sources that have not collected sign-ins for a while (at most once a minute).</summary>
    private void SweepIdleSources()
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastSweep);
        if (now - last < 60_000 || Interlocked.CompareExchange(ref _lastSweep, now, last) != last)
        {
            return;
        }

        foreach (var (sourceId, cache) in _sources)
        {
            if (now - cache.LastUsed > CacheIdleTime.TotalMilliseconds && Volatile.Read(ref cache.Busy) == 0)
            {
                _sources.TryRemove(sourceId, out _);
            }
        }
    }

    /// <summary>The flags of one sign-in, updating the profiles it touches (<paramref name="profileOf"/> gives the profile of a key).</summary>
    internal List<Proto.RiskFlag> Evaluate(NewRecord record, Func<string, SignInProfile> profileOf)
    {
        var facts = record.Facts;
        var flags = new List<Proto.RiskFlag>();
        var time = record.EventTime;
        var seconds = time.ToUnixTimeSeconds();
        var key = KeyOf(record.RecordKey);
        var user = profileOf(UserKey(facts.User!));
        var window = (long)options.FailureBurstWindow.TotalSeconds;
        switch ((SignInResult)facts.Result)
        {
            case SignInResult.Failure:
                user.AddFailure(new FailureEntry(key, seconds), 2 * window);
                var count = user.Failures.Count(f => f.Time > seconds - window && f.Time <= seconds);
                if (count >= options.FailureBurstCount)
                {
                    flags.Add(Burst(count, "user", 1, $"{count} failed sign-ins of this user within {Span(options.FailureBurstWindow)} up to this one."));
                }

                if (facts.ClientIp is { } ip)
                {
                    var address = profileOf(AddressKey(ip.ToString()));
                    address.AddFailure(new FailureEntry(key, seconds, facts.User), 2 * window);
                    var fromAddress = address.Failures.Where(f => f.Time > seconds - window && f.Time <= seconds).ToList();
                    if (fromAddress.Count >= options.FailureBurstCount)
                    {
                        var users = fromAddress.Select(f => f.User).Distinct(StringComparer.Ordinal).Count();
                        flags.Add(Burst(fromAddress.Count, "address", users, $"{fromAddress.Count} failed sign-ins from {ip} within {Span(options.FailureBurstWindow)} up to this one, for {users} user(s)."));
                    }
                }

                break;

            case SignInResult.Success:
                EvaluateSuccess(record, facts, user, key, flags);
                break;
        }

        return flags;
    }

    private static string UserKey(string user) => "u:" + user;

    private static string AddressKey(string address) => "a:" + address;

    private static string Span(TimeSpan span) =>
        span.TotalMinutes < 1 ? $"{span.TotalSeconds:0} s"
        : span.TotalHours < 1 ? $"{span.TotalMinutes:0.#} min"
        : span.TotalDays < 1 ? $"{span.TotalHours:0.#} h"
        : $"{span.TotalDays:0.#} d";

    private static double DistanceKm(double lat1, double lon1, double lat2, double lon2)
    {
        static double Radians(double degrees) => degrees * Math.PI / 180;
        var dLat = Radians(lat2 - lat1);
        var dLon = Radians(lon2 - lon1);
        var a = (Math.Sin(dLat / 2) * Math.Sin(dLat / 2)) + (Math.Cos(Radians(lat1)) * Math.Cos(Radians(lat2)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2));
        return 2 * EarthRadiusKm * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    private static Proto.RiskFlag NewValue(Proto.RiskFlagKind kind, string value, Dictionary<string, long> known, string evidence)
    {
        var flag = new Proto.RiskFlag { Kind = kind, Value = value, Evidence = evidence };
        flag.KnownValues.AddRange(known.OrderByDescending(k => k.Value).ThenBy(k => k.Key, StringComparer.Ordinal).Take(10).Select(k => k.Key));
        return flag;
    }

    private void EvaluateSuccess(NewRecord record, Storage.History.ActivityFacts facts, SignInProfile user, long key, List<Proto.RiskFlag> flags)
    {
        var time = record.EventTime;
        var seconds = time.ToUnixTimeSeconds();
        var location = facts.Location;
        var reliable = facts.LocationReliable == true;
        var hadHistory = user.HasHistory;
        var forgotten = seconds - (long)options.Retention.TotalSeconds;
        if (hadHistory && reliable && location?.CountryCode is { Length: > 0 } country
            && (!user.Countries.TryGetValue(country, out var seen) || seen < forgotten))
        {
            flags.Add(NewValue(Proto.RiskFlagKind.NewCountry, country, user.Countries,
                $"First successful sign-in of this user from {location.CountryName ?? country} within {Span(options.Retention)}."));
        }

        if (reliable && location is { Latitude: { } latitude, Longitude: { } longitude }
            && user.Successes.Where(s => s.Time <= seconds && s.Key != key).MaxBy(s => s.Time) is { } previous
            && previous.Reliable && previous is { Latitude: { } previousLatitude, Longitude: { } previousLongitude })
        {
            var distance = DistanceKm(previousLatitude, previousLongitude, latitude, longitude);
            var apart = TimeSpan.FromSeconds(seconds - previous.Time);
            var hours = apart.TotalHours;
            var speed = hours > 0 ? distance / hours : double.PositiveInfinity;
            if (distance >= options.MinTravelDistance && speed > options.ImpossibleTravelSpeed)
            {
                var place = string.Join(", ", new[] { previous.City, previous.Country }.Where(p => !string.IsNullOrEmpty(p)));
                flags.Add(new Proto.RiskFlag
                {
                    Kind = Proto.RiskFlagKind.ImpossibleTravel,
                    PreviousLocation = new Proto.GeoLocation { CountryCode = previous.Country ?? "", City = previous.City ?? "", Latitude = previousLatitude, Longitude = previousLongitude },
                    PreviousTime = new Timestamp { Seconds = previous.Time },
                    DistanceKm = Math.Round(distance, 1),
                    SpeedKmh = double.IsInfinity(speed) ? speed : Math.Round(speed, 1),
                    Evidence = string.Create(
                        CultureInfo.InvariantCulture,
                        $"{distance:N0} km from the previous successful sign-in ({(place.Length > 0 ? place : "unnamed place")}) {Span(apart)} earlier: {(double.IsInfinity(speed) ? "at the same time" : $"{speed:N0} km/h")}, above {options.ImpossibleTravelSpeed:N0} km/h."),
                });
            }
        }

        if (hadHistory && facts.ApplicationId is { Length: > 0 } application
            && (!user.Applications.TryGetValue(application, out var used) || used < forgotten))
        {
            flags.Add(NewValue(Proto.RiskFlagKind.NewApplication, application, user.Applications,
                $"First successful sign-in of this user to {facts.ApplicationName ?? application} within {Span(options.Retention)}."));
        }

        if (hadHistory && facts.DeviceId is { Length: > 0 } device
            && (!user.Devices.TryGetValue(device, out var had) || had < forgotten))
        {
            flags.Add(NewValue(Proto.RiskFlagKind.NewDevice, device, user.Devices,
                $"First successful sign-in of this user from device {device} within {Span(options.Retention)}."));
        }

        user.AddSuccess(new SuccessEntry(key, seconds, reliable, location?.CountryCode, location?.City, location?.Latitude, location?.Longitude));
        if (reliable && location?.CountryCode is { Length: > 0 } code)
        {
            SignInProfile.See(user.Countries, code, seconds);
        }

        if (facts.ApplicationId is { Length: > 0 } app)
        {
            SignInProfile.See(user.Applications, app, seconds);
        }

        if (facts.DeviceId is { Length: > 0 } id)
        {
            SignInProfile.See(user.Devices, id, seconds);
        }
    }

    /// <summary>A record's 64-bit key in the profiles: the two halves of its de-duplication key combined.</summary>
    private static long KeyOf(Guid recordKey)
    {
        Span<byte> bytes = stackalloc byte[16];
        recordKey.TryWriteBytes(bytes);
        return BitConverter.ToInt64(bytes[..8]) ^ (BitConverter.ToInt64(bytes[8..]) * 31);
    }

    private Proto.RiskFlag Burst(int count, string scope, int users, string evidence) => new()
    {
        Kind = Proto.RiskFlagKind.FailureBurst,
        Count = count,
        Window = Duration.FromTimeSpan(options.FailureBurstWindow),
        Scope = scope,
        UserCount = users,
        Evidence = evidence,
    };

    private SignInProfile Read(Guid sourceId, string key, string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, SignInProfileJson.Default.SignInProfile) ?? new SignInProfile();
        }
        catch (JsonException e)
        {
            // A profile that cannot be read starts again empty: its user's next sign-ins are judged without history.
            LogUnreadableProfile(logger, sourceId, key, e.Message);
            return new SignInProfile();
        }
    }

    /// <summary>One source's profiles in memory between its commits.</summary>
    private sealed class SourceProfiles
    {
        /// <summary>1 while an evaluation and its commit are under way.</summary>
        public int Busy;

        /// <summary>The source's last sequence the profiles are valid for; -1 for none.</summary>
        public long AsOf = -1;

        /// <summary>When the source last evaluated sign-ins (<see cref="Environment.TickCount64"/>).</summary>
        public long LastUsed = Environment.TickCount64;

        public Dictionary<string, SignInProfile> Profiles { get; } = new(StringComparer.Ordinal);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {SourceId}: the risk flags of record {RecordId} could not be computed; it is stored without flags")]
    private static partial void LogUnjudged(ILogger logger, Exception exception, Guid sourceId, string recordId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {SourceId}: the sign-in profile {Key} cannot be read ({Error}); it starts again empty")]
    private static partial void LogUnreadableProfile(ILogger logger, Guid sourceId, string key, string error);
}
