using Grpc.Core;
using Grpc.Core.Interceptors;
using O365Activity.Contracts.EventSources;

namespace O365Activity.Gateway.Services;

/// <summary>
/// Maps failures to gRPC status codes in one place (STYLE.md, "Gateway"): <see cref="EventSourceException"/> by its
/// reason; an unreachable cluster (no silo answers, or the client is still connecting) or an unreachable event store
/// to <c>UNAVAILABLE</c>; anything unexpected to <c>INTERNAL</c> (logged, with no internals in the message).
/// </summary>
public sealed partial class ErrorMappingInterceptor(ClusterReadiness readiness, ILogger<ErrorMappingInterceptor> logger) : Interceptor
{
    /// <inheritdoc />
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ThrowUnlessReady();
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
        ThrowUnlessReady();
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    private void ThrowUnlessReady()
    {
        if (!readiness.IsReady)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "The gateway is still connecting to the cluster; try again."));
        }
    }

    private RpcException Map(Exception e, ServerCallContext context)
    {
        var status = ToStatus(e, context.CancellationToken.IsCancellationRequested);
        if (status.StatusCode == StatusCode.Internal)
        {
            LogFailure(logger, context.Method, e);
        }
        else if (status.StatusCode == StatusCode.Unavailable)
        {
            LogUnavailable(logger, context.Method, e.GetType().Name, e.Message);
        }

        return new RpcException(status);
    }

    /// <summary>
    /// The status a failure maps to (the one mapping, which the status page's JSON API shares): an
    /// <see cref="RpcException"/> keeps its own; <c>INTERNAL</c> says nothing of the failure (the caller logs it).
    /// </summary>
    /// <param name="e">The failure.</param>
    /// <param name="callCancelled">Whether the call itself was cancelled (a cancellation is then <c>CANCELLED</c>).</param>
    public static Status ToStatus(Exception e, bool callCancelled) => e switch
    {
        RpcException rpc => rpc.Status,
        EventSourceException { Error: EventSourceError.AlreadyExists } => new Status(StatusCode.AlreadyExists, e.Message),
        EventSourceException { Error: EventSourceError.NotFound } => new Status(StatusCode.NotFound, e.Message),
        EventSourceException { Error: EventSourceError.InvalidArgument } => new Status(StatusCode.InvalidArgument, e.Message),
        EventSourceException { Error: EventSourceError.FailedPrecondition } => new Status(StatusCode.FailedPrecondition, e.Message),
        EventSourceException { Error: EventSourceError.PermissionDenied } => new Status(StatusCode.PermissionDenied, e.Message),
        OperationCanceledException when callCancelled => new Status(StatusCode.Cancelled, "The call was cancelled."),
        _ when IsClusterUnavailable(e) => new Status(StatusCode.Unavailable, "The cluster is not reachable right now; try again."),
        _ when IsStoreUnavailable(e) => new Status(StatusCode.Unavailable, "The event store is not reachable right now; try again."),
        _ => new Status(StatusCode.Internal, "An internal error occurred; it has been logged."),
    };

    /// <summary>
    /// True when the database could not be reached: a <see cref="System.Data.Common.DbException"/> or a socket error,
    /// here or in a silo (a grain that could not load its state), at any depth.
    /// </summary>
    private static bool IsStoreUnavailable(Exception? e) =>
        ExceptionChain.Any(e, x => x is System.Data.Common.DbException or System.Net.Sockets.SocketException);

    /// <summary>
    /// True for the failures of a cluster that cannot be reached: no silo answers (<see cref="SiloUnavailableException"/>,
    /// a rejected or timed-out message, a refused connection), or the client has not connected yet.
    /// </summary>
    private static bool IsClusterUnavailable(Exception e) => e switch
    {
        TimeoutException or SiloUnavailableException or OrleansMessageRejectionException or ClientNotAvailableException => true,
        Orleans.Runtime.Messaging.ConnectionFailedException => true,
        OrleansException when e.Message.Contains("gateway", StringComparison.OrdinalIgnoreCase) => true,
        InvalidOperationException when e.Message.Contains("not connected", StringComparison.OrdinalIgnoreCase)
            || e.Message.Contains("not been started", StringComparison.OrdinalIgnoreCase) => true,
        AggregateException { InnerException: { } inner } => IsClusterUnavailable(inner),
        _ => e.InnerException is { } inner && IsClusterUnavailable(inner),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "gRPC call {Method}: UNAVAILABLE ({Type}: {Error})")]
    private static partial void LogUnavailable(ILogger logger, string method, string type, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "gRPC call {Method} failed")]
    private static partial void LogFailure(ILogger logger, string method, Exception exception);
}
