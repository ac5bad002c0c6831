namespace O365Activity.Contracts;

/// <summary>
/// An item of a tenant's notice stream (<see cref="ActivityStreams"/>): the tenant grain committed the events of its
/// source from <see cref="FirstSequence"/> to <see cref="LastSequence"/>, or deleted the source. A notice usually
/// carries those events (<see cref="Events"/>), so that a subscriber at the head needs no read of the store; the store
/// stays the truth, and subscribers fill any gap (a lost notice, a notice without its events) from it.
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

    /// <summary>
    /// The events <see cref="FirstSequence"/> to <see cref="LastSequence"/>, one per sequence; null when the notice does
    /// not carry them (a single event larger than a notice may be, or a deletion).
    /// </summary>
    [Id(5)] public EncodedEvents? Events { get; init; }
}
