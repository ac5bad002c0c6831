namespace O365Activity.Contracts;

/// <summary>
/// An item of a tenant's notice stream (<see cref="ActivityStreams"/>): the tenant grain committed events of its
/// source up to <see cref="LastSequence"/>, or deleted the source. Subscribers read the events themselves from the
/// event store, and fill any gap (a lost notice) from it too.
/// </summary>
[GenerateSerializer, Immutable, Alias("o365.ActivityNotice")]
public sealed record ActivityNotice
{
    /// <summary>The tenant id.</summary>
    [Id(0)] public Guid TenantId { get; init; }

    /// <summary>The source (incarnation) the events belong to.</summary>
    [Id(1)] public Guid SourceId { get; init; }

    /// <summary>The first sequence of the batch.</summary>
    [Id(2)] public long FirstSequence { get; init; }

    /// <summary>The source's last stored sequence after the batch.</summary>
    [Id(3)] public long LastSequence { get; init; }

    /// <summary>True when the source was deleted: its streams end (gRPC <c>NOT_FOUND</c>).</summary>
    [Id(4)] public bool Deleted { get; init; }
}
