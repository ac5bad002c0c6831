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

    [Fact]
    public async Task Cli_Help_ListsEveryCommandExitCode0()
    {
        var (code, output, error) = await Run(["--help"]);

        Assert.Equal(0, code);
        Assert.Equal("", error);
        foreach (var command in new[] { "list", "get <TENANT>", "create <TENANT>", "delete <TENANT>", "renew <TENANT>", "update <TENANT>", "watch <TENANT>", "demo <TENANT>", "normalize", "--gateway <URL>" })
        {
            Assert.Contains($"  {command} ", output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--gateway", NoGateway, "list")]
    [InlineData("list", "--gateway", NoGateway)]
    [InlineData("get", "9d0c4a1e-5b7f-4c2a-8e3d-1f2a3b4c5d6e", "--gateway", NoGateway)]
    [InlineData("--gateway", NoGateway, "create", "9d0c4a1e-5b7f-4c2a-8e3d-1f2a3b4c5d6e", "--name", "Contoso", "--unfiltered")]
    [InlineData("--gateway", NoGateway, "demo", "9d0c4a1e-5b7f-4c2a-8e3d-1f2a3b4c5d6e", "--name", "Demo tenant", "--unfiltered")]
    public async Task Cli_GatewayUnreachable_StatusOnStandardErrorExitCode1(params string[] args)
    {
        var (code, output, error) = await Run(args);

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.StartsWith("Unavailable: ", error, StringComparison.Ordinal);
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
