using System.Diagnostics;
using O365Activity.Tests.Normalization;
using CliProgram = O365Activity.Cli.Program;

namespace O365Activity.Tests.Cli;

/// <summary>
/// The command line of <c>o365activity</c>: usage errors (exit code 2), help, a failed call (exit code 1), and the
/// <c>normalize</c> command through the real entry point (a child process, for standard input, output and the environment).
/// </summary>
public sealed class ActivityCliTests
{
    private const string SignIn = """{"CreationTime":"2024-06-01T08:00:00","Id":"b4c5d6e7-f8a9-4b0c-9d1e-2f3a4b5c6d7e","Operation":"UserLoggedIn","RecordType":15,"UserId":"omar@example.com","ClientIP":"203.0.113.61"}""";
    private const string SignInLine = """{"kind":"ingress","recordId":"b4c5d6e7-f8a9-4b0c-9d1e-2f3a4b5c6d7e","eventTime":"2024-06-01T08:00:00Z","recordType":15,"operation":"UserLoggedIn","user":"omar@example.com","result":"Success","clientAddress":{"ip":"203.0.113.61","raw":"203.0.113.61","sourceField":"ClientIP","network":"203.0.113.0/24"},"locationReliable":true}""";

    /// <summary>A gateway address where nothing listens: port 1 on the loopback interface refuses at once.</summary>
    private const string NoGateway = "http://127.0.0.1:1";

    [Theory]
    [InlineData]
    [InlineData("bogus")]
    [InlineData("get")]
    [InlineData("get", "t1", "t2")]
    [InlineData("create")]
    [InlineData("create", "t1", "--name")]
    [InlineData("watch", "t1", "--unfiltered")]
    [InlineData("--gateway")]
    [InlineData("--gateway", NoGateway)]
    [InlineData("update", "t1", "--poll-interval", "abc")]
    [InlineData("update", "t1", "--backfill", "two days")]
    [InlineData("watch", "t1", "--after", "abc")]
    [InlineData("watch", "t1", "--after", "-1")]
    [InlineData("history")]
    [InlineData("history", "raw", "t1")]
    [InlineData("history", "ingress")]
    [InlineData("user", "t1")]
    [InlineData("tail", "t1")]
    [InlineData("tail", "ingress", "t1", "t2", "t3")]
    [InlineData("sources", "renew", "t1")]
    [InlineData("consent-url")]
    public async Task Cli_UsageError_ExitCode2ReasonAndUsageOnStandardError(params string[] args)
    {
        var (code, output, error) = await Run(args);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        var lines = Lines(error);
        Assert.True(lines.Length >= 2, $"expected a reason and the usage line, got: {error}");
        Assert.Equal(CliProgram.Usage, lines[^1]);
        Assert.DoesNotContain("System.", error, StringComparison.Ordinal);
        if (args.Length == 4)
        {
            Assert.Contains($"{args[2]}: '{args[3]}'", error, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("history", "ingress", "t1", "--since", "yesterday")]
    [InlineData("history", "admin", "t1", "--until", "2h30m")]
    [InlineData("tail", "raw", "t1", "--since", "2026-13-01")]
    [InlineData("user", "t1", "ana@example.com", "--since", "-2h")]
    [InlineData("locations", "t1", "--until", "12/01/2026")]
    public async Task Cli_BadTime_OneLineNamingTheOptionAndTheFormsExitCode2(params string[] args)
    {
        var (code, output, error) = await Run(args);

        Assert.Equal((2, ""), (code, output));
        Assert.Equal(
            [$"{args[^2]}: '{args[^1]}' is not a time: give an ISO 8601 time (2026-12-01T08:00:00Z; no offset means UTC), a date (2026-12-01, midnight UTC) or an age (30s, 30m, 2h, 7d, 2w: now minus that).", CliProgram.Usage],
            Lines(error));
    }

    [Theory]
    [InlineData("--limit", "0", "--limit: '0' is not a page size: give a whole number from 1 to 1000.", "history", "ingress", "t1")]
    [InlineData("--limit", "1001", "--limit: '1001' is not a page size: give a whole number from 1 to 1000.", "user", "t1", "u")]
    [InlineData("--result", "ok", "--result: 'ok' is not a sign-in result: give one of success, failure, interrupted.", "history", "ingress", "t1")]
    [InlineData("--action", "reset", "--action: 'reset' is not an admin action: give one of other, user-added,", "history", "admin", "t1")]
    public async Task Cli_BadHistoryValue_OneLineNamingTheOptionExitCode2(string option, string value, string message, params string[] command)
    {
        var (code, output, error) = await Run([.. command, option, value]);

        Assert.Equal((2, ""), (code, output));
        var lines = Lines(error);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith(message, lines[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ingress")]
    [InlineData("admin")]
    [InlineData("raw")]
    public async Task Cli_TailAfterAndSince_RefusedInOneLineExitCode2(string kind)
    {
        var (code, output, error) = await Run(["tail", kind, "t1", "--after", "5", "--since", "2h"]);

        Assert.Equal((2, ""), (code, output));
        Assert.Equal([$"tail {kind}: give --after or --since, not both.", CliProgram.Usage], Lines(error));
    }

    [Fact]
    public async Task Cli_Help_ListsEveryCommandExitCode0()
    {
        var (code, output, error) = await Run(["--help"]);

        Assert.Equal(0, code);
        Assert.Equal("", error);
        foreach (var command in new[]
        {
            "list", "get <TENANT>", "create <TENANT>", "delete <TENANT>", "renew <TENANT>", "update <TENANT>", "consent-url <TENANT>", "sources", "watch <TENANT>", "tail",
            "demo <TENANT>", "history", "user <TENANT> <UPN>", "locations <TENANT>", "normalize", "--gateway <URL>", "--json",
        })
        {
            Assert.Contains($"  {command} ", output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(new[] { "sources" }, new[] { "list", "get <TENANT>", "create <TENANT>", "update <TENANT>", "delete <TENANT>" })]
    [InlineData(new[] { "tail" }, new[] { "ingress <TENANT>", "admin <TENANT>", "raw <TENANT>" })]
    [InlineData(new[] { "history" }, new[] { "ingress <TENANT>", "admin <TENANT>" })]
    [InlineData(new[] { "history", "ingress" }, new[] { "--since <TIME>", "--until <TIME>", "--user <UPN>", "--result <RESULT>", "--address <IP|CIDR>", "--oldest-first", "--limit <N>", "--page-token <T>", "--all", "--json", "--gateway <URL>" })]
    [InlineData(new[] { "history", "admin" }, new[] { "--action <ACTION>", "--user <UPN>" })]
    [InlineData(new[] { "tail", "raw" }, new[] { "--after <SEQUENCE>", "--since <TIME>" })]
    [InlineData(new[] { "user" }, new[] { "<TENANT>", "<UPN>", "--since <TIME>", "--until <TIME>", "--limit <N>" })]
    [InlineData(new[] { "locations" }, new[] { "<TENANT>", "--since <TIME>", "--until <TIME>" })]
    [InlineData(new[] { "consent-url" }, new[] { "<TENANT>", "--json" })]
    public async Task Cli_SubcommandHelp_ListsItsCommandsAndOptionsExitCode0(string[] command, string[] expected)
    {
        var (code, output, error) = await Run([.. command, "--help"]);

        Assert.Equal((0, ""), (code, error));
        foreach (var item in expected)
        {
            Assert.Contains($"  {item} ", output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--gateway", NoGateway, "list")]
    [InlineData("list", "--gateway", NoGateway)]
    [InlineData("get", "9d0c4a1e-5b7f-4c2a-8e3d-1f2a3b4c5d6e", "--gateway", NoGateway)]
    [InlineData("--gateway", NoGateway, "create", "9d0c4a1e-5b7f-4c2a-8e3d-1f2a3b4c5d6e", "--name", "Contoso", "--unfiltered")]
    [InlineData("--gateway", NoGateway, "demo", "9d0c4a1e-5b7f-4c2a-8e3d-1f2a3b4c5d6e", "--name", "Demo tenant", "--unfiltered")]
    [InlineData("--gateway", NoGateway, "--json", "history", "ingress", "9d0c4a1e-5b7f-4c2a-8e3d-1f2a3b4c5d6e", "--all")]
    [InlineData("--gateway", NoGateway, "tail", "raw", "9d0c4a1e-5b7f-4c2a-8e3d-1f2a3b4c5d6e", "--since", "2h")]
    [InlineData("--gateway", NoGateway, "consent-url", "9d0c4a1e-5b7f-4c2a-8e3d-1f2a3b4c5d6e")]
    public async Task Cli_GatewayUnreachable_StatusOnStandardErrorExitCode1(params string[] args)
    {
        var (code, output, error) = await Run(args);

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal([$"UNAVAILABLE: cannot reach the gateway at {NoGateway} (connection refused)"], Lines(error));
    }

    [Theory]
    [InlineData("127.0.0.1:{0}", "http://127.0.0.1:{0}")]
    [InlineData("localhost:{0}", "http://localhost:{0}")]
    [InlineData("http://127.0.0.1:{0}/", "http://127.0.0.1:{0}")]
    public async Task Cli_NothingListening_MessageNamesTheAddressNoStackTraceExitCode1(string gateway, string named)
    {
        var port = O365Activity.Harness.Ports.Free();

        var (code, output, error) = await Run(["--gateway", string.Format(System.Globalization.CultureInfo.InvariantCulture, gateway, port), "sources", "list"]);

        Assert.Equal((1, ""), (code, output));
        Assert.Equal([$"UNAVAILABLE: cannot reach the gateway at {string.Format(System.Globalization.CultureInfo.InvariantCulture, named, port)} (connection refused)"], Lines(error));
    }

    [Theory]
    [InlineData("ftp://127.0.0.1:5080")]
    [InlineData("http://")]
    [InlineData("")]
    public async Task Cli_GatewayNotAnAddress_OneLineExitCode2(string gateway)
    {
        var (code, output, error) = await Run(["--gateway", gateway, "list"]);

        Assert.Equal((2, ""), (code, output));
        Assert.Equal([$"--gateway: '{gateway}' is not a gateway address: give host:port (http:// is assumed) or an http:// or https:// URL, for example 127.0.0.1:5080."], Lines(error));
    }

    [Fact]
    public async Task Cli_NormalizeNotFirst_UsageErrorExitCode2()
    {
        var (code, output, error) = await Run(["--gateway", NoGateway, "normalize", "records.json"]);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("normalize: 'normalize' must be the first argument", error, StringComparison.Ordinal);
        Assert.Contains("usage: normalize", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Main_Normalize_StandardInputToStandardOutputBadLineOnStandardErrorExitCode1()
    {
        var (code, output, error) = await RunProcess(["normalize"], $"{SignIn}\n{{\"Id\":\"broken\",\n");

        Assert.Equal(1, code);
        Assert.Equal([SignInLine], Lines(output));
        Assert.StartsWith("normalize: line 2: not valid JSON:", Assert.Single(Lines(error)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Main_NormalizeFileArgumentAndOptions_Applied()
    {
        var file = Path.Combine(Path.GetTempPath(), $"o365-normalize-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, $"[{SignIn}]");
        try
        {
            var (code, output, error) = await RunProcess(["normalize", "--federated-domain", "example.com", file], "");

            Assert.Equal(0, code);
            Assert.Equal("", error);
            Assert.Contains("\"locationReliable\":false", Assert.Single(Lines(output)), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Main_NormalizeUnknownOption_UsageErrorExitCode2()
    {
        var (code, output, error) = await RunProcess(["normalize", "--bogus"], "");

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("normalize: unexpected argument '--bogus'.\nusage: normalize", error.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [SharedFact("geoip", "GeoIP2-City-Test-Broken-Double-Format.mmdb")]
    public async Task Main_NormalizeGeoIpFromEnvironment_CorruptDatabaseUsageErrorNamingSetting()
    {
        var path = SharedFolder.Combine("geoip", "GeoIP2-City-Test-Broken-Double-Format.mmdb");

        var (code, output, error) = await RunProcess(["normalize"], SignIn, new() { ["GeoIp__CityDatabasePath"] = path });

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith($"normalize: GeoIp:CityDatabasePath: '{path}' is not a usable MaxMind DB file", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Main_UnknownCommand_UsageErrorExitCode2()
    {
        var (code, output, error) = await RunProcess(["bogus"], "");

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Equal(CliProgram.Usage, Lines(error)[^1]);
    }

    private static async Task<(int Code, string Output, string Error)> Run(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliProgram.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Runs <c>o365activity.dll</c> (copied beside the test assembly) in a child process, with <paramref name="input"/> on its standard input.</summary>
    private static async Task<(int Code, string Output, string Error)> RunProcess(string[] args, string input, Dictionary<string, string>? environment = null)
    {
        var host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "o365activity.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? [])
        {
            start.Environment[name] = value;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.StandardInput.WriteAsync(input.AsMemory(), timeout.Token);
        process.StandardInput.Close();
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
