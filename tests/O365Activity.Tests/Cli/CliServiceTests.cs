using System.Text.Json;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using O365Activity.Emulator;
using O365Activity.Protos.V1;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.Cli;

/// <summary>
/// The gateway commands of <c>o365activity</c> against the whole service (<see cref="ServiceFixture"/>), over a tenant
/// whose records the emulator serves: each command's table and its <c>--json</c> (parsed back and compared with what
/// the gRPC API answers), the history filters and paging, <c>consent-url</c>, <c>tail</c> and <c>watch</c> stopped after
/// their lines, and a user name holding control characters, which never reaches the output raw.
/// </summary>
[Collection(ServiceCollection.Name)]
public sealed class CliServiceTests(ServiceFixture service) : IAsyncLifetime
{
    /// <summary>A user name with a line break, an escape sequence, a bidi override and a line separator, as JSON text.</summary>
    private const string EvilJson = @"eve\n\u001b[31m\u202e\u2028@example.com";
    private const string Evil = "eve\n\u001b[31m\u202e\u2028@example.com";
    private const string EvilEscaped = @"eve\n\x1b[31m\u202e\u2028@example.com";

    private readonly Guid _tenant = Guid.NewGuid();
    private readonly History.HistoryClient _history = new(service.Channel);
    private readonly EventSources.EventSourcesClient _sources = new(service.Channel);
    private readonly NumberedRecords _records = new("0c1c0a1e-0000-4000-8000-");

    private string Tenant => _tenant.ToString();

    private string Gateway => service.GrpcAddress.ToString();

    public async Task InitializeAsync()
    {
        var records = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            records.Add(_records.SignIn("ana@example.com", $"203.0.113.{i + 1}", $"2024-06-04T08:{i:D2}:00"));
        }

        for (var i = 0; i < 3; i++)
        {
            records.Add(_records.Failure("ana@example.com", "203.0.113.200", $"2024-06-04T09:{i:D2}:00"));
        }

        records.Add(_records.SignIn("bob@example.com", "2001:db8:4::17", "2024-06-04T10:00:00"));
        records.Add(_records.SignIn("fay@fed.example.net", "203.0.113.50", "2024-06-04T10:02:00"));
        records.Add(_records.SignIn("cy@example.com", "198.51.100.7", "2024-06-04T10:03:00"));
        records.Add(_records.Interrupted("cy@example.com", "198.51.100.7", "2024-06-04T10:03:30"));
        records.Add(_records.SignIn(EvilJson, "203.0.113.9", "2024-06-04T10:04:00"));
        records.Add(_records.Failure(EvilJson, "203.0.113.9", "2024-06-04T10:05:00"));
        records.Add(_records.Admin("Reset user password.", "admin@example.com", "ana@example.com", "2024-06-04T11:00:00"));
        records.Add(_records.Admin("Update user.", "ana@example.com", "bob@example.com", "2024-06-04T11:01:00"));
        records.Add(_records.Admin("Update user.", "admin@example.com", EvilJson, "2024-06-04T11:02:00"));
        service.Emulator.State.AddBlob(_tenant, records, new BlobOptions { ContentType = "Audit.AzureActiveDirectory" });
        var request = new CreateEventSourceRequest
        {
            TenantId = Tenant, ContentTypes = { "Audit.AzureActiveDirectory" }, FederatedDomains = { "fed.example.net" }, SendUnfiltered = true,
        };
        var created = await _sources.CreateEventSourceAsync(request);
        using (var browser = new HttpClient())
        {
            (await browser.GetAsync(created.AdminConsentUrl)).EnsureSuccessStatusCode();
        }

        await TestSources.WaitForSequenceAsync(_sources, _tenant, records.Count, TimeSpan.FromSeconds(30));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task HistoryIngress_Table_OneAlignedRowPerSignInInTheApisOrderControlCharactersEscaped()
    {
        var api = await _history.ListIngressAsync(new ListIngressRequest { TenantId = Tenant, PageSize = 1000 });

        var (code, output, error) = await Cli("history", "ingress", Tenant, "--limit", "1000");

        Assert.Equal((0, ""), (code, error));
        var lines = CliRunner.Lines(output);
        Assert.Equal(1 + api.Events.Count, lines.Length);
        Assert.Equal(["SEQ", "TIME", "RESULT", "USER", "ADDRESS", "LOCATION", "APPLICATION", "FAILURE", "RISK", "FLAGS"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(api.Events.Select(e => e.Header.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)), lines[1..].Select(l => l.TrimStart().Split(' ')[0]));
        var time = lines[0].IndexOf("TIME", StringComparison.Ordinal);
        var user = lines[0].IndexOf("USER", StringComparison.Ordinal);
        Assert.All(lines[1..], l => Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ  ", l[time..]));
        Assert.Equal(
            api.Events.Select(e => e.User.Replace(Evil, EvilEscaped, StringComparison.Ordinal)),
            lines[1..].Select(l => l[user..].Split(' ')[0]));
        Assert.Equal(2, lines.Count(l => l.Contains(EvilEscaped, StringComparison.Ordinal)));
        AssertNoRawControls(output);
    }

    [Fact]
    public async Task HistoryIngress_JsonWithFilters_IsTheApisPage()
    {
        var all = await _history.ListIngressAsync(new ListIngressRequest { TenantId = Tenant, PageSize = 1000 });
        var first = await _history.ListIngressAsync(new ListIngressRequest { TenantId = Tenant, PageSize = 4 });
        Assert.NotEqual("", first.NextPageToken);
        var at = (int h, int m) => Timestamp.FromDateTimeOffset(new DateTimeOffset(2024, 6, 4, h, m, 0, TimeSpan.Zero));

        await AssertSamePage(new ListIngressRequest { TenantId = Tenant, PageSize = 4 }, "--limit", "4");
        await AssertSamePage(new ListIngressRequest { TenantId = Tenant, PageSize = 4, PageToken = first.NextPageToken }, "--limit", "4", "--page-token", first.NextPageToken);
        await AssertSamePage(new ListIngressRequest { TenantId = Tenant, User = "ANA@EXAMPLE.COM", Results = { SignInResult.Failure } }, "--user", "ANA@EXAMPLE.COM", "--result", "failure");
        Assert.Contains(all.Events, e => e.Result == SignInResult.Interrupted);
        await AssertSamePage(new ListIngressRequest { TenantId = Tenant, Results = { SignInResult.Success, SignInResult.Interrupted }, Order = SortOrder.OldestFirst }, "--result", "SUCCESS,interrupted", "--oldest-first");
        await AssertSamePage(new ListIngressRequest { TenantId = Tenant, Results = { SignInResult.Interrupted, SignInResult.Failure } }, "--result", "interrupted", "--result", "failure");
        await AssertSamePage(new ListIngressRequest { TenantId = Tenant, Results = { SignInResult.Failure } }, "--result", "Failure", "--result", "failure");
        await AssertSamePage(new ListIngressRequest { TenantId = Tenant, ClientAddress = "203.0.113.0/24", StartTime = at(8, 3), EndTime = at(9, 1) }, "--address", "203.0.113.0/24", "--since", "2024-06-04T08:03:00Z", "--until", "2024-06-04 09:01");
        await AssertSamePage(new ListIngressRequest { TenantId = Tenant, StartTime = at(10, 2), EndTime = at(10, 4) }, "--since", "2024-06-04T12:02:00+02:00", "--until", "2024-06-04T10:04");
        await AssertSamePage(new ListIngressRequest { TenantId = Tenant, ClientAddress = "2001:db8:4::17" }, "--address", "2001:db8:4::17");
        await AssertSamePage(new ListIngressRequest { TenantId = Tenant, User = Evil }, "--user", Evil);

        async Task AssertSamePage(ListIngressRequest request, params string[] options)
        {
            var api = await _history.ListIngressAsync(request);
            Assert.True(api.Events.Count > 0 && (api.Events.Count < all.Events.Count || api.NextPageToken != ""), $"the filters {string.Join(' ', options)} should select some sign-ins, not all");

            var (code, output, error) = await Cli(["--json", "history", "ingress", Tenant, .. options]);

            Assert.Equal((0, ""), (code, error));
            Assert.Equal(api, JsonParser.Default.Parse<ListIngressResponse>(Assert.Single(CliRunner.Lines(output))));
        }
    }

    [Fact]
    public async Task HistoryAdmin_ActionsInAnySpellingUserAndJson_AreTheApisPage()
    {
        await AssertSamePage(new ListAdminRequest { TenantId = Tenant, Actions = { AdminAction.PasswordReset } }, "--action", "password-reset");
        await AssertSamePage(new ListAdminRequest { TenantId = Tenant, Actions = { AdminAction.UserUpdated, AdminAction.PasswordReset } }, "--action", "USER_UPDATED", "--action", "PasswordReset");
        await AssertSamePage(new ListAdminRequest { TenantId = Tenant, Actions = { AdminAction.UserUpdated }, Order = SortOrder.OldestFirst }, "--action", "ADMIN_ACTION_USER_UPDATED", "--oldest-first");
        await AssertSamePage(new ListAdminRequest { TenantId = Tenant, User = "ana@example.com", PageSize = 1 }, "--user", "ana@example.com", "--limit", "1");

        var changes = await _history.ListAdminAsync(new ListAdminRequest { TenantId = Tenant });
        var (code, output, error) = await Cli("history", "admin", Tenant);
        Assert.Equal((0, ""), (code, error));
        var lines = CliRunner.Lines(output);
        Assert.Equal(1 + changes.Events.Count, lines.Length);
        Assert.Equal(["SEQ", "TIME", "ACTION", "ACTOR", "TARGET", "ADDRESS", "RESULT", "OPERATION"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(lines, l => l.Contains("PASSWORD_RESET", StringComparison.Ordinal) && l.EndsWith("Reset user password.", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains(EvilEscaped, StringComparison.Ordinal));
        AssertNoRawControls(output);

        async Task AssertSamePage(ListAdminRequest request, params string[] options)
        {
            var api = await _history.ListAdminAsync(request);
            Assert.True(api.Events.Count > 0, $"the filters {string.Join(' ', options)} should select some changes");

            var (code, output, error) = await Cli(["--json", "history", "admin", Tenant, .. options]);

            Assert.Equal((0, ""), (code, error));
            Assert.Equal(api, JsonParser.Default.Parse<ListAdminResponse>(Assert.Single(CliRunner.Lines(output))));
        }
    }

    [Fact]
    public async Task History_PagesAndAll_NextPageTokenPrintedAndFollowedToTheEnd()
    {
        var all = await _history.ListIngressAsync(new ListIngressRequest { TenantId = Tenant, PageSize = 1000 });
        var first = await _history.ListIngressAsync(new ListIngressRequest { TenantId = Tenant, PageSize = 3 });
        var second = await _history.ListIngressAsync(new ListIngressRequest { TenantId = Tenant, PageSize = 3, PageToken = first.NextPageToken });
        Assert.True(all.Events.Count > 6, "the tenant should have more than two pages of 3");

        var (code, output, _) = await Cli("history", "ingress", Tenant, "--limit", "3");
        var lines = CliRunner.Lines(output);
        Assert.Equal(0, code);
        Assert.Equal(1 + 3 + 1, lines.Length);
        var token = Regex.Match(lines[^1], "--page-token (\\S+)").Groups[1].Value;
        Assert.Equal(first.NextPageToken, token);

        (code, output, _) = await Cli("history", "ingress", Tenant, "--limit", "3", "--page-token", token);
        Assert.Equal(0, code);
        Assert.Equal(second.Events.Select(e => e.Header.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)), CliRunner.Lines(output)[1..4].Select(l => l.TrimStart().Split(' ')[0]));

        (code, output, _) = await Cli("history", "ingress", Tenant, "--limit", "3", "--all");
        lines = CliRunner.Lines(output);
        Assert.Equal(0, code);
        Assert.Equal(1 + all.Events.Count, lines.Length);
        Assert.Equal(all.Events.Select(e => e.Header.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)), lines[1..].Select(l => l.TrimStart().Split(' ')[0]));

        (code, output, _) = await Cli("--json", "history", "ingress", Tenant, "--limit", "3", "--all", "--page-token", token);
        Assert.Equal(0, code);
        var rest = JsonParser.Default.Parse<ListIngressResponse>(Assert.Single(CliRunner.Lines(output)));
        Assert.Equal(all.Events.Skip(3), rest.Events);
        Assert.Equal("", rest.NextPageToken);

        (code, output, _) = await Cli("--json", "history", "admin", Tenant, "--all", "--user", "nobody@example.com");
        Assert.Equal(0, code);
        Assert.Empty(JsonParser.Default.Parse<ListAdminResponse>(Assert.Single(CliRunner.Lines(output))).Events);
    }

    [Fact]
    public async Task User_TablesAndJson_AreTheApisActivity()
    {
        var request = new GetUserActivityRequest { TenantId = Tenant, User = "ana@example.com", PageSize = 4, StartTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2024, 6, 4, 8, 1, 0, TimeSpan.Zero)) };
        var api = await _history.GetUserActivityAsync(request);
        Assert.True(api.SignIns.Count == 4 && api.ChangesMade.Count == 1 && api.ChangesReceived.Count == 1, $"unexpected activity: {api}");

        var (code, output, error) = await Cli("--json", "user", Tenant, "ana@example.com", "--limit", "4", "--since", "2024-06-04T08:01:00Z");
        Assert.Equal((0, ""), (code, error));
        Assert.Equal(api, JsonParser.Default.Parse<UserActivity>(Assert.Single(CliRunner.Lines(output))));

        (code, output, error) = await Cli("user", Tenant, "ana@example.com", "--limit", "4", "--since", "2024-06-04T08:01:00Z");
        Assert.Equal((0, ""), (code, error));
        var lines = CliRunner.Lines(output);
        Assert.Equal(ExpectedUserLines(api), lines.Length);
        Assert.Equal($"User ana@example.com of tenant {Tenant}: {api.SignInCount} sign-ins, {api.FailureCount} failed.", lines[0]);
        Assert.Contains("Sign-ins (the newest 4):", lines);
        var countries = Array.IndexOf(lines, "Countries:");
        Assert.Equal(["COUNTRY", "NAME", "SIGN-INS", "FAILURES", "FIRST", "SEEN", "LAST", "SEEN"], lines[countries + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var country = api.Countries[0];
        Assert.Equal([country.Value, country.Label, $"{country.SignIns}", $"{country.Failures}", .. EventTimeWords(country.FirstSeen), .. EventTimeWords(country.LastSeen)], lines[countries + 2].Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task User_NameWithControlCharacters_EscapedOnItsLines()
    {
        var api = await _history.GetUserActivityAsync(new GetUserActivityRequest { TenantId = Tenant, User = Evil });
        Assert.Equal(2L, api.SignInCount);

        var (code, output, error) = await Cli("user", Tenant, Evil);

        Assert.Equal((0, ""), (code, error));
        var lines = CliRunner.Lines(output);
        Assert.Equal(ExpectedUserLines(api), lines.Length);
        Assert.StartsWith($"User {EvilEscaped} of tenant", lines[0], StringComparison.Ordinal);
        Assert.Equal(1 + api.SignIns.Count + api.ChangesReceived.Count, lines.Count(l => l.Contains(EvilEscaped, StringComparison.Ordinal)));
        AssertNoRawControls(output);
    }

    [Fact]
    public async Task Locations_TableAndJson_AreTheApisCounts()
    {
        var api = await _history.ListLocationsAsync(new ListLocationsRequest { TenantId = Tenant });
        Assert.True(api.Locations.Count >= 2 && api.UnreliableSignIns > 0 && api.UnlocatedSignIns > 0, $"unexpected locations: {api}");

        var (code, output, error) = await Cli("--json", "locations", Tenant);
        Assert.Equal((0, ""), (code, error));
        Assert.Equal(api, JsonParser.Default.Parse<ListLocationsResponse>(Assert.Single(CliRunner.Lines(output))));

        (code, output, error) = await Cli("locations", Tenant);
        Assert.Equal((0, ""), (code, error));
        var lines = CliRunner.Lines(output);
        Assert.Equal(1 + api.Locations.Count + 1, lines.Length);
        Assert.Equal(["COUNTRY", "REGION", "CITY", "LATITUDE", "LONGITUDE", "SUCCESSES", "FAILURES", "INTERRUPTED", "USERS"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        for (var i = 0; i < api.Locations.Count; i++)
        {
            var l = api.Locations[i];
            Assert.EndsWith($"{l.Successes}  {l.Failures}  {l.Interrupted}  {l.UserCount}".Replace("  ", " ", StringComparison.Ordinal), Regex.Replace(lines[1 + i], " +", " "), StringComparison.Ordinal);
            Assert.Contains(l.Location.City, lines[1 + i], StringComparison.Ordinal);
        }

        Assert.Equal($"Left out: {api.UnreliableSignIns} sign-ins with an unreliable location (federated users: the address is the federation server's), {api.UnlocatedSignIns} from addresses with no known location.", lines[^1]);

        var window = await _history.ListLocationsAsync(new ListLocationsRequest
        {
            TenantId = Tenant,
            StartTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2024, 6, 4, 10, 0, 0, TimeSpan.Zero)),
            EndTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2024, 6, 5, 0, 0, 0, TimeSpan.Zero)),
        });
        Assert.NotEqual(api, window);
        (code, output, _) = await Cli("--json", "locations", Tenant, "--since", "2024-06-04T10:00:00Z", "--until", "2024-06-05");
        Assert.Equal(0, code);
        Assert.Equal(window, JsonParser.Default.Parse<ListLocationsResponse>(Assert.Single(CliRunner.Lines(output))));
    }

    [Fact]
    public async Task TimeOptions_RelativeAges_CountBackFromNow()
    {
        var all = await _history.ListIngressAsync(new ListIngressRequest { TenantId = Tenant, PageSize = 1000 });

        // The records are of 2024-06-04: within the last 100,000 days, and none within the last 2 hours.
        var (code, output, _) = await Cli("--json", "history", "ingress", Tenant, "--limit", "1000", "--since", "100000d");
        Assert.Equal(0, code);
        Assert.Equal(all, JsonParser.Default.Parse<ListIngressResponse>(output));
        (code, output, _) = await Cli("--json", "history", "ingress", Tenant, "--since", "2h");
        Assert.Equal(0, code);
        Assert.Empty(JsonParser.Default.Parse<ListIngressResponse>(output).Events);
        (code, output, _) = await Cli("--json", "history", "ingress", Tenant, "--until", "30m", "--limit", "1000");
        Assert.Equal(0, code);
        Assert.Equal(all, JsonParser.Default.Parse<ListIngressResponse>(output));
    }

    [Fact]
    public async Task ConsentUrl_PendingSource_PrintsTheOutstandingUrlAndItsExpiryWithoutRenewing()
    {
        var tenant = Guid.NewGuid().ToString();
        var created = await _sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant });

        var (code, output, error) = await Cli("consent-url", tenant);

        Assert.Equal((0, ""), (code, error));
        Assert.Equal(
            [$"Admin consent URL: {created.AdminConsentUrl}", $"Valid until {created.AdminConsentUrlExpiresAt.ToDateTimeOffset():u}, for one use (outstanding; 'renew {tenant}' replaces it)."],
            CliRunner.Lines(output));
        (code, output, error) = await Cli("--json", "consent-url", tenant);
        Assert.Equal((0, ""), (code, error));
        var printed = JsonParser.Default.Parse<EventSource>(Assert.Single(CliRunner.Lines(output)));
        Assert.Equal((created.AdminConsentUrl, created.AdminConsentUrlExpiresAt), (printed.AdminConsentUrl, printed.AdminConsentUrlExpiresAt));
        Assert.Equal(created.AdminConsentUrl, (await _sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant })).AdminConsentUrl);
        await _sources.DeleteEventSourceAsync(new DeleteEventSourceRequest { TenantId = tenant });
    }

    [Fact]
    public async Task ConsentUrl_ConnectedSource_SaysNoConsentIsPendingAndIssuesNone()
    {
        var (code, output, error) = await Cli("consent-url", Tenant);

        Assert.Equal((0, ""), (code, error));
        Assert.StartsWith($"Tenant {Tenant} is connected (", Assert.Single(CliRunner.Lines(output)), StringComparison.Ordinal);
        Assert.Contains("no admin consent is pending", output, StringComparison.Ordinal);
        (code, output, error) = await Cli("--json", "consent-url", Tenant);
        Assert.Equal(0, code);
        Assert.Equal("", JsonParser.Default.Parse<EventSource>(Assert.Single(CliRunner.Lines(output))).AdminConsentUrl);
        Assert.StartsWith($"Tenant {Tenant} is connected (", error, StringComparison.Ordinal);
        Assert.Equal("", (await _sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = Tenant })).AdminConsentUrl);
    }

    [Fact]
    public async Task TailIngress_AfterSequenceJson_OneEventPerLineAsTheApiStoresThemThenStopsOnCancel()
    {
        var signIns = (await _history.ListIngressAsync(new ListIngressRequest { TenantId = Tenant, PageSize = 1000, Order = SortOrder.OldestFirst })).Events;

        var (code, output, error) = await CliRunner.RunUntilAsync(signIns.Count, _ => true, "--gateway", Gateway, "--json", "tail", "ingress", Tenant, "--after", "0");

        Assert.Equal(0, code);
        Assert.Equal(signIns, CliRunner.Lines(output).Select(JsonParser.Default.Parse<IngressEvent>));
        Assert.Equal(
            [$"Subscribed to tenant {Tenant}'s ingress stream after sequence 0; Ctrl-C stops.", $"Stopped. To resume: tail ingress {Tenant} --after {signIns[^1].Header.Sequence}"],
            CliRunner.Lines(error));
    }

    [Fact]
    public async Task TailIngress_AfterSequenceText_OneLinePerEventEscaped()
    {
        var signIns = (await _history.ListIngressAsync(new ListIngressRequest { TenantId = Tenant, PageSize = 1000, Order = SortOrder.OldestFirst })).Events;
        var after = signIns[signIns.Count / 2].Header.Sequence;
        var expected = signIns.Where(e => e.Header.Sequence > after).ToList();

        var (code, output, _) = await CliRunner.RunUntilAsync(expected.Count, l => l.StartsWith("[ingress", StringComparison.Ordinal), "--gateway", Gateway, "tail", "ingress", Tenant, "--after", $"{after}");

        Assert.Equal(0, code);
        var lines = CliRunner.Lines(output);
        Assert.Equal($"Subscribed to tenant {Tenant}'s ingress stream after sequence {after}; Ctrl-C stops.", lines[0]);
        Assert.Equal(expected.Select(e => $"[ingress #{e.Header.Sequence}]"), lines[1..].Select(l => l.Split(' ')[0] + " " + l.Split(' ')[1]));
        Assert.Equal(expected.Count(e => e.User == Evil), lines.Count(l => l.Contains(EvilEscaped, StringComparison.Ordinal)));
        AssertNoRawControls(output);
    }

    [Fact]
    public async Task TailRawAndAdmin_AfterAndSince_TheirStreamsEvents()
    {
        var last = (await _sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = Tenant })).LastSequence;
        var (code, output, _) = await CliRunner.RunUntilAsync((int)last - 2, _ => true, "--gateway", Gateway, "--json", "tail", "raw", Tenant, "--after", "2");
        Assert.Equal(0, code);
        Assert.Equal(Enumerable.Range(3, (int)last - 2).Select(i => (long)i), CliRunner.Lines(output).Select(l => JsonParser.Default.Parse<RawRecord>(l).Header.Sequence));

        var changes = (await _history.ListAdminAsync(new ListAdminRequest { TenantId = Tenant, Order = SortOrder.OldestFirst })).Events;
        (code, output, var error) = await CliRunner.RunUntilAsync(changes.Count, _ => true, "--gateway", Gateway, "--json", "tail", "admin", Tenant, "--since", "3650d");
        Assert.Equal(0, code);
        Assert.Equal(changes, CliRunner.Lines(output).Select(JsonParser.Default.Parse<AdminEvent>));
        Assert.Contains($"Stopped. To resume: tail admin {Tenant} --after {changes[^1].Header.Sequence}", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_AfterSequenceJson_EachLineAKindAndItsEvent()
    {
        var signIns = (await _history.ListIngressAsync(new ListIngressRequest { TenantId = Tenant, PageSize = 1000 })).Events;
        var changes = (await _history.ListAdminAsync(new ListAdminRequest { TenantId = Tenant, PageSize = 1000 })).Events;

        var (code, output, error) = await CliRunner.RunUntilAsync(signIns.Count + changes.Count, _ => true, "--gateway", Gateway, "--json", "watch", Tenant, "--after", "0");

        Assert.Equal(0, code);
        var lines = CliRunner.Lines(output).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(signIns.OrderBy(e => e.Header.Sequence), lines.Where(l => l.GetProperty("kind").GetString() == "ingress").Select(l => JsonParser.Default.Parse<IngressEvent>(l.GetProperty("event").GetRawText())));
        Assert.Equal(changes.OrderBy(e => e.Header.Sequence), lines.Where(l => l.GetProperty("kind").GetString() == "admin").Select(l => JsonParser.Default.Parse<AdminEvent>(l.GetProperty("event").GetRawText())));
        Assert.StartsWith($"Subscribed to tenant {Tenant}'s ingress and admin activity after sequence 0", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SourcesList_TableAndJson_OneRowPerSourceTheSameAsList()
    {
        var api = await _sources.ListEventSourcesAsync(new ListEventSourcesRequest());

        var (code, output, error) = await Cli("sources", "list");

        Assert.Equal((0, ""), (code, error));
        var lines = CliRunner.Lines(output);
        Assert.Equal(1 + api.EventSources.Count, lines.Length);
        Assert.Equal(["TENANT", "NAME", "STATE", "RECORDS", "LAST", "SEQ", "CONTENT", "TYPES", "STATUS"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var source = (await _sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = Tenant }));
        Assert.Contains(lines, l => l.StartsWith($"{Tenant}  {Tenant}", StringComparison.Ordinal) && Regex.IsMatch(l, $"  CONNECTED +{source.RecordsCollected} +{source.LastSequence}  Audit.AzureActiveDirectory$"));
        var row = lines.Single(l => l.StartsWith(Tenant, StringComparison.Ordinal));
        Assert.Equal([lines[0], row], CliRunner.Lines((await Cli("list")).Output).Where(l => l == lines[0] || l.StartsWith(Tenant, StringComparison.Ordinal)));

        (code, output, error) = await Cli("--json", "sources", "list");
        Assert.Equal((0, ""), (code, error));
        var printed = JsonParser.Default.Parse<ListEventSourcesResponse>(Assert.Single(CliRunner.Lines(output)));
        Assert.Equal(api.EventSources.Select(s => s.TenantId), printed.EventSources.Select(s => s.TenantId));
        Assert.Equal((await Cli("get", Tenant)).Output.Split('\n')[0], (await Cli("sources", "get", Tenant)).Output.Split('\n')[0]);
    }

    [Fact]
    public async Task Gateway_WithoutScheme_IsHttp()
    {
        var (code, output, error) = await CliRunner.RunAsync("--gateway", $"127.0.0.1:{service.GrpcAddress.Port}", "--json", "get", Tenant);

        Assert.Equal((0, ""), (code, error));
        Assert.Equal(Tenant, JsonParser.Default.Parse<EventSource>(output).TenantId);
    }

    [Fact]
    public async Task Failure_NotFound_StatusNamedAsTheReadmeDoesExitCode1()
    {
        var (code, output, error) = await Cli("--json", "history", "ingress", Guid.NewGuid().ToString());

        Assert.Equal((1, ""), (code, output));
        Assert.StartsWith("NOT_FOUND: ", Assert.Single(CliRunner.Lines(error)), StringComparison.Ordinal);
    }

    /// <summary>The lines <c>user</c> prints: the summary, then per list a blank line, its title and its table (or "none").</summary>
    private static int ExpectedUserLines(UserActivity a) =>
        1 + new[] { a.SignIns.Count, a.ChangesMade.Count, a.ChangesReceived.Count, a.Countries.Count, a.Addresses.Count, a.Applications.Count }.Sum(n => 2 + (n == 0 ? 1 : 1 + n));

    private static string[] EventTimeWords(Timestamp t) => t.ToDateTimeOffset().ToString("u", System.Globalization.CultureInfo.InvariantCulture).Split(' ');

    private static void AssertNoRawControls(string output)
    {
        foreach (var c in output.Where(c => c != '\n'))
        {
            Assert.False(char.IsControl(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.LineSeparator,
                $"raw U+{(int)c:X4} in the output: {output}");
        }
    }

    private Task<(int Code, string Output, string Error)> Cli(params string[] args) => CliRunner.RunAsync(["--gateway", Gateway, .. args]);
}
