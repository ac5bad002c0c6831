using System.CommandLine;
using O365Activity.Cli.Terminal;
using O365Activity.Protos.V1;

namespace O365Activity.Cli.Commands;

/// <summary>
/// The <c>EventSources</c> commands: <c>list</c>, <c>get</c>, <c>create</c>, <c>update</c>, <c>delete</c>, <c>renew</c> and
/// <c>consent-url</c>. Each factory makes a fresh command, so that the same action serves at the top level and under
/// <c>sources</c>. The one-shot calls are not cancelled by Ctrl-C: they finish and print their result.
/// </summary>
internal static class SourceCommands
{
    /// <summary><c>sources list|get|create|update|delete</c>: the same commands as at the top level, in a group.</summary>
    public static Command Group(CommonOptions common) => new("sources", "Event sources: list, get, create, update, delete.")
    {
        List(common), Get(common), Create(common), Update(common), Delete(common),
    };

    /// <summary><c>list</c>: every event source, one row each.</summary>
    public static Command List(CommonOptions common)
    {
        var list = new Command("list", "Lists the event sources (a table; with --json the ListEventSourcesResponse).");
        list.SetAction(parseResult => common.CallAsync(parseResult, async call =>
        {
            var response = await call.Sources.ListEventSourcesAsync(new ListEventSourcesRequest(), cancellationToken: CancellationToken.None);
            if (call.Output.Json)
            {
                await call.Output.DocumentAsync(response);
                return 0;
            }

            var table = EventText.SourceTable();
            foreach (var source in response.EventSources)
            {
                EventText.AddRow(table, source);
            }

            await call.Output.TableAsync(table);
            return 0;
        }));
        return list;
    }

    /// <summary><c>get TENANT</c>: one source's status, settings, counters and content types.</summary>
    public static Command Get(CommonOptions common)
    {
        var tenant = CommonOptions.Tenant();
        var get = new Command("get", "Shows a tenant's event source.") { tenant };
        get.SetAction(parseResult => common.CallAsync(parseResult, async call =>
        {
            var source = await call.Sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = call.Value(tenant) }, cancellationToken: CancellationToken.None);
            await PrintAsync(call.Output, source, EventText.Details(source).Select(line => "  " + line));
            return 0;
        }));
        return get;
    }

    /// <summary><c>create TENANT [--name N] [--unfiltered]</c>: creates a source and prints its admin consent URL.</summary>
    public static Command Create(CommonOptions common)
    {
        var tenant = CommonOptions.Tenant();
        var name = Name();
        var unfiltered = Unfiltered();
        var create = new Command("create", "Creates a tenant's event source and prints its admin consent URL.") { tenant, name, unfiltered };
        create.SetAction(parseResult => common.CallAsync(parseResult, async call =>
        {
            var request = new CreateEventSourceRequest
            {
                TenantId = call.Value(tenant),
                DisplayName = call.Value(name) ?? "",
                SendUnfiltered = call.Value(unfiltered),
            };
            var created = await call.Sources.CreateEventSourceAsync(request, cancellationToken: CancellationToken.None);
            await PrintAsync(call.Output, created,
            [
                $"Admin consent URL: {created.AdminConsentUrl}",
                $"Valid until {created.AdminConsentUrlExpiresAt?.ToDateTimeOffset():u}, for one use ('renew' issues a fresh one).",
            ]);
            return 0;
        }));
        return create;
    }

    /// <summary><c>delete TENANT</c>.</summary>
    public static Command Delete(CommonOptions common)
    {
        var tenant = CommonOptions.Tenant();
        var delete = new Command("delete", "Deletes a tenant's event source.") { tenant };
        delete.SetAction(parseResult => common.CallAsync(parseResult, async call =>
        {
            var response = await call.Sources.DeleteEventSourceAsync(new DeleteEventSourceRequest { TenantId = call.Value(tenant) }, cancellationToken: CancellationToken.None);
            if (call.Output.Json)
            {
                await call.Output.DocumentAsync(response);
            }

            await call.Output.MessageAsync($"Deleted the event source of tenant {call.Value(tenant)}.");
            return 0;
        }));
        return delete;
    }

    /// <summary><c>renew TENANT</c>: a fresh admin consent URL.</summary>
    public static Command Renew(CommonOptions common)
    {
        var tenant = CommonOptions.Tenant();
        var renew = new Command("renew", "Issues a fresh admin consent URL for a tenant's event source and prints it; the previous URL stops working.") { tenant };
        renew.SetAction(parseResult => common.CallAsync(parseResult, async call =>
        {
            var renewed = await call.Sources.RenewConsentUrlAsync(new RenewConsentUrlRequest { TenantId = call.Value(tenant) }, cancellationToken: CancellationToken.None);
            await PrintAsync(call.Output, renewed,
            [
                $"Admin consent URL: {renewed.AdminConsentUrl}",
                $"Valid until {renewed.AdminConsentUrlExpiresAt?.ToDateTimeOffset():u}, for one use.",
            ]);
            return 0;
        }));
        return renew;
    }

    /// <summary>
    /// <c>consent-url TENANT</c>: the outstanding admin consent URL and its expiry when one has not expired; else, for a
    /// source that is not connected or whose URL expired, a fresh one (<c>RenewConsentUrl</c>); a connected source with
    /// no consent pending is said to be so, and nothing is issued.
    /// </summary>
    public static Command ConsentUrl(CommonOptions common)
    {
        var tenant = CommonOptions.Tenant();
        var consentUrl = new Command(
            "consent-url",
            "Prints a tenant's outstanding admin consent URL and when it expires; issues a fresh one when it expired or there is none (but not for a connected source: see renew).")
        {
            tenant,
        };
        consentUrl.SetAction(parseResult => common.CallAsync(parseResult, async call =>
        {
            var source = await call.Sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = call.Value(tenant) }, cancellationToken: CancellationToken.None);
            var expires = source.AdminConsentUrlExpiresAt?.ToDateTimeOffset();
            if (source.AdminConsentUrl.Length > 0 && expires > TimeProvider.System.GetUtcNow())
            {
                await PrintAsync(call.Output, source,
                [
                    $"Admin consent URL: {source.AdminConsentUrl}",
                    $"Valid until {expires:u}, for one use (outstanding; 'renew {source.TenantId}' replaces it).",
                ], summary: false);
                return 0;
            }

            if (source.AdminConsentUrl.Length == 0 && source.ConnectedAt is not null)
            {
                if (call.Output.Json)
                {
                    await call.Output.DocumentAsync(source);
                }

                await call.Output.MessageAsync(
                    $"Tenant {source.TenantId} is connected ({EventText.StateName(source.State)}, since {source.ConnectedAt.ToDateTimeOffset():u}): no admin consent is pending. "
                    + $"If consent must be given again (revoked, another application or cloud), 'renew {source.TenantId}' issues a URL.");
                return 0;
            }

            var renewed = await call.Sources.RenewConsentUrlAsync(new RenewConsentUrlRequest { TenantId = source.TenantId }, cancellationToken: CancellationToken.None);
            await PrintAsync(call.Output, renewed,
            [
                $"Admin consent URL (fresh; {(source.AdminConsentUrl.Length > 0 ? $"the previous one expired at {expires:u}" : "there was none")}): {renewed.AdminConsentUrl}",
                $"Valid until {renewed.AdminConsentUrlExpiresAt?.ToDateTimeOffset():u}, for one use.",
            ], summary: false);
            return 0;
        }));
        return consentUrl;
    }

    /// <summary><c>update TENANT [options]</c>: changes the settings given, keeps the others.</summary>
    public static Command Update(CommonOptions common)
    {
        var tenant = CommonOptions.Tenant();
        var newName = new Option<string?>("--name") { Description = "A new display name.", HelpName = "N" };
        var setUnfiltered = new Option<bool?>("--unfiltered") { Description = "Whether to also stream every record as received (true or false).", HelpName = "BOOL" };
        var contentType = new Option<string[]>("--content-type") { Description = "A content type to collect (repeat for several); replaces the list.", HelpName = "TYPE", AllowMultipleArgumentsPerToken = false };
        var domain = new Option<string[]>("--federated-domain") { Description = "A federated domain (repeat for several); replaces the list. --federated-domain \"\" clears it.", HelpName = "DOMAIN" };
        var pollInterval = new Option<TimeSpan?>("--poll-interval")
        {
            Description = "Time between polls (hh:mm:ss, 00:00:10 to 01:00:00; 0 for the service's default).", HelpName = "TIME", CustomParser = OptionValues.TimeSpanValue,
        };
        var backfill = new Option<TimeSpan?>("--backfill")
        {
            Description = "How far back a content type's first collection reaches (d.hh:mm:ss, up to 6.23:55:00; 0 for the default).", HelpName = "TIME", CustomParser = OptionValues.TimeSpanValue,
        };
        var update = new Command("update", "Changes a tenant's event source's settings; options not given stay as they are.")
        {
            tenant, newName, setUnfiltered, contentType, domain, pollInterval, backfill,
        };
        update.SetAction(parseResult => common.CallAsync(parseResult, async call =>
        {
            var request = new UpdateEventSourceRequest { TenantId = call.Value(tenant) };
            if (call.Value(newName) is { } n)
            {
                request.DisplayName = n;
            }

            if (call.Value(setUnfiltered) is { } u)
            {
                request.SendUnfiltered = u;
            }

            if (parseResult.GetResult(contentType) is not null)
            {
                request.ContentTypes = new StringList { Values = { call.Value(contentType) ?? [] } };
            }

            if (parseResult.GetResult(domain) is not null)
            {
                request.FederatedDomains = new StringList { Values = { (call.Value(domain) ?? []).Where(d => d.Length > 0) } };
            }

            if (call.Value(pollInterval) is { } p)
            {
                request.PollInterval = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(p);
            }

            if (call.Value(backfill) is { } b)
            {
                request.InitialBackfill = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(b);
            }

            var updated = await call.Sources.UpdateEventSourceAsync(request, cancellationToken: CancellationToken.None);
            await PrintAsync(call.Output, updated, [EventText.Settings(updated)]);
            return 0;
        }));
        return update;
    }

    /// <summary>A fresh <c>--name N</c> option for a new source.</summary>
    public static Option<string> Name() => new("--name") { Description = "The event source's display name.", HelpName = "N" };

    /// <summary>A fresh <c>--unfiltered</c> switch for a new source.</summary>
    public static Option<bool> Unfiltered() => new("--unfiltered") { Description = "Also stream every record as received (the raw stream)." };

    /// <summary>A source as JSON, or its one-line summary (unless <paramref name="summary"/> is false) and <paramref name="lines"/>.</summary>
    private static async Task PrintAsync(CommandOutput output, EventSource source, IEnumerable<string> lines, bool summary = true)
    {
        if (output.Json)
        {
            await output.DocumentAsync(source);
            return;
        }

        if (summary)
        {
            await output.LineAsync(EventText.Describe(source));
        }

        foreach (var line in lines)
        {
            await output.LineAsync(line);
        }
    }
}
