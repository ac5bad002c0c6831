using System.Globalization;
using System.Text;

namespace O365Activity.Contracts;

/// <summary>
/// Which characters the free text a client sends (display names, federated domains, user filters…) may not hold: those
/// that can forge or hide what an operator reads in a list, a log or a terminal.
/// </summary>
public static class VisibleText
{
    /// <summary>
    /// True for a refused character: Unicode category Cc (C0 and C1 controls, DEL: line breaks, escapes, U+0000), Cf
    /// (format characters: the bidi embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069 that reverse how
    /// text is shown, the direction marks, zero-width spaces and joiners, the byte-order mark, tags), Zl and Zp (the line
    /// and paragraph separators U+2028, U+2029).
    /// </summary>
    /// <param name="category">The character's Unicode category.</param>
    public static bool IsRefused(UnicodeCategory category) =>
        category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    /// <summary>
    /// The first refused character of <paramref name="text"/> (see <see cref="IsRefused"/>; characters beyond the
    /// Basic Multilingual Plane included) and its position (0-based, in UTF-16 code units); null when there is none, or
    /// for null or empty text.
    /// </summary>
    /// <param name="text">The text.</param>
    public static (Rune Character, int Index)? FirstRefused(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var index = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsRefused(Rune.GetUnicodeCategory(rune)))
            {
                return (rune, index);
            }

            index += rune.Utf16SequenceLength;
        }

        return null;
    }
}
