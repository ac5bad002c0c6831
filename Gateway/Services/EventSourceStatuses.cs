using O365Activity.Contracts;
using O365Activity.Contracts.EventSources;
using O365Activity.Storage;
using Proto = O365Activity.Protos.V1;

namespace O365Activity.Gateway.Services;

/// <summary>
/// Event sources' statuses as their gRPC messages, read from the tenant grains (the sources from the event store's list):
/// what <c>GetEventSource</c> and <c>ListEventSources</c> answer, and what the status page shows.
/// </summary>
public sealed class EventSourceStatuses(IGrainFactory grains, IEventStore store, ConsentUrlBuilder consentUrls)
{
    /// <summary>Every event source's status, in the event store's order; a source deleted while the list is read is left out.</summary>
    /// <param name="cancellationToken">Stops the listing.</param>
    /// <param name="visible">Which tenants to include (a caller's scope); null for all.</param>
    /// <exception cref="EventSourceException">From the grains, for a failure other than a source deleted meanwhile.</exception>
    public async Task<Proto.ListEventSourcesResponse> ListAsync(CancellationToken cancellationToken, Func<Guid, bool>? visible = null)
    {
        var response = new Proto.ListEventSourcesResponse();
        foreach (var source in await store.ListSourcesAsync(cancellationToken))
        {
            if ((visible is null || visible(source.TenantId)) && await GetOrNullAsync(source.TenantId) is { } status)
            {
                response.EventSources.Add(status);
            }
        }

        return response;
    }

    /// <summary>One tenant's event source.</summary>
    /// <exception cref="EventSourceException"><see cref="EventSourceError.NotFound"/> when the tenant has none.</exception>
    public async Task<Proto.EventSource> GetAsync(Guid tenantId) => Map(await grains.GetGrain<ITenantGrain>(tenantId).GetStatus());

    /// <summary>One tenant's event source; null when the tenant has none.</summary>
    public async Task<Proto.EventSource?> GetOrNullAsync(Guid tenantId)
    {
        try
        {
            return await GetAsync(tenantId);
        }
        catch (EventSourceException e) when (e.Error == EventSourceError.NotFound)
        {
            return null;
        }
    }

    /// <summary>A status as its message, with the admin-consent URL (built from the status's consent state) while consent is pending.</summary>
    public Proto.EventSource Map(EventSourceStatus status) =>
        ProtoMapper.ToProto(status, status.ConsentState is { } state ? consentUrls.Build(status.Settings.TenantId, state, status.ClientId, status.Cloud) : null);
}
