using System.CommandLine;
using O365Activity.Cli.Terminal;
using O365Activity.Protos.V1;

namespace O365Activity.Cli.Commands;

/// <summary>What one gateway command runs with: its parsed arguments, the clients of the gateway's services on one channel, its output, and the token Ctrl-C cancels.</summary>
internal sealed class GatewayCall
{
    /// <summary>A call to the gateway at <paramref name="address"/>.</summary>
    public GatewayCall(ParseResult parseResult, Uri address, Grpc.Core.CallInvoker invoker, CommandOutput output, CancellationToken stopping)
    {
        ParseResult = parseResult;
        Address = address;
        Sources = new EventSources.EventSourcesClient(invoker);
        Activity = new Activity.ActivityClient(invoker);
        History = new History.HistoryClient(invoker);
        Output = output;
        Stopping = stopping;
    }

    /// <summary>The command line as parsed.</summary>
    public ParseResult ParseResult { get; }

    /// <summary>The gateway's address (with its scheme).</summary>
    public Uri Address { get; }

    /// <summary>The <c>EventSources</c> service.</summary>
    public EventSources.EventSourcesClient Sources { get; }

    /// <summary>The <c>Activity</c> service (the streams).</summary>
    public Activity.ActivityClient Activity { get; }

    /// <summary>The <c>History</c> service.</summary>
    public History.HistoryClient History { get; }

    /// <summary>Where the command writes.</summary>
    public CommandOutput Output { get; }

    /// <summary>Cancelled by Ctrl-C (or the caller of <see cref="Program.RunAsync"/>): streaming commands stop, exit code 0.</summary>
    public CancellationToken Stopping { get; }

    /// <summary>The value of an option or argument.</summary>
    public T? Value<T>(Option<T> option) => ParseResult.GetValue(option);

    /// <summary>The value of an argument.</summary>
    public T? Value<T>(Argument<T> argument) => ParseResult.GetValue(argument);
}
