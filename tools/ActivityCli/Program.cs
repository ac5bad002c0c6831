using System.Runtime.CompilerServices;
using System.CommandLine;
using Grpc.Core;
using Grpc.Net.Client;
using O365Activity.Cli.Normalize;
using O365Activity.Protos.V1;

namespace O365Activity.Cli;

/// <summary>
/// <c>o365activity</c>, a small command-line client of the gateway's gRPC API, for people and for <c>run-local.sh</c>:
/// <c>list</c>, <c>get TENANT</c>, <c>create TENANT [--name N] [--unfiltered]</c>, <c>delete TENANT</c>,
/// <c>watch TENANT</c> (prints ingress and admin activity as it arrives) and <c>demo TENANT</c> (create if needed,
/// subscribe, complete admin consent by following the consent URL, then watch). Option <c>--gateway URL</c>
/// (default <c>http://127.0.0.1:5080</c>, or <c>O365ACTIVITY_GATEWAY</c>), before or after the command. It also runs
/// the offline <c>normalize [--include-raw] [--federated-domain DOMAIN]... [FILE]</c> (see <see cref="NormalizeCommand"/>),
/// which needs no gateway.
/// </summary>
public static class Program
{
    /// <summary>The one-line usage written after every usage error.</summary>
    internal const string Usage =
        "usage: o365activity [--gateway URL] list | get T | create T [--name N] [--unfiltered] | delete T | renew T"
        + " | update T [--name N] [--unfiltered BOOL] [--content-type TYPE]... [--federated-domain DOMAIN]... [--poll-interval TIME] [--backfill TIME]"
        + " | watch T [--after SEQUENCE] | demo T [--name N] [--unfiltered]"
        + " | normalize [--include-raw] [--federated-domain DOMAIN]... [FILE]";

    private const string DefaultGateway = "http://127.0.0.1:5080";

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
    /// <param name="error">Where usage errors and failed calls are reported.</param>
    /// <returns>The exit code: 0 on success (and when stopped with Ctrl-C), 1 on a failed call, 2 on a usage error.</returns>
    internal static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        // No response files: an argument starting with '@' is taken as it is.
        var parseResult = CreateRootCommand(output, error).Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parseResult.Errors.Count > 0)
        {
            foreach (var parseError in parseResult.Errors)
            {
                await error.WriteLineAsync(parseError.Message);
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
        });
    }

    /// <summary>The command tree of the gateway commands, with <c>normalize</c> listed for <c>--help</c>.</summary>
    internal static RootCommand CreateRootCommand(TextWriter output, TextWriter error)
    {
        var gateway = new Option<string>("--gateway")
        {
            Description = "The gateway's gRPC address; the default is O365ACTIVITY_GATEWAY when it is set.",
            HelpName = "URL",
            Recursive = true,
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("O365ACTIVITY_GATEWAY") ?? DefaultGateway,
        };
        var name = new Option<string>("--name") { Description = "The event source's display name.", HelpName = "N" };
        var unfiltered = new Option<bool>("--unfiltered") { Description = "Also stream every record as received (the raw stream)." };
        var tenant = new Argument<string>("TENANT") { Description = "The tenant id (a GUID)." };

        // The one-shot calls (list, get, create, delete, renew, update) are not cancelled by Ctrl-C: they finish and print their result.
        var list = new Command("list", "Lists the event sources.");
        list.SetAction(parseResult => CallAsync(parseResult, gateway, error, async (sources, _, _) =>
        {
            foreach (var source in (await sources.ListEventSourcesAsync(new ListEventSourcesRequest(), cancellationToken: CancellationToken.None)).EventSources)
            {
                await output.WriteLineAsync(Describe(source));
            }

            return 0;
        }));

        var get = new Command("get", "Shows a tenant's event source.") { tenant };
        get.SetAction(parseResult => CallAsync(parseResult, gateway, error, async (sources, _, _) =>
        {
            var source = await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = parseResult.GetValue(tenant) }, cancellationToken: CancellationToken.None);
            await output.WriteLineAsync(Describe(source));
            foreach (var line in Details(source))
            {
                await output.WriteLineAsync("  " + line);
            }

            return 0;
        }));

        var create = new Command("create", "Creates a tenant's event source and prints its admin consent URL.") { tenant, name, unfiltered };
        create.SetAction(parseResult => CallAsync(parseResult, gateway, error, async (sources, _, _) =>
        {
            var request = new CreateEventSourceRequest
            {
                TenantId = parseResult.GetValue(tenant),
                DisplayName = parseResult.GetValue(name) ?? "",
                SendUnfiltered = parseResult.GetValue(unfiltered),
            };
            var created = await sources.CreateEventSourceAsync(request, cancellationToken: CancellationToken.None);
            await output.WriteLineAsync(Describe(created));
            await output.WriteLineAsync($"Admin consent URL: {created.AdminConsentUrl}");
            await output.WriteLineAsync($"Valid until {created.AdminConsentUrlExpiresAt?.ToDateTimeOffset():u}, for one use ('renew' issues a fresh one).");
            return 0;
        }));

        var delete = new Command("delete", "Deletes a tenant's event source.") { tenant };
        delete.SetAction(parseResult => CallAsync(parseResult, gateway, error, async (sources, _, _) =>
        {
            await sources.DeleteEventSourceAsync(new DeleteEventSourceRequest { TenantId = parseResult.GetValue(tenant) }, cancellationToken: CancellationToken.None);
            await output.WriteLineAsync($"Deleted the event source of tenant {parseResult.GetValue(tenant)}.");
            return 0;
        }));

        var renew = new Command("renew", "Issues a fresh admin consent URL for a tenant's event source and prints it; the previous URL stops working.") { tenant };
        renew.SetAction(parseResult => CallAsync(parseResult, gateway, error, async (sources, _, _) =>
        {
            var renewed = await sources.RenewConsentUrlAsync(new RenewConsentUrlRequest { TenantId = parseResult.GetValue(tenant) }, cancellationToken: CancellationToken.None);
            await output.WriteLineAsync(Describe(renewed));
            await output.WriteLineAsync($"Admin consent URL: {renewed.AdminConsentUrl}");
            await output.WriteLineAsync($"Valid until {renewed.AdminConsentUrlExpiresAt?.ToDateTimeOffset():u}, for one use.");
            return 0;
        }));

        var newName = new Option<string?>("--name") { Description = "A new display name.", HelpName = "N" };
        var setUnfiltered = new Option<bool?>("--unfiltered") { Description = "Whether to also stream every record as received (true or false).", HelpName = "BOOL" };
        var contentType = new Option<string[]>("--content-type") { Description = "A content type to collect (repeat for several); replaces the list.", HelpName = "TYPE", AllowMultipleArgumentsPerToken = false };
        var domain = new Option<string[]>("--federated-domain") { Description = "A federated domain (repeat for several); replaces the list. --federated-domain \"\" clears it.", HelpName = "DOMAIN" };
        var pollInterval = new Option<TimeSpan?>("--poll-interval")
        {
            Description = "Time between polls (hh:mm:ss, 00:00:10 to 01:00:00; 0 for the service's default).", HelpName = "TIME", CustomParser = TimeSpanValue,
        };
        var backfill = new Option<TimeSpan?>("--backfill")
        {
            Description = "How far back a content type's first collection reaches (d.hh:mm:ss, up to 6.23:55:00; 0 for the default).", HelpName = "TIME", CustomParser = TimeSpanValue,
        };
        var update = new Command("update", "Changes a tenant's event source's settings; options not given stay as they are.")
        {
            tenant, newName, setUnfiltered, contentType, domain, pollInterval, backfill,
        };
        update.SetAction(parseResult => CallAsync(parseResult, gateway, error, async (sources, _, _) =>
        {
            var request = new UpdateEventSourceRequest { TenantId = parseResult.GetValue(tenant) };
            if (parseResult.GetValue(newName) is { } n)
            {
                request.DisplayName = n;
            }

            if (parseResult.GetValue(setUnfiltered) is { } u)
            {
                request.SendUnfiltered = u;
            }

            if (parseResult.GetResult(contentType) is not null)
            {
                request.ContentTypes = new StringList { Values = { parseResult.GetValue(contentType) ?? [] } };
            }

            if (parseResult.GetResult(domain) is not null)
            {
                request.FederatedDomains = new StringList { Values = { (parseResult.GetValue(domain) ?? []).Where(d => d.Length > 0) } };
            }

            if (parseResult.GetValue(pollInterval) is { } p)
            {
                request.PollInterval = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(p);
            }

            if (parseResult.GetValue(backfill) is { } b)
            {
                request.InitialBackfill = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(b);
            }

            var updated = await sources.UpdateEventSourceAsync(request, cancellationToken: CancellationToken.None);
            await output.WriteLineAsync(Describe(updated));
            await output.WriteLineAsync($"content types: {string.Join(", ", updated.ContentTypes)}; unfiltered: {updated.SendUnfiltered}; federated domains: {(updated.FederatedDomains.Count == 0 ? "none" : string.Join(", ", updated.FederatedDomains))}; "
                + $"poll interval: {(updated.PollInterval is { } pi ? pi.ToTimeSpan().ToString() : "the service's default")}; first-collection backfill: {(updated.InitialBackfill is { } ib ? ib.ToTimeSpan().ToString() : "the service's default")}");
            return 0;
        }));

        var after = new Option<long?>("--after")
        {
            Description = "Start after this sequence (0: from the first stored event); without it, from what is committed now on.",
            HelpName = "SEQUENCE",
            CustomParser = SequenceValue,
        };
        var watch = new Command(
            "watch",
            "Prints a tenant's ingress and admin activity as it arrives, until Ctrl-C; after a lost connection (a gateway restart) it reconnects from the last sequence it printed.")
        {
            tenant, after,
        };
        watch.SetAction(parseResult => CallAsync(parseResult, gateway, error, async (sources, activity, stop) =>
        {
            await WatchAsync(sources, activity, parseResult.GetValue(tenant)!, parseResult.GetValue(after), output, error, onSubscribed: () => Task.CompletedTask, stop);
            return 0;
        }));

        var demo = new Command("demo", "Creates the event source if needed, subscribes, completes admin consent, then watches.") { tenant, name, unfiltered };
        demo.SetAction(parseResult => CallAsync(parseResult, gateway, error, (sources, activity, stop) =>
            DemoAsync(sources, activity, parseResult.GetValue(tenant)!, parseResult.GetValue(name) ?? "Demo tenant", parseResult.GetValue(unfiltered), output, stop)));

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

        return new RootCommand("A command-line client of the O365 activity gateway's gRPC API, and the offline normalizer.")
        {
            gateway, list, get, create, delete, renew, update, watch, demo, normalize,
        };
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

    /// <summary>
    /// Runs one gateway call: on a channel to <c>--gateway</c>, stopped by Ctrl-C (exit code 0); a failed call is
    /// reported as <c>STATUS: detail</c> (exit code 1).
    /// </summary>
    private static async Task<int> CallAsync(
        ParseResult parseResult,
        Option<string> gatewayOption,
        TextWriter error,
        Func<EventSources.EventSourcesClient, Activity.ActivityClient, CancellationToken, Task<int>> call)
    {
        var address = parseResult.GetValue(gatewayOption)!;
        if (!Uri.TryCreate(address, UriKind.Absolute, out var gatewayUri) || gatewayUri.Scheme is not ("http" or "https"))
        {
            await error.WriteLineAsync($"--gateway: '{address}' is not an http:// or https:// URL (for example http://127.0.0.1:5080).");
            return 2;
        }

        using var channel = GrpcChannel.ForAddress(gatewayUri);
        var sources = new EventSources.EventSourcesClient(channel);
        var activity = new Activity.ActivityClient(channel);
        using var stop = new CancellationTokenSource();
        void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
        {
            e.Cancel = true;
            stop.Cancel();
        }

        Console.CancelKeyPress += OnCancelKeyPress;
        try
        {
            return await call(sources, activity, stop.Token);
        }
        catch (Exception e) when (stop.IsCancellationRequested && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            // Ctrl-C: the call was cancelled on purpose.
            return 0;
        }
        catch (RpcException e)
        {
            await error.WriteLineAsync($"{e.StatusCode}: {e.Status.Detail}");
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= OnCancelKeyPress;
        }
    }

    private static async Task<int> DemoAsync(EventSources.EventSourcesClient sources, Activity.ActivityClient activity, string tenant, string name, bool unfiltered, TextWriter output, CancellationToken cancellationToken)
    {
        // A gateway that has just started answers UNAVAILABLE itself until it has connected to the silos: wait up to a
        // minute. A gateway that cannot be reached at all (no server status, a transport error) is reported at once.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await sources.ListEventSourcesAsync(new ListEventSourcesRequest(), cancellationToken: cancellationToken);
                break;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && e.Status.DebugException is null && attempt < 60)
            {
                if (attempt == 1)
                {
                    await output.WriteLineAsync($"Waiting for the gateway to reach the cluster ({e.Status.Detail})...");
                }

                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }

        EventSource source;
        try
        {
            source = await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant, DisplayName = name, SendUnfiltered = unfiltered }, cancellationToken: cancellationToken);
            await output.WriteLineAsync($"Created: {Describe(source)}");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
            source = await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant }, cancellationToken: cancellationToken);
            await output.WriteLineAsync($"Exists: {Describe(source)}");
        }

        // The source's status changes as they happen (WatchEventSources), beside its events: CONNECTING, CONNECTED, …
        using var stopStatus = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var statusWatch = PrintStatusChangesAsync(sources, tenant, output, stopStatus.Token);
        await WatchAsync(sources, activity, tenant, null, output, Console.Error, async () =>
        {
            if (source.ConnectedAt is not null)
            {
                return;
            }

            // Stand in for the tenant administrator: open the consent URL and follow the redirects back to the gateway.
            await output.WriteLineAsync($"Admin consent URL: {source.AdminConsentUrl}");
            using var browser = new HttpClient();
            using var page = await browser.GetAsync(source.AdminConsentUrl, cancellationToken);
            await output.WriteLineAsync($"Consent callback answered HTTP {(int)page.StatusCode}.");
            var after = await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant }, cancellationToken: cancellationToken);
            await output.WriteLineAsync($"Now: {Describe(after)}");
        }, cancellationToken);
        await stopStatus.CancelAsync();
        await statusWatch;
        return 0;
    }

    /// <summary>A time-span option's value (<c>hh:mm:ss</c> or <c>d.hh:mm:ss</c>; <c>0</c> for zero), or an error that says what was expected.</summary>
    private static TimeSpan? TimeSpanValue(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (text == "0")
        {
            return TimeSpan.Zero;
        }

        if (TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        result.AddError($"{OptionName(result)}: '{text}' is not a time such as 00:05:00 (hh:mm:ss) or 2.00:00:00 (d.hh:mm:ss).");
        return null;
    }

    /// <summary>A sequence option's value (a whole number, 0 or more), or an error that says what was expected.</summary>
    private static long? SequenceValue(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        result.AddError($"{OptionName(result)}: '{text}' is not a sequence number (0, 1, 2, …).");
        return null;
    }

    private static string OptionName(System.CommandLine.Parsing.ArgumentResult result) =>
        result.Parent is System.CommandLine.Parsing.OptionResult option ? option.Option.Name : "value";

    /// <summary>Prints each status change of <paramref name="tenant"/>'s source until cancelled or the watch ends (a lost gateway: the event watch reports that).</summary>
    private static async Task PrintStatusChangesAsync(EventSources.EventSourcesClient sources, string tenant, TextWriter output, CancellationToken cancellationToken)
    {
        try
        {
            using var call = sources.WatchEventSources(new WatchEventSourcesRequest(), cancellationToken: cancellationToken);
            var last = "";
            await foreach (var change in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                if (change.TenantId == tenant && change.Kind is EventSourceChange.Types.Kind.Changed or EventSourceChange.Types.Kind.Deleted
                    && Describe(change.EventSource) is var text && text != last)
                {
                    last = text;
                    await output.WriteLineAsync($"Status: {text}");
                }
            }
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException)
        {
            // Cancelled with the demo, or the gateway went away (the event watch says so and reconnects).
        }
    }

    private static async Task WatchAsync(
        EventSources.EventSourcesClient sources,
        Activity.ActivityClient activity,
        string tenant,
        long? after,
        TextWriter output,
        TextWriter error,
        Func<Task> onSubscribed,
        CancellationToken cancellationToken)
    {
        // Both streams start at one known position, so that a reconnection resumes exactly: the given one, or the
        // source's last sequence now (what is committed after it is printed).
        var start = after ?? (await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant }, cancellationToken: cancellationToken)).LastSequence;
        var ingress = activity.StreamIngress(new StreamRequest { TenantId = tenant, AfterSequence = start }, cancellationToken: cancellationToken);
        var admin = activity.StreamAdmin(new StreamRequest { TenantId = tenant, AfterSequence = start }, cancellationToken: cancellationToken);
        await EnsureSubscribedAsync(ingress, cancellationToken);
        await EnsureSubscribedAsync(admin, cancellationToken);

        await output.WriteLineAsync($"Subscribed to tenant {tenant}'s ingress and admin activity after sequence {start}; Ctrl-C stops.");
        await onSubscribed();
        // Two loops print at once: one writer that serializes their lines.
        var lines = TextWriter.Synchronized(output);
        var warnings = TextWriter.Synchronized(error);
        // Each stream's last sequence printed: the two print in their own order, so the last line is not a safe place to
        // resume from; the lower of the two is (events after it may print again, none is missed).
        var positions = new[] { new StrongBox<long>(start), new StrongBox<long>(start) };
        try
        {
            await Task.WhenAll(
                FollowAsync(ingress, a => activity.StreamIngress(new StreamRequest { TenantId = tenant, AfterSequence = a }, cancellationToken: cancellationToken), positions[0], e => e.Header.Sequence, Describe, lines, warnings, cancellationToken),
                FollowAsync(admin, a => activity.StreamAdmin(new StreamRequest { TenantId = tenant, AfterSequence = a }, cancellationToken: cancellationToken), positions[1], e => e.Header.Sequence, Describe, lines, warnings, cancellationToken));
        }
        finally
        {
            if (cancellationToken.IsCancellationRequested)
            {
                await error.WriteLineAsync($"Stopped. To resume without missing an event: watch {tenant} --after {Math.Min(positions[0].Value, positions[1].Value)}");
            }
        }
    }

    /// <summary>Prints a stream's events; when the connection is lost (see <see cref="IsConnectionLost"/>), opens it again after the last sequence printed (kept in <paramref name="last"/>).</summary>
    private static async Task FollowAsync<T>(
        AsyncServerStreamingCall<T> call,
        Func<long, AsyncServerStreamingCall<T>> reopen,
        StrongBox<long> last,
        Func<T, long> sequence,
        Func<T, string> describe,
        TextWriter lines,
        TextWriter warnings,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                using (call)
                {
                    await foreach (var e in call.ResponseStream.ReadAllAsync(cancellationToken))
                    {
                        lines.WriteLine(describe(e));
                        last.Value = sequence(e);
                    }
                }

                return;
            }
            catch (RpcException e) when (IsConnectionLost(e) && !cancellationToken.IsCancellationRequested)
            {
                warnings.WriteLine($"Connection lost ({e.Status.Detail}); reconnecting after sequence {last.Value}...");
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                call = reopen(last.Value);
            }
        }
    }

    /// <summary>
    /// UNAVAILABLE (the gateway is down, restarting or cannot reach the cluster), or a connection that broke under the
    /// call (the client reports INTERNAL with the transport's exception, for example an HTTP/2 connection the server
    /// closed).
    /// </summary>
    private static bool IsConnectionLost(RpcException e) =>
        e.StatusCode == StatusCode.Unavailable
        || (e.StatusCode == StatusCode.Internal && e.Status.DebugException is IOException or HttpRequestException);

    /// <summary>A call refused before subscribing (for example NOT_FOUND) ends with headers only; reading it raises the status.</summary>
    private static async Task EnsureSubscribedAsync<T>(AsyncServerStreamingCall<T> call, CancellationToken cancellationToken)
    {
        if ((await call.ResponseHeadersAsync).Get("subscribed") is null)
        {
            await call.ResponseStream.MoveNext(cancellationToken);
            throw new RpcException(call.GetStatus());
        }
    }

    private static string Describe(EventSource s) =>
        $"{s.TenantId} '{s.DisplayName}' {StateName(s.State)} content={string.Join(',', s.ContentTypes)} records={s.RecordsCollected} last_sequence={s.LastSequence}"
        + (s.StatusReason.Length > 0 ? $" ({s.StatusReason})" : s.LastError.Length > 0 ? $" error: {s.LastError}" : "")
        + (s.ApiClockSkew is { } skew && skew.ToTimeSpan() != TimeSpan.Zero ? $" api_clock_skew={skew.ToTimeSpan().TotalSeconds:F0}s" : "");

    /// <summary>A state as the API and the README name it: <c>PENDING_CONSENT</c>, <c>CONNECTED</c>, <c>DEGRADED</c>…</summary>
    private static string StateName(ConnectionState state) =>
        typeof(ConnectionState).GetField(state.ToString())?.GetCustomAttributes(typeof(Google.Protobuf.Reflection.OriginalNameAttribute), false)
            is [Google.Protobuf.Reflection.OriginalNameAttribute original, ..]
            ? original.Name.Replace("CONNECTION_STATE_", "", StringComparison.Ordinal)
            : state.ToString();

    /// <summary>The lines under <c>get</c>'s summary: the consent URL while it waits, then each content type's state.</summary>
    private static string Counts(CollectionCounters c) =>
        $"blobs={c.Blobs:N0} records={c.Records:N0} (ingress={c.IngressEvents:N0} admin={c.AdminEvents:N0} raw={c.RawRecords:N0}) duplicates dropped={c.DuplicatesDropped:N0} warnings={c.NormalizationWarnings:N0} rejected={c.RecordsRejected:N0}";

    private static string Span(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{span.TotalDays:0.#} d" : span.TotalHours >= 1 ? $"{span.TotalHours:0.#} h" : span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0.#} min" : $"{span.TotalSeconds:0} s";

    private static IEnumerable<string> Details(EventSource s)
    {
        yield return $"settings: content types {string.Join(", ", s.ContentTypes)}; unfiltered {s.SendUnfiltered}; federated domains {(s.FederatedDomains.Count == 0 ? "none" : string.Join(", ", s.FederatedDomains))}; "
            + $"poll interval {(s.PollInterval is { } pi ? pi.ToTimeSpan().ToString() : "the service's default")}; first-collection backfill {(s.InitialBackfill is { } ib ? ib.ToTimeSpan().ToString() : "the service's default")}; "
            + $"cloud {s.Cloud.ToString().ToUpperInvariant()}; credential {(s.Credential.Length == 0 ? "default" : s.Credential)} (client id {s.ClientId})";
        if (s.Counters is { } total)
        {
            yield return "collected: " + Counts(total);
        }

        static string At(Google.Protobuf.WellKnownTypes.Timestamp? t) => t is null ? "never" : $"{t.ToDateTimeOffset():u}";
        if (s.AdminConsentUrl.Length > 0)
        {
            var expires = s.AdminConsentUrlExpiresAt?.ToDateTimeOffset();
            yield return $"admin consent URL: {s.AdminConsentUrl}";
            yield return expires < DateTimeOffset.UtcNow
                ? $"  (expired at {expires:u}: run 'renew {s.TenantId}' for a fresh one)"
                : $"  (single use; valid until {(expires is { } e ? $"{e:u}" : "unknown")})";
        }

        foreach (var c in s.ContentTypeStatus)
        {
            var line = $"{c.ContentType}: subscribed={c.Subscribed} cursor={At(c.Cursor)} last polled={At(c.LastPolledAt)}";
            if (c.ConsecutiveFailures > 0 || c.LastError.Length > 0)
            {
                line += $" failures in a row={c.ConsecutiveFailures} last error [{c.LastErrorCode}] at {At(c.LastErrorAt)}: {c.LastError}"
                    + (c.RetryAt is { } retry ? $" (tried again at {retry.ToDateTimeOffset():u})" : "")
                    + (c.NeedsAttention ? " — needs an administrator" : "");
            }

            yield return line;
            yield return $"  newest blob={At(c.NewestBlobAt)} newest record={At(c.NewestRecordAt)} lag={(c.Lag is { } lag ? Span(lag.ToTimeSpan()) : "none yet")}";
            yield return "  " + Counts(c.Counters);
            foreach (var gap in c.DataGaps)
            {
                yield return $"  data gap (events lost): {At(gap.Start)} to {At(gap.End)}, found {At(gap.FoundAt)}";
            }
        }
    }

    private static string Describe(IngressEvent e)
    {
        var where = e.Location is { } l ? $" ({string.Join(", ", new[] { l.CountryCode, l.Region, l.City }.Where(x => x.Length > 0))})" : "";
        var why = e.FailureCode.Length > 0 ? $" {e.FailureCode} {e.FailureReason}{(e.FailureDescription.Length > 0 ? " — " + e.FailureDescription : "")}" : "";
        return $"[ingress #{e.Header.Sequence}] {e.Header.EventTime.ToDateTimeOffset():u} {e.Result.ToString().ToUpperInvariant(),-11} {e.User} from {(e.ClientAddress?.Ip is { Length: > 0 } ip ? ip : "unknown")}{where}{why}"
            + (e.ApplicationName.Length > 0 ? $" app={e.ApplicationName}" : "");
    }

    private static string Describe(AdminEvent e) =>
        $"[admin   #{e.Header.Sequence}] {e.Header.EventTime.ToDateTimeOffset():u} {e.Action} ('{e.Header.Operation}') by {e.Actor}"
        + (e.Target.Length > 0 ? $" on {e.Target}" : "")
        + (e.Changes.Count > 0 ? $" changed {string.Join(", ", e.Changes.Select(c => c.Name))}" : "")
        + $" result={e.Result}";
}
