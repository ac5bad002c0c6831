namespace O365Activity.Storage.History;

/// <summary>
/// History queries over a source's stored ingress and admin events: pages of events by filter, sign-ins by location,
/// and one user's summary. Implemented by both event stores; <see cref="Postgres.PostgresEventStore"/> answers from the
/// indexes of migration 5.
/// </summary>
/// <remarks>Every method may throw <see cref="System.Data.Common.DbException"/> (or another I/O exception) when the database cannot be reached.</remarks>
public interface IActivityHistory
{
    /// <summary>The most users a <see cref="LocationCount"/> lists.</summary>
    const int LocationUserLimit = 20;

    /// <summary>The most distinct values a <see cref="UserSummary"/> list holds (the most recently seen).</summary>
    const int SummaryLimit = 100;

    /// <summary>One page of the source's events matching the query, in its order.</summary>
    Task<IReadOnlyList<StoredEvent>> QueryAsync(Guid sourceId, ActivityQuery query, CancellationToken cancellationToken);

    /// <summary>The source's sign-ins with event times in [<paramref name="start"/>, <paramref name="end"/>) by location (null bounds: open).</summary>
    Task<LocationSummary> CountLocationsAsync(Guid sourceId, DateTimeOffset? start, DateTimeOffset? end, CancellationToken cancellationToken);

    /// <summary>Where and with what the user (in <see cref="ActivityFacts.UserKey"/> form) signed in, over [<paramref name="start"/>, <paramref name="end"/>).</summary>
    Task<UserSummary> SummarizeUserAsync(Guid sourceId, string user, DateTimeOffset? start, DateTimeOffset? end, CancellationToken cancellationToken);
}
