namespace O365Activity.Contracts.Activity;

/// <summary>
/// An administrative change: users, passwords, groups, roles, licences, applications (Azure AD); SharePoint groups and
/// site permissions; Exchange admin cmdlets. Source: PROTOCOL.md §8, "Admin activity"; cases A01–A08, B04.
/// </summary>
[GenerateSerializer, Immutable, Alias("o365.AdminEvent")]
public sealed record AdminEvent : ActivityEvent
{
    /// <summary>The canonical action; <see cref="AdminAction.Other"/> for admin operations not in the table (see <see cref="ActivityEvent.Operation"/>).</summary>
    [Id(0)] public AdminAction Action { get; init; }

    /// <summary>Who did it: the UPN, service principal or system account from <c>UserId</c> (and <c>Actor</c>).</summary>
    [Id(1)] public string Actor { get; init; } = "unknown";

    /// <summary>What kind of principal <see cref="Actor"/> is.</summary>
    [Id(2)] public ActorKind ActorKind { get; init; }

    /// <summary>The actor's address: <c>ActorIpAddress</c> for Azure AD, else <c>ClientIP</c>/<c>ClientIPAddress</c>; null when none.</summary>
    [Id(3)] public ClientAddress? ActorAddress { get; init; }

    /// <summary>The main target's kind.</summary>
    [Id(4)] public TargetKind TargetKind { get; init; }

    /// <summary>The main target (user UPN, group or role name, site URL, mailbox identity); null when the record names none.</summary>
    [Id(5)] public string? Target { get; init; }

    /// <summary>Further named parts of the target (for example the role for a role-membership change, the group for a membership change), by name.</summary>
    [Id(6)] public ImmutableArray<NameValue> TargetDetails { get; init; } = [];

    /// <summary>What changed, from <c>ModifiedProperties</c> (case A02: names only for Exchange item updates).</summary>
    [Id(7)] public ImmutableArray<PropertyChange> Changes { get; init; } = [];

    /// <summary>Cmdlet parameters (Exchange <c>Parameters</c> as a list); empty when the record sent them as one string (see <see cref="ParametersText"/>).</summary>
    [Id(8)] public ImmutableArray<NameValue> Parameters { get; init; } = [];

    /// <summary><c>Parameters</c> when the record sent it as one string (case A03), kept as received; null otherwise.</summary>
    [Id(9)] public string? ParametersText { get; init; }

    /// <summary>The outcome, from <c>ResultStatus</c> mapped per workload.</summary>
    [Id(10)] public ActivityResult Result { get; init; }

    /// <summary>The record's <c>ResultStatus</c> as received.</summary>
    [Id(11)] public string? ResultStatus { get; init; }
}
