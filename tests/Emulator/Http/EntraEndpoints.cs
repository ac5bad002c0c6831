using System.Net;
using System.Text.Json;

namespace O365Activity.Emulator.Http;

/// <summary>
/// The stand-in for <c>https://login.microsoftonline.com</c> (and <c>.us</c>): the v2.0 token endpoint for the
/// client-credentials grant, and the v2.0 admin-consent endpoint (PROTOCOL.md §2, cases AU1, AU5).
/// </summary>
internal static class EntraEndpoints
{
    private const string JwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    private static readonly HashSet<string> OidcScopes = new(StringComparer.OrdinalIgnoreCase) { "openid", "profile", "offline_access", "email" };
    private static readonly HashSet<string> OrganizationAliases = new(StringComparer.OrdinalIgnoreCase) { "organizations", "common" };

    public static void Map(IEndpointRouteBuilder app, EmulatorRuntime runtime)
    {
        app.MapPost("/{tenant}/oauth2/v2.0/token", context => TokenAsync(context, runtime));
        app.MapGet("/{tenant}/v2.0/adminconsent", context => AdminConsentAsync(context, runtime));
        app.MapGet("/{tenant}/v2.0/.well-known/openid-configuration", context => OpenIdConfigurationAsync(context));
    }

    /// <summary>
    /// <c>POST /{tenant}/oauth2/v2.0/token</c>. Checks, in Entra's order: the form, the grant type, the tenant, the client
    /// id (AADSTS700016), the tenant's consent (AADSTS700016), the credential (AADSTS7000215 and friends), the scope
    /// (AADSTS70011). Extra form fields, query parameters and headers (MSAL sends several) are ignored.
    /// </summary>
    private static async Task TokenAsync(HttpContext context, EmulatorRuntime runtime)
    {
        var options = runtime.Options;
        var tenantSegment = (string)context.Request.RouteValues["tenant"]!;
        if (!context.Request.HasFormContentType)
        {
            await ErrorAsync(context, 400, "invalid_request", 900144, "AADSTS900144: The request body must contain the following parameter: 'grant_type'.");
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        string? Field(string name) => form.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v.ToString()) ? v.ToString() : null;
        var clientId = Field("client_id");
        RequestLogging.SetClientId(context, clientId);

        var grantType = Field("grant_type");
        if (grantType is null)
        {
            await ErrorAsync(context, 400, "invalid_request", 900144, "AADSTS900144: The request body must contain the following parameter: 'grant_type'.");
            return;
        }

        if (!string.Equals(grantType, "client_credentials", StringComparison.Ordinal))
        {
            await ErrorAsync(context, 400, "unsupported_grant_type", 70003, $"AADSTS70003: The app requested an unsupported grant type '{grantType}'.");
            return;
        }

        if (!Guid.TryParse(tenantSegment, out var tenant))
        {
            // The emulator knows no domain names, and the client-credentials grant needs a specific tenant.
            await ErrorAsync(context, 400, "invalid_request", 90002,
                $"AADSTS90002: Tenant '{tenantSegment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.");
            return;
        }

        RequestLogging.SetTenant(context, tenant);
        if (clientId is null)
        {
            await ErrorAsync(context, 400, "invalid_request", 900144, "AADSTS900144: The request body must contain the following parameter: 'client_id'.");
            return;
        }

        var tenantText = tenant.ToString();
        if ((options.ClientId is not null && !string.Equals(options.ClientId, clientId, StringComparison.OrdinalIgnoreCase))
            || !runtime.State.IsConsented(tenant))
        {
            await ErrorAsync(context, 400, "unauthorized_client", 700016,
                $"AADSTS700016: Application with identifier '{clientId}' was not found in the directory '{tenantText}'.");
            return;
        }

        if (await CheckCredentialAsync(context, options, clientId, Field("client_secret"), Field("client_assertion"), Field("client_assertion_type")))
        {
            return;
        }

        var scope = Field("scope");
        if (scope is null)
        {
            await ErrorAsync(context, 400, "invalid_request", 900144, "AADSTS900144: The request body must contain the following parameter: 'scope'.");
            return;
        }

        var resources = scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(s => !OidcScopes.Contains(s)).ToList();
        var resource = resources.Count == 1 && resources[0].EndsWith("/.default", StringComparison.Ordinal)
            ? resources[0][..^"/.default".Length]
            : null;
        if (resource is null || !runtime.IsAcceptedResource(resource))
        {
            await ErrorAsync(context, 400, "invalid_scope", 70011,
                $"AADSTS70011: The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid.");
            return;
        }

        var token = runtime.Tokens.Issue(tenantText, resource.TrimEnd('/'), clientId, runtime.State.RolesFor(tenant), runtime.State.UtcNow, options.TokenLifetime);
        runtime.State.RecordIssuedAccessToken(token);
        var lifetime = (long)options.TokenLifetime.TotalSeconds;
        context.Response.Headers.CacheControl = "no-store, no-cache";
        context.Response.Headers.Pragma = "no-cache";
        await Json.SendAsync(context, 200, Json.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("token_type", "Bearer");
            w.WriteNumber("expires_in", lifetime);
            w.WriteNumber("ext_expires_in", lifetime);
            w.WriteString("access_token", token);
            w.WriteEndObject();
        }));
    }

    /// <summary>Answers an error and returns true when the credential is wrong or missing.</summary>
    private static async Task<bool> CheckCredentialAsync(
        HttpContext context, EmulatorOptions options, string clientId, string? secret, string? assertion, string? assertionType)
    {
        if (secret is not null)
        {
            if (options.ClientSecret is not null && !string.Equals(options.ClientSecret, secret, StringComparison.Ordinal))
            {
                await ErrorAsync(context, 401, "invalid_client", 7000215, "AADSTS7000215: Invalid client secret provided.");
                return true;
            }

            return false;
        }

        if (assertion is null)
        {
            await ErrorAsync(context, 401, "invalid_client", 7000218,
                "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
            return true;
        }

        if (!string.Equals(assertionType, JwtBearerAssertionType, StringComparison.Ordinal))
        {
            await ErrorAsync(context, 400, "invalid_request", 900144,
                "AADSTS900144: The request body must contain the following parameter: 'client_assertion_type'.");
            return true;
        }

        if (!options.AcceptClientAssertions)
        {
            await ErrorAsync(context, 401, "invalid_client", 700027, "AADSTS700027: Client assertion failed signature validation.");
            return true;
        }

        using var payload = AccessTokens.ReadUnverifiedPayload(assertion);
        if (payload is null || payload.RootElement.ValueKind != JsonValueKind.Object)
        {
            await ErrorAsync(context, 401, "invalid_client", 50027, "AADSTS50027: JWT token is invalid or malformed.");
            return true;
        }

        if (options.ClientCertificates.Count > 0 && !AccessTokens.IsSignedByOneOf(assertion, options.ClientCertificates))
        {
            await ErrorAsync(context, 401, "invalid_client", 700027, "AADSTS700027: Client assertion failed signature validation.");
            return true;
        }

        if (payload.RootElement.TryGetProperty("sub", out var sub) && sub.ValueKind == JsonValueKind.String
            && !string.Equals(sub.GetString(), clientId, StringComparison.OrdinalIgnoreCase))
        {
            await ErrorAsync(context, 401, "invalid_client", 700021, "AADSTS700021: Client assertion application identifier doesn't match 'client_id' parameter.");
            return true;
        }

        return false;
    }

    /// <summary>
    /// <c>GET /{tenant}/v2.0/adminconsent</c>: an administrator approves at once. Success: 302 to
    /// <c>{redirect_uri}?admin_consent=True&amp;tenant=..&amp;scope=..&amp;state=..</c>; a configured failure: 302 with
    /// <c>admin_consent=True&amp;error=..&amp;error_description=..&amp;state=..</c>; a bad request: Entra's 400 error page (HTML).
    /// </summary>
    private static async Task AdminConsentAsync(HttpContext context, EmulatorRuntime runtime)
    {
        var options = runtime.Options;
        var query = context.Request.Query;
        string? Param(string name) => query.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v.ToString()) ? v.ToString() : null;
        var tenantSegment = (string)context.Request.RouteValues["tenant"]!;
        var clientId = Param("client_id");
        var redirectUri = Param("redirect_uri");
        var scope = Param("scope");
        var state = query.TryGetValue("state", out var s) ? s.ToString() : null;
        RequestLogging.SetClientId(context, clientId);

        if (clientId is null)
        {
            await ErrorPageAsync(context, "invalid_request", "AADSTS900144: The request body must contain the following parameter: 'client_id'.");
            return;
        }

        if (redirectUri is null)
        {
            await ErrorPageAsync(context, "invalid_request", "AADSTS900144: The request body must contain the following parameter: 'redirect_uri'.");
            return;
        }

        if (!Uri.TryCreate(redirectUri, UriKind.Absolute, out var redirect) || (redirect.Scheme != Uri.UriSchemeHttp && redirect.Scheme != Uri.UriSchemeHttps))
        {
            await ErrorPageAsync(context, "invalid_request", "AADSTS90102: 'redirect_uri' value must be a valid absolute URI.");
            return;
        }

        Guid tenant;
        if (OrganizationAliases.Contains(tenantSegment))
        {
            var hint = Param("tenant_hint");
            if (hint is not null && Guid.TryParse(hint, out var hinted))
            {
                tenant = hinted;
            }
            else if (options.DefaultConsentTenant is { } fallback)
            {
                tenant = fallback;
            }
            else
            {
                await ErrorPageAsync(context, "invalid_request",
                    $"The emulator cannot tell which tenant's administrator signs in at '{tenantSegment}': add tenant_hint=<tenant GUID> to the URL or configure DefaultConsentTenant (--consent-tenant).");
                return;
            }
        }
        else if (!Guid.TryParse(tenantSegment, out tenant))
        {
            await ErrorPageAsync(context, "invalid_request",
                $"AADSTS90002: Tenant '{tenantSegment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.");
            return;
        }

        RequestLogging.SetTenant(context, tenant);
        if (options.ClientId is not null && !string.Equals(options.ClientId, clientId, StringComparison.OrdinalIgnoreCase))
        {
            await ErrorPageAsync(context, "unauthorized_client",
                $"AADSTS700016: Application with identifier '{clientId}' was not found in the directory '{tenant}'.");
            return;
        }

        if (options.RedirectUris is { } registered && !registered.Contains(redirectUri, StringComparer.Ordinal))
        {
            await ErrorPageAsync(context, "invalid_request",
                $"AADSTS50011: The redirect URI '{redirectUri}' specified in the request does not match the redirect URIs configured for the application '{clientId}'.");
            return;
        }

        var parameters = new List<(string, string?)> { ("admin_consent", "True") };
        var failure = runtime.State.ConsentFailureFor(tenant);
        if (failure is not null)
        {
            parameters.Add(("error", failure.Error));
            parameters.Add(("error_description", failure.ErrorDescription));
            RequestLogging.SetErrorCode(context, failure.Error);
        }
        else
        {
            runtime.State.GrantConsent(tenant);
            parameters.Add(("tenant", tenant.ToString()));
            parameters.Add(("scope", scope));
        }

        parameters.Add(("state", state));
        var separator = redirectUri.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        var location = redirectUri + separator + string.Join("&", parameters.Where(p => p.Item2 is not null)
            .Select(p => p.Item1 + "=" + WebUtility.UrlEncode(p.Item2)));
        context.Response.StatusCode = 302;
        context.Response.Headers.Location = location;
        context.Response.Headers.CacheControl = "no-store, no-cache";
    }

    /// <summary>A minimal OpenID configuration document, for clients that look one up.</summary>
    private static Task OpenIdConfigurationAsync(HttpContext context)
    {
        var tenant = (string)context.Request.RouteValues["tenant"]!;
        var origin = $"{context.Request.Scheme}://{context.Request.Host}";
        return Json.SendAsync(context, 200, Json.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("token_endpoint", $"{origin}/{tenant}/oauth2/v2.0/token");
            w.WriteStartArray("token_endpoint_auth_methods_supported");
            w.WriteStringValue("client_secret_post");
            w.WriteStringValue("private_key_jwt");
            w.WriteEndArray();
            w.WriteString("issuer", $"{origin}/{tenant}/v2.0");
            w.WriteString("authorization_endpoint", $"{origin}/{tenant}/oauth2/v2.0/authorize");
            w.WriteEndObject();
        }));
    }

    private static Task ErrorAsync(HttpContext context, int status, string error, int code, string description) =>
        Json.SendAsync(context, status, Json.EntraErrorBody(error, description, code), error);

    private static Task ErrorPageAsync(HttpContext context, string error, string message)
    {
        RequestLogging.SetErrorCode(context, error);
        context.Response.StatusCode = 400;
        context.Response.ContentType = "text/html; charset=utf-8";
        var encoded = WebUtility.HtmlEncode(message);
        return context.Response.WriteAsync(
            "<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body>"
            + "<h1>Sorry, but we're having trouble signing you in.</h1>"
            + $"<p id=\"error\">{encoded}</p></body></html>",
            context.RequestAborted);
    }
}
