using System.Collections.Frozen;

namespace O365Activity.Grains.Normalization;

/// <summary>
/// Names of well-known Microsoft first-party application (client) ids, for the <c>ApplicationId</c> of sign-ins.
/// Only ids whose meaning is certain are listed; any other id has no name.
/// </summary>
public static class WellKnownApplications
{
    private static readonly FrozenDictionary<string, string> Names = new Dictionary<string, string>
    {
        ["00000002-0000-0ff1-ce00-000000000000"] = "Office 365 Exchange Online",
        ["00000003-0000-0ff1-ce00-000000000000"] = "Office 365 SharePoint Online",
        ["00000003-0000-0000-c000-000000000000"] = "Microsoft Graph",
        ["c44b4083-3bb0-49c1-b47d-974e53cbdf3c"] = "Azure Portal",
        ["4765445b-32c6-49b0-83e6-1d93765276ca"] = "Microsoft Office",
        ["1fec8e78-bce4-4aaf-ab1b-5451cc387264"] = "Microsoft Teams",
        ["04b07795-8ddb-461a-bbee-02f9e1bf7b46"] = "Microsoft Azure CLI",
        ["27922004-5251-4030-b22d-91ecd9a37ea4"] = "Outlook Mobile",
        ["c5393580-f805-4401-95e8-94b7a6ef2fc2"] = "Office 365 Management APIs",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>The application's name for a well-known id (compared case-insensitively); null for any other id.</summary>
    /// <param name="applicationId">An application (client) id, a GUID as text.</param>
    public static string? NameOf(string? applicationId) =>
        applicationId is not null && Names.TryGetValue(applicationId.Trim(), out var name) ? name : null;
}
