namespace O365Activity.Contracts.Activity;

/// <summary>
/// The canonical admin actions. Each maps one or more audit <c>Operation</c> names (PROTOCOL.md §8, "Admin activity");
/// operations of admin record types that are not in the table map to <see cref="Other"/>.
/// Numbers are stable: they are the proto enum's numbers too. Never renumber.
/// </summary>
public enum AdminAction
{
    /// <summary>An admin operation that has no canonical action; the event carries the operation name.</summary>
    Other = 0,

    /// <summary><c>Add user.</c></summary>
    UserAdded = 1,
    /// <summary><c>Update user.</c></summary>
    UserUpdated = 2,
    /// <summary><c>Delete user.</c></summary>
    UserDeleted = 3,
    /// <summary><c>Reset user password.</c></summary>
    PasswordReset = 4,
    /// <summary><c>Change user password.</c></summary>
    PasswordChanged = 5,
    /// <summary><c>Set force change user password.</c></summary>
    PasswordForceChangeSet = 6,
    /// <summary><c>Change user license.</c></summary>
    UserLicenseChanged = 7,
    /// <summary><c>Add group.</c></summary>
    GroupAdded = 8,
    /// <summary><c>Update group.</c></summary>
    GroupUpdated = 9,
    /// <summary><c>Delete group.</c></summary>
    GroupDeleted = 10,
    /// <summary><c>Add member to group.</c></summary>
    GroupMemberAdded = 11,
    /// <summary><c>Remove member from group.</c></summary>
    GroupMemberRemoved = 12,
    /// <summary><c>Add member to role.</c></summary>
    RoleMemberAdded = 13,
    /// <summary><c>Remove member from role.</c></summary>
    RoleMemberRemoved = 14,
    /// <summary><c>Add service principal.</c></summary>
    ServicePrincipalAdded = 15,
    /// <summary><c>Add service principal credentials.</c></summary>
    ServicePrincipalCredentialsAdded = 16,
    /// <summary><c>Add application.</c></summary>
    ApplicationAdded = 17,
    /// <summary><c>Consent to application.</c></summary>
    ApplicationConsentGranted = 18,
    /// <summary>SharePoint <c>GroupAdded</c>.</summary>
    SharePointGroupAdded = 19,
    /// <summary>SharePoint <c>GroupRemoved</c>.</summary>
    SharePointGroupRemoved = 20,
    /// <summary>SharePoint <c>GroupUpdated</c>.</summary>
    SharePointGroupUpdated = 21,
    /// <summary>SharePoint <c>AddedToGroup</c>.</summary>
    SharePointGroupMemberAdded = 22,
    /// <summary>SharePoint <c>RemovedFromGroup</c>.</summary>
    SharePointGroupMemberRemoved = 23,
    /// <summary>SharePoint <c>SitePermissionsModified</c>.</summary>
    SitePermissionsModified = 24,
    /// <summary>SharePoint <c>SiteCollectionAdminAdded</c>.</summary>
    SiteCollectionAdminAdded = 25,
    /// <summary>SharePoint <c>SiteCollectionAdminRemoved</c>.</summary>
    SiteCollectionAdminRemoved = 26,
    /// <summary>SharePoint <c>PermissionLevelModified</c>.</summary>
    PermissionLevelModified = 27,
    /// <summary>SharePoint <c>SharingInheritanceBroken</c>.</summary>
    SharingInheritanceBroken = 28,
    /// <summary>Exchange <c>Set-Mailbox</c>.</summary>
    MailboxUpdated = 29,
    /// <summary>Exchange <c>Add-MailboxPermission</c>.</summary>
    MailboxPermissionAdded = 30,
    /// <summary>Exchange <c>Remove-MailboxPermission</c>.</summary>
    MailboxPermissionRemoved = 31,
    /// <summary>Exchange <c>New-InboxRule</c>.</summary>
    InboxRuleCreated = 32,
    /// <summary>Exchange <c>Set-InboxRule</c>.</summary>
    InboxRuleUpdated = 33,
    /// <summary>Exchange <c>New-TransportRule</c>.</summary>
    TransportRuleCreated = 34,
    /// <summary>Exchange <c>Set-TransportRule</c>.</summary>
    TransportRuleUpdated = 35,
}
