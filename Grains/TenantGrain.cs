using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using O365Activity.Contracts;
using O365Activity.Contracts.Activity;
using O365Activity.Contracts.EventSources;
using O365Activity.Grains.Collection;
using O365Activity.Grains.Normalization;

namespace O365Activity.Grains;

/// <summary>
/// The event source of one tenant (key: tenant id). Owns consent, subscriptions, cursors and the poll loop: a grain
/// timer polls every <see cref="CollectorOptions.PollInterval"/> while the grain is active, and a reminder
/// re-activates the grain (and so the timer) after deactivation or silo loss (DESIGN.md decisions 1–3).
/// </summary>
/// <remarks>
/// A poll of one content type: plan windows from the cursor (overlap, 7-day floor, 24-hour slices), list every page,
/// fetch each blob not yet processed (by <c>contentId</c>), normalize its records, skip records already delivered (by
/// record <c>Id</c>), give each new record the next sequence number, publish on the tenant's streams, then advance
/// and persist the cursor. A blob that fails stays unprocessed and holds the cursor back so that it is listed again.
/// </remarks>
[GrainType("tenant")]
public sealed partial class TenantGrain : Grain, ITenantGrain, IRemindable
{
    private const string KeepAliveReminder = "poll-keepalive";
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(1);

    private readonly IPersistentState<TenantState> _state;
    private readonly ManagementApiClient _api;
    private readonly AuditRecordNormalizer _normalizer;
    private readonly TimeProvider _time;
    private readonly CollectorOptions _options;
    private readonly ILogger<TenantGrain> _logger;
    private IGrainTimer? _pollTimer;

    /// <summary>Creates the grain (by Orleans).</summary>
    public TenantGrain(
        [PersistentState("tenant", StorageNames.Tenants)] IPersistentState<TenantState> state,
        ManagementApiClient api,
        AuditRecordNormalizer normalizer,
        TimeProvider time,
        IOptions<CollectorOptions> options,
        ILogger<TenantGrain> logger)
    {
        _state = state;
        _api = api;
        _normalizer = normalizer;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    private Guid TenantId => this.GetPrimaryKey();

    private TenantState S => _state.State;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.State == ConnectionState.Connected)
        {
            StartPolling();
        }

        return Task.CompletedTask;
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

        if (!settings.FederatedDomains.IsDefault && settings.FederatedDomains.Length > 100)
        {
            throw new EventSourceException(EventSourceError.InvalidArgument, "At most 100 federated domains.");
        }

        var contentTypes = settings.ContentTypes.IsDefaultOrEmpty ? ContentTypes.Default : settings.ContentTypes;
        var canonical = contentTypes.Select(ct => ContentTypes.Canonical(ct)
            ?? throw new EventSourceException(EventSourceError.InvalidArgument, $"'{ct}' is not a content type; use one of {string.Join(", ", ContentTypes.All)}."))
            .Distinct(StringComparer.Ordinal)
            .ToImmutableArray();

        S.Settings = settings with
        {
            DisplayName = string.IsNullOrWhiteSpace(settings.DisplayName) ? TenantId.ToString() : settings.DisplayName.Trim(),
            ContentTypes = canonical,
            FederatedDomains = settings.FederatedDomains.IsDefault ? [] : settings.FederatedDomains,
        };
        S.State = ConnectionState.PendingConsent;
        S.ConsentState = $"{TenantId}.{Base64Url(RandomNumberGenerator.GetBytes(24))}";
        S.CreatedAt = _time.GetUtcNow();
        await _state.WriteStateAsync();
        await GrainFactory.GetGrain<IEventSourceRegistryGrain>(0).Add(TenantId);
        LogCreated(_logger, TenantId, string.Join(",", canonical));
        return ToStatus();
    }

    /// <inheritdoc />
    public Task<EventSourceStatus> GetStatus() => Task.FromResult(ToStatus());

    /// <inheritdoc />
    public async Task<EventSourceStatus> CompleteConsent(ConsentCallback callback)
    {
        var status = ToStatus();
        if (S.ConsentState is null || callback.State is null
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(S.ConsentState), Encoding.UTF8.GetBytes(callback.State)))
        {
            LogConsentStateMismatch(_logger, TenantId);
            throw new EventSourceException(EventSourceError.PermissionDenied, $"The consent callback's state does not match the event source of tenant {TenantId}.");
        }

        if (S.State == ConnectionState.Connected)
        {
            // The same callback again (a reloaded page): consent is already proven.
            return status;
        }

        if (!string.IsNullOrEmpty(callback.Error))
        {
            // Text from the browser's query: bounded and on one line before it is stored, shown and logged.
            var error = Printable(callback.Error, 100);
            var description = Printable(callback.ErrorDescription ?? "", 500);
            S.State = ConnectionState.Error;
            S.LastError = $"Admin consent was not granted: {error}: {description}";
            LogConsentRefused(_logger, TenantId, error, description);
            await _state.WriteStateAsync();
            return ToStatus();
        }

        // The callback's tenant value proves nothing (PROTOCOL.md §2): a token and a subscriptions/list call do.
        try
        {
            var cancellation = CancellationToken.None;
            var subscriptions = await _api.ListSubscriptionsAsync(TenantId, cancellation);
            foreach (var contentType in S.Settings!.ContentTypes)
            {
                var cursor = Cursor(contentType);
                cursor.Subscribed = subscriptions.Any(s => s.IsEnabled && string.Equals(s.ContentType, contentType, StringComparison.OrdinalIgnoreCase));
                if (!cursor.Subscribed)
                {
                    await _api.StartSubscriptionAsync(TenantId, contentType, cancellation);
                    cursor.Subscribed = true;
                }
            }
        }
        catch (TokenAcquisitionException e)
        {
            return await FailConsentAsync($"Consent could not be verified: the token request was refused: {e.Error}: {e.Message}");
        }
        catch (ManagementApiException e)
        {
            return await FailConsentAsync($"Consent could not be verified: {Explain(e)}");
        }

        S.State = ConnectionState.Connected;
        S.ConnectedAt = _time.GetUtcNow();
        S.LastError = null;
        await _state.WriteStateAsync();
        await this.RegisterOrUpdateReminder(KeepAliveReminder, _options.ReminderPeriod, _options.ReminderPeriod);
        LogConnected(_logger, TenantId);
        StartPolling();
        return ToStatus();
    }

    /// <inheritdoc />
    public async Task Delete()
    {
        if (S.Settings is null)
        {
            throw new EventSourceException(EventSourceError.NotFound, $"Tenant {TenantId} has no event source.");
        }

        _pollTimer?.Dispose();
        _pollTimer = null;
        if (await this.GetReminder(KeepAliveReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        await _state.ClearStateAsync();
        _state.State = new TenantState();
        await GrainFactory.GetGrain<IEventSourceRegistryGrain>(0).Remove(TenantId);
        LogDeleted(_logger, TenantId);
        DeactivateOnIdle();
    }

    /// <inheritdoc />
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (S.State == ConnectionState.Connected)
        {
            // Activation already started the timer; a timer lost to an unexpected failure is started again here.
            StartPolling();
        }
        else if (await this.GetReminder(reminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private void StartPolling()
    {
        _pollTimer ??= this.RegisterGrainTimer(
            PollAsync,
            new GrainTimerCreationOptions { DueTime = TimeSpan.Zero, Period = _options.PollInterval, Interleave = false, KeepAlive = true });
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        if (S.State != ConnectionState.Connected || S.Settings is null)
        {
            return;
        }

        var healthy = true;
        foreach (var contentType in S.Settings.ContentTypes)
        {
            var cursor = Cursor(contentType);
            var now = _time.GetUtcNow();
            if (cursor.RetryAfter > now)
            {
                healthy = false;
                continue;
            }

            try
            {
                await PollContentTypeAsync(contentType, cursor, cancellationToken);
                cursor.LastError = null;
                cursor.Failures = 0;
                cursor.RetryAfter = null;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Whatever went wrong stays with this content type: the others, and the next poll, carry on.
                healthy = false;
                cursor.Failures++;
                var backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, _options.PollInterval.Ticks * (1L << Math.Min(cursor.Failures, 16))));
                cursor.RetryAfter = _time.GetUtcNow() + backoff;
                cursor.LastError = e switch
                {
                    ManagementApiException api => Explain(api),
                    TokenAcquisitionException token => $"Token request refused: {token.Error}: {token.Message}",
                    _ => $"Unexpected error: {e.GetType().Name}: {e.Message}",
                };
                if (e is ManagementApiException or TokenAcquisitionException)
                {
                    LogPollFailed(_logger, TenantId, contentType, cursor.LastError, backoff);
                }
                else
                {
                    LogPollCrashed(_logger, e, TenantId, contentType, backoff);
                }
            }
        }

        var pruneBefore = _time.GetUtcNow() - _options.DedupeHorizon;
        Prune(S.SeenContent, pruneBefore);
        Prune(S.SeenRecords, pruneBefore);
        if (healthy)
        {
            S.LastSuccessfulPollAt = _time.GetUtcNow();
            S.LastError = null;
        }
        else
        {
            S.LastError = string.Join("; ", S.Cursors.Where(c => c.Value.LastError is not null).Select(c => $"{c.Key}: {c.Value.LastError}"));
        }

        await _state.WriteStateAsync(cancellationToken);
    }

    private async Task PollContentTypeAsync(string contentType, ContentTypeCursor cursor, CancellationToken cancellationToken)
    {
        var plan = ListingWindowPlanner.Plan(cursor.ListedThrough, _time.GetUtcNow(), _options.ListingOverlap, _options.InitialLookback);
        if (plan.Gap is { } gap)
        {
            LogDataGap(_logger, TenantId, contentType, gap.Start, gap.End);
        }

        foreach (var window in plan.Windows)
        {
            IReadOnlyList<ContentBlob> blobs;
            try
            {
                blobs = await _api.ListContentAsync(TenantId, contentType, window.Start, window.End, cancellationToken);
            }
            catch (ManagementApiException e) when (e.Code is "AF20022" or "AF20023" && !cursor.RestartSent)
            {
                // No subscription, or disabled: start it once, then list again (PROTOCOL.md §7). If it stays disabled
                // the error surfaces and later polls retry the listing with back-off, without another start (case S02).
                cursor.Subscribed = false;
                cursor.RestartSent = true;
                await _api.StartSubscriptionAsync(TenantId, contentType, cancellationToken);
                cursor.Subscribed = true;
                blobs = await _api.ListContentAsync(TenantId, contentType, window.Start, window.End, cancellationToken);
            }

            cursor.RestartSent = false;

            DateTimeOffset? heldBack = null;
            foreach (var blob in blobs.OrderBy(b => b.ContentCreated))
            {
                if (S.SeenContent.ContainsKey(blob.ContentId))
                {
                    continue;
                }

                try
                {
                    await ProcessBlobAsync(contentType, blob, cancellationToken);
                    S.SeenContent[blob.ContentId] = blob.ContentCreated;
                }
                catch (ManagementApiException e) when (e.Code is "AF20050" or "AF20051" or "AF20052")
                {
                    // Gone or invalid: never retried (PROTOCOL.md §7); the loss is logged with the tenant.
                    LogBlobLost(_logger, TenantId, contentType, blob.ContentId, Explain(e));
                    S.SeenContent[blob.ContentId] = blob.ContentCreated;
                }
                catch (ManagementApiException e) when (!e.IsThrottled)
                {
                    // This blob fails alone; the others carry on, and the cursor stays before it so it is listed again.
                    LogBlobFailed(_logger, TenantId, contentType, blob.ContentId, Explain(e));
                    heldBack = heldBack is { } h && h < blob.ContentCreated ? h : blob.ContentCreated;
                    cursor.LastError = Explain(e);
                }
            }

            var advanceTo = heldBack is { } held ? Min(window.End, held + _options.ListingOverlap) : window.End;
            if (cursor.ListedThrough is null || advanceTo > cursor.ListedThrough)
            {
                cursor.ListedThrough = advanceTo;
            }

            await _state.WriteStateAsync(cancellationToken);
            if (heldBack is not null)
            {
                throw new ManagementApiException(0, null, $"{cursor.LastError} (the blob is retried on a later poll)");
            }
        }
    }

    private async Task ProcessBlobAsync(string contentType, ContentBlob blob, CancellationToken cancellationToken)
    {
        var provider = this.GetStreamProvider(ActivityStreams.ProviderName);
        var ingress = provider.GetStream<IngressEvent>(ActivityStreams.For(ActivityStreams.Ingress, TenantId));
        var admin = provider.GetStream<AdminEvent>(ActivityStreams.For(ActivityStreams.Admin, TenantId));
        var raw = provider.GetStream<RawRecord>(ActivityStreams.For(ActivityStreams.Raw, TenantId));
        var context = new NormalizationContext(TenantId, _time.GetUtcNow(), contentType, S.Settings!.FederatedDomains);
        var index = 0;
        await foreach (var record in _api.FetchContentAsync(TenantId, blob, cancellationToken))
        {
            index++;
            NormalizedRecord normalized;
            try
            {
                normalized = _normalizer.Normalize(record, context);
            }
            catch (AuditRecordFormatException e)
            {
                LogRecordRejected(_logger, TenantId, blob.ContentId, index, e.Message);
                continue;
            }

            var recordId = normalized.Raw.RecordId;
            if (S.SeenRecords.ContainsKey(recordId))
            {
                continue;
            }

            // The record counts as delivered only once every stream took it: a failure leaves it unseen and its
            // sequence number unused, and the blob is fetched again on a later poll.
            var sequence = S.LastSequence + 1;
            if (S.Settings.SendUnfiltered)
            {
                await raw.OnNextAsync(normalized.Raw with { Sequence = sequence });
            }

            switch (normalized.Activity)
            {
                case IngressEvent signIn:
                    await ingress.OnNextAsync(signIn with { Sequence = sequence });
                    break;
                case AdminEvent change:
                    await admin.OnNextAsync(change with { Sequence = sequence });
                    break;
            }

            S.LastSequence = sequence;
            S.RecordsCollected++;
            S.SeenRecords[recordId] = context.IngestTime;
        }
    }

    private async Task<EventSourceStatus> FailConsentAsync(string error)
    {
        S.State = ConnectionState.Error;
        S.LastError = error;
        LogConsentVerificationFailed(_logger, TenantId, error);
        await _state.WriteStateAsync();
        return ToStatus();
    }

    private ContentTypeCursor Cursor(string contentType)
    {
        if (!S.Cursors.TryGetValue(contentType, out var cursor))
        {
            cursor = new ContentTypeCursor();
            S.Cursors[contentType] = cursor;
        }

        return cursor;
    }

    private EventSourceStatus ToStatus()
    {
        if (S.Settings is null)
        {
            throw new EventSourceException(EventSourceError.NotFound, $"Tenant {TenantId} has no event source.");
        }

        return new EventSourceStatus
        {
            Settings = S.Settings,
            State = S.State,
            ConsentState = S.State == ConnectionState.Connected ? null : S.ConsentState,
            CreatedAt = S.CreatedAt,
            ConnectedAt = S.ConnectedAt,
            LastSuccessfulPollAt = S.LastSuccessfulPollAt,
            LastError = S.LastError,
            ContentTypes = [.. S.Settings.ContentTypes.Select(ct => S.Cursors.TryGetValue(ct, out var c)
                ? new ContentTypeStatus { ContentType = ct, Subscribed = c.Subscribed, Cursor = c.ListedThrough, LastError = c.LastError }
                : new ContentTypeStatus { ContentType = ct })],
            RecordsCollected = S.RecordsCollected,
            LastSequence = S.LastSequence,
        };
    }

    /// <summary>An API error in words an administrator can act on (PROTOCOL.md §7).</summary>
    private static string Explain(ManagementApiException e) => e.Code switch
    {
        "AF20011" => $"{e.Summary} — unified audit logging may be off in this tenant: turn it on in Microsoft Purview (it takes up to 60 minutes to take effect).",
        "AF10001" => $"{e.Summary} — the application lacks the ActivityFeed.Read permission.",
        "AF20023" => $"{e.Summary} — the subscription is disabled (by an administrator, or for DLP.All the application may lack the ActivityFeed.ReadDlp permission); the service started it once and keeps retrying the listing.",
        _ when e.Message.Contains("does not exist", StringComparison.OrdinalIgnoreCase) && e.Message.Contains("Tenant", StringComparison.Ordinal)
            => $"{e.Summary} — unified audit logging may be off in this tenant: turn it on in Microsoft Purview (it takes up to 60 minutes to take effect).",
        _ => e.Summary,
    };

    private static void Prune(Dictionary<string, DateTimeOffset> seen, DateTimeOffset before)
    {
        foreach (var (key, time) in seen)
        {
            if (time < before)
            {
                seen.Remove(key);
            }
        }
    }

    private static string Printable(string text, int maxLength)
    {
        var clean = new string([.. text.Take(maxLength).Select(c => char.IsControl(c) ? ' ' : c)]);
        return text.Length > maxLength ? clean + "…" : clean;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {TenantId}: event source created for {ContentTypes}; waiting for admin consent")]
    private static partial void LogCreated(ILogger logger, Guid tenantId, string contentTypes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {TenantId}: consent verified; collecting")]
    private static partial void LogConnected(ILogger logger, Guid tenantId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {TenantId}: event source deleted")]
    private static partial void LogDeleted(ILogger logger, Guid tenantId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: consent callback with a state that does not match; refused")]
    private static partial void LogConsentStateMismatch(ILogger logger, Guid tenantId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: admin consent refused: {Error}: {Description}")]
    private static partial void LogConsentRefused(ILogger logger, Guid tenantId, string error, string description);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: {Error}")]
    private static partial void LogConsentVerificationFailed(ILogger logger, Guid tenantId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: polling {ContentType} failed: {Error}; next try in {Backoff}")]
    private static partial void LogPollFailed(ILogger logger, Guid tenantId, string contentType, string error, TimeSpan backoff);

    [LoggerMessage(Level = LogLevel.Error, Message = "Tenant {TenantId}: polling {ContentType} failed unexpectedly; next try in {Backoff}")]
    private static partial void LogPollCrashed(ILogger logger, Exception exception, Guid tenantId, string contentType, TimeSpan backoff);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: {ContentType} content from {From:O} to {To:O} can no longer be listed (more than 7 days old): those records are lost")]
    private static partial void LogDataGap(ILogger logger, Guid tenantId, string contentType, DateTimeOffset from, DateTimeOffset to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: {ContentType} blob {ContentId} lost: {Error}")]
    private static partial void LogBlobLost(ILogger logger, Guid tenantId, string contentType, string contentId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: {ContentType} blob {ContentId} failed and will be retried: {Error}")]
    private static partial void LogBlobFailed(ILogger logger, Guid tenantId, string contentType, string contentId, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Tenant {TenantId}: item {Index} of blob {ContentId} is not an audit record and was skipped: {Error}")]
    private static partial void LogRecordRejected(ILogger logger, Guid tenantId, string contentId, int index, string error);
}

/// <summary>Names of the grain storages the silo registers.</summary>
public static class StorageNames
{
    /// <summary>Storage of tenant grain state.</summary>
    public const string Tenants = "tenants";

    /// <summary>Storage of the event-source registry.</summary>
    public const string Registry = "registry";
}
