using System.Text.RegularExpressions;
using Google.Protobuf;
using O365Activity.Emulator;
using O365Activity.Protos.V1;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.EndToEnd;

/// <summary>
/// A credential the token endpoint refuses (case AU5), and the secrets and tokens of a whole run kept out of the logs
/// and of everything a client is answered.
/// </summary>
[Collection(SecondServiceCollection.Name)]
public sealed partial class OperatorSafetyTests(SecondServiceFixture service)
{
    private const string Aad = "Audit.AzureActiveDirectory";

    private EventSources.EventSourcesClient Sources => new(service.Channel);

    [Fact]
    public async Task WrongClientSecret_ShowsInvalidClient_BacksOff_AndOtherTenantsKeepCollecting()
    {
        Guid broken = Guid.NewGuid(), healthy = Guid.NewGuid();
        await TestSources.CreateConnectedAsync(Sources, broken, unfiltered: true, Aad);
        await TestSources.CreateConnectedAsync(Sources, healthy, unfiltered: true, Aad);

        // The broken tenant's source now names a credential whose secret the token endpoint refuses.
        await Sources.UpdateEventSourceAsync(new UpdateEventSourceRequest { TenantId = broken.ToString(), Credential = "wrong" });
        var failed = await WaitAsync(broken, s => s.State == ConnectionState.Failed);
        var since = DateTimeOffset.UtcNow;
        var window = TimeSpan.FromSeconds(10);
        service.Emulator.State.AddBlob(healthy, [TestRecords.SignIn(1)], new BlobOptions { ContentType = Aad });
        await Task.Delay(window);

        Assert.Equal(ConnectionState.Failed, failed.State);
        Assert.Contains("invalid_client", failed.StatusReason, StringComparison.Ordinal);
        Assert.Contains("AADSTS7000215", failed.StatusReason, StringComparison.Ordinal);
        var status = Assert.Single(failed.ContentTypeStatus);
        Assert.True(status.NeedsAttention);
        Assert.Equal("invalid_client", status.LastErrorCode);
        // Polled every 0.3 s, a tight loop would ask ~33 times in 10 s; retried every AttentionRetryInterval (4 s here,
        // an hour by default), it asks at most 3 or 4 times.
        var attempts = service.Emulator.State.Requests.Count(r => r.Kind == RequestKind.Token && r.TenantId == broken && r.Time >= since);
        Assert.InRange(attempts, 1, 4);
        Assert.Equal(1, (await Sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = healthy.ToString() })).LastSequence);

        // Fixed: back to the default credential, and it recovers on its own.
        await Sources.UpdateEventSourceAsync(new UpdateEventSourceRequest { TenantId = broken.ToString(), Credential = "default" });
        var recovered = await WaitAsync(broken, s => s.State == ConnectionState.Connected);
        Assert.Equal(ConnectionState.Connected, recovered.State);
    }

    [Fact]
    public async Task RevokedConsent_TurnsFailedWithTheReason_AndHealsOnceConsentIsGivenAgain()
    {
        // Entra answers a revoked consent, and an application deleted from the tenant, with AADSTS700016; tokens here
        // live 4 minutes, so the next poll's token request meets it.
        var tenant = Guid.NewGuid();
        await TestSources.CreateConnectedAsync(Sources, tenant, unfiltered: true, Aad);
        await WaitAsync(tenant, s => s.State == ConnectionState.Connected);

        service.Emulator.State.RevokeConsent(tenant);
        var failed = await WaitAsync(tenant, s => s.State == ConnectionState.Failed);

        Assert.Equal(ConnectionState.Failed, failed.State);
        Assert.Contains("AADSTS700016", failed.StatusReason, StringComparison.Ordinal);
        Assert.True(Assert.Single(failed.ContentTypeStatus).NeedsAttention);

        service.Emulator.State.GrantConsent(tenant);
        service.Emulator.State.AddBlob(tenant, [TestRecords.SignIn(1)], new BlobOptions { ContentType = Aad });
        var healed = await WaitAsync(tenant, s => s.State == ConnectionState.Connected && s.LastSequence == 1);
        Assert.Equal(ConnectionState.Connected, healed.State);
        Assert.Equal(1, healed.LastSequence);
    }

    [Fact]
    public async Task ShortLivedTokens_AreRenewedBeforeTheyExpire_SoNoApiCallIsRefused()
    {
        var tenant = Guid.NewGuid();
        await TestSources.CreateConnectedAsync(Sources, tenant, unfiltered: true, Aad);
        for (var i = 1; i <= 3; i++)
        {
            service.Emulator.State.AddBlob(tenant, [TestRecords.SignIn(i)], new BlobOptions { ContentType = Aad });
            await TestSources.WaitForSequenceAsync(Sources, tenant, i, TimeSpan.FromSeconds(20));
        }

        var requests = service.Emulator.State.Requests.Where(r => r.TenantId == tenant).ToList();
        Assert.True(requests.Count(r => r.Kind == RequestKind.Token && r.StatusCode == 200) >= 2, "tokens within MSAL's renewal margin are renewed");
        Assert.DoesNotContain(requests, r => r.StatusCode == 401);
    }

    [Fact]
    public async Task AWholeRun_NeverShowsASecretOrAToken_InTheLogsOrInAnyAnswer()
    {
        var answers = new List<IMessage>();
        Guid connected = Guid.NewGuid(), broken = Guid.NewGuid(), refused = Guid.NewGuid();
        await TestSources.CreateConnectedAsync(Sources, connected, unfiltered: true, Aad);
        service.Emulator.State.AddBlob(connected, [TestRecords.SignIn(1), TestRecords.AdminChange(2)], new BlobOptions { ContentType = Aad });
        await TestSources.WaitForSequenceAsync(Sources, connected, 2, TimeSpan.FromSeconds(20));
        await TestSources.CreateConnectedAsync(Sources, broken, unfiltered: true, Aad);
        answers.Add(await Sources.UpdateEventSourceAsync(new UpdateEventSourceRequest { TenantId = broken.ToString(), Credential = "wrong" }));
        answers.Add(await WaitAsync(broken, s => s.State == ConnectionState.Failed));
        service.Emulator.State.SetConsentFailure(refused, ConsentFailure.AdminApprovalRequired);
        var pending = await Sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = refused.ToString() });
        using (var browser = new HttpClient())
        {
            var page = await browser.GetStringAsync(pending.AdminConsentUrl);
            Assert.DoesNotMatch(Jwt(), page);
        }

        using (var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        using (var call = Sources.WatchEventSources(new WatchEventSourcesRequest(), cancellationToken: cancel.Token))
        {
            while (await call.ResponseStream.MoveNext(cancel.Token) && call.ResponseStream.Current.Kind != EventSourceChange.Types.Kind.InSync)
            {
                answers.Add(call.ResponseStream.Current);
            }
        }

        answers.Add(await Sources.ListEventSourcesAsync(new ListEventSourcesRequest()));
        foreach (var tenant in new[] { connected, broken, refused })
        {
            answers.Add(await Sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant.ToString() }));
        }

        var activity = new Activity.ActivityClient(service.Channel);
        using (var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        using (var call = activity.StreamRaw(new StreamRequest { TenantId = connected.ToString(), AfterSequence = 0 }, cancellationToken: cancel.Token))
        {
            for (var i = 0; i < 2 && await call.ResponseStream.MoveNext(cancel.Token); i++)
            {
                answers.Add(call.ResponseStream.Current);
            }
        }

        var logs = service.Logs!.Lines.ToList();
        Assert.NotEmpty(logs);
        Assert.Contains(logs, l => l.Contains("invalid_client", StringComparison.Ordinal));
        var texts = logs.Concat(answers.Select(a => a.ToString() ?? "")).ToList();
        foreach (var secret in new[] { ServiceFixture.ClientSecret, SecondServiceFixture.WrongSecret })
        {
            Assert.DoesNotContain(texts, t => t.Contains(secret, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(texts, t => Jwt().IsMatch(t));
    }

    private Task<EventSource> WaitAsync(Guid tenant, Func<EventSource, bool> condition) => TestSources.WaitForStatusAsync(Sources, tenant, condition);

    /// <summary>A JSON Web Token (an access token or a client assertion): base64url header starting <c>{"</c>, then payload and signature.</summary>
    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")]
    private static partial Regex Jwt();
}
