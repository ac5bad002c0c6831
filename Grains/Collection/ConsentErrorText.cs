using System.Text.RegularExpressions;

namespace O365Activity.Grains.Collection;

/// <summary>
/// Plain-language text for an admin-consent callback's <c>error</c> and <c>error_description</c> (PROTOCOL.md §2).
/// </summary>
public static partial class ConsentErrorText
{
    /// <summary>
    /// Errors that mean the person who signed in could not, or did not, grant admin consent: <c>access_denied</c> (an
    /// administrator declined), <c>consent_required</c>, and the AADSTS codes of "admin approval required" (90094,
    /// 90099), "declined" (65004) and "not consented" (65001).
    /// </summary>
    private static readonly string[] NeedsAdministrator = ["access_denied", "consent_required", "AADSTS65001", "AADSTS65004", "AADSTS90094", "AADSTS90099"];

    /// <summary>The code to show (the first AADSTS code of the description, else the <c>error</c>) and the message for the source and the page.</summary>
    /// <param name="error">The callback's <c>error</c>.</param>
    /// <param name="description">The callback's <c>error_description</c>, if any.</param>
    /// <returns>The code, and one or two sentences on one line, bounded in length.</returns>
    public static (string Code, string Message) Explain(string error, string? description)
    {
        error = OneLine.Of(error, 64);
        var aadsts = description is null ? null : AadstsCode().Match(description) is { Success: true } m ? m.Value : null;
        var code = aadsts ?? error;
        var codes = aadsts is null ? error : $"{error}, {aadsts}";
        if (NeedsAdministrator.Contains(error, StringComparer.OrdinalIgnoreCase) || (aadsts is not null && NeedsAdministrator.Contains(aadsts, StringComparer.Ordinal)))
        {
            var declined = string.Equals(error, "access_denied", StringComparison.OrdinalIgnoreCase) || aadsts == "AADSTS65004";
            return (code, (declined ? $"Admin consent was declined ({codes})." : $"Admin consent was not granted ({codes}).")
                + " Consent needs a Global Administrator (or Privileged Role Administrator) of the tenant: sign in with an administrator account and accept. A fresh admin-consent URL is ready.");
        }

        var detail = description is null ? "" : ": " + OneLine.Of(FirstLine(description), 300);
        return (code, $"Admin consent failed ({codes}){detail}. Try again with the fresh admin-consent URL; if it fails again, check the application's registration (multi-tenant, and this redirect URI registered).");
    }

    private static string FirstLine(string text) => text.Split(['\r', '\n'], 2)[0];

    [GeneratedRegex(@"AADSTS\d{4,8}", RegexOptions.CultureInvariant)]
    private static partial Regex AadstsCode();
}
