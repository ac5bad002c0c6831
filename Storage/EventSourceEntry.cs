namespace O365Activity.Storage;

/// <summary>An event source as the store's registry holds it (table <c>event_sources</c>).</summary>
/// <param name="TenantId">The tenant id (one source per tenant).</param>
/// <param name="SourceId">The source's incarnation: new each time a source is created for the tenant.</param>
/// <param name="DisplayName">Its display name.</param>
/// <param name="CreatedAt">When it was created (UTC).</param>
/// <param name="LastSequence">The last sequence stored (0 before the first record).</param>
/// <param name="HostSilo">The silo the source's grain last activated on (<c>SiloAddress.ToParsableString()</c>); null before the first activation.</param>
public sealed record EventSourceEntry(Guid TenantId, Guid SourceId, string DisplayName, DateTimeOffset CreatedAt, long LastSequence = 0, string? HostSilo = null);
