namespace O365Activity.Contracts.Activity;

/// <summary>
/// A sign-in to the tenant: <c>UserLoggedIn</c> / <c>UserLoginFailed</c> (RecordType 15) or a legacy account logon
/// (RecordType 9). Source: PROTOCOL.md §8, "Sign-ins"; cases L01, L02, B01–B08.
/// </summary>
[GenerateSerializer, Immutable, Alias("o365.IngressEvent")]
public sealed record IngressEvent : ActivityEvent
{
    /// <summary>
    /// Who signed in: the UPN from <c>UserId</c>; the user's object id when that is all the record has; the literal
    /// <c>unknown</c> when the record names nobody (missing, empty or <c>Not Available</c>).
    /// </summary>
    [Id(0)] public string User { get; init; } = "unknown";

    /// <summary>The user's object id (<c>UserKey</c> when it is a GUID); null when unknown.</summary>
    [Id(1)] public string? UserObjectId { get; init; }

    /// <summary>The record's <c>UserType</c> number (0 Regular, 2 Admin, 5 Application, …); null when absent.</summary>
    [Id(2)] public int? UserType { get; init; }

    /// <summary>Whether the sign-in succeeded, failed or was interrupted (never from <c>ResultStatus</c>).</summary>
    [Id(3)] public SignInResult Result { get; init; }

    /// <summary>The failure or interrupt code: <c>ErrorNumber</c>/<c>ErrorCode</c> (for example <c>50126</c>), or a legacy <c>LoginStatus</c>; null on success.</summary>
    [Id(4)] public string? FailureCode { get; init; }

    /// <summary>The failure's name as the record gives it (<c>LogonError</c>, for example <c>InvalidUserNameOrPassword</c>); null when none.</summary>
    [Id(5)] public string? FailureReason { get; init; }

    /// <summary>A plain-English explanation of <see cref="FailureCode"/> from the table of common codes (PROTOCOL.md §8); null for codes not in it.</summary>
    [Id(6)] public string? FailureDescription { get; init; }

    /// <summary>The client address and where it came from; null when no address field had a value.</summary>
    [Id(7)] public ClientAddress? ClientAddress { get; init; }

    /// <summary>The address's location from the configured GeoIP database; null when none is configured or it has no answer.</summary>
    [Id(8)] public GeoLocation? Location { get; init; }

    /// <summary>
    /// False when the address is known not to be the user's own (a federated (AD FS) domain's sign-in, whose address is
    /// a proxy's): such a sign-in must not be placed on a map. True otherwise.
    /// </summary>
    [Id(9)] public bool LocationReliable { get; init; } = true;

    /// <summary>Why <see cref="LocationReliable"/> is false; null when it is true.</summary>
    [Id(10)] public string? LocationUnreliableReason { get; init; }

    /// <summary>The client's user agent (<c>ExtendedProperties</c> <c>UserAgent</c>), as received.</summary>
    [Id(11)] public string? UserAgent { get; init; }

    /// <summary>The application signed in to (<c>ApplicationId</c>, a GUID).</summary>
    [Id(12)] public string? ApplicationId { get; init; }

    /// <summary>The application's name, for well-known first-party application ids; null otherwise.</summary>
    [Id(13)] public string? ApplicationName { get; init; }

    /// <summary>The device, from <c>DeviceProperties</c>; null when the record has none.</summary>
    [Id(14)] public DeviceInfo? Device { get; init; }

    /// <summary>How the user authenticated (<c>ExtendedProperties</c> <c>UserAuthenticationMethod</c>).</summary>
    [Id(15)] public string? AuthenticationMethod { get; init; }

    /// <summary>The sign-in request type (<c>ExtendedProperties</c> <c>RequestType</c>, for example <c>Login:login</c>).</summary>
    [Id(16)] public string? RequestType { get; init; }

    /// <summary>The record's <c>ResultStatusDetail</c> as received (informational; it does not decide the result).</summary>
    [Id(17)] public string? ResultStatusDetail { get; init; }

    /// <summary>Whether "keep me signed in" was chosen (<c>KeepMeSignedIn</c>); null when absent.</summary>
    [Id(18)] public bool? KeepMeSignedIn { get; init; }
}
