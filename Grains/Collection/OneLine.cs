namespace O365Activity.Grains.Collection;

/// <summary>Text from outside (a browser's query, a request) made safe to store, show and log on one line.</summary>
internal static class OneLine
{
    /// <summary>At most <paramref name="maxLength"/> characters of <paramref name="text"/>, control characters as spaces, trimmed; <c>…</c> when cut.</summary>
    public static string Of(string text, int maxLength)
    {
        var clean = new string([.. text.Take(maxLength).Select(c => char.IsControl(c) ? ' ' : c)]).Trim();
        return text.Length > maxLength ? clean + "…" : clean;
    }
}
