using Microsoft.Extensions.Options;
using O365Activity.Contracts;

namespace O365Activity.Gateway.Services;

/// <summary>
/// Builds the Entra v2 admin-consent URL of a pending event source (PROTOCOL.md §2):
/// <c>{login host}/{tenant}/v2.0/adminconsent?client_id=..&amp;scope={api host}/.default&amp;redirect_uri=..&amp;state=..</c>.
/// </summary>
public sealed class ConsentUrlBuilder
{
    private readonly string _clientId;
    private readonly Uri? _loginEndpoint;
    private readonly CloudName _cloud;
    private readonly string _redirectUri;

    /// <summary>Creates the builder.</summary>
    public ConsentUrlBuilder(IOptions<ConsentApplicationOptions> application, IOptions<GatewayOptions> gateway)
    {
        var app = application.Value;
        _clientId = app.ClientId;
        _cloud = app.Cloud;
        _loginEndpoint = app.LoginEndpoint;
        _redirectUri = gateway.Value.EffectiveRedirectUri.ToString();
    }

    /// <summary>The admin-consent URL for <paramref name="tenantId"/> carrying <paramref name="state"/>.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="state">The source's current consent state.</param>
    /// <param name="clientId">The source's application (its credential's client id); null for the default application's.</param>
    /// <param name="cloud">The source's cloud, whose login host and scope the URL uses; null for the service's.</param>
    public string Build(Guid tenantId, string state, string? clientId = null, CloudName? cloud = null)
    {
        var endpoints = CloudEndpoints.For(cloud ?? _cloud);
        return new Uri(_loginEndpoint ?? endpoints.LoginHost, $"/{tenantId}/v2.0/adminconsent").ToString()
            + $"?client_id={Uri.EscapeDataString(clientId ?? _clientId)}&scope={Uri.EscapeDataString(endpoints.Scope)}"
            + $"&redirect_uri={Uri.EscapeDataString(_redirectUri)}&state={Uri.EscapeDataString(state)}";
    }
}
