using System.CommandLine;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Grpc.Core;
using Grpc.Net.Client;
using O365Activity.Cli.Terminal;

namespace O365Activity.Cli.Commands;

/// <summary>
/// What every gateway command shares: the recursive options <c>--gateway</c> and <c>--json</c>, the writers, and how
/// one command's calls run (<see cref="CallAsync"/>).
/// </summary>
internal sealed partial class CommonOptions
{
    /// <summary>The gateway address when neither <c>--gateway</c> nor <c>O365ACTIVITY_GATEWAY</c> gives one.</summary>
    public const string DefaultGateway = "http://127.0.0.1:5080";

    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly CancellationToken _stopping;

    /// <summary>Options writing to <paramref name="output"/> and <paramref name="error"/>; <paramref name="stopping"/> stops a command as Ctrl-C does.</summary>
    public CommonOptions(TextWriter output, TextWriter error, CancellationToken stopping)
    {
        _output = output;
        _error = error;
        _stopping = stopping;
        Gateway = new Option<string>("--gateway")
        {
            Description = "The gateway's gRPC address (host:port means http://host:port); the default is O365ACTIVITY_GATEWAY when it is set, else " + DefaultGateway + ".",
            HelpName = "URL",
            Recursive = true,
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("O365ACTIVITY_GATEWAY") ?? DefaultGateway,
        };
        Json = new Option<bool>("--json")
        {
            Description = "Write JSON on standard output (one document per result; one object per line for streams) and messages on standard error.",
            Recursive = true,
        };
        CaCertificate = FileOption("--ca", "O365ACTIVITY_CA", "A PEM file with the CA that issued the gateway's TLS certificate (https:// gateways whose certificate the system does not trust, such as ./run-local.sh --auth's)");
        ClientCertificate = FileOption("--cert", "O365ACTIVITY_CERT", "A PEM file with this client's certificate, for a gateway that authenticates clients by certificate (with --key)");
        ClientKey = FileOption("--key", "O365ACTIVITY_KEY", "A PEM file with the private key of --cert");
        TokenFile = FileOption("--token-file", "O365ACTIVITY_TOKEN_FILE", "A file holding a bearer token (a JWT) for a gateway that authenticates clients by token; sent over https:// only");
    }

    /// <summary><c>--ca FILE</c>.</summary>
    public Option<string?> CaCertificate { get; }

    /// <summary><c>--cert FILE</c>.</summary>
    public Option<string?> ClientCertificate { get; }

    /// <summary><c>--key FILE</c>.</summary>
    public Option<string?> ClientKey { get; }

    /// <summary><c>--token-file FILE</c>.</summary>
    public Option<string?> TokenFile { get; }

    /// <summary>The credential options, for the root command.</summary>
    public IEnumerable<Option> CredentialOptions => [CaCertificate, ClientCertificate, ClientKey, TokenFile];

    private static Option<string?> FileOption(string name, string variable, string description) => new(name)
    {
        Description = $"{description}; the default is {variable} when it is set.",
        HelpName = "FILE",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : null,
    };

    /// <summary><c>--gateway URL</c>.</summary>
    public Option<string> Gateway { get; }

    /// <summary><c>--json</c>.</summary>
    public Option<bool> Json { get; }

    /// <summary>A fresh <c>TENANT</c> argument.</summary>
    public static Argument<string> Tenant() => new("TENANT") { Description = "The tenant id (a GUID)." };

    /// <summary>A fresh time option (<c>--since</c>, <c>--until</c>) described by <paramref name="description"/>.</summary>
    public static Option<DateTimeOffset?> Time(string name, string description) => new(name)
    {
        Description = $"{description}: {OptionValues.TimeForms}.",
        HelpName = "TIME",
        CustomParser = OptionValues.TimeValue,
    };

    /// <summary>A fresh <c>--limit N</c> option (a page size, 1 to 1,000) described by <paramref name="description"/>.</summary>
    public static Option<int?> Limit(string description) => new("--limit")
    {
        Description = description,
        HelpName = "N",
        CustomParser = OptionValues.PageSizeValue,
    };

    /// <summary>
    /// Runs one command's calls on a channel to <c>--gateway</c>, stopped by Ctrl-C (exit code 0). A failed call is
    /// reported on standard error as <c>STATUS: detail</c> (exit code 1); a gateway that cannot be reached as
    /// <c>UNAVAILABLE: cannot reach the gateway at ADDRESS (reason)</c>; an address that is not one, exit code 2.
    /// </summary>
    public async Task<int> CallAsync(ParseResult parseResult, Func<GatewayCall, Task<int>> call)
    {
        var output = new CommandOutput(_output, _error, parseResult.GetValue(Json));
        var address = parseResult.GetValue(Gateway) ?? DefaultGateway;
        if (GatewayAddress(address) is not { } gateway)
        {
            await output.WarningAsync($"--gateway: '{address}' is not a gateway address: give host:port (http:// is assumed) or an http:// or https:// URL, for example 127.0.0.1:5080.");
            return 2;
        }

        GrpcChannel channel;
        try
        {
            channel = GatewayChannel.Create(gateway, new GatewayCredentials(
                parseResult.GetValue(CaCertificate), parseResult.GetValue(ClientCertificate), parseResult.GetValue(ClientKey), parseResult.GetValue(TokenFile)));
        }
        catch (GatewayCredentialsException e)
        {
            await output.WarningAsync(e.Message);
            return 2;
        }

        using var owned = channel;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
        {
            e.Cancel = true;
            stop.Cancel();
        }

        Console.CancelKeyPress += OnCancelKeyPress;
        try
        {
            return await call(new GatewayCall(parseResult, gateway, channel.CreateCallInvoker(), output, stop.Token));
        }
        catch (Exception e) when (stop.IsCancellationRequested && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            // Ctrl-C: the call was cancelled on purpose.
            return 0;
        }
        catch (RpcException e)
        {
            await output.WarningAsync(Failure(e, gateway));
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= OnCancelKeyPress;
        }
    }

    /// <summary>The gateway's URL: <paramref name="address"/>, with <c>http://</c> in front when it has no scheme; null when that is not an http or https URL with a host.</summary>
    public static Uri? GatewayAddress(string address)
    {
        address = address.Trim();
        if (!address.Contains("://", StringComparison.Ordinal))
        {
            address = "http://" + address;
        }

        return Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0 ? uri : null;
    }

    /// <summary>A failed call in one line: the status as the README names it and its detail, or that the gateway cannot be reached.</summary>
    public static string Failure(RpcException e, Uri gateway) =>
        e.StatusCode == StatusCode.Unavailable && ConnectFailure(e.Status.DebugException) is { } reason
            ? $"UNAVAILABLE: cannot reach the gateway at {gateway.GetLeftPart(UriPartial.Authority)} ({reason})"
            : e.Status.DebugException is { } transport && NotGrpc(transport)
            ? $"UNAVAILABLE: {gateway.GetLeftPart(UriPartial.Authority)} does not answer gRPC (a wrong port, or http:// and https:// mixed up: the gateway's gRPC endpoint is http://127.0.0.1:5080 by default, https:// when it has TLS)"
            : e.StatusCode == StatusCode.Unauthenticated
            ? $"UNAUTHENTICATED: the gateway needs credentials this call did not carry or it did not accept (--cert and --key, or --token-file; over https://){Detail(e)}"
            : $"{StatusName(e.StatusCode)}: {e.Status.Detail}";

    private static string Detail(RpcException e) => string.IsNullOrEmpty(e.Status.Detail) || e.Status.Detail.StartsWith("Bad gRPC response", StringComparison.Ordinal) ? "" : $": {e.Status.Detail}";

    /// <summary>
    /// Whether the transport's error says the other end is not a gRPC server: a connection was made (refusals and unknown
    /// hosts are said apart), but it answered in another protocol (HTTP/1.1 only, TLS, not HTTP at all) or did not
    /// complete the HTTP/2 handshake, as an HTTP/1.1-only server may not.
    /// </summary>
    private static bool NotGrpc(Exception transport) =>
        Inner<HttpProtocolException>(transport) is not null
        || Inner<HttpRequestException>(transport) is { HttpRequestError: not (HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError) };

    /// <summary>A status code as the gRPC specification and the README name it: <c>NOT_FOUND</c>, <c>UNAVAILABLE</c>.</summary>
    public static string StatusName(StatusCode code) => WordBoundary().Replace(code.ToString(), "_").ToUpperInvariant();

    /// <summary>
    /// Why no connection could be made, when <paramref name="debugException"/> (the client's transport error) says so: the
    /// client reports a socket error itself (its subchannels connect first) or an HTTP connection or name resolution error.
    /// </summary>
    private static string? ConnectFailure(Exception? debugException) => debugException switch
    {
        SocketException socket => Reason(socket),
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } http =>
            Inner<SocketException>(http) is { } socket ? Reason(socket)
            : http.HttpRequestError == HttpRequestError.NameResolutionError ? "host not found" : http.Message,
        _ => null,
    };

    private static T? Inner<T>(Exception e)
        where T : Exception
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static string Reason(SocketException socket) => socket.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host not found",
        SocketError.TimedOut => "timed out",
        SocketError.NetworkUnreachable or SocketError.HostUnreachable => "no route to the host",
        _ => socket.Message,
    };

    [GeneratedRegex("(?<=[a-z])(?=[A-Z])")]
    private static partial Regex WordBoundary();
}
