namespace O365Activity.Contracts.EventSources;

/// <summary>
/// The query of an admin-consent redirect (PROTOCOL.md §2): on success <c>admin_consent=True&amp;tenant=..&amp;state=..</c>;
/// on failure <c>error</c> and <c>error_description</c> (with <c>admin_consent=True</c> still present, so check
/// <see cref="Error"/> first).
/// </summary>
[GenerateSerializer, Immutable, Alias("o365.ConsentCallback")]
public sealed record ConsentCallback
{
    /// <summary>The <c>state</c> value as returned; must equal the source's <see cref="EventSourceStatus.ConsentState"/>.</summary>
    [Id(0)] public string? State { get; init; }

    /// <summary>The <c>admin_consent</c> value (<c>True</c> on success and on most errors).</summary>
    [Id(1)] public string? AdminConsent { get; init; }

    /// <summary>The <c>tenant</c> value: informational only, never trusted (it can be forged).</summary>
    [Id(2)] public string? Tenant { get; init; }

    /// <summary>The <c>error</c> code (for example <c>access_denied</c>); null on success.</summary>
    [Id(3)] public string? Error { get; init; }

    /// <summary>The <c>error_description</c> (an AADSTS message); null on success.</summary>
    [Id(4)] public string? ErrorDescription { get; init; }
}

/// <summary>What an admin-consent callback came to.</summary>
/// <param name="Granted">True when consent was verified (a token for the tenant and a <c>subscriptions/list</c> answer).</param>
/// <param name="Message">One or two sentences for the administrator's browser: what happened and what to do next. Plain
/// text (to be HTML-encoded), with no internals.</param>
/// <param name="Status">The source's status after the callback.</param>
[GenerateSerializer, Immutable, Alias("o365.ConsentResult")]
public sealed record ConsentResult(
    [property: Id(0)] bool Granted,
    [property: Id(1)] string Message,
    [property: Id(2)] EventSourceStatus Status);
