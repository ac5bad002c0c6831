namespace O365Activity.Emulator;

/// <summary>
/// A <see cref="DelegatingHandler"/> that sends requests for Microsoft's hosts to an emulator: the scheme, host and port
/// of every request to <c>login.microsoftonline.com</c>, <c>login.microsoftonline.us</c> or one of the Management API
/// hosts of PROTOCOL.md §1 are replaced by the emulator's; path and query are kept. The original host goes along as
/// <c>X-Forwarded-Host</c> (and <c>X-Forwarded-Proto: https</c>), so the emulator writes <c>contentUri</c> and
/// <c>NextPageUri</c> with the real host and checks the token audience against it. Other requests pass unchanged.
/// Use it for MSAL (<c>WithHttpClientFactory</c>, with <c>WithInstanceDiscovery(false)</c>) and for the API client.
/// </summary>
public sealed class MicrosoftHostRedirectHandler : DelegatingHandler
{
    /// <summary>The hosts that are redirected.</summary>
    public static readonly IReadOnlyList<string> RedirectedHosts =
    [
        "login.microsoftonline.com", "login.microsoftonline.us",
        "manage.office.com", "manage-gcc.office.com", "manage.office365.us", "manage.protection.apps.mil",
    ];

    private readonly Uri _emulator;

    /// <summary>Creates the handler.</summary>
    /// <param name="emulatorBaseUrl">The emulator's <see cref="EmulatorServer.BaseUrl"/>.</param>
    /// <param name="innerHandler">The handler that sends the rewritten request; null for a new <see cref="HttpClientHandler"/>.</param>
    public MicrosoftHostRedirectHandler(Uri emulatorBaseUrl, HttpMessageHandler? innerHandler = null)
        : base(innerHandler ?? new HttpClientHandler { AllowAutoRedirect = false })
    {
        ArgumentNullException.ThrowIfNull(emulatorBaseUrl);
        _emulator = emulatorBaseUrl;
    }

    /// <inheritdoc/>
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { IsAbsoluteUri: true } uri && RedirectedHosts.Contains(uri.Host, StringComparer.OrdinalIgnoreCase))
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-Host", uri.Host);
            request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", uri.Scheme);
            request.RequestUri = new UriBuilder(uri) { Scheme = _emulator.Scheme, Host = _emulator.Host, Port = _emulator.Port }.Uri;
        }

        return base.SendAsync(request, cancellationToken);
    }
}
