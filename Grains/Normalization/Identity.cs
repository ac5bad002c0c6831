namespace O365Activity.Grains.Normalization;

/// <summary>One <c>{ID, Type}</c> entry of an <c>Actor</c> or <c>Target</c> list.</summary>
internal readonly record struct Identity(string Id, int? Type);
