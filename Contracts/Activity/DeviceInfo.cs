namespace O365Activity.Contracts.Activity;

/// <summary>The device a sign-in came from, from the record's <c>DeviceProperties</c> list (PROTOCOL.md §8, sign-ins).</summary>
[GenerateSerializer, Immutable, Alias("o365.DeviceInfo")]
public sealed record DeviceInfo
{
    /// <summary>Operating system (<c>OS</c>), for example <c>Windows10</c>.</summary>
    [Id(0)] public string? OperatingSystem { get; init; }

    /// <summary>Browser (<c>BrowserType</c>), for example <c>Edge</c>.</summary>
    [Id(1)] public string? Browser { get; init; }

    /// <summary>Whether the device is compliant (<c>IsCompliant</c>); null when the record does not say.</summary>
    [Id(2)] public bool? IsCompliant { get; init; }

    /// <summary>Whether the device is managed (<c>IsCompliantAndManaged</c> / <c>IsManaged</c>); null when the record does not say.</summary>
    [Id(3)] public bool? IsManaged { get; init; }

    /// <summary>The device's join type (<c>TrustType</c>), for example <c>Azure AD joined</c>.</summary>
    [Id(4)] public string? TrustType { get; init; }

    /// <summary>The device's Entra object id (<c>Id</c>), when registered.</summary>
    [Id(5)] public string? DeviceId { get; init; }

    /// <summary>The device's display name (<c>DisplayName</c>), when registered.</summary>
    [Id(6)] public string? DisplayName { get; init; }
}
