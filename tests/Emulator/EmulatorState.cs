using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using O365Activity.Emulator.Content;

namespace O365Activity.Emulator;

/// <summary>
/// The emulator's state and the tests' control surface: consent, subscriptions, content blobs, per-tenant paging and
/// throttling, injected faults, the clock skew and the request log. Every member is thread-safe and takes effect on the
/// next request. Tenant ids are GUIDs; tenants need no registration (any tenant that asks is served).
/// </summary>
public sealed class EmulatorState
{
    /// <summary>The roles an access token carries unless <see cref="SetTokenRoles"/> says otherwise.</summary>
    public static readonly IReadOnlyList<string> DefaultRoles = ["ActivityFeed.Read", "ActivityFeed.ReadDlp"];

    private readonly Lock _lock = new();
    private readonly EmulatorOptions _options;
    private readonly Dictionary<Guid, TenantData> _tenants = [];
    private readonly Dictionary<string, Blob> _blobs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PageToken> _pageTokens = new(StringComparer.Ordinal);
    private readonly List<FaultHandle> _faults = [];
    private readonly LinkedList<EmulatorRequest> _requests = new();
    private readonly List<(Func<EmulatorRequest, bool> Predicate, TaskCompletionSource<EmulatorRequest> Completion)> _waiters = [];
    private readonly IReadOnlyDictionary<string, ImmutableArray<ImmutableArray<AuditRecord>>> _folderBlobs;
    private readonly DateTimeOffset _startedAt;
    private readonly SyntheticRecords _synthetic;
    private bool _generatorPaused;
    private long _skewTicks;
    private long _sequence;

    internal EmulatorState(EmulatorOptions options, IReadOnlyList<AuditRecord> folderRecords, FolderLoadReport? folderLoad)
    {
        _options = options;
        _skewTicks = options.ClockSkew.Ticks;
        FolderLoad = folderLoad;
        _folderBlobs = folderRecords.GroupBy(r => r.ContentType, StringComparer.Ordinal).ToDictionary(
            g => g.Key,
            g => g.Chunk(Math.Max(1, options.BlobSize)).Select(c => c.ToImmutableArray()).ToImmutableArray(),
            StringComparer.Ordinal);
        _synthetic = new SyntheticRecords(options.GeneratorSeed ?? Random.Shared.Next());
        _startedAt = UtcNow;
        foreach (var tenant in options.ConsentedTenants.Concat(ReadConsentFile(options.ConsentFile)))
        {
            Tenant(tenant).Consented = true;
        }
    }

    /// <summary>The emulator's "now": <see cref="EmulatorOptions.TimeProvider"/> plus <see cref="ClockSkew"/>. Sent as
    /// the <c>Date</c> header of every response.</summary>
    public DateTimeOffset UtcNow => _options.TimeProvider.GetUtcNow() + ClockSkew;

    /// <summary>How far the emulator's clock is ahead of <see cref="EmulatorOptions.TimeProvider"/> (negative: behind).</summary>
    public TimeSpan ClockSkew
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _skewTicks));
        set => Interlocked.Exchange(ref _skewTicks, value.Ticks);
    }

    /// <summary>What loading <see cref="EmulatorOptions.RecordsDirectory"/> found; null when no folder was configured.</summary>
    public FolderLoadReport? FolderLoad { get; }

    /// <summary>The seed of the synthetic records (backlog and generator): <see cref="EmulatorOptions.GeneratorSeed"/>, or
    /// the one drawn at start when that is null. Another emulator started with this seed serves the same record ids.</summary>
    public int GeneratorSeed => _synthetic.Seed;

    /// <summary>
    /// While true the generator (<see cref="EmulatorOptions.GenerateEvery"/>, <see cref="EmulatorOptions.GenerateRate"/>)
    /// adds nothing, so that a benchmark can let the service drain and compare record ids. Setting it back to false resumes
    /// the rate feed from that moment, without catching up on the pause.
    /// </summary>
    public bool GeneratorPaused
    {
        get
        {
            lock (_lock)
            {
                return _generatorPaused;
            }
        }

        set
        {
            lock (_lock)
            {
                if (_generatorPaused && !value)
                {
                    var now = UtcNow;
                    foreach (var sub in _tenants.Values.SelectMany(t => t.Subscriptions.Values))
                    {
                        sub.FeedSince = now;
                        sub.FeedEmitted = 0;
                    }
                }

                _generatorPaused = value;
            }
        }
    }

    // ---------------------------------------------------------------- consent and tokens

    private readonly List<string> _issuedAccessTokens = [];

    /// <summary>Every access token the token endpoint issued, in order: what a leak scan looks for in the service's output.</summary>
    public IReadOnlyList<string> IssuedAccessTokens
    {
        get
        {
            lock (_lock)
            {
                return [.. _issuedAccessTokens];
            }
        }
    }

    /// <summary>Records an access token the token endpoint issued.</summary>
    internal void RecordIssuedAccessToken(string token)
    {
        lock (_lock)
        {
            _issuedAccessTokens.Add(token);
        }
    }

    /// <summary>Marks <paramref name="tenantId"/> as having granted admin consent (tokens are issued for it).</summary>
    /// <param name="tenantId">The tenant.</param>
    public void GrantConsent(Guid tenantId)
    {
        lock (_lock)
        {
            Tenant(tenantId).Consented = true;
            WriteConsentFile();
        }
    }

    /// <summary>Withdraws <paramref name="tenantId"/>'s consent: token requests answer AADSTS700016 again. Tokens already
    /// issued stay valid until they expire, as with Entra.</summary>
    /// <param name="tenantId">The tenant.</param>
    public void RevokeConsent(Guid tenantId)
    {
        lock (_lock)
        {
            Tenant(tenantId).Consented = false;
            WriteConsentFile();
        }
    }

    /// <summary>The tenants listed in a consent file (<see cref="EmulatorOptions.ConsentFile"/>): one GUID per line; none when it does not exist.</summary>
    /// <exception cref="FormatException">When a line is not a GUID.</exception>
    private static IEnumerable<Guid> ReadConsentFile(string? path) =>
        path is null || !File.Exists(path)
            ? []
            : File.ReadAllLines(path).Where(l => l.Trim().Length > 0).Select(l => Guid.TryParse(l.Trim(), out var g)
                ? g
                : throw new FormatException($"{path}: '{l.Trim()}' is not a tenant id (a GUID)."));

    /// <summary>Writes every consented tenant to the consent file, if there is one (replacing it whole).</summary>
    private void WriteConsentFile()
    {
        if (_options.ConsentFile is not { } path)
        {
            return;
        }

        var temporary = path + ".tmp";
        File.WriteAllLines(temporary, _tenants.Where(t => t.Value.Consented).Select(t => t.Key.ToString()).Order(StringComparer.Ordinal));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Whether <paramref name="tenantId"/> gets tokens (consented, or <see cref="EmulatorOptions.AutoConsentAllTenants"/>).</summary>
    /// <param name="tenantId">The tenant.</param>
    public bool IsConsented(Guid tenantId)
    {
        lock (_lock)
        {
            return _options.AutoConsentAllTenants || (_tenants.TryGetValue(tenantId, out var t) && t.Consented);
        }
    }

    /// <summary>Makes the next admin consents for <paramref name="tenantId"/> fail with <paramref name="failure"/>
    /// (for example <see cref="ConsentFailure.Declined"/>); null makes them succeed again.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="failure">The failure, or null.</param>
    public void SetConsentFailure(Guid tenantId, ConsentFailure? failure)
    {
        lock (_lock)
        {
            Tenant(tenantId).ConsentFailure = failure;
        }
    }

    /// <summary>The <c>roles</c> of tokens issued for <paramref name="tenantId"/> from now on (null: <see cref="DefaultRoles"/>).
    /// Without <c>ActivityFeed.Read</c> the API answers AF10001; without <c>ActivityFeed.ReadDlp</c>, DLP.All answers AF20023.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="roles">The roles, or null.</param>
    public void SetTokenRoles(Guid tenantId, IEnumerable<string>? roles)
    {
        lock (_lock)
        {
            Tenant(tenantId).Roles = roles?.ToArray();
        }
    }

    // ---------------------------------------------------------------- tenant behaviour

    /// <summary>Turns unified audit logging of <paramref name="tenantId"/> off or on (case S04). While off, every API
    /// call for the tenant answers 400 with the message "Microsoft.Office.Compliance.Audit.DataServiceException: Tenant
    /// &lt;id&gt; does not exist." and, by <paramref name="answer"/>, code AF20011 or an exception-text code.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="enabled">False to turn auditing off.</param>
    /// <param name="answer">Which error body a tenant with auditing off gets.</param>
    public void SetAuditingEnabled(Guid tenantId, bool enabled, AuditingOffAnswer answer = AuditingOffAnswer.Af20011)
    {
        lock (_lock)
        {
            var tenant = Tenant(tenantId);
            tenant.AuditingDisabled = !enabled;
            tenant.AuditingOffAnswer = answer;
        }
    }

    /// <summary>Paging for <paramref name="tenantId"/>; null returns to <see cref="EmulatorOptions.Paging"/>.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="paging">The behaviour, or null.</param>
    public void SetPaging(Guid tenantId, PagingBehavior? paging)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(paging?.PageSize ?? 1, 1, nameof(paging));
        lock (_lock)
        {
            Tenant(tenantId).Paging = paging;
        }
    }

    /// <summary>Throttling for <paramref name="tenantId"/>; null returns to <see cref="EmulatorOptions.Throttling"/>.
    /// The count of the current minute is kept.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="throttling">The behaviour, or null.</param>
    public void SetThrottling(Guid tenantId, ThrottleBehavior? throttling)
    {
        lock (_lock)
        {
            Tenant(tenantId).Throttling = throttling;
        }
    }

    // ---------------------------------------------------------------- subscriptions

    /// <summary>The subscriptions of <paramref name="tenantId"/> (content types never started are left out).</summary>
    /// <param name="tenantId">The tenant.</param>
    public IReadOnlyList<SubscriptionInfo> GetSubscriptions(Guid tenantId)
    {
        lock (_lock)
        {
            var tenant = Tenant(tenantId);
            return EmulatorContentTypes.All.Where(tenant.Subscriptions.ContainsKey)
                .Select(ct => tenant.Subscriptions[ct].ToInfo(ct)).ToList();
        }
    }

    /// <summary>The status of one subscription.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="contentType">The content type (any letter case).</param>
    public SubscriptionStatus GetSubscriptionStatus(Guid tenantId, string contentType)
    {
        var ct = RequireContentType(contentType);
        lock (_lock)
        {
            return Tenant(tenantId).Subscriptions.TryGetValue(ct, out var s) ? s.Status : SubscriptionStatus.None;
        }
    }

    /// <summary>Enables a subscription server-side, as if <c>subscriptions/start</c> had been called (an admin did it, or
    /// it existed before the service connected; case S01). Folder content for it is created as on a start.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="contentType">The content type (any letter case).</param>
    public void EnableSubscription(Guid tenantId, string contentType)
    {
        var ct = RequireContentType(contentType);
        lock (_lock)
        {
            var sub = Tenant(tenantId).Subscription(ct);
            sub.StuckDisabled = false;
            if (sub.Status != SubscriptionStatus.Enabled)
            {
                StartLocked(tenantId, ct, sub);
            }
        }
    }

    /// <summary>Enables all five subscriptions of <paramref name="tenantId"/> server-side.</summary>
    /// <param name="tenantId">The tenant.</param>
    public void EnableAllSubscriptions(Guid tenantId)
    {
        foreach (var ct in EmulatorContentTypes.All)
        {
            EnableSubscription(tenantId, ct);
        }
    }

    /// <summary>Disables a subscription server-side (an admin stopped it): <c>list</c> shows it <c>"disabled"</c>, and
    /// listing or fetching its content answers 400 AF20023 "The subscription was disabled by {<paramref name="disabledBy"/>}.".
    /// A later <c>start</c> enables it again.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="contentType">The content type (any letter case).</param>
    /// <param name="disabledBy">"a tenant admin" or "a service admin".</param>
    public void DisableSubscription(Guid tenantId, string contentType, string disabledBy = "a tenant admin")
    {
        var ct = RequireContentType(contentType);
        lock (_lock)
        {
            var sub = Tenant(tenantId).Subscription(ct);
            sub.Status = SubscriptionStatus.Disabled;
            sub.DisabledBy = disabledBy;
        }
    }

    /// <summary>Forgets a subscription server-side: listing answers AF20022 again.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="contentType">The content type (any letter case).</param>
    public void RemoveSubscription(Guid tenantId, string contentType)
    {
        var ct = RequireContentType(contentType);
        lock (_lock)
        {
            Tenant(tenantId).Subscriptions.Remove(ct);
        }
    }

    /// <summary>
    /// Case S02: while <paramref name="stuck"/>, the subscription is disabled and stays so — <c>start</c> answers 200
    /// <c>"status":"enabled"</c> without enabling it, <c>list</c> leaves it out, and listing its content answers
    /// AF20023. Turning it off leaves the subscription disabled until the next start.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="contentType">The content type (any letter case).</param>
    /// <param name="stuck">True to turn the fault on.</param>
    public void SetSubscriptionStuckDisabled(Guid tenantId, string contentType, bool stuck = true)
    {
        var ct = RequireContentType(contentType);
        lock (_lock)
        {
            var sub = Tenant(tenantId).Subscription(ct);
            sub.StuckDisabled = stuck;
            if (stuck)
            {
                sub.Status = SubscriptionStatus.Disabled;
                sub.DisabledBy ??= "a tenant admin";
            }
        }
    }

    // ---------------------------------------------------------------- content

    /// <summary>
    /// Adds a content blob for <paramref name="tenantId"/>. Its records are served with <c>OrganizationId</c> set to the
    /// tenant. To make duplicates (case DUP1), pass the same record to two calls. To make a late blob (case LATE1), set
    /// <see cref="BlobOptions.VisibleAt"/>.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="records">The audit records, each the JSON text of one object (kept verbatim).</param>
    /// <param name="options">Content type, times and content id; null for defaults.</param>
    /// <returns>The blob's content id.</returns>
    /// <exception cref="ArgumentException">A record is not a JSON object, the records map to several content types and
    /// none was given, or the content id is taken.</exception>
    public string AddBlob(Guid tenantId, IEnumerable<string> records, BlobOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        var parsed = new List<AuditRecord>();
        var index = 0;
        foreach (var json in records)
        {
            try
            {
                parsed.Add(AuditRecord.Parse(json));
            }
            catch (FormatException e)
            {
                throw new ArgumentException($"Record {index} is not a JSON object: {e.Message}", nameof(records), e);
            }

            index++;
        }

        return AddBlob(tenantId, parsed, options);
    }

    /// <summary>Adds a content blob of <see cref="JsonNode"/> records (see <see cref="AddBlob(Guid, IEnumerable{string}, BlobOptions?)"/>).</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="records">The audit records (JSON objects).</param>
    /// <param name="options">Content type, times and content id; null for defaults.</param>
    /// <returns>The blob's content id.</returns>
    public string AddBlob(Guid tenantId, IEnumerable<JsonNode> records, BlobOptions? options = null) =>
        AddBlob(tenantId, records.Select(r => r.ToJsonString()), options);

    /// <summary>Changes when a blob becomes visible (case LATE1); null makes it visible from its <c>contentCreated</c>.</summary>
    /// <param name="contentId">The blob's content id.</param>
    /// <param name="visibleAt">The time, or null.</param>
    /// <exception cref="KeyNotFoundException">No such blob.</exception>
    public void SetBlobVisibleAt(string contentId, DateTimeOffset? visibleAt)
    {
        lock (_lock)
        {
            var blob = _blobs[contentId];
            blob.VisibleAt = Max(blob.Created, visibleAt ?? blob.Created);
        }
    }

    /// <summary>Removes a blob: listing no longer shows it and fetching answers AF20050.</summary>
    /// <param name="contentId">The blob's content id.</param>
    /// <returns>True when it existed.</returns>
    public bool RemoveBlob(string contentId)
    {
        lock (_lock)
        {
            if (!_blobs.Remove(contentId, out var blob))
            {
                return false;
            }

            Tenant(blob.TenantId).BlobList(blob.ContentType).Remove(blob);
            return true;
        }
    }

    /// <summary>The blobs of a tenant (visible or not), ordered by <c>contentCreated</c> then content id.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="contentType">Only this content type; null for all.</param>
    public IReadOnlyList<BlobInfo> GetBlobs(Guid tenantId, string? contentType = null)
    {
        var ct = contentType is null ? null : RequireContentType(contentType);
        lock (_lock)
        {
            return [.. BlobsLocked(tenantId, ct).Select(b => b.ToInfo())];
        }
    }

    /// <summary>How many records the blobs of a tenant hold (visible or not, expired included).</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="contentType">Only this content type (any letter case); null for all.</param>
    /// <exception cref="ArgumentException">Not a content type.</exception>
    public long CountRecords(Guid tenantId, string? contentType = null)
    {
        var ct = contentType is null ? null : RequireContentType(contentType);
        lock (_lock)
        {
            return BlobsLocked(tenantId, ct).Sum(b => (long)b.Content.Count);
        }
    }

    /// <summary>
    /// The <c>Id</c> of every record in the blobs of a tenant (visible or not, expired included), blob by blob in the order
    /// of <see cref="GetBlobs"/>, records in blob order; records whose <c>Id</c> is not a string are left out. The blobs are
    /// taken when this is called; the ids are made while enumerating (synthetic blobs keep no records), so a million ids cost
    /// no memory here. The set a benchmark should find stored once the service has fetched everything listed.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="contentType">Only this content type (any letter case); null for all.</param>
    /// <returns>The ids as served (synthetic ones as lower-case GUIDs, <c>D</c> format).</returns>
    /// <exception cref="ArgumentException">Not a content type.</exception>
    public IEnumerable<string> EnumerateRecordIds(Guid tenantId, string? contentType = null)
    {
        var ct = contentType is null ? null : RequireContentType(contentType);
        List<BlobContent> contents;
        lock (_lock)
        {
            contents = [.. BlobsLocked(tenantId, ct).Select(b => b.Content)];
        }

        return contents.SelectMany(c => c.RecordIds());
    }

    /// <summary>The <c>Id</c> of each record of one blob, in blob order (see <see cref="EnumerateRecordIds"/>).</summary>
    /// <param name="contentId">The blob's content id.</param>
    /// <exception cref="KeyNotFoundException">No such blob.</exception>
    public IReadOnlyList<string> GetRecordIds(string contentId)
    {
        BlobContent content;
        lock (_lock)
        {
            content = _blobs.TryGetValue(contentId, out var blob) ? blob.Content : throw new KeyNotFoundException($"No blob '{contentId}'.");
        }

        return [.. content.RecordIds()];
    }

    /// <summary>Makes every <c>nextPage</c> token issued so far invalid (AF20031 on use).</summary>
    public void InvalidatePageTokens()
    {
        lock (_lock)
        {
            _pageTokens.Clear();
        }
    }

    // ---------------------------------------------------------------- faults

    /// <summary>Adds a fault (see <see cref="FaultRule"/>).</summary>
    /// <param name="rule">The rule.</param>
    /// <returns>A handle that counts the rule's hits and removes it on <see cref="FaultHandle.Dispose"/>.</returns>
    public FaultHandle InjectFault(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentOutOfRangeException.ThrowIfLessThan(rule.Times ?? 1, 1, nameof(rule));
        var handle = new FaultHandle(this, rule);
        lock (_lock)
        {
            _faults.Add(handle);
        }

        return handle;
    }

    /// <summary>Removes every fault.</summary>
    public void ClearFaults()
    {
        lock (_lock)
        {
            foreach (var fault in _faults)
            {
                fault.Retired = true;
            }

            _faults.Clear();
        }
    }

    // ---------------------------------------------------------------- request log

    /// <summary>A snapshot of the request log, oldest first (at most <see cref="EmulatorOptions.RequestLogCapacity"/> entries).</summary>
    public IReadOnlyList<EmulatorRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Empties the request log.</summary>
    public void ClearRequests()
    {
        lock (_lock)
        {
            _requests.Clear();
        }
    }

    /// <summary>
    /// Waits for a request that matches <paramref name="predicate"/> (a barrier for tests, instead of sleeping). When
    /// <paramref name="includeLogged"/> is true an already logged request counts.
    /// </summary>
    /// <param name="predicate">What to wait for; called under the state's lock, so keep it short and never call back
    /// into the state.</param>
    /// <param name="includeLogged">Whether requests already in the log count.</param>
    /// <param name="cancellationToken">Ends the wait (the task is then cancelled).</param>
    /// <returns>The first matching request.</returns>
    public Task<EmulatorRequest> WaitForRequestAsync(
        Func<EmulatorRequest, bool> predicate, bool includeLogged = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var completion = new TaskCompletionSource<EmulatorRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            var found = includeLogged ? _requests.FirstOrDefault(predicate) : null;
            if (found is not null)
            {
                return Task.FromResult(found);
            }

            _waiters.Add((predicate, completion));
        }

        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() =>
            {
                lock (_lock)
                {
                    _waiters.RemoveAll(w => w.Completion == completion);
                }

                completion.TrySetCanceled(cancellationToken);
            });
            _ = completion.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        }

        return completion.Task;
    }

    // ================================================================ internal, for the endpoints

    internal EmulatorOptions Options => _options;

    internal void Log(EmulatorRequest request)
    {
        List<TaskCompletionSource<EmulatorRequest>> completed = [];
        lock (_lock)
        {
            _requests.AddLast(request);
            while (_requests.Count > Math.Max(1, _options.RequestLogCapacity))
            {
                _requests.RemoveFirst();
            }

            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Predicate(request))
                {
                    completed.Add(_waiters[i].Completion);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var completion in completed)
        {
            completion.TrySetResult(request);
        }
    }

    internal FaultHandle? TakeFault(string method, string pathAndQuery, RequestKind kind, Guid? tenant)
    {
        lock (_lock)
        {
            foreach (var fault in _faults)
            {
                if (!fault.Rule.Matches(method, pathAndQuery, kind, tenant))
                {
                    continue;
                }

                if (fault.Hit() >= fault.Rule.Times)
                {
                    fault.Retired = true;
                    _faults.Remove(fault);
                }

                return fault;
            }
        }

        return null;
    }

    internal void RemoveFault(FaultHandle handle)
    {
        lock (_lock)
        {
            handle.Retired = true;
            _faults.Remove(handle);
        }
    }

    internal ConsentFailure? ConsentFailureFor(Guid tenantId)
    {
        lock (_lock)
        {
            return _tenants.TryGetValue(tenantId, out var t) ? t.ConsentFailure : null;
        }
    }

    internal IReadOnlyList<string> RolesFor(Guid tenantId)
    {
        lock (_lock)
        {
            return _tenants.TryGetValue(tenantId, out var t) && t.Roles is not null ? t.Roles : DefaultRoles;
        }
    }

    /// <summary>Null when auditing is on, else how to answer.</summary>
    internal AuditingOffAnswer? AuditingOff(Guid tenantId)
    {
        lock (_lock)
        {
            return _tenants.TryGetValue(tenantId, out var t) && t.AuditingDisabled ? t.AuditingOffAnswer : null;
        }
    }

    internal PagingBehavior PagingFor(Guid tenantId)
    {
        lock (_lock)
        {
            return _tenants.TryGetValue(tenantId, out var t) && t.Paging is not null ? t.Paging : _options.Paging;
        }
    }

    /// <summary>Counts a request against the tenant's budget; returns the behaviour when it is over budget, else null.</summary>
    internal ThrottleBehavior? CountRequest(Guid tenantId, DateTimeOffset now)
    {
        lock (_lock)
        {
            var tenant = Tenant(tenantId);
            var throttling = tenant.Throttling ?? _options.Throttling;
            var minute = now.ToUnixTimeSeconds() / 60;
            if (tenant.ThrottleMinute != minute)
            {
                tenant.ThrottleMinute = minute;
                tenant.ThrottleCount = 0;
            }

            tenant.ThrottleCount++;
            return throttling.RequestsPerMinute is { } budget && tenant.ThrottleCount > budget ? throttling : null;
        }
    }

    /// <summary>The outcome of a <c>subscriptions/start</c>.</summary>
    internal enum StartOutcome
    {
        Started,
        AlreadyEnabled,
    }

    internal StartOutcome StartSubscription(Guid tenantId, string contentType)
    {
        lock (_lock)
        {
            var sub = Tenant(tenantId).Subscription(contentType);
            if (sub.StuckDisabled)
            {
                return StartOutcome.Started;
            }

            if (sub.Status == SubscriptionStatus.Enabled)
            {
                return StartOutcome.AlreadyEnabled;
            }

            StartLocked(tenantId, contentType, sub);
            return StartOutcome.Started;
        }
    }

    /// <summary>Stops a subscription; false when there was none.</summary>
    internal bool StopSubscription(Guid tenantId, string contentType)
    {
        lock (_lock)
        {
            if (!Tenant(tenantId).Subscriptions.TryGetValue(contentType, out var sub))
            {
                return false;
            }

            sub.Status = SubscriptionStatus.Disabled;
            sub.DisabledBy = "a tenant admin";
            return true;
        }
    }

    /// <summary>The subscriptions <c>subscriptions/list</c> shows (stuck ones left out).</summary>
    internal IReadOnlyList<SubscriptionInfo> ListedSubscriptions(Guid tenantId) =>
        [.. GetSubscriptions(tenantId).Where(s => !s.StuckDisabled)];

    /// <summary>Null when content of the type can be read, else the AF code and message to answer.</summary>
    internal (string Code, string Message)? SubscriptionError(Guid tenantId, string contentType)
    {
        lock (_lock)
        {
            if (!Tenant(tenantId).Subscriptions.TryGetValue(contentType, out var sub) || sub.Status == SubscriptionStatus.None)
            {
                return ("AF20022", "No subscription found for the specified content type.");
            }

            return sub.Status == SubscriptionStatus.Enabled
                ? null
                : ("AF20023", $"The subscription was disabled by {sub.DisabledBy ?? "a tenant admin"}.");
        }
    }

    /// <summary>The first <paramref name="limit"/> visible blobs of a listing window, in listing order, from
    /// <paramref name="from"/> (inclusive) on. A binary search and a walk over the window: a tenant with 100,000 blobs
    /// lists a page as fast as one with 10.</summary>
    internal IReadOnlyList<BlobInfo> ListVisible(
        Guid tenantId,
        string contentType,
        DateTimeOffset start,
        DateTimeOffset end,
        DateTimeOffset now,
        (DateTimeOffset Created, string ContentId)? from,
        int limit)
    {
        lock (_lock)
        {
            var blobs = Tenant(tenantId).BlobList(contentType);
            var lower = from is { } f && f.Created > start ? f.Created : start;
            int low = 0, high = blobs.Count;
            while (low < high)
            {
                var middle = low + ((high - low) / 2);
                if (blobs[middle].Created < lower)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle;
                }
            }

            var page = new List<BlobInfo>(Math.Min(limit, 128));
            for (var i = low; i < blobs.Count && page.Count < limit && blobs[i].Created < end; i++)
            {
                var b = blobs[i];
                if (b.VisibleAt > now
                    || (from is { } position && b.Created == position.Created && string.CompareOrdinal(b.ContentId, position.ContentId) < 0))
                {
                    continue;
                }

                page.Add(b.ToInfo());
            }

            return page;
        }
    }

    internal string IssuePageToken(Guid tenantId, string contentType, DateTimeOffset start, DateTimeOffset end, BlobInfo next, DateTimeOffset now)
    {
        lock (_lock)
        {
            string token;
            do
            {
                token = string.Create(CultureInfo.InvariantCulture,
                    $"{next.ContentCreated:yyyyMMddHHmmssfff}{NextSequence():D6}${start:yyyyMMddHHmmssfff}000000${_options.RegionSuffix}");
            }
            while (_pageTokens.ContainsKey(token));

            _pageTokens[token] = new PageToken(tenantId, contentType, start, end, next.ContentCreated, next.ContentId, now);
            return token;
        }
    }

    /// <summary>The position a page token continues from; null when the token is unknown, stale, or for another listing.</summary>
    internal (DateTimeOffset Created, string ContentId)? ResolvePageToken(
        string token, Guid tenantId, string contentType, DateTimeOffset start, DateTimeOffset end, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (!_pageTokens.TryGetValue(token, out var entry))
            {
                return null;
            }

            if (now - entry.IssuedAt > _options.PageTokenLifetime)
            {
                _pageTokens.Remove(token);
                return null;
            }

            return entry.TenantId == tenantId && entry.ContentType == contentType && entry.Start == start && entry.End == end
                ? (entry.Created, entry.ContentId)
                : null;
        }
    }

    /// <summary>A blob for fetching: null when unknown for this tenant.</summary>
    internal (BlobInfo Info, BlobContent Content)? FindBlob(Guid tenantId, string contentId)
    {
        lock (_lock)
        {
            return _blobs.TryGetValue(contentId, out var blob) && blob.TenantId == tenantId ? (blob.ToInfo(), blob.Content) : null;
        }
    }

    /// <summary>
    /// The generator's tick. Without <see cref="EmulatorOptions.GenerateRate"/>: one blob of 2 to 5 records for every tenant
    /// with auditing on and an enabled Audit.AzureActiveDirectory subscription. With it: for every such tenant and content type
    /// of <see cref="SyntheticMix"/>, the records due since the subscription started that were not added yet, as blobs of at
    /// most <see cref="EmulatorOptions.BlobSize"/>. Nothing while <see cref="GeneratorPaused"/>.
    /// </summary>
    /// <returns>How many blobs were added.</returns>
    internal int GenerateTick()
    {
        lock (_lock)
        {
            if (_generatorPaused)
            {
                return 0;
            }

            var now = UtcNow;
            var created = TruncateToMilliseconds(now);
            var added = 0;
            foreach (var (tenantId, tenant) in _tenants)
            {
                if (tenant.AuditingDisabled)
                {
                    continue;
                }

                foreach (var contentType in SyntheticMix.ContentTypes)
                {
                    if (!tenant.Subscriptions.TryGetValue(contentType, out var sub) || sub.Status != SubscriptionStatus.Enabled)
                    {
                        continue;
                    }

                    var stream = _synthetic.StreamTag(tenantId, contentType, SyntheticSource.Feed);
                    tenant.FeedOrdinals.TryGetValue(contentType, out var ordinal);
                    long due;
                    TimeSpan span;
                    if (_options.GenerateRate is { } rate)
                    {
                        var seconds = Math.Max(0, (now - (sub.FeedSince ?? now)).TotalSeconds);
                        due = SyntheticMix.Split(contentType, (long)Math.Floor(rate * seconds)) - sub.FeedEmitted;
                        span = TimeSpan.Zero;
                    }
                    else
                    {
                        due = contentType == EmulatorContentTypes.AzureActiveDirectory ? SyntheticRecords.TickBlobSize(stream, ordinal) : 0;
                        span = TimeSpan.FromSeconds(60);
                    }

                    if (due <= 0)
                    {
                        continue;
                    }

                    sub.FeedEmitted += due;
                    for (var first = 0L; first < due; first += _options.BlobSize)
                    {
                        var count = (int)Math.Min(_options.BlobSize, due - first);
                        var content = new GeneratedBlobContent(_synthetic, tenant.TenantText, contentType, stream, ordinal + first, count, now, span);
                        AddBlobLocked(tenantId, contentType, NewContentId(created, contentType), created, created, created + _options.ContentRetention, content);
                        added++;
                    }

                    tenant.FeedOrdinals[contentType] = ordinal + due;
                }
            }

            return added;
        }
    }

    private static string RequireContentType(string contentType) =>
        EmulatorContentTypes.Canonical(contentType)
        ?? throw new ArgumentException($"'{contentType}' is not a content type; use one of {string.Join(", ", EmulatorContentTypes.All)}.", nameof(contentType));

    private string AddBlob(Guid tenantId, List<AuditRecord> records, BlobOptions? options)
    {
        options ??= new BlobOptions();
        string contentType;
        if (options.ContentType is not null)
        {
            contentType = RequireContentType(options.ContentType);
        }
        else
        {
            var types = records.Select(r => r.ContentType).Distinct().ToList();
            contentType = types.Count switch
            {
                0 => EmulatorContentTypes.General,
                1 => types[0],
                _ => throw new ArgumentException(
                    $"The records map to several content types ({string.Join(", ", types)}); set BlobOptions.ContentType.", nameof(options)),
            };
        }

        lock (_lock)
        {
            var created = TruncateToMilliseconds(options.ContentCreated ?? UtcNow);
            var contentId = options.ContentId ?? NewContentId(created, contentType);
            if (_blobs.ContainsKey(contentId))
            {
                throw new ArgumentException($"Content id '{contentId}' is taken.", nameof(options));
            }

            AddBlobLocked(
                tenantId,
                contentType,
                contentId,
                created,
                Max(created, options.VisibleAt ?? created),
                options.ContentExpiration ?? created + _options.ContentRetention,
                new StoredBlobContent([.. records], Tenant(tenantId).TenantText));
            return contentId;
        }
    }

    /// <summary>Adds a blob whose content id is known to be free.</summary>
    private void AddBlobLocked(
        Guid tenantId, string contentType, string contentId, DateTimeOffset created, DateTimeOffset visibleAt, DateTimeOffset expiration, BlobContent content)
    {
        var blob = new Blob(tenantId, contentType, contentId, created, expiration, content) { VisibleAt = visibleAt };
        _blobs.Add(contentId, blob);
        var list = Tenant(tenantId).BlobList(contentType);
        if (list.Count == 0 || Blob.Compare(list[^1], blob) <= 0)
        {
            list.Add(blob);
        }
        else
        {
            var index = list.BinarySearch(blob, Blob.ListingOrder);
            list.Insert(index < 0 ? ~index : index, blob);
        }
    }

    /// <summary>The blobs of a tenant in listing order: (<c>contentCreated</c>, content id).</summary>
    private IEnumerable<Blob> BlobsLocked(Guid tenantId, string? contentType)
    {
        var tenant = Tenant(tenantId);
        return contentType is not null
            ? tenant.BlobList(contentType)
            : EmulatorContentTypes.All.SelectMany(tenant.BlobList).Order(Blob.ListingOrder);
    }

    private void StartLocked(Guid tenantId, string contentType, SubscriptionData sub)
    {
        var now = UtcNow;
        sub.Status = SubscriptionStatus.Enabled;
        sub.StartedAt = now;
        sub.DisabledBy = null;
        sub.FeedSince = now;
        sub.FeedEmitted = 0;
        var tenant = Tenant(tenantId);
        if (!tenant.ContentMaterialized.Add(contentType))
        {
            return;
        }

        // Stamped just before the start's whole second, so that a listing ending at "now" (end exclusive, and often
        // written in whole seconds) sees them all on its first poll.
        var later = Max(now, _startedAt);
        var baseTime = new DateTimeOffset(later.UtcTicks - (later.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        AddBacklogLocked(tenantId, contentType, baseTime);
        if (_folderBlobs.TryGetValue(contentType, out var chunks))
        {
            for (var i = 0; i < chunks.Length; i++)
            {
                var created = TruncateToMilliseconds(baseTime - (_options.FolderBlobSpacing * (chunks.Length - i)));
                AddBlobLocked(
                    tenantId, contentType, NewContentId(created, contentType), created, created, created + _options.ContentRetention,
                    new StoredBlobContent(chunks[i], tenant.TenantText));
            }
        }
    }

    /// <summary>The content type's share of <see cref="EmulatorOptions.Backlog"/> (see <see cref="BacklogOptions"/>): blob
    /// <c>i</c> of <c>n</c> is stamped <c>(n - 1 - i)</c> slots of <c>window / n</c> plus 1 ms before <paramref name="baseTime"/>,
    /// its records' <c>CreationTime</c> within the slot before that.</summary>
    private void AddBacklogLocked(Guid tenantId, string contentType, DateTimeOffset baseTime)
    {
        if (_options.Backlog is not { } backlog || SyntheticMix.Split(contentType, backlog.Records) is var total && total == 0)
        {
            return;
        }

        var size = _options.BlobSize;
        var blobs = (total + size - 1) / size;
        var slot = TimeSpan.FromTicks(backlog.Window.Ticks / blobs);
        var stream = _synthetic.StreamTag(tenantId, contentType, SyntheticSource.Backlog);
        var tenantText = Tenant(tenantId).TenantText;
        for (var i = 0L; i < blobs; i++)
        {
            var first = i * size;
            var created = TruncateToMilliseconds(baseTime - (slot * (blobs - 1 - i)) - TimeSpan.FromMilliseconds(1));
            var content = new GeneratedBlobContent(_synthetic, tenantText, contentType, stream, first, (int)Math.Min(size, total - first), created, slot);
            AddBlobLocked(tenantId, contentType, NewContentId(created, contentType), created, created, created + _options.ContentRetention, content);
        }
    }

    private string NewContentId(DateTimeOffset created, string contentType)
    {
        string id;
        do
        {
            var stamp = string.Create(CultureInfo.InvariantCulture, $"{created:yyyyMMddHHmmssfff}{NextSequence():D6}");
            id = $"{stamp}${stamp}${contentType.ToLowerInvariant().Replace('.', '_')}${EmulatorContentTypes.Underscored(contentType)}${_options.RegionSuffix}";
        }
        while (_blobs.ContainsKey(id));

        return id;
    }

    private long NextSequence() => ++_sequence % 1_000_000;

    private TenantData Tenant(Guid tenantId)
    {
        if (!_tenants.TryGetValue(tenantId, out var tenant))
        {
            tenant = new TenantData(tenantId);
            _tenants.Add(tenantId, tenant);
        }

        return tenant;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;

    private static DateTimeOffset TruncateToMilliseconds(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    private sealed class TenantData(Guid tenantId)
    {
        /// <summary>The tenant id as served in <c>OrganizationId</c>, shared by every blob of the tenant.</summary>
        public JsonEncodedText TenantText { get; } = JsonEncodedText.Encode(tenantId.ToString());

        public bool Consented { get; set; }

        public ConsentFailure? ConsentFailure { get; set; }

        public string[]? Roles { get; set; }

        public bool AuditingDisabled { get; set; }

        public AuditingOffAnswer AuditingOffAnswer { get; set; }

        public PagingBehavior? Paging { get; set; }

        public ThrottleBehavior? Throttling { get; set; }

        public long ThrottleMinute { get; set; } = long.MinValue;

        public int ThrottleCount { get; set; }

        public Dictionary<string, SubscriptionData> Subscriptions { get; } = new(StringComparer.Ordinal);

        /// <summary>Content types whose folder content and backlog were made (on the first start only).</summary>
        public HashSet<string> ContentMaterialized { get; } = new(StringComparer.Ordinal);

        /// <summary>Per content type, the blobs in listing order (see <see cref="Blob.ListingOrder"/>).</summary>
        public Dictionary<string, List<Blob>> Blobs { get; } = new(StringComparer.Ordinal);

        /// <summary>Per content type, the ordinal of the generator's next record (never reset, so feed ids never repeat).</summary>
        public Dictionary<string, long> FeedOrdinals { get; } = new(StringComparer.Ordinal);

        public List<Blob> BlobList(string contentType)
        {
            if (!Blobs.TryGetValue(contentType, out var list))
            {
                list = [];
                Blobs.Add(contentType, list);
            }

            return list;
        }

        public SubscriptionData Subscription(string contentType)
        {
            if (!Subscriptions.TryGetValue(contentType, out var sub))
            {
                sub = new SubscriptionData();
                Subscriptions.Add(contentType, sub);
            }

            return sub;
        }
    }

    private sealed class SubscriptionData
    {
        public SubscriptionStatus Status { get; set; }

        public DateTimeOffset? StartedAt { get; set; }

        public bool StuckDisabled { get; set; }

        public string? DisabledBy { get; set; }

        /// <summary>Since when the rate feed counts records due (the last start, or the end of a pause).</summary>
        public DateTimeOffset? FeedSince { get; set; }

        /// <summary>Records the rate feed added since <see cref="FeedSince"/>.</summary>
        public long FeedEmitted { get; set; }

        public SubscriptionInfo ToInfo(string contentType) => new(contentType, Status, StartedAt, StuckDisabled);
    }

    private sealed class Blob(Guid tenantId, string contentType, string contentId, DateTimeOffset created, DateTimeOffset expiration, BlobContent content)
    {
        /// <summary>Listing order: <c>contentCreated</c>, then content id (ordinal).</summary>
        public static readonly IComparer<Blob> ListingOrder = Comparer<Blob>.Create(Compare);

        public Guid TenantId { get; } = tenantId;

        public string ContentType { get; } = contentType;

        public string ContentId { get; } = contentId;

        public DateTimeOffset Created { get; } = created;

        public DateTimeOffset Expiration { get; } = expiration;

        public BlobContent Content { get; } = content;

        public DateTimeOffset VisibleAt { get; set; }

        public static int Compare(Blob? a, Blob? b)
        {
            if (a is null || b is null)
            {
                return a is null ? (b is null ? 0 : -1) : 1;
            }

            var byTime = a.Created.CompareTo(b.Created);
            return byTime != 0 ? byTime : string.CompareOrdinal(a.ContentId, b.ContentId);
        }

        public BlobInfo ToInfo() => new(TenantId, ContentType, ContentId, Created, Expiration, VisibleAt, Content.Count);
    }

    private sealed record PageToken(
        Guid TenantId, string ContentType, DateTimeOffset Start, DateTimeOffset End, DateTimeOffset Created, string ContentId, DateTimeOffset IssuedAt);
}
