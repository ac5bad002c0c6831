using System.Diagnostics;
using O365Activity.Emulator;
using O365Activity.Harness;
using O365Activity.Tests.Cli;
using O365Activity.Tests.Infrastructure;
using O365Activity.Tests.Infrastructure.Processes;

namespace O365Activity.Tests.Security;

/// <summary>
/// What <c>./run-local.sh --auth</c> sets up, in real processes: the development CA and certificates of
/// <c>tools/dev-certs.sh</c>, a gateway process on https:// asking for client certificates with the settings
/// run-local.sh gives it, and the CLI presenting them. An anonymous call is refused; the operator manages sources; the
/// reader sees only its tenant.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class LocalAuthProcessTests
{
    [Fact]
    public async Task DevelopmentCertificates_OperatorManages_ReaderIsScoped_AnonymousIsRefused()
    {
        var certs = Directory.CreateTempSubdirectory("o365-dev-certs-").FullName;
        try
        {
            await RunAsync(Path.Combine(RepoPaths.Root, "tools", "dev-certs.sh"), certs, "operator", "reader");
            var demo = Guid.NewGuid();
            var other = Guid.NewGuid();
            await using var database = await TestDatabase.CreateAsync();
            await using var cluster = await ProcessCluster.CreateAsync(nameof(LocalAuthProcessTests), database.ConnectionString, new EmulatorOptions());
            await cluster.StartSiloAsync();
            var address = new Uri($"https://127.0.0.1:{Ports.FreeFixed()}");
            await cluster.StartGatewayAsync(new Dictionary<string, string>
            {
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["Gateway__Authentication__Mode"] = "Required",
                ["Gateway__Tls__CertificatePath"] = Path.Combine(certs, "server.crt"),
                ["Gateway__Tls__KeyPath"] = Path.Combine(certs, "server.key"),
                ["Gateway__Authentication__ClientCertificates__CaCertificatePath"] = Path.Combine(certs, "ca.crt"),
                ["Gateway__Authentication__ClientCertificates__Clients__0__Subject"] = "CN=operator",
                ["Gateway__Authentication__ClientCertificates__Clients__0__Roles__0"] = "admin",
                ["Gateway__Authentication__ClientCertificates__Clients__0__Roles__1"] = "reader",
                ["Gateway__Authentication__ClientCertificates__Clients__1__Subject"] = "CN=reader",
                ["Gateway__Authentication__ClientCertificates__Clients__1__Roles__0"] = "reader",
                ["Gateway__Authentication__ClientCertificates__Clients__1__Tenants__0"] = demo.ToString(),
            }, address);
            string[] Client(string name) => ["--gateway", address.ToString(), "--ca", Path.Combine(certs, "ca.crt"), "--cert", Path.Combine(certs, name + ".crt"), "--key", Path.Combine(certs, name + ".key")];

            var anonymous = await CliRunner.RunAsync("--gateway", address.ToString(), "--ca", Path.Combine(certs, "ca.crt"), "list");
            var created = await UntilAvailableAsync(() => CliRunner.RunAsync([.. Client("operator"), "create", demo.ToString(), "--name", "Demo"]));
            await CliRunner.RunAsync([.. Client("operator"), "create", other.ToString(), "--name", "Other"]);
            var readerList = await CliRunner.RunAsync([.. Client("reader"), "--json", "list"]);
            var readerOther = await CliRunner.RunAsync([.. Client("reader"), "get", other.ToString()]);
            var readerDelete = await CliRunner.RunAsync([.. Client("reader"), "delete", demo.ToString()]);
            var overHttp = await CliRunner.RunAsync("--gateway", "http://127.0.0.1:1", "--cert", Path.Combine(certs, "operator.crt"), "--key", Path.Combine(certs, "operator.key"), "list");

            Assert.Equal(1, anonymous.Code);
            Assert.StartsWith("UNAUTHENTICATED", anonymous.Error);
            Assert.True(created.Code == 0, created.Error);
            Assert.Equal(0, readerList.Code);
            Assert.Contains(demo.ToString(), readerList.Output);
            Assert.DoesNotContain(other.ToString(), readerList.Output);
            Assert.Equal(1, readerOther.Code);
            Assert.StartsWith("PERMISSION_DENIED", readerOther.Error);
            Assert.StartsWith("PERMISSION_DENIED", readerDelete.Error);
            Assert.Equal(2, overHttp.Code);
            Assert.Contains("https://", overHttp.Error);
        }
        finally
        {
            Directory.Delete(certs, recursive: true);
        }
    }

    private static async Task<(int Code, string Output, string Error)> UntilAvailableAsync(Func<Task<(int Code, string Output, string Error)>> run)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var result = await run();
            if (!result.Error.StartsWith("UNAVAILABLE", StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                return result;
            }

            await Task.Delay(250);
        }
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} failed: {error}");
    }
}
