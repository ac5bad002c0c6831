using O365Activity.Contracts.Activity;
using O365Activity.Grains.Normalization;

namespace O365Activity.Tests.Normalization;

/// <summary>The admin-activity table, the admin-record rule, actors, targets and results (PROTOCOL.md §8; cases A01, L02).</summary>
public sealed class AdminActivityTests
{
    /// <summary>Case A01: every operation of the table, in its real spelling, with the action it must give.</summary>
    [Theory]
    [InlineData("Add user.", 8, AdminAction.UserAdded)]
    [InlineData("Add User.", 8, AdminAction.UserAdded)]
    [InlineData("Update user.", 8, AdminAction.UserUpdated)]
    [InlineData("Delete user.", 8, AdminAction.UserDeleted)]
    [InlineData("Reset user password.", 8, AdminAction.PasswordReset)]
    [InlineData("Change user password.", 8, AdminAction.PasswordChanged)]
    [InlineData("Set force change user password.", 8, AdminAction.PasswordForceChangeSet)]
    [InlineData("Change user license.", 8, AdminAction.UserLicenseChanged)]
    [InlineData("Add group.", 8, AdminAction.GroupAdded)]
    [InlineData("Update group.", 8, AdminAction.GroupUpdated)]
    [InlineData("Delete group.", 8, AdminAction.GroupDeleted)]
    [InlineData("Add member to group.", 8, AdminAction.GroupMemberAdded)]
    [InlineData("Remove member from group.", 8, AdminAction.GroupMemberRemoved)]
    [InlineData("Add member to role.", 8, AdminAction.RoleMemberAdded)]
    [InlineData("Remove member from role.", 8, AdminAction.RoleMemberRemoved)]
    [InlineData("Add service principal.", 8, AdminAction.ServicePrincipalAdded)]
    [InlineData("Add service principal credentials.", 8, AdminAction.ServicePrincipalCredentialsAdded)]
    [InlineData("Add application.", 8, AdminAction.ApplicationAdded)]
    [InlineData("Consent to application.", 8, AdminAction.ApplicationConsentGranted)]
    [InlineData("GroupAdded", 4, AdminAction.SharePointGroupAdded)]
    [InlineData("GroupRemoved", 4, AdminAction.SharePointGroupRemoved)]
    [InlineData("GroupUpdated", 4, AdminAction.SharePointGroupUpdated)]
    [InlineData("AddedToGroup", 14, AdminAction.SharePointGroupMemberAdded)]
    [InlineData("RemovedFromGroup", 14, AdminAction.SharePointGroupMemberRemoved)]
    [InlineData("SitePermissionsModified", 4, AdminAction.SitePermissionsModified)]
    [InlineData("SiteCollectionAdminAdded", 4, AdminAction.SiteCollectionAdminAdded)]
    [InlineData("SiteCollectionAdminRemoved", 4, AdminAction.SiteCollectionAdminRemoved)]
    [InlineData("PermissionLevelModified", 4, AdminAction.PermissionLevelModified)]
    [InlineData("SharingInheritanceBroken", 14, AdminAction.SharingInheritanceBroken)]
    [InlineData("Set-Mailbox", 1, AdminAction.MailboxUpdated)]
    [InlineData("Add-MailboxPermission", 1, AdminAction.MailboxPermissionAdded)]
    [InlineData("Remove-MailboxPermission", 1, AdminAction.MailboxPermissionRemoved)]
    [InlineData("New-InboxRule", 1, AdminAction.InboxRuleCreated)]
    [InlineData("Set-InboxRule", 1, AdminAction.InboxRuleUpdated)]
    [InlineData("New-TransportRule", 1, AdminAction.TransportRuleCreated)]
    [InlineData("Set-TransportRule", 1, AdminAction.TransportRuleUpdated)]
    public void AdminEvent_A01_TableOperation_CanonicalAction(string operation, int recordType, AdminAction action)
    {
        var admin = NormalizerHarness.Admin($$"""{"Id":"x","CreationTime":"2024-01-01T00:00:00","Operation":"{{operation}}","RecordType":{{recordType}}}""");

        Assert.Equal(action, admin.Action);
        Assert.Equal(operation, admin.Operation);
        Assert.Equal(action, AdminOperations.Lookup(operation.TrimEnd('.')));
        Assert.Equal(action, AdminOperations.Lookup(operation.ToUpperInvariant()));

        // The table decides whatever the RecordType (wazuh sends "Add user." with RecordType 0).
        Assert.Equal(action, NormalizerHarness.Admin($$"""{"Id":"x","Operation":"{{operation}}","RecordType":"0"}""").Action);
    }

    [Fact]
    public void AdminOperations_Table_EveryActionButOtherHasAnOperation()
    {
        var covered = AdminOperations.Table.Select(e => e.Value).ToHashSet();
        var missing = Enum.GetValues<AdminAction>().Where(a => a != AdminAction.Other && !covered.Contains(a)).ToList();

        Assert.Empty(missing);
        Assert.Equal(35, AdminOperations.Table.Length);
    }

    [Theory]
    [InlineData(1, "Remove-InboxRule")]
    [InlineData(1, "Set-OwaMailboxPolicy")]
    [InlineData(8, "Update StsRefreshTokenValidFrom Timestamp.")]
    [InlineData(8, "Add owner to application.")]
    [InlineData(18, "Set-ProtectionAlert")]
    [InlineData(8, "")]
    public void AdminEvent_AdminRecordTypeOperationNotInTable_Other(int recordType, string operation)
    {
        var admin = NormalizerHarness.Admin($$"""{"Id":"x","Operation":"{{operation}}","RecordType":{{recordType}},"UserId":"admin@example.com"}""");

        Assert.Equal(AdminAction.Other, admin.Action);
        Assert.Equal(operation, admin.Operation);
    }

    [Theory]
    [InlineData(14, "SharingSet")]
    [InlineData(14, "AnonymousLinkCreated")]
    [InlineData(14, "AddedToSecureLink")]
    [InlineData(4, "PageViewed")]
    [InlineData(6, "FileModified")]
    [InlineData(2, "Update")]
    [InlineData(11, "DLPRuleMatch")]
    [InlineData(0, "UserCreated")]
    [InlineData(22, "GroupCreation")]
    public void Normalizer_NonAdminNonSignIn_RawOnly(int recordType, string operation)
    {
        var result = NormalizerHarness.Normalize($$"""{"Id":"x","Operation":"{{operation}}","RecordType":{{recordType}}}""");

        Assert.Null(result.Activity);
        Assert.Equal(operation, result.Raw.Operation);
        Assert.Equal(recordType, result.Raw.RecordType);
    }

    [Theory]
    [InlineData("\"UserId\":\"admin@example.com\",\"UserType\":0", "admin@example.com", ActorKind.User)]
    [InlineData("\"UserId\":\"admin@example.com\",\"UserType\":2", "admin@example.com", ActorKind.User)]
    [InlineData("\"UserId\":\"NT AUTHORITY\\\\SYSTEM (Microsoft.Exchange.ServiceHost)\",\"UserType\":3", "NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)", ActorKind.System)]
    [InlineData("\"UserId\":\"app@sharepoint\",\"UserType\":0", "app@sharepoint", ActorKind.System)]
    [InlineData("\"UserId\":\"SHAREPOINT\\\\system\"", "SHAREPOINT\\system", ActorKind.System)]
    [InlineData("\"UserId\":\"Certificate\",\"UserType\":4", "Certificate", ActorKind.System)]
    [InlineData("\"UserId\":\"ServicePrincipal_5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e\",\"UserType\":4", "ServicePrincipal_5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e", ActorKind.ServicePrincipal)]
    [InlineData("\"UserId\":\"Example Sync App\",\"UserType\":5", "Example Sync App", ActorKind.ServicePrincipal)]
    [InlineData("\"UserId\":\"Example Daemon\",\"UserType\":6", "Example Daemon", ActorKind.ServicePrincipal)]
    [InlineData("\"UserId\":\"Provisioning agent\",\"UserType\":4", "Provisioning agent", ActorKind.System)]
    [InlineData("\"UserId\":\"someone@example.com\"", "someone@example.com", ActorKind.User)]
    [InlineData("\"UserId\":\"Not Available\",\"Actor\":[{\"ID\":\"5b6c7d8e\",\"Type\":2},{\"ID\":\"owner@example.com\",\"Type\":5}]", "owner@example.com", ActorKind.User)]
    [InlineData("\"Actor\":[{\"ID\":\"User\",\"Type\":2},{\"ID\":\"Example Tool\",\"Type\":1}]", "Example Tool", ActorKind.Unknown)]
    [InlineData("\"UserType\":0", "unknown", ActorKind.Unknown)]
    public void AdminEvent_Actor_NameAndKind(string actorFields, string actor, ActorKind kind)
    {
        var admin = NormalizerHarness.Admin($$"""{"Id":"x","Operation":"Update user.","RecordType":8,{{actorFields}}}""");

        Assert.Equal(actor, admin.Actor);
        Assert.Equal(kind, admin.ActorKind);
    }

    /// <summary>Case L02: <c>ResultStatus</c> is mapped per source, case-insensitively.</summary>
    [Theory]
    [InlineData("Set-Mailbox", 1, "True", ActivityResult.Success)]
    [InlineData("Set-Mailbox", 1, "TRUE", ActivityResult.Success)]
    [InlineData("Set-Mailbox", 1, "False", ActivityResult.Failure)]
    [InlineData("Set-Mailbox", 1, "Succeeded", ActivityResult.Unknown)]
    [InlineData("Add-MailboxPermission", 0, "true", ActivityResult.Success)]
    [InlineData("Set-ProtectionAlert", 18, "False", ActivityResult.Failure)]
    [InlineData("Add user.", 8, "Success", ActivityResult.Success)]
    [InlineData("Add user.", 8, "success", ActivityResult.Success)]
    [InlineData("Add user.", 8, "Succeeded", ActivityResult.Success)]
    [InlineData("Add user.", 8, "PartiallySucceeded", ActivityResult.PartialSuccess)]
    [InlineData("Add user.", 8, "Failed", ActivityResult.Failure)]
    [InlineData("Add user.", 8, "failed", ActivityResult.Failure)]
    [InlineData("Add user.", 8, "Failure", ActivityResult.Failure)]
    [InlineData("Add user.", 8, "True", ActivityResult.Unknown)]
    [InlineData("AddedToGroup", 14, "Succeeded", ActivityResult.Success)]
    [InlineData("AddedToGroup", 14, "Whatever", ActivityResult.Unknown)]
    public void AdminEvent_L02_ResultStatusMappedPerSource(string operation, int recordType, string resultStatus, ActivityResult expected)
    {
        var admin = NormalizerHarness.Admin($$"""{"Id":"x","Operation":"{{operation}}","RecordType":{{recordType}},"ResultStatus":"{{resultStatus}}"}""");

        Assert.Equal(expected, admin.Result);
        Assert.Equal(resultStatus, admin.ResultStatus);
    }

    [Fact]
    public void AdminEvent_NoResultStatus_Unknown()
    {
        var admin = NormalizerHarness.Admin("""{"Id":"x","Operation":"Add user.","RecordType":8}""");

        Assert.Equal(ActivityResult.Unknown, admin.Result);
        Assert.Null(admin.ResultStatus);
    }

    [Fact]
    public void AdminEvent_RemoveMemberFromGroup_MemberTargetGroupFromOldValue()
    {
        var admin = NormalizerHarness.Admin("""
            {"CreationTime":"2024-04-01T09:00:00","Id":"a1b2c3d4-0000-4000-8000-000000000012","Operation":"Remove member from group.",
             "RecordType":8,"UserId":"admin@example.com","ObjectId":"judy@example.com","ResultStatus":"Success",
             "ModifiedProperties":[{"Name":"Group.ObjectID","NewValue":"","OldValue":"6e7f8a9b-0c1d-4e2f-8a3b-4c5d6e7f8a9b"},
               {"Name":"Group.DisplayName","NewValue":"","OldValue":"Finance Team"}],
             "Target":[{"ID":"User_7f8a9b0c-1d2e-4f3a-9b4c-5d6e7f8a9b0c","Type":2},{"ID":"7f8a9b0c-1d2e-4f3a-9b4c-5d6e7f8a9b0c","Type":2},
               {"ID":"User","Type":2},{"ID":"judy@example.com","Type":5}]}
            """);

        Assert.Equal(AdminAction.GroupMemberRemoved, admin.Action);
        Assert.Equal(TargetKind.User, admin.TargetKind);
        Assert.Equal("judy@example.com", admin.Target);
        Assert.Equal<NameValue>(
            [
                new NameValue { Name = "Group", Value = "Finance Team" },
                new NameValue { Name = "GroupId", Value = "6e7f8a9b-0c1d-4e2f-8a3b-4c5d6e7f8a9b" },
                new NameValue { Name = "ObjectId", Value = "7f8a9b0c-1d2e-4f3a-9b4c-5d6e7f8a9b0c" },
            ],
            admin.TargetDetails);
    }

    [Fact]
    public void AdminEvent_RoleMembershipOfServicePrincipal_TargetKindApplication()
    {
        var admin = NormalizerHarness.Admin("""
            {"Id":"x","Operation":"Add member to role.","RecordType":8,"UserId":"admin@example.com",
             "ModifiedProperties":[{"Name":"Role.DisplayName","NewValue":"Exchange Administrator","OldValue":""}],
             "Target":[{"ID":"ServicePrincipal_8a9b0c1d-2e3f-4a4b-8c5d-6e7f8a9b0c1d","Type":2},{"ID":"ServicePrincipal","Type":2},
               {"ID":"Example Automation","Type":1}]}
            """);

        Assert.Equal(TargetKind.Application, admin.TargetKind);
        Assert.Equal("Example Automation", admin.Target);
        Assert.Equal("Exchange Administrator", admin.TargetDetails[0].Value);
    }

    [Fact]
    public void AdminEvent_GroupAdded_GroupNameFromTargetList()
    {
        var admin = NormalizerHarness.Admin("""
            {"Id":"x","Operation":"Add group.","RecordType":8,"UserId":"admin@example.com","ObjectId":"9b0c1d2e-3f4a-4b5c-9d6e-7f8a9b0c1d2e",
             "Target":[{"ID":"Group_9b0c1d2e-3f4a-4b5c-9d6e-7f8a9b0c1d2e","Type":2},{"ID":"9b0c1d2e-3f4a-4b5c-9d6e-7f8a9b0c1d2e","Type":2},
               {"ID":"Group","Type":2},{"ID":"Project Falcon","Type":1}]}
            """);

        Assert.Equal(TargetKind.Group, admin.TargetKind);
        Assert.Equal("Project Falcon", admin.Target);
        Assert.Equal<NameValue>([new NameValue { Name = "ObjectId", Value = "9b0c1d2e-3f4a-4b5c-9d6e-7f8a9b0c1d2e" }], admin.TargetDetails);
    }

    [Fact]
    public void AdminEvent_ConsentToApplication_ApplicationTarget()
    {
        var admin = NormalizerHarness.Admin("""
            {"Id":"x","Operation":"Consent to application.","RecordType":8,"UserId":"ann@example.com","ObjectId":"0c1d2e3f-4a5b-4c6d-8e7f-8a9b0c1d2e3f",
             "Target":[{"ID":"ServicePrincipal_0c1d2e3f-4a5b-4c6d-8e7f-8a9b0c1d2e3f","Type":2},{"ID":"Example Calendar Sync","Type":1}]}
            """);

        Assert.Equal(AdminAction.ApplicationConsentGranted, admin.Action);
        Assert.Equal(TargetKind.Application, admin.TargetKind);
        Assert.Equal("Example Calendar Sync", admin.Target);
    }

    [Fact]
    public void AdminEvent_SharePointAddedToGroup_MemberTargetGroupFromEventData()
    {
        var admin = NormalizerHarness.Admin("""
            {"CreationTime":"2024-04-02T09:00:00","Id":"x","Operation":"AddedToGroup","RecordType":14,"Workload":"SharePoint",
             "UserId":"owner@example.com","ClientIP":"198.51.100.9","ObjectId":"https://example.sharepoint.com/sites/Projects",
             "SiteUrl":"https://example.sharepoint.com/sites/Projects","EventData":"<Group>Projects &amp; Plans Members</Group>",
             "TargetUserOrGroupName":"kim@example.com","TargetUserOrGroupType":"Member"}
            """);

        Assert.Equal(TargetKind.User, admin.TargetKind);
        Assert.Equal("kim@example.com", admin.Target);
        Assert.Equal<NameValue>(
            [
                new NameValue { Name = "Group", Value = "Projects & Plans Members" },
                new NameValue { Name = "Site", Value = "https://example.sharepoint.com/sites/Projects" },
                new NameValue { Name = "MemberType", Value = "Member" },
            ],
            admin.TargetDetails);
        Assert.Equal("198.51.100.9", admin.ActorAddress?.Ip);
    }

    [Theory]
    [InlineData("SecurityGroup", TargetKind.Group)]
    [InlineData("SharePointGroup", TargetKind.Group)]
    [InlineData("Guest", TargetKind.User)]
    public void AdminEvent_SharePointRemovedFromGroup_MemberKindFromType(string memberType, TargetKind kind)
    {
        var admin = NormalizerHarness.Admin($$"""
            {"Id":"x","Operation":"RemovedFromGroup","RecordType":14,"EventData":"<Group>Site Visitors</Group>",
             "TargetUserOrGroupName":"Someone","TargetUserOrGroupType":"{{memberType}}"}
            """);

        Assert.Equal(kind, admin.TargetKind);
        Assert.Equal("Someone", admin.Target);
    }

    [Fact]
    public void AdminEvent_SharePointGroupAdded_GroupTarget()
    {
        var admin = NormalizerHarness.Admin("""
            {"Id":"x","Operation":"GroupAdded","RecordType":4,"Workload":"SharePoint","ObjectId":"https://example.sharepoint.com/sites/Hr",
             "SiteUrl":"https://example.sharepoint.com/sites/Hr","EventData":"<Group>HR Reviewers</Group>"}
            """);

        Assert.Equal(TargetKind.Group, admin.TargetKind);
        Assert.Equal("HR Reviewers", admin.Target);
        Assert.Equal<NameValue>([new NameValue { Name = "Site", Value = "https://example.sharepoint.com/sites/Hr" }], admin.TargetDetails);
    }

    [Fact]
    public void AdminEvent_SiteCollectionAdminAdded_AdminFromModifiedPropertiesClaim()
    {
        var admin = NormalizerHarness.Admin("""
            {"Id":"x","Operation":"SiteCollectionAdminAdded","RecordType":4,"ObjectId":"https://example.sharepoint.com/sites/Legal",
             "SiteUrl":"https://example.sharepoint.com/sites/Legal/",
             "ModifiedProperties":[{"Name":"SiteAdmin","NewValue":"i:0#.f|membership|lou@example.com","OldValue":""}]}
            """);

        Assert.Equal(TargetKind.User, admin.TargetKind);
        Assert.Equal("lou@example.com", admin.Target);
        Assert.Equal<NameValue>([new NameValue { Name = "Site", Value = "https://example.sharepoint.com/sites/Legal/" }], admin.TargetDetails);
    }

    [Fact]
    public void AdminEvent_SiteCollectionAdminRemovedWithoutAdminName_SiteTarget()
    {
        var admin = NormalizerHarness.Admin("""{"Id":"x","Operation":"SiteCollectionAdminRemoved","RecordType":4,"ObjectId":"https://example.sharepoint.com/sites/Legal"}""");

        Assert.Equal(TargetKind.Site, admin.TargetKind);
        Assert.Equal("https://example.sharepoint.com/sites/Legal", admin.Target);
    }

    [Fact]
    public void AdminEvent_SitePermissionsModified_SiteTarget()
    {
        var admin = NormalizerHarness.Admin("""
            {"Id":"x","Operation":"SitePermissionsModified","RecordType":4,"ObjectId":"https://example.sharepoint.com/sites/Ops/Shared Documents",
             "SiteUrl":"https://example.sharepoint.com/sites/Ops"}
            """);

        Assert.Equal(TargetKind.Site, admin.TargetKind);
        Assert.Equal("https://example.sharepoint.com/sites/Ops/Shared Documents", admin.Target);
        Assert.Equal<NameValue>([new NameValue { Name = "Site", Value = "https://example.sharepoint.com/sites/Ops" }], admin.TargetDetails);
    }

    [Fact]
    public void AdminEvent_AddMailboxPermission_MailboxTargetUserAndRights()
    {
        var admin = NormalizerHarness.Admin("""
            {"Id":"x","Operation":"Add-MailboxPermission","RecordType":1,"Workload":"Exchange","ResultStatus":"True","UserId":"admin@example.com",
             "ObjectId":"shared@example.com","ClientIP":"[198.51.100.17]:5555",
             "Parameters":[{"Name":"Identity","Value":"shared@example.com"},{"Name":"User","Value":"max@example.com"},{"Name":"AccessRights","Value":"FullAccess"}]}
            """);

        Assert.Equal(TargetKind.Mailbox, admin.TargetKind);
        Assert.Equal("shared@example.com", admin.Target);
        Assert.Equal<NameValue>(
            [new NameValue { Name = "User", Value = "max@example.com" }, new NameValue { Name = "AccessRights", Value = "FullAccess" }],
            admin.TargetDetails);
        Assert.Equal(ActivityResult.Success, admin.Result);
        Assert.Equal("198.51.100.17", admin.ActorAddress?.Ip);
        Assert.Equal(5555, admin.ActorAddress?.Port);
    }

    [Fact]
    public void AdminEvent_SetInboxRuleWithIdentityOnly_RuleTarget()
    {
        var admin = NormalizerHarness.Admin("""
            {"Id":"x","Operation":"Set-InboxRule","RecordType":1,"ObjectId":"pat@example.com\\Archive",
             "Parameters":[{"Name":"Identity","Value":"pat@example.com\\Archive"},{"Name":"MoveToFolder","Value":"Archive"}]}
            """);

        Assert.Equal(TargetKind.Rule, admin.TargetKind);
        Assert.Equal("pat@example.com\\Archive", admin.Target);
    }

    [Fact]
    public void AdminEvent_NewTransportRule_RuleNameTarget()
    {
        var admin = NormalizerHarness.Admin("""
            {"Id":"x","Operation":"New-TransportRule","RecordType":1,"ObjectId":"Block outbound",
             "Parameters":[{"Name":"Name","Value":"Block outbound"},{"Name":"RejectMessageReasonText","Value":"No"}]}
            """);

        Assert.Equal(TargetKind.Rule, admin.TargetKind);
        Assert.Equal("Block outbound", admin.Target);
    }

    [Fact]
    public void AdminEvent_OtherExchangeCmdlet_IdentityOrObjectIdTarget()
    {
        var withIdentity = NormalizerHarness.Admin("""{"Id":"x","Operation":"Remove-InboxRule","RecordType":1,"ObjectId":"o","Parameters":[{"Name":"Identity","Value":"pat@example.com\\Old"}]}""");
        var withObjectId = NormalizerHarness.Admin("""{"Id":"x","Operation":"Set-OwaMailboxPolicy","RecordType":1,"ObjectId":"OwaMailboxPolicy-Default"}""");

        Assert.Equal((TargetKind.Other, "pat@example.com\\Old"), (withIdentity.TargetKind, withIdentity.Target));
        Assert.Equal((TargetKind.Other, "OwaMailboxPolicy-Default"), (withObjectId.TargetKind, withObjectId.Target));
    }

    [Fact]
    public void AdminEvent_OtherAzureAdOperation_TargetFromTargetList()
    {
        var admin = NormalizerHarness.Admin("""
            {"Id":"x","Operation":"Update StsRefreshTokenValidFrom Timestamp.","RecordType":8,"UserId":"admin@example.com","ObjectId":"quinn@example.com",
             "Target":[{"ID":"User_1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a","Type":2},{"ID":"User","Type":2},{"ID":"quinn@example.com","Type":5}]}
            """);

        Assert.Equal(AdminAction.Other, admin.Action);
        Assert.Equal(TargetKind.User, admin.TargetKind);
        Assert.Equal("quinn@example.com", admin.Target);
    }

    [Theory]
    [InlineData("<Group>Site Owners</Group>", "Group", "Site Owners")]
    [InlineData("<group>Site Owners</group>", "Group", "Site Owners")]
    [InlineData("<Type>Edit</Type><Group> A &lt;B&gt; </Group>", "Group", "A <B>")]
    [InlineData("<Group></Group>", "Group", null)]
    [InlineData("<Group>open", "Group", null)]
    [InlineData(null, "Group", null)]
    public void AdminMapper_EventDataValue_ReadsXmlFragment(string? eventData, string name, string? expected)
    {
        Assert.Equal(expected, AdminMapper.EventDataValue(eventData, name));
    }
}
