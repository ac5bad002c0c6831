namespace O365Activity.Tests.Infrastructure;

/// <summary>
/// Audit records as JSON text for tests that feed the emulator, numbered in order of writing (the last group of each
/// record's <c>Id</c>): successful, failed and interrupted sign-ins, and Azure AD admin changes. Values are inserted as
/// given, so a test can pass JSON escapes (<c>\n</c>, <c>\u001b</c>) in a user name.
/// </summary>
/// <param name="idPrefix">The first four groups of the ids, with the last dash (for example <c>0d0c0a1e-0000-4000-8000-</c>).</param>
public sealed class NumberedRecords(string idPrefix)
{
    private int _number;

    /// <summary>The next record id.</summary>
    public string Id() => $"{idPrefix}{++_number:D12}";

    /// <summary>A successful sign-in (<c>UserLoggedIn</c>) at <paramref name="time"/> (<c>yyyy-MM-ddTHH:mm:ss</c>, UTC).</summary>
    public string SignIn(string user, string ip, string time) => $$"""
        {"CreationTime":"{{time}}","Id":"{{Id()}}","Operation":"UserLoggedIn","RecordType":15,"Workload":"AzureActiveDirectory",
         "ResultStatus":"Success","UserType":0,"UserId":"{{user}}","ClientIP":"{{ip}}"}
        """;

    /// <summary>A failed sign-in (<c>UserLoginFailed</c>, error 50126).</summary>
    public string Failure(string user, string ip, string time) => $$"""
        {"CreationTime":"{{time}}","Id":"{{Id()}}","Operation":"UserLoginFailed","RecordType":15,"Workload":"AzureActiveDirectory",
         "ResultStatus":"Failed","UserType":0,"UserId":"{{user}}","ClientIP":"{{ip}}","LogonError":"InvalidUserNameOrPassword","ErrorNumber":"50126"}
        """;

    /// <summary>A sign-in interrupted for strong authentication (error 50076).</summary>
    public string Interrupted(string user, string ip, string time) => $$"""
        {"CreationTime":"{{time}}","Id":"{{Id()}}","Operation":"UserLoggedIn","RecordType":15,"Workload":"AzureActiveDirectory",
         "ResultStatus":"Success","UserType":0,"UserId":"{{user}}","ClientIP":"{{ip}}","LogonError":"UserStrongAuthClientAuthNRequiredInterrupt","ErrorNumber":"50076"}
        """;

    /// <summary>An Azure AD admin change (<paramref name="operation"/>, for example <c>Reset user password.</c>) by <paramref name="actor"/> of the user <paramref name="target"/>.</summary>
    public string Admin(string operation, string actor, string target, string time) => $$"""
        {"CreationTime":"{{time}}","Id":"{{Id()}}","Operation":"{{operation}}","RecordType":8,"Workload":"AzureActiveDirectory",
         "ResultStatus":"Success","UserId":"{{actor}}","ObjectId":"{{target}}","Target":[{"ID":"{{target}}","Type":5}]}
        """;
}
