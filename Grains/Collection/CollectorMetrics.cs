using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using O365Activity.Contracts.Telemetry;
using O365Activity.Storage;

namespace O365Activity.Grains.Collection;

/// <summary>
/// The collector's metrics (meter <see cref="TelemetryNames.Collector"/>) and its activity source (one <c>poll</c>
/// activity per poll cycle of a tenant, the root of its trace, under which the HTTP requests and the database commands
/// nest). Every measurement carries the tenant (<see cref="TelemetryNames.TenantTag"/>, built once per tenant); counts
/// are added once per commit, per request or per wait, never per record. Thread-safe.
/// </summary>
/// <remarks>
/// Instruments (units in UCUM): <c>o365activity.collector.lag</c> (gauge, s; tags tenant, <c>content_type</c>: now
/// minus the newest record's time); <c>o365activity.collector.records</c> (counter, {record}; tenant,
/// <c>content_type</c>: records read from blobs and handed to the store, duplicates included);
/// <c>o365activity.collector.events</c> (counter, {event}; tenant, <c>kind</c> <c>ingress</c>/<c>admin</c>/<c>raw</c>:
/// records stored, by what they became); <c>o365activity.api.requests</c> (counter, {request}; tenant,
/// <c>http.response.status_code</c>, 0 without a response: every attempt, retries included);
/// <c>o365activity.api.errors</c> (counter, {error}; tenant, <c>http.response.status_code</c>, <c>error.code</c>: the
/// AF code, or <c>http</c>, <c>connection</c>, <c>timeout</c>: each failed call after its retries);
/// <c>o365activity.api.throttle.waits</c> (counter, {wait}) and <c>o365activity.api.throttle.wait_time</c> (counter, s)
/// (tenant, <c>reason</c>: <c>budget</c> for the request budget, <c>retry_after</c> for an HTTP 429 retried);
/// <c>o365activity.token.refreshes</c> (counter, {token}; tenant, <c>outcome</c> <c>success</c>/<c>failure</c>: tokens
/// asked of Entra, not those served from a cache); <c>o365activity.store.commit.duration</c> (histogram, s; tenant:
/// each event-store commit, PostgreSQL's transaction).
/// </remarks>
public sealed class CollectorMetrics : IDisposable
{
    /// <summary>The activity source of the poll cycles (<see cref="TelemetryNames.Collector"/>).</summary>
    public static readonly ActivitySource Source = new(TelemetryNames.Collector);

    private static readonly KeyValuePair<string, object?> Ingress = new("kind", "ingress");
    private static readonly KeyValuePair<string, object?> Admin = new("kind", "admin");
    private static readonly KeyValuePair<string, object?> Raw = new("kind", "raw");
    private static readonly KeyValuePair<string, object?> Success = new("outcome", "success");
    private static readonly KeyValuePair<string, object?> Failure = new("outcome", "failure");
    private static readonly ConcurrentDictionary<string, KeyValuePair<string, object?>> ContentTypes = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<int, KeyValuePair<string, object?>> StatusCodes = new();

    private readonly Meter _meter;
    private readonly TimeProvider _time;
    private readonly Counter<long> _records;
    private readonly Counter<long> _events;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _throttleWaits;
    private readonly Counter<double> _throttleWaitTime;
    private readonly Counter<long> _tokens;
    private readonly Histogram<double> _commitDuration;
    private readonly ConcurrentDictionary<(Guid Tenant, string ContentType), long> _newestRecord = new();

    /// <summary>Creates the instruments on a meter of <paramref name="meters"/> (a meter of its own when null).</summary>
    /// <param name="meters">The host's meter factory.</param>
    /// <param name="time">The clock the lag is measured on; the system clock when null.</param>
    public CollectorMetrics(IMeterFactory? meters = null, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _meter = meters?.Create(TelemetryNames.Collector) ?? new Meter(TelemetryNames.Collector);
        _records = _meter.CreateCounter<long>("o365activity.collector.records", "{record}", "Audit records read from blobs and handed to the event store (duplicates included).");
        _events = _meter.CreateCounter<long>("o365activity.collector.events", "{event}", "Records stored, by kind: ingress, admin, raw (neither).");
        _requests = _meter.CreateCounter<long>("o365activity.api.requests", "{request}", "Requests sent to the Management Activity API (each attempt), by HTTP status (0: no response).");
        _errors = _meter.CreateCounter<long>("o365activity.api.errors", "{error}", "Failed Management Activity API calls (after retries), by HTTP status and AF error code.");
        _throttleWaits = _meter.CreateCounter<long>("o365activity.api.throttle.waits", "{wait}", "Requests that waited: for the tenant's request budget, or for an HTTP 429's Retry-After.");
        _throttleWaitTime = _meter.CreateCounter<double>("o365activity.api.throttle.wait_time", "s", "Time requests waited for the request budget or a Retry-After.");
        _tokens = _meter.CreateCounter<long>("o365activity.token.refreshes", "{token}", "App-only tokens asked of Entra (not served from a cache), by outcome.");
        _commitDuration = _meter.CreateHistogram<double>("o365activity.store.commit.duration", "s", "Duration of each event-store commit (one PostgreSQL transaction).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        _meter.CreateObservableGauge("o365activity.collector.lag", ObserveLag, "s", "Now minus the newest record's time, per tenant and content type (grows while a content type is quiet).");
    }

    /// <summary>Starts the activity of one poll cycle of a tenant, as the root of a new trace; null when nobody listens.</summary>
    public static Activity? StartPoll(Guid tenantId)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        // A poll is one trace of its own, whatever call (a timer's grain call) started it.
        var caller = Activity.Current;
        Activity.Current = null;
        var activity = Source.StartActivity("poll", ActivityKind.Internal, parentContext: default, tags: [TelemetryNames.Tenant(tenantId)]);
        if (activity is null)
        {
            Activity.Current = caller;
        }

        return activity;
    }

    /// <summary>Counts one commit: the records it was handed and those stored by kind.</summary>
    public void Committed(Guid tenantId, string contentType, int records, CommitResult result, TimeSpan duration)
    {
        var tenant = TelemetryNames.Tenant(tenantId);
        _commitDuration.Record(duration.TotalSeconds, tenant);
        if (records > 0)
        {
            _records.Add(records, tenant, ContentType(contentType));
        }

        if (result.IngressStored > 0)
        {
            _events.Add(result.IngressStored, tenant, Ingress);
        }

        if (result.AdminStored > 0)
        {
            _events.Add(result.AdminStored, tenant, Admin);
        }

        if (result.RawStored > 0)
        {
            _events.Add(result.RawStored, tenant, Raw);
        }
    }

    /// <summary>Records how long a commit that failed took.</summary>
    public void CommitFailed(Guid tenantId, TimeSpan duration) => _commitDuration.Record(duration.TotalSeconds, TelemetryNames.Tenant(tenantId), new("error.type", "failed"));

    /// <summary>Counts one attempt at an API request; <paramref name="status"/> 0 when no response came.</summary>
    public void Request(Guid tenantId, int status) => _requests.Add(1, TelemetryNames.Tenant(tenantId), StatusCode(status));

    /// <summary>Counts one failed API call: its HTTP status (0: none) and its error code (an AF code, or a kind of failure).</summary>
    public void Error(Guid tenantId, int status, string code) => _errors.Add(1, TelemetryNames.Tenant(tenantId), StatusCode(status), new("error.code", code));

    /// <summary>Counts one wait before a request, and its length.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="wait">How long it waited.</param>
    /// <param name="reason"><c>budget</c> or <c>retry_after</c>.</param>
    public void ThrottleWait(Guid tenantId, TimeSpan wait, string reason)
    {
        var tenant = TelemetryNames.Tenant(tenantId);
        var why = new KeyValuePair<string, object?>("reason", reason);
        _throttleWaits.Add(1, tenant, why);
        _throttleWaitTime.Add(wait.TotalSeconds, tenant, why);
    }

    /// <summary>Counts a token asked of Entra.</summary>
    public void TokenRefreshed(Guid tenantId, bool succeeded) => _tokens.Add(1, TelemetryNames.Tenant(tenantId), succeeded ? Success : Failure);

    /// <summary>Sets the newest record time of a tenant's content type (what its lag is measured from); null leaves it unknown.</summary>
    public void NewestRecord(Guid tenantId, string contentType, DateTimeOffset? newest)
    {
        if (newest is { } time)
        {
            _newestRecord[(tenantId, contentType)] = time.UtcTicks;
        }
    }

    /// <summary>Stops reporting a tenant's lag (its grain left this silo, or its source was deleted).</summary>
    public void Forget(Guid tenantId)
    {
        foreach (var key in _newestRecord.Keys)
        {
            if (key.Tenant == tenantId)
            {
                _newestRecord.TryRemove(key, out _);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<double>> ObserveLag()
    {
        var now = _time.GetUtcNow().UtcTicks;
        foreach (var ((tenant, contentType), newest) in _newestRecord)
        {
            yield return new Measurement<double>(Math.Max(0, TimeSpan.FromTicks(now - newest).TotalSeconds), TelemetryNames.Tenant(tenant), ContentType(contentType));
        }
    }

    private static KeyValuePair<string, object?> ContentType(string contentType) =>
        ContentTypes.TryGetValue(contentType, out var tag) ? tag : ContentTypes.GetOrAdd(contentType, static c => new("content_type", c));

    private static KeyValuePair<string, object?> StatusCode(int status) =>
        StatusCodes.TryGetValue(status, out var tag) ? tag : StatusCodes.GetOrAdd(status, static s => new("http.response.status_code", s));
}
