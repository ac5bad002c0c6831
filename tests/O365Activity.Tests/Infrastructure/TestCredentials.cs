using System.Net.Security;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace O365Activity.Tests.Infrastructure;

/// <summary>
/// Real credentials for the gateway's authentication tests: a CA with a server certificate and client certificates
/// (ECDSA P-256, written as PEM files as an operator would configure them), a second CA nobody trusts, and an RSA
/// token signer whose public key is written as a JSON Web Key Set.
/// </summary>
public sealed class TestCredentials
{
    public const string Issuer = "https://issuer.test.invalid/o365activity";
    public const string Audience = "api://o365activity-gateway";

    private readonly string _folder;
    private readonly X509Certificate2 _ca;
    private readonly X509Certificate2 _foreignCa;
    private readonly RSA _signer = RSA.Create(2048);
    private readonly RSA _otherSigner = RSA.Create(2048);

    public TestCredentials(string folder)
    {
        _folder = folder;
        Directory.CreateDirectory(folder);
        _ca = CreateAuthority("o365activity test CA");
        _foreignCa = CreateAuthority("somebody else's CA");
        File.WriteAllText(CaPath, _ca.ExportCertificatePem());
        var server = Issue(_ca, "CN=localhost", server: true);
        File.WriteAllText(ServerCertificatePath, server.ExportCertificatePem());
        File.WriteAllText(ServerKeyPath, server.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        var key = new RsaSecurityKey(_signer.ExportParameters(false)) { KeyId = "test-key" };
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(key);
        jwk.Use = "sig";
        jwk.Alg = SecurityAlgorithms.RsaSha256;
        File.WriteAllText(SigningKeysPath, System.Text.Json.JsonSerializer.Serialize(new { keys = new[] { new { jwk.Kty, jwk.Kid, jwk.Use, jwk.Alg, jwk.N, jwk.E } } },
            new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase }));
    }

    public string CaPath => Path.Combine(_folder, "ca.crt");

    /// <summary>Writes the server certificate's key again, encrypted with <paramref name="password"/>; returns its path.</summary>
    public string WriteEncryptedServerKey(string password)
    {
        var path = Path.Combine(_folder, "server-encrypted.key");
        using var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(ServerKeyPath));
        File.WriteAllText(path, key.ExportEncryptedPkcs8PrivateKeyPem(password, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000)));
        return path;
    }

    public string ServerCertificatePath => Path.Combine(_folder, "server.crt");

    public string ServerKeyPath => Path.Combine(_folder, "server.key");

    public string SigningKeysPath => Path.Combine(_folder, "jwks.json");

    /// <summary>A client certificate (with its key) issued by the trusted CA, subject <c>CN={name}</c>.</summary>
    public X509Certificate2 Client(string name) => Issue(_ca, $"CN={name}", server: false);

    /// <summary>A client certificate issued by a CA the gateway does not trust.</summary>
    public X509Certificate2 ForeignClient(string name) => Issue(_foreignCa, $"CN={name}", server: false);

    /// <summary>A client certificate of the trusted CA whose validity ended yesterday.</summary>
    public X509Certificate2 ExpiredClient(string name) => Issue(_ca, $"CN={name}", server: false, notAfter: DateTimeOffset.UtcNow.AddDays(-1));

    /// <summary>
    /// A signed JWT: subject <paramref name="subject"/>, the roles and tenant ids given (no tenant claim when null),
    /// for <see cref="Audience"/> from <see cref="Issuer"/> unless told otherwise.
    /// </summary>
    public string Token(string subject, string[] roles, string[]? tenants = null, string audience = Audience, string issuer = Issuer,
        TimeSpan? expiresIn = null, bool foreignKey = false)
    {
        var claims = new List<Claim> { new("sub", subject) };
        claims.AddRange(roles.Select(r => new Claim("roles", r)));
        claims.AddRange((tenants ?? []).Select(t => new Claim("o365activity_tenants", t)));
        var now = DateTime.UtcNow;
        var expires = now + (expiresIn ?? TimeSpan.FromMinutes(10));
        var key = new RsaSecurityKey(foreignKey ? _otherSigner : _signer) { KeyId = "test-key" };
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = expires < now ? expires.AddMinutes(-10) : now,
            NotBefore = expires < now ? expires.AddMinutes(-10) : now,
            Expires = expires,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }

    /// <summary>An HTTP handler trusting the test CA for the gateway's certificate and presenting <paramref name="client"/>, if any.</summary>
    public SocketsHttpHandler Handler(X509Certificate2? client = null)
    {
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(_ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(certificate));
        };
        if (client is not null)
        {
            handler.SslOptions.ClientCertificates = [client];
        }

        return handler;
    }

    /// <summary>A gRPC channel to <paramref name="address"/> presenting <paramref name="client"/> and/or <paramref name="token"/>.</summary>
    public GrpcChannel Channel(Uri address, X509Certificate2? client = null, string? token = null)
    {
        var options = new GrpcChannelOptions { HttpHandler = Handler(client), DisposeHttpClient = true };
        if (token is not null)
        {
            options.Credentials = Grpc.Core.ChannelCredentials.Create(Grpc.Core.ChannelCredentials.SecureSsl, Grpc.Core.CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add("Authorization", "Bearer " + token);
                return Task.CompletedTask;
            }));
        }

        return GrpcChannel.ForAddress(address, options);
    }

    private static X509Certificate2 CreateAuthority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return Reload(request.CreateSelfSigned(now.AddDays(-2), now.AddDays(30)));
    }

    private static X509Certificate2 Issue(X509Certificate2 authority, string subject, bool server, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(System.Net.IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        var now = DateTimeOffset.UtcNow;
        var end = notAfter ?? now.AddDays(20);
        using var issued = request.Create(authority, now.AddDays(-2), end, RandomNumberGenerator.GetBytes(12));
        return Reload(issued.CopyWithPrivateKey(key));
    }

    /// <summary>Through PKCS#12, so that the key is usable by TLS on every platform (not an ephemeral key object).</summary>
    private static X509Certificate2 Reload(X509Certificate2 certificate)
    {
        using (certificate)
        {
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        }
    }
}
