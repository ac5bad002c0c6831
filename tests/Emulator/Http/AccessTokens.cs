using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace O365Activity.Emulator.Http;

/// <summary>The claims of an access token the emulator issued.</summary>
/// <param name="TenantId">The <c>tid</c> claim.</param>
/// <param name="Audience">The <c>aud</c> claim (the resource, for example <c>https://manage.office.com</c>).</param>
/// <param name="AppId">The <c>appid</c> claim (the client id).</param>
/// <param name="Roles">The <c>roles</c> claim.</param>
/// <param name="IssuedAt">The <c>iat</c> claim.</param>
/// <param name="Expires">The <c>exp</c> claim.</param>
internal sealed record AccessTokenClaims(
    string TenantId, string Audience, string AppId, IReadOnlyList<string> Roles, DateTimeOffset IssuedAt, DateTimeOffset Expires);

/// <summary>
/// Issues and validates JWT-shaped app-only access tokens, HMAC-SHA256 signed (<c>alg: HS256</c>) with the emulator's key.
/// The payload follows Entra's v1 app-only access tokens: <c>aud</c>, <c>iss</c>, <c>iat</c>, <c>nbf</c>, <c>exp</c>,
/// <c>appid</c>, <c>appidacr</c>, <c>idp</c>, <c>oid</c>, <c>roles</c>, <c>sub</c>, <c>tid</c>, <c>ver</c>.
/// </summary>
internal sealed class AccessTokens(byte[] key)
{
    private static readonly string Header = Base64Url("""{"alg":"HS256","typ":"JWT"}"""u8);

    public static AccessTokens Create(string? key) =>
        new(key is null ? RandomNumberGenerator.GetBytes(32) : Encoding.UTF8.GetBytes(key));

    public string Issue(string tenantId, string audience, string appId, IReadOnlyList<string> roles, DateTimeOffset now, TimeSpan lifetime)
    {
        var payload = Json.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("aud", audience);
            w.WriteString("iss", $"https://sts.windows.net/{tenantId}/");
            w.WriteNumber("iat", now.ToUnixTimeSeconds());
            w.WriteNumber("nbf", now.ToUnixTimeSeconds());
            w.WriteNumber("exp", (now + lifetime).ToUnixTimeSeconds());
            w.WriteString("appid", appId);
            w.WriteString("appidacr", "1");
            w.WriteString("idp", $"https://sts.windows.net/{tenantId}/");
            w.WriteString("oid", DeterministicGuid(tenantId + "|" + appId).ToString());
            w.WriteStartArray("roles");
            foreach (var role in roles)
            {
                w.WriteStringValue(role);
            }

            w.WriteEndArray();
            w.WriteString("sub", DeterministicGuid(tenantId + "|" + appId).ToString());
            w.WriteString("tid", tenantId);
            w.WriteString("ver", "1.0");
            w.WriteEndObject();
        });
        var signingInput = Header + "." + Base64Url(Encoding.UTF8.GetBytes(payload));
        return signingInput + "." + Base64Url(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(signingInput)));
    }

    /// <summary>The claims of a valid token; null when it is malformed, not signed by this emulator, or expired at <paramref name="now"/>.</summary>
    public AccessTokenClaims? Validate(string token, DateTimeOffset now)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        var expected = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        byte[] signature, payload;
        try
        {
            signature = FromBase64Url(parts[2]);
            payload = FromBase64Url(parts[1]);
        }
        catch (FormatException)
        {
            return null;
        }

        if (!CryptographicOperations.FixedTimeEquals(expected, signature))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            var claims = new AccessTokenClaims(
                root.GetProperty("tid").GetString() ?? "",
                root.GetProperty("aud").GetString() ?? "",
                root.GetProperty("appid").GetString() ?? "",
                [.. root.GetProperty("roles").EnumerateArray().Select(r => r.GetString() ?? "")],
                DateTimeOffset.FromUnixTimeSeconds(root.GetProperty("iat").GetInt64()),
                DateTimeOffset.FromUnixTimeSeconds(root.GetProperty("exp").GetInt64()));
            return claims.Expires > now ? claims : null;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Reads the payload of any JWT without checking it (for client assertions); null when it is not one.</summary>
    public static JsonDocument? ReadUnverifiedPayload(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(FromBase64Url(parts[1]));
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether <paramref name="jwt"/> is signed (RS256 or PS256, as its header says) by the private key of one of
    /// <paramref name="certificates"/>.
    /// </summary>
    /// <param name="jwt">A compact JWS.</param>
    /// <param name="certificates">The certificates whose public keys may have signed it.</param>
    public static bool IsSignedByOneOf(string jwt, IEnumerable<System.Security.Cryptography.X509Certificates.X509Certificate2> certificates)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return false;
        }

        try
        {
            using var header = JsonDocument.Parse(FromBase64Url(parts[0]));
            var padding = header.RootElement.TryGetProperty("alg", out var alg) ? alg.GetString() switch
            {
                "RS256" => RSASignaturePadding.Pkcs1,
                "PS256" => RSASignaturePadding.Pss,
                _ => null,
            } : null;
            if (padding is null)
            {
                return false;
            }

            var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
            var signature = FromBase64Url(parts[2]);
            return certificates.Any(c => System.Security.Cryptography.X509Certificates.RSACertificateExtensions.GetRSAPublicKey(c) is { } key && key.VerifyData(signed, signature, HashAlgorithmName.SHA256, padding));
        }
        catch (Exception e) when (e is FormatException or JsonException or CryptographicException)
        {
            return false;
        }
    }

    private static Guid DeterministicGuid(string value)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(value));
        return new Guid(hash.AsSpan(0, 16));
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        s += (s.Length % 4) switch
        {
            2 => "==",
            3 => "=",
            0 => "",
            _ => throw new FormatException("bad base64url length"),
        };
        return Convert.FromBase64String(s);
    }
}
