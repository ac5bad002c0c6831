using System.Net;

namespace O365Activity.Storage.History;

/// <summary>Which side of an admin change a user filter matches.</summary>
public enum UserRole
{
    /// <summary>Ingress: the user who signed in; admin: the actor or the target.</summary>
    Any = 0,

    /// <summary>Admin: the user made the change.</summary>
    Actor = 1,

    /// <summary>Admin: the change was made to the user.</summary>
    Target = 2,
}

/// <summary>
/// One page of a history query over a source's ingress or admin events (<see cref="IActivityHistory.QueryAsync"/>).
/// Events come in sequence order (<see cref="NewestFirst"/>: descending), after <see cref="After"/>.
/// </summary>
/// <param name="Kind"><see cref="EventKind.Ingress"/> or <see cref="EventKind.Admin"/>.</param>
/// <param name="Start">Events whose event time is at or after this (UTC); null: no lower bound.</param>
/// <param name="End">Events whose event time is before this (UTC); null: no upper bound.</param>
/// <param name="User">A user in the form <see cref="ActivityFacts.UserKey"/> gives; null: every user.</param>
/// <param name="Role">Which side of an admin change <see cref="User"/> matches.</param>
/// <param name="Results">Only events with one of these results (<see cref="ActivityFacts.Result"/>); empty: any.</param>
/// <param name="Actions">Admin: only these actions; empty: any.</param>
/// <param name="Network">Only events whose address is inside this network (a single address is a /32 or /128); null: any.</param>
/// <param name="NewestFirst">Descending sequence order; else ascending.</param>
/// <param name="After">The sequence the previous page ended at (exclusive, in the page order); null for the first page.</param>
/// <param name="Limit">The most events returned, 1 or more.</param>
/// <param name="FlaggedOnly">Ingress: only sign-ins with at least one risk flag.</param>
public sealed record ActivityQuery(
    EventKind Kind,
    DateTimeOffset? Start,
    DateTimeOffset? End,
    string? User,
    UserRole Role,
    IReadOnlyList<short> Results,
    IReadOnlyList<short> Actions,
    IPNetwork? Network,
    bool NewestFirst,
    long? After,
    int Limit,
    bool FlaggedOnly = false);

/// <summary>Sign-ins counted at one location (<see cref="IActivityHistory.CountLocationsAsync"/>).</summary>
/// <param name="CountryCode">ISO 3166 code; null when the location knows only coordinates.</param>
/// <param name="CountryName">The country's English name; null when unknown.</param>
/// <param name="Region">The region (state, province); null when unknown.</param>
/// <param name="City">The city; null when unknown.</param>
/// <param name="Latitude">Degrees north; null when unknown.</param>
/// <param name="Longitude">Degrees east; null when unknown.</param>
/// <param name="Successes">Successful sign-ins.</param>
/// <param name="Failures">Failed sign-ins.</param>
/// <param name="Interrupted">Sign-ins stopped for a further step.</param>
/// <param name="UserCount">Distinct users.</param>
/// <param name="Users">Up to <see cref="IActivityHistory.LocationUserLimit"/> of them, in order.</param>
public sealed record LocationCount(
    string? CountryCode,
    string? CountryName,
    string? Region,
    string? City,
    double? Latitude,
    double? Longitude,
    long Successes,
    long Failures,
    long Interrupted,
    long UserCount,
    IReadOnlyList<string> Users)
{
    /// <summary>The place as a <see cref="O365Activity.Contracts.Activity.GeoLocation"/> (no ASN).</summary>
    public O365Activity.Contracts.Activity.GeoLocation Location => new()
    {
        CountryCode = CountryCode, CountryName = CountryName, Region = Region, City = City, Latitude = Latitude, Longitude = Longitude,
    };
}

/// <summary>Sign-ins by location over a time range.</summary>
/// <param name="Locations">Located, reliable sign-ins by location, most sign-ins first.</param>
/// <param name="Unreliable">Sign-ins left out because their location is not the user's (federated domains).</param>
/// <param name="Unlocated">Sign-ins left out because their address has no known location (or they have no address).</param>
public sealed record LocationSummary(IReadOnlyList<LocationCount> Locations, long Unreliable, long Unlocated);

/// <summary>Something a user signed in from or with, over a range (<see cref="UserSummary"/>).</summary>
/// <param name="Value">The country code, the address, or the application id (the name when the id is absent).</param>
/// <param name="Label">The country's name, the address's country code, or the application's name; null when unknown.</param>
/// <param name="SignIns">Sign-ins with it.</param>
/// <param name="Failures">Failed sign-ins with it.</param>
/// <param name="FirstSeen">The earliest event time (UTC).</param>
/// <param name="LastSeen">The latest event time (UTC).</param>
public sealed record SeenValue(string Value, string? Label, long SignIns, long Failures, DateTimeOffset FirstSeen, DateTimeOffset LastSeen);

/// <summary>Where and with what one user signed in over a range, latest last-seen first in each list.</summary>
/// <param name="Countries">By country code.</param>
/// <param name="Addresses">By client address.</param>
/// <param name="Applications">By application.</param>
/// <param name="SignIns">Sign-ins in the range.</param>
/// <param name="Failures">Failed sign-ins in the range.</param>
public sealed record UserSummary(IReadOnlyList<SeenValue> Countries, IReadOnlyList<SeenValue> Addresses, IReadOnlyList<SeenValue> Applications, long SignIns, long Failures);
