namespace O365Activity.Cli.Normalize;

/// <summary>Where a record or an error sits in the input.</summary>
/// <param name="Line">The 1-based line where the record (or the unreadable part) starts.</param>
/// <param name="Element">For an element of a JSON array, its number in the array, counted from 1; else null.</param>
internal readonly record struct InputPosition(int Line, int? Element = null)
{
    /// <summary><c>line 3</c>, or <c>line 1, element 7</c> for an array element.</summary>
    public override string ToString() => Element is { } element ? $"line {Line}, element {element}" : $"line {Line}";
}
