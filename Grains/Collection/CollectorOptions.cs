using System.ComponentModel.DataAnnotations;
using O365Activity.Contracts;

namespace O365Activity.Grains.Collection;

/// <summary>
/// How the silo reaches Microsoft (configuration section <c>Collector</c>): the multi-tenant application's
/// credentials, the cloud, and the poll schedule. Validated at start-up; a bad value names its setting.
/// </summary>
/// <remarks>
/// The default application credential is this section's own <c>ClientId</c>, <c>ClientSecret</c>,
/// <c>CertificatePath</c>, <c>CertificateKeyPath</c>, <c>CertificatePassword</c>, <c>CertificateThumbprint</c> and
/// <c>CertificateStoreLocation</c> (see <see cref="ApplicationCredential"/>); each customer tenant's administrator
/// consents to that application once (PROTOCOL.md §2). Secrets are never logged; <see cref="ApplicationCredential.ToString"/> shows none.
/// </remarks>
public sealed class CollectorOptions : ApplicationCredential
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Collector";

    /// <summary>
    /// More applications, by name (settings <c>Collector:Credentials:{name}:ClientId</c> and one of <c>ClientSecret</c>,
    /// <c>CertificatePath</c>, <c>CertificateThumbprint</c>): an event source names one in its <c>credential</c> setting,
    /// else it uses the default (the values above). The name <c>default</c> is the default's.
    /// </summary>
    public Dictionary<string, ApplicationCredential> Credentials { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The name of the default credential.</summary>
    public const string DefaultCredential = "default";

    /// <summary>The credential named <paramref name="name"/> (null or <c>default</c>: the top-level one); null when there is none by that name.</summary>
    public ApplicationCredential? Credential(string? name) =>
        string.IsNullOrEmpty(name) || string.Equals(name, DefaultCredential, StringComparison.OrdinalIgnoreCase)
            ? this
            : Credentials.GetValueOrDefault(name);

    /// <summary>What is wrong with the credentials, naming the setting; null when all are usable.</summary>
    public string? CredentialProblem() =>
        Credential(null)!.Problem(SectionName)
        ?? Credentials.Select(c => c.Value.Problem($"{SectionName}:Credentials:{c.Key}")).FirstOrDefault(p => p is not null);

    /// <summary>
    /// The vendor's own tenant GUID, sent as <c>PublisherIdentifier</c> on every API call; it selects the throttling
    /// quota (PROTOCOL.md §3). Optional; omitted from requests when empty.
    /// </summary>
    public Guid? PublisherIdentifier { get; set; }

    /// <summary>The cloud (setting <c>Collector:Cloud</c>): <c>Enterprise</c> (default), <c>Gcc</c>, <c>GccHigh</c> or <c>DoD</c> (PROTOCOL.md §1).</summary>
    public CloudName Cloud { get; set; } = CloudName.Enterprise;

    /// <summary>
    /// Where requests for the cloud's token authority really go (setting <c>Collector:LoginEndpoint</c>), for the local
    /// emulator, for example <c>http://127.0.0.1:5090</c>. Empty in production. MSAL keeps the real https authority;
    /// an HTTP handler rewrites scheme, host and port of each request to this endpoint.
    /// </summary>
    public Uri? LoginEndpoint { get; set; }

    /// <summary>
    /// The Management Activity API's base URL (setting <c>Collector:ManagementApiEndpoint</c>) when it is not the
    /// cloud's own (the local emulator). Empty in production.
    /// </summary>
    public Uri? ManagementApiEndpoint { get; set; }

    /// <summary>Time between polls of a connected tenant (setting <c>Collector:PollInterval</c>, default 1 minute).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// After how many failed polls in a row of a content type, for a transient reason, the source's status turns
    /// <c>DEGRADED</c> (setting <c>Collector:UnhealthyAfterFailures</c>, default 3). A failure that needs a person turns it
    /// <c>FAILED</c> at once.
    /// </summary>
    [Range(1, 1_000)]
    public int UnhealthyAfterFailures { get; set; } = 3;

    /// <summary>
    /// How often a content type whose failure needs a person (a permission missing: AF10001, or HTTP 401/403 on
    /// <c>DLP.All</c> without <c>ActivityFeed.ReadDlp</c>) is tried again (setting <c>Collector:AttentionRetryInterval</c>,
    /// default 1 hour): it recovers on its own once the permission is granted, and costs the API a request an hour meanwhile.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "1.00:00:00")]
    public TimeSpan AttentionRetryInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long an admin-consent URL's <c>state</c> is accepted after it was issued (setting
    /// <c>Collector:ConsentStateLifetime</c>, default 1 hour). A state is also single-use: the callback that uses it
    /// (granted or refused) retires it, and a refused or failed consent issues a fresh one. <c>RenewConsentUrl</c> issues
    /// a fresh one at any time.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan ConsentStateLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How far back each listing reaches before the cursor (setting <c>Collector:ListingOverlap</c>, default 1 hour),
    /// so that content published late is still listed (PROTOCOL.md §4, case LATE1).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan ListingOverlap { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How far back the first listing of a newly connected tenant reaches (setting <c>Collector:InitialLookback</c>, default 24 hours, at most 7 days).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan InitialLookback { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Most records per event-store transaction (setting <c>Collector:CommitBatchSize</c>, default 2,000): the
    /// records of several small blobs share one commit, and a large blob is committed in parts of this size, so that
    /// the memory a tenant's collection holds is bounded whatever the blob size (case R01). A blob counts as done only
    /// with the commit of its last record; its parts already stored are skipped by record <c>Id</c> if it is fetched again.
    /// </summary>
    [Range(1, 100_000)]
    public int CommitBatchSize { get; set; } = 2_000;

    /// <summary>
    /// How many content blobs a tenant fetches and normalizes at once (setting <c>Collector:MaxConcurrentFetches</c>,
    /// default 4). The blobs of a listing are stored in their order (by <c>contentCreated</c>) whatever order their
    /// fetches finish in; while one is stored the next ones are already being fetched, on the thread pool, so that a
    /// backlog is collected at the speed of the machine rather than of one request at a time. Every fetch counts against
    /// the API's per-publisher request budget (PROTOCOL.md §3).
    /// </summary>
    [Range(1, 64)]
    public int MaxConcurrentFetches { get; set; } = 4;

    /// <summary>
    /// How many normalized records of each blob fetched ahead may wait for their turn (setting
    /// <c>Collector:FetchAheadRecords</c>, default 1,000): a blob that has more stops fetching until the blobs before it
    /// are stored. With <see cref="MaxConcurrentFetches"/> this bounds what a tenant's collection holds in memory:
    /// about (<see cref="MaxConcurrentFetches"/> × this + 2 × <see cref="CommitBatchSize"/>) records of some 2.5 KB each.
    /// </summary>
    [Range(1, 100_000)]
    public int FetchAheadRecords { get; set; } = 1_000;

    /// <summary>
    /// The API's request budget per tenant and minute (setting <c>Collector:RequestsPerMinute</c>, default 2,000, the
    /// documented figure: PROTOCOL.md §6), shared by listings and blob fetches of all content types. The collector keeps
    /// every 60-second span under it (see <see cref="RequestBudget"/>), so that a backfill runs at about 98% of it
    /// without drawing AF429. 0: no budget.
    /// </summary>
    [Range(0, 1_000_000)]
    public int RequestsPerMinute { get; set; } = 2_000;

    /// <summary>
    /// How often a poll that stored nothing writes its content type's cursor (setting
    /// <c>Collector:CursorSaveInterval</c>, default 1 hour). In between, an idle poll moves the cursor in memory only
    /// and costs the database nothing; a cursor that is older after a restart only makes the next listing reach further
    /// back, in the same one request per content type (a listing window spans up to 24 hours), with the blobs already
    /// processed skipped. At 10,000 idle tenants of 4 content types, 5 minutes meant 133 database transactions a second;
    /// an hour, 11. A poll that stores records always writes the cursor with them.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "12:00:00")]
    public TimeSpan CursorSaveInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The thresholds of the sign-in risk flags (section <c>Collector:Risk</c>, <see cref="Risk.RiskOptions"/>).</summary>
    public Risk.RiskOptions Risk { get; set; } = new();

    /// <summary>
    /// Period of the reminder that keeps a connected tenant's poll loop alive across deactivation and silo loss (setting
    /// <c>Collector:ReminderPeriod</c>, default 5 minutes). Orleans refuses periods below its
    /// <c>ReminderOptions.MinimumReminderPeriod</c> (1 minute unless a test host lowers it).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(5);
}
