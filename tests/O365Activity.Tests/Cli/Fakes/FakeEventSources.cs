using Grpc.Core;
using O365Activity.Protos.V1;

namespace O365Activity.Tests.Cli.Fakes;

/// <summary>
/// An <c>EventSources</c> service that knows one source, as given (the real one refuses some names, and its consent URLs
/// expire only after an hour); <c>RenewConsentUrl</c> answers it with <see cref="RenewedUrl"/>, valid until 2099.
/// </summary>
public sealed class FakeEventSources(EventSource source) : EventSources.EventSourcesBase
{
    public const string RenewedUrl = "https://login.example.com/adminconsent?state=renewed";

    private int _renewals;

    /// <summary>How many times <c>RenewConsentUrl</c> was called.</summary>
    public int Renewals => _renewals;

    public override Task<EventSource> RenewConsentUrl(RenewConsentUrlRequest request, ServerCallContext context)
    {
        Interlocked.Increment(ref _renewals);
        var renewed = source.Clone();
        renewed.AdminConsentUrl = RenewedUrl;
        renewed.AdminConsentUrlExpiresAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero));
        return Task.FromResult(renewed);
    }

    public override Task<ListEventSourcesResponse> ListEventSources(ListEventSourcesRequest request, ServerCallContext context) =>
        Task.FromResult(new ListEventSourcesResponse { EventSources = { source } });

    public override Task<EventSource> GetEventSource(GetEventSourceRequest request, ServerCallContext context) =>
        request.TenantId == source.TenantId ? Task.FromResult(source) : throw new RpcException(new Status(StatusCode.NotFound, $"no event source for tenant {request.TenantId}"));
}
