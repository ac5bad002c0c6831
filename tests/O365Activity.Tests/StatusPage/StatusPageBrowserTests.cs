using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using O365Activity.Emulator;
using O365Activity.Gateway.Services;
using O365Activity.Protos.V1;
using O365Activity.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace O365Activity.Tests.StatusPage;

/// <summary>
/// Issue 9's status page in a real browser (Debian's headless Chromium through Playwright) against the whole service
/// in one process: the event sources page, a connected tenant's page with its world map, a user's page, and markup in
/// tenant data shown as text. Expected figures come from the History queries, not from the page.
/// </summary>
[Collection(Infrastructure.ServiceCollection.Name)]
public sealed class StatusPageBrowserTests(ServiceFixture service, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private static readonly PageGotoOptions Load = new() { WaitUntil = WaitUntilState.Load };

    static StatusPageBrowserTests() => SetDefaultExpectTimeout(30_000);

    /// <summary>
    /// A navigation counts once the new page's answer has begun (not at its <c>load</c> event, which a busy machine can
    /// hold back past any timeout while a map library loads): the checks that follow wait for what they look for.
    /// </summary>
    private static readonly PageWaitForURLOptions Navigated = new() { WaitUntil = WaitUntilState.Commit };

    private HistoryQueries History => service.Gateway.Services.GetRequiredService<HistoryQueries>();

    [Fact]
    public async Task StatusPage_ConnectedTenant_ShowsCheckMapMarkersAndUserSignIns()
    {
        var tenant = Guid.NewGuid();
        var t = tenant.ToString();
        await ConnectAsync(tenant, "Contoso status", [
            StatusPageRecords.SignIn(1, "ana@example.com", "203.0.113.10"),
            StatusPageRecords.SignIn(2, "ana@example.com", "203.0.113.11", failed: true),
            StatusPageRecords.SignIn(3, "ana@example.com", "2001:db8:4::10"),
            StatusPageRecords.SignIn(4, "ben@example.com", "2001:db8:4::11"),
            StatusPageRecords.SignIn(5, "ben@example.com", "198.51.100.7"),
            StatusPageRecords.UserUpdated(6, "admin@example.com", "ana@example.com"),
            StatusPageRecords.SignIn(7, "cy@example.com", "2001:db8:5::10"),
        ]);
        var pending = Guid.NewGuid();
        await new EventSources.EventSourcesClient(service.Channel).CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = pending.ToString(), DisplayName = "Waiting" });

        await using var watched = await chromium.NewPageAsync();
        var page = watched.Page;

        // The sources page: the green check for the connected tenant; the pending one says so, and until when.
        await page.GotoAsync(Url("/"), Load);
        var row = page.Locator($"tr.source[data-tenant-id='{t}']");
        await Expect(row.Locator(".state-connected .check")).ToBeVisibleAsync();
        await Expect(row.Locator(".source-name")).ToHaveTextAsync("Contoso status");
        var pendingRow = page.Locator($"tr.source[data-tenant-id='{pending}']");
        await Expect(pendingRow.Locator(".state")).ToHaveAttributeAsync("data-state", "PENDING_CONSENT");
        await Expect(pendingRow.Locator(".state .reason").First).ToContainTextAsync("consent URL works until");
        Assert.Equal(0, await pendingRow.Locator(".state-connected").CountAsync());

        // The tenant page: a map drawn from the atlas, and a marker per location (so at least one per country).
        await row.Locator("a.source-name").ClickAsync();
        await page.WaitForURLAsync(Url($"/tenants/{t}"), Navigated);
        var locations = await History.ListLocationsAsync(new ListLocationsRequest { TenantId = t }, CancellationToken.None);
        var countries = locations.Locations.Select(l => l.Location.CountryCode).Distinct().Order().ToList();
        Assert.Equal(["JP", "NL", "US"], countries);
        await Expect(page.Locator("#map .marker")).ToHaveCountAsync(locations.Locations.Count);
        Assert.True(await page.Locator("#map path.country").CountAsync() > 100, "the map draws the atlas' countries");

        // Each country with sign-ins is shaded, found by its ISO code whatever its name ("United States" here, "United
        // States of America" in the atlas).
        Assert.Equal(
            ["Japan", "Netherlands", "United States of America"],
            (await page.Locator("#map path.country.active title").AllTextContentsAsync()).Order());
        foreach (var country in countries)
        {
            Assert.True(await page.Locator($"#map .marker[data-country='{country}']").CountAsync() >= 1, $"a marker for {country}");
        }

        foreach (var location in locations.Locations)
        {
            var marker = page.Locator($"#map .marker[data-city='{location.Location.City}']");
            await Expect(marker).ToHaveAttributeAsync("data-successes", location.Successes.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Expect(marker).ToHaveAttributeAsync("data-failures", location.Failures.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Expect(marker.Locator(".slice-success")).ToHaveCountAsync(location.Successes > 0 ? 1 : 0);
            await Expect(marker.Locator(".slice-failure")).ToHaveCountAsync(location.Failures > 0 ? 1 : 0);
        }

        // Flagged sign-ins: those with risk flags (ana in Tokyo seconds after Amsterdam), each with its flags; admin activity: the change.
        var flagged = await History.ListIngressAsync(new ListIngressRequest { TenantId = t, FlaggedOnly = true }, CancellationToken.None);
        Assert.Contains(flagged.Events, e => e.RiskFlags.Any(f => f.Kind == RiskFlagKind.ImpossibleTravel));
        await Expect(page.Locator("#flagged tr.signin")).ToHaveCountAsync(flagged.Events.Count);
        var flaggedRows = page.Locator("#flagged tr.signin");
        for (var i = 0; i < flagged.Events.Count; i++)
        {
            var expected = flagged.Events[i];
            await Expect(flaggedRows.Nth(i)).ToHaveAttributeAsync("data-sequence", expected.Header.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Expect(flaggedRows.Nth(i).Locator(".flag")).ToHaveCountAsync(expected.RiskFlags.Count);
            foreach (var flag in expected.RiskFlags)
            {
                await Expect(flaggedRows.Nth(i).Locator(".flags")).ToContainTextAsync(flag.Evidence);
            }
        }

        await Expect(page.Locator("#flagged .flag-impossible-travel").First).ToBeVisibleAsync();
        await Expect(page.Locator("#admin tr.admin-event")).ToHaveCountAsync(1);
        await Expect(page.Locator("#admin tr.admin-event")).ToContainTextAsync("admin@example.com");

        // A marker shows its counts and users; a user opens the user's page with that user's sign-ins.
        var amsterdam = locations.Locations.Single(l => l.Location.CountryCode == "NL");
        await page.Locator("#map .marker[data-country='NL']").ClickAsync();
        await Expect(page.Locator("#location-details h3")).ToContainTextAsync("Amsterdam");
        await Expect(page.Locator("#location-details .count-failure")).ToHaveTextAsync(amsterdam.Failures.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(page.Locator("#location-details a.user")).ToHaveTextAsync([.. amsterdam.Users]);
        await page.Locator("#location-details a.user", new() { HasText = "ana@example.com" }).ClickAsync();
        await page.WaitForURLAsync(Url($"/tenants/{t}/users/ana%40example.com"), Navigated);
        var activity = await History.GetUserActivityAsync(new GetUserActivityRequest { TenantId = t, User = "ana@example.com" }, CancellationToken.None);
        Assert.Equal(3, activity.SignIns.Count);
        await Expect(page.Locator("#title")).ToHaveTextAsync("ana@example.com");
        await Expect(page.Locator("#user-signins tr.signin")).ToHaveCountAsync(activity.SignIns.Count);
        var shown = await page.Locator("#user-signins tr.signin").EvaluateAllAsync<string[]>("rows => rows.map(r => r.getAttribute('data-sequence'))");
        Assert.Equal(activity.SignIns.Select(s => s.Header.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)), shown);
        await Expect(page.Locator("#countries tbody tr")).ToHaveCountAsync(activity.Countries.Count);
        await Expect(page.Locator("#changes-received tr.admin-event")).ToHaveCountAsync(activity.ChangesReceived.Count);
        watched.AssertNoProblems();
    }

    [Fact]
    public async Task StatusPage_MarkupInTenantData_ShowsAsTextAndCreatesNoElement()
    {
        const string displayName = "<img src=x onerror=alert(1)>";
        const string user = "<script>alert(2)</script>";
        const string agent = "<b onmouseover=alert(3)>agent</b>";
        const string actor = "<img src=y onerror=alert(4)>";
        var tenant = Guid.NewGuid();
        var t = tenant.ToString();
        await ConnectAsync(tenant, displayName, [
            StatusPageRecords.SignIn(1, user, "203.0.113.20", userAgent: agent),
            StatusPageRecords.SignIn(2, user, "203.0.113.21", failed: true, userAgent: agent),
            StatusPageRecords.UserUpdated(3, actor, user),
        ]);
        var stored = await History.ListIngressAsync(new ListIngressRequest { TenantId = t }, CancellationToken.None);
        Assert.Equal([user, user], stored.Events.Select(e => e.User));

        await using var watched = await chromium.NewPageAsync();
        var page = watched.Page;
        await page.GotoAsync(Url("/"), Load);
        await Expect(page.Locator($"tr.source[data-tenant-id='{t}'] .source-name")).ToHaveTextAsync(displayName);
        await AssertNoInjectedElementsAsync(page);

        await page.GotoAsync(Url($"/tenants/{t}"), Load);
        await Expect(page.Locator("#title")).ToHaveTextAsync(displayName);
        await Expect(page.Locator("#signins tr.signin a.user")).ToHaveTextAsync([user, user]);
        await Expect(page.Locator("#signins tr.signin .agent")).ToHaveTextAsync([agent, agent]);
        await Expect(page.Locator("#admin tr.admin-event a.user").First).ToHaveTextAsync(actor);
        await Expect(page.Locator("#map .marker")).ToHaveCountAsync(1);
        await AssertNoInjectedElementsAsync(page);

        await page.Locator("#signins tr.signin a.user").First.ClickAsync();
        await Expect(page.Locator("#title")).ToHaveTextAsync(user);
        await Expect(page.Locator("#user-signins tr.signin")).ToHaveCountAsync(2);
        await Expect(page.Locator("#changes-received tr.admin-event a.user").First).ToHaveTextAsync(actor);
        await AssertNoInjectedElementsAsync(page);
        watched.AssertNoProblems();
    }

    /// <summary>No element the data's markup would make (img, b), and no script but the page's own files.</summary>
    private static async Task AssertNoInjectedElementsAsync(IPage page)
    {
        Assert.Equal(0, await page.Locator("img, b").CountAsync());
        Assert.Equal(0, await page.Locator("script:not([src^='/static/'])").CountAsync());
        Assert.True(await page.Locator("script").CountAsync() >= 2, "the page's own scripts are there");
    }

    private string Url(string path) => new Uri(service.StatusAddress, path).ToString();

    /// <summary>Serves the records, creates the source and grants consent, and waits until every record is stored and the source is CONNECTED.</summary>
    private async Task ConnectAsync(Guid tenant, string displayName, IReadOnlyList<string> records)
    {
        service.Emulator.State.AddBlob(tenant, records, new BlobOptions { ContentType = "Audit.AzureActiveDirectory" });
        var sources = new EventSources.EventSourcesClient(service.Channel);
        var created = await sources.CreateEventSourceAsync(new CreateEventSourceRequest
        {
            TenantId = tenant.ToString(), DisplayName = displayName, ContentTypes = { "Audit.AzureActiveDirectory" },
        });
        using (var browser = new HttpClient())
        {
            (await browser.GetAsync(created.AdminConsentUrl)).EnsureSuccessStatusCode();
        }

        await TestSources.WaitForSequenceAsync(sources, tenant, records.Count, TimeSpan.FromSeconds(60));
        var status = await TestSources.WaitForStatusAsync(sources, tenant, s => s.State == ConnectionState.Connected);
        Assert.Equal(ConnectionState.Connected, status.State);
    }
}
