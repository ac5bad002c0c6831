using Orleans.Concurrency;
using O365Activity.Contracts.EventSources;

namespace O365Activity.Contracts;

/// <summary>
/// The event source of one Office 365 tenant, keyed by the tenant id: the single owner of its settings, consent
/// state, token, per-content-type cursors and poll loop (DESIGN.md, decision 1).
/// </summary>
[Alias("o365.ITenantGrain")]
public interface ITenantGrain : IGrainWithGuidKey
{
    /// <summary>Creates the event source, pending admin consent.</summary>
    /// <param name="settings">The settings; <see cref="EventSourceSettings.TenantId"/> must equal the grain key.</param>
    /// <returns>The new source's status, with its <see cref="EventSourceStatus.ConsentState"/>.</returns>
    /// <exception cref="EventSourceException"><see cref="EventSourceError.AlreadyExists"/> when the tenant has one; <see cref="EventSourceError.InvalidArgument"/> for bad settings.</exception>
    [Alias("Create")]
    Task<EventSourceStatus> Create(EventSourceSettings settings);

    /// <summary>Returns the source's status. Interleaves with a running poll (it only reads), so status stays responsive.</summary>
    /// <exception cref="EventSourceException"><see cref="EventSourceError.NotFound"/> when the tenant has no source.</exception>
    [Alias("GetStatus")]
    [AlwaysInterleave]
    Task<EventSourceStatus> GetStatus();

    /// <summary>
    /// Handles the admin-consent redirect: checks <c>state</c>, records a refusal, or proves consent by acquiring an
    /// app-only token and calling <c>subscriptions/list</c>, then starts the subscriptions and polling.
    /// </summary>
    /// <returns>The status after the callback: <see cref="ConnectionState.Connected"/> or <see cref="ConnectionState.Error"/> with the reason.</returns>
    /// <exception cref="EventSourceException"><see cref="EventSourceError.NotFound"/> without a source; <see cref="EventSourceError.PermissionDenied"/> when <c>state</c> does not match.</exception>
    [Alias("CompleteConsent")]
    Task<EventSourceStatus> CompleteConsent(ConsentCallback callback);

    /// <summary>Deletes the source: stops polling, drops its reminder and state. Never stops the tenant's API subscriptions (other collectors may use them).</summary>
    /// <exception cref="EventSourceException"><see cref="EventSourceError.NotFound"/> when the tenant has no source.</exception>
    [Alias("Delete")]
    Task Delete();
}

/// <summary>The list of tenants that have an event source (a single grain, key 0); tenant grains keep it current.</summary>
[Alias("o365.IEventSourceRegistryGrain")]
public interface IEventSourceRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Adds a tenant id (idempotent).</summary>
    [Alias("Add")]
    Task Add(Guid tenantId);

    /// <summary>Removes a tenant id (idempotent).</summary>
    [Alias("Remove")]
    Task Remove(Guid tenantId);

    /// <summary>All tenant ids with an event source, in ascending order.</summary>
    [Alias("List")]
    Task<ImmutableArray<Guid>> List();
}
