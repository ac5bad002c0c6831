using System.Collections.Concurrent;

namespace O365Activity.Contracts.Telemetry;

/// <summary>
/// The names of the service's own OpenTelemetry meters and activity sources (all under <see cref="Prefix"/>), and the
/// tenant tag that its metrics carry, built once per tenant so that recording a measurement allocates nothing.
/// </summary>
public static class TelemetryNames
{
    /// <summary>The prefix of every meter and activity source of the service: <c>O365Activity</c> (subscribe to <c>O365Activity.*</c>).</summary>
    public const string Prefix = "O365Activity";

    /// <summary>The silo's collection: the meter and the activity source (<c>poll</c> activities) of the collector.</summary>
    public const string Collector = "O365Activity.Collector";

    /// <summary>The gateway's meter (stream subscribers).</summary>
    public const string Gateway = "O365Activity.Gateway";

    /// <summary>The tag naming the tenant: its id, lower-case with hyphens (<c>D</c> format).</summary>
    public const string TenantTag = "tenant.id";

    private static readonly ConcurrentDictionary<Guid, KeyValuePair<string, object?>> Tenants = new();

    /// <summary>The <see cref="TenantTag"/> of a tenant, made on first use and reused after (its string is boxed once).</summary>
    public static KeyValuePair<string, object?> Tenant(Guid tenantId) =>
        Tenants.TryGetValue(tenantId, out var tag) ? tag : Tenants.GetOrAdd(tenantId, static id => new(TenantTag, id.ToString()));

    /// <summary>Drops a tenant's cached tag (its source was deleted); a later use makes it again.</summary>
    public static void Forget(Guid tenantId) => Tenants.TryRemove(tenantId, out _);
}
