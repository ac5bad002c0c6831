using System.Text.Json.Serialization;

namespace O365Activity.Grains.Risk;

/// <summary>
/// What the risk flags remember of one user's sign-ins, or of the failures from one client address: bounded and
/// compact (times in Unix seconds, records by a 64-bit key), so a profile stays well under a kilobyte or two whatever
/// the user's volume. Stored as JSON text with the events it has seen (<c>sign_in_profiles</c>, migrations 6 and 8),
/// keyed "u:" + user or "a:" + address. Every change is idempotent per record (entries carry the record's key), so a
/// record seen twice (a duplicate the store then skips) changes nothing more.
/// </summary>
public sealed class SignInProfile
{
    /// <summary>Most failures kept (the newest by event time); older ones than twice the burst window before the newest go first.</summary>
    public const int MaxFailures = 64;

    /// <summary>Most successful sign-ins kept (the newest by event time).</summary>
    public const int MaxSuccesses = 8;

    /// <summary>Most countries, applications or devices kept (the most recently seen).</summary>
    public const int MaxValues = 100;

    /// <summary>Countries of successful sign-ins from reliable locations: country code to the latest event time (Unix seconds).</summary>
    [JsonPropertyName("c")]
    public Dictionary<string, long> Countries { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Applications of successful sign-ins: application id to the latest event time (Unix seconds).</summary>
    [JsonPropertyName("p")]
    public Dictionary<string, long> Applications { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Devices of successful sign-ins: device id to the latest event time (Unix seconds).</summary>
    [JsonPropertyName("d")]
    public Dictionary<string, long> Devices { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The newest successful sign-ins, oldest first.</summary>
    [JsonPropertyName("s")]
    public List<SuccessEntry> Successes { get; set; } = [];

    /// <summary>The newest failed sign-ins (of the user, or from the address).</summary>
    [JsonPropertyName("f")]
    public List<FailureEntry> Failures { get; set; } = [];

    /// <summary>Whether the user has any successful sign-in on record.</summary>
    [JsonIgnore]
    public bool HasHistory => Successes.Count > 0 || Countries.Count > 0 || Applications.Count > 0;

    /// <summary>Records a failure (once per record key), keeping those within <paramref name="keep"/> of the newest, at most <see cref="MaxFailures"/>.</summary>
    public void AddFailure(FailureEntry failure, long keep)
    {
        if (Failures.Exists(f => f.Key == failure.Key))
        {
            return;
        }

        Failures.Add(failure);
        var newest = Failures.Max(f => f.Time);
        Failures.RemoveAll(f => f.Time < newest - keep);
        if (Failures.Count > MaxFailures)
        {
            Failures.Sort((a, b) => a.Time.CompareTo(b.Time));
            Failures.RemoveRange(0, Failures.Count - MaxFailures);
        }
    }

    /// <summary>Records a success (once per record key), keeping the newest <see cref="MaxSuccesses"/>.</summary>
    public void AddSuccess(SuccessEntry success)
    {
        if (Successes.Exists(s => s.Key == success.Key))
        {
            return;
        }

        Successes.Add(success);
        Successes.Sort((a, b) => a.Time.CompareTo(b.Time));
        if (Successes.Count > MaxSuccesses)
        {
            Successes.RemoveRange(0, Successes.Count - MaxSuccesses);
        }
    }

    /// <summary>Records that a value was seen at a time (Unix seconds; the later time wins), keeping the <see cref="MaxValues"/> most recently seen.</summary>
    public static void See(Dictionary<string, long> values, string value, long time)
    {
        if (!values.TryGetValue(value, out var seen) || seen < time)
        {
            values[value] = time;
        }

        if (values.Count > MaxValues)
        {
            values.Remove(values.MinBy(v => v.Value).Key);
        }
    }
}

/// <summary>A successful sign-in as a profile keeps it.</summary>
/// <param name="Key">The record's 64-bit key (from its de-duplication key): one entry per record.</param>
/// <param name="Time">Its event time, Unix seconds.</param>
/// <param name="Reliable">Whether its location is the user's.</param>
/// <param name="Country">Its country code; null when unknown.</param>
/// <param name="City">Its city; null when unknown.</param>
/// <param name="Latitude">Degrees north; null when unknown.</param>
/// <param name="Longitude">Degrees east; null when unknown.</param>
public sealed record SuccessEntry(
    [property: JsonPropertyName("k")] long Key,
    [property: JsonPropertyName("t")] long Time,
    [property: JsonPropertyName("r")] bool Reliable,
    [property: JsonPropertyName("c"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Country,
    [property: JsonPropertyName("y"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? City,
    [property: JsonPropertyName("la"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Latitude,
    [property: JsonPropertyName("lo"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Longitude);

/// <summary>A failed sign-in as a profile keeps it.</summary>
/// <param name="Key">The record's 64-bit key.</param>
/// <param name="Time">Its event time, Unix seconds.</param>
/// <param name="User">The user (kept in address profiles, to count the users of a password spray); null in user profiles.</param>
public sealed record FailureEntry(
    [property: JsonPropertyName("k")] long Key,
    [property: JsonPropertyName("t")] long Time,
    [property: JsonPropertyName("u"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? User = null);

/// <summary>The JSON of <see cref="SignInProfile"/>, generated at build time.</summary>
[JsonSerializable(typeof(SignInProfile))]
internal sealed partial class SignInProfileJson : JsonSerializerContext;
