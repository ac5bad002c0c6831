namespace O365Activity.Cli.Terminal;

/// <summary>
/// Rows under a header row, written with aligned columns (two spaces between them, no padding after the last). Every
/// cell goes through <see cref="TerminalText.Escape"/> as it is added, so a value can neither break its row nor add
/// one; widths count characters (a wide or combining character may shift a row's later columns, never its line).
/// </summary>
internal sealed class Table
{
    private const string Gap = "  ";
    private readonly TableColumn[] _columns;
    private readonly List<string[]> _rows = [];

    /// <summary>A table with these columns.</summary>
    public Table(params TableColumn[] columns)
    {
        _columns = columns;
    }

    /// <summary>The rows added so far.</summary>
    public int Count => _rows.Count;

    /// <summary>Adds a row; missing cells are empty and cells beyond the columns are an error.</summary>
    /// <exception cref="ArgumentException">More cells than columns.</exception>
    public void Add(params string?[] cells)
    {
        if (cells.Length > _columns.Length)
        {
            throw new ArgumentException($"{cells.Length} cells for {_columns.Length} columns.", nameof(cells));
        }

        var row = new string[_columns.Length];
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = i < cells.Length ? TerminalText.Escape(cells[i]) : "";
        }

        _rows.Add(row);
    }

    /// <summary>Writes the header row and every row, each line starting with <paramref name="indent"/>.</summary>
    public async Task WriteToAsync(TextWriter writer, string indent = "")
    {
        var widths = new int[_columns.Length];
        for (var i = 0; i < widths.Length; i++)
        {
            widths[i] = _columns[i].Header.Length;
            foreach (var row in _rows)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        await writer.WriteLineAsync(Line(_columns.Select(c => c.Header).ToArray(), widths, indent));
        foreach (var row in _rows)
        {
            await writer.WriteLineAsync(Line(row, widths, indent));
        }
    }

    private string Line(string[] cells, int[] widths, string indent)
    {
        var line = new System.Text.StringBuilder(indent);
        for (var i = 0; i < cells.Length; i++)
        {
            var last = i == cells.Length - 1;
            if (_columns[i].AlignRight)
            {
                line.Append(cells[i].PadLeft(widths[i]));
            }
            else
            {
                line.Append(last ? cells[i] : cells[i].PadRight(widths[i]));
            }

            if (!last)
            {
                line.Append(Gap);
            }
        }

        return line.ToString().TrimEnd(' ');
    }
}
