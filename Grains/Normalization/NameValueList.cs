using O365Activity.Contracts.Activity;

namespace O365Activity.Grains.Normalization;

/// <summary>
/// What <see cref="LenientJson.NameValues"/> reads from a <c>{Name, Value}</c> list field: its entries, or its text when
/// it was not a list; with the <c>ExtendedProperties</c> entries that sign-ins read (<see cref="ExtendedEntry"/>) looked
/// up once. Immutable: shared by every record whose field has the same text.
/// </summary>
internal sealed class NameValueList
{
    private static readonly string[] WellKnownNames = Enum.GetNames<ExtendedEntry>();
    private readonly string?[] _wellKnown;

    /// <summary>Creates the list.</summary>
    /// <param name="values">The entries.</param>
    /// <param name="text">The field's text when it was not a list; else null.</param>
    public NameValueList(ImmutableArray<NameValue> values, string? text)
    {
        Values = values;
        Text = text;
        _wellKnown = new string?[WellKnownNames.Length];
        for (var i = 0; i < WellKnownNames.Length; i++)
        {
            foreach (var entry in values)
            {
                if (string.Equals(entry.Name, WellKnownNames[i], StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(entry.Value))
                {
                    _wellKnown[i] = entry.Value;
                    break;
                }
            }
        }
    }

    /// <summary>The entries.</summary>
    public ImmutableArray<NameValue> Values { get; }

    /// <summary>The field's text when it was not a list; else null.</summary>
    public string? Text { get; }

    /// <summary>The value of the first entry of that name (case-insensitive) with a non-empty value; null when none.</summary>
    /// <param name="entry">The entry's name.</param>
    public string? Find(ExtendedEntry entry) => _wellKnown[(int)entry];
}
