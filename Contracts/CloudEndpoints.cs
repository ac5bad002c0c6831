namespace O365Activity.Contracts;

/// <summary>The Microsoft clouds a tenant can live in (PROTOCOL.md §1).</summary>
public enum CloudName
{
    /// <summary>Commercial (enterprise) cloud.</summary>
    Enterprise = 0,

    /// <summary>Government Community Cloud.</summary>
    Gcc = 1,

    /// <summary>GCC High.</summary>
    GccHigh = 2,

    /// <summary>Department of Defense.</summary>
    DoD = 3,
}

/// <summary>The token authority, API host and token scope of one cloud (PROTOCOL.md §1).</summary>
/// <param name="LoginHost">The token authority, for example <c>https://login.microsoftonline.com</c>.</param>
/// <param name="ApiHost">The Management Activity API host, for example <c>https://manage.office.com</c>; also the token's resource.</param>
public sealed record CloudEndpoints(Uri LoginHost, Uri ApiHost)
{
    /// <summary>The scope of a client-credentials token for the API: <c>{ApiHost}/.default</c>.</summary>
    public string Scope => $"{ApiHost.GetLeftPart(UriPartial.Authority)}/.default";

    /// <summary>Returns the endpoints of <paramref name="cloud"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">For a value that is not a <see cref="CloudName"/>.</exception>
    public static CloudEndpoints For(CloudName cloud) => cloud switch
    {
        CloudName.Enterprise => new(new Uri("https://login.microsoftonline.com"), new Uri("https://manage.office.com")),
        CloudName.Gcc => new(new Uri("https://login.microsoftonline.com"), new Uri("https://manage-gcc.office.com")),
        CloudName.GccHigh => new(new Uri("https://login.microsoftonline.us"), new Uri("https://manage.office365.us")),
        CloudName.DoD => new(new Uri("https://login.microsoftonline.us"), new Uri("https://manage.protection.apps.mil")),
        _ => throw new ArgumentOutOfRangeException(nameof(cloud), cloud, "Unknown cloud."),
    };
}
