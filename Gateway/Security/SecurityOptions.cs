using System.ComponentModel.DataAnnotations;

namespace O365Activity.Gateway.Security;

/// <summary>Whether the gateway authenticates its clients (setting <c>Gateway:Authentication:Mode</c>).</summary>
public enum AuthenticationMode
{
    /// <summary>Every gRPC call (but the health service) and every status-page request must authenticate: the default.</summary>
    Required,

    /// <summary>
    /// No authentication: every caller may do everything. Refused outside the Development environment (the gateway
    /// does not start), and said loudly at start.
    /// </summary>
    None,
}

/// <summary>
/// How the gateway authenticates its clients and what each may do (configuration section
/// <c>Gateway:Authentication</c>). Two ways in, either or both: client certificates issued by a configured CA
/// (mutual TLS, <see cref="ClientCertificates"/>), and bearer JWTs from a configured issuer (<see cref="Jwt"/>). A
/// client's roles (<see cref="GatewayRoles"/>) and tenants come from its certificate's entry in
/// <see cref="ClientCertificateOptions.Clients"/>, or from its token's claims.
/// </summary>
public sealed class GatewayAuthenticationOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Gateway:Authentication";

    /// <summary><see cref="AuthenticationMode.Required"/> (default) or <see cref="AuthenticationMode.None"/> (Development only).</summary>
    public AuthenticationMode Mode { get; set; } = AuthenticationMode.Required;

    /// <summary>Client certificates (section <c>Gateway:Authentication:ClientCertificates</c>); needs <c>Gateway:Tls</c>.</summary>
    public ClientCertificateOptions ClientCertificates { get; set; } = new();

    /// <summary>Bearer tokens (section <c>Gateway:Authentication:Jwt</c>).</summary>
    public JwtOptions Jwt { get; set; } = new();

    /// <summary>True when at least one way in is configured.</summary>
    public bool HasAnyScheme => ClientCertificates.IsConfigured || Jwt.IsConfigured;
}

/// <summary>Client-certificate authentication (section <c>Gateway:Authentication:ClientCertificates</c>).</summary>
public sealed class ClientCertificateOptions
{
    /// <summary>
    /// A PEM file with the CA certificate(s) that client certificates must chain to (setting
    /// <c>CaCertificatePath</c>). Only these CAs are trusted for clients, not the machine's store.
    /// </summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>
    /// Whether a client certificate's revocation is checked online (setting <c>CheckRevocation</c>, default false: a
    /// private CA often publishes no revocation list; remove a client by deleting its entry in <see cref="Clients"/>).
    /// </summary>
    public bool CheckRevocation { get; set; }

    /// <summary>
    /// What each client certificate may do (settings <c>Clients:{n}:Subject</c> or <c>Clients:{n}:Thumbprint</c>,
    /// <c>Clients:{n}:Roles</c>, <c>Clients:{n}:Tenants</c>). A certificate from the CA that no entry names is
    /// authenticated but has no role, so every call is refused with <c>PERMISSION_DENIED</c>.
    /// </summary>
    public List<CertificateClient> Clients { get; set; } = [];

    /// <summary>True when a CA is configured.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(CaCertificatePath);
}

/// <summary>One client certificate's entry: how it is recognised, its roles and its tenants.</summary>
public sealed class CertificateClient
{
    /// <summary>The certificate's subject distinguished name exactly as .NET formats it, for example <c>CN=siem-reader, O=Example</c>.</summary>
    public string? Subject { get; set; }

    /// <summary>The certificate's SHA-256 thumbprint, hex (any letter case, colons allowed); checked before <see cref="Subject"/>.</summary>
    public string? Thumbprint { get; set; }

    /// <summary>The client's roles: <c>admin</c> and/or <c>reader</c> (<see cref="GatewayRoles"/>).</summary>
    public List<string> Roles { get; set; } = [];

    /// <summary>The tenant ids the client may see; empty means every tenant.</summary>
    public List<string> Tenants { get; set; } = [];
}

/// <summary>
/// Bearer JWT authentication (section <c>Gateway:Authentication:Jwt</c>): tokens are validated for issuer, audience,
/// lifetime and signature. The signing keys come from the issuer's OpenID Connect metadata (<see cref="Authority"/> or
/// <see cref="MetadataAddress"/>; for Entra ID, <c>https://login.microsoftonline.com/{tenant}/v2.0</c>), or from a
/// JSON Web Key Set file (<see cref="SigningKeysPath"/>).
/// </summary>
public sealed class JwtOptions
{
    /// <summary>The issuer's base URL; its metadata is read from <c>{Authority}/.well-known/openid-configuration</c>.</summary>
    public string? Authority { get; set; }

    /// <summary>The metadata document's URL, when it is not under <see cref="Authority"/>.</summary>
    public string? MetadataAddress { get; set; }

    /// <summary>Whether metadata must be fetched over https (default true; false only for a local issuer).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>A JSON Web Key Set file with the signing keys, instead of metadata.</summary>
    public string? SigningKeysPath { get; set; }

    /// <summary>The issuer (<c>iss</c>) a token must carry; with metadata, defaults to the metadata's issuer.</summary>
    public string? Issuer { get; set; }

    /// <summary>The audience (<c>aud</c>) a token must carry: this gateway's application id URI or client id. Required.</summary>
    public string? Audience { get; set; }

    /// <summary>The claim that names the client (default <c>sub</c>; <c>azp</c> or <c>appid</c> name the calling application in Entra ID).</summary>
    [Required]
    public string NameClaim { get; set; } = "sub";

    /// <summary>The claim with the client's roles (default <c>roles</c>, where Entra ID puts application roles).</summary>
    [Required]
    public string RoleClaim { get; set; } = "roles";

    /// <summary>
    /// The claim with the tenant ids the client may see (default <c>o365activity_tenants</c>; one id per claim value,
    /// or several separated by spaces or commas). A token without it may see every tenant.
    /// </summary>
    [Required]
    public string TenantClaim { get; set; } = "o365activity_tenants";

    /// <summary>Tolerated clock difference when checking a token's lifetime (default 2 minutes).</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>True when an audience and a source of signing keys are configured.</summary>
    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(Audience)
        && (!string.IsNullOrWhiteSpace(Authority) || !string.IsNullOrWhiteSpace(MetadataAddress) || !string.IsNullOrWhiteSpace(SigningKeysPath));
}

/// <summary>
/// The gateway's own TLS certificate (section <c>Gateway:Tls</c>): with it, the gRPC and status endpoints may be
/// <c>https://</c> URLs, and client certificates can be asked for.
/// </summary>
public sealed class GatewayTlsOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Gateway:Tls";

    /// <summary>The server certificate, PEM (setting <c>Gateway:Tls:CertificatePath</c>; a full chain may follow it).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Its private key, PEM (setting <c>Gateway:Tls:KeyPath</c>).</summary>
    public string? KeyPath { get; set; }

    /// <summary>The key's password when the PEM key is encrypted (setting <c>Gateway:Tls:KeyPassword</c>; from the environment or a secrets file, never the repository).</summary>
    public string? KeyPassword { get; set; }

    /// <summary>True when a certificate is configured.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(CertificatePath);

    /// <inheritdoc />
    public override string ToString() => $"certificate {CertificatePath}, key {KeyPath}" + (KeyPassword is null ? "" : ", key password [redacted]");
}

/// <summary>The roles a client may hold.</summary>
public static class GatewayRoles
{
    /// <summary>Manages event sources: create, update, delete, renew consent (and sees them).</summary>
    public const string Admin = "admin";

    /// <summary>Streams and queries activity, and sees event sources.</summary>
    public const string Reader = "reader";

    /// <summary>True for a known role name.</summary>
    public static bool IsKnown(string role) => role is Admin or Reader;
}
