using System.CommandLine.Parsing;
using System.Globalization;
using O365Activity.Protos.V1;

namespace O365Activity.Cli.Commands;

/// <summary>
/// The custom parsers of option values: each gives the value, or adds a one-line error that names the option, quotes
/// what was given and says the expected forms (a usage error: exit code 2).
/// </summary>
internal static class OptionValues
{
    /// <summary>What a time option accepts, for its help and its errors.</summary>
    public const string TimeForms = "an ISO 8601 time (2026-12-01T08:00:00Z; no offset means UTC), a date (2026-12-01, midnight UTC) or an age (30s, 30m, 2h, 7d, 2w: now minus that)";

    private static readonly string[] IsoFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mmK", "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
    ];

    /// <summary>A time-span option's value (<c>hh:mm:ss</c> or <c>d.hh:mm:ss</c>; <c>0</c> for zero).</summary>
    public static TimeSpan? TimeSpanValue(ArgumentResult result)
    {
        var text = Text(result);
        if (text == "0")
        {
            return TimeSpan.Zero;
        }

        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        result.AddError($"{OptionName(result)}: '{text}' is not a time such as 00:05:00 (hh:mm:ss) or 2.00:00:00 (d.hh:mm:ss).");
        return null;
    }

    /// <summary>A sequence option's value (a whole number, 0 or more).</summary>
    public static long? SequenceValue(ArgumentResult result)
    {
        var text = Text(result);
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        result.AddError($"{OptionName(result)}: '{text}' is not a sequence number (0, 1, 2, …).");
        return null;
    }

    /// <summary>A time option's value (see <see cref="TimeForms"/>), relative ages counted back from the clock now.</summary>
    public static DateTimeOffset? TimeValue(ArgumentResult result)
    {
        var text = Text(result);
        if (TryParseTime(text, TimeProvider.System.GetUtcNow(), out var value))
        {
            return value;
        }

        result.AddError($"{OptionName(result)}: '{text}' is not a time: give {TimeForms}.");
        return null;
    }

    /// <summary>
    /// Reads a time: an ISO 8601 time or date (UTC unless it has an offset; given in UTC) or an age, a whole number and
    /// a unit (<c>s</c>, <c>m</c>, <c>h</c>, <c>d</c>, <c>w</c>), meaning <paramref name="now"/> minus that.
    /// </summary>
    /// <returns>False for anything else, or an age reaching before year 1.</returns>
    public static bool TryParseTime(string text, DateTimeOffset now, out DateTimeOffset value)
    {
        value = default;
        text = text.Trim();
        if (text.Length >= 2 && char.IsAsciiDigit(text[0]) && "smhdw".Contains(text[^1], StringComparison.Ordinal)
            && long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            var unit = text[^1] switch
            {
                's' => TimeSpan.FromSeconds(1),
                'm' => TimeSpan.FromMinutes(1),
                'h' => TimeSpan.FromHours(1),
                'd' => TimeSpan.FromDays(1),
                _ => TimeSpan.FromDays(7),
            };
            if (count > (now - DateTimeOffset.MinValue).Ticks / unit.Ticks)
            {
                return false;
            }

            value = now.ToUniversalTime() - TimeSpan.FromTicks(count * unit.Ticks);
            return true;
        }

        if (DateTimeOffset.TryParseExact(text, IsoFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            value = parsed;
            return true;
        }

        return false;
    }

    /// <summary>A page size option's value: a whole number from 1 to 1,000.</summary>
    public static int? PageSizeValue(ArgumentResult result)
    {
        var text = Text(result);
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 1 and <= 1000)
        {
            return value;
        }

        result.AddError($"{OptionName(result)}: '{text}' is not a page size: give a whole number from 1 to 1000.");
        return null;
    }

    /// <summary>The sign-in results of a repeatable <c>--result</c> (each token one result or several separated by commas).</summary>
    public static SignInResult[] SignInResultValues(ArgumentResult result) => EnumValues(result, "a sign-in result", [SignInResult.Success, SignInResult.Failure, SignInResult.Interrupted]);

    /// <summary>The admin actions of a repeatable <c>--action</c>, in any spelling of <see cref="ProtoNames.Friendly{T}"/> (<c>password-reset</c>, <c>PASSWORD_RESET</c>, <c>PasswordReset</c>).</summary>
    public static AdminAction[] AdminActionValues(ArgumentResult result) => EnumValues(result, "an admin action", Enum.GetValues<AdminAction>());

    private static T[] EnumValues<T>(ArgumentResult result, string what, T[] allowed)
        where T : struct, Enum
    {
        var values = new List<T>();
        foreach (var text in result.Tokens.SelectMany(t => t.Value.Split(',')))
        {
            var key = Key(text);
            var match = Array.FindIndex(allowed, v => Key(ProtoNames.Friendly(v)) == key);
            if (match >= 0)
            {
                values.Add(allowed[match]);
            }
            else
            {
                result.AddError($"{OptionName(result)}: '{text}' is not {what}: give one of {string.Join(", ", allowed.Select(ProtoNames.Friendly))}.");
                return [];
            }
        }

        return [.. values.Distinct()];

        // The canonical name without its prefix, compared without case, dashes and underscores.
        static string Key(string name)
        {
            var key = name.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).Trim().ToUpperInvariant();
            var prefix = ProtoNames.Prefix<T>().Replace("_", "", StringComparison.Ordinal);
            return key.StartsWith(prefix, StringComparison.Ordinal) && key.Length > prefix.Length ? key[prefix.Length..] : key;
        }
    }

    private static string Text(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[0].Value : "";

    private static string OptionName(ArgumentResult result) => result.Parent is OptionResult option ? option.Option.Name : "value";
}
