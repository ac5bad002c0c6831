using O365Activity.Protos.V1;

namespace O365Activity.Tests.Infrastructure;

/// <summary>Creating and connecting event sources through the gateway, as a client and an administrator would.</summary>
public static class TestSources
{
    /// <summary>Creates the source and follows its admin-consent URL through the emulator back to the gateway.</summary>
    public static async Task<EventSource> CreateConnectedAsync(
        EventSources.EventSourcesClient sources, Guid tenant, bool unfiltered = true, params string[] contentTypes)
    {
        var request = new CreateEventSourceRequest { TenantId = tenant.ToString(), SendUnfiltered = unfiltered };
        request.ContentTypes.AddRange(contentTypes.Length > 0 ? contentTypes : ["Audit.AzureActiveDirectory"]);
        var created = await sources.CreateEventSourceAsync(request);
        using (var browser = new HttpClient())
        {
            (await browser.GetAsync(created.AdminConsentUrl)).EnsureSuccessStatusCode();
        }

        var status = await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant.ToString() });
        Assert.Contains(status.State, (ConnectionState[])[ConnectionState.Connecting, ConnectionState.Connected]);
        Assert.NotNull(status.ConnectedAt);
        return status;
    }

    /// <summary>Waits until the source's last sequence is at least <paramref name="sequence"/>.</summary>
    public static async Task<EventSource> WaitForSequenceAsync(EventSources.EventSourcesClient sources, Guid tenant, long sequence, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        EventSource status;
        while ((status = await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant.ToString() })).LastSequence < sequence)
        {
            try
            {
                await Task.Delay(50, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new Xunit.Sdk.XunitException($"Tenant {tenant}: expected last sequence {sequence} within {timeout}, got {status.LastSequence} (error: '{status.LastError}').");
            }
        }

        return status;
    }

    /// <summary>Reads the source's status until <paramref name="condition"/> holds or 30 seconds pass; returns the last status read (the caller asserts on it).</summary>
    public static async Task<EventSource> WaitForStatusAsync(EventSources.EventSourcesClient sources, Guid tenant, Func<EventSource, bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (true)
        {
            var status = await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant.ToString() });
            if (condition(status) || DateTimeOffset.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(50);
        }
    }
}
