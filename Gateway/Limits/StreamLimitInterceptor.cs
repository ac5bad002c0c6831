using Grpc.Core;
using Grpc.Core.Interceptors;

namespace O365Activity.Gateway.Limits;

/// <summary>
/// Counts every server-streaming call against its client's <see cref="GatewayLimitsOptions.StreamsPerClient"/>
/// (<see cref="ClientStreamLimits"/>) for as long as the call runs: refused at once with <c>RESOURCE_EXHAUSTED</c> beyond
/// it, and freed however the call ends (completed, cancelled, failed, past its deadline).
/// </summary>
public sealed class StreamLimitInterceptor(ClientStreamLimits limits) : Interceptor
{
    /// <inheritdoc />
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var lease = limits.Acquire(ClientKeys.Of(context.GetHttpContext()));
        await continuation(request, responseStream, context);
    }
}
