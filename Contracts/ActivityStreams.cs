namespace O365Activity.Contracts;

/// <summary>
/// Names of the Orleans streams a tenant grain publishes on. Each tenant has one stream per activity kind, keyed by
/// its tenant id; items are <see cref="Activity.IngressEvent"/>, <see cref="Activity.AdminEvent"/> and
/// <see cref="Activity.RawRecord"/>.
/// </summary>
public static class ActivityStreams
{
    /// <summary>The stream provider's name; silo and gateway register it under this name.</summary>
    public const string ProviderName = "Activity";

    /// <summary>The grain storage the memory stream provider keeps its pub-sub state in.</summary>
    public const string PubSubStore = "PubSubStore";

    /// <summary>Namespace of the ingress activity streams.</summary>
    public const string Ingress = "ingress";

    /// <summary>Namespace of the admin activity streams.</summary>
    public const string Admin = "admin";

    /// <summary>Namespace of the raw record streams.</summary>
    public const string Raw = "raw";

    /// <summary>The id of a tenant's stream in namespace <paramref name="streamNamespace"/>.</summary>
    public static StreamId For(string streamNamespace, Guid tenantId) => StreamId.Create(streamNamespace, tenantId);
}
