namespace O365Activity.Cli.Terminal;

/// <summary>A column of a <see cref="Table"/>: its header and whether its values line up on the right (numbers).</summary>
/// <param name="Header">The header, in capitals by convention (<c>TIME</c>, <c>USER</c>).</param>
/// <param name="AlignRight">True for numbers: padded on the left.</param>
internal readonly record struct TableColumn(string Header, bool AlignRight = false)
{
    /// <summary>A left-aligned column.</summary>
    public static implicit operator TableColumn(string header) => new(header);

    /// <summary>A right-aligned column (numbers).</summary>
    public static TableColumn Right(string header) => new(header, AlignRight: true);
}
