using CliProgram = O365Activity.Cli.Program;

namespace O365Activity.Tests.Cli;

/// <summary>Runs <c>o365activity</c>'s gateway commands in the test process (<c>Program.RunAsync</c>), capturing both outputs.</summary>
public static class CliRunner
{
    /// <summary>Runs a command to its end.</summary>
    public static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliProgram.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// Runs a streaming command until <paramref name="lines"/> lines of standard output that <paramref name="counts"/>
    /// accepts were written, then stops it as Ctrl-C does. A command that never writes them is stopped after a minute,
    /// so that the test fails on its output rather than hanging.
    /// </summary>
    public static async Task<(int Code, string Output, string Error)> RunUntilAsync(int lines, Func<string, bool> counts, params string[] args)
    {
        using var output = new LineLimitWriter(lines, counts);
        using var error = new StringWriter();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(output.Stop.Token);
        stop.CancelAfter(TimeSpan.FromMinutes(1));
        var code = await CliProgram.RunAsync(args, output, TextWriter.Synchronized(error), stop.Token);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// The lines of <paramref name="text"/>, split at every line break a terminal or an editor might honour (CR, LF,
    /// CRLF, FF, NEL, U+2028, U+2029); a last line break ends the last line, it does not add an empty one.
    /// </summary>
    public static string[] Lines(string text)
    {
        text = text.ReplaceLineEndings("\n");
        return text.Length == 0 ? [] : (text.EndsWith('\n') ? text[..^1] : text).Split('\n');
    }
}
