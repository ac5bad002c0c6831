namespace O365Activity.Contracts.Activity;

/// <summary>
/// One name/value pair of a record's <c>Parameters</c> or <c>ExtendedProperties</c> list. The value is always the
/// text as received (JSON inside a string stays text; a non-string JSON value is its JSON text), per case A05.
/// </summary>
[GenerateSerializer, Immutable, Alias("o365.NameValue")]
public sealed record NameValue
{
    /// <summary>The entry's <c>Name</c>.</summary>
    [Id(0)] public required string Name { get; init; }

    /// <summary>The entry's <c>Value</c> as text; null when absent or JSON null.</summary>
    [Id(1)] public string? Value { get; init; }
}

/// <summary>
/// One changed property of an admin action, from <c>ModifiedProperties</c>. Azure AD sends
/// <c>{Name, OldValue, NewValue}</c> objects; Exchange sends bare property names (case A02), which give a change with
/// no values. Values that are JSON inside a string are decoded to plain text where they are a single string or a
/// list of strings (for example <c>"[\r\n  \"x\"\r\n]"</c> gives <c>x</c>); other JSON stays as compact JSON text.
/// </summary>
[GenerateSerializer, Immutable, Alias("o365.PropertyChange")]
public sealed record PropertyChange
{
    /// <summary>The property's name, for example <c>Role.DisplayName</c>.</summary>
    [Id(0)] public required string Name { get; init; }

    /// <summary>The value before the change; null when unknown.</summary>
    [Id(1)] public string? OldValue { get; init; }

    /// <summary>The value after the change; null when unknown.</summary>
    [Id(2)] public string? NewValue { get; init; }
}
