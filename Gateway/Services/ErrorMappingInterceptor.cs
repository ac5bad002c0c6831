using Grpc.Core;
using Grpc.Core.Interceptors;
using O365Activity.Contracts.EventSources;

namespace O365Activity.Gateway.Services;

/// <summary>
/// Maps failures to gRPC status codes in one place (STYLE.md, "Gateway"): <see cref="EventSourceException"/> by its
/// reason, an unreachable cluster to <c>UNAVAILABLE</c>, anything unexpected to <c>INTERNAL</c> (logged, with no
/// internals in the message).
/// </summary>
public sealed partial class ErrorMappingInterceptor(ILogger<ErrorMappingInterceptor> logger) : Interceptor
{
    /// <inheritdoc />
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    /// <inheritdoc />
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    private RpcException Map(Exception e, ServerCallContext context)
    {
        var status = e switch
        {
            EventSourceException { Error: EventSourceError.AlreadyExists } => new Status(StatusCode.AlreadyExists, e.Message),
            EventSourceException { Error: EventSourceError.NotFound } => new Status(StatusCode.NotFound, e.Message),
            EventSourceException { Error: EventSourceError.InvalidArgument } => new Status(StatusCode.InvalidArgument, e.Message),
            EventSourceException { Error: EventSourceError.FailedPrecondition } => new Status(StatusCode.FailedPrecondition, e.Message),
            EventSourceException { Error: EventSourceError.PermissionDenied } => new Status(StatusCode.PermissionDenied, e.Message),
            OperationCanceledException when context.CancellationToken.IsCancellationRequested => new Status(StatusCode.Cancelled, "The call was cancelled."),
            TimeoutException or SiloUnavailableException or OrleansMessageRejectionException or ClientNotAvailableException =>
                new Status(StatusCode.Unavailable, "The cluster is not reachable right now; try again."),
            _ => new Status(StatusCode.Internal, "An internal error occurred; it has been logged."),
        };
        if (status.StatusCode is StatusCode.Internal or StatusCode.Unavailable)
        {
            LogFailure(logger, context.Method, e);
        }

        return new RpcException(status);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "gRPC call {Method} failed")]
    private static partial void LogFailure(ILogger logger, string method, Exception exception);
}
