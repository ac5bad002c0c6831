using System.Runtime.CompilerServices;
using O365Activity.Contracts.Activity;

namespace O365Activity.Grains.Normalization;

/// <summary>
/// Shares <see cref="NameValue"/> entries between records: the entries of <c>ExtendedProperties</c> and the like
/// repeat from record to record (<c>RequestType</c> = <c>OAuth2:Authorize</c>), and their texts come from
/// <see cref="StringCache"/>, one instance per text, so an entry is found by the identity of its two strings. A fixed
/// table of 4,096 entries; thread-safe without locks (an entry is immutable, written and read whole).
/// </summary>
internal static class NameValueCache
{
    private const int Size = 1 << 12;
    private static readonly NameValue?[] Entries = new NameValue?[Size];

    /// <summary>An entry with this name and value: a shared one when there is one, else a new one (then shared).</summary>
    /// <param name="name">The name.</param>
    /// <param name="value">The value; null for none.</param>
    public static NameValue Get(string name, string? value)
    {
        var hash = (RuntimeHelpers.GetHashCode(name) * 31) + (value is null ? 0 : RuntimeHelpers.GetHashCode(value));
        ref var entry = ref Entries[hash & (Size - 1)];
        var cached = entry;
        if (cached is not null && ReferenceEquals(cached.Name, name) && ReferenceEquals(cached.Value, value))
        {
            return cached;
        }

        var created = new NameValue { Name = name, Value = value };
        entry = created;
        return created;
    }
}
