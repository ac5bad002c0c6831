using System.Security.Cryptography.X509Certificates;

namespace O365Activity.Grains.Collection;

/// <summary>
/// A registered (multi-tenant) application and how the service proves it is that application to Entra's token
/// endpoint (PROTOCOL.md §2): a client secret, or a certificate (a client assertion signed with its private key; RS256,
/// at least 2,048 bits). The default credential is the top-level <c>Collector</c> values; others are named under
/// <c>Collector:Credentials:{name}</c> and chosen per event source, so that tenants consented to different
/// applications (or clouds) are collected side by side (case AU1).
/// </summary>
/// <remarks>
/// Exactly one of <see cref="ClientSecret"/> (or <see cref="ClientSecretFile"/>), <see cref="CertificatePath"/> and
/// <see cref="CertificateThumbprint"/> is set. The secret and the certificate password are secrets (marked with Orleans' <see cref="RedactAttribute"/>):
/// <see cref="ToString"/> never shows them, and the service never logs them. Each may come from a file instead
/// (<see cref="ClientSecretFile"/>, <see cref="CertificatePasswordFile"/>: a mounted secret, read when the credential is
/// first used, surrounding white space ignored), so that no secret has to be in configuration files or the environment.
/// </remarks>
public class ApplicationCredential
{
    /// <summary>The application's client id (a GUID).</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The client secret. A secret.</summary>
    [Redact]
    public string? ClientSecret { get; set; }

    /// <summary>A file holding the client secret (instead of <see cref="ClientSecret"/>), for example a mounted Kubernetes or Docker secret.</summary>
    public string? ClientSecretFile { get; set; }

    /// <summary>
    /// A certificate with its private key: a PEM file (certificate and key, or the key in
    /// <see cref="CertificateKeyPath"/>) or a PKCS#12 file (<c>.pfx</c>, <c>.p12</c>).
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key, when it is not in <see cref="CertificatePath"/>.</summary>
    public string? CertificateKeyPath { get; set; }

    /// <summary>The PKCS#12 file's password, or an encrypted PEM key's. A secret.</summary>
    [Redact]
    public string? CertificatePassword { get; set; }

    /// <summary>A file holding <see cref="CertificatePassword"/> (instead of the setting itself).</summary>
    public string? CertificatePasswordFile { get; set; }

    /// <summary>The SHA-1 thumbprint of a certificate (with its private key) in the <c>My</c> store of <see cref="CertificateStoreLocation"/>.</summary>
    public string? CertificateThumbprint { get; set; }

    /// <summary>Where <see cref="CertificateThumbprint"/> is looked up: <c>CurrentUser</c> (default) or <c>LocalMachine</c>.</summary>
    public StoreLocation CertificateStoreLocation { get; set; } = StoreLocation.CurrentUser;

    /// <summary>What kind of credential this is, for messages: <c>client secret</c>, <c>certificate file</c> or <c>certificate in the store</c>.</summary>
    public string Kind =>
        ClientSecret is { Length: > 0 } || ClientSecretFile is { Length: > 0 } ? "client secret"
        : CertificatePath is { Length: > 0 } ? "certificate file"
        : CertificateThumbprint is { Length: > 0 } ? "certificate in the store"
        : "none";

    /// <summary>What is wrong with this credential, naming the setting; null when it is usable.</summary>
    /// <param name="setting">The configuration path of this credential, for example <c>Collector</c> or <c>Collector:Credentials:gov</c>.</param>
    public string? Problem(string setting)
    {
        if (!Guid.TryParse(ClientId, out _))
        {
            return $"{setting}:ClientId must be the application's client id (a GUID).";
        }

        if (!string.IsNullOrEmpty(ClientSecret) && !string.IsNullOrEmpty(ClientSecretFile))
        {
            return $"{setting}: set ClientSecret or ClientSecretFile, not both.";
        }

        if (!string.IsNullOrEmpty(CertificatePassword) && !string.IsNullOrEmpty(CertificatePasswordFile))
        {
            return $"{setting}: set CertificatePassword or CertificatePasswordFile, not both.";
        }

        var kinds = new[] { ClientSecret ?? ClientSecretFile, CertificatePath, CertificateThumbprint }.Count(v => !string.IsNullOrEmpty(v));
        if (kinds != 1)
        {
            return $"{setting} needs exactly one of ClientSecret, CertificatePath and CertificateThumbprint (the secret may be ClientSecretFile instead); {kinds} are set.";
        }

        foreach (var (name, file) in (ReadOnlySpan<(string, string?)>)[("ClientSecretFile", ClientSecretFile), ("CertificatePasswordFile", CertificatePasswordFile)])
        {
            if (file is { Length: > 0 } && ReadSecretFile(file) is null)
            {
                return $"{setting}:{name}: no readable, non-empty file at '{file}'.";
            }
        }

        if (CertificatePath is { Length: > 0 } path && !File.Exists(path))
        {
            return $"{setting}:CertificatePath: no file at '{path}'.";
        }

        if (CertificateKeyPath is { Length: > 0 } key && !File.Exists(key))
        {
            return $"{setting}:CertificateKeyPath: no file at '{key}'.";
        }

        return null;
    }

    /// <summary>Loads the certificate (with its private key) this credential names.</summary>
    /// <returns>The certificate; the caller owns it.</returns>
    /// <exception cref="InvalidOperationException">For a secret credential, a certificate without a private key, one not found in the store, or a key under 2,048 bits.</exception>
    /// <exception cref="System.Security.Cryptography.CryptographicException">When the file cannot be read (a wrong password, not PEM or PKCS#12).</exception>
    public X509Certificate2 LoadCertificate()
    {
        X509Certificate2 certificate;
        if (CertificatePath is { Length: > 0 } path)
        {
            var pkcs12 = path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase);
            certificate = pkcs12
                ? X509CertificateLoader.LoadPkcs12FromFile(path, Password())
                : Password() is { Length: > 0 } password
                    ? X509Certificate2.CreateFromEncryptedPemFile(path, password, CertificateKeyPath)
                    : X509Certificate2.CreateFromPemFile(path, CertificateKeyPath);
        }
        else if (CertificateThumbprint is { Length: > 0 } thumbprint)
        {
            using var store = new X509Store(StoreName.My, CertificateStoreLocation);
            store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            var found = store.Certificates.Find(X509FindType.FindByThumbprint, thumbprint.Replace(" ", "", StringComparison.Ordinal), validOnly: false);
            certificate = found.Count > 0
                ? found[0]
                : throw new InvalidOperationException($"No certificate with thumbprint {thumbprint} in the {CertificateStoreLocation} My store.");
        }
        else
        {
            throw new InvalidOperationException("This credential is a client secret, not a certificate.");
        }

        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException($"The certificate {certificate.Thumbprint} has no private key; a client assertion needs it.");
        }

        if (certificate.GetRSAPublicKey() is { KeySize: < 2048 } small)
        {
            throw new InvalidOperationException($"The certificate {certificate.Thumbprint} has a {small.KeySize}-bit key; Entra needs at least 2,048 bits.");
        }

        return certificate;
    }

    /// <summary>The client secret: <see cref="ClientSecret"/>, else the content of <see cref="ClientSecretFile"/>; null when neither gives one.</summary>
    public string? Secret() =>
        ClientSecret is { Length: > 0 } secret ? secret : ClientSecretFile is { Length: > 0 } file ? ReadSecretFile(file) : null;

    /// <summary>The certificate's password: <see cref="CertificatePassword"/>, else the content of <see cref="CertificatePasswordFile"/>; null when neither gives one.</summary>
    public string? Password() =>
        CertificatePassword is { Length: > 0 } password ? password : CertificatePasswordFile is { Length: > 0 } file ? ReadSecretFile(file) : null;

    /// <summary>The client id and the kind of credential; never a secret or password (so an options dump shows none).</summary>
    public override string ToString() =>
        $"client {ClientId}, {Kind}" + (CertificatePassword is null && CertificatePasswordFile is null ? "" : " (password: [redacted])");

    /// <summary>A secret file's content without surrounding white space (a trailing line break); null when it cannot be read or is empty.</summary>
    private static string? ReadSecretFile(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim() is { Length: > 0 } text ? text : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }
}
