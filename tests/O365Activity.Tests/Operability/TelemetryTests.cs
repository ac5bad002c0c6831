using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;
using O365Activity.Contracts.Telemetry;
using O365Activity.Emulator;
using O365Activity.Protos.V1;
using Activity = System.Diagnostics.Activity;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.Operability;

/// <summary>
/// The service's own metrics and traces, read in process with a <see cref="MeterListener"/> and an
/// <see cref="ActivityListener"/> (what an OpenTelemetry SDK would export): each measurement carries its tenant.
/// </summary>
[Collection(ServiceCollection.Name)]
public sealed class TelemetryTests(ServiceFixture service) : IDisposable
{
    private const string Aad = "Audit.AzureActiveDirectory";
    private readonly Recorder _recorder = new();

    [Fact]
    public async Task APoll_IsOneTrace_WithTheHttpRequestsUnderIt_AndCountsRecordsAndEventsByKindForItsTenant()
    {
        var tenant = Guid.NewGuid();
        service.Emulator.State.GrantConsent(tenant);
        service.Emulator.State.AddBlob(tenant, [TestRecords.SignIn(1), TestRecords.SignIn(2), TestRecords.AdminChange(3), TestRecords.FileAccess(4)],
            new BlobOptions { ContentType = Aad, ContentCreated = DateTimeOffset.UtcNow.AddMinutes(-30) });
        var sources = new EventSources.EventSourcesClient(service.Channel);

        await TestSources.CreateConnectedAsync(sources, tenant, unfiltered: true, Aad);
        await TestSources.WaitForSequenceAsync(sources, tenant, 4, TimeSpan.FromSeconds(30));

        // Records and events: counted per commit, with the tenant's tag.
        Assert.Equal(4, _recorder.Sum("o365activity.collector.records", tenant));
        Assert.Equal(2, _recorder.Sum("o365activity.collector.events", tenant, ("kind", "ingress")));
        Assert.Equal(1, _recorder.Sum("o365activity.collector.events", tenant, ("kind", "admin")));
        Assert.Equal(1, _recorder.Sum("o365activity.collector.events", tenant, ("kind", "raw")));
        Assert.NotEmpty(_recorder.Of("o365activity.store.commit.duration", tenant));
        Assert.All(_recorder.Of("o365activity.store.commit.duration", tenant), m => Assert.InRange(m.Value, 0, 60));
        Assert.True(_recorder.Sum("o365activity.api.requests", tenant, ("http.response.status_code", 200)) >= 2, "the listing and the blob fetch, at least");
        Assert.True(_recorder.Sum("o365activity.token.refreshes", tenant, ("outcome", "success")) >= 1);
        Assert.Equal(0, _recorder.Sum("o365activity.api.errors", tenant));

        // Lag: observed when asked, per content type, from the newest record's time (2024: long ago).
        _recorder.Observe();
        var lag = Assert.Single(_recorder.Of("o365activity.collector.lag", tenant), m => Equals(m.Tags.GetValueOrDefault("content_type"), Aad));
        Assert.True(lag.Value > TimeSpan.FromDays(30).TotalSeconds, $"lag {lag.Value} s");

        // Traces: each poll is a root activity with the tenant's tag, and the API's requests are in its trace.
        var polls = _recorder.Activities.Where(a => a.Source.Name == TelemetryNames.Collector && a.OperationName == "poll"
            && Equals(a.GetTagItem(TelemetryNames.TenantTag), tenant.ToString())).ToList();
        Assert.NotEmpty(polls);
        Assert.All(polls, p => Assert.Equal(default, p.ParentSpanId));
        var http = _recorder.Activities.Where(a => a.Source.Name == "System.Net.Http").ToList();
        var collecting = polls.FirstOrDefault(p => http.Any(h => h.TraceId == p.TraceId && h.DisplayName.StartsWith("GET", StringComparison.Ordinal)));
        Assert.NotNull(collecting);
        Assert.All(http.Where(h => h.TraceId == collecting.TraceId), h => Assert.NotEqual(default, h.ParentSpanId));
        Assert.Contains(http, h => h.TraceId == collecting.TraceId && h.ParentSpanId == collecting.SpanId);
    }

    [Fact]
    public async Task AnApiError_IsCountedWithItsAfCodeAndHttpStatus()
    {
        var tenant = Guid.NewGuid();
        using var fault = await FailingSource.FailedAsync(service, tenant);

        Assert.True(_recorder.Sum("o365activity.api.errors", tenant, ("error.code", "AF10001"), ("http.response.status_code", 403)) >= 1);
        Assert.True(_recorder.Sum("o365activity.api.requests", tenant, ("http.response.status_code", 403)) >= 1);
        Assert.Equal(0, _recorder.Sum("o365activity.collector.records", tenant));
    }

    [Fact]
    public async Task StreamSubscribers_GoUpWithEachOpenStream_AndDownWhenItEnds()
    {
        var tenant = Guid.NewGuid();
        service.Emulator.State.GrantConsent(tenant);
        var sources = new EventSources.EventSourcesClient(service.Channel);
        await TestSources.CreateConnectedAsync(sources, tenant, unfiltered: true, Aad);
        var activity = new O365Activity.Protos.V1.Activity.ActivityClient(service.Channel);

        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        using var ingress = activity.StreamIngress(new StreamRequest { TenantId = tenant.ToString() }, cancellationToken: first.Token);
        using var admin = activity.StreamAdmin(new StreamRequest { TenantId = tenant.ToString() }, cancellationToken: second.Token);
        await ingress.ResponseHeadersAsync;
        await admin.ResponseHeadersAsync;
        Assert.Equal(1, _recorder.Sum("o365activity.gateway.subscribers", tenant, ("stream", "ingress")));
        Assert.Equal(1, _recorder.Sum("o365activity.gateway.subscribers", tenant, ("stream", "admin")));

        await first.CancelAsync();
        await Assert.ThrowsAsync<RpcException>(() => ingress.ResponseStream.MoveNext(CancellationToken.None));
        await WaitUntilAsync(() => _recorder.Sum("o365activity.gateway.subscribers", tenant, ("stream", "ingress")) == 0);
        Assert.Equal(1, _recorder.Sum("o365activity.gateway.subscribers", tenant, ("stream", "admin")));

        await second.CancelAsync();
        await WaitUntilAsync(() => _recorder.Sum("o365activity.gateway.subscribers", tenant) == 0);
    }

    public void Dispose() => _recorder.Dispose();

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(15);
        while (!condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "the condition did not hold within 15 seconds");
            await Task.Delay(20);
        }
    }

    /// <summary>Every measurement of the service's instruments and every activity of its source and of HttpClient, while it lives.</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _meters = new();
        private readonly ActivityListener _activities;
        private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();
        private readonly ConcurrentQueue<Activity> _stopped = new();

        public Recorder()
        {
            _meters.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name.StartsWith(TelemetryNames.Prefix + ".", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _meters.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
            _meters.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
            _meters.Start();
            _activities = new ActivityListener
            {
                ShouldListenTo = s => s.Name is TelemetryNames.Collector or "System.Net.Http",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _stopped.Enqueue,
            };
            ActivitySource.AddActivityListener(_activities);
        }

        public IReadOnlyList<Activity> Activities => [.. _stopped];

        public void Observe() => _meters.RecordObservableInstruments();

        public IEnumerable<(string Instrument, double Value, Dictionary<string, object?> Tags)> Of(string instrument, Guid tenant, params (string Key, object Value)[] tags) =>
            _measurements.Where(m => m.Instrument == instrument && Equals(m.Tags.GetValueOrDefault(TelemetryNames.TenantTag), tenant.ToString())
                && tags.All(t => Equals(m.Tags.GetValueOrDefault(t.Key), t.Value)));

        public double Sum(string instrument, Guid tenant, params (string Key, object Value)[] tags) => Of(instrument, tenant, tags).Sum(m => m.Value);

        public void Dispose()
        {
            _meters.Dispose();
            _activities.Dispose();
        }

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, object?>(tags.Length);
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            _measurements.Enqueue((instrument.Name, value, copy));
        }
    }
}
