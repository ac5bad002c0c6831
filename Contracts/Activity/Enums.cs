namespace O365Activity.Contracts.Activity;

/// <summary>The outcome of a sign-in, decided from the operation and <c>LogonError</c>/<c>ErrorNumber</c>, never from <c>ResultStatus</c> (PROTOCOL.md §8, cases L01/L02).</summary>
public enum SignInResult
{
    /// <summary>The outcome could not be determined.</summary>
    Unknown = 0,

    /// <summary><c>UserLoggedIn</c> with no <c>LogonError</c> and no non-zero error number; legacy logon with <c>LoginStatus</c> 0.</summary>
    Success = 1,

    /// <summary><c>UserLoginFailed</c>, a failed legacy logon, or an error that is not an interrupt.</summary>
    Failure = 2,

    /// <summary>
    /// <c>UserLoggedIn</c> carrying an interrupt error (for example 50074 strong authentication required, 50140 "keep
    /// me signed in"): the sign-in stopped for a further step; it is not a success.
    /// </summary>
    Interrupted = 3,
}

/// <summary>The outcome of an admin action, from <c>ResultStatus</c> mapped per workload (case L02).</summary>
public enum ActivityResult
{
    /// <summary>No <c>ResultStatus</c>, or a value not known for the workload.</summary>
    Unknown = 0,

    /// <summary><c>Success</c>/<c>Succeeded</c>, or <c>True</c> for Exchange cmdlets.</summary>
    Success = 1,

    /// <summary><c>Failed</c>/<c>Failure</c>, or <c>False</c> for Exchange cmdlets.</summary>
    Failure = 2,

    /// <summary><c>PartiallySucceeded</c>.</summary>
    PartialSuccess = 3,
}

/// <summary>What kind of principal performed an admin action.</summary>
public enum ActorKind
{
    /// <summary>Not known.</summary>
    Unknown = 0,

    /// <summary>A user account (UPN).</summary>
    User = 1,

    /// <summary>A service principal or application identity (for example UserType 5/6, or <c>ServicePrincipal_…</c> actors).</summary>
    ServicePrincipal = 2,

    /// <summary>A system account (<c>NT AUTHORITY\SYSTEM</c>, <c>app@sharepoint</c>, UserType 4, <c>Certificate</c>).</summary>
    System = 3,
}

/// <summary>What an admin action's target is.</summary>
public enum TargetKind
{
    /// <summary>Not known.</summary>
    Other = 0,

    /// <summary>A user account.</summary>
    User = 1,

    /// <summary>A group (Entra or SharePoint).</summary>
    Group = 2,

    /// <summary>A directory role.</summary>
    Role = 3,

    /// <summary>A SharePoint site or site collection.</summary>
    Site = 4,

    /// <summary>An Exchange mailbox (or an inbox rule's mailbox).</summary>
    Mailbox = 5,

    /// <summary>An application or service principal.</summary>
    Application = 6,

    /// <summary>An Exchange rule (inbox or transport rule).</summary>
    Rule = 7,
}
