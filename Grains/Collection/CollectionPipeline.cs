using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using O365Activity.Grains.Normalization;
using O365Activity.Storage;

namespace O365Activity.Grains.Collection;

/// <summary>
/// Collects one content type of one source: plans listing windows from the stored cursor, lists every page, fetches
/// each blob not yet processed, normalizes its records and stores them, then moves the cursor (DESIGN.md decision 3:
/// store first, then tell). A plain class behind two seams, <see cref="IManagementActivityApi"/> and
/// <see cref="IEventStore"/>, so that it is tested without a cluster; the tenant grain calls it from its poll loop.
/// </summary>
/// <remarks>
/// <para>Commits: the records of consecutive blobs are gathered into transactions of at most
/// <see cref="CollectorOptions.CommitBatchSize"/> records; a blob is recorded as processed in the transaction that
/// stores its last record, and a window's cursor in the transaction that ends the window. So after a crash at any
/// point the next poll lists the window again, skips the blobs recorded as processed, fetches the others, and the
/// store skips the records it already holds (by <c>Id</c>): nothing is lost and nothing is stored twice. The memory
/// held is one batch, whatever the size of a blob (case R01).</para>
/// <para>Failures: a blob that fails alone (an error response other than throttling) is held back, the others carry
/// on, and the cursor stops before it so that it is listed and fetched again (case R01); a blob the API says is gone
/// (AF20050, AF20051, AF20052) is recorded as lost and never fetched again (PROTOCOL.md §7). Throttling that outlasts
/// the HTTP client's retries, token failures and event-store failures end the poll with their exception: nothing
/// after the last commit is stored, and the cursor has not moved past it.</para>
/// </remarks>
public sealed partial class CollectionPipeline(
    IManagementActivityApi api,
    IEventStore store,
    AuditRecordNormalizer normalizer,
    TimeProvider time,
    IOptions<CollectorOptions> options,
    ILogger<CollectionPipeline> logger,
    Risk.SignInRiskEvaluator? risk = null,
    CollectorMetrics? metrics = null)
{
    private readonly CollectorOptions _options = options.Value;

    /// <summary>Polls one content type once.</summary>
    /// <param name="source">The source and its stored progress; moved forward after each commit.</param>
    /// <param name="contentType">The content type.</param>
    /// <param name="health">The content type's subscription state (the AF20022/AF20023 restart is recorded here).</param>
    /// <param name="committed">Called after each commit that stored records (to tell the streams); its failures are logged, never thrown.</param>
    /// <param name="cancellationToken">Stops the poll; nothing after the last commit is stored.</param>
    /// <param name="counters">Where the poll counts what it commits (also when it then fails); a new one when null.</param>
    /// <param name="initialLookback">How far back a first listing reaches; null for <see cref="CollectorOptions.InitialLookback"/>.</param>
    /// <returns>What was stored, and the blobs held back.</returns>
    /// <exception cref="ManagementApiException">When a listing fails, or throttling outlasts the retries.</exception>
    /// <exception cref="TokenAcquisitionException">When no token can be had.</exception>
    /// <exception cref="EventStoreConflictException">When another writer committed for the source, or it was deleted.</exception>
    /// <exception cref="System.Data.Common.DbException">When the event store cannot be reached.</exception>
    public async Task<PollOutcome> PollAsync(
        SourceContext source,
        string contentType,
        ContentTypeHealth health,
        Func<CommitResult, Task> committed,
        CancellationToken cancellationToken,
        PollCounters? counters = null,
        TimeSpan? initialLookback = null)
    {
        var cursor = source.Cursor(contentType);
        var plan = ListingWindowPlanner.Plan(cursor?.ListedThrough, time.GetUtcNow(), _options.ListingOverlap, initialLookback ?? _options.InitialLookback);
        if (plan.Gap is { } gap)
        {
            LogDataGap(logger, source.TenantId, contentType, gap.Start, gap.End);
        }

        counters ??= new PollCounters();
        var batch = new Batch(source, contentType, store, risk, time, _options.CursorSaveInterval, logger, committed, counters, metrics);
        try
        {
            return await PollWindowsAsync(source, contentType, health, plan, batch, counters, cancellationToken);
        }
        catch
        {
            await batch.AbandonAsync();
            throw;
        }
    }

    private async Task<PollOutcome> PollWindowsAsync(SourceContext source, string contentType, ContentTypeHealth health, ListingPlan plan, Batch batch, PollCounters counters, CancellationToken cancellationToken)
    {
        var cursor = source.Cursor(contentType);
        string? blobError = null;
        var heldBackBlobs = 0;
        for (var w = 0; w < plan.Windows.Count; w++)
        {
            // Planned on the clock as it was; the API's Date may since have shown it runs fast (case CLK1).
            var window = plan.Windows[w];
            if (time.GetUtcNow() is var apiNow && window.End > apiNow && apiNow > window.Start)
            {
                window = window with { End = apiNow };
            }

            var listed = await ListAsync(source.TenantId, contentType, window, health, cancellationToken);
            var processed = await store.FindProcessedBlobsAsync(source.SourceId, [.. listed.Select(b => b.ContentId).Distinct(StringComparer.Ordinal)], cancellationToken);
            DateTimeOffset? heldBack = null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var blobs = listed.OrderBy(b => b.ContentCreated).Where(b => !processed.Contains(b.ContentId) && seen.Add(b.ContentId)).ToList();
            using var stopFetches = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var fetches = new List<BlobFetch>(blobs.Count);
            try
            {
                for (var b = 0; b < blobs.Count; b++)
                {
                    // Keep up to MaxConcurrentFetches blobs fetching: this one and the ones after it.
                    while (fetches.Count < Math.Min(blobs.Count, b + _options.MaxConcurrentFetches))
                    {
                        var next = blobs[fetches.Count];
                        fetches.Add(BlobFetch.Start(next, _options.FetchAheadRecords, (writer, token) => FetchAsync(source, contentType, next, writer, counters, token), stopFetches.Token));
                    }

                    var blob = blobs[b];
                    try
                    {
                        await foreach (var record in fetches[b].ReadAllAsync(cancellationToken))
                        {
                            batch.Records.Add(record);
                            if (batch.Records.Count >= _options.CommitBatchSize)
                            {
                                // A large blob is stored in parts; it counts as processed only with its last part.
                                await batch.CommitAsync(null, cancellationToken);
                            }
                        }

                        batch.Blobs.Add(new ProcessedBlob(blob.ContentId, contentType, blob.ContentCreated));
                    }
                    catch (ManagementApiException e) when (e.Code is "AF20050" or "AF20051" or "AF20052")
                    {
                        LogBlobLost(logger, source.TenantId, contentType, blob.ContentId, ApiErrorText.Explain(e));
                        batch.Blobs.Add(new ProcessedBlob(blob.ContentId, contentType, blob.ContentCreated, Lost: true));
                    }
                    catch (ManagementApiException e) when (!e.IsThrottled)
                    {
                        LogBlobFailed(logger, source.TenantId, contentType, blob.ContentId, ApiErrorText.Explain(e));
                        heldBack = heldBack is { } h && h < blob.ContentCreated ? h : blob.ContentCreated;
                        heldBackBlobs++;
                        blobError = $"{ApiErrorText.Explain(e)} (blob {blob.ContentId} is fetched again on a later poll)";
                    }
                }
            }
            finally
            {
                // No fetch outlives its poll: those still running when the poll fails are stopped and awaited.
                await stopFetches.CancelAsync();
                await Task.WhenAll(fetches.Select(f => f.Producer));
            }

            // Never past the API's now (the clock has read this listing's Date): a window planned on a local clock that
            // runs fast ends in the API's future, where content can still appear (case CLK1).
            var advanceTo = Min(heldBack is { } held ? Min(window.End, held + _options.ListingOverlap) : window.End, time.GetUtcNow());
            var listedThrough = cursor?.ListedThrough is { } old && old > advanceTo ? old : advanceTo;
            var last = w == plan.Windows.Count - 1;
            cursor = new ContentCursor(contentType, listedThrough, last && blobError is null ? time.GetUtcNow() : cursor?.PolledAt);
            await batch.CommitAsync(cursor, cancellationToken);
        }

        await batch.DrainAsync();
        return new PollOutcome(counters, heldBackBlobs, blobError) { Gap = plan.Gap };
    }

    private async Task<IReadOnlyList<ContentBlob>> ListAsync(Guid tenantId, string contentType, ListingWindow window, ContentTypeHealth health, CancellationToken cancellationToken)
    {
        IReadOnlyList<ContentBlob> blobs;
        try
        {
            blobs = await api.ListContentAsync(tenantId, contentType, window.Start, window.End, cancellationToken);
        }
        catch (ManagementApiException e) when (e.Code is "AF20022" or "AF20023" && !health.RestartSent)
        {
            // No subscription, or disabled: start it once, then list again (PROTOCOL.md §7). If it stays disabled the
            // error surfaces and later polls retry the listing with back-off, without another start (case S02).
            health.Subscribed = false;
            health.RestartSent = true;
            await api.StartSubscriptionAsync(tenantId, contentType, cancellationToken);
            health.Subscribed = true;
            blobs = await api.ListContentAsync(tenantId, contentType, window.Start, window.End, cancellationToken);
        }

        health.RestartSent = false;
        return blobs;
    }

    /// <summary>Fetches one blob and normalizes and encodes its records, on the thread pool (it touches no grain state).</summary>
    private async Task FetchAsync(SourceContext source, string contentType, ContentBlob blob, System.Threading.Channels.ChannelWriter<NewRecord> records, PollCounters counters, CancellationToken cancellationToken)
    {
        // The record's text is stored from the bytes received: the normalizer makes no UTF-16 copy of it (it still does
        // for the rare record that is not valid UTF-8, whose repaired text is stored then).
        var context = new NormalizationContext(source.TenantId, time.GetUtcNow(), contentType, source.FederatedDomains) { KeepRawJson = false };
        var index = 0;
        await foreach (var record in api.FetchContentAsync(source.TenantId, blob, cancellationToken))
        {
            index++;
            var stored = Prepare(normalizer, record, context, out var warned, out var rejected);
            if (stored is null)
            {
                LogRecordRejected(logger, source.TenantId, blob.ContentId, index, rejected!);
                counters.AddRejected();
                continue;
            }

            if (warned)
            {
                counters.AddWarning();
            }

            await records.WriteAsync(stored, cancellationToken);
        }
    }

    /// <summary>
    /// Normalizes one record of a blob and encodes it as it is stored: null (and why, in <paramref name="rejected"/>)
    /// when it is not an audit record (not a JSON object), which the pipeline counts and skips; the blob's other records
    /// are stored all the same. Throws for nothing else: a JSON object of any shape becomes a record.
    /// </summary>
    /// <param name="normalizer">The normalizer.</param>
    /// <param name="record">The record as parsed from the blob.</param>
    /// <param name="context">The normalization context (<see cref="NormalizationContext.KeepRawJson"/> false: the text is stored from the bytes received).</param>
    /// <param name="warned">True when the normalizer used a stand-in value (a warning to count).</param>
    /// <param name="rejected">Why the record was rejected; null when it was not.</param>
    internal static NewRecord? Prepare(AuditRecordNormalizer normalizer, JsonElement record, NormalizationContext context, out bool warned, out string? rejected)
    {
        NormalizedRecord normalized;
        try
        {
            normalized = normalizer.Normalize(record, context);
        }
        catch (AuditRecordFormatException e)
        {
            (warned, rejected) = (false, e.Message);
            return null;
        }

        (warned, rejected) = (normalized.Warnings.Length > 0, null);
        return normalized.Raw.RawJson.Length > 0
            ? new NewRecord(normalized.Raw, normalized.Activity)
            : new NewRecord(normalized.Raw, normalized.Activity, System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(record));
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: {ContentType} content from {From:O} to {To:O} can no longer be listed (more than 7 days old): those records are lost")]
    private static partial void LogDataGap(ILogger logger, Guid tenantId, string contentType, DateTimeOffset from, DateTimeOffset to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: {ContentType} blob {ContentId} lost: {Error}")]
    private static partial void LogBlobLost(ILogger logger, Guid tenantId, string contentType, string contentId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: {ContentType} blob {ContentId} failed and will be retried: {Error}")]
    private static partial void LogBlobFailed(ILogger logger, Guid tenantId, string contentType, string contentId, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Tenant {TenantId}: item {Index} of blob {ContentId} is not an audit record and was skipped: {Error}")]
    private static partial void LogRecordRejected(ILogger logger, Guid tenantId, string contentId, int index, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: a {ContentType} commit in flight when the poll failed also failed")]
    private static partial void LogCommitAbandoned(ILogger logger, Exception exception, Guid tenantId, string contentType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: telling the streams about sequences {First}-{Last} failed (subscribers catch up from the store)")]
    private static partial void LogNoticeFailed(ILogger logger, Exception exception, Guid tenantId, long first, long last);

    /// <summary>
    /// The records and blobs gathered for the next commit of one poll. At most one commit is in flight: while the
    /// store writes a batch, the pipeline fetches and normalizes the next one (the next commit waits for it, since it
    /// numbers its records after the last one stored).
    /// </summary>
    private sealed class Batch(SourceContext source, string contentType, IEventStore store, Risk.SignInRiskEvaluator? risk, TimeProvider time, TimeSpan cursorSaveInterval, ILogger logger, Func<CommitResult, Task> committed, PollCounters counters, CollectorMetrics? metrics)
    {
        private Task? _inFlight;

        public List<NewRecord> Records { get; private set; } = [];

        public List<ProcessedBlob> Blobs { get; private set; } = [];

        /// <summary>Starts committing what is gathered (with <paramref name="cursor"/>, if any) once the previous commit is done.</summary>
        public async Task CommitAsync(ContentCursor? cursor, CancellationToken cancellationToken)
        {
            await DrainAsync();
            if (Records.Count == 0 && Blobs.Count == 0 && (cursor is null || cursor == source.Cursor(contentType)))
            {
                return;
            }

            var now = time.GetUtcNow();
            if (Records.Count == 0 && Blobs.Count == 0 && source.CursorSavedWithin(contentType, now, cursorSaveInterval))
            {
                // An idle poll: the cursor moves in memory; the database hears of it at the next save.
                source.SetCursor(cursor!, savedAt: null);
                return;
            }

            var request = new CommitRequest
            {
                SourceId = source.SourceId,
                TenantId = source.TenantId,
                ExpectedLastSequence = source.LastSequence,
                Records = Records,
                Blobs = Blobs,
                Cursor = cursor,
                StoredAt = now,
            };
            Records = [];
            Blobs = [];
            _inFlight = CompleteAsync(request, cancellationToken);
        }

        /// <summary>Waits for the commit in flight; its failure is thrown here.</summary>
        public async Task DrainAsync()
        {
            if (_inFlight is { } commit)
            {
                _inFlight = null;
                await commit;
            }
        }

        /// <summary>Waits for the commit in flight after a failure elsewhere; its own failure is logged, not thrown.</summary>
        public async Task AbandonAsync()
        {
            try
            {
                await DrainAsync();
            }
            catch (Exception e)
            {
                LogCommitAbandoned(logger, e, source.TenantId, contentType);
            }
        }

        private async Task CompleteAsync(CommitRequest request, CancellationToken cancellationToken)
        {
            CommitResult result;
            try
            {
                if (risk is not null)
                {
                    // The sign-ins' risk flags, from the profiles as the previous commit left them (this one waited for it).
                    var (records, profiles) = await risk.EvaluateAsync(store, request.SourceId, request.ExpectedLastSequence, request.Records, cancellationToken);
                    request = request with { Records = records, Profiles = profiles };
                }

                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                try
                {
                    result = await store.CommitAsync(request, cancellationToken);
                }
                catch
                {
                    metrics?.CommitFailed(request.TenantId, System.Diagnostics.Stopwatch.GetElapsedTime(started));
                    throw;
                }

                metrics?.Committed(request.TenantId, contentType, request.Records.Count, result, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            }
            catch
            {
                risk?.Forget(request.SourceId);
                throw;
            }

            risk?.Committed(request.SourceId, result.LastSequence);
            source.LastSequence = result.LastSequence;
            if (request.Cursor is { } cursor)
            {
                source.SetCursor(cursor, request.StoredAt);
            }

            counters.AddCommit(
                request.Blobs.Count,
                request.Blobs.Count > 0 ? request.Blobs.Max(b => b.ContentCreated) : null,
                result,
                request.Records.Count > 0 ? request.Records.Max(r => r.EventTime) : null);
            if (result.Stored > 0)
            {
                try
                {
                    await committed(result);
                }
                catch (Exception e)
                {
                    LogNoticeFailed(logger, e, source.TenantId, result.FirstSequence, result.LastSequence);
                }
            }
        }
    }
}
