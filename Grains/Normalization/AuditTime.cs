using System.Globalization;

namespace O365Activity.Grains.Normalization;

/// <summary>
/// Reads an audit record's <c>CreationTime</c> (PROTOCOL.md §8; cases T01, T02).
/// </summary>
public static class AuditTime
{
    /// <summary>
    /// Parses a <c>CreationTime</c> value as UTC, whatever the host's time zone.
    /// </summary>
    /// <remarks>
    /// The API writes UTC without a zone designator (<c>2015-06-29T20:03:19</c>); such text is read as UTC, never as
    /// local time (case T02). Also accepted: a trailing <c>Z</c> or an explicit offset (converted to UTC), a space
    /// instead of the <c>T</c> (<c>2022-12-12 15:57:57</c>, Panther samples), and fractional seconds of any length
    /// (up to 7 digits exactly; longer fractions such as nanoseconds are rounded to the nearest 100 ns tick).
    /// </remarks>
    /// <param name="text">The value as received.</param>
    /// <param name="time">The time with offset zero; <see cref="DateTimeOffset.MinValue"/> when the text is not a time.</param>
    /// <returns>True when <paramref name="text"/> is a date and time.</returns>
    public static bool TryParse(string? text, out DateTimeOffset time)
    {
        time = DateTimeOffset.MinValue;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        if (s.Length > 10 && s[10] == ' ')
        {
            s = string.Concat(s.AsSpan(0, 10), "T", s.AsSpan(11));
        }

        if (!DateTime.TryParse(
                s,
                CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal | DateTimeStyles.AllowWhiteSpaces,
                out var utc))
        {
            return false;
        }

        time = new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc));
        return true;
    }
}
