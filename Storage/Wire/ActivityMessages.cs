using Google.Protobuf.WellKnownTypes;
using O365Activity.Contracts.Activity;
using Proto = O365Activity.Protos.V1;

namespace O365Activity.Storage.Wire;

/// <summary>
/// The one place where activity contract types (the normalizer's output) become gRPC messages (STYLE.md,
/// "Contracts"). The event store keeps these messages' encoded form (<see cref="EventWireFormat"/>), so the mapping
/// happens once per record, when it is stored.
/// </summary>
public static class ActivityMessages
{
    /// <summary>Maps a sign-in.</summary>
    public static Proto.IngressEvent ToProto(IngressEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var message = Body(e);
        message.Header = ToProtoHeader(e);
        message.RawJson = e.RawJson;
        return message;
    }

    /// <summary>The message of <paramref name="e"/> without its header and raw JSON (see <see cref="EventWireFormat"/>).</summary>
    internal static Proto.IngressEvent Body(IngressEvent e)
    {
        var message = new Proto.IngressEvent
        {
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
        ArgumentNullException.ThrowIfNull(e);
        var message = Body(e);
        message.Header = ToProtoHeader(e);
        message.RawJson = e.RawJson;
        return message;
    }

    /// <summary>The message of <paramref name="e"/> without its header and raw JSON (see <see cref="EventWireFormat"/>).</summary>
    internal static Proto.AdminEvent Body(AdminEvent e)
    {
        var message = new Proto.AdminEvent
        {
            Action = (Proto.AdminAction)(int)e.Action,
            Actor = e.Actor,
            ActorKind = (Proto.ActorKind)(int)e.ActorKind,
            ActorAddress = Address(e.ActorAddress),
            TargetKind = (Proto.TargetKind)(int)e.TargetKind,
            Target = e.Target ?? "",
            ParametersText = e.ParametersText ?? "",
            Result = (Proto.ActivityResult)(int)e.Result,
            ResultStatus = e.ResultStatus ?? "",
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
        ArgumentNullException.ThrowIfNull(e);
        var message = Body(e);
        message.Header = ToProtoHeader(e);
        message.RawJson = e.RawJson;
        return message;
    }

    /// <summary>The message of <paramref name="e"/> without its header and raw JSON (see <see cref="EventWireFormat"/>).</summary>
    internal static Proto.RawRecord Body(RawRecord e)
    {
        var message = new Proto.RawRecord
        {
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

    /// <summary>Maps what every event of a record carries (the record's header), its sequence included.</summary>
    public static Proto.RecordHeader ToProtoHeader(ActivityEvent e)
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

    /// <summary>A location as its message; null for null.</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(location))]
    public static Proto.GeoLocation? Location(GeoLocation? location)
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
