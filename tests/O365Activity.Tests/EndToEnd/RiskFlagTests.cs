using O365Activity.Emulator;
using O365Activity.Protos.V1;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.EndToEnd;

/// <summary>
/// Risk flags through the whole service: records served by the emulator, collected, flagged at collection time, and
/// then streamed live, replayed from the store and listed (flagged_only), each giving the same flags.
/// </summary>
[Collection(ServiceCollection.Name)]
public sealed class RiskFlagTests(ServiceFixture service)
{
    [Fact]
    public async Task FlagsComputedAtCollection_AreTheSameLiveReplayedAndListed()
    {
        var tenant = Guid.NewGuid();
        var t = tenant.ToString();
        var records = new List<string>();
        var n = 0;
        string Id() => $"0d0c0a1e-0000-4000-8000-{++n:D12}";

        // Amsterdam (203.0.113.0/24 in the test GeoIP database) at 08:00, then Tokyo (2001:db8:4::/48) at 08:30: 9,300
        // km in half an hour. Then a password spray: 10 users failing from one address within a minute.
        records.Add($$"""{"CreationTime":"2024-06-04T08:00:00","Id":"{{Id()}}","Operation":"UserLoggedIn","RecordType":15,"Workload":"AzureActiveDirectory","ResultStatus":"Success","UserId":"ana@example.com","ClientIP":"203.0.113.10"}""");
        records.Add($$"""{"CreationTime":"2024-06-04T08:30:00","Id":"{{Id()}}","Operation":"UserLoggedIn","RecordType":15,"Workload":"AzureActiveDirectory","ResultStatus":"Success","UserId":"ana@example.com","ClientIP":"2001:db8:4::9"}""");
        for (var i = 0; i < 10; i++)
        {
            records.Add($$"""{"CreationTime":"2024-06-04T09:00:{{i:D2}}","Id":"{{Id()}}","Operation":"UserLoginFailed","RecordType":15,"Workload":"AzureActiveDirectory","ResultStatus":"Failed","UserId":"user{{i}}@example.com","ClientIP":"198.51.100.66","LogonError":"InvalidUserNameOrPassword","ErrorNumber":"50126"}""");
        }

        service.Emulator.State.AddBlob(tenant, records, new BlobOptions { ContentType = "Audit.AzureActiveDirectory" });
        var sources = new EventSources.EventSourcesClient(service.Channel);
        var activity = new Activity.ActivityClient(service.Channel);
        var history = new History.HistoryClient(service.Channel);
        var created = await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = t, ContentTypes = { "Audit.AzureActiveDirectory" } });
        await using var live = await StreamCollector<IngressEvent>.StartAsync(activity.StreamIngress(new StreamRequest { TenantId = t }));
        using (var browser = new HttpClient())
        {
            (await browser.GetAsync(created.AdminConsentUrl)).EnsureSuccessStatusCode();
        }

        var streamed = await live.WaitForCountAsync(records.Count, TimeSpan.FromSeconds(30));

        static string Flags(IngressEvent e) => string.Join('+', e.RiskFlags.Select(f => f.Kind));
        Assert.Equal("", Flags(streamed[0]));
        Assert.Equal("NewCountry+ImpossibleTravel", Flags(streamed[1]));
        var travel = streamed[1].RiskFlags[1];
        Assert.Equal((RiskFlagKind.ImpossibleTravel, "NL", "Amsterdam"), (travel.Kind, travel.PreviousLocation.CountryCode, travel.PreviousLocation.City));
        Assert.InRange(travel.SpeedKmh, 15_000, 20_000);
        Assert.All(streamed.Skip(2).Take(9), e => Assert.Equal("", Flags(e)));
        var spray = Assert.Single(streamed[11].RiskFlags);
        Assert.Equal((RiskFlagKind.FailureBurst, "address", 10, 10), (spray.Kind, spray.Scope, spray.Count, spray.UserCount));

        await using var replay = await StreamCollector<IngressEvent>.StartAsync(activity.StreamIngress(new StreamRequest { TenantId = t, AfterSequence = 0 }));
        var replayed = await replay.WaitForCountAsync(records.Count, TimeSpan.FromSeconds(30));
        Assert.Equal(streamed.Select(e => (e.Header.Sequence, Flags(e))), replayed.Select(e => (e.Header.Sequence, Flags(e))));
        Assert.Equal(streamed[1].RiskFlags, replayed[1].RiskFlags);

        var flagged = await history.ListIngressAsync(new ListIngressRequest { TenantId = t, FlaggedOnly = true });
        Assert.Equal([streamed[11].Header.Sequence, streamed[1].Header.Sequence], flagged.Events.Select(e => e.Header.Sequence));
        Assert.Equal(streamed[11].RiskFlags, flagged.Events[0].RiskFlags);
    }
}
