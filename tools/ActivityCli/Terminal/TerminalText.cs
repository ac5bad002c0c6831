using System.Globalization;
using System.Text;

namespace O365Activity.Cli.Terminal;

/// <summary>
/// The one escaping function for text that came from a tenant or the server (display names, user names, user agents,
/// operations, cities, error details…) on its way to a terminal: a value can then neither forge an output line nor
/// steer the terminal.
/// </summary>
internal static class TerminalText
{
    /// <summary>
    /// <paramref name="text"/> with every invisible or terminal-steering character shown as a visible escape: C0 and C1
    /// controls and DEL (<c>\t</c>, <c>\n</c>, <c>\r</c>, else <c>\xNN</c>: ESC is <c>\x1b</c>), and Unicode format
    /// characters (bidi overrides such as U+202E, zero-width spaces, the BOM, tags), line and paragraph separators
    /// (U+2028, U+2029) and lone surrogates as <c>\uXXXX</c> (<c>\u{XXXXX}</c> beyond the BMP). Every other character,
    /// the backslash included, is kept as it is. Null gives "".
    /// </summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var first = FirstToEscape(text);
        if (first < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        builder.Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var rune = new Rune(c, text[i + 1]);
                if (IsHidden(Rune.GetUnicodeCategory(rune)))
                {
                    builder.Append(CultureInfo.InvariantCulture, $"\\u{{{rune.Value:x}}}");
                }
                else
                {
                    builder.Append(c).Append(text[i + 1]);
                }

                i++;
            }
            else if (char.IsSurrogate(c) || IsHidden(char.GetUnicodeCategory(c)))
            {
                AppendEscape(builder, c);
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>The index of the first character <see cref="Escape"/> changes, or -1.</summary>
    private static int FirstToEscape(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is >= ' ' and < '\u007f')
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                if (IsHidden(Rune.GetUnicodeCategory(new Rune(c, text[i + 1]))))
                {
                    return i;
                }

                i++;
            }
            else if (char.IsSurrogate(c) || IsHidden(char.GetUnicodeCategory(c)))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsHidden(UnicodeCategory category) =>
        category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    private static void AppendEscape(StringBuilder builder, char c)
    {
        switch (c)
        {
            case '\t':
                builder.Append("\\t");
                break;
            case '\n':
                builder.Append("\\n");
                break;
            case '\r':
                builder.Append("\\r");
                break;
            case <= '\u00ff':
                builder.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
                break;
            default:
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                break;
        }
    }
}
