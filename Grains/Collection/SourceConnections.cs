using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using O365Activity.Contracts;

namespace O365Activity.Grains.Collection;

/// <summary>How the service reaches one tenant: its cloud (token authority, API host, scope) and the application credential it uses.</summary>
/// <param name="Cloud">The tenant's cloud (PROTOCOL.md §1).</param>
/// <param name="Credential">The name of the credential (<see cref="CollectorOptions.Credentials"/>; <c>default</c> for the top-level one).</param>
public sealed record SourceConnection(CloudName Cloud, string Credential)
{
    /// <summary>The cloud's hosts and scope.</summary>
    public CloudEndpoints Endpoints { get; } = CloudEndpoints.For(Cloud);
}

/// <summary>
/// Each tenant's <see cref="SourceConnection"/> on this silo, set by its tenant grain from the event source's settings
/// (on activation, creation and update) and read by the token provider and the API client for every request of that
/// tenant. A tenant not set uses <c>Collector:Cloud</c> and the default credential. Thread-safe.
/// </summary>
public sealed class SourceConnections(IOptions<CollectorOptions> options)
{
    private readonly ConcurrentDictionary<Guid, SourceConnection> _connections = new();

    /// <summary>The connection of tenants whose source names no cloud or credential.</summary>
    public SourceConnection Default { get; } = new(options.Value.Cloud, CollectorOptions.DefaultCredential);

    /// <summary>Sets a tenant's connection; null values mean the service's defaults.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="cloud">Its cloud, or null for <c>Collector:Cloud</c>.</param>
    /// <param name="credential">Its credential's name, or null for the default.</param>
    /// <returns>True when it changed (the tenant's cached token is then of no use).</returns>
    public bool Set(Guid tenantId, CloudName? cloud, string? credential)
    {
        var connection = new SourceConnection(cloud ?? Default.Cloud, string.IsNullOrEmpty(credential) ? CollectorOptions.DefaultCredential : credential.ToLowerInvariant());
        if (connection == Default)
        {
            return _connections.TryRemove(tenantId, out _);
        }

        var previous = _connections.GetValueOrDefault(tenantId) ?? Default;
        _connections[tenantId] = connection;
        return previous != connection;
    }

    /// <summary>Forgets a tenant (its source was deleted, or its grain deactivated).</summary>
    public void Remove(Guid tenantId) => _connections.TryRemove(tenantId, out _);

    /// <summary>The tenant's connection.</summary>
    public SourceConnection For(Guid tenantId) => _connections.GetValueOrDefault(tenantId) ?? Default;
}
