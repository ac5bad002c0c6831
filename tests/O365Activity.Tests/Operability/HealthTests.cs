using System.Net;
using System.Text.Json;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using O365Activity.Gateway.Operability;
using O365Activity.Harness;
using O365Activity.Protos.V1;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.Operability;

/// <summary><c>grpc.health.v1</c> on the gateway's gRPC endpoint, and the readiness report at <c>/api/health</c>.</summary>
[Collection(Infrastructure.ServiceCollection.Name)]
public sealed class HealthTests(ServiceFixture service)
{
    [Theory]
    [InlineData("")]
    [InlineData("liveness")]
    [InlineData("readiness")]
    public async Task LivenessAndReadiness_AreServing_WithTheClusterAndTheDatabaseUp(string name)
    {
        var health = new Health.HealthClient(service.Channel);

        var answer = await health.CheckAsync(new HealthCheckRequest { Service = name });

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, answer.Status);
    }

    [Fact]
    public async Task ApiHealth_ListsAFailedSource_WithItsReason_AndStaysReady()
    {
        var tenant = Guid.NewGuid();
        using var fault = await FailingSource.FailedAsync(service, tenant);

        using var http = new HttpClient { BaseAddress = service.StatusAddress };
        JsonElement report = default;
        JsonElement? listed = null;
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (listed is null && DateTimeOffset.UtcNow < deadline)
        {
            using var response = await http.GetAsync("/api/health");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            report = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            listed = report.GetProperty("checks").GetProperty("eventSources").GetProperty("data").GetProperty("failed").EnumerateArray()
                .Cast<JsonElement?>().FirstOrDefault(s => s!.Value.GetProperty("tenantId").GetString() == tenant.ToString());
            await Task.Delay(200);
        }

        Assert.NotNull(listed);
        Assert.Contains("ActivityFeed.Read", listed.Value.GetProperty("reason").GetString());
        Assert.Equal("Degraded", report.GetProperty("status").GetString());
        Assert.Equal("Degraded", report.GetProperty("checks").GetProperty("eventSources").GetProperty("status").GetString());
        Assert.Equal("Healthy", report.GetProperty("checks").GetProperty("cluster").GetProperty("status").GetString());
        Assert.Equal("Healthy", report.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.Single(report.GetProperty("checks").GetProperty("cluster").GetProperty("data").GetProperty("silos").EnumerateArray());

        // A failed source makes readiness degraded, not unhealthy: the gateway still serves, and says no more over gRPC.
        var answer = await new Health.HealthClient(service.Channel).CheckAsync(new HealthCheckRequest { Service = "readiness" });
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, answer.Status);
    }

    [Fact]
    public async Task ThePerTenantSummary_RunsFor_ApiHealthOnly_NotForGrpcProbesNorThePeriodicPublisher()
    {
        // It asks every tenant's grain: run by each probe or by the publisher every 30 s, it cost an idle silo of 10,000
        // tenants more than their polls did.
        var summary = service.Gateway.Services.GetRequiredService<EventSourcesHealthCheck>();
        var health = new Health.HealthClient(service.Channel);
        var before = summary.Runs;
        foreach (var name in new[] { "", "liveness", "readiness", "readiness" })
        {
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = name })).Status);
        }

        Assert.Equal(before, summary.Runs);

        using var http = new HttpClient { BaseAddress = service.StatusAddress };
        using var response = await http.GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(before + 1, summary.Runs);

        var registrations = service.Gateway.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;
        var publisher = service.Gateway.Services.GetRequiredService<IOptions<HealthCheckPublisherOptions>>().Value;
        Assert.NotNull(publisher.Predicate);
        Assert.False(publisher.Predicate(registrations.Single(r => r.Name == "eventSources")));
        Assert.True(publisher.Predicate(registrations.Single(r => r.Name == "cluster")));
        Assert.True(publisher.Predicate(registrations.Single(r => r.Name == "database")));
    }

    [Fact]
    public async Task Reflection_IsOffByDefault()
    {
        var reflection = new Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(service.Channel);
        using var call = reflection.ServerReflectionInfo();
        try
        {
            await call.RequestStream.WriteAsync(new Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = "" });
        }
        catch (Grpc.Core.RpcException)
        {
            // The gateway may answer before the request is written (the method does not exist): the write then fails
            // with the call already over, and the answer's own status is read below.
        }

        var e = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(Grpc.Core.StatusCode.Unimplemented, e.StatusCode);
    }
}

/// <summary>Readiness follows the database: a gateway whose PostgreSQL server is stopped is NOT_SERVING, and SERVING again once it is back.</summary>
public sealed class DatabaseReadinessTests : IClassFixture<DatabaseReadinessTests.BreakableDatabaseFixture>
{
    private readonly BreakableDatabaseFixture _service;

    public DatabaseReadinessTests(BreakableDatabaseFixture service) => _service = service;

    [Fact]
    public async Task Readiness_IsNotServing_WhileTheDatabaseIsStopped_LivenessStaysServing()
    {
        var health = new Health.HealthClient(_service.Channel);
        await WaitForAsync(health, "readiness", HealthCheckResponse.Types.ServingStatus.Serving);

        await _service.Server.StopAsync();
        try
        {
            await WaitForAsync(health, "readiness", HealthCheckResponse.Types.ServingStatus.NotServing);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "liveness" })).Status);
            using var http = new HttpClient { BaseAddress = _service.StatusAddress };
            using var response = await http.GetAsync("/api/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("Unhealthy", report.GetProperty("status").GetString());
            Assert.Equal("Unhealthy", report.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        }
        finally
        {
            await _service.Server.RestartAsync();
        }

        await WaitForAsync(health, "readiness", HealthCheckResponse.Types.ServingStatus.Serving);
    }

    [Fact]
    public async Task ManagementCalls_WhileTheDatabaseIsStopped_AreUnavailable_NotInternal()
    {
        var sources = new EventSources.EventSourcesClient(_service.Channel);
        var known = Guid.NewGuid().ToString();
        // The database may have been restarted by the test before: the first commands on its pooled connections fail once.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = known });
                break;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists && attempt > 1)
            {
                break;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && attempt < 20)
            {
                await Task.Delay(250);
            }
        }

        await _service.Server.StopAsync();
        try
        {
            // A tenant whose grain must read its state from the database, and one already active.
            var create = await Assert.ThrowsAsync<RpcException>(async () => await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = Guid.NewGuid().ToString() }));
            var delete = await Assert.ThrowsAsync<RpcException>(async () => await sources.DeleteEventSourceAsync(new DeleteEventSourceRequest { TenantId = known }));

            Assert.All([create, delete], e => Assert.Equal(StatusCode.Unavailable, e.StatusCode));
        }
        finally
        {
            await _service.Server.RestartAsync();
        }

        await WaitForAsync(new Health.HealthClient(_service.Channel), "readiness", HealthCheckResponse.Types.ServingStatus.Serving);
    }

    [Fact]
    public async Task Readiness_IsNotServing_WhenTheDatabaseIsUnreachable()
    {
        // A data source on a port where nothing listens, checked as the gateway checks its own.
        var check = new O365Activity.Gateway.Operability.DatabaseHealthCheck(new UnreachableDatabase());
        var result = await check.CheckHealthAsync(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext());
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy, result.Status);
        Assert.StartsWith("The database does not answer", result.Description);
    }

    private static async Task WaitForAsync(Health.HealthClient health, string name, HealthCheckResponse.Types.ServingStatus expected)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        HealthCheckResponse.Types.ServingStatus status;
        while ((status = (await health.CheckAsync(new HealthCheckRequest { Service = name })).Status) != expected)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"{name}: expected {expected} within 30 s, still {status}");
            await Task.Delay(100);
        }
    }

    private sealed class UnreachableDatabase : IServiceProvider
    {
        private readonly Npgsql.NpgsqlDataSource _dataSource = Npgsql.NpgsqlDataSource.Create($"Host=127.0.0.1;Port={Ports.Free()};Username=nobody;Database=none;Timeout=2");

        public object? GetService(Type serviceType) => serviceType == typeof(Npgsql.NpgsqlDataSource) ? _dataSource : null;
    }

    /// <summary>The whole service, whose gateway checks a PostgreSQL server of its own that a test can stop and start again.</summary>
    public sealed class BreakableDatabaseFixture : ServiceFixture, IAsyncLifetime
    {
        public PostgresServer Server { get; private set; } = null!;

        public new async Task InitializeAsync()
        {
            Server = await PostgresServer.StartAsync();
            await base.InitializeAsync();
        }

        public new async Task DisposeAsync()
        {
            await base.DisposeAsync();
            await Server.DisposeAsync();
        }

        /// <summary>The silo's storage on the same server: a stopped server is an outage of everything durable.</summary>
        protected override IReadOnlyDictionary<string, string?> ExtraSiloSettings => new Dictionary<string, string?> { ["Storage:ConnectionString"] = Server.ConnectionString };

        protected override void ConfigureGateway(Microsoft.AspNetCore.Builder.WebApplicationBuilder gateway) =>
            gateway.Configuration["Storage:ConnectionString"] = Server.ConnectionString;
    }
}
