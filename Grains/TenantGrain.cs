using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using O365Activity.Contracts;
using O365Activity.Contracts.EventSources;
using O365Activity.Grains.Collection;
using O365Activity.Storage;

namespace O365Activity.Grains;

/// <summary>
/// The event source of one tenant (key: tenant id): the single owner of its settings, consent, health and poll loop
/// (DESIGN.md decisions 1–4). The silo's <see cref="PollWheel"/> calls it to poll every
/// <see cref="CollectorOptions.PollInterval"/> while the grain is active, and a reminder re-activates the grain (and so its
/// polling) after deactivation or silo loss; the collection
/// itself is <see cref="CollectionPipeline"/>'s, which stores events before the grain tells the tenant's notice stream.
/// </summary>
/// <remarks>
/// <para>State: <see cref="TenantState"/> holds settings, consent and per-content-type health, and is written only when
/// one of them changes. The progress that must commit with the events (the last sequence, the cursors, the processed
/// blobs) lives in the event store and is loaded from it on activation.</para>
/// <para>Failures: whatever goes wrong in a poll stays with its content type and is backed off (from the poll interval,
/// doubling, at most an hour; at most 30 seconds while the event store is unreachable, so that collection catches up
/// promptly once it is back). An event store that cannot be reached pauses polling; nothing moves past unsaved events.</para>
/// </remarks>
[GrainType("tenant")]
public sealed partial class TenantGrain : Grain, ITenantGrain, ITenantPoller, IRemindable
{
    private const string KeepAliveReminder = "poll-keepalive";
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(1);
    private static readonly TimeSpan MaxStoreBackoff = TimeSpan.FromSeconds(30);

    /// <summary>The shortest poll interval a source may set (the API publishes content in minutes; faster only costs requests).</summary>
    private static readonly TimeSpan MinPollInterval = TimeSpan.FromSeconds(10);

    /// <summary>The longest poll interval a source may set.</summary>
    private static readonly TimeSpan MaxPollInterval = TimeSpan.FromHours(1);

    private readonly IPersistentState<TenantState> _state;
    private readonly CollectionPipeline _pipeline;
    private readonly IManagementActivityApi _api;
    private readonly IEventStore _store;
    private readonly TimeProvider _time;
    private readonly CollectorOptions _options;
    private readonly ILogger<TenantGrain> _logger;
    private readonly ServerClock? _serverClock;
    private readonly PollWheel _wheel;
    private readonly SourceConnections _connections;
    private readonly ITokenProvider _tokens;
    private readonly CollectorMetrics? _metrics;
    private PublishedStatus? _published;
    private bool _polling;
    private SourceContext? _source;
    private CancellationTokenSource _stop = new();
    private Task? _poll;

    /// <summary>When the poll running now (or the last one) was due; the next is due one interval later.</summary>
    private DateTimeOffset? _pollDue;

    /// <summary>Creates the grain (by Orleans).</summary>
    public TenantGrain(
        [PersistentState("tenant", GrainStorageNames.Tenants)] IPersistentState<TenantState> state,
        CollectionPipeline pipeline,
        IManagementActivityApi api,
        IEventStore store,
        TimeProvider time,
        IOptions<CollectorOptions> options,
        ILogger<TenantGrain> logger,
        PollWheel wheel,
        SourceConnections connections,
        ITokenProvider tokens,
        ServerClock? serverClock = null,
        CollectorMetrics? metrics = null)
    {
        _metrics = metrics;
        _tokens = tokens;
        _wheel = wheel;
        _connections = connections;
        _serverClock = serverClock;
        _state = state;
        _pipeline = pipeline;
        _api = api;
        _store = store;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    private Guid TenantId => this.GetPrimaryKey();

    /// <summary>The source's poll interval: its own, else <see cref="CollectorOptions.PollInterval"/>.</summary>
    private TimeSpan PollInterval => S.Settings?.PollInterval ?? _options.PollInterval;

    private TenantState S => _state.State;

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Settings is null)
        {
            return;
        }

        _connections.Set(TenantId, S.Settings.Cloud, S.Settings.Credential);
        await RecordHostAsync(cancellationToken);
        if (S.State == ConnectionState.Connected)
        {
            StartPolling();
        }
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        StopPolling();
        _connections.Remove(TenantId);
        _metrics?.Forget(TenantId);
        await _stop.CancelAsync();
        if (_poll is { } running)
        {
            try
            {
                await running.WaitAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or TimeoutException)
            {
                // The silo is shutting down faster than the poll can stop; it stored nothing past its last commit.
            }
        }
    }

    /// <inheritdoc />
    public async Task<EventSourceStatus> Create(EventSourceSettings settings)
    {
        if (S.Settings is not null)
        {
            throw new EventSourceException(EventSourceError.AlreadyExists, $"Tenant {TenantId} already has an event source ('{S.Settings.DisplayName}'); one event source per tenant.");
        }

        if (settings.TenantId != TenantId)
        {
            throw new EventSourceException(EventSourceError.InvalidArgument, $"The settings are for tenant {settings.TenantId}, not {TenantId}.");
        }

        var created = Validated(settings);
        var sourceId = Guid.NewGuid();
        var now = _time.GetUtcNow();

        // The registry first: a create that fails after it is simply repeated, and replaces the row.
        await _store.RegisterSourceAsync(new EventSourceEntry(TenantId, sourceId, created.DisplayName, now), CancellationToken.None);
        _state.State = new TenantState
        {
            Settings = created,
            State = ConnectionState.PendingConsent,
            CreatedAt = now,
            SourceId = sourceId,
        };
        IssueConsentState();
        await _state.WriteStateAsync();
        _connections.Set(TenantId, created.Cloud, created.Credential);
        _source = new SourceContext(TenantId, sourceId, created.FederatedDomains);
        await RecordHostAsync(CancellationToken.None);
        LogCreated(_logger, TenantId, string.Join(",", created.ContentTypes));
        await PublishStatusAsync();
        return ToStatus();
    }

    /// <inheritdoc />
    public async Task<EventSourceStatus> Update(EventSourceUpdate update)
    {
        if (S.Settings is not { } current)
        {
            throw new EventSourceException(EventSourceError.NotFound, $"Tenant {TenantId} has no event source.");
        }

        var updated = Validated(current with
        {
            DisplayName = update.DisplayName ?? current.DisplayName,
            ContentTypes = update.ContentTypes ?? current.ContentTypes,
            SendUnfiltered = update.SendUnfiltered ?? current.SendUnfiltered,
            FederatedDomains = update.FederatedDomains ?? current.FederatedDomains,
            PollInterval = update.PollInterval is { } interval ? (interval == TimeSpan.Zero ? null : interval) : current.PollInterval,
            InitialBackfill = update.InitialBackfill is { } backfill ? (backfill == TimeSpan.Zero ? null : backfill) : current.InitialBackfill,
            Cloud = update.Cloud ?? current.Cloud,
            Credential = update.Credential is { } credential
                ? (credential.Length == 0 || string.Equals(credential, CollectorOptions.DefaultCredential, StringComparison.OrdinalIgnoreCase) ? null : credential)
                : current.Credential,
        });
        if (updated == current)
        {
            return ToStatus();
        }

        S.Settings = updated;
        await _state.WriteStateAsync();
        _connections.Set(TenantId, updated.Cloud, updated.Credential);
        if (_source is { } source)
        {
            source.FederatedDomains = updated.FederatedDomains;
        }

        if (_polling && _pollDue is { } due && _time.GetUtcNow() + PollInterval is var sooner && sooner < due)
        {
            // A shorter interval takes effect now, not after the long wait already booked.
            _pollDue = sooner;
            _wheel.Schedule(TenantId, sooner);
        }

        if (updated.DisplayName != current.DisplayName)
        {
            await _store.RegisterSourceAsync(new EventSourceEntry(TenantId, S.SourceId, updated.DisplayName, S.CreatedAt), CancellationToken.None);
        }

        LogUpdated(_logger, TenantId, string.Join(",", updated.ContentTypes), updated.SendUnfiltered, PollInterval);
        await PublishStatusAsync();
        return ToStatus();
    }

    /// <summary>The settings with their defaults filled in and their values checked and put in canonical form.</summary>
    /// <exception cref="EventSourceException"><see cref="EventSourceError.InvalidArgument"/>, saying which value and why.</exception>
    private EventSourceSettings Validated(EventSourceSettings settings)
    {
        if (settings.DisplayName.Where(IsControlCharacter).Select(c => (char?)c).FirstOrDefault() is { } bad)
        {
            // A name is shown in lists and terminals: control characters (line breaks, escapes, U+0000, text-direction
            // overrides) could forge or break what an operator reads, and PostgreSQL text cannot hold U+0000.
            throw new EventSourceException(EventSourceError.InvalidArgument, $"display_name contains the control character U+{(int)bad:X4} (a control, format or separator character); a display name is plain, visible text on one line.");
        }

        if (!settings.FederatedDomains.IsDefault && settings.FederatedDomains.Length > 100)
        {
            throw new EventSourceException(EventSourceError.InvalidArgument, "At most 100 federated domains.");
        }

        if (settings.PollInterval is { } interval && (interval < MinPollInterval || interval > MaxPollInterval))
        {
            throw new EventSourceException(EventSourceError.InvalidArgument,
                $"poll_interval must be between {MinPollInterval.TotalSeconds:0} seconds and {MaxPollInterval.TotalMinutes:0} minutes; got {interval}.");
        }

        if (settings.InitialBackfill is { } backfill && (backfill < TimeSpan.Zero || backfill > ListingWindowPlanner.MaxLookback))
        {
            throw new EventSourceException(EventSourceError.InvalidArgument,
                $"initial_backfill must be at most {ListingWindowPlanner.MaxLookback:d\\.hh\\:mm\\:ss} (7 days less 5 minutes: the API keeps content for 7 days), or 0 for the service's default; got {backfill}.");
        }

        if (settings.Cloud is { } cloud && !Enum.IsDefined(cloud))
        {
            throw new EventSourceException(EventSourceError.InvalidArgument, $"cloud: {(int)cloud} is not a cloud; use one of {string.Join(", ", Enum.GetNames<CloudName>())}.");
        }

        if (settings.Credential is { Length: > 0 } name && _options.Credential(name) is null)
        {
            // Names only: what a credential holds is never said.
            throw new EventSourceException(EventSourceError.InvalidArgument,
                $"credential: no credential named '{OneLine.Of(name, 64)}' is configured; configured: {string.Join(", ", new[] { CollectorOptions.DefaultCredential }.Concat(_options.Credentials.Keys))}.");
        }

        var contentTypes = settings.ContentTypes.IsDefaultOrEmpty ? ContentTypes.Default : settings.ContentTypes;
        var canonical = contentTypes.Select(ct => ContentTypes.Canonical(ct)
            ?? throw new EventSourceException(EventSourceError.InvalidArgument, $"'{ct}' is not a content type; use one of {string.Join(", ", ContentTypes.All)}."))
            .Distinct(StringComparer.Ordinal)
            .ToImmutableArray();

        return settings with
        {
            DisplayName = string.IsNullOrWhiteSpace(settings.DisplayName) ? TenantId.ToString() : settings.DisplayName.Trim(),
            ContentTypes = canonical,
            FederatedDomains = settings.FederatedDomains.IsDefault ? [] : settings.FederatedDomains,
        };
    }

    /// <inheritdoc />
    public async Task<EventSourceStatus> GetStatus()
    {
        if (S.Settings is not null && _source is null)
        {
            try
            {
                var loaded = await LoadSourceAsync(CancellationToken.None);
                _source ??= loaded;
            }
            catch (Exception e) when (e is DbException or EventStoreConflictException)
            {
                // The status still answers from the grain's state; sequence and cursors show once the store answers.
            }
        }

        return ToStatus();
    }

    /// <inheritdoc />
    public async Task<ConsentResult> CompleteConsent(ConsentCallback callback)
    {
        // The state first: it proves the callback belongs to this source's current consent URL. Only then is anything
        // said beyond "does not match", so that the page tells strangers nothing about which tenants exist.
        if (!SameSecret(S.ConsentState, callback.State))
        {
            if (SameSecret(S.UsedConsentState, callback.State))
            {
                throw new EventSourceException(EventSourceError.FailedPrecondition,
                    "This admin-consent link was used already; the event source shows the outcome. To try again, ask the event source's operator for a fresh link.");
            }

            LogConsentStateMismatch(_logger, TenantId);
            throw new EventSourceException(EventSourceError.PermissionDenied, $"The consent callback's state does not match the event source of tenant {TenantId}.");
        }

        if (S.ConsentStateIssuedAt is not { } issued || _time.GetUtcNow() - issued > _options.ConsentStateLifetime)
        {
            LogConsentStateExpired(_logger, TenantId);
            throw new EventSourceException(EventSourceError.FailedPrecondition,
                $"This admin-consent link has expired (a link is valid for {Describe(_options.ConsentStateLifetime)}). Ask the event source's operator for a fresh link.");
        }

        // Single use: whatever the outcome, this state is spent.
        S.UsedConsentState = S.ConsentState;
        S.ConsentState = null;
        S.ConsentStateIssuedAt = null;

        // Errors first: Entra sends admin_consent=True with errors too (PROTOCOL.md §2).
        if (!string.IsNullOrEmpty(callback.Error))
        {
            var (code, message) = ConsentErrorText.Explain(callback.Error, callback.ErrorDescription);
            S.LastError = message;
            if (S.State != ConnectionState.Connected)
            {
                S.State = ConnectionState.PendingConsent;
            }

            IssueConsentState();
            LogConsentRefused(_logger, TenantId, OneLine.Of(callback.Error, 100), code);
            await _state.WriteStateAsync();
            await PublishStatusAsync();
            return new ConsentResult(false, message, ToStatus());
        }

        // The callback's tenant value proves nothing (PROTOCOL.md §2): a token and a subscriptions/list call do.
        try
        {
            var cancellation = CancellationToken.None;
            var subscriptions = await _api.ListSubscriptionsAsync(TenantId, cancellation);
            foreach (var contentType in S.Settings!.ContentTypes)
            {
                var health = Health(contentType);
                health.Subscribed = subscriptions.Any(s => s.IsEnabled && string.Equals(s.ContentType, contentType, StringComparison.OrdinalIgnoreCase));
                if (!health.Subscribed)
                {
                    await _api.StartSubscriptionAsync(TenantId, contentType, cancellation);
                    health.Subscribed = true;
                }
            }
        }
        catch (TokenAcquisitionException e)
        {
            return await FailConsentAsync($"Consent could not be verified: the token request was refused: {e.Error}: {e.Message}");
        }
        catch (ManagementApiException e)
        {
            return await FailConsentAsync($"Consent could not be verified: {ApiErrorText.Explain(e)}");
        }

        S.State = ConnectionState.Connected;
        S.ConnectedAt ??= _time.GetUtcNow();
        S.LastError = null;
        await _state.WriteStateAsync();
        await this.RegisterOrUpdateReminder(KeepAliveReminder, _options.ReminderPeriod, _options.ReminderPeriod);
        LogConnected(_logger, TenantId);
        StartPolling();
        await PublishStatusAsync();
        return new ConsentResult(true, "Connected: the tenant's audit activity is being collected. You can close this tab.", ToStatus());
    }

    /// <inheritdoc />
    public async Task<EventSourceStatus> RenewConsent()
    {
        if (S.Settings is null)
        {
            throw new EventSourceException(EventSourceError.NotFound, $"Tenant {TenantId} has no event source.");
        }

        IssueConsentState();
        await _state.WriteStateAsync();
        LogConsentRenewed(_logger, TenantId);
        await PublishStatusAsync();
        return ToStatus();
    }

    /// <summary>A fresh consent <c>state</c>: the tenant id, a dot, 24 random bytes (base64url); the previous one stops working.</summary>
    private void IssueConsentState()
    {
        S.ConsentState = $"{TenantId}.{Base64Url(RandomNumberGenerator.GetBytes(24))}";
        S.ConsentStateIssuedAt = _time.GetUtcNow();
    }

    private static bool SameSecret(string? expected, string? given) =>
        expected is not null && given is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(given));

    private static string Describe(TimeSpan span) =>
        span.TotalHours >= 1 && span.TotalHours == Math.Floor(span.TotalHours) ? $"{span.TotalHours:0} hour{(span.TotalHours == 1 ? "" : "s")}"
        : span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0.#} minutes"
        : $"{span.TotalSeconds:0.#} seconds";

    /// <inheritdoc />
    public async Task Delete()
    {
        if (S.Settings is null)
        {
            throw new EventSourceException(EventSourceError.NotFound, $"Tenant {TenantId} has no event source.");
        }

        // Delete interleaves with a running poll: cancel the next poll and the running one, and wait for it to unwind.
        StopPolling();
        _metrics?.Forget(TenantId);
        await _stop.CancelAsync();
        if (_poll is { } running)
        {
            try
            {
                await running.WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (Exception e) when (e is OperationCanceledException or TimeoutException)
            {
                // It stored nothing past its last commit, and the source is about to be removed.
            }
        }

        if (await this.GetReminder(KeepAliveReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        _connections.Remove(TenantId);
        _tokens.Forget(TenantId);
        var sourceId = S.SourceId;
        await _store.RemoveSourceAsync(TenantId, sourceId, _time.GetUtcNow(), CancellationToken.None);
        await _state.ClearStateAsync();
        _state.State = new TenantState();
        _source = null;
        _stop = new CancellationTokenSource();
        await NotifyAsync(new ActivityNotice { TenantId = TenantId, SourceId = sourceId, Deleted = true });
        await PublishStatusAsync(deleted: true);
        LogDeleted(_logger, TenantId);
        DeactivateOnIdle();
    }

    /// <inheritdoc />
    public Task Wake()
    {
        if (S.State == ConnectionState.Connected)
        {
            StartPolling();
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (S.State == ConnectionState.Connected)
        {
            // Activation already started polling; a booking lost to an unexpected failure is made again here.
            StartPolling();
        }
        else if (await this.GetReminder(reminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private void StartPolling()
    {
        if (!_polling)
        {
            _polling = true;
            _pollDue = _time.GetUtcNow();
            _wheel.Schedule(TenantId, _pollDue.Value);
        }
    }

    private void StopPolling()
    {
        _polling = false;
        _wheel.Cancel(TenantId);
    }

    /// <inheritdoc />
    public Task PollDue()
    {
        if (!_polling || _pollDue is not { } due)
        {
            return Task.CompletedTask;
        }

        if (_time.GetUtcNow() < due - PollSchedule.Grid(PollInterval) / 2)
        {
            // Not due: a call booked by an activation that has since moved, or a duplicate. Keep this activation's booking.
            _wheel.Schedule(TenantId, due);
            return Task.CompletedTask;
        }

        return PollAsync();
    }

    private async Task PollAsync()
    {
        try
        {
            if (S.State != ConnectionState.Connected || S.Settings is null)
            {
                return;
            }

            var run = PollOnceAsync(S.Settings, _stop.Token);
            _poll = run;
            try
            {
                await run;
            }
            finally
            {
                if (_poll == run)
                {
                    _poll = null;
                }
            }
        }
        finally
        {
            ScheduleNextPoll();
        }
    }

    /// <summary>Books the next poll on the silo's <see cref="PollWheel"/> (see <see cref="PollSchedule"/>).</summary>
    private void ScheduleNextPoll()
    {
        if (!_polling)
        {
            return;
        }

        var now = _time.GetUtcNow();
        _pollDue = PollSchedule.Next(_pollDue ?? now, now, PollInterval);
        _wheel.Schedule(TenantId, _pollDue.Value);
    }

    private async Task PollOnceAsync(EventSourceSettings settings, CancellationToken cancellationToken)
    {
        // One trace per poll cycle: the API's HTTP requests and the store's commands nest under it.
        using var trace = CollectorMetrics.StartPoll(TenantId);
        var lastError = S.LastError;
        var changed = false;
        SourceContext source;
        try
        {
            if (_source is null)
            {
                var loaded = await LoadSourceAsync(cancellationToken);
                _source ??= loaded;
            }

            source = _source;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (DbException e)
        {
            S.LastError = StoreUnavailable(e);
            LogStoreUnavailable(_logger, TenantId, e.Message);
            return;
        }
        catch (EventStoreConflictException)
        {
            // The registry has no row for this source: it was deleted by another activation. Read the state again.
            await _state.ReadStateAsync(CancellationToken.None);
            return;
        }

        foreach (var contentType in settings.ContentTypes)
        {
            var health = Health(contentType);
            var before = health.Copy();
            if (health.RetryAfter > _time.GetUtcNow())
            {
                continue;
            }

            var counters = new PollCounters();
            try
            {
                var outcome = await _pipeline.PollAsync(source, contentType, health, NotifyAsync, cancellationToken, counters, settings.InitialBackfill);
                if (outcome.Gap is { } gap)
                {
                    var gaps = (health.DataGaps.IsDefault ? [] : health.DataGaps).Add(new DataGap(gap.Start, gap.End, _time.GetUtcNow()));
                    health.DataGaps = gaps.Length > ContentTypeHealth.MaxDataGaps ? gaps.RemoveAt(0) : gaps;
                }

                if (outcome.Error is null)
                {
                    health.Succeeded();
                }
                else
                {
                    BackOff(contentType, health, outcome.Error, "blob", MaxBackoff);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (EventStoreConflictException e)
            {
                // Another writer moved the source on (or removed it): reload before writing again.
                _source = null;
                BackOff(contentType, health, e.Message, "store", MaxStoreBackoff);
                if (e.SourceGone)
                {
                    await _state.ReadStateAsync(CancellationToken.None);
                    return;
                }

                break;
            }
            catch (DbException e)
            {
                BackOff(contentType, health, StoreUnavailable(e), "store", MaxStoreBackoff);
                LogStoreUnavailable(_logger, TenantId, e.Message);
            }
            catch (ManagementApiException e) when (ApiErrorText.NeedsAttention(e, contentType))
            {
                // Needs a person (a permission to grant, audit logging to turn on): retried slowly, the others collect meanwhile.
                var permission = ApiErrorText.MissingPermission(e, contentType);
                var text = permission is null ? ApiErrorText.Explain(e) : $"permission missing: {permission} — {ApiErrorText.Explain(e)}";
                BackOff(contentType, health, text, ApiErrorText.CodeOf(e), MaxBackoff, atLeast: _options.AttentionRetryInterval, needsAttention: true);
            }
            catch (ManagementApiException e)
            {
                BackOff(contentType, health, ApiErrorText.Explain(e), ApiErrorText.CodeOf(e), MaxBackoff, atLeast: e.RetryAfter);
            }
            catch (TokenAcquisitionException e)
            {
                var attention = ApiErrorText.NeedsAttention(e);
                BackOff(contentType, health, $"Token request refused: {e.Error}: {e.Message}", e.Error, MaxBackoff,
                    atLeast: attention ? _options.AttentionRetryInterval : null, needsAttention: attention);
            }
            catch (Exception e)
            {
                BackOff(contentType, health, $"Unexpected error: {e.GetType().Name}: {e.Message}", e.GetType().Name, MaxBackoff);
                LogPollCrashed(_logger, e, TenantId, contentType);
            }

            health.Add(counters);
            _metrics?.NewestRecord(TenantId, contentType, health.NewestRecordAt);
            changed |= !health.SameAs(before);
        }

        var errors = settings.ContentTypes.Select(ct => (ct, Health(ct).LastError)).Where(e => e.LastError is not null).ToList();
        S.LastError = errors.Count == 0 ? null : string.Join("; ", errors.Select(e => $"{e.ct}: {e.LastError}"));
        if (changed || S.LastError != lastError)
        {
            await WriteStateQuietlyAsync();
        }

        if (changed || S.LastError != lastError || _published?.State is null or ConnectionState.Connecting)
        {
            await PublishStatusAsync();
        }
    }

    /// <summary>
    /// Tells <see cref="ActivityStreams.StatusChanges"/> when what an operator's dashboard shows changed: the state, its
    /// reason, the last error, consent, the settings (not counters, cursors or lag, which move with every poll). Best effort:
    /// a watcher that missed a change still reads the current status on reconnecting.
    /// </summary>
    private async Task PublishStatusAsync(bool deleted = false)
    {
        var status = deleted ? null : ToStatus();
        var published = status is null
            ? PublishedStatus.Deleted
            : new PublishedStatus(status.State, status.StatusReason, status.LastError, status.ConsentState, status.ConnectedAt, status.Settings);
        if (published == _published)
        {
            return;
        }

        _published = published;
        try
        {
            await this.GetStreamProvider(ActivityStreams.ProviderName).GetStream<EventSourceChanged>(ActivityStreams.StatusChanges)
                .OnNextAsync(new EventSourceChanged(TenantId, deleted));
        }
        catch (Exception e)
        {
            LogStatusChangeNotSent(_logger, e, TenantId);
        }
    }

    /// <summary>What a status watcher was last told of (a changed settings record counts as a change, even with equal values).</summary>
    private sealed record PublishedStatus(ConnectionState? State, string Reason, string? LastError, string? ConsentState, DateTimeOffset? ConnectedAt, EventSourceSettings? Settings)
    {
        public static PublishedStatus Deleted { get; } = new(null, "", null, null, null, null);
    }

    /// <summary>
    /// C0 and C1 controls; Unicode format characters (the marks and overrides that change the direction text is shown
    /// in, zero-width spaces and joiners, the byte-order mark), which make a name invisible or misleading; and the line
    /// and paragraph separators.
    /// </summary>
    private static bool IsControlCharacter(char c) => VisibleText.IsRefused(char.GetUnicodeCategory(c));

    /// <summary>
    /// Records a failed poll of a content type (its error, code and time, and whether it needs a person) and when to
    /// poll it again: after twice the poll interval, doubling with each failure in a row up to <paramref name="cap"/>, and
    /// no sooner than <paramref name="atLeast"/> (the API's <c>Retry-After</c>, or the slow retry of a failure that
    /// needs a person).
    /// </summary>
    private void BackOff(string contentType, ContentTypeHealth health, string error, string code, TimeSpan cap, TimeSpan? atLeast = null, bool needsAttention = false)
    {
        var backoff = health.Failed(error, code, _time.GetUtcNow(), PollInterval, cap, atLeast, needsAttention);
        LogPollFailed(_logger, TenantId, contentType, error, backoff);
    }

    private async Task<SourceContext> LoadSourceAsync(CancellationToken cancellationToken)
    {
        var progress = await _store.LoadProgressAsync(S.SourceId, cancellationToken);
        return SourceContext.From(TenantId, S.SourceId, S.Settings!.FederatedDomains, progress);
    }

    private async Task NotifyAsync(CommitResult result)
    {
        if (_source is { } source)
        {
            await NotifyAsync(new ActivityNotice { TenantId = TenantId, SourceId = source.SourceId, FirstSequence = result.FirstSequence, LastSequence = result.LastSequence });
        }
    }

    private async Task NotifyAsync(ActivityNotice notice)
    {
        try
        {
            await this.GetStreamProvider(ActivityStreams.ProviderName).GetStream<ActivityNotice>(ActivityStreams.For(TenantId)).OnNextAsync(notice);
        }
        catch (Exception e)
        {
            // The store is the truth: subscribers find the events there on their next check.
            LogNoticeFailed(_logger, e, TenantId, notice.LastSequence);
        }
    }

    private async Task RecordHostAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (GrainContext.Address.SiloAddress is { } silo)
            {
                await _store.SetHostAsync(S.SourceId, silo.ToParsableString(), _time.GetUtcNow(), cancellationToken);
            }
        }
        catch (Exception e) when (e is DbException or OperationCanceledException)
        {
            // Only failover's shortcut needs it; the keep-alive reminder still brings the grain back.
            LogStoreUnavailable(_logger, TenantId, e.Message);
        }
    }

    private async Task WriteStateQuietlyAsync()
    {
        try
        {
            await _state.WriteStateAsync();
        }
        catch (Exception e) when (e is DbException or TimeoutException || e.InnerException is DbException)
        {
            // Health is written again with its next change; the poll loop does not depend on it.
            LogStoreUnavailable(_logger, TenantId, e.Message);
        }
    }

    private async Task<ConsentResult> FailConsentAsync(string error)
    {
        if (S.State != ConnectionState.Connected)
        {
            S.State = ConnectionState.Failed;
        }

        S.LastError = error;
        IssueConsentState();
        LogConsentVerificationFailed(_logger, TenantId, error);
        await _state.WriteStateAsync();
        await PublishStatusAsync();
        return new ConsentResult(false,
            "Consent was given, but the collector could not use it yet: " + error + " Consent can take a few minutes to take effect; try again with a fresh link.",
            ToStatus());
    }

    private ContentTypeHealth Health(string contentType)
    {
        if (!S.Health.TryGetValue(contentType, out var health))
        {
            health = new ContentTypeHealth();
            S.Health[contentType] = health;
        }

        return health;
    }

    private EventSourceStatus ToStatus()
    {
        if (S.Settings is null)
        {
            throw new EventSourceException(EventSourceError.NotFound, $"Tenant {TenantId} has no event source.");
        }

        var now = _time.GetUtcNow();
        var contentTypes = S.Settings.ContentTypes.Select(ct =>
        {
            var health = S.Health.GetValueOrDefault(ct);
            var cursor = _source?.Cursor(ct);
            return new ContentTypeStatus
            {
                ContentType = ct,
                Subscribed = health?.Subscribed ?? false,
                Cursor = cursor?.ListedThrough,
                LastPolledAt = cursor?.PolledAt,
                LastError = health?.LastError,
                LastErrorCode = health?.LastErrorCode,
                LastErrorAt = health?.LastErrorAt,
                ConsecutiveFailures = health?.Failures ?? 0,
                RetryAt = health?.RetryAfter,
                NeedsAttention = health?.NeedsAttention ?? false,
                DataGaps = health is { DataGaps.IsDefault: false } ? health.DataGaps : [],
                NewestBlobAt = health?.NewestBlobAt,
                NewestRecordAt = health?.NewestRecordAt,
                Lag = health?.NewestRecordAt is { } newest ? now - newest : null,
                Counters = health?.Counters ?? new(),
            };
        }).ToImmutableArray();
        var lastSequence = _source?.LastSequence ?? 0;
        var (state, reason) = DeriveStatus(contentTypes);
        return new EventSourceStatus
        {
            Settings = S.Settings,
            State = state,
            StatusReason = reason,
            ApiClockSkew = _serverClock?.Skew ?? TimeSpan.Zero,
            ConsentState = S.ConsentState,
            ConsentStateExpiresAt = S.ConsentStateIssuedAt + _options.ConsentStateLifetime,
            CreatedAt = S.CreatedAt,
            ConnectedAt = S.ConnectedAt,
            LastSuccessfulPollAt = contentTypes.Any(c => c.LastPolledAt is null) ? null : contentTypes.Min(c => c.LastPolledAt),
            LastError = S.LastError,
            ContentTypes = contentTypes,
            RecordsCollected = lastSequence,
            LastSequence = lastSequence,
            SourceId = S.SourceId,
            Counters = contentTypes.Aggregate(new CollectionCounters(), (sum, c) => sum + c.Counters),
            ClientId = _options.Credential(S.Settings.Credential)?.ClientId,
            Cloud = S.Settings.Cloud ?? _options.Cloud,
        };
    }

    /// <summary>
    /// The status shown (the "green check" or why not): consent first; then <c>FAILED</c> when a content type's error
    /// needs a person, <c>DEGRADED</c> when one failed <see cref="CollectorOptions.UnhealthyAfterFailures"/> polls in a
    /// row, <c>CONNECTING</c> until each was polled without error once, else <c>CONNECTED</c>.
    /// </summary>
    private (ConnectionState State, string Reason) DeriveStatus(ImmutableArray<ContentTypeStatus> contentTypes)
    {
        switch (S.State)
        {
            case ConnectionState.PendingConsent:
                return (S.State, S.LastError is { } refused
                    ? $"Waiting for admin consent; the last attempt failed: {refused}"
                    : "Waiting for a Global Administrator of the tenant to open the admin-consent URL and grant consent.");
            case ConnectionState.Failed:
                return (S.State, S.LastError ?? "Consent could not be verified.");
        }

        static string Retry(ContentTypeStatus c) => c.RetryAt is { } at ? $" (tried again at {at:yyyy-MM-dd HH:mm:ss}Z)" : "";
        var attention = contentTypes.Where(c => c.NeedsAttention).ToList();
        if (attention.Count > 0)
        {
            return (ConnectionState.Failed, "Needs an administrator: " + string.Join("; ", attention.Select(c => $"{c.ContentType}: {c.LastError}{Retry(c)}")));
        }

        var failing = contentTypes.Where(c => c.ConsecutiveFailures >= _options.UnhealthyAfterFailures).ToList();
        if (failing.Count > 0)
        {
            return (ConnectionState.Degraded, "Collecting with trouble: " + string.Join("; ", failing.Select(c =>
                $"{c.ContentType} failed {c.ConsecutiveFailures} polls in a row: {c.LastError}{Retry(c)}")));
        }

        var waiting = contentTypes.Where(c => c.LastPolledAt is null).Select(c => c.ContentType).ToList();
        return waiting.Count > 0
            ? (ConnectionState.Connecting, $"Consent verified; waiting for the first poll of {string.Join(", ", waiting)}.")
            : (ConnectionState.Connected, "");
    }

    private static string StoreUnavailable(DbException e) =>
        $"The event store (PostgreSQL) is unavailable: {e.Message}; collection pauses and catches up once it is back.";

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {TenantId}: event source created for {ContentTypes}; waiting for admin consent")]
    private static partial void LogCreated(ILogger logger, Guid tenantId, string contentTypes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {TenantId}: consent verified; collecting")]
    private static partial void LogConnected(ILogger logger, Guid tenantId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {TenantId}: event source deleted")]
    private static partial void LogDeleted(ILogger logger, Guid tenantId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: consent callback with a state that does not match; refused")]
    private static partial void LogConsentStateMismatch(ILogger logger, Guid tenantId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {TenantId}: settings updated: content types {ContentTypes}, unfiltered {SendUnfiltered}, poll interval {PollInterval}")]
    private static partial void LogUpdated(ILogger logger, Guid tenantId, string contentTypes, bool sendUnfiltered, TimeSpan pollInterval);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: telling status watchers of a change failed (they see it when they reconnect)")]
    private static partial void LogStatusChangeNotSent(ILogger logger, Exception exception, Guid tenantId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: consent callback with an expired state; refused")]
    private static partial void LogConsentStateExpired(ILogger logger, Guid tenantId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {TenantId}: a fresh admin-consent URL was issued; the previous one no longer works")]
    private static partial void LogConsentRenewed(ILogger logger, Guid tenantId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: admin consent refused: {Error} ({Code})")]
    private static partial void LogConsentRefused(ILogger logger, Guid tenantId, string error, string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: {Error}")]
    private static partial void LogConsentVerificationFailed(ILogger logger, Guid tenantId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: polling {ContentType} failed: {Error}; next try in {Backoff}")]
    private static partial void LogPollFailed(ILogger logger, Guid tenantId, string contentType, string error, TimeSpan backoff);

    [LoggerMessage(Level = LogLevel.Error, Message = "Tenant {TenantId}: polling {ContentType} failed unexpectedly")]
    private static partial void LogPollCrashed(ILogger logger, Exception exception, Guid tenantId, string contentType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: the event store is unavailable: {Error}")]
    private static partial void LogStoreUnavailable(ILogger logger, Guid tenantId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: the notice for sequence {Last} could not be published (subscribers catch up from the store)")]
    private static partial void LogNoticeFailed(ILogger logger, Exception exception, Guid tenantId, long last);
}
