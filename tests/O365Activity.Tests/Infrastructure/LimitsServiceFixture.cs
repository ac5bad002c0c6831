using System.Net;
using System.Net.Sockets;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using O365Activity.Hosting;

namespace O365Activity.Tests.Infrastructure;

/// <summary>
/// A whole local service (in memory) whose gateway has small limits, for the limit tests: 3 streams per client, 2
/// HTTP/2 streams per connection, requests of at most 4,096 bytes, pages of at most 20 (2 by default), 3 management
/// calls and then 1 an hour per client, 3 consent callbacks an hour per address, and one trusted proxy
/// (<see cref="TrustedProxy"/>). Each test calls from loopback addresses of its own (<see cref="From"/>), so the
/// per-client counts of one test do not touch another's.
/// </summary>
public sealed class LimitsServiceFixture : ServiceFixture
{
    /// <summary>The one address whose <c>X-Forwarded-For</c> the gateway believes.</summary>
    public static IPAddress TrustedProxy { get; } = IPAddress.Parse("127.0.0.50");

    /// <inheritdoc />
    protected override ClusterMode Mode => ClusterMode.Local;

    /// <inheritdoc />
    protected override void ConfigureGateway(WebApplicationBuilder gateway) =>
        gateway.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:Limits:StreamsPerClient"] = "3",
            ["Gateway:Limits:StreamsPerConnection"] = "2",
            ["Gateway:Limits:MaxRequestBytes"] = "4096",
            ["Gateway:Limits:MaxPageSize"] = "20",
            ["Gateway:Limits:DefaultPageSize"] = "2",
            ["Gateway:Limits:ManagementRequests"] = "1",
            ["Gateway:Limits:ManagementPeriod"] = "01:00:00",
            ["Gateway:Limits:ManagementBurst"] = "3",
            ["Gateway:Limits:ConsentRequests"] = "3",
            ["Gateway:Limits:ConsentWindow"] = "01:00:00",
            ["Gateway:Limits:TrustedProxies:0"] = TrustedProxy.ToString(),
        });

    /// <summary>A handler whose connections come from <paramref name="source"/> (a loopback address such as 127.0.0.17).</summary>
    /// <param name="source">The local address to connect from.</param>
    /// <param name="multipleHttp2Connections">Whether the handler may open another HTTP/2 connection when one is full.</param>
    public static SocketsHttpHandler From(IPAddress source, bool multipleHttp2Connections = true) => new()
    {
        EnableMultipleHttp2Connections = multipleHttp2Connections,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    /// <summary>A gRPC channel to the gateway whose connections come from <paramref name="source"/>.</summary>
    public GrpcChannel ChannelFrom(IPAddress source, bool multipleHttp2Connections = true) =>
        GrpcChannel.ForAddress(GrpcAddress, new GrpcChannelOptions { HttpHandler = From(source, multipleHttp2Connections) });
}

/// <summary>The tests of <see cref="LimitsServiceFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class LimitsServiceCollection : ICollectionFixture<LimitsServiceFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "limits service";
}
