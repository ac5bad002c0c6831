using O365Activity.Protos.V1;

namespace O365Activity.Tests.Operability;

/// <summary>Creates a source and gives its consent, without waiting for a state: its first poll may fail at once.</summary>
internal static class FailingSource
{
    public static async Task CreateAsync(EventSources.EventSourcesClient sources, Guid tenant)
    {
        var request = new CreateEventSourceRequest { TenantId = tenant.ToString(), SendUnfiltered = true };
        request.ContentTypes.Add("Audit.AzureActiveDirectory");
        var created = await sources.CreateEventSourceAsync(request);
        using var browser = new HttpClient();
        (await browser.GetAsync(created.AdminConsentUrl)).EnsureSuccessStatusCode();
    }
}
