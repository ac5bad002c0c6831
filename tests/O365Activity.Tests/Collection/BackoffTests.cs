using O365Activity.Grains;
using O365Activity.Grains.Collection;

namespace O365Activity.Tests.Collection;

/// <summary>
/// A content type's back-off after failures (<see cref="ContentTypeHealth.Failed"/>), over an hour of fake time with
/// the default settings (poll every minute, back-off capped at an hour, attention retried hourly): case AU5 asks that a
/// refused token is tried a handful of times an hour, not in a tight loop.
/// </summary>
public sealed class BackoffTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Cap = TimeSpan.FromHours(1);
    private static readonly TimeSpan AttentionRetryInterval = new CollectorOptions().AttentionRetryInterval;

    [Fact]
    public void WrongSecret_NeedsAPerson_IsTriedOnceAnHour()
    {
        // invalid_client AADSTS7000215: the grain backs off with at least the attention interval.
        var attempts = AttemptsWithin(TimeSpan.FromHours(1), health =>
            health.Failed("Token request refused: invalid_client: AADSTS7000215", "invalid_client", Now, PollInterval, Cap, AttentionRetryInterval, needsAttention: true));

        Assert.Single(attempts);
        Assert.Equal(2, AttemptsWithin(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1), health =>
            health.Failed("refused", "invalid_client", Now, PollInterval, Cap, AttentionRetryInterval, needsAttention: true)).Count);
    }

    [Fact]
    public void TransientFailure_BacksOffExponentially_AHandfulOfTriesAnHour_ThenHourly()
    {
        var firstHour = AttemptsWithin(TimeSpan.FromHours(1), health => health.Failed("HTTP 503", "HTTP 503", Now, PollInterval, Cap));
        var day = AttemptsWithin(TimeSpan.FromHours(24), health => health.Failed("HTTP 503", "HTTP 503", Now, PollInterval, Cap));

        // Tried at 0, 2, 6, 14, 30 and 62 minutes: 2, 4, 8, 16, 32 minutes apart.
        Assert.Equal([0, 2, 6, 14, 30], firstHour.Select(t => (int)(t - Start).TotalMinutes));
        Assert.InRange(firstHour.Count, 2, 10);
        Assert.InRange(day.Count, 24, 30);
        Assert.All(day.Zip(day.Skip(1)), pair => Assert.True(pair.Second - pair.First <= Cap + PollInterval));
    }

    [Fact]
    public void RetryAfter_LongerThanTheBackoff_IsHonored()
    {
        var health = new ContentTypeHealth();

        var wait = health.Failed("AF429", "AF429", Start, PollInterval, Cap, atLeast: TimeSpan.FromMinutes(15));

        Assert.Equal(TimeSpan.FromMinutes(15), wait);
        Assert.Equal(Start.AddMinutes(15), health.RetryAfter);
        Assert.False(health.NeedsAttention);
    }

    [Fact]
    public void Success_ClearsTheBackoff()
    {
        var health = new ContentTypeHealth();
        health.Failed("x", "HTTP 500", Start, PollInterval, Cap);
        health.Failed("x", "HTTP 500", Start, PollInterval, Cap);

        health.Succeeded();

        Assert.Equal((0, null, null), (health.Failures, health.RetryAfter, health.LastError));
    }

    private static DateTimeOffset Now { get; set; }

    /// <summary>
    /// Polls every <see cref="PollInterval"/> (on its grid) for <paramref name="span"/> of fake time, skipping polls
    /// before the back-off's retry time, each attempt failing with <paramref name="fail"/>; returns the attempts' times.
    /// </summary>
    private static List<DateTimeOffset> AttemptsWithin(TimeSpan span, Action<ContentTypeHealth> fail)
    {
        var health = new ContentTypeHealth();
        var attempts = new List<DateTimeOffset>();
        var due = Start;
        for (Now = Start; Now < Start + span; Now = due)
        {
            if (health.RetryAfter is not { } retry || retry <= Now)
            {
                attempts.Add(Now);
                fail(health);
            }

            due = PollSchedule.Next(due, Now, PollInterval);
        }

        return attempts;
    }
}
