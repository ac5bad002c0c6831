namespace O365Activity.Grains.Collection;

/// <summary>API errors in words an administrator can act on (PROTOCOL.md §7).</summary>
public static class ApiErrorText
{
    private const string AuditLogHint = " — unified audit logging may be off in this tenant: turn it on in Microsoft Purview (it takes up to 60 minutes to take effect).";

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
