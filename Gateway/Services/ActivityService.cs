using Grpc.Core;
using Microsoft.Extensions.Options;
using O365Activity.Contracts;
using O365Activity.Gateway.Feeds;
using O365Activity.Storage;
using Proto = O365Activity.Protos.V1;

namespace O365Activity.Gateway.Services;

/// <summary>
/// The <c>Activity</c> gRPC service: server streams of one tenant's ingress activity, admin activity and raw records,
/// served from the event store in sequence order (DESIGN.md decision 4). A call fixes its position (after
/// <c>after_sequence</c>, after what was collected before <c>start_time</c>, or at the source's last sequence), sends
/// its response headers, then asks the tenant feed for the next page of events again and again (from the feed's recent
/// events at or near the head, from the store further behind), and the feed waits while there is none.
/// Replay and live delivery are the same loop, so there is no seam to lose or double an event at; a gap in the
/// notices is filled because every read covers the whole range up to the head; a slow client simply reads older
/// pages, with the memory of one page. Events are sent in their stored wire format (<see cref="ActivityMethods"/>).
/// </summary>
public sealed partial class ActivityService(
    IClusterClient cluster,
    IHostApplicationLifetime lifetime,
    IEventStore store,
    TenantFeeds feeds,
    IOptions<GatewayOptions> options,
    ILogger<ActivityService> logger,
    Operability.GatewayMetrics metrics)
{
    /// <summary>The response header that says the stream's position is fixed.</summary>
    public const string SubscribedHeader = "subscribed";

    /// <summary><c>StreamIngress</c>: the tenant's sign-ins.</summary>
    public Task StreamIngress(Proto.StreamRequest request, IServerStreamWriter<StoredEvent> responseStream, ServerCallContext context) =>
        StreamAsync(request, EventKind.Ingress, responseStream, context);

    /// <summary><c>StreamAdmin</c>: the tenant's administrative changes.</summary>
    public Task StreamAdmin(Proto.StreamRequest request, IServerStreamWriter<StoredEvent> responseStream, ServerCallContext context) =>
        StreamAsync(request, EventKind.Admin, responseStream, context);

    /// <summary><c>StreamRaw</c>: every audit record of the tenant (sources created with send_unfiltered).</summary>
    public Task StreamRaw(Proto.StreamRequest request, IServerStreamWriter<StoredEvent> responseStream, ServerCallContext context) =>
        StreamAsync(request, null, responseStream, context);

    private async Task StreamAsync(
        Proto.StreamRequest request,
        EventKind? kind,
        IServerStreamWriter<StoredEvent> responseStream,
        ServerCallContext context)
    {
        var tenantId = TenantIds.Parse(request.TenantId);
        if (request.HasAfterSequence && request.StartTime is not null)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "Give after_sequence or start_time, not both."));
        }

        if (request.HasAfterSequence && request.AfterSequence < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"after_sequence must be 0 or more; got {request.AfterSequence}."));
        }

        DateTimeOffset? startTime = null;
        if (request.StartTime is { } start)
        {
            try
            {
                startTime = start.ToDateTimeOffset();
            }
            catch (InvalidOperationException)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "start_time is not a valid timestamp (seconds from 0001-01-01 to 9999-12-31, nanos 0 to 999,999,999)."));
            }
        }

        var status = await cluster.GetGrain<ITenantGrain>(tenantId).GetStatus();
        if (kind is null && !status.Settings.SendUnfiltered)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"Tenant {tenantId}'s event source was created without send_unfiltered: it has no raw stream."));
        }

        var stream = kind?.ToString().ToLowerInvariant() ?? "raw";
        var feed = await feeds.AcquireAsync(tenantId, status.SourceId, context.CancellationToken);
        metrics.StreamOpened(tenantId, stream);
        try
        {
            if (feed.Ended is { } gone)
            {
                throw gone;
            }

            var position = feed.Head;
            if (request.HasAfterSequence)
            {
                if (request.AfterSequence > feed.Head)
                {
                    throw new RpcException(new Status(StatusCode.OutOfRange,
                        $"after_sequence {request.AfterSequence} is beyond tenant {tenantId}'s last sequence {feed.Head}: a position from an earlier event source of the tenant (resume with after_sequence 0 to read this source from its start), or a mistyped number."));
                }

                position = request.AfterSequence;
            }
            else if (startTime is { } from)
            {
                position = Math.Min(await store.FindSequenceBeforeAsync(feed.SourceId, from, context.CancellationToken), feed.Head);
            }

            LogSubscribed(logger, tenantId, stream, position);
            await context.WriteResponseHeadersAsync([new Metadata.Entry(SubscribedHeader, "true")]);
            var pageSize = options.Value.ReplayPageSize;
            using var open = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
            while (true)
            {
                var (events, through) = await feed.NextAsync(position, kind, pageSize, open.Token);
                foreach (var stored in events)
                {
                    await responseStream.WriteAsync(stored, open.Token);
                }

                position = through;
            }
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            // The gateway is stopping: the stream ends with a status that tells the client to come back, rather than
            // holding the shutdown up until its connection is cut.
            throw new RpcException(new Status(StatusCode.Unavailable, "The gateway is shutting down; reconnect with after_sequence set to the last sequence received."));
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
        finally
        {
            metrics.StreamClosed(tenantId, stream);
            await feeds.ReleaseAsync(feed);
            LogUnsubscribed(logger, tenantId, stream);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Tenant {TenantId}: a client opened the {Stream} stream after sequence {Position}")]
    private static partial void LogSubscribed(ILogger logger, Guid tenantId, string stream, long position);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Tenant {TenantId}: a client left the {Stream} stream")]
    private static partial void LogUnsubscribed(ILogger logger, Guid tenantId, string stream);
}
