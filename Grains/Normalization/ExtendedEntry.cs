namespace O365Activity.Grains.Normalization;

/// <summary>The <c>ExtendedProperties</c> entries that sign-ins read (PROTOCOL.md §8), by their names.</summary>
internal enum ExtendedEntry
{
    LoginError,
    ApplicationId,
    UserAgent,
    UserAuthenticationMethod,
    RequestType,
    ResultStatusDetail,
    KeepMeSignedIn,
}
