namespace O365Activity.Contracts.EventSources;

/// <summary>
/// What the user chose when creating an event source (one connected Office 365 tenant).
/// </summary>
[GenerateSerializer, Immutable, Alias("o365.EventSourceSettings")]
public sealed record EventSourceSettings
{
    /// <summary>The Office 365 tenant id (the directory's GUID); also the tenant grain's key.</summary>
    [Id(0)] public Guid TenantId { get; init; }

    /// <summary>A human name for the source, for lists and logs.</summary>
    [Id(1)] public string DisplayName { get; init; } = "";

    /// <summary>
    /// The content types to subscribe to and collect (PROTOCOL.md §3): any of <see cref="ContentTypes.All"/>. Never empty
    /// once created: an empty request means <see cref="ContentTypes.Default"/>.
    /// </summary>
    [Id(2)] public ImmutableArray<string> ContentTypes { get; init; } = [];

    /// <summary>Whether every audit record is also published as a raw record ("unfiltered logs"); the raw stream is only open when true.</summary>
    [Id(3)] public bool SendUnfiltered { get; init; }

    /// <summary>
    /// The tenant's federated (AD FS) domains, lower case, without a leading <c>@</c>. Sign-ins of users in them carry
    /// <c>LocationReliable = false</c>: their address is a proxy's, not the user's (PROTOCOL.md §8, "Federation").
    /// </summary>
    [Id(4)] public ImmutableArray<string> FederatedDomains { get; init; } = [];

    /// <summary>Time between the source's polls; null for the service's <c>Collector:PollInterval</c> (default 1 minute). 10 seconds to 1 hour.</summary>
    [Id(5)] public TimeSpan? PollInterval { get; init; }

    /// <summary>
    /// How far back a content type's first collection reaches; null for the service's <c>Collector:InitialLookback</c>
    /// (default 24 hours). At most 7 days less 5 minutes (the API keeps content for 7 days: PROTOCOL.md §4). Applies to
    /// content types not collected yet; a content type with a cursor goes on from it.
    /// </summary>
    [Id(6)] public TimeSpan? InitialBackfill { get; init; }

    /// <summary>The tenant's cloud (token authority, API host and scope: PROTOCOL.md §1); null for the service's <c>Collector:Cloud</c>.</summary>
    [Id(7)] public CloudName? Cloud { get; init; }

    /// <summary>
    /// The name of the application credential the tenant consented to (<c>Collector:Credentials:{name}</c>); null for the
    /// service's default credential. Names only: the secret or certificate stays in the service's configuration (case AU1).
    /// </summary>
    [Id(8)] public string? Credential { get; init; }
}

/// <summary>Changes to an event source's settings: each null member is left as it is.</summary>
[GenerateSerializer, Immutable, Alias("o365.EventSourceUpdate")]
public sealed record EventSourceUpdate
{
    /// <summary>A new display name (empty: the tenant id).</summary>
    [Id(0)] public string? DisplayName { get; init; }

    /// <summary>The content types to collect from now on (empty: the default set). Added ones are subscribed to and
    /// collected from <see cref="EventSourceSettings.InitialBackfill"/> back; removed ones stop being polled, and their
    /// stored events stay.</summary>
    [Id(1)] public ImmutableArray<string>? ContentTypes { get; init; }

    /// <summary>Whether raw records are published ("unfiltered logs").</summary>
    [Id(2)] public bool? SendUnfiltered { get; init; }

    /// <summary>The federated domains, replacing the list; applies to records collected from now on.</summary>
    [Id(3)] public ImmutableArray<string>? FederatedDomains { get; init; }

    /// <summary>A new poll interval; <see cref="TimeSpan.Zero"/> returns to the service's default.</summary>
    [Id(4)] public TimeSpan? PollInterval { get; init; }

    /// <summary>A new first-collection backfill; <see cref="TimeSpan.Zero"/> returns to the service's default.</summary>
    [Id(5)] public TimeSpan? InitialBackfill { get; init; }

    /// <summary>A new cloud. A tenant consents per cloud: a source moved to another cloud needs consent there.</summary>
    [Id(6)] public CloudName? Cloud { get; init; }

    /// <summary>A new credential name; empty returns to the default credential.</summary>
    [Id(7)] public string? Credential { get; init; }
}

/// <summary>The content types of the Management Activity API (PROTOCOL.md §3).</summary>
public static class ContentTypes
{
    /// <summary><c>Audit.AzureActiveDirectory</c>: sign-ins and directory changes.</summary>
    public const string AzureActiveDirectory = "Audit.AzureActiveDirectory";

    /// <summary><c>Audit.Exchange</c>: Exchange admin cmdlets and mailbox activity.</summary>
    public const string Exchange = "Audit.Exchange";

    /// <summary><c>Audit.SharePoint</c>: SharePoint and OneDrive.</summary>
    public const string SharePoint = "Audit.SharePoint";

    /// <summary><c>Audit.General</c>: every other workload (Teams, Power BI, Defender, …).</summary>
    public const string General = "Audit.General";

    /// <summary><c>DLP.All</c>: data-loss-prevention events (needs <c>ActivityFeed.ReadDlp</c>).</summary>
    public const string Dlp = "DLP.All";

    /// <summary>Every content type, in the API's spelling.</summary>
    public static readonly ImmutableArray<string> All = [AzureActiveDirectory, Exchange, SharePoint, General, Dlp];

    /// <summary>The content types collected when a create request names none: all but <c>DLP.All</c> (which needs an extra permission).</summary>
    public static readonly ImmutableArray<string> Default = [AzureActiveDirectory, Exchange, SharePoint, General];

    /// <summary>Returns the API's spelling of <paramref name="value"/> (matched case-insensitively), or null when it is not a content type.</summary>
    /// <param name="value">A content type name as a user or the API wrote it (the API itself has been seen writing <c>Audit.Sharepoint</c>).</param>
    public static string? Canonical(string? value) =>
        value is null ? null : All.FirstOrDefault(ct => string.Equals(ct, value.Trim(), StringComparison.OrdinalIgnoreCase));
}
