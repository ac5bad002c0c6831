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
    /// <returns>The status after the callback: <see cref="ConnectionState.Connecting"/> (or later states) once consent is verified, or <see cref="ConnectionState.Failed"/> with the reason.</returns>
    /// <exception cref="EventSourceException"><see cref="EventSourceError.NotFound"/> without a source; <see cref="EventSourceError.PermissionDenied"/> when <c>state</c> does not match.</exception>
    [Alias("CompleteConsent")]
    Task<EventSourceStatus> CompleteConsent(ConsentCallback callback);

    /// <summary>
    /// Deletes the source: stops a running poll, drops its reminder, state and registry entry (its stored events are
    /// removed by the retention job), and tells its notice stream, whose subscribers end with <c>NOT_FOUND</c>. Runs
    /// interleaved with a poll in progress, so that it never waits for a long backlog. Never stops the tenant's API
    /// subscriptions (other collectors may use them).
    /// </summary>
    /// <exception cref="EventSourceException"><see cref="EventSourceError.NotFound"/> when the tenant has no source.</exception>
    [Alias("Delete")]
    [AlwaysInterleave]
    Task Delete();

    /// <summary>
    /// Makes sure the grain is active and, if the source is connected, polling: called for tenants whose grain's silo
    /// died or stopped (failover), so that collection resumes without waiting for the keep-alive reminder.
    /// </summary>
    [Alias("Wake")]
    Task Wake();
}
