namespace O365Activity.Emulator;

/// <summary>
/// The content types of the Management Activity API (PROTOCOL.md §3), and how the emulator maps an audit record to one.
/// Names are matched case-insensitively (the real API accepts <c>Audit.Sharepoint</c>); responses use the spelling here.
/// </summary>
public static class EmulatorContentTypes
{
    /// <summary><c>Audit.AzureActiveDirectory</c>.</summary>
    public const string AzureActiveDirectory = "Audit.AzureActiveDirectory";

    /// <summary><c>Audit.Exchange</c>.</summary>
    public const string Exchange = "Audit.Exchange";

    /// <summary><c>Audit.SharePoint</c>.</summary>
    public const string SharePoint = "Audit.SharePoint";

    /// <summary><c>Audit.General</c>.</summary>
    public const string General = "Audit.General";

    /// <summary><c>DLP.All</c>.</summary>
    public const string Dlp = "DLP.All";

    /// <summary>All five, in the order <c>subscriptions/list</c> answers them.</summary>
    public static IReadOnlyList<string> All { get; } = [AzureActiveDirectory, Exchange, SharePoint, General, Dlp];

    /// <summary>The API's spelling of <paramref name="value"/>, or null when it is not a content type.</summary>
    /// <param name="value">A content type name in any letter case.</param>
    public static string? Canonical(string? value) =>
        value is null ? null : All.FirstOrDefault(ct => string.Equals(ct, value.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The content type of a record: from <c>Workload</c> (AzureActiveDirectory → Audit.AzureActiveDirectory; Exchange →
    /// Audit.Exchange; SharePoint or OneDrive → Audit.SharePoint), else from <c>RecordType</c> (8, 9, 15 → AAD; 1, 2, 3, 50 →
    /// Exchange; 4, 6, 7, 14 → SharePoint; 11, 13 → DLP.All), else Audit.General.
    /// </summary>
    /// <param name="workload">The record's <c>Workload</c>, if any.</param>
    /// <param name="recordType">The record's <c>RecordType</c> (numbers sent as strings already parsed), if any.</param>
    public static string ForRecord(string? workload, int? recordType)
    {
        switch (workload?.Trim().ToUpperInvariant())
        {
            case "AZUREACTIVEDIRECTORY":
                return AzureActiveDirectory;
            case "EXCHANGE":
                return Exchange;
            case "SHAREPOINT":
            case "ONEDRIVE":
                return SharePoint;
            default:
                break;
        }

        return recordType switch
        {
            8 or 9 or 15 => AzureActiveDirectory,
            1 or 2 or 3 or 50 => Exchange,
            4 or 6 or 7 or 14 => SharePoint,
            11 or 13 => Dlp,
            _ => General,
        };
    }

    /// <summary>The content type as it appears inside content ids: <c>Audit.Exchange</c> → <c>Audit_Exchange</c>.</summary>
    internal static string Underscored(string contentType) => contentType.Replace('.', '_');
}
