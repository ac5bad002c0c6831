using System.CommandLine;
using O365Activity.Cli.Commands;
using O365Activity.Cli.Normalize;

namespace O365Activity.Cli;

/// <summary>
/// <c>o365activity</c>, a command-line client of the gateway's gRPC API, for people and for <c>run-local.sh</c>.
/// Event sources: <c>list</c>, <c>get TENANT</c>, <c>create TENANT [--name N] [--unfiltered]</c>, <c>update TENANT
/// [options]</c>, <c>delete TENANT</c> (also as <c>sources list|get|create|update|delete</c>), <c>renew TENANT</c> and
/// <c>consent-url TENANT</c> (the outstanding admin consent URL, or a fresh one). Activity as it arrives: <c>watch
/// TENANT</c> (ingress and admin), <c>tail ingress|admin|raw TENANT [--after N | --since TIME]</c> and <c>demo TENANT</c>
/// (create if needed, subscribe, complete admin consent by following the consent URL, then watch). History:
/// <c>history ingress|admin TENANT [filters]</c>, <c>user TENANT UPN</c> and <c>locations TENANT</c>. Options
/// <c>--gateway URL</c> (default <c>http://127.0.0.1:5080</c>, or <c>O365ACTIVITY_GATEWAY</c>; <c>host:port</c> means
/// <c>http://host:port</c>) and <c>--json</c> (JSON on standard output, messages on standard error), before or after the
/// command. Text output escapes control and format characters of every value (<see cref="Terminal.TerminalText"/>).
/// It also runs the offline <c>normalize [--include-raw] [--federated-domain DOMAIN]... [FILE]</c> (see
/// <see cref="NormalizeCommand"/>), which needs no gateway.
/// </summary>
public static class Program
{
    /// <summary>The one-line usage written after every usage error.</summary>
    internal const string Usage =
        "usage: o365activity [--gateway URL] [--json] [--ca FILE] [--cert FILE --key FILE | --token-file FILE] list | get T | create T [--name N] [--unfiltered] | delete T | renew T | consent-url T"
        + " | update T [--name N] [--unfiltered BOOL] [--content-type TYPE]... [--federated-domain DOMAIN]... [--poll-interval TIME] [--backfill TIME]"
        + " | sources list|get|create|update|delete ..."
        + " | watch T [--after SEQUENCE] | tail ingress|admin|raw T [--after SEQUENCE | --since TIME] | demo T [--name N] [--unfiltered]"
        + " | history ingress|admin T [--since TIME] [--until TIME] [--user UPN] [--result R]... [--action A]... [--address IP|CIDR] [--oldest-first] [--limit N] [--page-token T] [--all]"
        + " | user T UPN [--since TIME] [--until TIME] [--limit N] | locations T [--since TIME] [--until TIME]"
        + " | normalize [--include-raw] [--federated-domain DOMAIN]... [FILE]";

    /// <summary>Runs one command.</summary>
    /// <param name="args">The command and its arguments.</param>
    /// <returns>The exit code: 0 on success, 1 on a failed call (or, for <c>normalize</c>, a record that failed), 2 on a usage error.</returns>
    public static async Task<int> Main(string[] args)
    {
        if (args is ["normalize", ..])
        {
            return await NormalizeAsync(args[1..]);
        }

        return await RunAsync(args, Console.Out, Console.Error);
    }

    /// <summary>Parses and runs one of the gateway commands (every command but <c>normalize</c>).</summary>
    /// <param name="args">The command and its arguments.</param>
    /// <param name="output">Where the command's results and <c>--help</c> go; written from more than one thread by <c>watch</c> and <c>demo</c>.</param>
    /// <param name="error">Where usage errors, failed calls and (with <c>--json</c>) messages are reported.</param>
    /// <param name="stopping">Stops the command as Ctrl-C does (a streaming command ends, exit code 0).</param>
    /// <returns>The exit code: 0 on success (and when stopped with Ctrl-C), 1 on a failed call, 2 on a usage error.</returns>
    internal static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken stopping = default)
    {
        // No response files: an argument starting with '@' is taken as it is.
        var parseResult = CreateRootCommand(output, error, stopping).Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parseResult.Errors.Count > 0)
        {
            foreach (var parseError in parseResult.Errors)
            {
                await error.WriteLineAsync(Terminal.TerminalText.Escape(parseError.Message));
            }

            await error.WriteLineAsync(Usage);
            return 2;
        }

        // Ctrl-C is handled by each gateway command (it stops the call and exits 0); an unexpected exception is not caught.
        return await parseResult.InvokeAsync(new InvocationConfiguration
        {
            Output = output,
            Error = error,
            ProcessTerminationTimeout = null,
            EnableDefaultExceptionHandler = false,
        }, CancellationToken.None);
    }

    /// <summary>The command tree of the gateway commands, with <c>normalize</c> listed for <c>--help</c>.</summary>
    internal static RootCommand CreateRootCommand(TextWriter output, TextWriter error, CancellationToken stopping = default)
    {
        var common = new CommonOptions(output, error, stopping);

        // Listed for --help only: Main hands "normalize ..." to NormalizeCommand, which parses its own arguments.
        var normalize = new Command(
            "normalize",
            "Normalizes audit records from FILE or standard input offline, one NDJSON line per record; must be the first argument: "
            + "normalize [--include-raw] [--federated-domain DOMAIN]... [FILE] (see normalize --help).")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        normalize.SetAction(async _ =>
        {
            await error.WriteLineAsync("normalize: 'normalize' must be the first argument (it takes no --gateway).");
            await error.WriteLineAsync(NormalizeCommand.Usage);
            return 2;
        });

        var root = new RootCommand("A command-line client of the O365 activity gateway's gRPC API, and the offline normalizer.")
        {
            common.Gateway,
            common.Json,
            SourceCommands.List(common),
            SourceCommands.Get(common),
            SourceCommands.Create(common),
            SourceCommands.Delete(common),
            SourceCommands.Renew(common),
            SourceCommands.Update(common),
            SourceCommands.ConsentUrl(common),
            SourceCommands.Group(common),
            StreamCommands.Watch(common),
            StreamCommands.Tail(common),
            StreamCommands.Demo(common),
            HistoryCommands.History(common),
            HistoryCommands.User(common),
            HistoryCommands.Locations(common),
            normalize,
        };
        foreach (var option in common.CredentialOptions)
        {
            root.Options.Add(option);
        }

        return root;
    }

    /// <summary>
    /// The offline <c>normalize</c> command on the console: standard input as bytes (the reader decodes UTF-8 itself),
    /// standard output as bytes (the command writes UTF-8 lines in blocks, not per line), and the <c>GeoIp</c> settings from <c>appsettings.json</c> beside
    /// the executable and from environment variables (<c>GeoIp__CityDatabasePath</c>, …).
    /// </summary>
    private static async Task<int> NormalizeAsync(string[] args)
    {
        var configuration = NormalizeCommand.LoadConfiguration(AppContext.BaseDirectory);
        await using var input = Console.OpenStandardInput();
        await using var output = Console.OpenStandardOutput();
        return await NormalizeCommand.RunAsync(args, input, output, Console.Error, configuration);
    }
}
