using System.Text.Json.Nodes;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.StatusPage;

/// <summary>
/// Audit records for the status page's tests. Addresses and their places come from <see cref="TestGeoDatabases"/>:
/// 203.0.113.0/24 is Amsterdam (NL), 2001:db8:4::/48 is Tokyo (JP), 2001:db8:5::/48 is Puyallup (US), 198.51.100.0/24 has no location.
/// </summary>
public static class StatusPageRecords
{
    /// <summary>A sign-in (RecordType 15); failed with error 50126 when <paramref name="failed"/>.</summary>
    public static string SignIn(int number, string user, string address, bool failed = false, string userAgent = "Mozilla/5.0 (X11; Linux x86_64) Test/1.0")
    {
        var record = new JsonObject
        {
            ["CreationTime"] = $"2024-06-04T08:{number / 60 % 60:D2}:{number % 60:D2}",
            ["Id"] = TestRecords.Id(number),
            ["Operation"] = failed ? "UserLoginFailed" : "UserLoggedIn",
            ["RecordType"] = 15,
            ["Workload"] = "AzureActiveDirectory",
            ["ResultStatus"] = "Success",
            ["UserType"] = 0,
            ["UserId"] = user,
            ["ClientIP"] = address,
            ["ExtendedProperties"] = new JsonArray(new JsonObject { ["Name"] = "UserAgent", ["Value"] = userAgent }),
        };
        if (failed)
        {
            record["LogonError"] = "InvalidUserNameOrPassword";
            record["ErrorNumber"] = "50126";
        }

        return record.ToJsonString();
    }

    /// <summary>An Azure AD user update (RecordType 8) by <paramref name="actor"/> of <paramref name="target"/>.</summary>
    public static string UserUpdated(int number, string actor, string target) => new JsonObject
    {
        ["CreationTime"] = $"2024-06-04T09:{number / 60 % 60:D2}:{number % 60:D2}",
        ["Id"] = TestRecords.Id(number),
        ["Operation"] = "Update user.",
        ["RecordType"] = 8,
        ["Workload"] = "AzureActiveDirectory",
        ["ResultStatus"] = "Success",
        ["UserId"] = actor,
        ["ObjectId"] = target,
        ["Actor"] = new JsonArray(new JsonObject { ["ID"] = actor, ["Type"] = 5 }),
        ["Target"] = new JsonArray(new JsonObject { ["ID"] = target, ["Type"] = 5 }),
    }.ToJsonString();
}
