using System.CommandLine;

namespace O365Activity.Cli.Commands;

/// <summary>The options <c>history ingress</c> and <c>history admin</c> share.</summary>
internal sealed class HistoryFilters
{
    /// <summary>The filters of a listing of <paramref name="what"/> (for the options' descriptions).</summary>
    public HistoryFilters(string what)
    {
        Since = CommonOptions.Time("--since", $"Only {what} at or after this event time");
        Until = CommonOptions.Time("--until", $"Only {what} before this event time");
        Limit = CommonOptions.Limit("Page size: 1 to 1000 (default 100).");
    }

    /// <summary>TENANT.</summary>
    public Argument<string> Tenant { get; } = CommonOptions.Tenant();

    /// <summary><c>--since TIME</c>: <c>start_time</c>.</summary>
    public Option<DateTimeOffset?> Since { get; }

    /// <summary><c>--until TIME</c>: <c>end_time</c>.</summary>
    public Option<DateTimeOffset?> Until { get; }

    /// <summary><c>--user UPN</c>.</summary>
    public Option<string> User { get; } = new("--user") { Description = "Only this user's (a UPN or an object id, any letter case).", HelpName = "UPN" };

    /// <summary><c>--address IP|CIDR</c>: <c>client_address</c>.</summary>
    public Option<string> Address { get; } = new("--address") { Description = "Only from this IP address, or from inside this network (CIDR, for example 203.0.113.0/24).", HelpName = "IP|CIDR" };

    /// <summary><c>--oldest-first</c>.</summary>
    public Option<bool> OldestFirst { get; } = new("--oldest-first") { Description = "The oldest first (the default is the newest first)." };

    /// <summary><c>--limit N</c>: <c>page_size</c>.</summary>
    public Option<int?> Limit { get; }

    /// <summary><c>--page-token T</c>.</summary>
    public Option<string> PageToken { get; } = new("--page-token") { Description = "Continue from a previous page (the token it printed), with the same filters.", HelpName = "T" };

    /// <summary><c>--all</c>: follow <c>next_page_token</c> to the end.</summary>
    public Option<bool> All { get; } = new("--all") { Description = "Follow the pages to the end." };

    /// <summary>Adds the options (not <see cref="Tenant"/>) to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Since, Until, User, Address, OldestFirst, Limit, PageToken, All })
        {
            command.Options.Add(option);
        }
    }
}
