using System.Collections.Frozen;
using O365Activity.Contracts.Activity;

namespace O365Activity.Grains.Normalization;

/// <summary>
/// Which audit records are admin activity, and the canonical <see cref="AdminAction"/> of each admin operation
/// (PROTOCOL.md §8, "Admin activity"; case A01).
/// </summary>
/// <remarks>
/// A record is admin activity when it is not a sign-in and either its <c>Operation</c> is in the table below (whatever
/// its RecordType: some sources send these operations with RecordType 0 or a SharePoint sharing type), or its
/// RecordType is an admin type: 1 ExchangeAdmin, 8 AzureActiveDirectory or 18 SecurityComplianceCenterEOPCmdlet;
/// operations of those types that are not in the table become <see cref="AdminAction.Other"/> with the operation name.
/// Operation names are compared case-insensitively and with or without their trailing period (<c>Add member to role.</c>,
/// <c>Add Member To Role</c>); the event always carries the operation exactly as received.
/// </remarks>
public static class AdminOperations
{
    /// <summary>The RecordTypes whose every operation is admin activity: 1 ExchangeAdmin, 8 AzureActiveDirectory, 18 SecurityComplianceCenterEOPCmdlet.</summary>
    public static readonly FrozenSet<int> AdminRecordTypes = FrozenSet.Create(1, 8, 18);

    /// <summary>The operation names of the table, with their real spelling (Azure AD names end with a period), and their action.</summary>
    public static readonly ImmutableArray<KeyValuePair<string, AdminAction>> Table =
    [
        // Azure AD (Audit.AzureActiveDirectory, RecordType 8).
        new("Add user.", AdminAction.UserAdded),
        new("Update user.", AdminAction.UserUpdated),
        new("Delete user.", AdminAction.UserDeleted),
        new("Reset user password.", AdminAction.PasswordReset),
        new("Change user password.", AdminAction.PasswordChanged),
        new("Set force change user password.", AdminAction.PasswordForceChangeSet),
        new("Change user license.", AdminAction.UserLicenseChanged),
        new("Add group.", AdminAction.GroupAdded),
        new("Update group.", AdminAction.GroupUpdated),
        new("Delete group.", AdminAction.GroupDeleted),
        new("Add member to group.", AdminAction.GroupMemberAdded),
        new("Remove member from group.", AdminAction.GroupMemberRemoved),
        new("Add member to role.", AdminAction.RoleMemberAdded),
        new("Remove member from role.", AdminAction.RoleMemberRemoved),
        new("Add service principal.", AdminAction.ServicePrincipalAdded),
        new("Add service principal credentials.", AdminAction.ServicePrincipalCredentialsAdded),
        new("Add application.", AdminAction.ApplicationAdded),
        new("Consent to application.", AdminAction.ApplicationConsentGranted),

        // SharePoint (Audit.SharePoint).
        new("GroupAdded", AdminAction.SharePointGroupAdded),
        new("GroupRemoved", AdminAction.SharePointGroupRemoved),
        new("GroupUpdated", AdminAction.SharePointGroupUpdated),
        new("AddedToGroup", AdminAction.SharePointGroupMemberAdded),
        new("RemovedFromGroup", AdminAction.SharePointGroupMemberRemoved),
        new("SitePermissionsModified", AdminAction.SitePermissionsModified),
        new("SiteCollectionAdminAdded", AdminAction.SiteCollectionAdminAdded),
        new("SiteCollectionAdminRemoved", AdminAction.SiteCollectionAdminRemoved),
        new("PermissionLevelModified", AdminAction.PermissionLevelModified),
        new("SharingInheritanceBroken", AdminAction.SharingInheritanceBroken),

        // Exchange admin cmdlets (Audit.Exchange, RecordType 1).
        new("Set-Mailbox", AdminAction.MailboxUpdated),
        new("Add-MailboxPermission", AdminAction.MailboxPermissionAdded),
        new("Remove-MailboxPermission", AdminAction.MailboxPermissionRemoved),
        new("New-InboxRule", AdminAction.InboxRuleCreated),
        new("Set-InboxRule", AdminAction.InboxRuleUpdated),
        new("New-TransportRule", AdminAction.TransportRuleCreated),
        new("Set-TransportRule", AdminAction.TransportRuleUpdated),
    ];

    private static readonly FrozenDictionary<string, AdminAction> ByName =
        Table.ToFrozenDictionary(e => e.Key.TrimEnd('.'), e => e.Value, StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, AdminAction>.AlternateLookup<ReadOnlySpan<char>> ByNameSpan =
        ByName.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The action of an operation name in the table (case-insensitive, trailing period and white space optional); null when it is not in the table.</summary>
    /// <param name="operation">The record's <c>Operation</c> as received.</param>
    public static AdminAction? Lookup(string? operation)
    {
        if (operation is null)
        {
            return null;
        }

        var key = operation.AsSpan().Trim().TrimEnd('.').TrimEnd();
        return ByNameSpan.TryGetValue(key, out var action) ? action : null;
    }

    /// <summary>
    /// The admin action of a record that is not a sign-in: the table's action for its operation; <see cref="AdminAction.Other"/>
    /// for any other operation of an admin RecordType (1, 8, 18); null when the record is not admin activity.
    /// </summary>
    /// <param name="operation">The record's <c>Operation</c>; may be null.</param>
    /// <param name="recordType">The record's <c>RecordType</c>.</param>
    public static AdminAction? Classify(string? operation, int recordType) =>
        Lookup(operation) ?? (AdminRecordTypes.Contains(recordType) ? AdminAction.Other : null);
}
