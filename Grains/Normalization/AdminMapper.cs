using System.Net;
using O365Activity.Contracts.Activity;

namespace O365Activity.Grains.Normalization;

/// <summary>
/// Maps admin records to <see cref="AdminEvent"/> (PROTOCOL.md §8, "Admin activity"; cases A01–A05, B04, L02).
/// </summary>
/// <remarks>
/// <para>Actor: <c>UserId</c>, else the UPN (Type 5) of the <c>Actor</c> list, else its first entry, else <c>unknown</c>.
/// Kind: <see cref="ActorKind.System"/> for <c>NT AUTHORITY\…</c>, <c>SHAREPOINT\…</c>, <c>app@sharepoint</c> and
/// <c>Certificate</c>; <see cref="ActorKind.ServicePrincipal"/> for <c>ServicePrincipal_…</c>; then by <c>UserType</c>
/// (4 System; 5, 6 ServicePrincipal); then <see cref="ActorKind.User"/> for a name with <c>@</c> or UserType 0, 2, 9, 10.</para>
/// <para>Address: <c>ActorIpAddress</c> first for Azure AD records (RecordType 8 or workload AzureActiveDirectory), else
/// <c>ClientIP</c> → <c>ClientIPAddress</c> → <c>ActorIpAddress</c>.</para>
/// <para>Result: for Exchange cmdlet records (RecordType 1 or 18, or an operation of the form <c>Verb-Noun</c>)
/// <c>True</c>/<c>False</c>; for every other record <c>Success</c>/<c>Succeeded</c>, <c>PartiallySucceeded</c>,
/// <c>Failed</c>/<c>Failure</c>; compared case-insensitively; any other value is <see cref="ActivityResult.Unknown"/>.</para>
/// </remarks>
internal static class AdminMapper
{
    public static AdminEvent Map(in AuditRecordView view, in RecordHeader h, AdminAction action, ClientAddress? defaultAddress, ImmutableArray<PropertyChange> changes)
    {
        var actors = view.Identities(RecordField.Actor);
        var (actor, actorKind) = Actor(in view, actors);
        var azureAd = h.RecordType == 8 || string.Equals(h.Workload, "AzureActiveDirectory", StringComparison.OrdinalIgnoreCase);
        var parameters = view.NameValues(RecordField.Parameters, out var parametersText);
        var resultStatus = view.Text(RecordField.ResultStatus);
        var target = Target(in view, action, azureAd, changes, parameters);

        return new AdminEvent
        {
            TenantId = h.TenantId,
            RecordId = h.RecordId,
            EventTime = h.EventTime,
            IngestTime = h.IngestTime,
            RecordType = h.RecordType,
            Operation = h.Operation,
            Workload = h.Workload,
            ContentType = h.ContentType,
            RawJson = h.RawJson,
            ExtendedProperties = h.ExtendedProperties,
            Action = action,
            Actor = actor,
            ActorKind = actorKind,
            ActorAddress = azureAd ? view.Address(ClientAddressParser.AzureAdActorFields) : defaultAddress,
            TargetKind = target.Kind,
            Target = target.Name,
            TargetDetails = target.Details,
            Changes = changes,
            Parameters = parameters,
            ParametersText = parametersText,
            Result = Result(resultStatus, IsCmdlet(h)),
            ResultStatus = resultStatus,
        };
    }

    /// <summary>Maps <c>ResultStatus</c> per source (case L02): <c>True</c>/<c>False</c> for cmdlets, <c>Success</c>/<c>Succeeded</c>/<c>PartiallySucceeded</c>/<c>Failed</c> elsewhere.</summary>
    internal static ActivityResult Result(string? resultStatus, bool cmdlet)
    {
        if (resultStatus is null)
        {
            return ActivityResult.Unknown;
        }

        var s = resultStatus.AsSpan().Trim();
        if (cmdlet)
        {
            return s.Equals("True", StringComparison.OrdinalIgnoreCase) ? ActivityResult.Success
                : s.Equals("False", StringComparison.OrdinalIgnoreCase) ? ActivityResult.Failure
                : ActivityResult.Unknown;
        }

        return s.Equals("Success", StringComparison.OrdinalIgnoreCase) || s.Equals("Succeeded", StringComparison.OrdinalIgnoreCase)
            ? ActivityResult.Success
            : s.Equals("PartiallySucceeded", StringComparison.OrdinalIgnoreCase)
                ? ActivityResult.PartialSuccess
                : s.Equals("Failed", StringComparison.OrdinalIgnoreCase) || s.Equals("Failure", StringComparison.OrdinalIgnoreCase)
                    ? ActivityResult.Failure
                    : ActivityResult.Unknown;
    }

    private static bool IsCmdlet(in RecordHeader h)
    {
        if (h.RecordType is 1 or 18)
        {
            return true;
        }

        // Verb-Noun: letters, one hyphen, letters or digits (Set-Mailbox, Add-MailboxPermission).
        var op = h.Operation.AsSpan();
        var hyphen = op.IndexOf('-');
        if (hyphen <= 0 || hyphen == op.Length - 1 || op[(hyphen + 1)..].Contains('-'))
        {
            return false;
        }

        foreach (var c in op)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static (string Actor, ActorKind Kind) Actor(in AuditRecordView view, ImmutableArray<Identity> actors)
    {
        var actor = SignInMapper.Principal(view.NonEmptyText(RecordField.UserId))
            ?? Find(actors, a => a.Type == 5 && a.Id.Contains('@'))
            ?? Find(actors, a => !IsMarker(a.Id));
        if (actor is null)
        {
            return ("unknown", ActorKind.Unknown);
        }

        if (actor.StartsWith(@"NT AUTHORITY\", StringComparison.OrdinalIgnoreCase)
            || actor.StartsWith(@"SHAREPOINT\", StringComparison.OrdinalIgnoreCase)
            || actor.Equals("app@sharepoint", StringComparison.OrdinalIgnoreCase)
            || actor.Equals("Certificate", StringComparison.OrdinalIgnoreCase))
        {
            return (actor, ActorKind.System);
        }

        if (actor.StartsWith("ServicePrincipal_", StringComparison.OrdinalIgnoreCase))
        {
            return (actor, ActorKind.ServicePrincipal);
        }

        var kind = view.Int32(RecordField.UserType) switch
        {
            4 => ActorKind.System,
            5 or 6 => ActorKind.ServicePrincipal,
            0 or 2 or 9 or 10 => ActorKind.User,
            _ => actor.Contains('@') ? ActorKind.User : ActorKind.Unknown,
        };
        return (actor, kind);
    }

    private readonly record struct TargetInfo(TargetKind Kind, string? Name, ImmutableArray<NameValue> Details);

    private static TargetInfo Target(
        in AuditRecordView view,
        AdminAction action,
        bool azureAd,
        ImmutableArray<PropertyChange> changes,
        ImmutableArray<NameValue> parameters)
    {
        var objectId = SignInMapper.Principal(view.NonEmptyText(RecordField.ObjectId));
        switch (action)
        {
            case AdminAction.UserAdded or AdminAction.UserUpdated or AdminAction.UserDeleted or AdminAction.PasswordReset
                or AdminAction.PasswordChanged or AdminAction.PasswordForceChangeSet or AdminAction.UserLicenseChanged:
                return Directory(in view, objectId, TargetKind.User, preferName: false);
            case AdminAction.GroupAdded or AdminAction.GroupUpdated or AdminAction.GroupDeleted:
                return Directory(in view, objectId ?? Changed(changes, "DisplayName", added: true), TargetKind.Group, preferName: true);
            case AdminAction.ServicePrincipalAdded or AdminAction.ServicePrincipalCredentialsAdded or AdminAction.ApplicationAdded
                or AdminAction.ApplicationConsentGranted:
                return Directory(in view, Changed(changes, "DisplayName", added: true) ?? objectId, TargetKind.Application, preferName: true);
            case AdminAction.GroupMemberAdded or AdminAction.GroupMemberRemoved:
                {
                    var added = action == AdminAction.GroupMemberAdded;
                    return Member(in view, objectId, [
                        Detail("Group", Changed(changes, "Group.DisplayName", added)),
                        Detail("GroupId", Changed(changes, "Group.ObjectID", added))]);
                }

            case AdminAction.RoleMemberAdded or AdminAction.RoleMemberRemoved:
                {
                    var added = action == AdminAction.RoleMemberAdded;
                    return Member(in view, objectId, [
                        Detail("Role", Changed(changes, "Role.DisplayName", added)),
                        Detail("RoleTemplateId", Changed(changes, "Role.TemplateId", added))]);
                }

            case AdminAction.SharePointGroupAdded or AdminAction.SharePointGroupRemoved or AdminAction.SharePointGroupUpdated:
                {
                    var site = view.NonEmptyText(RecordField.SiteUrl);
                    var group = EventDataValue(view.Text(RecordField.EventData), "Group") ?? view.NonEmptyText(RecordField.TargetUserOrGroupName) ?? objectId;
                    return new TargetInfo(TargetKind.Group, group, Details(Detail("Site", site)));
                }

            case AdminAction.SharePointGroupMemberAdded or AdminAction.SharePointGroupMemberRemoved:
                {
                    var site = view.NonEmptyText(RecordField.SiteUrl);
                    var group = EventDataValue(view.Text(RecordField.EventData), "Group");
                    var member = view.NonEmptyText(RecordField.TargetUserOrGroupName);
                    var memberType = view.NonEmptyText(RecordField.TargetUserOrGroupType);
                    if (member is null)
                    {
                        return new TargetInfo(TargetKind.Group, group ?? objectId, Details(Detail("Site", site)));
                    }

                    var kind = memberType is not null && (memberType.Equals("SecurityGroup", StringComparison.OrdinalIgnoreCase)
                        || memberType.Equals("SharePointGroup", StringComparison.OrdinalIgnoreCase))
                        ? TargetKind.Group
                        : TargetKind.User;
                    return new TargetInfo(kind, member, Details(Detail("Group", group), Detail("Site", site), Detail("MemberType", memberType)));
                }

            case AdminAction.SiteCollectionAdminAdded or AdminAction.SiteCollectionAdminRemoved:
                {
                    var site = view.NonEmptyText(RecordField.SiteUrl) ?? objectId;
                    var admin = view.NonEmptyText(RecordField.TargetUserOrGroupName)
                        ?? StripClaim(Changed(changes, "SiteAdmin", action == AdminAction.SiteCollectionAdminAdded));
                    return admin is null
                        ? new TargetInfo(TargetKind.Site, site, [])
                        : new TargetInfo(TargetKind.User, admin, Details(Detail("Site", site)));
                }

            case AdminAction.SitePermissionsModified or AdminAction.PermissionLevelModified or AdminAction.SharingInheritanceBroken:
                {
                    var site = view.NonEmptyText(RecordField.SiteUrl);
                    var name = objectId ?? site;
                    return new TargetInfo(TargetKind.Site, name, Details(Detail("Site", site == name ? null : site)));
                }

            case AdminAction.MailboxUpdated:
                return new TargetInfo(TargetKind.Mailbox, Parameter(parameters, "Identity") ?? objectId, []);
            case AdminAction.MailboxPermissionAdded or AdminAction.MailboxPermissionRemoved:
                return new TargetInfo(
                    TargetKind.Mailbox,
                    Parameter(parameters, "Identity") ?? objectId,
                    Details(Detail("User", Parameter(parameters, "User")), Detail("AccessRights", Parameter(parameters, "AccessRights"))));
            case AdminAction.InboxRuleCreated or AdminAction.InboxRuleUpdated:
                return new TargetInfo(
                    TargetKind.Rule,
                    Parameter(parameters, "Name") ?? Parameter(parameters, "Identity") ?? objectId,
                    Details(Detail("Mailbox", Parameter(parameters, "Mailbox"))));
            case AdminAction.TransportRuleCreated or AdminAction.TransportRuleUpdated:
                return new TargetInfo(TargetKind.Rule, Parameter(parameters, "Name") ?? Parameter(parameters, "Identity") ?? objectId, []);
            default:
                return azureAd
                    ? Directory(in view, objectId, null, preferName: false)
                    : new TargetInfo(TargetKind.Other, Parameter(parameters, "Identity") ?? objectId, []);
        }
    }

    /// <summary>
    /// A directory object target from the <c>Target</c> list: the UPN (Type 5 with <c>@</c>) or the display name
    /// (Type 1), as <paramref name="preferName"/> says, then <paramref name="fallback"/> (usually <c>ObjectId</c>), then
    /// the object's GUID. The kind is <paramref name="kind"/>, or for generic records the list's kind marker
    /// (<c>User</c>, <c>Group</c>, <c>ServicePrincipal</c>, …). The object's GUID goes in the details as <c>ObjectId</c>.
    /// </summary>
    private static TargetInfo Directory(in AuditRecordView view, string? fallback, TargetKind? kind, bool preferName)
    {
        var targets = view.Identities(RecordField.Target);
        var upn = Find(targets, t => t.Type == 5 && t.Id.Contains('@'));
        var displayName = Find(targets, t => t.Type == 1);
        var guid = Find(targets, t => Guid.TryParse(t.Id, out _));
        var name = preferName
            ? displayName ?? upn ?? fallback ?? guid
            : upn ?? fallback ?? displayName ?? guid;
        return new TargetInfo(kind ?? MarkerKind(targets) ?? TargetKind.Other, name, Details(Detail("ObjectId", guid == name ? null : guid)));
    }

    private static TargetInfo Member(in AuditRecordView view, string? objectId, NameValue?[] details)
    {
        var member = Directory(in view, objectId, null, preferName: false);
        var kind = member.Kind == TargetKind.Other ? TargetKind.User : member.Kind;
        return new TargetInfo(kind, member.Name, Details([.. details, .. member.Details]));
    }

    private static TargetKind? MarkerKind(ImmutableArray<Identity> targets)
    {
        foreach (var t in targets)
        {
            switch (t.Id)
            {
                case "User":
                    return TargetKind.User;
                case "Group":
                    return TargetKind.Group;
                case "ServicePrincipal" or "Application":
                    return TargetKind.Application;
                case "Role":
                    return TargetKind.Role;
            }
        }

        return null;
    }

    private static bool IsMarker(string id) =>
        id is "User" or "Group" or "ServicePrincipal" or "Application" or "Role" or "Device" or "Other";

    private static string? Find(ImmutableArray<Identity> identities, Func<Identity, bool> predicate)
    {
        foreach (var identity in identities)
        {
            if (predicate(identity))
            {
                return identity.Id;
            }
        }

        return null;
    }

    /// <summary>The new value (or, for removals, the old value) of a modified property, falling back to the other; null when empty.</summary>
    private static string? Changed(ImmutableArray<PropertyChange> changes, string name, bool added)
    {
        foreach (var change in changes)
        {
            if (string.Equals(change.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                var (first, second) = added ? (change.NewValue, change.OldValue) : (change.OldValue, change.NewValue);
                return !string.IsNullOrWhiteSpace(first) ? first : !string.IsNullOrWhiteSpace(second) ? second : null;
            }
        }

        return null;
    }

    private static string? Parameter(ImmutableArray<NameValue> parameters, string name)
    {
        foreach (var p in parameters)
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(p.Value))
            {
                return p.Value;
            }
        }

        return null;
    }

    /// <summary>The text of <c>&lt;name&gt;…&lt;/name&gt;</c> in a SharePoint <c>EventData</c> XML fragment (entities decoded); null when absent or empty.</summary>
    internal static string? EventDataValue(string? eventData, string name)
    {
        if (string.IsNullOrEmpty(eventData))
        {
            return null;
        }

        var open = $"<{name}>";
        var start = eventData.IndexOf(open, StringComparison.OrdinalIgnoreCase);
        if (start < 0)
        {
            return null;
        }

        start += open.Length;
        var end = eventData.IndexOf($"</{name}>", start, StringComparison.OrdinalIgnoreCase);
        if (end < 0)
        {
            return null;
        }

        var value = WebUtility.HtmlDecode(eventData[start..end]).Trim();
        return value.Length == 0 ? null : value;
    }

    /// <summary>A SharePoint claim (<c>i:0#.f|membership|user@example.com</c>) reduced to its last part; other text as is.</summary>
    private static string? StripClaim(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var bar = value.LastIndexOf('|');
        return bar >= 0 && bar < value.Length - 1 ? value[(bar + 1)..] : value;
    }

    private static NameValue? Detail(string name, string? value) =>
        string.IsNullOrWhiteSpace(value) ? null : new NameValue { Name = name, Value = value };

    private static ImmutableArray<NameValue> Details(params ReadOnlySpan<NameValue?> details)
    {
        var builder = ImmutableArray.CreateBuilder<NameValue>(details.Length);
        foreach (var detail in details)
        {
            if (detail is not null)
            {
                builder.Add(detail);
            }
        }

        return builder.DrainToImmutable();
    }
}
