namespace O365Activity.Tests.Infrastructure;

/// <summary>Small made-up audit records for service tests, with ids that name their test and number.</summary>
public static class TestRecords
{
    /// <summary>A GUID record id whose last group holds <paramref name="number"/> (for example …-000000000042).</summary>
    public static string Id(int number) => $"00000000-0000-4000-8000-{number:D12}";

    /// <summary>The number a record id of <see cref="Id"/> holds.</summary>
    public static int Number(string recordId) => int.Parse(recordId[^12..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A successful sign-in (RecordType 15, Audit.AzureActiveDirectory).</summary>
    public static string SignIn(int number, string user = "ana@example.com") => $$"""
        {"CreationTime":"2024-06-04T08:00:10","Id":"{{Id(number)}}","Operation":"UserLoggedIn","RecordType":15,
         "Workload":"AzureActiveDirectory","ResultStatus":"Success","UserType":0,"UserId":"{{user}}","ClientIP":"203.0.113.{{number % 250}}"}
        """;

    /// <summary>An Azure AD admin change (RecordType 8, Audit.AzureActiveDirectory).</summary>
    public static string AdminChange(int number) => $$"""
        {"CreationTime":"2024-06-04T09:00:00","Id":"{{Id(number)}}","Operation":"Update user.","RecordType":8,
         "Workload":"AzureActiveDirectory","ResultStatus":"Success","UserId":"admin@example.com","ObjectId":"user{{number}}@example.com",
         "Target":[{"ID":"user{{number}}@example.com","Type":5}]}
        """;

    /// <summary>A record that is neither (a SharePoint file access, Audit.SharePoint).</summary>
    public static string FileAccess(int number) => $$"""
        {"CreationTime":"2024-06-04T10:00:00","Id":"{{Id(number)}}","Operation":"FileAccessed","RecordType":6,
         "Workload":"SharePoint","UserId":"sam@example.com","ClientIP":"198.51.100.33","ObjectId":"https://share.example.com/f{{number}}.xlsx"}
        """;
}
