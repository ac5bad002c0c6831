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
    /// Handles the admin-consent redirect (PROTOCOL.md §2): checks <c>state</c> (current, unexpired, unused), then
    /// <c>error</c> before anything else (Entra sends <c>admin_consent=True</c> with errors too) and records a refusal
    /// (the source stays pending, with a fresh consent URL), or proves consent by acquiring an app-only token and
    /// calling <c>subscriptions/list</c>, then starts the subscriptions and polling. The <c>state</c> is spent by the call.
    /// </summary>
    /// <returns>Whether consent was granted and verified, a sentence for the administrator's browser, and the status.</returns>
    /// <exception cref="EventSourceException"><see cref="EventSourceError.PermissionDenied"/> when <c>state</c> is not the
    /// source's (or there is no source): nothing changes; <see cref="EventSourceError.FailedPrecondition"/> when it is the
    /// source's but expired or used already: nothing changes, and the message says so in plain language.</exception>
    [Alias("CompleteConsent")]
    Task<ConsentResult> CompleteConsent(ConsentCallback callback);

    /// <summary>
    /// Issues a fresh admin-consent <c>state</c> (and so URL), valid for <c>Collector:ConsentStateLifetime</c>; the
    /// previous one stops working. Also for a connected source whose consent must be granted again (revoked).
    /// </summary>
    /// <returns>The status, with the new <see cref="EventSourceStatus.ConsentState"/>.</returns>
    /// <exception cref="EventSourceException"><see cref="EventSourceError.NotFound"/> when the tenant has no source.</exception>
    [Alias("RenewConsent")]
    Task<EventSourceStatus> RenewConsent();

    /// <summary>
    /// Changes the source's settings (see <see cref="EventSourceUpdate"/>): checked as at creation, stored, and applied
    /// from the next poll on (a shorter poll interval at once).
    /// </summary>
    /// <returns>The status with the new settings.</returns>
    /// <exception cref="EventSourceException"><see cref="EventSourceError.NotFound"/> when the tenant has no source;
    /// <see cref="EventSourceError.InvalidArgument"/> for a value out of bounds, saying which.</exception>
    [Alias("Update")]
    Task<EventSourceStatus> Update(EventSourceUpdate update);

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
