using System.CommandLine;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using O365Activity.Cli.Terminal;
using O365Activity.Protos.V1;

namespace O365Activity.Cli.Commands;

/// <summary>
/// The streaming commands: <c>watch</c> (ingress and admin together), <c>tail ingress|admin|raw</c> (one stream) and
/// <c>demo</c>. Each prints events as they arrive until Ctrl-C and, after a lost connection, opens its streams again
/// after the last sequence it printed (<see cref="FollowAsync"/>). With <c>--json</c>: one JSON object per line.
/// </summary>
internal static class StreamCommands
{
    /// <summary><c>watch TENANT [--after SEQUENCE]</c>.</summary>
    public static Command Watch(CommonOptions common)
    {
        var tenant = CommonOptions.Tenant();
        var after = After();
        var watch = new Command(
            "watch",
            "Prints a tenant's ingress and admin activity as it arrives, until Ctrl-C; after a lost connection (a gateway restart) it reconnects from the last sequence it printed. "
            + "With --json, one object per line: {\"kind\": \"ingress\" or \"admin\", \"event\": the event}.")
        {
            tenant, after,
        };
        watch.SetAction(parseResult => common.CallAsync(parseResult, async call =>
        {
            await WatchAsync(call, call.Value(tenant)!, call.Value(after), onSubscribed: () => Task.CompletedTask);
            return 0;
        }));
        return watch;
    }

    /// <summary><c>tail ingress|admin|raw TENANT [--after N | --since TIME]</c>.</summary>
    public static Command Tail(CommonOptions common) => new("tail", "Prints one stream of a tenant's activity as it arrives, until Ctrl-C, reconnecting after a lost connection.")
    {
        TailOf(common, "ingress", "sign-ins (StreamIngress)", (a, r, t) => a.StreamIngress(r, cancellationToken: t), e => e.Header.Sequence, EventText.Describe),
        TailOf(common, "admin", "admin changes (StreamAdmin)", (a, r, t) => a.StreamAdmin(r, cancellationToken: t), e => e.Header.Sequence, EventText.Describe),
        TailOf(common, "raw", "every record as received (StreamRaw; a source created with --unfiltered)", (a, r, t) => a.StreamRaw(r, cancellationToken: t), e => e.Header.Sequence, EventText.Describe),
    };

    /// <summary><c>demo TENANT [--name N] [--unfiltered]</c>: create if needed, subscribe, complete admin consent, watch.</summary>
    public static Command Demo(CommonOptions common)
    {
        var tenant = CommonOptions.Tenant();
        var name = SourceCommands.Name();
        var unfiltered = SourceCommands.Unfiltered();
        var demo = new Command("demo", "Creates the event source if needed, subscribes, completes admin consent, then watches.") { tenant, name, unfiltered };
        demo.SetAction(parseResult => common.CallAsync(parseResult, call => DemoAsync(call, call.Value(tenant)!, call.Value(name) ?? "Demo tenant", call.Value(unfiltered))));
        return demo;
    }

    private static Option<long?> After() => new("--after")
    {
        Description = "Start after this sequence (0: from the first stored event); without it, from what is committed now on.",
        HelpName = "SEQUENCE",
        CustomParser = OptionValues.SequenceValue,
    };

    private static Command TailOf<T>(
        CommonOptions common,
        string kind,
        string what,
        Func<Activity.ActivityClient, StreamRequest, CancellationToken, AsyncServerStreamingCall<T>> open,
        Func<T, long> sequence,
        Func<T, string> describe)
        where T : IMessage
    {
        var tenant = CommonOptions.Tenant();
        var after = After();
        var since = CommonOptions.Time("--since", "Start with the events collected at or after this time");
        var tail = new Command(kind, $"Prints a tenant's {what} as they arrive, until Ctrl-C; with --json one event per line.") { tenant, after, since };
        tail.Validators.Add(result =>
        {
            if (result.GetResult(after) is { Implicit: false } && result.GetResult(since) is { Implicit: false })
            {
                result.AddError($"tail {kind}: give --after or --since, not both.");
            }
        });
        tail.SetAction(parseResult => common.CallAsync(parseResult, async call =>
        {
            var id = call.Value(tenant)!;
            var from = call.Value(since);
            // One known position to start from, so that a reconnection resumes exactly: the given sequence, else (no
            // --since either) the source's last sequence now; with --since, the first event printed fixes it.
            var start = call.Value(after) ?? (from is null
                ? (await call.Sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = id }, cancellationToken: call.Stopping)).LastSequence
                : null);
            StreamRequest Request(long? position) => position is { } p
                ? new StreamRequest { TenantId = id, AfterSequence = p }
                : new StreamRequest { TenantId = id, StartTime = Timestamp.FromDateTimeOffset(from!.Value) };

            var stream = open(call.Activity, Request(start), call.Stopping);
            await EnsureSubscribedAsync(stream, call.Stopping);
            await call.Output.MessageAsync($"Subscribed to tenant {id}'s {kind} stream {(start is { } s ? $"after sequence {s}" : $"from what was collected since {from:u}")}; Ctrl-C stops.");
            var last = new StrongBox<long?>(start);
            try
            {
                await FollowAsync(stream, p => open(call.Activity, Request(p), call.Stopping), last, sequence, Line(call.Output, describe), call.Output.Output, call.Output.Error, call.Stopping);
            }
            finally
            {
                if (call.Stopping.IsCancellationRequested)
                {
                    await call.Output.WarningAsync(last.Value is { } l
                        ? $"Stopped. To resume: tail {kind} {id} --after {l}"
                        : $"Stopped before any event. To resume: tail {kind} {id} --since {from:yyyy-MM-ddTHH:mm:ss.fffffffZ}");
                }
            }

            return 0;
        }));
        return tail;
    }

    private static async Task<int> DemoAsync(GatewayCall call, string tenant, string name, bool unfiltered)
    {
        var (sources, output, cancellationToken) = (call.Sources, call.Output, call.Stopping);
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
                    await output.MessageAsync($"Waiting for the gateway to reach the cluster ({e.Status.Detail})...");
                }

                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }

        EventSource source;
        try
        {
            source = await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant, DisplayName = name, SendUnfiltered = unfiltered }, cancellationToken: cancellationToken);
            await output.MessageAsync($"Created: {EventText.Describe(source)}");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
            source = await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant }, cancellationToken: cancellationToken);
            await output.MessageAsync($"Exists: {EventText.Describe(source)}");
        }

        // The source's status changes as they happen (WatchEventSources), beside its events: CONNECTING, CONNECTED, …
        using var stopStatus = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var statusWatch = PrintStatusChangesAsync(sources, tenant, output, stopStatus.Token);
        await WatchAsync(call, tenant, null, async () =>
        {
            if (source.ConnectedAt is not null)
            {
                return;
            }

            // Stand in for the tenant administrator: open the consent URL and follow the redirects back to the gateway.
            await output.MessageAsync($"Admin consent URL: {source.AdminConsentUrl}");
            using var browser = new HttpClient();
            using var page = await browser.GetAsync(source.AdminConsentUrl, cancellationToken);
            await output.MessageAsync($"Consent callback answered HTTP {(int)page.StatusCode}.");
            var after = await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant }, cancellationToken: cancellationToken);
            await output.MessageAsync($"Now: {EventText.Describe(after)}");
        });
        await stopStatus.CancelAsync();
        await statusWatch;
        return 0;
    }

    /// <summary>Prints each status change of <paramref name="tenant"/>'s source until cancelled or the watch ends (a lost gateway: the event watch reports that).</summary>
    private static async Task PrintStatusChangesAsync(EventSources.EventSourcesClient sources, string tenant, CommandOutput output, CancellationToken cancellationToken)
    {
        try
        {
            using var call = sources.WatchEventSources(new WatchEventSourcesRequest(), cancellationToken: cancellationToken);
            var last = "";
            await foreach (var change in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                if (change.TenantId == tenant && change.Kind is EventSourceChange.Types.Kind.Changed or EventSourceChange.Types.Kind.Deleted
                    && EventText.Describe(change.EventSource) is var text && text != last)
                {
                    last = text;
                    await output.MessageAsync($"Status: {text}");
                }
            }
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException)
        {
            // Cancelled with the demo, or the gateway went away (the event watch says so and reconnects).
        }
    }

    private static async Task WatchAsync(GatewayCall call, string tenant, long? after, Func<Task> onSubscribed)
    {
        var (activity, output, cancellationToken) = (call.Activity, call.Output, call.Stopping);
        // Both streams start at one known position, so that a reconnection resumes exactly: the given one, or the
        // source's last sequence now (what is committed after it is printed).
        var start = after ?? (await call.Sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant }, cancellationToken: cancellationToken)).LastSequence;
        var ingress = activity.StreamIngress(new StreamRequest { TenantId = tenant, AfterSequence = start }, cancellationToken: cancellationToken);
        var admin = activity.StreamAdmin(new StreamRequest { TenantId = tenant, AfterSequence = start }, cancellationToken: cancellationToken);
        await EnsureSubscribedAsync(ingress, cancellationToken);
        await EnsureSubscribedAsync(admin, cancellationToken);

        await output.MessageAsync($"Subscribed to tenant {tenant}'s ingress and admin activity after sequence {start}; Ctrl-C stops.");
        await onSubscribed();
        // Two loops print at once: one writer that serializes their lines.
        var lines = TextWriter.Synchronized(output.Output);
        var warnings = TextWriter.Synchronized(output.Error);
        // Each stream's last sequence printed: the two print in their own order, so the last line is not a safe place to
        // resume from; the lower of the two is (events after it may print again, none is missed).
        var positions = new[] { new StrongBox<long?>(start), new StrongBox<long?>(start) };
        try
        {
            await Task.WhenAll(
                FollowAsync(ingress, a => activity.StreamIngress(new StreamRequest { TenantId = tenant, AfterSequence = a ?? start }, cancellationToken: cancellationToken), positions[0], e => e.Header.Sequence, Line<IngressEvent>(output, EventText.Describe, "ingress"), lines, warnings, cancellationToken),
                FollowAsync(admin, a => activity.StreamAdmin(new StreamRequest { TenantId = tenant, AfterSequence = a ?? start }, cancellationToken: cancellationToken), positions[1], e => e.Header.Sequence, Line<AdminEvent>(output, EventText.Describe, "admin"), lines, warnings, cancellationToken));
        }
        finally
        {
            if (cancellationToken.IsCancellationRequested)
            {
                await output.WarningAsync($"Stopped. To resume without missing an event: watch {tenant} --after {Math.Min(positions[0].Value ?? start, positions[1].Value ?? start)}");
            }
        }
    }

    /// <summary>
    /// An event's line: in text mode its summary, escaped; in JSON mode the event itself or, when the output mixes
    /// kinds (<paramref name="kind"/> given), <c>{"kind": KIND, "event": EVENT}</c>.
    /// </summary>
    private static Func<T, string> Line<T>(CommandOutput output, Func<T, string> describe, string? kind = null)
        where T : IMessage =>
        !output.Json ? e => TerminalText.Escape(describe(e))
        : kind is null ? e => CommandOutput.Format(e)
        : e => $"{{ \"kind\": \"{kind}\", \"event\": {CommandOutput.Format(e)} }}";

    /// <summary>
    /// Writes a stream's events, one line each; when the connection is lost (see <see cref="IsConnectionLost"/>), opens
    /// it again after the last sequence written (kept in <paramref name="last"/>; null until one is, and then
    /// <paramref name="reopen"/> starts where the first call did).
    /// </summary>
    private static async Task FollowAsync<T>(
        AsyncServerStreamingCall<T> call,
        Func<long?, AsyncServerStreamingCall<T>> reopen,
        StrongBox<long?> last,
        Func<T, long> sequence,
        Func<T, string> line,
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
                        lines.WriteLine(line(e));
                        last.Value = sequence(e);
                    }
                }

                return;
            }
            catch (RpcException e) when (IsConnectionLost(e) && !cancellationToken.IsCancellationRequested)
            {
                warnings.WriteLine(TerminalText.Escape($"Connection lost ({e.Status.Detail}); reconnecting {(last.Value is { } l ? $"after sequence {l}" : "from the start")}..."));
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
}
