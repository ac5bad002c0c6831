using System.Diagnostics.Metrics;
using O365Activity.Contracts.Telemetry;

namespace O365Activity.Gateway.Operability;

/// <summary>
/// The gateway's metrics (meter <see cref="TelemetryNames.Gateway"/>): <c>o365activity.gateway.subscribers</c>, an
/// up-down counter of the open <c>Activity</c> streams ({stream}), tagged with the tenant
/// (<see cref="TelemetryNames.TenantTag"/>) and <c>stream</c> (<c>ingress</c>, <c>admin</c>, <c>raw</c>). Thread-safe.
/// </summary>
public sealed class GatewayMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly UpDownCounter<long> _subscribers;

    /// <summary>Creates the instruments on a meter of <paramref name="meters"/>.</summary>
    public GatewayMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(TelemetryNames.Gateway);
        _subscribers = _meter.CreateUpDownCounter<long>("o365activity.gateway.subscribers", "{stream}", "Open Activity streams, per tenant and stream.");
    }

    /// <summary>A stream of the tenant opened (its position is fixed).</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="stream"><c>ingress</c>, <c>admin</c> or <c>raw</c>.</param>
    public void StreamOpened(Guid tenantId, string stream) => _subscribers.Add(1, TelemetryNames.Tenant(tenantId), new("stream", stream));

    /// <summary>A stream counted by <see cref="StreamOpened"/> ended.</summary>
    public void StreamClosed(Guid tenantId, string stream) => _subscribers.Add(-1, TelemetryNames.Tenant(tenantId), new("stream", stream));

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
