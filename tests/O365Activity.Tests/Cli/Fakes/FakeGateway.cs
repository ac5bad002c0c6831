using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using O365Activity.Harness;
using O365Activity.Protos.V1;

namespace O365Activity.Tests.Cli.Fakes;

/// <summary>
/// A gRPC server on 127.0.0.1 (HTTP/2 without TLS, as the gateway) that answers with the values a test gives it: for
/// the command line's handling of what a real gateway would refuse to store.
/// </summary>
public sealed class FakeGateway : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeGateway(WebApplication app, Uri address, FakeEventSources sources)
    {
        _app = app;
        Address = address;
        Sources = sources;
    }

    public Uri Address { get; }

    public FakeEventSources Sources { get; }

    public static async Task<FakeGateway> StartAsync(EventSource source, IngressEvent signIn)
    {
        var port = Ports.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var sources = new FakeEventSources(source);
        builder.Services.AddSingleton(sources);
        builder.Services.AddSingleton(new FakeActivity(signIn));
        var app = builder.Build();
        app.MapGrpcService<FakeEventSources>();
        app.MapGrpcService<FakeActivity>();
        await app.StartAsync();
        return new FakeGateway(app, new Uri($"http://127.0.0.1:{port}"), sources);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
