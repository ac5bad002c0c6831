using System.Collections.Concurrent;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Proto = O365Activity.Protos.V1;

namespace O365Activity.Gateway.Security;

/// <summary>
/// Checks each call to the gateway's own services against the caller's roles and tenants (<see cref="ClientAccess"/>)
/// before the service runs: a call needs one of its method's roles (<see cref="RolesFor"/>), and a request that names
/// a tenant (its <c>tenant_id</c> field) must name one the caller may see. Both refusals are
/// <c>PERMISSION_DENIED</c>; the tenant refusal is one fixed sentence, checked before anything is looked up, so it
/// says nothing about whether the tenant exists. A method of ours missing from the table is refused (fail-closed).
/// Calls to other services (gRPC health, reflection) pass: authentication alone governs them.
/// </summary>
public sealed class AccessInterceptor : Interceptor
{
    private static readonly string[] AdminOnly = [GatewayRoles.Admin];
    private static readonly string[] Readers = [GatewayRoles.Reader];
    private static readonly string[] AnyRole = [GatewayRoles.Admin, GatewayRoles.Reader];

    private static readonly Dictionary<string, string[]> Roles = BuildRoles();
    private static readonly ConcurrentDictionary<MessageDescriptor, FieldDescriptor?> TenantFields = new();

    /// <summary>
    /// The roles that may call a method, by its full path (<c>/package.Service/Method</c>); null for a method of a
    /// service that is not ours.
    /// </summary>
    /// <returns>The roles (any one suffices); empty for a method of ours that is not in the table (nobody may call it).</returns>
    public static string[]? RolesFor(string method)
    {
        if (Roles.TryGetValue(method, out var roles))
        {
            return roles;
        }

        return method.StartsWith("/o365activity.", StringComparison.Ordinal) ? [] : null;
    }

    /// <inheritdoc />
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(request, context);
        return continuation(request, context);
    }

    /// <inheritdoc />
    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(request, context);
        return continuation(request, responseStream, context);
    }

    /// <inheritdoc />
    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        CheckRole(context);
        return continuation(requestStream, context);
    }

    /// <inheritdoc />
    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        CheckRole(context);
        return continuation(requestStream, responseStream, context);
    }

    private static void Check(object? request, ServerCallContext context)
    {
        var access = CheckRole(context);
        if (access is null || !access.IsEnforced || request is not IMessage message)
        {
            return;
        }

        var field = TenantFields.GetOrAdd(message.Descriptor, d => d.FindFieldByName("tenant_id") is { FieldType: FieldType.String } f ? f : null);
        if (field is not null && !access.MaySee((string)field.Accessor.GetValue(message)))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, ClientAccess.OutOfScopeMessage));
        }
    }

    private static ClientAccess? CheckRole(ServerCallContext context)
    {
        if (RolesFor(context.Method) is not { } roles)
        {
            return null;
        }

        var access = ClientAccess.Of(context);
        if (!access.HasAnyRole(roles))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, roles.Length == 0
                ? "This method may not be called."
                : $"This call needs the role {string.Join(" or ", roles.Select(r => $"'{r}'"))}, which this client does not hold."));
        }

        return access;
    }

    private static Dictionary<string, string[]> BuildRoles()
    {
        var roles = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Add(Google.Protobuf.Reflection.ServiceDescriptor service, string method, string[] allowed)
        {
            if (service.FindMethodByName(method) is null)
            {
                throw new InvalidOperationException($"{service.FullName} has no method {method}.");
            }

            roles[$"/{service.FullName}/{method}"] = allowed;
        }

        var sources = Proto.EventSources.Descriptor;
        Add(sources, "CreateEventSource", AdminOnly);
        Add(sources, "UpdateEventSource", AdminOnly);
        Add(sources, "DeleteEventSource", AdminOnly);
        Add(sources, "RenewConsentUrl", AdminOnly);
        Add(sources, "GetEventSource", AnyRole);
        Add(sources, "ListEventSources", AnyRole);
        Add(sources, "WatchEventSources", AnyRole);
        foreach (var method in Proto.Activity.Descriptor.Methods)
        {
            Add(Proto.Activity.Descriptor, method.Name, Readers);
        }

        foreach (var method in Proto.History.Descriptor.Methods)
        {
            Add(Proto.History.Descriptor, method.Name, Readers);
        }

        return roles;
    }
}
