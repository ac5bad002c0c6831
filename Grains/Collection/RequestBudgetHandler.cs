namespace O365Activity.Grains.Collection;

/// <summary>
/// Holds each request to the Management Activity API until its tenant's <see cref="RequestBudget"/> allows it. It sits
/// inside the resilience pipeline, so that a retry counts as the request it is. The tenant is the request option
/// <see cref="TenantKey"/>; requests without it pass at once.
/// </summary>
public sealed class RequestBudgetHandler(RequestBudget budget, CollectorMetrics? metrics = null) : DelegatingHandler
{
    /// <summary>The request option naming the tenant a request is made for.</summary>
    public static readonly HttpRequestOptionsKey<Guid> TenantKey = new("o365activity.tenant");

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(TenantKey, out var tenantId))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        using var lease = await budget.AcquireAsync(tenantId, cancellationToken).ConfigureAwait(false);
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            metrics?.Request(tenantId, 0);
            throw;
        }

        metrics?.Request(tenantId, (int)response.StatusCode);
        return response;
    }
}
