using O365Activity.Emulator;
using O365Activity.Protos.V1;

namespace O365Activity.Tests.Operability;

/// <summary>Creates a source and gives its consent, without waiting for a state: its first poll may fail at once.</summary>
internal static class FailingSource
{
    /// <summary>Every listing of <paramref name="tenant"/> answers 403 AF10001 (the application lacks ActivityFeed.Read): the source fails.</summary>
    public static FaultRule PermissionMissing(Guid tenant) => new()
    {
        Kind = RequestKind.ListContent, TenantId = tenant, Times = null, StatusCode = 403, ContentType = "application/json; charset=utf-8",
        Body = """{"error":{"code":"AF10001","message":"The permission set (ActivityFeed.Read) sent in the request did not include the expected permission."}}""",
    };

    /// <summary>
    /// A source of <paramref name="tenant"/> on <paramref name="service"/> whose every listing answers AF10001, once it is
    /// <c>FAILED</c>; dispose the answer to lift the fault.
    /// </summary>
    public static async Task<FaultHandle> FailedAsync(O365Activity.Tests.Infrastructure.ServiceFixture service, Guid tenant)
    {
        service.Emulator.State.GrantConsent(tenant);
        var fault = service.Emulator.State.InjectFault(PermissionMissing(tenant));
        var sources = new EventSources.EventSourcesClient(service.Channel);
        await CreateAsync(sources, tenant);
        var status = await O365Activity.Tests.Infrastructure.TestSources.WaitForStatusAsync(sources, tenant, s => s.State == ConnectionState.Failed);
        Xunit.Assert.Equal(ConnectionState.Failed, status.State);
        return fault;
    }

    public static async Task CreateAsync(EventSources.EventSourcesClient sources, Guid tenant)
    {
        var request = new CreateEventSourceRequest { TenantId = tenant.ToString(), SendUnfiltered = true };
        request.ContentTypes.Add("Audit.AzureActiveDirectory");
        var created = await sources.CreateEventSourceAsync(request);
        using var browser = new HttpClient();
        (await browser.GetAsync(created.AdminConsentUrl)).EnsureSuccessStatusCode();
    }
}
