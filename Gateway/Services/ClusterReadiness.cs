namespace O365Activity.Gateway.Services;

/// <summary>
/// Whether the gateway's Orleans client has connected to the cluster. The gateway listens while the client is still
/// connecting (so that callers get an answer); until then every call fails with <c>UNAVAILABLE</c>.
/// </summary>
public sealed class ClusterReadiness
{
    private volatile bool _ready;

    /// <summary>Creates the readiness flag, set once the host has started (the Orleans client's start is connecting it).</summary>
    /// <param name="lifetime">The host's lifetime; <see cref="IHostApplicationLifetime.ApplicationStarted"/> follows every hosted service's start, the Orleans client's included.</param>
    /// <param name="ready">True when the client was connected already (a test cluster's client).</param>
    public ClusterReadiness(IHostApplicationLifetime lifetime, bool ready = false)
    {
        _ready = ready;
        lifetime.ApplicationStarted.Register(() => _ready = true);
    }

    /// <summary>True once the Orleans client is connected.</summary>
    public bool IsReady => _ready;
}
