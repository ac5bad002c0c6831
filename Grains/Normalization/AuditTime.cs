using System.Globalization;

namespace O365Activity.Grains.Normalization;

/// <summary>
/// Reads an audit record's <c>CreationTime</c> (PROTOCOL.md §8; cases T01, T02).
/// </summary>
public static class AuditTime
{
    /// <summary>The earliest time a numeric <c>CreationTime</c> is read as: 2000-01-01T00:00:00Z (946684800 seconds since 1970).</summary>
    public static readonly DateTimeOffset EarliestEpochTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Parses a <c>CreationTime</c> value as UTC, whatever the host's time zone.
    /// </summary>
    /// <remarks>
    /// <para>The API writes UTC without a zone designator (<c>2015-06-29T20:03:19</c>); such text is read as UTC, never as
    /// local time (case T02). Also accepted: a trailing <c>Z</c> or an explicit offset (converted to UTC), a space
    /// instead of the <c>T</c> (<c>2022-12-12 15:57:57</c>, Panther samples), and fractional seconds of any length
    /// (up to 7 digits exactly; longer fractions such as nanoseconds are rounded to the nearest 100 ns tick). Dates that
    /// do not exist (<c>2024-02-30T10:00:00</c>) are not times.</para>
    /// <para>A number (a JSON number, or text of decimal digits with an optional fraction, since numbers sometimes arrive as
    /// strings, PROTOCOL.md §8) is read as seconds since 1970-01-01T00:00:00Z, as SIEM pipelines that re-export records
    /// write it (<c>1717228800</c> is 2024-06-01T08:00:00Z), but only from <see cref="EarliestEpochTime"/> (audit records
    /// began in 2015) up to 9999-12-31T23:59:59Z. Smaller numbers are more likely a count or a fault than a time, and
    /// milliseconds since 1970 (13 digits for any time after 1978) fall above the range: neither is guessed at, both are
    /// not times.</para>
    /// </remarks>
    /// <param name="text">The value as received (a JSON number as its JSON text).</param>
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
        if (char.IsAsciiDigit(s[0]))
        {
            if (decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
            {
                return TryFromEpochSeconds(seconds, out time);
            }
        }

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

    /// <summary>
    /// The common case of <see cref="TryParse"/>, read from UTF-8 without making a string: exactly
    /// <c>yyyy-MM-ddTHH:mm:ss</c> (or a space for the <c>T</c>), with an optional fraction of 1 to 7 digits and an optional
    /// <c>Z</c>, naming a time that exists. False for any other text, which <see cref="TryParse"/> then reads (it gives
    /// the same time for every text this accepts).
    /// </summary>
    /// <param name="utf8">The text.</param>
    /// <param name="time">The time with offset zero; <see cref="DateTimeOffset.MinValue"/> when false.</param>
    internal static bool TryParseCanonical(ReadOnlySpan<byte> utf8, out DateTimeOffset time)
    {
        time = DateTimeOffset.MinValue;
        var s = utf8;
        if (s.Length < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':'
            || !TryDigits(s[..4], out var year) || !TryDigits(s[5..7], out var month) || !TryDigits(s[8..10], out var day)
            || !TryDigits(s[11..13], out var hour) || !TryDigits(s[14..16], out var minute) || !TryDigits(s[17..19], out var second))
        {
            return false;
        }

        var at = 19;
        long fraction = 0;
        if (at < s.Length && s[at] == '.')
        {
            var digits = s[(at + 1)..].IndexOfAnyExceptInRange((byte)'0', (byte)'9');
            digits = digits < 0 ? s.Length - at - 1 : digits;
            if (digits is < 1 or > 7 || !TryDigits(s.Slice(at + 1, digits), out var value))
            {
                return false;
            }

            fraction = value;
            for (var i = digits; i < 7; i++)
            {
                fraction *= 10;
            }

            at += 1 + digits;
        }

        if (at < s.Length && s[at] == 'Z')
        {
            at++;
        }

        if (at != s.Length || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        time = new DateTimeOffset(new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).AddTicks(fraction), TimeSpan.Zero);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> digits, out int value)
    {
        value = 0;
        foreach (var b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return true;
    }

    private static bool TryFromEpochSeconds(decimal seconds, out DateTimeOffset time)
    {
        time = DateTimeOffset.MinValue;
        var earliest = (decimal)EarliestEpochTime.ToUnixTimeSeconds();
        var latest = (decimal)DateTimeOffset.MaxValue.ToUnixTimeSeconds();
        if (seconds < earliest || seconds > latest)
        {
            return false;
        }

        var ticks = decimal.Round(seconds * TimeSpan.TicksPerSecond, MidpointRounding.AwayFromZero);
        time = DateTimeOffset.UnixEpoch.AddTicks(Math.Min((long)ticks, DateTimeOffset.MaxValue.Ticks - DateTimeOffset.UnixEpoch.Ticks));
        return true;
    }
}
