using System.ComponentModel.DataAnnotations;

namespace O365Activity.Grains.Risk;

/// <summary>
/// The thresholds of the sign-in risk flags (configuration section <c>Collector:Risk</c>); see
/// <see cref="SignInRiskEvaluator"/> and <c>RiskFlagKind</c> in <c>protos/o365activity/v1/activity.proto</c>.
/// </summary>
public sealed class RiskOptions
{
    /// <summary>The speed above which travel between two successful sign-ins is impossible, in km/h (default 900, an airliner's cruise).</summary>
    [Range(1.0, 100_000.0)]
    public double ImpossibleTravelSpeed { get; set; } = 900;

    /// <summary>
    /// The least distance between two successful sign-ins that can be impossible travel, in km (default 500): GeoIP
    /// places an address within tens to hundreds of kilometres, and a phone that changes networks moves its address
    /// between cities within minutes.
    /// </summary>
    [Range(0.0, 20_000.0)]
    public double MinTravelDistance { get; set; } = 500;

    /// <summary>How many failed sign-ins within <see cref="FailureBurstWindow"/> make a burst (default 10).</summary>
    [Range(2, 100_000)]
    public int FailureBurstCount { get; set; } = 10;

    /// <summary>The window of a failure burst (default 5 minutes).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FailureBurstWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a country, application or device stays known for a user after it was last seen (default 90 days, the
    /// event store's default retention): one seen again after longer is new again.
    /// </summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>The checks of the attributes above, for the options validation of <c>Collector</c> (nested sections are not checked by it).</summary>
    public IEnumerable<string> Errors()
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true);
        return results.Select(r => $"Collector:Risk: {r.ErrorMessage}");
    }
}
