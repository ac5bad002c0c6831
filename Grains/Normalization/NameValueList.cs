using O365Activity.Contracts.Activity;

namespace O365Activity.Grains.Normalization;

/// <summary>What <see cref="LenientJson.NameValues"/> reads from a <c>{Name, Value}</c> list field: its entries, or its text when it was not a list.</summary>
/// <param name="Values">The entries.</param>
/// <param name="Text">The field's text when it was not a list; else null.</param>
internal sealed record NameValueList(ImmutableArray<NameValue> Values, string? Text);
