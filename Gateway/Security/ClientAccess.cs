using System.Security.Claims;
using Grpc.Core;

namespace O365Activity.Gateway.Security;

/// <summary>
/// What one caller may do: its roles and the tenants it may see, read from the claims its authentication left on the
/// request's <see cref="ClaimsPrincipal"/> (<see cref="GatewaySecurity"/> puts them there the same way for
/// certificates and tokens). Fail-closed: a principal without tenant claims may see no tenant. With authentication
/// off (<see cref="AuthenticationMode.None"/>) every caller may do everything.
/// </summary>
public sealed class ClientAccess
{
    /// <summary>The claim type of one tenant id a client may see (a lower-case GUID, or <see cref="AllTenants"/>).</summary>
    public const string TenantClaimType = "o365activity:tenant";

    /// <summary>The <see cref="TenantClaimType"/> value that means every tenant.</summary>
    public const string AllTenants = "*";

    /// <summary>The message of every refusal for a tenant outside the caller's scope: the same whether that tenant exists or not.</summary>
    public const string OutOfScopeMessage = "This client may not access that tenant.";

    private static readonly ClientAccess Everything = new(null, enforced: false);
    private static readonly string[] Readers = [GatewayRoles.Reader, GatewayRoles.Admin];

    private readonly ClaimsPrincipal? _user;
    private readonly bool _enforced;
    private readonly HashSet<Guid> _tenants = [];
    private readonly bool _allTenants;

    private ClientAccess(ClaimsPrincipal? user, bool enforced)
    {
        _user = user;
        _enforced = enforced;
        if (!enforced || user is null)
        {
            return;
        }

        foreach (var claim in user.FindAll(TenantClaimType))
        {
            if (claim.Value == AllTenants)
            {
                _allTenants = true;
            }
            else if (Guid.TryParse(claim.Value, out var tenant))
            {
                _tenants.Add(tenant);
            }
        }
    }

    /// <summary>The caller's name for logs and limits (the certificate's subject or the token's name claim); null when anonymous.</summary>
    public string? Name => _user?.Identity is { IsAuthenticated: true } identity ? identity.Name : null;

    /// <summary>True when access is checked (authentication is on).</summary>
    public bool IsEnforced => _enforced;

    /// <summary>The access of a request's caller.</summary>
    /// <param name="http">The request.</param>
    /// <returns>Unlimited access when authentication is off; else the caller's.</returns>
    public static ClientAccess Of(HttpContext http)
    {
        var enforced = http.RequestServices.GetService<GatewaySecurityState>()?.Enforced ?? false;
        return enforced ? new ClientAccess(http.User, enforced: true) : Everything;
    }

    /// <summary>The access of a gRPC call's caller (<see cref="Of(HttpContext)"/>).</summary>
    public static ClientAccess Of(ServerCallContext context) => Of(context.GetHttpContext());

    /// <summary>True when the caller holds <paramref name="role"/> (always, with authentication off).</summary>
    public bool HasRole(string role) => !_enforced || _user?.IsInRole(role) == true;

    /// <summary>True when the caller may read sources and activity: it holds <c>reader</c> or <c>admin</c>.</summary>
    public bool MayRead => HasAnyRole(Readers);

    /// <summary>True when the caller holds any of <paramref name="roles"/>.</summary>
    public bool HasAnyRole(IEnumerable<string> roles) => roles.Any(HasRole);

    /// <summary>True when the caller may see every tenant (no tenant limit, or authentication off).</summary>
    public bool MaySeeEveryTenant => !_enforced || _allTenants;

    /// <summary>True when the caller may see <paramref name="tenantId"/>.</summary>
    public bool MaySee(Guid tenantId) => !_enforced || _allTenants || _tenants.Contains(tenantId);

    /// <summary>
    /// True when the caller may see the tenant a request names: false for an id that is not a GUID, unless the caller
    /// may see every tenant (then the service's own validation answers).
    /// </summary>
    public bool MaySee(string tenantId) => !_enforced || _allTenants || (Guid.TryParse(tenantId, out var id) && _tenants.Contains(id));
}

/// <summary>Whether the running gateway checks access (registered once by <see cref="GatewaySecurity"/>).</summary>
/// <param name="Enforced">True when authentication is required.</param>
public sealed record GatewaySecurityState(bool Enforced);
