using System.Text.Json;
using O365Activity.Contracts.Activity;
using O365Activity.Grains.Normalization;
using Xunit.Abstractions;

namespace O365Activity.Tests.Normalization;

/// <summary>
/// Every audit record of the public sample corpus (../shared/samples) normalizes without an exception, to the kind
/// and action the rules give. The expected counts were worked out by reading the files (see the comments).
/// </summary>
public sealed class CorpusTests(ITestOutputHelper output)
{
    [SharedFact("samples")]
    public void Normalizer_SampleCorpus_EveryRecordNormalizedToExpectedKind()
    {
        var records = SampleCorpus.ReadAll(SharedFolder.Combine("samples"));
        var normalizer = new AuditRecordNormalizer();
        var context = new NormalizationContext(Guid.Empty, DateTimeOffset.UnixEpoch, null, []);
        var kinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var actions = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var signIns = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var perFile = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var failures = new List<string>();

        foreach (var record in records)
        {
            var file = record.Source[..record.Source.IndexOf('#', StringComparison.Ordinal)];
            perFile[file] = perFile.GetValueOrDefault(file) + 1;
            NormalizedRecord result;
            try
            {
                using var document = JsonDocument.Parse(record.Json);
                result = normalizer.Normalize(document.RootElement, context);
            }
            catch (Exception e)
            {
                failures.Add($"{record.Source}: {e.GetType().Name}: {e.Message}");
                continue;
            }

            Assert.Equal(record.Json, result.Raw.RawJson);
            var kind = result.Activity switch
            {
                IngressEvent ingress => Count(signIns, ingress.Result.ToString(), "ingress"),
                AdminEvent admin => Count(actions, admin.Action.ToString(), "admin"),
                _ => "raw",
            };
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
        }

        output.WriteLine($"{records.Count} records");
        output.WriteLine("by file: " + string.Join(", ", perFile.Select(p => $"{p.Key}={p.Value}")));
        output.WriteLine("by kind: " + string.Join(", ", kinds.Select(p => $"{p.Key}={p.Value}")));
        output.WriteLine("sign-ins by result: " + string.Join(", ", signIns.Select(p => $"{p.Key}={p.Value}")));
        output.WriteLine("admin by action: " + string.Join(", ", actions.Select(p => $"{p.Key}={p.Value}")));

        Assert.Empty(failures);
        Assert.Equal(229, records.Count);
        Assert.Equal(ExpectedPerFile, perFile);
        Assert.Equal(ExpectedKinds, kinds);
        Assert.Equal(ExpectedSignIns, signIns);
        Assert.Equal(ExpectedActions, actions);
    }

    private static string Count(SortedDictionary<string, int> counts, string key, string kind)
    {
        counts[key] = counts.GetValueOrDefault(key) + 1;
        return kind;
    }

    // samples/README.md: 229 audit records in these files.
    private static readonly SortedDictionary<string, int> ExpectedPerFile = new(StringComparer.Ordinal)
    {
        ["demisto/incidents-mocked.json"] = 5,
        ["elastic-beats/04-sharepoint.log"] = 4,
        ["elastic-beats/08-azuread-users.log"] = 11,
        ["elastic-beats/11-dlp-sharepoint.log"] = 7,
        ["elastic-beats/13-dlp-exchange.log"] = 6,
        ["elastic-beats/14-sp-sharing-op.log"] = 10,
        ["elastic-beats/ip-formats.log"] = 15,
        ["elastic-beats/str-params.log"] = 2,
        ["elastic-beats/stringly-json.log"] = 1,
        ["elastic-integrations/mock-server-config.yml"] = 12,
        ["elastic-integrations/pipeline-test-bad-ips.json"] = 4,
        ["elastic-integrations/pipeline-test-modified-properties.json"] = 1,
        ["microsoft-docs/activity-api-reference.md"] = 3,
        ["microsoft-docs/copilot-schema.md"] = 2,
        ["panther/brute-force-login-by-user.yml"] = 2,
        ["panther/exchange-external-forwarding.yml"] = 10,
        ["panther/external-sharing.yml"] = 5,
        ["panther/mfa-disabled.yml"] = 2,
        ["wazuh/ruleset-tests-office365.ini"] = 127,
    };

    private static readonly SortedDictionary<string, int> ExpectedKinds = new(StringComparer.Ordinal)
    {
        // Sign-ins: UserLoggedIn x3 (beats str-params, panther, demisto), UserLoginFailed x1 (panther), legacy RecordType 9
        // x2 (msdocs), and the wazuh shapes of RecordType 9 and 15 (no operation) x2.
        ["ingress"] = 8,

        // Admin: beats 08-azuread-users 11, beats 14-sp-sharing-op AddedToGroup 5 + SharingInheritanceBroken 1,
        // beats str-params Set-Mailbox 1, integrations RecordType 1 stub without Operation 1, msdocs Add User. 1,
        // panther Set-Mailbox 7 + New-InboxRule 3 + Update user. 2, wazuh RecordType 1, 8, 18 shapes 3 and table
        // operations with RecordType 0 (Add user., Update user., Add member to role., Add group., Add member to group.,
        // Add service principal credentials., Add-MailboxPermission x2) 8.
        ["admin"] = 43,

        // Everything else: 229 - 8 - 43.
        ["raw"] = 178,
    };

    private static readonly SortedDictionary<string, int> ExpectedSignIns = new(StringComparer.Ordinal)
    {
        // UserLoggedIn x3 and the msdocs LoginStatus 0 record.
        ["Success"] = 4,

        // panther UserLoginFailed and the msdocs LoginStatus -2147217390 record.
        ["Failure"] = 2,

        // wazuh RecordType 9 and 15 shapes: no operation, no error code.
        ["Unknown"] = 2,
    };

    private static readonly SortedDictionary<string, int> ExpectedActions = new(StringComparer.Ordinal)
    {
        ["GroupAdded"] = 1,
        ["GroupMemberAdded"] = 1,
        ["InboxRuleCreated"] = 3,
        ["MailboxPermissionAdded"] = 2,
        ["MailboxUpdated"] = 8,

        // beats Update StsRefreshTokenValidFrom Timestamp. x2, the integrations RecordType 1 stub, wazuh RecordType 1, 8, 18.
        ["Other"] = 6,
        ["PasswordReset"] = 1,
        ["RoleMemberAdded"] = 3,
        ["ServicePrincipalAdded"] = 1,
        ["ServicePrincipalCredentialsAdded"] = 1,
        ["SharePointGroupMemberAdded"] = 5,
        ["SharingInheritanceBroken"] = 1,
        ["UserAdded"] = 3,
        ["UserDeleted"] = 1,
        ["UserLicenseChanged"] = 1,
        ["UserUpdated"] = 5,
    };
}
