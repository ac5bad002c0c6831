using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using O365Activity.Storage;
using O365Activity.Storage.Wire;
using Proto = O365Activity.Protos.V1;

namespace O365Activity.Gateway.Services;

/// <summary>
/// The <c>o365activity.v1.Activity</c> service's methods as the gateway serves them: the same names and request
/// messages as the generated ones, and responses written straight from the stored wire format
/// (<see cref="EventWireFormat"/>), so that a stored event is sent without being decoded, mapped and encoded again.
/// Clients see exactly the messages of <c>activity.proto</c>.
/// </summary>
public sealed class ActivityMethods : IServiceMethodProvider<ActivityService>
{
    private static readonly string ServiceName = Proto.Activity.Descriptor.FullName;

    private static readonly Marshaller<Proto.StreamRequest> RequestMarshaller = Marshallers.Create<Proto.StreamRequest>(
        (request, context) =>
        {
            context.SetPayloadLength(request.CalculateSize());
            request.WriteTo(context.GetBufferWriter());
            context.Complete();
        },
        (DeserializationContext context) =>
        {
            try
            {
                return Proto.StreamRequest.Parser.ParseFrom(context.PayloadAsReadOnlySequence());
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"The request is not a StreamRequest message: {e.Message}"));
            }
        });

    /// <summary><c>StreamIngress</c>: each event as an <c>IngressEvent</c> message.</summary>
    public static Method<Proto.StreamRequest, StoredEvent> StreamIngress { get; } = Create(nameof(StreamIngress), EventKind.Ingress);

    /// <summary><c>StreamAdmin</c>: each event as an <c>AdminEvent</c> message.</summary>
    public static Method<Proto.StreamRequest, StoredEvent> StreamAdmin { get; } = Create(nameof(StreamAdmin), EventKind.Admin);

    /// <summary><c>StreamRaw</c>: each event as a <c>RawRecord</c> message.</summary>
    public static Method<Proto.StreamRequest, StoredEvent> StreamRaw { get; } = Create(nameof(StreamRaw), EventKind.Raw);

    /// <inheritdoc />
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<ActivityService> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var metadata = typeof(ActivityService).GetCustomAttributes(inherit: true);
        context.AddServerStreamingMethod(StreamIngress, metadata, (service, request, writer, call) => service.StreamIngress(request, writer, call));
        context.AddServerStreamingMethod(StreamAdmin, metadata, (service, request, writer, call) => service.StreamAdmin(request, writer, call));
        context.AddServerStreamingMethod(StreamRaw, metadata, (service, request, writer, call) => service.StreamRaw(request, writer, call));
    }

    private static Method<Proto.StreamRequest, StoredEvent> Create(string name, EventKind message)
    {
        if (Proto.Activity.Descriptor.FindMethodByName(name) is not { IsServerStreaming: true })
        {
            throw new InvalidOperationException($"activity.proto has no server-streaming method {name}.");
        }

        var response = Marshallers.Create<StoredEvent>(
            (stored, context) =>
            {
                var length = EventWireFormat.MessageLength(stored, message);
                context.SetPayloadLength(length);
                var writer = context.GetBufferWriter();
                EventWireFormat.Write(stored, message, writer.GetSpan(length));
                writer.Advance(length);
                context.Complete();
            },
            (DeserializationContext _) => throw new NotSupportedException("The gateway sends these messages; it never reads them."));
        return new Method<Proto.StreamRequest, StoredEvent>(MethodType.ServerStreaming, ServiceName, name, RequestMarshaller, response);
    }
}
