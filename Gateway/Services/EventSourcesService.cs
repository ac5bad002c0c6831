using System.Collections.Immutable;
using Grpc.Core;
using O365Activity.Contracts;
using O365Activity.Contracts.EventSources;
using O365Activity.Gateway.Security;
using O365Activity.Storage;
using Proto = O365Activity.Protos.V1;

namespace O365Activity.Gateway.Services;

/// <summary>The <c>EventSources</c> gRPC service: create, get, list and delete event sources (one per tenant), and renew a source's admin-consent URL.</summary>
public sealed class EventSourcesService(
    IGrainFactory grains,
    IEventStore store,
    EventSourceStatuses statuses,
    O365Activity.Gateway.Feeds.StatusWatchers watchers,
    IHostApplicationLifetime lifetime) : Proto.EventSources.EventSourcesBase
{
    /// <summary>The most federated domains one event source may list (a tenant has a handful; the bound keeps every answer small).</summary>
    public const int MaxFederatedDomains = 100;

    /// <inheritdoc />
    public override async Task<Proto.EventSource> CreateEventSource(Proto.CreateEventSourceRequest request, ServerCallContext context)
    {
        var tenantId = TenantIds.Parse(request.TenantId);
        RequestText.Check(request.DisplayName, "display_name");
        RequestText.CheckAll(request.ContentTypes, "content_types");
        RequestText.CheckAll(request.FederatedDomains, "federated_domains");
        RequestText.Check(request.Credential, "credential");
        if (request.DisplayName.Length > 256)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "display_name is longer than 256 characters."));
        }

        var settings = new EventSourceSettings
        {
            TenantId = tenantId,
            DisplayName = request.DisplayName,
            ContentTypes = CheckedContentTypes(request.ContentTypes),
            SendUnfiltered = request.SendUnfiltered,
            FederatedDomains = CheckedDomains(request.FederatedDomains),
            // Zero, as unset: the service's default.
            PollInterval = CheckedDuration(request.PollInterval, "poll_interval") is { } interval && interval > TimeSpan.Zero ? interval : null,
            InitialBackfill = CheckedDuration(request.InitialBackfill, "initial_backfill") is { } backfill && backfill > TimeSpan.Zero ? backfill : null,
            Cloud = ProtoMapper.FromProto(request.Cloud),
            Credential = CheckedCredential(request.Credential) is { Length: > 0 } credential ? credential : null,
        };
        var status = await grains.GetGrain<ITenantGrain>(tenantId).Create(settings);
        return Map(status);
    }

    /// <inheritdoc />
    public override Task<Proto.EventSource> GetEventSource(Proto.GetEventSourceRequest request, ServerCallContext context) =>
        statuses.GetAsync(TenantIds.Parse(request.TenantId));

    /// <inheritdoc />
    public override async Task<Proto.ListEventSourcesResponse> ListEventSources(Proto.ListEventSourcesRequest request, ServerCallContext context) =>
        await statuses.ListAsync(context.CancellationToken, ClientAccess.Of(context).MaySee);

    /// <inheritdoc />
    public override async Task<Proto.DeleteEventSourceResponse> DeleteEventSource(Proto.DeleteEventSourceRequest request, ServerCallContext context)
    {
        await grains.GetGrain<ITenantGrain>(TenantIds.Parse(request.TenantId)).Delete();
        return new Proto.DeleteEventSourceResponse();
    }

    /// <inheritdoc />
    public override async Task<Proto.EventSource> UpdateEventSource(Proto.UpdateEventSourceRequest request, ServerCallContext context)
    {
        var tenantId = TenantIds.Parse(request.TenantId);
        RequestText.Check(request.DisplayName, "display_name");
        RequestText.CheckAll(request.ContentTypes?.Values ?? [], "content_types");
        RequestText.CheckAll(request.FederatedDomains?.Values ?? [], "federated_domains");
        RequestText.Check(request.Credential, "credential");
        if (request.HasDisplayName && request.DisplayName.Length > 256)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "display_name is longer than 256 characters."));
        }

        var update = new EventSourceUpdate
        {
            DisplayName = request.HasDisplayName ? request.DisplayName : null,
            ContentTypes = request.ContentTypes is { } types ? CheckedContentTypes(types.Values) : null,
            SendUnfiltered = request.HasSendUnfiltered ? request.SendUnfiltered : null,
            FederatedDomains = request.FederatedDomains is { } domains ? CheckedDomains(domains.Values) : null,
            PollInterval = CheckedDuration(request.PollInterval, "poll_interval"),
            InitialBackfill = CheckedDuration(request.InitialBackfill, "initial_backfill"),
            Cloud = ProtoMapper.FromProto(request.Cloud),
            Credential = request.HasCredential ? CheckedCredential(request.Credential) : null,
        };
        return Map(await grains.GetGrain<ITenantGrain>(tenantId).Update(update));
    }

    /// <inheritdoc />
    public override async Task WatchEventSources(Proto.WatchEventSourcesRequest request, IServerStreamWriter<Proto.EventSourceChange> responseStream, ServerCallContext context)
    {
        // A watch ends with the gateway: left open, it would hold the shutdown up until the host's timeout cut it (30 s).
        using var open = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        var cancellation = open.Token;
        var access = ClientAccess.Of(context);
        // Subscribed first, then the snapshot: a change during the snapshot is sent after it, read afresh (never lost).
        var watcher = await watchers.AddAsync(cancellation);
        try
        {
            foreach (var source in await store.ListSourcesAsync(cancellation))
            {
                if (access.MaySee(source.TenantId) && await StatusOrNullAsync(source.TenantId) is { } status)
                {
                    await responseStream.WriteAsync(new Proto.EventSourceChange { Kind = Proto.EventSourceChange.Types.Kind.Current, TenantId = source.TenantId.ToString(), EventSource = status }, cancellation);
                }
            }

            await responseStream.WriteAsync(new Proto.EventSourceChange { Kind = Proto.EventSourceChange.Types.Kind.InSync }, cancellation);
            await foreach (var change in watcher.Queue.Reader.ReadAllAsync(cancellation))
            {
                if (!access.MaySee(change.TenantId))
                {
                    continue;
                }

                var status = change.Deleted ? null : await StatusOrNullAsync(change.TenantId);
                await responseStream.WriteAsync(
                    status is null
                        ? new Proto.EventSourceChange
                        {
                            Kind = Proto.EventSourceChange.Types.Kind.Deleted, TenantId = change.TenantId.ToString(),
                            EventSource = new Proto.EventSource { TenantId = change.TenantId.ToString(), State = Proto.ConnectionState.Deleted },
                        }
                        : new Proto.EventSourceChange { Kind = Proto.EventSourceChange.Types.Kind.Changed, TenantId = change.TenantId.ToString(), EventSource = status },
                    cancellation);
            }

            if (watcher.Overflowed)
            {
                throw new RpcException(new Status(StatusCode.ResourceExhausted,
                    $"This watcher fell {O365Activity.Gateway.Feeds.StatusWatchers.Capacity:N0} changes behind and was ended; reconnect to get every source's current status."));
            }
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "The gateway is shutting down; reconnect to watch again (every source's current status comes first)."));
        }
        finally
        {
            watchers.Remove(watcher);
        }
    }

    /// <inheritdoc />
    public override async Task<Proto.EventSource> RenewConsentUrl(Proto.RenewConsentUrlRequest request, ServerCallContext context) =>
        Map(await grains.GetGrain<ITenantGrain>(TenantIds.Parse(request.TenantId)).RenewConsent());

    private Task<Proto.EventSource?> StatusOrNullAsync(Guid tenantId) => statuses.GetOrNullAsync(tenantId);

    private Proto.EventSource Map(EventSourceStatus status) => statuses.Map(status);

    private static ImmutableArray<string> CheckedContentTypes(IReadOnlyCollection<string> contentTypes)
    {
        if (contentTypes.Count > ContentTypes.All.Length)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"content_types: at most {ContentTypes.All.Length} entries."));
        }

        return [.. contentTypes.Select(ct => ContentTypes.Canonical(ct)
            ?? throw new RpcException(new Status(StatusCode.InvalidArgument, $"content_types: '{ct}' is not a content type; use one of {string.Join(", ", ContentTypes.All)}.")))];
    }

    private static string CheckedCredential(string name)
    {
        if (name.Length > 64 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "credential: a credential name is at most 64 letters, digits, '-', '_' or '.'."));
        }

        return name;
    }

    private static ImmutableArray<string> CheckedDomains(IReadOnlyCollection<string> domains)
    {
        if (domains.Count > MaxFederatedDomains)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"federated_domains: at most {MaxFederatedDomains} domains; got {domains.Count}."));
        }

        return [.. domains.Select(NormalizeDomain).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>A duration field as a time span: null when unset; INVALID_ARGUMENT when negative or not a valid duration.</summary>
    private static TimeSpan? CheckedDuration(Google.Protobuf.WellKnownTypes.Duration? duration, string field)
    {
        if (duration is null)
        {
            return null;
        }

        if (duration.Seconds < 0 || duration.Nanos < 0 || duration.Nanos >= 1_000_000_000 || duration.Seconds > 315_576_000_000)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{field}: not a valid duration ({duration.Seconds} s, {duration.Nanos} ns): it must be 0 or more and at most 10,000 years."));
        }

        return duration.ToTimeSpan();
    }

    private static string NormalizeDomain(string domain)
    {
        var value = domain.Trim().TrimStart('@').TrimEnd('.').ToLowerInvariant();
        var labels = value.Split('.');
        // Letters, digits and hyphens; at least two labels of 1 to 63 characters, none starting or ending with a hyphen;
        // a top-level label that is not all digits (so not an IP address).
        if (value.Length is 0 or > 253 || labels.Length < 2
            || labels.Any(l => l.Length is 0 or > 63 || l[0] == '-' || l[^1] == '-' || l.Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '-')))
            || labels[^1].All(char.IsAsciiDigit))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"federated_domains: '{domain}' is not a domain name such as contoso.com."));
        }

        return value;
    }
}
