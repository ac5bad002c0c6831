using Google.Protobuf.WellKnownTypes;
using O365Activity.Contracts.Activity;
using O365Activity.Contracts.EventSources;
using Proto = O365Activity.Protos.V1;

namespace O365Activity.Gateway.Services;

/// <summary>The one place where contract types become gRPC messages (STYLE.md, "Contracts").</summary>
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
                ConnectionState.Connected => Proto.ConnectionState.Connected,
                ConnectionState.Error => Proto.ConnectionState.Error,
                _ => Proto.ConnectionState.Unspecified,
            },
            AdminConsentUrl = consentUrl ?? "",
            CreatedAt = Time(status.CreatedAt),
            ConnectedAt = Time(status.ConnectedAt),
            LastSuccessfulPollAt = Time(status.LastSuccessfulPollAt),
            LastError = status.LastError ?? "",
            RecordsCollected = status.RecordsCollected,
            LastSequence = status.LastSequence,
        };
        message.ContentTypes.AddRange(status.Settings.ContentTypes);
        message.FederatedDomains.AddRange(status.Settings.FederatedDomains);
        message.ContentTypeStatus.AddRange(status.ContentTypes.Select(c => new Proto.ContentTypeStatus
        {
            ContentType = c.ContentType,
            Subscribed = c.Subscribed,
            Cursor = Time(c.Cursor),
            LastError = c.LastError ?? "",
            LastPolledAt = Time(c.LastPolledAt),
        }));
        return message;
    }

    /// <summary>Maps a sign-in.</summary>
    public static Proto.IngressEvent ToProto(IngressEvent e)
    {
        var message = new Proto.IngressEvent
        {
            Header = Header(e),
            User = e.User,
            UserObjectId = e.UserObjectId ?? "",
            Result = (Proto.SignInResult)(int)e.Result,
            FailureCode = e.FailureCode ?? "",
            FailureReason = e.FailureReason ?? "",
            FailureDescription = e.FailureDescription ?? "",
            ClientAddress = Address(e.ClientAddress),
            Location = Location(e.Location),
            LocationReliable = e.LocationReliable,
            LocationUnreliableReason = e.LocationUnreliableReason ?? "",
            UserAgent = e.UserAgent ?? "",
            ApplicationId = e.ApplicationId ?? "",
            ApplicationName = e.ApplicationName ?? "",
            Device = Device(e.Device),
            AuthenticationMethod = e.AuthenticationMethod ?? "",
            RequestType = e.RequestType ?? "",
            ResultStatusDetail = e.ResultStatusDetail ?? "",
            RawJson = e.RawJson,
        };
        if (e.UserType is { } userType)
        {
            message.UserType = userType;
        }

        if (e.KeepMeSignedIn is { } keep)
        {
            message.KeepMeSignedIn = keep;
        }

        return message;
    }

    /// <summary>Maps an admin action.</summary>
    public static Proto.AdminEvent ToProto(AdminEvent e)
    {
        var message = new Proto.AdminEvent
        {
            Header = Header(e),
            Action = (Proto.AdminAction)(int)e.Action,
            Actor = e.Actor,
            ActorKind = (Proto.ActorKind)(int)e.ActorKind,
            ActorAddress = Address(e.ActorAddress),
            TargetKind = (Proto.TargetKind)(int)e.TargetKind,
            Target = e.Target ?? "",
            ParametersText = e.ParametersText ?? "",
            Result = (Proto.ActivityResult)(int)e.Result,
            ResultStatus = e.ResultStatus ?? "",
            RawJson = e.RawJson,
        };
        message.TargetDetails.AddRange(e.TargetDetails.Select(NameValue));
        message.Parameters.AddRange(e.Parameters.Select(NameValue));
        message.Changes.AddRange(e.Changes.Select(c =>
        {
            var change = new Proto.PropertyChange { Name = c.Name };
            if (c.OldValue is not null)
            {
                change.OldValue = c.OldValue;
            }

            if (c.NewValue is not null)
            {
                change.NewValue = c.NewValue;
            }

            return change;
        }));
        return message;
    }

    /// <summary>Maps a raw record, with its generic decodings (address, user, changes, actions).</summary>
    public static Proto.RawRecord ToProto(RawRecord e)
    {
        var message = new Proto.RawRecord
        {
            Header = Header(e),
            RawJson = e.RawJson,
            ClientAddress = Address(e.ClientAddress),
            User = e.User ?? "",
        };
        foreach (var c in e.Changes)
        {
            var change = new Proto.PropertyChange { Name = c.Name };
            if (c.OldValue is not null)
            {
                change.OldValue = c.OldValue;
            }

            if (c.NewValue is not null)
            {
                change.NewValue = c.NewValue;
            }

            message.Changes.Add(change);
        }

        message.Actions.AddRange(e.Actions);
        return message;
    }

    private static Proto.RecordHeader Header(ActivityEvent e)
    {
        var header = new Proto.RecordHeader
        {
            TenantId = e.TenantId.ToString(),
            RecordId = e.RecordId,
            Sequence = e.Sequence,
            EventTime = Time(e.EventTime),
            IngestTime = Time(e.IngestTime),
            RecordType = e.RecordType,
            Operation = e.Operation,
            Workload = e.Workload ?? "",
            ContentType = e.ContentType ?? "",
        };
        header.ExtendedProperties.AddRange(e.ExtendedProperties.Select(NameValue));
        return header;
    }

    private static Proto.NameValue NameValue(NameValue pair) => new() { Name = pair.Name, Value = pair.Value ?? "" };

    private static Proto.ClientAddress? Address(ClientAddress? address) => address is null ? null : new Proto.ClientAddress
    {
        Ip = address.Ip ?? "",
        Port = address.Port ?? 0,
        Raw = address.Raw ?? "",
        SourceField = address.SourceField ?? "",
        Network = address.Network ?? "",
    };

    private static Proto.GeoLocation? Location(GeoLocation? location)
    {
        if (location is null)
        {
            return null;
        }

        var message = new Proto.GeoLocation
        {
            CountryCode = location.CountryCode ?? "",
            CountryName = location.CountryName ?? "",
            Region = location.Region ?? "",
            City = location.City ?? "",
            Asn = location.Asn ?? 0,
            AsOrganization = location.AsOrganization ?? "",
        };
        if (location.Latitude is { } latitude)
        {
            message.Latitude = latitude;
        }

        if (location.Longitude is { } longitude)
        {
            message.Longitude = longitude;
        }

        return message;
    }

    private static Proto.DeviceInfo? Device(DeviceInfo? device)
    {
        if (device is null)
        {
            return null;
        }

        var message = new Proto.DeviceInfo
        {
            OperatingSystem = device.OperatingSystem ?? "",
            Browser = device.Browser ?? "",
            TrustType = device.TrustType ?? "",
            DeviceId = device.DeviceId ?? "",
            DisplayName = device.DisplayName ?? "",
        };
        if (device.IsCompliant is { } compliant)
        {
            message.IsCompliant = compliant;
        }

        if (device.IsManaged is { } managed)
        {
            message.IsManaged = managed;
        }

        return message;
    }

    private static Timestamp? Time(DateTimeOffset? time) => time is { } t ? Timestamp.FromDateTimeOffset(t) : null;
}
