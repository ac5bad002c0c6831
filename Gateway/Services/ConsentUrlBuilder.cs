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
    private readonly Uri _loginHost;
    private readonly string _scope;
    private readonly string _redirectUri;

    /// <summary>Creates the builder.</summary>
    public ConsentUrlBuilder(IOptions<ConsentApplicationOptions> application, IOptions<GatewayOptions> gateway)
    {
        var app = application.Value;
        var cloud = CloudEndpoints.For(app.Cloud);
        _clientId = app.ClientId;
        _loginHost = app.LoginEndpoint ?? cloud.LoginHost;
        _scope = cloud.Scope;
        _redirectUri = gateway.Value.EffectiveRedirectUri.ToString();
    }

    /// <summary>The admin-consent URL for <paramref name="tenantId"/> carrying <paramref name="state"/>.</summary>
    public string Build(Guid tenantId, string state) =>
        new Uri(_loginHost, $"/{tenantId}/v2.0/adminconsent").ToString()
        + $"?client_id={Uri.EscapeDataString(_clientId)}&scope={Uri.EscapeDataString(_scope)}"
        + $"&redirect_uri={Uri.EscapeDataString(_redirectUri)}&state={Uri.EscapeDataString(state)}";
}
