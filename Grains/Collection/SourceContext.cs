using O365Activity.Storage;

namespace O365Activity.Grains.Collection;

/// <summary>
/// What the collection pipeline knows of one source while it collects: who it is and how far its stored progress
/// goes (the last sequence and the cursors, as in the event store). The tenant grain owns it; the pipeline moves it
/// forward after each commit.
/// </summary>
public sealed class SourceContext
{
    private readonly Dictionary<string, ContentCursor> _cursors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _saved = new(StringComparer.Ordinal);

    /// <summary>Creates a context with nothing stored yet.</summary>
    /// <param name="tenantId">The tenant id.</param>
    /// <param name="sourceId">The source's incarnation.</param>
    /// <param name="federatedDomains">The tenant's federated domains (sign-ins of their users have unreliable locations).</param>
    public SourceContext(Guid tenantId, Guid sourceId, ImmutableArray<string> federatedDomains)
    {
        TenantId = tenantId;
        SourceId = sourceId;
        FederatedDomains = federatedDomains;
    }

    /// <summary>The tenant id.</summary>
    public Guid TenantId { get; }

    /// <summary>The source's incarnation.</summary>
    public Guid SourceId { get; }

    /// <summary>The tenant's federated domains (changed by an update of the source's settings).</summary>
    public ImmutableArray<string> FederatedDomains { get; set; }

    /// <summary>The last sequence stored.</summary>
    public long LastSequence { get; set; }

    /// <summary>The content types' cursors as stored.</summary>
    public IReadOnlyDictionary<string, ContentCursor> Cursors => _cursors;

    /// <summary>Creates the context from the stored progress.</summary>
    public static SourceContext From(Guid tenantId, Guid sourceId, ImmutableArray<string> federatedDomains, SourceProgress progress)
    {
        var context = new SourceContext(tenantId, sourceId, federatedDomains) { LastSequence = progress.LastSequence };
        foreach (var cursor in progress.Cursors)
        {
            context._cursors[cursor.ContentType] = cursor;
            context._saved[cursor.ContentType] = cursor.PolledAt ?? DateTimeOffset.MinValue;
        }

        return context;
    }

    /// <summary>The cursor of a content type; null before its first listing.</summary>
    public ContentCursor? Cursor(string contentType) => _cursors.GetValueOrDefault(contentType);

    /// <summary>Records a cursor: one the store committed at <paramref name="savedAt"/>, or (null) one kept in memory only.</summary>
    public void SetCursor(ContentCursor cursor, DateTimeOffset? savedAt)
    {
        _cursors[cursor.ContentType] = cursor;
        if (savedAt is { } at)
        {
            _saved[cursor.ContentType] = at;
        }
    }

    /// <summary>True when the content type's cursor was stored less than <paramref name="interval"/> before <paramref name="now"/>.</summary>
    public bool CursorSavedWithin(string contentType, DateTimeOffset now, TimeSpan interval) =>
        _saved.TryGetValue(contentType, out var at) && now - at < interval;
}
