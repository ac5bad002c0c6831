using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using O365Activity.Cli.Terminal;
using O365Activity.Protos.V1;
using O365Activity.Tests.Cli.Fakes;

namespace O365Activity.Tests.Cli;

/// <summary>
/// Values from a gateway that hold control, format and separator characters (a display name with a line break and an
/// escape sequence, a status reason with a CR LF, a user agent with a bidi override) reach neither standard output raw
/// in text mode nor unescaped in JSON. The real gateway refuses such display names (INVALID_ARGUMENT), so a fake one
/// serves them: the command line does not rely on the server for its terminal's safety.
/// </summary>
public sealed class CliControlCharacterTests : IAsyncLifetime
{
    private const string Name = "Evil\nCorp\u001b[31m\u202e\u2028\u200b";
    private const string NameEscaped = @"Evil\nCorp\x1b[31m\u202e\u2028\u200b";
    private const string Reason = "Consent refused.\r\nFORGED: all good\u0085\u009b2J";
    private const string ReasonEscaped = @"Consent refused.\r\nFORGED: all good\x85\x9b2J";
    private static readonly string Tenant = Guid.NewGuid().ToString();

    private readonly EventSource _source = new()
    {
        TenantId = Tenant,
        DisplayName = Name,
        State = ConnectionState.PendingConsent,
        StatusReason = Reason,
        ContentTypes = { "Audit.AzureActiveDirectory" },
        AdminConsentUrl = "https://login.example.com/consent?state=1\u001b]8;;https://evil.example.com\u0007",
        AdminConsentUrlExpiresAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero)),
    };

    private readonly IngressEvent _signIn = new()
    {
        Header = new RecordHeader { TenantId = Tenant, RecordId = "r1", Sequence = 7, EventTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2024, 6, 4, 8, 0, 0, TimeSpan.Zero)) },
        User = "mal\u2029lory\t@example.com",
        Result = SignInResult.Failure,
        FailureCode = "50126",
        FailureReason = "Invalid\u001b[2J",
        ApplicationName = "App\u202egnp.exe",
        Location = new GeoLocation { CountryCode = "NL", City = "Amster\ndam" },
    };

    private FakeGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await FakeGateway.StartAsync(_source, _signIn);

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task SourcesList_DisplayNameAndReasonWithControls_OneEscapedRow()
    {
        var (code, output, error) = await Cli("sources", "list");

        Assert.Equal((0, ""), (code, error));
        var lines = CliRunner.Lines(output);
        Assert.Equal(2, lines.Length);
        Assert.Equal($"{Tenant}  {NameEscaped}  PENDING_CONSENT        0         0  Audit.AzureActiveDirectory  {ReasonEscaped}", lines[1]);
        AssertNoRawControls(output);
    }

    [Fact]
    public async Task Get_DisplayNameAndUrlWithControls_EveryLineEscaped()
    {
        var (code, output, error) = await Cli("get", Tenant);

        Assert.Equal((0, ""), (code, error));
        var lines = CliRunner.Lines(output);
        Assert.Equal(1 + EventText.Details(_source).Count(), lines.Length);
        Assert.Equal($"{Tenant} '{NameEscaped}' PENDING_CONSENT content=Audit.AzureActiveDirectory records=0 last_sequence=0 ({ReasonEscaped})", lines[0]);
        Assert.Contains(@"  admin consent URL: https://login.example.com/consent?state=1\x1b]8;;https://evil.example.com\x07", lines);
        AssertNoRawControls(output);
    }

    [Fact]
    public async Task ConsentUrl_UrlWithControls_Escaped()
    {
        var (code, output, _) = await Cli("consent-url", Tenant);

        Assert.Equal(0, code);
        Assert.Equal(2, CliRunner.Lines(output).Length);
        AssertNoRawControls(output);
    }

    [Fact]
    public async Task TailIngress_SignInWithControls_OneEscapedLine()
    {
        var (code, output, _) = await CliRunner.RunUntilAsync(1, l => l.StartsWith("[ingress", StringComparison.Ordinal), "--gateway", _gateway.Address.ToString(), "tail", "ingress", Tenant, "--after", "0");

        Assert.Equal(0, code);
        var lines = CliRunner.Lines(output);
        Assert.Equal(2, lines.Length);
        Assert.Equal(@"[ingress #7] 2024-06-04 08:00:00Z FAILURE     mal\u2029lory\t@example.com from unknown (NL, Amster\ndam) 50126 Invalid\x1b[2J app=App\u202egnp.exe", lines[1]);
        AssertNoRawControls(output);
    }

    [Fact]
    public async Task Json_ControlsEscapedByTheJsonEncoding_ParsesBackToTheSameValues()
    {
        var (code, output, error) = await Cli("--json", "list");

        Assert.Equal((0, ""), (code, error));
        var line = Assert.Single(CliRunner.Lines(output));
        Assert.Contains(@"Evil\nCorp\u001b[31m\u202e\u2028\u200b", line, StringComparison.Ordinal);
        Assert.Contains(@"Consent refused.\r\nFORGED: all good\u0085\u009b2J", line, StringComparison.Ordinal);
        Assert.Equal(new ListEventSourcesResponse { EventSources = { _source } }, JsonParser.Default.Parse<ListEventSourcesResponse>(line));
        AssertNoRawControls(output);

        (code, output, _) = await CliRunner.RunUntilAsync(1, _ => true, "--gateway", _gateway.Address.ToString(), "--json", "tail", "ingress", Tenant, "--after", "0");
        Assert.Equal(0, code);
        Assert.Equal(_signIn, JsonParser.Default.Parse<IngressEvent>(Assert.Single(CliRunner.Lines(output))));
        AssertNoRawControls(output);
    }

    private static void AssertNoRawControls(string output)
    {
        foreach (var c in output.Where(c => c != '\n'))
        {
            Assert.False(char.IsControl(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator,
                $"raw U+{(int)c:X4} in the output: {output}");
        }
    }

    private Task<(int Code, string Output, string Error)> Cli(params string[] args) => CliRunner.RunAsync(["--gateway", _gateway.Address.ToString(), .. args]);
}
