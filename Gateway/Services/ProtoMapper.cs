using Google.Protobuf.WellKnownTypes;
using O365Activity.Contracts.EventSources;
using Proto = O365Activity.Protos.V1;

namespace O365Activity.Gateway.Services;

/// <summary>
/// Where an event source's status becomes its gRPC message. Activity events become messages in one place too, in the
/// store (<see cref="O365Activity.Storage.Wire.ActivityMessages"/>): they are stored in their wire format.
/// </summary>
public static class ProtoMapper
{
    /// <summary>Maps an event source's status; <paramref name="consentUrl"/> is set while consent is pending.</summary>
    public static Proto.EventSource ToProto(EventSourceStatus status, string? consentUrl)
    {
        var message = new Proto.EventSource
        {
            TenantId = status.Settings.TenantId.ToString(),
            DisplayName = status.Settings.DisplayName,
            SendUnfiltered = status.Settings.SendUnfiltered,
            State = status.State switch
            {
                ConnectionState.PendingConsent => Proto.ConnectionState.PendingConsent,
                ConnectionState.Connecting => Proto.ConnectionState.Connecting,
                ConnectionState.Connected => Proto.ConnectionState.Connected,
                ConnectionState.Degraded => Proto.ConnectionState.Degraded,
                ConnectionState.Failed => Proto.ConnectionState.Failed,
                _ => Proto.ConnectionState.Unspecified,
            },
            StatusReason = status.StatusReason,
            ApiClockSkew = Duration.FromTimeSpan(status.ApiClockSkew),
            AdminConsentUrl = consentUrl ?? "",
            AdminConsentUrlExpiresAt = consentUrl is not null && status.ConsentStateExpiresAt is { } expires ? Timestamp.FromDateTimeOffset(expires) : null,
            CreatedAt = Time(status.CreatedAt),
            ConnectedAt = Time(status.ConnectedAt),
            LastSuccessfulPollAt = Time(status.LastSuccessfulPollAt),
            LastError = status.LastError ?? "",
            RecordsCollected = status.RecordsCollected,
            LastSequence = status.LastSequence,
            Counters = Counters(status.Counters),
            PollInterval = status.Settings.PollInterval is { } interval ? Duration.FromTimeSpan(interval) : null,
            InitialBackfill = status.Settings.InitialBackfill is { } backfill ? Duration.FromTimeSpan(backfill) : null,
            Cloud = ToProto(status.Cloud),
            Credential = status.Settings.Credential ?? "",
            ClientId = status.ClientId ?? "",
        };
        message.ContentTypes.AddRange(status.Settings.ContentTypes);
        message.FederatedDomains.AddRange(status.Settings.FederatedDomains);
        message.ContentTypeStatus.AddRange(status.ContentTypes.Select(c => new Proto.ContentTypeStatus
        {
            DataGaps = { c.DataGaps.Select(g => new Proto.DataGap { Start = Time(g.Start), End = Time(g.End), FoundAt = Time(g.FoundAt) }) },
            ContentType = c.ContentType,
            Subscribed = c.Subscribed,
            Cursor = Time(c.Cursor),
            LastError = c.LastError ?? "",
            LastPolledAt = Time(c.LastPolledAt),
            LastErrorCode = c.LastErrorCode ?? "",
            LastErrorAt = Time(c.LastErrorAt),
            ConsecutiveFailures = c.ConsecutiveFailures,
            RetryAt = Time(c.RetryAt),
            NeedsAttention = c.NeedsAttention,
            NewestBlobAt = Time(c.NewestBlobAt),
            NewestRecordAt = Time(c.NewestRecordAt),
            Lag = c.Lag is { } lag ? Duration.FromTimeSpan(lag) : null,
            Counters = Counters(c.Counters),
        }));
        return message;
    }

    /// <summary>A cloud as its proto enum.</summary>
    public static Proto.Cloud ToProto(O365Activity.Contracts.CloudName cloud) => cloud switch
    {
        O365Activity.Contracts.CloudName.Enterprise => Proto.Cloud.Enterprise,
        O365Activity.Contracts.CloudName.Gcc => Proto.Cloud.Gcc,
        O365Activity.Contracts.CloudName.GccHigh => Proto.Cloud.GccHigh,
        O365Activity.Contracts.CloudName.DoD => Proto.Cloud.Dod,
        _ => Proto.Cloud.Unspecified,
    };

    /// <summary>A proto cloud as the service's; null for unspecified.</summary>
    /// <exception cref="Grpc.Core.RpcException"><c>INVALID_ARGUMENT</c> for a value that is no cloud.</exception>
    public static O365Activity.Contracts.CloudName? FromProto(Proto.Cloud cloud) => cloud switch
    {
        Proto.Cloud.Unspecified => null,
        Proto.Cloud.Enterprise => O365Activity.Contracts.CloudName.Enterprise,
        Proto.Cloud.Gcc => O365Activity.Contracts.CloudName.Gcc,
        Proto.Cloud.GccHigh => O365Activity.Contracts.CloudName.GccHigh,
        Proto.Cloud.Dod => O365Activity.Contracts.CloudName.DoD,
        _ => throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.InvalidArgument, $"cloud: {(int)cloud} is not a cloud; use CLOUD_ENTERPRISE, CLOUD_GCC, CLOUD_GCC_HIGH or CLOUD_DOD.")),
    };

    private static Proto.CollectionCounters Counters(CollectionCounters c) => new()
    {
        Blobs = c.Blobs,
        Records = c.Records,
        IngressEvents = c.IngressEvents,
        AdminEvents = c.AdminEvents,
        RawRecords = c.RawRecords,
        DuplicatesDropped = c.DuplicatesDropped,
        NormalizationWarnings = c.NormalizationWarnings,
        RecordsRejected = c.RecordsRejected,
    };

    private static Timestamp? Time(DateTimeOffset? time) => time is { } t ? Timestamp.FromDateTimeOffset(t) : null;
}
