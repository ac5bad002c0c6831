using System.Net;
using O365Activity.Contracts.Activity;

namespace O365Activity.Storage.History;

/// <summary>
/// What the history queries filter and group an event by, taken from its normalized form when it is stored (the
/// columns of migration 5; PostgreSQL indexes them, <c>Storage/Migrations/0005_history.sql</c>). Texts that are compared
/// without regard to letter case are kept in lower case (<see cref="UserKey"/>).
/// </summary>
/// <param name="User">Ingress: the user (<see cref="IngressEvent.User"/>); admin: the actor. Lower case; null when the record names none.</param>
/// <param name="Target">Admin: the target (<see cref="AdminEvent.Target"/>), lower case; null otherwise.</param>
/// <param name="Result">Ingress: the <see cref="SignInResult"/>; admin: the <see cref="ActivityResult"/>; 0 for raw-only records.</param>
/// <param name="Action">Admin: the <see cref="AdminAction"/>; null otherwise.</param>
/// <param name="ClientIp">Ingress: the client address; admin: the actor's address; null when the record has no usable one.</param>
/// <param name="Location">Ingress: the address's location (GeoIP); null when unknown or for other kinds.</param>
/// <param name="LocationReliable">Ingress: whether the location is the user's (false for federated domains); null for other kinds.</param>
/// <param name="ApplicationId">Ingress: the application signed in to (its id as received); null when absent.</param>
/// <param name="ApplicationName">Ingress: the application's name; null when unknown.</param>
/// <param name="DeviceId">Ingress: the device's id as received; null when absent.</param>
public sealed record ActivityFacts(
    string? User,
    string? Target,
    short Result,
    short? Action,
    IPAddress? ClientIp,
    GeoLocation? Location,
    bool? LocationReliable,
    string? ApplicationId,
    string? ApplicationName,
    string? DeviceId = null)
{
    /// <summary>The facts of a record of neither kind: nothing to filter on.</summary>
    public static ActivityFacts None { get; } = new(null, null, 0, null, null, null, null, null, null);

    /// <summary>The facts of a normalized event (an <see cref="IngressEvent"/> or <see cref="AdminEvent"/>); <see cref="None"/> for null or another kind.</summary>
    public static ActivityFacts Of(ActivityEvent? activity) => activity switch
    {
        IngressEvent ingress => new ActivityFacts(
            UserKey(ingress.User),
            null,
            (short)ingress.Result,
            null,
            Address(ingress.ClientAddress),
            ingress.Location is { } location && (location.CountryCode is not null || location.Latitude is not null) ? location : null,
            ingress.LocationReliable,
            Clean(ingress.ApplicationId),
            Clean(ingress.ApplicationName),
            ingress.Device?.DeviceId is { Length: > 0 } device ? Clean(device) : null),
        AdminEvent admin => new ActivityFacts(
            UserKey(admin.Actor),
            UserKey(admin.Target),
            (short)admin.Result,
            (short)admin.Action,
            Address(admin.ActorAddress),
            null,
            null,
            null,
            null),
        _ => None,
    };

    /// <summary>
    /// The form a user name is kept and compared in: trimmed, lower case (invariant culture), without NUL (which
    /// PostgreSQL's text refuses); null for an empty name.
    /// </summary>
    public static string? UserKey(string? user)
    {
        var trimmed = Clean(user)?.Trim();
        return string.IsNullOrEmpty(trimmed) ? null : trimmed.ToLowerInvariant();
    }

    private static IPAddress? Address(ClientAddress? address) =>
        address?.Ip is { Length: > 0 } ip && IPAddress.TryParse(ip, out var parsed) ? parsed : null;

    private static string? Clean(string? text) =>
        text is null ? null : text.Contains('\0', StringComparison.Ordinal) ? text.Replace('\0', '\uFFFD') : text;
}
