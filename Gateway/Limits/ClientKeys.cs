namespace O365Activity.Gateway.Limits;

/// <summary>The key the per-client limits count under: who the caller is, as far as the gateway can tell.</summary>
public static class ClientKeys
{
    /// <summary>
    /// The caller's authenticated name (<c>User.Identity.Name</c>) when it is authenticated, else <c>address:</c> and
    /// the address it connected from (after <c>X-Forwarded-For</c> only when it came through a trusted proxy,
    /// <see cref="GatewayLimitsOptions.TrustedProxies"/>).
    /// </summary>
    /// <param name="context">The call's HTTP context.</param>
    public static string Of(HttpContext context) =>
        context.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name }
            ? name
            : "address:" + context.Connection.RemoteIpAddress;
}
