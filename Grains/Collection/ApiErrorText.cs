namespace O365Activity.Grains.Collection;

/// <summary>API errors in words an administrator can act on (PROTOCOL.md §7).</summary>
public static class ApiErrorText
{
    private const string AuditLogHint = " — unified audit logging may be off in this tenant: turn it on in Microsoft Purview (it takes up to 60 minutes to take effect).";

    /// <summary>
    /// The application permission whose absence the error shows, or null: <c>ActivityFeed.Read</c> for AF10001 on any
    /// content type; <c>ActivityFeed.ReadDlp</c> for AF10001, HTTP 401 or HTTP 403 (other than throttling, AF429) on
    /// <c>DLP.All</c> (PROTOCOL.md §2, §7).
    /// </summary>
    /// <param name="e">The API's answer.</param>
    /// <param name="contentType">The content type the request was for.</param>
    public static string? MissingPermission(ManagementApiException e, string contentType)
    {
        ArgumentNullException.ThrowIfNull(e);
        var dlp = string.Equals(contentType, "DLP.All", StringComparison.OrdinalIgnoreCase);
        if (dlp && !e.IsThrottled && (e.Code == "AF10001" || e.Status is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden))
        {
            return "ActivityFeed.ReadDlp";
        }

        return e.Code == "AF10001" ? "ActivityFeed.Read" : null;
    }

    /// <summary>One line: the code, the HTTP status, the message, and what to do when the code says.</summary>
    public static string Explain(ManagementApiException e) => e.Code switch
    {
        "AF20011" => e.Summary + AuditLogHint,
        "AF10001" => $"{e.Summary} — the application lacks the ActivityFeed.Read permission.",
        "AF20023" => $"{e.Summary} — the subscription is disabled (by an administrator, or for DLP.All the application may lack the ActivityFeed.ReadDlp permission); the service started it once and keeps retrying the listing.",
        _ when e.Message.Contains("does not exist", StringComparison.OrdinalIgnoreCase) && e.Message.Contains("Tenant", StringComparison.Ordinal)
            => e.Summary + AuditLogHint,
        _ => e.Summary,
    };
}
