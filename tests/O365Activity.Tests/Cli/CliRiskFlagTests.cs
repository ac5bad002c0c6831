using Google.Protobuf;
using O365Activity.Emulator;
using O365Activity.Protos.V1;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.Cli;

/// <summary>
/// The CLI shows sign-ins' risk flags: <c>history ingress --flagged</c> (table and JSON, as the API answers) and
/// <c>tail ingress</c>'s lines with each flag's evidence; and a gateway address that does not speak gRPC is said so.
/// </summary>
[Collection(ServiceCollection.Name)]
public sealed class CliRiskFlagTests(ServiceFixture service) : IAsyncLifetime
{
    private readonly Guid _tenant = Guid.NewGuid();
    private readonly History.HistoryClient _history = new(service.Channel);

    private string Tenant => _tenant.ToString();

    public async Task InitializeAsync()
    {
        // Amsterdam, then Tokyo 25 minutes later (the test GeoIP database): a new country and impossible travel.
        string[] records =
        [
            """{"CreationTime":"2024-06-04T08:05:00","Id":"0d0c0a1e-0000-4000-8000-0000000000c1","Operation":"UserLoggedIn","RecordType":15,"Workload":"AzureActiveDirectory","ResultStatus":"Success","UserId":"ana@example.com","ClientIP":"203.0.113.5"}""",
            """{"CreationTime":"2024-06-04T08:30:00","Id":"0d0c0a1e-0000-4000-8000-0000000000c2","Operation":"UserLoggedIn","RecordType":15,"Workload":"AzureActiveDirectory","ResultStatus":"Success","UserId":"ana@example.com","ClientIP":"2001:db8:4::20"}""",
        ];
        service.Emulator.State.AddBlob(_tenant, records, new BlobOptions { ContentType = "Audit.AzureActiveDirectory" });
        var sources = new EventSources.EventSourcesClient(service.Channel);
        await TestSources.CreateConnectedAsync(sources, _tenant, unfiltered: false);
        await TestSources.WaitForSequenceAsync(sources, _tenant, records.Length, TimeSpan.FromSeconds(30));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task HistoryIngressFlagged_TableAndJson_TheFlaggedSignInsWithTheirFlags()
    {
        var api = await _history.ListIngressAsync(new ListIngressRequest { TenantId = Tenant, FlaggedOnly = true });
        var flagged = Assert.Single(api.Events);

        var (code, output, error) = await CliRunner.RunAsync("--gateway", service.GrpcAddress.ToString(), "history", "ingress", Tenant, "--flagged");
        var (jsonCode, json, _) = await CliRunner.RunAsync("--gateway", service.GrpcAddress.ToString(), "--json", "history", "ingress", Tenant, "--flagged");

        Assert.Equal((0, ""), (code, error));
        var lines = CliRunner.Lines(output);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith(flagged.Header.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), lines[1].TrimStart(), StringComparison.Ordinal);
        Assert.EndsWith("NEW_COUNTRY, IMPOSSIBLE_TRAVEL", lines[1], StringComparison.Ordinal);
        Assert.Equal(0, jsonCode);
        Assert.Equal(api, JsonParser.Default.Parse<ListIngressResponse>(Assert.Single(CliRunner.Lines(json))));
    }

    [Fact]
    public async Task Gateway_APortThatDoesNotSpeakGrpc_SaidInOneLine()
    {
        // Several times each: an HTTP/1.1-only server may answer the HTTP/2 preface or close the connection on it.
        foreach (var address in Enumerable.Repeat(new[] { service.ConsentAddress, service.StatusAddress }, 10).SelectMany(a => a))
        {
            var (code, output, error) = await CliRunner.RunAsync("--gateway", address.ToString(), "sources", "list");

            Assert.Equal((1, ""), (code, output));
            var expected = $"UNAVAILABLE: {address.GetLeftPart(UriPartial.Authority)} does not answer gRPC (a wrong port, or http:// and https:// mixed up: the gateway's gRPC endpoint is http://127.0.0.1:5080 by default, https:// when it has TLS)";
            Assert.True(CliRunner.Lines(error) is [var line] && line == expected, $"expected one line, '{expected}'; got: {error}");
        }
    }

    [Fact]
    public async Task TailIngress_Text_ShowsEachFlagWithItsEvidence()
    {
        static bool IsEvent(string line) => line.StartsWith("[ingress #", StringComparison.Ordinal);
        var (code, output, _) = await CliRunner.RunUntilAsync(2, IsEvent, "--gateway", service.GrpcAddress.ToString(), "tail", "ingress", Tenant, "--after", "0");

        Assert.Equal(0, code);
        var lines = CliRunner.Lines(output).Where(IsEvent).ToArray();
        Assert.Equal(2, lines.Length);
        Assert.DoesNotContain("[", lines[0][lines[0].IndexOf("ana@", StringComparison.Ordinal)..], StringComparison.Ordinal);
        Assert.Contains("[NEW_COUNTRY: First successful sign-in of this user from Japan", lines[1], StringComparison.Ordinal);
        Assert.Contains("[IMPOSSIBLE_TRAVEL: ", lines[1], StringComparison.Ordinal);
        Assert.Contains("(Amsterdam, NL) 25 min earlier", lines[1], StringComparison.Ordinal);
    }
}
