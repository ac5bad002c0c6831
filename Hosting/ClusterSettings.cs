using System.ComponentModel.DataAnnotations;
using System.Net;

namespace O365Activity.Hosting;

/// <summary>How a silo or gateway joins the cluster (configuration section <c>Cluster</c>).</summary>
public sealed class ClusterSettings
{
    /// <summary>The configuration section these settings bind to.</summary>
    public const string SectionName = "Cluster";

    /// <summary>The variant (setting <c>Cluster:Mode</c>): <c>PostgreSql</c> (default) or <c>Local</c>.</summary>
    public ClusterMode Mode { get; set; } = ClusterMode.PostgreSql;

    /// <summary>
    /// The cluster id (setting <c>Cluster:ClusterId</c>, default <see cref="ClusterComposition.DefaultClusterId"/>):
    /// silos and gateways with the same id and database form one cluster. It scopes membership only; it may change
    /// between deployments (stored state is keyed by <see cref="ClusterComposition.ServiceId"/>, which never changes).
    /// </summary>
    [Required, RegularExpression("^[A-Za-z0-9._-]{1,100}$", ErrorMessage = "Cluster:ClusterId must be 1-100 letters, digits, '.', '_' or '-'.")]
    public string ClusterId { get; set; } = ClusterComposition.DefaultClusterId;

    /// <summary>The silo-to-silo port (setting <c>Cluster:SiloPort</c>, default 11111).</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>The port gateways (Orleans clients) connect to (setting <c>Cluster:GatewayPort</c>, default 30000).</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// The address this silo advertises to the others and to gateways (setting <c>Cluster:AdvertisedAddress</c>).
    /// Empty: the host's first non-loopback address (PostgreSql) or 127.0.0.1 (Local). Set it on hosts with several
    /// addresses; <c>run-local.sh</c> sets 127.0.0.1.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>
    /// <c>Local</c> mode only: the silos' gateway endpoints (setting <c>Cluster:GatewayEndpoints:0</c>, …,
    /// <c>host:port</c>; default <c>127.0.0.1:30000</c>). In <c>PostgreSql</c> mode gateways find the silos through
    /// the membership table instead.
    /// </summary>
    public string[] GatewayEndpoints { get; set; } = [];

    /// <summary>
    /// How long a stream pulling agent waits between reads of its queue (setting <c>Cluster:StreamPollPeriod</c>,
    /// default 20 ms): the floor of live notice latency, and a silo's fixed CPU (each read wakes a thread, busy or not).
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:00.001", "00:00:10")]
    public TimeSpan StreamPollPeriod { get; set; } = ClusterComposition.StreamPollPeriod;

    /// <summary>The advertised address parsed; null for the default.</summary>
    /// <exception cref="InvalidOperationException">When <see cref="AdvertisedAddress"/> is not an IP address.</exception>
    public IPAddress? ParseAdvertisedAddress() =>
        string.IsNullOrWhiteSpace(AdvertisedAddress) ? null
        : IPAddress.TryParse(AdvertisedAddress, out var address) ? address
        : throw new InvalidOperationException($"Cluster:AdvertisedAddress '{AdvertisedAddress}' is not an IP address.");
}
