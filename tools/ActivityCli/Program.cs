using Grpc.Core;
using Grpc.Net.Client;
using O365Activity.Protos.V1;

namespace O365Activity.Cli;

/// <summary>
/// A small command-line client of the gateway's gRPC API, for people and for <c>run-local.sh</c>:
/// <c>list</c>, <c>get TENANT</c>, <c>create TENANT [--name N] [--unfiltered]</c>, <c>delete TENANT</c>,
/// <c>watch TENANT</c> (prints ingress and admin activity as it arrives) and <c>demo TENANT</c> (create if needed,
/// subscribe, complete admin consent by following the consent URL, then watch). Option <c>--gateway URL</c>
/// (default <c>http://127.0.0.1:5080</c>, or <c>O365ACTIVITY_GATEWAY</c>).
/// </summary>
public static class Program
{
    /// <summary>Runs one command; exit code 0 on success, 1 on a failed call, 2 on a usage error.</summary>
    public static async Task<int> Main(string[] args)
    {
        var options = args.ToList();
        var gateway = TakeOption(options, "--gateway") ?? Environment.GetEnvironmentVariable("O365ACTIVITY_GATEWAY") ?? "http://127.0.0.1:5080";
        var name = TakeOption(options, "--name");
        var unfiltered = options.Remove("--unfiltered");
        if (options.Count == 0)
        {
            await Console.Error.WriteLineAsync("usage: o365activity [--gateway URL] list | get T | create T [--name N] [--unfiltered] | delete T | watch T | demo T [--name N] [--unfiltered]");
            return 2;
        }

        using var channel = GrpcChannel.ForAddress(gateway);
        var sources = new EventSources.EventSourcesClient(channel);
        var activity = new Activity.ActivityClient(channel);
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        try
        {
            switch (options[0], options.Count)
            {
                case ("list", 1):
                    foreach (var source in (await sources.ListEventSourcesAsync(new ListEventSourcesRequest())).EventSources)
                    {
                        Console.WriteLine(Describe(source));
                    }

                    return 0;
                case ("get", 2):
                    Console.WriteLine(Describe(await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = options[1] })));
                    return 0;
                case ("create", 2):
                    var created = await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = options[1], DisplayName = name ?? "", SendUnfiltered = unfiltered });
                    Console.WriteLine(Describe(created));
                    Console.WriteLine($"Admin consent URL: {created.AdminConsentUrl}");
                    return 0;
                case ("delete", 2):
                    await sources.DeleteEventSourceAsync(new DeleteEventSourceRequest { TenantId = options[1] });
                    Console.WriteLine($"Deleted the event source of tenant {options[1]}.");
                    return 0;
                case ("watch", 2):
                    await WatchAsync(activity, options[1], onSubscribed: () => Task.CompletedTask, stop.Token);
                    return 0;
                case ("demo", 2):
                    return await DemoAsync(sources, activity, options[1], name ?? "Demo tenant", unfiltered, stop.Token);
                default:
                    await Console.Error.WriteLineAsync($"Unknown command or wrong arguments: {string.Join(' ', options)}");
                    return 2;
            }
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            await Console.Error.WriteLineAsync($"{e.StatusCode}: {e.Status.Detail}");
            return 1;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 0;
        }
    }

    private static async Task<int> DemoAsync(EventSources.EventSourcesClient sources, Activity.ActivityClient activity, string tenant, string name, bool unfiltered, CancellationToken cancellationToken)
    {
        EventSource source;
        try
        {
            source = await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant, DisplayName = name, SendUnfiltered = unfiltered }, cancellationToken: cancellationToken);
            Console.WriteLine($"Created: {Describe(source)}");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
            source = await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant }, cancellationToken: cancellationToken);
            Console.WriteLine($"Exists: {Describe(source)}");
        }

        await WatchAsync(activity, tenant, async () =>
        {
            if (source.State == ConnectionState.Connected)
            {
                return;
            }

            // Stand in for the tenant administrator: open the consent URL and follow the redirects back to the gateway.
            Console.WriteLine($"Admin consent URL: {source.AdminConsentUrl}");
            using var browser = new HttpClient();
            using var page = await browser.GetAsync(source.AdminConsentUrl, cancellationToken);
            Console.WriteLine($"Consent callback answered HTTP {(int)page.StatusCode}.");
            var after = await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant }, cancellationToken: cancellationToken);
            Console.WriteLine($"Now: {Describe(after)}");
        }, cancellationToken);
        return 0;
    }

    private static async Task WatchAsync(Activity.ActivityClient activity, string tenant, Func<Task> onSubscribed, CancellationToken cancellationToken)
    {
        using var ingress = activity.StreamIngress(new StreamRequest { TenantId = tenant }, cancellationToken: cancellationToken);
        using var admin = activity.StreamAdmin(new StreamRequest { TenantId = tenant }, cancellationToken: cancellationToken);
        await EnsureSubscribedAsync(ingress, cancellationToken);
        await EnsureSubscribedAsync(admin, cancellationToken);

        Console.WriteLine($"Subscribed to tenant {tenant}'s ingress and admin activity; Ctrl-C stops.");
        await onSubscribed();
        var printIngress = Task.Run(async () =>
        {
            await foreach (var e in ingress.ResponseStream.ReadAllAsync(cancellationToken))
            {
                Console.WriteLine(Describe(e));
            }
        }, cancellationToken);
        var printAdmin = Task.Run(async () =>
        {
            await foreach (var e in admin.ResponseStream.ReadAllAsync(cancellationToken))
            {
                Console.WriteLine(Describe(e));
            }
        }, cancellationToken);
        await Task.WhenAll(printIngress, printAdmin);
    }

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
        $"{s.TenantId} '{s.DisplayName}' {s.State} content={string.Join(',', s.ContentTypes)} records={s.RecordsCollected}"
        + (s.LastError.Length > 0 ? $" error: {s.LastError}" : "");

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

    private static string? TakeOption(List<string> args, string name)
    {
        var index = args.IndexOf(name);
        if (index < 0 || index + 1 >= args.Count)
        {
            return null;
        }

        var value = args[index + 1];
        args.RemoveRange(index, 2);
        return value;
    }
}
