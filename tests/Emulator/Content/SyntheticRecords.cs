using System.Globalization;
using System.Text.Json.Nodes;

namespace O365Activity.Emulator.Content;

/// <summary>
/// Makes fresh, made-up Azure AD audit records for the generator (<see cref="EmulatorOptions.GenerateEvery"/>): sign-ins
/// (RecordType 15, successes and failures with their <c>ErrorNumber</c>) and now and then an admin change (RecordType 8).
/// Fresh GUID <c>Id</c>s, <c>CreationTime</c> = now without a zone; addresses from the documentation ranges and the GeoIP
/// test databases.
/// </summary>
internal sealed class SyntheticRecords(Random random)
{
    private static readonly string[] Users =
        ["ana@example.com", "bruno@example.com", "chen@example.net", "dara@example.org", "eli@example.com", "fatima@example.net"];

    private static readonly string[] Addresses =
        ["203.0.113.17", "198.51.100.23", "2001:db8:4f2a::15", "81.2.69.142", "89.160.20.112", "216.160.83.56", "2001:218::1", "203.0.113.200"];

    private static readonly (int Code, string Error)[] Failures =
    [
        (50126, "InvalidUserNameOrPassword"), (50053, "IdsLocked"), (50074, "UserStrongAuthClientAuthNRequired"),
        (500121, "AuthenticationFailedSasError"), (53003, "BlockedByConditionalAccess"),
    ];

    private static readonly string[] AdminOperations = ["Update user.", "Reset user password.", "Add member to role.", "Add user."];

    private static readonly string[] UserAgents =
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    ];

    /// <summary>Two to four records for one generated blob.</summary>
    public IReadOnlyList<string> Make(DateTimeOffset now)
    {
        var records = new List<string>();
        var count = random.Next(2, 5);
        for (var i = 0; i < count; i++)
        {
            records.Add(SignIn(now.AddSeconds(-random.Next(0, 60))).ToJsonString());
        }

        if (random.Next(3) == 0)
        {
            records.Add(AdminChange(now.AddSeconds(-random.Next(0, 60))).ToJsonString());
        }

        return records;
    }

    private JsonObject SignIn(DateTimeOffset time)
    {
        var user = Pick(Users);
        var ip = Pick(Addresses);
        var failed = random.Next(4) == 0;
        var (code, error) = failed ? Pick(Failures) : (0, "");
        var record = new JsonObject
        {
            ["CreationTime"] = Time(time),
            ["Id"] = Guid.NewGuid().ToString(),
            ["Operation"] = failed ? "UserLoginFailed" : "UserLoggedIn",
            ["OrganizationId"] = Guid.Empty.ToString(),
            ["RecordType"] = 15,
            ["ResultStatus"] = "Success",
            ["UserKey"] = Guid.NewGuid().ToString(),
            ["UserType"] = 0,
            ["Version"] = 1,
            ["Workload"] = "AzureActiveDirectory",
            ["ClientIP"] = ip,
            ["ObjectId"] = "00000003-0000-0ff1-ce00-000000000000",
            ["UserId"] = user,
            ["AzureActiveDirectoryEventType"] = 1,
            ["ExtendedProperties"] = new JsonArray(
                NameValue("ResultStatusDetail", failed ? "Redirect" : "Success"),
                NameValue("UserAgent", Pick(UserAgents)),
                NameValue("RequestType", "Login:login")),
            ["ModifiedProperties"] = new JsonArray(),
            ["Actor"] = new JsonArray(IdType(user, 5)),
            ["ActorContextId"] = Guid.Empty.ToString(),
            ["ActorIpAddress"] = ip,
            ["InterSystemsId"] = Guid.NewGuid().ToString(),
            ["IntraSystemId"] = Guid.NewGuid().ToString(),
            ["Target"] = new JsonArray(IdType("00000003-0000-0ff1-ce00-000000000000", 0)),
            ["TargetContextId"] = Guid.Empty.ToString(),
            ["ApplicationId"] = "4765445b-32c6-49b0-83e6-1d93765276ca",
            ["DeviceProperties"] = new JsonArray(NameValue("OS", "Windows10"), NameValue("BrowserType", "Edge"), NameValue("IsCompliantAndManaged", "False")),
            ["ErrorNumber"] = code.ToString(CultureInfo.InvariantCulture),
        };
        if (failed)
        {
            record["LogonError"] = error;
        }

        return record;
    }

    private JsonObject AdminChange(DateTimeOffset time)
    {
        var actor = "admin@example.com";
        var target = Pick(Users);
        var operation = Pick(AdminOperations);
        return new JsonObject
        {
            ["CreationTime"] = Time(time),
            ["Id"] = Guid.NewGuid().ToString(),
            ["Operation"] = operation,
            ["OrganizationId"] = Guid.Empty.ToString(),
            ["RecordType"] = 8,
            ["ResultStatus"] = "Success",
            ["UserKey"] = "10032000A1B2C3D4@example.com",
            ["UserType"] = 0,
            ["Version"] = 1,
            ["Workload"] = "AzureActiveDirectory",
            ["ObjectId"] = target,
            ["UserId"] = actor,
            ["AzureActiveDirectoryEventType"] = 1,
            ["ExtendedProperties"] = new JsonArray(NameValue("additionalDetails", "{}"), NameValue("extendedAuditEventCategory", "User")),
            ["ModifiedProperties"] = operation == "Add member to role."
                ? new JsonArray(Modified("Role.DisplayName", "Exchange Administrator", ""))
                : new JsonArray(Modified("Included Updated Properties", "AccountEnabled", "")),
            ["Actor"] = new JsonArray(IdType(actor, 5), IdType("User_1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a", 2)),
            ["ActorContextId"] = Guid.Empty.ToString(),
            ["ActorIpAddress"] = Pick(Addresses),
            ["InterSystemsId"] = Guid.NewGuid().ToString(),
            ["IntraSystemId"] = Guid.NewGuid().ToString(),
            ["Target"] = new JsonArray(IdType(target, 5)),
            ["TargetContextId"] = Guid.Empty.ToString(),
        };
    }

    private T Pick<T>(T[] values) => values[random.Next(values.Length)];

    private static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

    private static JsonObject NameValue(string name, string value) => new() { ["Name"] = name, ["Value"] = value };

    private static JsonObject IdType(string id, int type) => new() { ["ID"] = id, ["Type"] = type };

    private static JsonObject Modified(string name, string newValue, string oldValue) =>
        new() { ["Name"] = name, ["NewValue"] = newValue, ["OldValue"] = oldValue };
}
