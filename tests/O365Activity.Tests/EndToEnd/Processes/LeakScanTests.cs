using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Npgsql;
using O365Activity.Emulator;
using O365Activity.Harness;
using O365Activity.Protos.V1;
using O365Activity.Tests.Infrastructure;
using O365Activity.Tests.Infrastructure.Processes;

namespace O365Activity.Tests.EndToEnd.Processes;

/// <summary>
/// A full run in real processes (emulator, silo, gateway; a tenant connected and collecting, through a retried failure
/// and a token refresh), with a distinctive client secret and a database role with a distinctive password, is scanned
/// for every secret configured and every access token the emulator issued: each process's log, the status page's JSON
/// API, and the response of every gRPC method. None may appear. The logs also carry UTC ISO 8601 timestamps. The
/// gateway runs as in production, with authentication on: its TLS key encrypted with a distinctive password, and the
/// client's bearer token (a JWT) is one more secret looked for.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed partial class LeakScanTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    /// <summary>The length of the pieces of each secret looked for.</summary>
    private const int Piece = 16;

    [Fact]
    public async Task AFullRun_ShowsNoSecretAndNoToken_InLogsStatusOrAnyGrpcResponse()
    {
        var clientSecret = "LeakScan-ClientSecret-" + Guid.NewGuid().ToString("N");
        var dbPassword = "LeakScan-DbPassword-" + Guid.NewGuid().ToString("N");
        var role = "leak_" + Guid.NewGuid().ToString("N")[..12];
        await using var database = await TestDatabase.CreateAsync();
        await ExecuteAsync($"CREATE ROLE {role} LOGIN PASSWORD '{dbPassword}'", $"ALTER DATABASE {database.Name} OWNER TO {role}");
        var folder = Directory.CreateTempSubdirectory("leak-scan-");
        try
        {
            var passwordFile = Path.Combine(folder.FullName, "db-password");
            await File.WriteAllTextAsync(passwordFile, dbPassword + "\n");
            var asRole = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Username = role };
            var withPassword = new NpgsqlConnectionStringBuilder(asRole.ConnectionString) { Password = dbPassword };

            var test = nameof(AFullRun_ShowsNoSecretAndNoToken_InLogsStatusOrAnyGrpcResponse);
            foreach (var old in Directory.EnumerateFiles(RepoPaths.LogFolder(test)))
            {
                File.Delete(old);
            }

            var started = DateTimeOffset.UtcNow;
            var credentials = new TestCredentials(Path.Combine(folder.FullName, "credentials"));
            var keyPassword = "LeakScan-KeyPassword-" + Guid.NewGuid().ToString("N");
            var encryptedKey = credentials.WriteEncryptedServerKey(keyPassword);
            var bearer = credentials.Token("leak-scan-client", ["admin", "reader"]);
            await using (var cluster = await ProcessCluster.CreateAsync(test, withPassword.ConnectionString, Emulator(), clientSecret: clientSecret))
            {
                // The silo has the password in its connection string and the secret in its settings; the gateway reads the
                // password from Storage:PasswordFile, and its TLS key's password from its environment.
                await cluster.StartSiloAsync();
                var grpc = new Uri($"https://127.0.0.1:{Ports.FreeFixed()}");
                var statusAddress = new Uri($"http://127.0.0.1:{Ports.FreeFixed()}");
                await cluster.StartGatewayAsync(new Dictionary<string, string>
                {
                    ["Storage__ConnectionString"] = asRole.ConnectionString,
                    ["Storage__PasswordFile"] = passwordFile,
                    ["DOTNET_ENVIRONMENT"] = "Production",
                    ["Gateway__Authentication__Mode"] = "Required",
                    ["Gateway__StatusEndpoint"] = statusAddress.ToString(),
                    ["Gateway__Tls__CertificatePath"] = credentials.ServerCertificatePath,
                    ["Gateway__Tls__KeyPath"] = encryptedKey,
                    ["Gateway__Tls__KeyPassword"] = keyPassword,
                    ["Gateway__Authentication__Jwt__Audience"] = TestCredentials.Audience,
                    ["Gateway__Authentication__Jwt__Issuer"] = TestCredentials.Issuer,
                    ["Gateway__Authentication__Jwt__SigningKeysPath"] = credentials.SigningKeysPath,
                }, grpc);
                using var channel = credentials.Channel(grpc, token: bearer);
                using var http = new HttpClient { BaseAddress = statusAddress };
                http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
                var outputs = await ExerciseAsync(cluster, channel, http);
                var tokens = cluster.Emulator.State.IssuedAccessTokens;
                Assert.True(tokens.Count >= 2, $"the run issued {tokens.Count} tokens; the 401 should have forced a second");
                // Not only whole: any 19 characters in a row of a secret, or of a token's payload or signature (its header is
                // the same for every token), contain one of these 16-character pieces.
                var secrets = new List<string>();
                foreach (var secret in tokens.Append(bearer).SelectMany(t => t.Split('.').Skip(1)).Prepend(keyPassword).Prepend(dbPassword).Prepend(clientSecret))
                {
                    for (var start = 0; start + Piece <= secret.Length; start += 4)
                    {
                        secrets.Add(secret.Substring(start, Piece));
                    }
                }

                await Task.Delay(1_000); // the processes' last lines reach their files
                foreach (var process in cluster.Gateways.Concat(cluster.Silos))
                {
                    await process.StopAsync(TimeSpan.FromSeconds(20));
                }

                foreach (var file in Directory.EnumerateFiles(cluster.LogFolder))
                {
                    outputs.Add(($"log {Path.GetFileName(file)}", await File.ReadAllTextAsync(file)));
                }

                Assert.Contains(outputs, o => o.Source.StartsWith("log silo", StringComparison.Ordinal) && o.Text.Length > 0);
                Assert.Contains(outputs, o => o.Source.StartsWith("log gateway", StringComparison.Ordinal) && o.Text.Length > 0);
                var leaks = (from output in outputs from secret in secrets where output.Text.Contains(secret, StringComparison.Ordinal) select $"{output.Source} shows {Describe(secret, clientSecret, dbPassword)}").Distinct().ToList();
                Assert.True(leaks.Count == 0, "Secrets leaked:\n" + string.Join("\n", leaks));

                // Every log line of a process starts with its UTC time (ISO 8601), within the run.
                foreach (var (source, text) in outputs.Where(o => o.Source.StartsWith("log ", StringComparison.Ordinal)))
                {
                    var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                    Assert.NotEmpty(lines);
                    foreach (var line in lines.Where(l => LogLevelPrefix().IsMatch(l)))
                    {
                        var match = TimestampPrefix().Match(line);
                        Assert.True(match.Success, $"{source}: a log line without a leading UTC timestamp: {line}");
                        var time = DateTimeOffset.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                        Assert.InRange(time, started.AddSeconds(-5), DateTimeOffset.UtcNow.AddSeconds(5));
                    }

                    Assert.Contains(lines, l => TimestampPrefix().IsMatch(l));
                }
            }
        }
        finally
        {
            folder.Delete(recursive: true);
            await database.DisposeAsync();
            await ExecuteAsync($"DROP ROLE IF EXISTS {role}");
        }
    }

    /// <summary>Calls every gRPC method and the status page's JSON API; returns each response as text (protobuf JSON).</summary>
    private static async Task<List<(string Source, string Text)>> ExerciseAsync(ProcessCluster cluster, GrpcChannel channel, HttpClient http)
    {
        var sources = new EventSources.EventSourcesClient(channel);
        var activity = new Activity.ActivityClient(channel);
        var outputs = new List<(string Source, string Text)>();
        void Add(string source, IMessage message) => outputs.Add((source, JsonFormatter.Default.Format(message) + "\n" + Encoding.UTF8.GetString(message.ToByteArray())));
        var tenant = Guid.NewGuid();
        var id = tenant.ToString();

        // A transient failure (retried) and a token the API no longer accepts (refreshed) on the way.
        using var unavailable = cluster.Emulator.State.InjectFault(FaultRule.HtmlError(503) with { Kind = RequestKind.ListContent, TenantId = tenant, Times = 1 });
        using var refused = cluster.Emulator.State.InjectFault(new FaultRule { Kind = RequestKind.ListContent, TenantId = tenant, Times = 1, StatusCode = 401, Body = "" });
        Add("CreateEventSource+consent", await TestSources.CreateConnectedAsync(sources, tenant, unfiltered: true, "Audit.AzureActiveDirectory", "Audit.SharePoint"));
        var status = await TestSources.WaitForSequenceAsync(sources, tenant, 200, Patience);
        Assert.Equal(1, unavailable.Hits);
        Assert.Equal(1, refused.Hits);

        Add("GetEventSource", status);
        Add("ListEventSources", await sources.ListEventSourcesAsync(new ListEventSourcesRequest()));
        Add("UpdateEventSource", await sources.UpdateEventSourceAsync(new UpdateEventSourceRequest { TenantId = id, DisplayName = "Leak scan" }));
        Add("RenewConsentUrl", await sources.RenewConsentUrlAsync(new RenewConsentUrlRequest { TenantId = id }));
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        using (var watch = sources.WatchEventSources(new WatchEventSourcesRequest(), cancellationToken: deadline.Token))
        {
            Assert.True(await watch.ResponseStream.MoveNext(deadline.Token));
            Add("WatchEventSources", watch.ResponseStream.Current);
        }

        var other = Guid.NewGuid();
        await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = other.ToString() });
        Add("DeleteEventSource", await sources.DeleteEventSourceAsync(new DeleteEventSourceRequest { TenantId = other.ToString() }));

        await ReadStreamAsync("StreamIngress", activity.StreamIngress(new StreamRequest { TenantId = id, AfterSequence = 0 }), Add);
        await ReadStreamAsync("StreamAdmin", activity.StreamAdmin(new StreamRequest { TenantId = id, AfterSequence = 0 }), Add);
        await ReadStreamAsync("StreamRaw", activity.StreamRaw(new StreamRequest { TenantId = id, AfterSequence = 0 }), Add);

        var history = new History.HistoryClient(channel);
        var ingress = await history.ListIngressAsync(new ListIngressRequest { TenantId = id, PageSize = 1_000 });
        Assert.NotEmpty(ingress.Events);
        Add("ListIngress", ingress);
        Add("ListAdmin", await history.ListAdminAsync(new ListAdminRequest { TenantId = id, PageSize = 1_000 }));
        var user = ingress.Events[0].User;
        Add("GetUserActivity", await history.GetUserActivityAsync(new GetUserActivityRequest { TenantId = id, User = user }));
        Add("ListLocations", await history.ListLocationsAsync(new ListLocationsRequest { TenantId = id }));

        foreach (var path in (string[])["/api/sources", $"/api/tenants/{id}", $"/api/tenants/{id}/locations", $"/api/tenants/{id}/ingress", $"/api/tenants/{id}/admin", $"/api/tenants/{id}/users/{Uri.EscapeDataString(user)}"])
        {
            using var response = await http.GetAsync(path);
            Assert.True(response.IsSuccessStatusCode, $"{path}: HTTP {(int)response.StatusCode}");
            outputs.Add(($"status {path}", await response.Content.ReadAsStringAsync()));
        }

        return outputs;
    }

    private static async Task ReadStreamAsync<T>(string name, AsyncServerStreamingCall<T> call, Action<string, IMessage> add)
        where T : IMessage
    {
        using (call)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            var read = 0;
            try
            {
                while (await call.ResponseStream.MoveNext(deadline.Token))
                {
                    add(name, call.ResponseStream.Current);
                    read++;
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled)
            {
                // The stream follows live until the deadline: what was stored so far has been read.
            }

            Assert.True(read > 0, $"{name} delivered nothing");
        }
    }

    private static EmulatorOptions Emulator() => new()
    {
        Backlog = new BacklogOptions(400) { Window = TimeSpan.FromHours(6) },
        BlobSize = 50,
        GeneratorSeed = 31,
        AutoConsentAllTenants = true,
    };

    private static string Describe(string piece, string clientSecret, string dbPassword) =>
        clientSecret.Contains(piece, StringComparison.Ordinal) ? "part of the client secret"
        : dbPassword.Contains(piece, StringComparison.Ordinal) ? "part of the database password"
        : $"part of the TLS key's password, an access token or the client's bearer token ({piece})";

    private static async Task ExecuteAsync(params string[] statements)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.Server);
        await connection.OpenAsync();
        foreach (var statement in statements)
        {
            await using var command = new NpgsqlCommand(statement, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    [GeneratedRegex(@"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) (trce|dbug|info|warn|fail|crit):")]
    private static partial Regex TimestampPrefix();

    [GeneratedRegex(@"^(trce|dbug|info|warn|fail|crit):")]
    private static partial Regex LogLevelPrefix();
}
