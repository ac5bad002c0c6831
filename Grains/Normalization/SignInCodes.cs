using System.Collections.Frozen;

namespace O365Activity.Grains.Normalization;

/// <summary>
/// What sign-in error codes mean: which ones interrupt a sign-in rather than fail it, and a plain-English
/// description of the common ones (PROTOCOL.md §8, "Sign-ins"; cases L01, L02).
/// </summary>
public static class SignInCodes
{
    /// <summary>
    /// The <c>ErrorNumber</c>/<c>ErrorCode</c> values that make a <c>UserLoggedIn</c> record
    /// <see cref="O365Activity.Contracts.Activity.SignInResult.Interrupted"/>: the sign-in stopped for a further step
    /// the user can complete, it was not refused. 50072 (MFA registration required), 50074 (strong authentication
    /// required, the L01 case), 50076 (MFA required), 50079 (MFA enrolment required), 50125 (password-reset
    /// registration required), 50140 ("keep me signed in" prompt), 50158 (external security challenge).
    /// Not in the set, so failures: 50055 (password expired: the password given was refused), 500121 (the strong
    /// authentication step itself failed), 53003 (blocked by Conditional Access) and every other non-zero code.
    /// </summary>
    public static readonly FrozenSet<string> InterruptCodes =
        FrozenSet.Create(StringComparer.Ordinal, "50072", "50074", "50076", "50079", "50125", "50140", "50158");

    private static readonly FrozenDictionary<string, string> Descriptions = new Dictionary<string, string>
    {
        ["50126"] = "Invalid username or password",
        ["50053"] = "Account locked",
        ["50057"] = "Account disabled",
        ["50055"] = "Password expired",
        ["50074"] = "Strong authentication (MFA) required",
        ["50076"] = "Strong authentication (MFA) required",
        ["50079"] = "Strong authentication (MFA) required",
        ["500121"] = "Strong authentication failed",
        ["50158"] = "External security challenge not satisfied",
        ["53003"] = "Blocked by Conditional Access",
        ["50140"] = "\"Keep me signed in\" interrupt",
        ["70044"] = "Session expired",
        ["700082"] = "Refresh token expired",
        ["50155"] = "Device authentication failed",

        // Legacy RecordType 9 LoginStatus (PROTOCOL.md §8 and the API reference's sample: PP_E_BAD_PASSWORD).
        ["-2147217390"] = "The entered and stored passwords do not match",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    // LogonError names of the codes above, for records that give the name without a number
    // (for example a UserLoginFailed with LogonError InvalidUserNameOrPassword only).
    private static readonly FrozenDictionary<string, string> CodesByName = new Dictionary<string, string>
    {
        ["InvalidUserNameOrPassword"] = "50126",
        ["IdsLocked"] = "50053",
        ["UserDisabled"] = "50057",
        ["InvalidPasswordExpiredPassword"] = "50055",
        ["UserStrongAuthClientAuthNRequiredInterrupt"] = "50074",
        ["UserStrongAuthClientAuthNRequired"] = "50076",
        ["UserStrongAuthEnrollmentRequiredInterrupt"] = "50072",
        ["KmsiInterrupt"] = "50140",
        ["BlockedByConditionalAccess"] = "53003",
        ["DeviceAuthenticationFailed"] = "50155",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// A plain-English description of a sign-in failure: by <paramref name="code"/> from the table of common codes
    /// (PROTOCOL.md §8), else by the well-known <c>LogonError</c> name <paramref name="reason"/>; null when neither is known.
    /// </summary>
    /// <param name="code">The error number (for example <c>50126</c>) or legacy <c>LoginStatus</c>; may be null.</param>
    /// <param name="reason">The <c>LogonError</c> name (for example <c>InvalidUserNameOrPassword</c>); may be null.</param>
    public static string? Describe(string? code, string? reason)
    {
        if (code is not null && Descriptions.TryGetValue(code, out var byCode))
        {
            return byCode;
        }

        return reason is not null && CodesByName.TryGetValue(reason, out var named) && Descriptions.TryGetValue(named, out var byName)
            ? byName
            : null;
    }

    /// <summary>
    /// Whether a failure is an interrupt: its code is in <see cref="InterruptCodes"/>, or, without a code, its
    /// <c>LogonError</c> name ends with <c>Interrupt</c> (for example <c>KmsiInterrupt</c>) or is the name of an interrupt code.
    /// </summary>
    /// <param name="code">The non-zero error number; null when the record has none.</param>
    /// <param name="reason">The <c>LogonError</c> name; null when none.</param>
    public static bool IsInterrupt(string? code, string? reason)
    {
        if (code is not null)
        {
            return InterruptCodes.Contains(code);
        }

        if (reason is null)
        {
            return false;
        }

        return reason.EndsWith("Interrupt", StringComparison.OrdinalIgnoreCase)
            || (CodesByName.TryGetValue(reason, out var named) && InterruptCodes.Contains(named));
    }
}
