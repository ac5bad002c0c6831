using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using O365Activity.Grains.Collection;

namespace O365Activity.Tests.Collection;

/// <summary>
/// An in-memory <see cref="IManagementActivityApi"/> for pipeline tests: blobs with their records, listed by
/// <c>contentCreated</c> like the API, and failures to inject per blob.
/// </summary>
internal sealed class FakeManagementApi : IManagementActivityApi
{
    private readonly List<(ContentBlob Blob, string[] Records)> _blobs = [];
    private readonly Dictionary<string, Queue<(int AfterRecords, ManagementApiException Error)>> _failures = new(StringComparer.Ordinal);

    /// <summary>How often each blob was fetched (started).</summary>
    public Dictionary<string, int> Fetches { get; } = new(StringComparer.Ordinal);

    /// <summary>Adds a blob of the content type created at <paramref name="created"/>.</summary>
    public string AddBlob(string contentType, DateTimeOffset created, params string[] records)
    {
        var id = $"blob-{_blobs.Count + 1:D4}";
        _blobs.Add((new ContentBlob
        {
            ContentType = contentType,
            ContentId = id,
            ContentUri = $"https://manage.office.com/api/v1.0/t/activity/feed/audit/{id}",
            ContentCreated = created,
            ContentExpiration = created.AddDays(7),
        }, records));
        return id;
    }

    /// <summary>The next fetch of <paramref name="contentId"/> yields <paramref name="afterRecords"/> records, then fails.</summary>
    public void FailNextFetch(string contentId, int afterRecords, string? code = null, HttpStatusCode status = HttpStatusCode.InternalServerError)
    {
        if (!_failures.TryGetValue(contentId, out var queue))
        {
            _failures[contentId] = queue = new();
        }

        queue.Enqueue((afterRecords, new ManagementApiException(status, code, $"{code ?? "no code"} injected")));
    }

    public Task<IReadOnlyList<SubscriptionInfo>> ListSubscriptionsAsync(Guid tenantId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SubscriptionInfo>>([]);

    public Task StartSubscriptionAsync(Guid tenantId, string contentType, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyList<ContentBlob>> ListContentAsync(Guid tenantId, string contentType, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ContentBlob>>([.. _blobs.Select(b => b.Blob).Where(b => b.ContentType == contentType && b.ContentCreated >= start && b.ContentCreated < end)]);

    public async IAsyncEnumerable<JsonElement> FetchContentAsync(Guid tenantId, ContentBlob blob, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Fetches[blob.ContentId] = Fetches.GetValueOrDefault(blob.ContentId) + 1;
        var failure = _failures.TryGetValue(blob.ContentId, out var queue) && queue.Count > 0 ? queue.Dequeue() : ((int AfterRecords, ManagementApiException Error)?)null;
        var records = _blobs.Single(b => b.Blob.ContentId == blob.ContentId).Records;
        for (var i = 0; i < records.Length; i++)
        {
            if (failure is { } f && i == f.AfterRecords)
            {
                throw f.Error;
            }

            await Task.Yield();
            using var document = JsonDocument.Parse(records[i]);
            yield return document.RootElement.Clone();
        }

        if (failure is { } last && last.AfterRecords >= records.Length)
        {
            throw last.Error;
        }
    }
}
