using Microsoft.Extensions.Options;
using O365Activity.Storage;

namespace O365Activity.Gateway.Feeds;

/// <summary>
/// The gateway's <see cref="TenantFeed"/>s, one per tenant with open streams, shared by those streams and disposed
/// (unsubscribed) when the last one ends. Thread-safe.
/// </summary>
public sealed class TenantFeeds(IClusterClient cluster, IEventStore store, IOptions<GatewayOptions> options, ILogger<TenantFeed> logger)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, (TenantFeed Feed, Task Started)> _feeds = [];

    /// <summary>How many tenants have a feed (one Orleans subscription each).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _feeds.Count;
            }
        }
    }

    /// <summary>Takes a reference to the feed of the tenant's source <paramref name="sourceId"/>, starting it if needed.</summary>
    /// <returns>The feed; release it with <see cref="ReleaseAsync"/>.</returns>
    public async Task<TenantFeed> AcquireAsync(Guid tenantId, Guid sourceId, CancellationToken cancellationToken)
    {
        (TenantFeed Feed, Task Started) entry;
        lock (_lock)
        {
            if (!_feeds.TryGetValue(tenantId, out entry) || entry.Feed.SourceId != sourceId || entry.Feed.Ended is not null || entry.Started.IsFaulted)
            {
                // A feed of an older source stays with its own streams (which it ends) until they release it.
                var feed = new TenantFeed(tenantId, sourceId, store, options.Value, logger);
                entry = (feed, feed.StartAsync(cluster, CancellationToken.None));
                _feeds[tenantId] = entry;
            }

            entry.Feed.References++;
        }

        try
        {
            await entry.Started.WaitAsync(cancellationToken);
            return entry.Feed;
        }
        catch
        {
            await ReleaseAsync(entry.Feed);
            throw;
        }
    }

    /// <summary>Gives back a reference; the last one disposes the feed.</summary>
    public async Task ReleaseAsync(TenantFeed feed)
    {
        lock (_lock)
        {
            if (--feed.References > 0)
            {
                return;
            }

            if (_feeds.TryGetValue(feed.TenantId, out var entry) && entry.Feed == feed)
            {
                _feeds.Remove(feed.TenantId);
            }
        }

        await feed.DisposeAsync();
    }
}
