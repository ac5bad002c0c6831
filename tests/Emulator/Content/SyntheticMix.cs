namespace O365Activity.Emulator.Content;

/// <summary>
/// The mix of synthetic records (backlog and rate feed): per 100 records, 80 sign-ins (<c>UserLoggedIn</c> /
/// <c>UserLoginFailed</c>, RecordType 15) and 6 Azure AD admin changes (RecordType 8) in Audit.AzureActiveDirectory, 8
/// SharePoint records (<c>FileAccessed</c>, <c>GroupAdded</c>, <c>SitePermissionsModified</c>) in Audit.SharePoint and 6
/// Exchange records (<c>MailItemsAccessed</c>, <c>Set-Mailbox</c>) in Audit.Exchange. The split between content types is
/// exact (<see cref="Split"/>); the operations inside a content type are drawn per record from its seed.
/// </summary>
internal static class SyntheticMix
{
    /// <summary>The content types that get synthetic records, in this order.</summary>
    public static readonly IReadOnlyList<string> ContentTypes =
        [EmulatorContentTypes.AzureActiveDirectory, EmulatorContentTypes.SharePoint, EmulatorContentTypes.Exchange];

    /// <summary>The share of Audit.AzureActiveDirectory records that are admin changes rather than sign-ins (6 of 86).</summary>
    public const double AdminShareOfAzureActiveDirectory = 6.0 / 86;

    /// <summary>The share of sign-ins that fail (<c>UserLoginFailed</c> with a non-zero <c>ErrorNumber</c>).</summary>
    public const double FailedShareOfSignIns = 0.2;

    /// <summary>How many of <paramref name="total"/> records fall to <paramref name="contentType"/>: Audit.SharePoint
    /// <c>total × 8 / 100</c>, Audit.Exchange <c>total × 6 / 100</c> (both rounded down), Audit.AzureActiveDirectory the
    /// rest; other content types none. The three always add up to <paramref name="total"/>.</summary>
    /// <param name="contentType">A canonical content type.</param>
    /// <param name="total">The records of all content types, at least 0.</param>
    public static long Split(string contentType, long total) => contentType switch
    {
        EmulatorContentTypes.SharePoint => total * 8 / 100,
        EmulatorContentTypes.Exchange => total * 6 / 100,
        EmulatorContentTypes.AzureActiveDirectory => total - (total * 8 / 100) - (total * 6 / 100),
        _ => 0,
    };
}
