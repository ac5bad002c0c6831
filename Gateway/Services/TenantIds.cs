using Grpc.Core;

namespace O365Activity.Gateway.Services;

/// <summary>Validation of tenant ids in requests.</summary>
public static class TenantIds
{
    /// <summary>Parses a tenant id (a GUID in any of .NET's GUID spellings).</summary>
    /// <exception cref="RpcException"><c>INVALID_ARGUMENT</c> when it is empty or not a GUID, or holds a control character (<see cref="RequestText"/>).</exception>
    public static Guid Parse(string? value)
    {
        RequestText.Check(value ?? "", "tenant_id");
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "tenant_id is required: the Office 365 tenant id (a GUID)."));
        }

        if (!Guid.TryParse(value.Trim(), out var tenantId) || tenantId == Guid.Empty)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"tenant_id '{Shorten(value)}' is not a tenant id: expected a GUID such as 9d0c4a1e-5b7f-4c2a-8e3d-1f2a3b4c5d6e."));
        }

        return tenantId;
    }

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "…";
}
