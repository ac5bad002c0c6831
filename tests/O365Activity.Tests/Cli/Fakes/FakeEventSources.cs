using Grpc.Core;
using O365Activity.Protos.V1;

namespace O365Activity.Tests.Cli.Fakes;

/// <summary>An <c>EventSources</c> service that knows one source, as given (the real one refuses some names).</summary>
public sealed class FakeEventSources(EventSource source) : EventSources.EventSourcesBase
{
    public override Task<ListEventSourcesResponse> ListEventSources(ListEventSourcesRequest request, ServerCallContext context) =>
        Task.FromResult(new ListEventSourcesResponse { EventSources = { source } });

    public override Task<EventSource> GetEventSource(GetEventSourceRequest request, ServerCallContext context) =>
        request.TenantId == source.TenantId ? Task.FromResult(source) : throw new RpcException(new Status(StatusCode.NotFound, $"no event source for tenant {request.TenantId}"));
}
