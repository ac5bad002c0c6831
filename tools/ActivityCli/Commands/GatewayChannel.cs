using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;

namespace O365Activity.Cli.Commands;

/// <summary>The client's credentials for the gateway, as files: all optional.</summary>
/// <param name="CaPath">A PEM file with the CA(s) to trust for the gateway's TLS certificate, instead of the system's.</param>
/// <param name="CertificatePath">A PEM file with the client certificate (mutual TLS).</param>
/// <param name="KeyPath">A PEM file with the client certificate's private key.</param>
/// <param name="TokenPath">A file with a bearer token (a JWT).</param>
internal sealed record GatewayCredentials(string? CaPath, string? CertificatePath, string? KeyPath, string? TokenPath);

/// <summary>Credentials that cannot be used as given; the message says which option and why.</summary>
internal sealed class GatewayCredentialsException(string message) : Exception(message);

/// <summary>Builds the gRPC channel to the gateway with the client's credentials.</summary>
internal static class GatewayChannel
{
    /// <summary>A channel to <paramref name="gateway"/> presenting <paramref name="credentials"/>.</summary>
    /// <exception cref="GatewayCredentialsException">A file is missing or unreadable; a key without a certificate or the reverse; a token or certificate over http://.</exception>
    public static GrpcChannel Create(Uri gateway, GatewayCredentials credentials)
    {
        var tls = gateway.Scheme == Uri.UriSchemeHttps;
        var usesTls = credentials.CaPath is not null || credentials.CertificatePath is not null || credentials.KeyPath is not null || credentials.TokenPath is not null;
        if (usesTls && !tls)
        {
            throw new GatewayCredentialsException($"--ca, --cert, --key and --token-file need an https:// gateway address (credentials are never sent in clear); --gateway is {gateway}.");
        }

        if ((credentials.CertificatePath is null) != (credentials.KeyPath is null))
        {
            throw new GatewayCredentialsException("--cert and --key go together: the client certificate and its private key, both PEM files.");
        }

        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        if (credentials.CertificatePath is not null)
        {
            handler.SslOptions.ClientCertificates = [Read("--cert", () => X509Certificate2.CreateFromPemFile(credentials.CertificatePath, credentials.KeyPath))];
        }

        if (credentials.CaPath is not null)
        {
            var authorities = new X509Certificate2Collection();
            Read("--ca", () => { authorities.ImportFromPemFile(credentials.CaPath); return 0; });
            if (authorities.Count == 0)
            {
                throw new GatewayCredentialsException($"--ca: {credentials.CaPath} holds no certificate.");
            }

            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                certificate is not null && TrustedBy(authorities, new X509Certificate2(certificate), errors);
        }

        var options = new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true };
        if (credentials.TokenPath is not null)
        {
            var token = Read("--token-file", () => File.ReadAllText(credentials.TokenPath).Trim());
            if (token.Length == 0)
            {
                throw new GatewayCredentialsException($"--token-file: {credentials.TokenPath} is empty.");
            }

            options.Credentials = ChannelCredentials.Create(ChannelCredentials.SecureSsl, CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add("Authorization", "Bearer " + token);
                return Task.CompletedTask;
            }));
        }

        return GrpcChannel.ForAddress(gateway, options);
    }

    /// <summary>True when the gateway's certificate chains to one of <paramref name="authorities"/> and names the host.</summary>
    private static bool TrustedBy(X509Certificate2Collection authorities, X509Certificate2 certificate, SslPolicyErrors errors)
    {
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private static T Read<T>(string option, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new GatewayCredentialsException($"{option}: {e.Message}");
        }
    }
}
