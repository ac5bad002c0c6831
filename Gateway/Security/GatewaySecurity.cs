using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Authentication.Certificate;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.IdentityModel.Tokens;

namespace O365Activity.Gateway.Security;

/// <summary>
/// The gateway's authentication and authorization, with ASP.NET Core's own handlers: certificate authentication
/// (mutual TLS, client certificates chained to the configured CA) and JWT bearer authentication (issuer, audience,
/// lifetime and signature), either or both (<see cref="GatewayAuthenticationOptions"/>). Every request needs an
/// authenticated caller (the fallback authorization policy, which also covers the status page's static files), except
/// the endpoints marked anonymous: the consent callback (Entra's redirect) and gRPC health. Roles and tenant scope are
/// checked per call by <see cref="AccessInterceptor"/> and the status API's filter.
/// </summary>
public static partial class GatewaySecurity
{
    /// <summary>The scheme that picks bearer or certificate authentication per request.</summary>
    public const string Scheme = "Gateway";

    /// <summary>
    /// Registers authentication and authorization as configured.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// Authentication is off outside the Development environment; it is on with no way in configured; client
    /// certificates are configured without <c>Gateway:Tls</c>; a certificate entry names an unknown role or tenant.
    /// </exception>
    public static void AddGatewaySecurity(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(GatewayAuthenticationOptions.SectionName).Get<GatewayAuthenticationOptions>() ?? new();
        var tls = builder.Configuration.GetSection(GatewayTlsOptions.SectionName).Get<GatewayTlsOptions>() ?? new();
        var enforced = options.Mode == AuthenticationMode.Required;
        builder.Services.AddSingleton(new GatewaySecurityState(enforced));
        if (!enforced)
        {
            if (!builder.Environment.IsDevelopment())
            {
                throw new InvalidOperationException(
                    $"Gateway:Authentication:Mode is None in the {builder.Environment.EnvironmentName} environment: authentication may be off only in Development (set DOTNET_ENVIRONMENT=Development for a local run), never in production.");
            }

            builder.Services.AddAuthentication();
            builder.Services.AddAuthorization();
            return;
        }

        if (!options.HasAnyScheme)
        {
            throw new InvalidOperationException(
                "Authentication is required (Gateway:Authentication:Mode=Required) but no way in is configured: set Gateway:Authentication:ClientCertificates:CaCertificatePath (with Gateway:Tls) for client certificates, and/or Gateway:Authentication:Jwt:Audience with Authority, MetadataAddress or SigningKeysPath for bearer tokens. For a local run only, Mode=None in the Development environment turns authentication off.");
        }

        if (options.ClientCertificates.IsConfigured && !tls.IsConfigured)
        {
            throw new InvalidOperationException("Client certificates (Gateway:Authentication:ClientCertificates) need the gateway's own TLS certificate: set Gateway:Tls:CertificatePath and Gateway:Tls:KeyPath, and https:// endpoints.");
        }

        var clients = options.ClientCertificates.IsConfigured ? CertificateClients.From(options.ClientCertificates) : null;
        var authentication = builder.Services.AddAuthentication(Scheme);
        authentication.AddPolicyScheme(Scheme, "Certificate or bearer token", policy => policy.ForwardDefaultSelector = context =>
            options.Jwt.IsConfigured && (context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || clients is null)
                ? JwtBearerDefaults.AuthenticationScheme
                : CertificateAuthenticationDefaults.AuthenticationScheme);
        if (clients is not null)
        {
            authentication.AddCertificate(certificate =>
            {
                certificate.AllowedCertificateTypes = CertificateTypes.Chained;
                certificate.ChainTrustValidationMode = X509ChainTrustMode.CustomRootTrust;
                certificate.CustomTrustStore.AddRange(clients.Authorities);
                certificate.RevocationMode = options.ClientCertificates.CheckRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck;
                certificate.ValidateCertificateUse = true;
                certificate.ValidateValidityPeriod = true;
                certificate.Events = new CertificateAuthenticationEvents
                {
                    OnCertificateValidated = context =>
                    {
                        context.Principal = clients.PrincipalFor(context.ClientCertificate, context.Scheme.Name);
                        context.Success();
                        return Task.CompletedTask;
                    },
                    OnAuthenticationFailed = context =>
                    {
                        LogCertificateRefused(context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GatewaySecurity)),
                            context.HttpContext.Connection.RemoteIpAddress?.ToString(), context.Exception.Message);
                        return Task.CompletedTask;
                    },
                    // Not 403: a caller without a valid certificate is unauthenticated (gRPC UNAUTHENTICATED).
                    OnChallenge = context =>
                    {
                        context.HandleResponse();
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        return Task.CompletedTask;
                    },
                };
            });
        }

        if (options.Jwt.IsConfigured)
        {
            var jwt = options.Jwt;
            authentication.AddJwtBearer(bearer =>
            {
                bearer.MapInboundClaims = false;
                bearer.Audience = jwt.Audience;
                bearer.Authority = string.IsNullOrWhiteSpace(jwt.Authority) ? null : jwt.Authority;
                bearer.MetadataAddress = jwt.MetadataAddress ?? "";
                bearer.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
                bearer.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidateIssuer = true,
                    ValidIssuer = string.IsNullOrWhiteSpace(jwt.Issuer) ? null : jwt.Issuer,
                    ValidateAudience = true,
                    ValidAudience = jwt.Audience,
                    ValidateLifetime = true,
                    RequireExpirationTime = true,
                    RequireSignedTokens = true,
                    ValidateIssuerSigningKey = true,
                    ClockSkew = jwt.ClockSkew,
                    NameClaimType = jwt.NameClaim,
                    RoleClaimType = jwt.RoleClaim,
                };
                if (!string.IsNullOrWhiteSpace(jwt.SigningKeysPath))
                {
                    if (string.IsNullOrWhiteSpace(jwt.Issuer))
                    {
                        throw new InvalidOperationException("Gateway:Authentication:Jwt:SigningKeysPath needs Gateway:Authentication:Jwt:Issuer (without metadata there is no issuer to check against).");
                    }

                    bearer.TokenValidationParameters.IssuerSigningKeys = new JsonWebKeySet(File.ReadAllText(jwt.SigningKeysPath)).GetSigningKeys();
                }

                bearer.Events = new JwtBearerEvents
                {
                    OnTokenValidated = context =>
                    {
                        if (context.Principal?.Identity is ClaimsIdentity identity)
                        {
                            AddTenantClaims(identity, jwt.TenantClaim);
                        }

                        return Task.CompletedTask;
                    },
                    OnAuthenticationFailed = context =>
                    {
                        LogTokenRefused(context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GatewaySecurity)),
                            context.HttpContext.Connection.RemoteIpAddress?.ToString(), context.Exception.GetType().Name);
                        return Task.CompletedTask;
                    },
                };
            });
        }

        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(Scheme).RequireAuthenticatedUser().Build());
    }

    /// <summary>
    /// The TLS settings of the gateway's <c>https://</c> endpoints: its certificate (read once, for all of them), and
    /// client certificates asked for (not required: a bearer-token client has none) when client-certificate
    /// authentication is configured. Kestrel accepts any client certificate at the handshake; the certificate handler
    /// then checks its chain against the configured CA only, and a certificate that fails is not authenticated.
    /// </summary>
    /// <returns>Null when <c>Gateway:Tls</c> names no certificate (no endpoint may then be <c>https://</c>).</returns>
    public static Action<HttpsConnectionAdapterOptions>? Https(IConfiguration configuration)
    {
        var tls = configuration.GetSection(GatewayTlsOptions.SectionName).Get<GatewayTlsOptions>() ?? new();
        if (!tls.IsConfigured)
        {
            return null;
        }

        var authentication = configuration.GetSection(GatewayAuthenticationOptions.SectionName).Get<GatewayAuthenticationOptions>() ?? new();
        var askForClients = authentication.Mode == AuthenticationMode.Required && authentication.ClientCertificates.IsConfigured;
        var certificate = new Lazy<X509Certificate2>(() => string.IsNullOrEmpty(tls.KeyPassword)
            ? X509Certificate2.CreateFromPemFile(tls.CertificatePath!, tls.KeyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(tls.CertificatePath!, tls.KeyPassword, tls.KeyPath));
        return https =>
        {
            https.ServerCertificate = certificate.Value;
            if (askForClients)
            {
                https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                https.AllowAnyClientCertificate();
            }
        };
    }

    /// <summary>Says at start, loudly, that authentication is off (a warning log and a line on standard error).</summary>
    public static void WarnWhenOff(WebApplication app)
    {
        if (app.Services.GetRequiredService<GatewaySecurityState>().Enforced)
        {
            return;
        }

        const string Message = "AUTHENTICATION IS OFF (Gateway:Authentication:Mode=None, Development environment): any process that reaches the gateway's ports can create, delete and read every tenant. Never run this way outside a developer's machine.";
        Console.Error.WriteLine("WARNING: " + Message);
        LogAuthenticationOff(app.Logger, Message);
    }

    private static void AddTenantClaims(ClaimsIdentity identity, string tenantClaim)
    {
        var any = false;
        foreach (var value in identity.FindAll(tenantClaim).SelectMany(c => c.Value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries)).ToList())
        {
            any = true;
            // An unreadable value grants nothing (it is not a tenant id), and does not widen the scope.
            if (Guid.TryParse(value, out var tenant))
            {
                identity.AddClaim(new Claim(ClientAccess.TenantClaimType, tenant.ToString()));
            }
        }

        if (!any)
        {
            identity.AddClaim(new Claim(ClientAccess.TenantClaimType, ClientAccess.AllTenants));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Message}")]
    private static partial void LogAuthenticationOff(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "A client certificate from {Address} was refused: {Reason}")]
    private static partial void LogCertificateRefused(ILogger logger, string? address, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "A bearer token from {Address} was refused ({Reason})")]
    private static partial void LogTokenRefused(ILogger logger, string? address, string reason);

    /// <summary>The configured client-certificate entries, matched by thumbprint then subject.</summary>
    private sealed class CertificateClients
    {
        private readonly List<(string? Thumbprint, string? Subject, CertificateClient Entry)> _entries = [];

        private CertificateClients(X509Certificate2Collection authorities) => Authorities = authorities;

        public X509Certificate2Collection Authorities { get; }

        public static CertificateClients From(ClientCertificateOptions options)
        {
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPemFile(options.CaCertificatePath!);
            if (authorities.Count == 0)
            {
                throw new InvalidOperationException($"Gateway:Authentication:ClientCertificates:CaCertificatePath '{options.CaCertificatePath}' holds no certificate.");
            }

            var clients = new CertificateClients(authorities);
            for (var i = 0; i < options.Clients.Count; i++)
            {
                var entry = options.Clients[i];
                var setting = $"Gateway:Authentication:ClientCertificates:Clients:{i}";
                if (string.IsNullOrWhiteSpace(entry.Subject) && string.IsNullOrWhiteSpace(entry.Thumbprint))
                {
                    throw new InvalidOperationException($"{setting} needs a Subject or a Thumbprint.");
                }

                if (entry.Roles.FirstOrDefault(r => !GatewayRoles.IsKnown(r)) is { } role)
                {
                    throw new InvalidOperationException($"{setting}:Roles has '{role}': the roles are '{GatewayRoles.Admin}' and '{GatewayRoles.Reader}'.");
                }

                if (entry.Tenants.FirstOrDefault(t => !Guid.TryParse(t, out _)) is { } tenant)
                {
                    throw new InvalidOperationException($"{setting}:Tenants has '{tenant}', which is not a tenant id (a GUID).");
                }

                var thumbprint = entry.Thumbprint?.Replace(":", "", StringComparison.Ordinal).Trim().ToUpperInvariant();
                clients._entries.Add((string.IsNullOrEmpty(thumbprint) ? null : thumbprint, string.IsNullOrWhiteSpace(entry.Subject) ? null : entry.Subject.Trim(), entry));
            }

            return clients;
        }

        public ClaimsPrincipal PrincipalFor(X509Certificate2 certificate, string scheme)
        {
            var thumbprint = certificate.GetCertHashString(HashAlgorithmName.SHA256);
            var subject = certificate.Subject;
            var entry = _entries.FirstOrDefault(e => e.Thumbprint == thumbprint).Entry
                ?? _entries.FirstOrDefault(e => e.Subject is not null && string.Equals(e.Subject, subject, StringComparison.Ordinal)).Entry;
            var identity = new ClaimsIdentity(scheme, ClaimTypes.Name, ClaimTypes.Role);
            var name = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
            identity.AddClaim(new Claim(ClaimTypes.Name, string.IsNullOrEmpty(name) ? subject : name));
            identity.AddClaim(new Claim("o365activity:certificate", thumbprint));
            if (entry is not null)
            {
                foreach (var role in entry.Roles.Distinct(StringComparer.Ordinal))
                {
                    identity.AddClaim(new Claim(ClaimTypes.Role, role));
                }

                if (entry.Tenants.Count == 0)
                {
                    identity.AddClaim(new Claim(ClientAccess.TenantClaimType, ClientAccess.AllTenants));
                }

                foreach (var tenant in entry.Tenants)
                {
                    identity.AddClaim(new Claim(ClientAccess.TenantClaimType, Guid.Parse(tenant).ToString()));
                }
            }

            return new ClaimsPrincipal(identity);
        }
    }
}
