using System.Globalization;
using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using O365Activity.Gateway.Limits;
using O365Activity.Gateway.Services;
using O365Activity.Protos.V1;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.Gateway;

/// <summary>
/// The gateway's limits (README, "Limits"), each against the small limits of <see cref="LimitsServiceFixture"/>: each
/// test calls from loopback addresses of its own, which the gateway counts as different clients (no authentication
/// here, so a client is its address).
/// </summary>
[Collection(LimitsServiceCollection.Name)]
public sealed class LimitsTests(LimitsServiceFixture service)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task StreamsPerClient_OneMoreIsRefusedAtOnce_WhateverTheStream_AndOtherClientsAreNotCounted()
    {
        using var channel = service.ChannelFrom(IPAddress.Parse("127.0.0.11"));
        var open = new List<AsyncServerStreamingCall<EventSourceChange>>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                open.Add(await OpenWatchAsync(channel));
            }

            var refused = await Assert.ThrowsAsync<RpcException>(() => OpenWatchAsync(channel));
            Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
            Assert.Contains("3 streams", refused.Status.Detail, StringComparison.Ordinal);
            Assert.Contains("Gateway:Limits:StreamsPerClient", refused.Status.Detail, StringComparison.Ordinal);

            // An activity stream counts as well, refused before its tenant is even looked at.
            using var ingress = new Activity.ActivityClient(channel).StreamIngress(new StreamRequest { TenantId = Guid.NewGuid().ToString() });
            var refusedIngress = await Assert.ThrowsAsync<RpcException>(() => ingress.ResponseStream.MoveNext());
            Assert.Equal(StatusCode.ResourceExhausted, refusedIngress.StatusCode);

            // Another client has its own count.
            using var other = service.ChannelFrom(IPAddress.Parse("127.0.0.12"));
            using var theirs = await OpenWatchAsync(other);
            Assert.Equal(3, OpenStreams("127.0.0.11"));
            Assert.Equal(1, OpenStreams("127.0.0.12"));
        }
        finally
        {
            open.ForEach(call => call.Dispose());
        }
    }

    [Fact]
    public async Task StreamsPerClient_APlaceIsFreedWhenAStreamFails_IsCancelled_OrPassesItsDeadline()
    {
        // Failed: an activity stream of a tenant with no source ends with an error, five times in a row (three leaked
        // places would refuse the fourth).
        using (var failing = service.ChannelFrom(IPAddress.Parse("127.0.0.13")))
        {
            for (var i = 0; i < 5; i++)
            {
                using var call = new Activity.ActivityClient(failing).StreamIngress(new StreamRequest { TenantId = Guid.NewGuid().ToString() });
                var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
                Assert.NotEqual(StatusCode.ResourceExhausted, error.StatusCode);
            }

            Assert.Equal(0, OpenStreams("127.0.0.13"));
        }

        // Cancelled: with three open, one cancelled frees its place.
        using (var cancelling = service.ChannelFrom(IPAddress.Parse("127.0.0.14")))
        {
            var open = new List<AsyncServerStreamingCall<EventSourceChange>>();
            using var first = new CancellationTokenSource();
            open.Add(await OpenWatchAsync(cancelling, cancellationToken: first.Token));
            open.Add(await OpenWatchAsync(cancelling));
            open.Add(await OpenWatchAsync(cancelling));
            Assert.Equal(StatusCode.ResourceExhausted, (await Assert.ThrowsAsync<RpcException>(() => OpenWatchAsync(cancelling))).StatusCode);
            await first.CancelAsync();
            open.Add(await OpenEventuallyAsync(cancelling));
            open.ForEach(call => call.Dispose());
        }

        // Past their deadline: three streams that end with DEADLINE_EXCEEDED free all three places.
        using (var expiring = service.ChannelFrom(IPAddress.Parse("127.0.0.15")))
        {
            var deadline = DateTime.UtcNow.AddSeconds(2);
            var expired = new List<AsyncServerStreamingCall<EventSourceChange>>();
            for (var i = 0; i < 3; i++)
            {
                expired.Add(await OpenWatchAsync(expiring, deadline));
            }

            foreach (var call in expired)
            {
                var ended = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
                Assert.Equal(StatusCode.DeadlineExceeded, ended.StatusCode);
                call.Dispose();
            }

            var again = new List<AsyncServerStreamingCall<EventSourceChange>>();
            for (var i = 0; i < 3; i++)
            {
                again.Add(await OpenEventuallyAsync(expiring));
            }

            Assert.Equal(3, OpenStreams("127.0.0.15"));
            again.ForEach(call => call.Dispose());
        }
    }

    [Fact]
    public async Task StreamsPerConnection_AThirdStreamOnOneConnectionWaitsUntilOneOfTwoEnds()
    {
        // One HTTP/2 connection: the gateway advertises 2 concurrent streams, so the client holds the third back.
        using var single = service.ChannelFrom(IPAddress.Parse("127.0.0.17"), multipleHttp2Connections: false);
        var first = await OpenWatchAsync(single);
        using var second = await OpenWatchAsync(single);
        using var third = new EventSources.EventSourcesClient(single).WatchEventSources(new WatchEventSourcesRequest());
        var thirdAnswer = third.ResponseStream.MoveNext();
        // A negative can only be shown by waiting: a second is ample for a stream on an idle loopback connection
        // (the first two opened in milliseconds).
        Assert.NotSame(thirdAnswer, await Task.WhenAny(thirdAnswer, Task.Delay(TimeSpan.FromSeconds(1))));
        Assert.Equal(2, OpenStreams("127.0.0.17"));

        first.Dispose();
        using var timeout = new CancellationTokenSource(Patience);
        Assert.True(await thirdAnswer.WaitAsync(timeout.Token));
        Assert.Equal(2, OpenStreams("127.0.0.17"));

        // The same client with several connections allowed opens three streams at once (its per-client limit is 3).
        using var several = service.ChannelFrom(IPAddress.Parse("127.0.0.18"));
        var three = new[] { await OpenWatchAsync(several), await OpenWatchAsync(several), await OpenWatchAsync(several) };
        Assert.Equal(3, OpenStreams("127.0.0.18"));
        Array.ForEach(three, call => call.Dispose());
    }

    [Fact]
    public async Task RequestSize_ALargerRequestIsRefusedWithResourceExhausted_BeforeItIsRead()
    {
        using var channel = service.ChannelFrom(IPAddress.Parse("127.0.0.19"));
        var sources = new EventSources.EventSourcesClient(channel);
        var tenant = Guid.NewGuid().ToString();

        // Under the limit the request is read and checked; over it, it is refused before it is parsed.
        var checkedRequest = await Assert.ThrowsAsync<RpcException>(() => sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant, DisplayName = new string('x', 300) }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, checkedRequest.StatusCode);
        var large = await Assert.ThrowsAsync<RpcException>(() => sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant, DisplayName = new string('x', 5_000) }).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, large.StatusCode);

        // The activity streams read their requests with a marshaller of their own: limited all the same.
        using var checkedStream = new Activity.ActivityClient(channel).StreamIngress(new StreamRequest { TenantId = new string('x', 300) });
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => checkedStream.ResponseStream.MoveNext())).StatusCode);
        using var largeStream = new Activity.ActivityClient(channel).StreamIngress(new StreamRequest { TenantId = new string('x', 5_000) });
        Assert.Equal(StatusCode.ResourceExhausted, (await Assert.ThrowsAsync<RpcException>(() => largeStream.ResponseStream.MoveNext())).StatusCode);
    }

    [Fact]
    public async Task PageSize_AboveTheSettingIsInvalidArgumentNamingTheMaximum()
    {
        using var channel = service.ChannelFrom(IPAddress.Parse("127.0.0.21"));
        var history = new History.HistoryClient(channel);
        var tenant = Guid.NewGuid().ToString();

        var ingress = await Assert.ThrowsAsync<RpcException>(() => history.ListIngressAsync(new ListIngressRequest { TenantId = tenant, PageSize = 21 }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, ingress.StatusCode);
        Assert.Contains("1 to 20", ingress.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Gateway:Limits:MaxPageSize", ingress.Status.Detail, StringComparison.Ordinal);
        var admin = await Assert.ThrowsAsync<RpcException>(() => history.ListAdminAsync(new ListAdminRequest { TenantId = tenant, PageSize = 21 }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, admin.StatusCode);
        var user = await Assert.ThrowsAsync<RpcException>(() => history.GetUserActivityAsync(new GetUserActivityRequest { TenantId = tenant, User = "ana@example.com", PageSize = 21 }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, user.StatusCode);

        // At the maximum the request is accepted (and this tenant has no source).
        var accepted = await Assert.ThrowsAsync<RpcException>(() => history.ListIngressAsync(new ListIngressRequest { TenantId = tenant, PageSize = 20 }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, accepted.StatusCode);
    }

    [Fact]
    public void PageSize_ZeroIsTheDefaultSetting_AndTheBoundsFollowTheSettings()
    {
        var limits = new GatewayLimitsOptions { DefaultPageSize = 2, MaxPageSize = 5 };
        Assert.Equal(2, HistoryQueries.PageSize(0, limits));
        Assert.Equal(5, HistoryQueries.PageSize(5, limits));
        Assert.Equal(StatusCode.InvalidArgument, Assert.Throws<RpcException>(() => HistoryQueries.PageSize(6, limits)).StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, Assert.Throws<RpcException>(() => HistoryQueries.PageSize(-1, limits)).StatusCode);

        // The defaults are today's: 0 is 100, at most 1,000.
        var defaults = new GatewayLimitsOptions();
        Assert.Equal(100, HistoryQueries.PageSize(0, defaults));
        Assert.Equal(1_000, HistoryQueries.PageSize(1_000, defaults));
        Assert.Throws<RpcException>(() => HistoryQueries.PageSize(1_001, defaults));
    }

    [Fact]
    public async Task ManagementRate_BeyondTheBurstIsResourceExhaustedWithTheRetryTime_PerClient_AndStreamsAndHistoryAreNotCounted()
    {
        using var channel = service.ChannelFrom(IPAddress.Parse("127.0.0.22"));
        var sources = new EventSources.EventSourcesClient(channel);
        var tenant = Guid.NewGuid().ToString();

        // A burst of 3 (different calls share it), then 1 an hour.
        await sources.ListEventSourcesAsync(new ListEventSourcesRequest());
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant }).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => sources.DeleteEventSourceAsync(new DeleteEventSourceRequest { TenantId = tenant }).ResponseAsync)).StatusCode);
        var refused = await Assert.ThrowsAsync<RpcException>(() => sources.ListEventSourcesAsync(new ListEventSourcesRequest()).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("Retry after", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Gateway:Limits:ManagementBurst", refused.Status.Detail, StringComparison.Ordinal);
        var pushback = refused.Trailers.GetValue(ManagementRateLimits.RetryPushbackTrailer);
        Assert.NotNull(pushback);
        Assert.InRange(long.Parse(pushback, CultureInfo.InvariantCulture), 1, (long)TimeSpan.FromHours(1).TotalMilliseconds);
        Assert.Equal(StatusCode.ResourceExhausted, (await Assert.ThrowsAsync<RpcException>(() => sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant }).ResponseAsync)).StatusCode);

        // Streams and history queries of the same client are not management calls.
        using var watch = await OpenWatchAsync(channel);
        var history = await Assert.ThrowsAsync<RpcException>(() => new History.HistoryClient(channel).ListIngressAsync(new ListIngressRequest { TenantId = tenant }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, history.StatusCode);

        // Another client has its own bucket.
        using var other = service.ChannelFrom(IPAddress.Parse("127.0.0.23"));
        await new EventSources.EventSourcesClient(other).ListEventSourcesAsync(new ListEventSourcesRequest());
    }

    [Fact]
    public async Task ConsentCallback_IsLimitedPerAddress_With429RetryAfterAndAPageThatSaysNothingElse()
    {
        using var client = ConsentClient("127.0.0.24");
        var allowed = await client.GetAsync(ConsentPath());
        Assert.Equal(HttpStatusCode.BadRequest, allowed.StatusCode);
        await client.GetAsync(ConsentPath());
        await client.GetAsync(ConsentPath());

        var refused = await client.GetAsync(ConsentPath());
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Assert.Equal("text/html", refused.Content.Headers.ContentType?.MediaType);
        var page = await refused.Content.ReadAsStringAsync();
        Assert.Contains("Too many requests", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("tenant", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", page, StringComparison.OrdinalIgnoreCase);
        foreach (var header in new[] { "Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options" })
        {
            Assert.Equal(allowed.Headers.GetValues(header), refused.Headers.GetValues(header));
        }

        // Another address has its own count; an X-Forwarded-For from an address that is not a trusted proxy is ignored.
        using var other = ConsentClient("127.0.0.25");
        Assert.Equal(HttpStatusCode.BadRequest, (await other.GetAsync(ConsentPath())).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.SendAsync(Forwarded("198.51.100.40"))).StatusCode);
    }

    [Fact]
    public async Task ConsentCallback_BehindATrustedProxy_CountsTheForwardedAddress()
    {
        using var proxy = ConsentClient(LimitsServiceFixture.TrustedProxy.ToString());
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await proxy.SendAsync(Forwarded("198.51.100.7"))).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await proxy.SendAsync(Forwarded("198.51.100.7"))).StatusCode);
        // Another browser behind the same proxy, and the proxy's own requests, are counted apart.
        Assert.Equal(HttpStatusCode.BadRequest, (await proxy.SendAsync(Forwarded("198.51.100.8"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await proxy.GetAsync(ConsentPath())).StatusCode);
    }

    [Fact]
    public void Options_TheFormerStreamsPerConnectionSettingStillWorks_AndBadCombinationsAreRefused()
    {
        Assert.Equal(7, Limits(("Gateway:MaxStreamsPerConnection", "7")).StreamsPerConnection);
        Assert.Equal(9, Limits(("Gateway:MaxStreamsPerConnection", "7"), ("Gateway:Limits:StreamsPerConnection", "9")).StreamsPerConnection);
        Assert.Equal(1_000, Limits().StreamsPerConnection);
        Assert.Equal(["10.0.0.0/8", "192.0.2.1"], Limits(("Gateway:Limits:TrustedProxies:0", "10.0.0.0/8"), ("Gateway:Limits:TrustedProxies:1", "192.0.2.1")).TrustedProxies);

        Assert.Throws<OptionsValidationException>(() => Limits(("Gateway:Limits:DefaultPageSize", "30"), ("Gateway:Limits:MaxPageSize", "25")));
        Assert.Throws<OptionsValidationException>(() => Limits(("Gateway:Limits:MaxPageSize", "19")));
        Assert.Throws<OptionsValidationException>(() => Limits(("Gateway:Limits:ManagementRequests", "30"), ("Gateway:Limits:ManagementBurst", "20")));
        Assert.Throws<OptionsValidationException>(() => Limits(("Gateway:Limits:TrustedProxies:0", "proxy.example.com")));
        Assert.Throws<OptionsValidationException>(() => Limits(("Gateway:Limits:MaxRequestBytes", "100")));
        Assert.Throws<OptionsValidationException>(() => Limits(("Gateway:Limits:StreamsPerClient", "0")));
    }

    [Fact]
    public void Options_TheGatewayRunsWithTheSettings()
    {
        var kestrel = service.Gateway.Services.GetRequiredService<IOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>>().Value;
        Assert.Equal(2, kestrel.Limits.Http2.MaxStreamsPerConnection);
        var grpc = service.Gateway.Services.GetRequiredService<IOptions<Grpc.AspNetCore.Server.GrpcServiceOptions>>().Value;
        Assert.Equal(4096, grpc.MaxReceiveMessageSize);
    }

    private static GatewayLimitsOptions Limits(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
        using var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection().AddGatewayLimitsOptions(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<GatewayLimitsOptions>>().Value;
    }

    private long OpenStreams(string address) =>
        service.Gateway.Services.GetRequiredService<ClientStreamLimits>().OpenStreams("address:" + address);

    private HttpClient ConsentClient(string address) =>
        new(LimitsServiceFixture.From(IPAddress.Parse(address))) { BaseAddress = service.ConsentAddress };

    private static string ConsentPath() => ConsentEndpoint.Path;

    private static HttpRequestMessage Forwarded(string address) => new(HttpMethod.Get, ConsentPath()) { Headers = { { "X-Forwarded-For", address } } };

    /// <summary>Opens a <c>WatchEventSources</c> stream and reads until its <c>IN_SYNC</c> (the gateway then counts it as open).</summary>
    private static async Task<AsyncServerStreamingCall<EventSourceChange>> OpenWatchAsync(GrpcChannel channel, DateTime? deadline = null, CancellationToken cancellationToken = default)
    {
        var call = new EventSources.EventSourcesClient(channel).WatchEventSources(new WatchEventSourcesRequest(), deadline: deadline, cancellationToken: cancellationToken);
        try
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                if (call.ResponseStream.Current.Kind == EventSourceChange.Types.Kind.InSync)
                {
                    return call;
                }
            }

            throw new Xunit.Sdk.XunitException("WatchEventSources ended before IN_SYNC.");
        }
        catch
        {
            call.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens a stream once the gateway has noticed that an earlier one ended (the client knows before the gateway
    /// does): refused with <c>RESOURCE_EXHAUSTED</c> until then, which must not last.
    /// </summary>
    private static async Task<AsyncServerStreamingCall<EventSourceChange>> OpenEventuallyAsync(GrpcChannel channel)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (true)
        {
            try
            {
                return await OpenWatchAsync(channel);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }
}
