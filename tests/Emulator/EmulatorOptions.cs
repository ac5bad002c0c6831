namespace O365Activity.Emulator;

/// <summary>
/// Start-up configuration of an <see cref="EmulatorServer"/>. Everything that tests change while the emulator runs
/// (clock skew, per-tenant paging and throttling, faults, subscriptions, consent) lives on <see cref="EmulatorState"/>.
/// </summary>
public sealed record EmulatorOptions
{
    /// <summary>
    /// Where Kestrel listens: an <c>http://</c> URL with an IP address or <c>localhost</c> and a port; port 0 picks a
    /// free port (read the result from <see cref="EmulatorServer.BaseUrl"/>). Default <c>http://127.0.0.1:0</c>.
    /// </summary>
    public string Url { get; init; } = "http://127.0.0.1:0";

    /// <summary>The clock of the emulator (token <c>iat</c>/<c>exp</c>, window rules, blob visibility and expiry, the
    /// <c>Date</c> header, the generator). Tests pass a <c>FakeTimeProvider</c>. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Added to <see cref="TimeProvider"/> to give the emulator's own "now" (case CLK1: a server clock that
    /// differs from the client's). Can be changed later through <see cref="EmulatorState.ClockSkew"/>.</summary>
    public TimeSpan ClockSkew { get; init; }

    /// <summary>The application (client) id the token endpoint accepts; null accepts any client id (and then any
    /// secret). A different id gets <c>400 unauthorized_client</c> AADSTS700016.</summary>
    public string? ClientId { get; init; }

    /// <summary>The client secret the token endpoint accepts; null accepts any secret. A different secret gets
    /// <c>401 invalid_client</c> AADSTS7000215. Never logged.</summary>
    public string? ClientSecret { get; init; }

    /// <summary>Whether a certificate-signed <c>client_assertion</c> is accepted instead of a secret (its signature is
    /// not checked; its <c>sub</c>, when present, must be the client id). Default true.</summary>
    public bool AcceptClientAssertions { get; init; } = true;

    /// <summary>
    /// When not empty, a <c>client_assertion</c> must be signed (RS256 or PS256) by the private key of one of these
    /// certificates (the application's registered certificates), else <c>401 invalid_client</c> AADSTS700027, as Entra
    /// answers; its <c>aud</c> must name the token endpoint it was sent to.
    /// </summary>
    public IReadOnlyCollection<System.Security.Cryptography.X509Certificates.X509Certificate2> ClientCertificates { get; init; } = [];

    /// <summary>When true every tenant counts as having granted admin consent, so tokens are issued without a prior
    /// <c>adminconsent</c> visit. Default false: a tenant that has not consented gets AADSTS700016, like real Entra.</summary>
    public bool AutoConsentAllTenants { get; init; }

    /// <summary>Tenants that have consented from the start (for example the application's home tenant).</summary>
    public IReadOnlyCollection<Guid> ConsentedTenants { get; init; } = [];

    /// <summary>
    /// A file that keeps the tenants' admin consents across restarts, as Entra does (command line <c>--consent-file</c>):
    /// one tenant id per line, read at start (a missing file is none) and rewritten whenever a consent is granted or
    /// revoked. Null: consents live in memory only.
    /// </summary>
    public string? ConsentFile { get; init; }

    /// <summary>The tenant an <c>adminconsent</c> request for <c>organizations</c>/<c>common</c> consents for when the
    /// request carries no <c>tenant_hint</c> query parameter (stands in for "the tenant of the administrator who signs in").</summary>
    public Guid? DefaultConsentTenant { get; init; }

    /// <summary>Registered redirect URIs for admin consent; null accepts any. A mismatch gets the AADSTS50011 error page.</summary>
    public IReadOnlyCollection<string>? RedirectUris { get; init; }

    /// <summary>Lifetime of issued access tokens (<c>expires_in</c>). Default 3599 seconds, like Entra.</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromSeconds(3599);

    /// <summary>HMAC-SHA256 key that signs access tokens; null makes a random key per emulator instance (tokens of one
    /// instance are then rejected by another).</summary>
    public string? TokenSigningKey { get; init; }

    /// <summary>Resources (token audiences) accepted besides the four Management API hosts of PROTOCOL.md §1 and the
    /// emulator's own base URL, for example <c>https://manage.example.test</c>.</summary>
    public IReadOnlyCollection<string> ExtraResources { get; init; } = [];

    /// <summary>Paging of content listings for every tenant without an override (see <see cref="EmulatorState.SetPaging"/>).</summary>
    public PagingBehavior Paging { get; init; } = PagingBehavior.Default;

    /// <summary>Throttling for every tenant without an override (see <see cref="EmulatorState.SetThrottling"/>). Default: unlimited.</summary>
    public ThrottleBehavior Throttling { get; init; } = ThrottleBehavior.Unlimited;

    /// <summary>How far back a listing's <c>startTime</c> may reach by the emulator's clock before AF20055 (PROTOCOL.md §4).
    /// Default 7 days.</summary>
    public TimeSpan MaxStartAge { get; init; } = TimeSpan.FromDays(7);

    /// <summary>The longest allowed listing window (<c>endTime - startTime</c>) before AF20055. Default 24 hours.</summary>
    public TimeSpan MaxWindow { get; init; } = TimeSpan.FromHours(24);

    /// <summary>How long a blob stays retrievable after its <c>contentCreated</c> (its <c>contentExpiration</c>). Default 7 days.</summary>
    public TimeSpan ContentRetention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How long a <c>nextPage</c> token stays valid before AF20031. Default 7 days.</summary>
    public TimeSpan PageTokenLifetime { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// A folder of audit records served to every tenant (read recursively; see <see cref="FolderLoadReport"/> for the
    /// formats). Null: no folder content. The records are materialized per tenant and content type when the tenant's
    /// subscription to that content type starts.
    /// </summary>
    public string? RecordsDirectory { get; init; }

    /// <summary>Most records per blob for folder and generated content. Default 50.</summary>
    public int BlobSize { get; init; } = 50;

    /// <summary>
    /// Spacing of the <c>contentCreated</c> values of a tenant's folder blobs. The blobs are stamped just before the
    /// whole second in which the subscription started (or the emulator started, whichever is later; the last blob one
    /// spacing before it), so a listing that ends at "now" sees them all on the first poll. Default 1 ms.
    /// </summary>
    public TimeSpan FolderBlobSpacing { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// The generator's tick (by <see cref="TimeProvider"/>). Without <see cref="GenerateRate"/>, each tick gives every tenant
    /// subscribed to Audit.AzureActiveDirectory one fresh blob of 2 to 5 synthetic sign-ins and admin changes. With
    /// <see cref="GenerateRate"/>, the rate's records are delivered each tick (null then means 1 second). Null and no rate: off.
    /// </summary>
    public TimeSpan? GenerateEvery { get; init; }

    /// <summary>
    /// A steady feed: synthetic records per second per tenant (command line <c>--generate-rate</c>), split over
    /// Audit.AzureActiveDirectory, Audit.SharePoint and Audit.Exchange as the backlog is (86/8/6 per 100, see
    /// <see cref="BacklogOptions"/>), for every tenant with auditing on and an enabled subscription to the content type,
    /// counted from the subscription's start. Each tick adds what is due so far (<c>floor(rate × seconds since start)</c>,
    /// so the rate is exact over time however the ticks fall) as blobs of at most <see cref="BlobSize"/> records with
    /// <c>contentCreated</c> = <c>VisibleAt</c> = the tick's time (whole milliseconds) and <c>CreationTime</c> = that time in whole
    /// seconds. A stopped or disabled subscription gets nothing, and starts afresh when enabled again. Null: off. Must be
    /// positive; fractions allowed (0.5 = one record every 2 seconds).
    /// </summary>
    public double? GenerateRate { get; init; }

    /// <summary>A synthetic backlog per tenant and content type when its subscription first starts (see
    /// <see cref="BacklogOptions"/>). Null: none.</summary>
    public BacklogOptions? Backlog { get; init; }

    /// <summary>Seed of the synthetic records (backlog, generator): the same seed serves the same record ids. Null seeds from
    /// the system; the seed in use is <see cref="EmulatorState.GeneratorSeed"/>.</summary>
    public int? GeneratorSeed { get; init; }

    /// <summary>How many requests the request log keeps (oldest dropped first). Default 100,000.</summary>
    public int RequestLogCapacity { get; init; } = 100_000;

    /// <summary>Logging of the emulator (one Information line per request, warnings for skipped records). Null: no logging.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The region suffix of content ids and page tokens (the last <c>$</c> part). Default <c>emea0001</c>.</summary>
    public string RegionSuffix { get; init; } = "emea0001";
}
