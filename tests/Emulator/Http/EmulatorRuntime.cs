namespace O365Activity.Emulator.Http;

/// <summary>What the endpoints share: the state, the token issuer, the logger and the resources tokens may be issued for.</summary>
internal sealed class EmulatorRuntime(EmulatorState state, AccessTokens tokens, ILogger logger)
{
    /// <summary>The Management API hosts of PROTOCOL.md §1 (also the token audiences <c>https://{host}</c>).</summary>
    public static readonly IReadOnlyList<string> ManagementHosts =
        ["manage.office.com", "manage-gcc.office.com", "manage.office365.us", "manage.protection.apps.mil"];

    public EmulatorState State { get; } = state;

    public EmulatorOptions Options => State.Options;

    public AccessTokens Tokens { get; } = tokens;

    public ILogger Logger { get; } = logger;

    /// <summary>The emulator's own origin, for example <c>http://127.0.0.1:5090</c> (set once Kestrel listens).</summary>
    public string? SelfOrigin { get; set; }

    /// <summary>Whether a token may be issued for <paramref name="resource"/> (compared without a trailing slash, ignoring case).</summary>
    public bool IsAcceptedResource(string resource)
    {
        var r = resource.TrimEnd('/');
        return ManagementHosts.Any(h => string.Equals(r, "https://" + h, StringComparison.OrdinalIgnoreCase))
            || (SelfOrigin is not null && string.Equals(r, SelfOrigin, StringComparison.OrdinalIgnoreCase))
            || Options.ExtraResources.Any(e => string.Equals(r, e.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));
    }
}
