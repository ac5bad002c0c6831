using System.Threading.Channels;
using Grpc.Core;
using Microsoft.Extensions.Options;
using O365Activity.Contracts;
using O365Activity.Contracts.Activity;
using O365Activity.Contracts.EventSources;
using Orleans.Streams;
using Proto = O365Activity.Protos.V1;

namespace O365Activity.Gateway.Services;

/// <summary>
/// The <c>Activity</c> gRPC service: server streams of one tenant's ingress activity, admin activity and raw records,
/// fed by the tenant's Orleans streams. Each call subscribes, sends its response headers once the subscription is
/// live (a client that waits for them misses nothing collected afterwards), then writes events from a bounded
/// buffer; a client that falls too far behind gets <c>RESOURCE_EXHAUSTED</c>.
/// </summary>
public sealed partial class ActivityService(
    IClusterClient cluster,
    IOptions<GatewayOptions> options,
    ILogger<ActivityService> logger) : Proto.Activity.ActivityBase
{
    /// <inheritdoc />
    public override Task StreamIngress(Proto.StreamRequest request, IServerStreamWriter<Proto.IngressEvent> responseStream, ServerCallContext context) =>
        StreamAsync<IngressEvent, Proto.IngressEvent>(request, ActivityStreams.Ingress, ProtoMapper.ToProto, responseStream, context);

    /// <inheritdoc />
    public override Task StreamAdmin(Proto.StreamRequest request, IServerStreamWriter<Proto.AdminEvent> responseStream, ServerCallContext context) =>
        StreamAsync<AdminEvent, Proto.AdminEvent>(request, ActivityStreams.Admin, ProtoMapper.ToProto, responseStream, context);

    /// <inheritdoc />
    public override Task StreamRaw(Proto.StreamRequest request, IServerStreamWriter<Proto.RawRecord> responseStream, ServerCallContext context) =>
        StreamAsync<RawRecord, Proto.RawRecord>(request, ActivityStreams.Raw, ProtoMapper.ToProto, responseStream, context);

    private async Task StreamAsync<TEvent, TMessage>(
        Proto.StreamRequest request,
        string streamNamespace,
        Func<TEvent, TMessage> map,
        IServerStreamWriter<TMessage> responseStream,
        ServerCallContext context)
    {
        var tenantId = TenantIds.Parse(request.TenantId);
        var status = await cluster.GetGrain<ITenantGrain>(tenantId).GetStatus();
        if (streamNamespace == ActivityStreams.Raw && !status.Settings.SendUnfiltered)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"Tenant {tenantId}'s event source was created without send_unfiltered: it has no raw stream."));
        }

        var capacity = options.Value.StreamBufferCapacity;
        var buffer = Channel.CreateBounded<TEvent>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
        var stream = cluster.GetStreamProvider(ActivityStreams.ProviderName).GetStream<TEvent>(ActivityStreams.For(streamNamespace, tenantId));
        var subscription = await stream.SubscribeAsync((item, _) =>
        {
            // Never wait here: the stream's delivery would stall for every subscriber of the tenant.
            if (!buffer.Writer.TryWrite(item))
            {
                buffer.Writer.TryComplete(new RpcException(new Status(
                    StatusCode.ResourceExhausted,
                    $"The client fell more than {capacity} events behind tenant {tenantId}'s {streamNamespace} stream and was disconnected; reconnect and read faster.")));
            }

            return Task.CompletedTask;
        });
        LogSubscribed(logger, tenantId, streamNamespace);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var watch = WatchSourceAsync(tenantId, buffer.Writer, ended.Token);
        try
        {
            await context.WriteResponseHeadersAsync([new Metadata.Entry(SubscribedHeader, "true")]);
            await foreach (var item in buffer.Reader.ReadAllAsync(context.CancellationToken))
            {
                await responseStream.WriteAsync(map(item), context.CancellationToken);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
        finally
        {
            await ended.CancelAsync();
            await watch;
            await subscription.UnsubscribeAsync();
            LogUnsubscribed(logger, tenantId, streamNamespace);
        }
    }

    /// <summary>The response header that says the subscription is live.</summary>
    public const string SubscribedHeader = "subscribed";

    /// <summary>Ends the stream with <c>NOT_FOUND</c> once the event source is deleted.</summary>
    private async Task WatchSourceAsync<TEvent>(Guid tenantId, ChannelWriter<TEvent> buffer, CancellationToken cancellationToken)
    {
        var grain = cluster.GetGrain<ITenantGrain>(tenantId);
        try
        {
            while (true)
            {
                await Task.Delay(options.Value.SourceCheckInterval, cancellationToken);
                try
                {
                    await grain.GetStatus();
                }
                catch (EventSourceException e) when (e.Error == EventSourceError.NotFound)
                {
                    buffer.TryComplete(new RpcException(new Status(StatusCode.NotFound, $"The event source of tenant {tenantId} was deleted.")));
                    return;
                }
                catch (Exception e) when (e is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException)
                {
                    // The cluster is busy or moving the grain: check again next time.
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The stream ended.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {TenantId}: a client subscribed to the {Stream} stream")]
    private static partial void LogSubscribed(ILogger logger, Guid tenantId, string stream);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {TenantId}: a client left the {Stream} stream")]
    private static partial void LogUnsubscribed(ILogger logger, Guid tenantId, string stream);
}
