using Grpc.Core;
using Grpc.Core.Interceptors;

namespace O365Activity.Gateway.Limits;

/// <summary>
/// Limits the rate of the unary calls of the service it is added to (the <c>EventSources</c> management calls) per
/// client (<see cref="ManagementRateLimits"/>); streams are not counted.
/// </summary>
public sealed class ManagementRateLimitInterceptor(ManagementRateLimits limits) : Interceptor
{
    /// <inheritdoc />
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        limits.Take(ClientKeys.Of(context.GetHttpContext()));
        return continuation(request, context);
    }
}
