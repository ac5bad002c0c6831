using System.Text.Json;

namespace O365Activity.Grains.Collection;

/// <summary>
/// The Office 365 Management Activity API as the collection needs it (PROTOCOL.md §3–§7): the seam between the
/// collection pipeline and HTTP. <see cref="ManagementApiClient"/> is the implementation; tests can put a fake here.
/// Every method is scoped to one tenant and may throw <see cref="ManagementApiException"/> (an error response) or
/// <see cref="TokenAcquisitionException"/> (no token).
/// </summary>
public interface IManagementActivityApi
{
    /// <summary>Lists the tenant's subscriptions (<c>GET subscriptions/list</c>).</summary>
    Task<IReadOnlyList<SubscriptionInfo>> ListSubscriptionsAsync(Guid tenantId, CancellationToken cancellationToken);

    /// <summary>Starts the subscription to a content type (<c>POST subscriptions/start</c>); "already enabled" (AF20024) is success.</summary>
    Task StartSubscriptionAsync(Guid tenantId, string contentType, CancellationToken cancellationToken);

    /// <summary>Lists every content blob of one window of at most 24 hours, following every next-page link.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="contentType">The content type.</param>
    /// <param name="start">Window start (UTC), inclusive.</param>
    /// <param name="end">Window end (UTC).</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    Task<IReadOnlyList<ContentBlob>> ListContentAsync(Guid tenantId, string contentType, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken);

    /// <summary>Fetches a blob and yields its audit records (JSON objects) one by one, in order, as they are parsed.</summary>
    /// <remarks>
    /// Each element may be valid only until the next <c>MoveNextAsync</c> of the enumerator (or its disposal): an
    /// implementation may parse into pooled documents and reuse them. Keep <see cref="JsonElement.Clone"/> of a record,
    /// or what was read from it, to use it later.
    /// </remarks>
    IAsyncEnumerable<JsonElement> FetchContentAsync(Guid tenantId, ContentBlob blob, CancellationToken cancellationToken);
}
