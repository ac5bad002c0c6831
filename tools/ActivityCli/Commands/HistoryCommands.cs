using System.CommandLine;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using O365Activity.Cli.Terminal;
using O365Activity.Protos.V1;

namespace O365Activity.Cli.Commands;

/// <summary>
/// The <c>History</c> commands (<c>protos/o365activity/v1/history.proto</c>): <c>history ingress|admin</c> (pages of
/// sign-ins or admin changes, filtered), <c>user</c> (one user's activity) and <c>locations</c> (sign-ins by location).
/// Times filter on the records' event times (UTC).
/// </summary>
internal static class HistoryCommands
{
    /// <summary><c>history ingress|admin TENANT [filters]</c>.</summary>
    public static Command History(CommonOptions common) => new("history", "Lists a tenant's stored sign-ins or admin changes, newest first, one page at a time.")
    {
        Ingress(common), Admin(common),
    };

    /// <summary><c>user TENANT UPN [--since] [--until] [--limit N]</c>.</summary>
    public static Command User(CommonOptions common)
    {
        var tenant = CommonOptions.Tenant();
        var upn = new Argument<string>("UPN") { Description = "The user: a UPN or an object id (any letter case)." };
        var since = CommonOptions.Time("--since", "From this event time on");
        var until = CommonOptions.Time("--until", "Before this event time");
        var limit = CommonOptions.Limit("How many of the newest events each list holds, 1 to 1000 (default 100); the summaries cover the whole range.");
        var user = new Command("user", "Shows one user's activity: sign-ins, admin changes made and received, and the countries, addresses and applications seen, with first and last seen.")
        {
            tenant, upn, since, until, limit,
        };
        user.SetAction(parseResult => common.CallAsync(parseResult, async call =>
        {
            var request = new GetUserActivityRequest
            {
                TenantId = call.Value(tenant),
                User = call.Value(upn),
                StartTime = Stamp(call.Value(since)),
                EndTime = Stamp(call.Value(until)),
                PageSize = call.Value(limit) ?? 0,
            };
            var activity = await call.History.GetUserActivityAsync(request, cancellationToken: call.Stopping);
            if (call.Output.Json)
            {
                await call.Output.DocumentAsync(activity);
                return 0;
            }

            var output = call.Output;
            await output.LineAsync($"User {activity.User} of tenant {activity.TenantId}: {activity.SignInCount} sign-ins, {activity.FailureCount} failed.");
            var signIns = EventText.SignInTable();
            foreach (var e in activity.SignIns)
            {
                EventText.AddRow(signIns, e);
            }

            await SectionAsync(output, $"Sign-ins (the newest {activity.SignIns.Count}):", signIns);
            await SectionAsync(output, $"Changes made ({activity.ChangesMade.Count}):", Changes(activity.ChangesMade));
            await SectionAsync(output, $"Changes received ({activity.ChangesReceived.Count}):", Changes(activity.ChangesReceived));
            await SectionAsync(output, "Countries:", Seen("COUNTRY", "NAME", activity.Countries));
            await SectionAsync(output, "Addresses:", Seen("ADDRESS", "COUNTRY", activity.Addresses));
            await SectionAsync(output, "Applications:", Seen("APPLICATION", "NAME", activity.Applications));
            return 0;
        }));
        return user;
    }

    /// <summary><c>locations TENANT [--since] [--until]</c>.</summary>
    public static Command Locations(CommonOptions common)
    {
        var tenant = CommonOptions.Tenant();
        var since = CommonOptions.Time("--since", "From this event time on");
        var until = CommonOptions.Time("--until", "Before this event time");
        var locations = new Command("locations", "Counts a tenant's sign-ins by location (country, region, city): successes, failures, interrupted, users.")
        {
            tenant, since, until,
        };
        locations.SetAction(parseResult => common.CallAsync(parseResult, async call =>
        {
            var request = new ListLocationsRequest { TenantId = call.Value(tenant), StartTime = Stamp(call.Value(since)), EndTime = Stamp(call.Value(until)) };
            var response = await call.History.ListLocationsAsync(request, cancellationToken: call.Stopping);
            if (call.Output.Json)
            {
                await call.Output.DocumentAsync(response);
                return 0;
            }

            var table = new Table(
                "COUNTRY", "REGION", "CITY", TableColumn.Right("LATITUDE"), TableColumn.Right("LONGITUDE"),
                TableColumn.Right("SUCCESSES"), TableColumn.Right("FAILURES"), TableColumn.Right("INTERRUPTED"), TableColumn.Right("USERS"));
            foreach (var l in response.Locations)
            {
                table.Add(
                    l.Location.CountryCode.Length > 0 && l.Location.CountryName.Length > 0 ? $"{l.Location.CountryCode} {l.Location.CountryName}" : l.Location.CountryCode + l.Location.CountryName,
                    l.Location.Region,
                    l.Location.City,
                    l.Location.HasLatitude ? l.Location.Latitude.ToString("0.####", CultureInfo.InvariantCulture) : "",
                    l.Location.HasLongitude ? l.Location.Longitude.ToString("0.####", CultureInfo.InvariantCulture) : "",
                    Number(l.Successes),
                    Number(l.Failures),
                    Number(l.Interrupted),
                    Number(l.UserCount));
            }

            await call.Output.TableAsync(table);
            await call.Output.LineAsync(
                $"Left out: {response.UnreliableSignIns} sign-ins with an unreliable location (federated users: the address is the federation server's), {response.UnlocatedSignIns} from addresses with no known location.");
            return 0;
        }));
        return locations;
    }

    private static Command Ingress(CommonOptions common)
    {
        var filters = new HistoryFilters("sign-ins");
        var result = new Option<SignInResult[]>("--result")
        {
            Description = "Only sign-ins with this result: success, failure or interrupted (repeat, or separate with commas, for several).",
            HelpName = "RESULT",
            CustomParser = OptionValues.SignInResultValues,
        };
        var flagged = new Option<bool>("--flagged") { Description = "Only sign-ins with at least one risk flag (NEW_COUNTRY, IMPOSSIBLE_TRAVEL, FAILURE_BURST, NEW_APPLICATION, NEW_DEVICE)." };
        var ingress = new Command("ingress", "Lists a tenant's stored sign-ins (ListIngress): a table, or with --json the ListIngressResponse.") { filters.Tenant, result, flagged };
        filters.AddTo(ingress);
        ingress.SetAction(parseResult => common.CallAsync(parseResult, call =>
        {
            var request = new ListIngressRequest
            {
                TenantId = call.Value(filters.Tenant),
                StartTime = Stamp(call.Value(filters.Since)),
                EndTime = Stamp(call.Value(filters.Until)),
                User = call.Value(filters.User) ?? "",
                Results = { call.Value(result) ?? [] },
                ClientAddress = call.Value(filters.Address) ?? "",
                Order = call.Value(filters.OldestFirst) ? SortOrder.OldestFirst : SortOrder.NewestFirst,
                PageSize = call.Value(filters.Limit) ?? 0,
                FlaggedOnly = call.Value(flagged),
            };
            return PagesAsync<IngressEvent>(call, call.Value(filters.PageToken) ?? "", call.Value(filters.All), EventText.SignInTable(), EventText.AddRow, async token =>
            {
                request.PageToken = token;
                var page = await call.History.ListIngressAsync(request, cancellationToken: call.Stopping);
                return (page, page.Events, page.NextPageToken);
            });
        }));
        return ingress;
    }

    private static Command Admin(CommonOptions common)
    {
        var filters = new HistoryFilters("admin changes");
        var action = new Option<AdminAction[]>("--action")
        {
            Description = "Only changes with this action, for example password-reset or ROLE_MEMBER_ADDED (repeat, or separate with commas, for several).",
            HelpName = "ACTION",
            CustomParser = OptionValues.AdminActionValues,
        };
        var admin = new Command("admin", "Lists a tenant's stored admin changes (ListAdmin); --user matches the actor or the target: a table, or with --json the ListAdminResponse.") { filters.Tenant, action };
        filters.AddTo(admin);
        admin.SetAction(parseResult => common.CallAsync(parseResult, call =>
        {
            var request = new ListAdminRequest
            {
                TenantId = call.Value(filters.Tenant),
                StartTime = Stamp(call.Value(filters.Since)),
                EndTime = Stamp(call.Value(filters.Until)),
                User = call.Value(filters.User) ?? "",
                Actions = { call.Value(action) ?? [] },
                ClientAddress = call.Value(filters.Address) ?? "",
                Order = call.Value(filters.OldestFirst) ? SortOrder.OldestFirst : SortOrder.NewestFirst,
                PageSize = call.Value(filters.Limit) ?? 0,
            };
            return PagesAsync<AdminEvent>(call, call.Value(filters.PageToken) ?? "", call.Value(filters.All), EventText.ChangeTable(), EventText.AddRow, async token =>
            {
                request.PageToken = token;
                var page = await call.History.ListAdminAsync(request, cancellationToken: call.Stopping);
                return (page, page.Events, page.NextPageToken);
            });
        }));
        return admin;
    }

    /// <summary>
    /// Reads one page from <paramref name="token"/> (all of them to the end with <paramref name="all"/>) and prints it.
    /// Text: one table (rows of every page), then, when there is a next page, the <c>--page-token</c> that gets it.
    /// JSON: the page as it came; with <paramref name="all"/>, one document <c>{ "events": [ … ] }</c> written as the pages
    /// arrive (no next page token: there is none).
    /// </summary>
    private static async Task<int> PagesAsync<TEvent>(
        GatewayCall call,
        string token,
        bool all,
        Table table,
        Action<Table, TEvent> addRow,
        Func<string, Task<(IMessage Page, IReadOnlyList<TEvent> Events, string Next)>> read)
        where TEvent : IMessage
    {
        var output = call.Output;
        var first = true;
        do
        {
            var (page, events, next) = await read(token);
            token = next;
            if (output.Json && !all)
            {
                await output.DocumentAsync(page);
                return 0;
            }

            foreach (var e in events)
            {
                if (output.Json)
                {
                    await output.Output.WriteAsync(first ? "{ \"events\": [ " : ", ");
                    await output.Output.WriteAsync(CommandOutput.Format(e));
                    first = false;
                }
                else
                {
                    addRow(table, e);
                }
            }
        }
        while (all && token.Length > 0);

        if (output.Json)
        {
            await output.Output.WriteLineAsync(first ? "{ \"events\": [ ] }" : " ] }");
            return 0;
        }

        await output.TableAsync(table);
        if (token.Length > 0)
        {
            await output.LineAsync($"More: the next page with --page-token {token} (and the same filters), or every page with --all.");
        }

        return 0;
    }

    private static Table Changes(IEnumerable<AdminEvent> changes)
    {
        var table = EventText.ChangeTable();
        foreach (var e in changes)
        {
            EventText.AddRow(table, e);
        }

        return table;
    }

    private static Table Seen(string value, string label, IEnumerable<SeenValue> seen)
    {
        var table = new Table(value, label, TableColumn.Right("SIGN-INS"), TableColumn.Right("FAILURES"), "FIRST SEEN", "LAST SEEN");
        foreach (var s in seen)
        {
            table.Add(s.Value, s.Label, Number(s.SignIns), Number(s.Failures), EventText.Time(s.FirstSeen), EventText.Time(s.LastSeen));
        }

        return table;
    }

    /// <summary>A blank line, a title, then the table indented, or "none".</summary>
    private static async Task SectionAsync(CommandOutput output, string title, Table table)
    {
        await output.LineAsync("");
        await output.LineAsync(title);
        if (table.Count == 0)
        {
            await output.LineAsync("  none");
            return;
        }

        await output.TableAsync(table, "  ");
    }

    private static Timestamp? Stamp(DateTimeOffset? time) => time is { } t ? Timestamp.FromDateTimeOffset(t) : null;

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
