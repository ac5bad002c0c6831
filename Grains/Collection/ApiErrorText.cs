namespace O365Activity.Grains.Collection;

/// <summary>API errors in words an administrator can act on (PROTOCOL.md §7).</summary>
public static class ApiErrorText
{
    /// <summary>AADSTS codes of a refused token that a person must fix: app not in the tenant, no consent, no such tenant, bad or expired secret, wrong account.</summary>
    private static readonly string[] NeedsAttentionTokenCodes = ["AADSTS700016", "AADSTS65001", "AADSTS90002", "AADSTS7000215", "AADSTS7000222", "AADSTS50020"];

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

    /// <summary>
    /// Whether the API's answer needs a person to act before the content type can be collected: a permission missing
    /// (<see cref="MissingPermission"/>), or a configuration error of PROTOCOL.md §7 (AF10001, AF20010, AF20011 and the
    /// "tenant does not exist" text that means audit logging is off, AF20012, AF20013, AF20020). Not throttling, server
    /// errors, a subscription to start again, or a blob.
    /// </summary>
    /// <param name="e">The API's answer.</param>
    /// <param name="contentType">The content type the request was for.</param>
    public static bool NeedsAttention(ManagementApiException e, string contentType)
    {
        ArgumentNullException.ThrowIfNull(e);
        return MissingPermission(e, contentType) is not null
            || e.Code is "AF10001" or "AF20010" or "AF20011" or "AF20012" or "AF20013" or "AF20020"
            || AuditLoggingOff(e);
    }

    /// <summary>
    /// Whether a refused token request needs a person: the application is not (or no longer) consented in the tenant,
    /// was deleted, or its credentials are wrong (OAuth <c>invalid_client</c>, <c>unauthorized_client</c>,
    /// <c>invalid_grant</c>, <c>invalid_request</c>, <c>invalid_scope</c>, or an AADSTS code saying so). Not the token
    /// endpoint being unreachable or busy.
    /// </summary>
    /// <param name="e">The refusal.</param>
    public static bool NeedsAttention(TokenAcquisitionException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.Error is "invalid_client" or "unauthorized_client" or "invalid_grant" or "invalid_request" or "invalid_scope"
                or "invalid_audience" or "credential_unusable" or "unknown_credential"
            || NeedsAttentionTokenCodes.Any(c => e.Message.Contains(c, StringComparison.Ordinal));
    }

    /// <summary>The answer's code for status displays: its <c>AFxxxxx</c> code, else <c>HTTP</c> and the status, else <c>network</c>.</summary>
    /// <param name="e">The API's answer.</param>
    public static string CodeOf(ManagementApiException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.HasApiCode ? e.Code! : e.Status != 0 ? $"HTTP {(int)e.Status}" : "network";
    }

    /// <summary>One line: the code, the HTTP status, the message, and what to do when the code says.</summary>
    public static string Explain(ManagementApiException e) => e.Code switch
    {
        "AF20011" => e.Summary + AuditLogHint,
        "AF10001" => $"{e.Summary} — the application lacks the ActivityFeed.Read permission.",
        "AF20023" => $"{e.Summary} — the subscription is disabled (by an administrator, or for DLP.All the application may lack the ActivityFeed.ReadDlp permission); the service started it once and keeps retrying the listing.",
        _ when AuditLoggingOff(e) => e.Summary + AuditLogHint,
        _ => e.Summary,
    };

    /// <summary>The API's "tenant does not exist" without its code, as it says when audit logging is off (case S04).</summary>
    private static bool AuditLoggingOff(ManagementApiException e) =>
        e.Message.Contains("does not exist", StringComparison.OrdinalIgnoreCase) && e.Message.Contains("Tenant", StringComparison.Ordinal);
}
