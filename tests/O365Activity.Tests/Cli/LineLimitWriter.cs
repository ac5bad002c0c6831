using System.Text;

namespace O365Activity.Tests.Cli;

/// <summary>
/// Standard output for a streaming command under test: keeps everything written and, once <paramref name="limit"/>
/// lines that <paramref name="counts"/> accepts are complete, cancels <see cref="Stop"/> (as Ctrl-C would). Safe for
/// the several loops that write at once.
/// </summary>
public sealed class LineLimitWriter(int limit, Func<string, bool> counts) : TextWriter
{
    private readonly StringBuilder _all = new();
    private readonly StringBuilder _line = new();
    private readonly Lock _lock = new();
    private int _counted;

    /// <summary>Cancelled when the limit is reached.</summary>
    public CancellationTokenSource Stop { get; } = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_lock)
        {
            _all.Append(value);
            if (value != '\n')
            {
                _line.Append(value);
                return;
            }

            if (counts(_line.ToString()) && ++_counted == limit)
            {
                Stop.Cancel();
            }

            _line.Clear();
        }
    }

    public override void Write(string? value)
    {
        foreach (var c in value ?? "")
        {
            Write(c);
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        for (var i = index; i < index + count; i++)
        {
            Write(buffer[i]);
        }
    }

    public override string ToString()
    {
        lock (_lock)
        {
            return _all.ToString();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Stop.Dispose();
        }

        base.Dispose(disposing);
    }
}
