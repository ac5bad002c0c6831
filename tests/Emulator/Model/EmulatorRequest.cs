using System.Web;

namespace O365Activity.Emulator;

/// <summary>What a request was, by its path.</summary>
public enum RequestKind
{
    /// <summary>Anything else (unknown paths answer 404).</summary>
    Other,

    /// <summary><c>POST /{tenant}/oauth2/v2.0/token</c>.</summary>
    Token,

    /// <summary><c>GET /{tenant}/v2.0/adminconsent</c>.</summary>
    AdminConsent,

    /// <summary><c>POST .../activity/feed/subscriptions/start</c>.</summary>
    StartSubscription,

    /// <summary><c>POST .../activity/feed/subscriptions/stop</c>.</summary>
    StopSubscription,

    /// <summary><c>GET .../activity/feed/subscriptions/list</c>.</summary>
    ListSubscriptions,

    /// <summary><c>GET .../activity/feed/subscriptions/content</c>.</summary>
    ListContent,

    /// <summary><c>GET .../activity/feed/audit/{contentId}</c>.</summary>
    GetBlob,

    /// <summary><c>GET .../activity/feed/subscriptions/notifications</c>.</summary>
    ListNotifications,
}

/// <summary>One request the emulator answered, as kept in <see cref="EmulatorState.Requests"/>.</summary>
/// <param name="Time">When it arrived, by the emulator's clock (skew included).</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Url">The full URL as received (scheme, host and port of the emulator, path and query).</param>
/// <param name="Kind">What it was.</param>
/// <param name="TenantSegment">The tenant part of the path as sent (may be <c>organizations</c> or not a GUID), or null.</param>
/// <param name="TenantId">The tenant as a GUID when the path had one; for admin consent to <c>organizations</c>, the
/// tenant that was chosen.</param>
/// <param name="StatusCode">The status answered.</param>
/// <param name="ErrorCode">The error code answered, if any: an <c>AFxxxxx</c> code, the <c>error</c> of an Entra error
/// (for example <c>invalid_client</c>), the W01 exception text, or <c>AF429</c>; null on success.</param>
/// <param name="Faulted">True when an injected fault answered it.</param>
/// <param name="ClientId">The <c>client_id</c> of a token or admin-consent request.</param>
public sealed record EmulatorRequest(
    DateTimeOffset Time,
    string Method,
    Uri Url,
    RequestKind Kind,
    string? TenantSegment,
    Guid? TenantId,
    int StatusCode,
    string? ErrorCode,
    bool Faulted,
    string? ClientId)
{
    /// <summary>A query parameter of <see cref="Url"/> (name matched case-insensitively, value URL-decoded), or null.</summary>
    /// <param name="name">The parameter name, for example <c>startTime</c>.</param>
    public string? Query(string name)
    {
        var values = HttpUtility.ParseQueryString(Url.Query);
        foreach (var key in values.AllKeys)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return values[key];
            }
        }

        return null;
    }
}
