namespace O365Activity.Hosting;

/// <summary>Which variant of the cluster composition a process uses (setting <c>Cluster:Mode</c>).</summary>
public enum ClusterMode
{
    /// <summary>
    /// Production: ADO.NET clustering, grain storage, reminders and stream pub-sub on PostgreSQL, and the PostgreSQL
    /// event store (setting <c>Storage:ConnectionString</c>). Any number of silos and gateways.
    /// </summary>
    PostgreSql = 0,

    /// <summary>
    /// Everything in memory: localhost clustering, memory grain storage and reminders, the in-memory event store. One
    /// silo, and a gateway in the same process (the store is that process's memory); nothing survives a restart.
    /// </summary>
    Local = 1,
}
