using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;
using Grpc.Core;
using Microsoft.Extensions.Options;
using O365Activity.Gateway.Limits;
using O365Activity.Storage;
using O365Activity.Storage.History;
using O365Activity.Storage.Wire;
using Proto = O365Activity.Protos.V1;

namespace O365Activity.Gateway.Services;

/// <summary>
/// The history queries behind the <c>History</c> gRPC service and the status page: checks a request, finds the tenant's
/// current event source, asks the store (<see cref="IActivityHistory"/>) and turns what it gives into the response
/// messages. Pages are in sequence order; a page token carries the last sequence given and a fingerprint of the
/// filters, so a token used with other filters is refused rather than giving a page of another list.
/// </summary>
/// <remarks>
/// Every method throws <see cref="RpcException"/>: <c>INVALID_ARGUMENT</c> for a bad request (the message names the
/// field), <c>NOT_FOUND</c> when the tenant has no event source. A store that cannot be reached throws its own
/// exception, which <see cref="ErrorMappingInterceptor"/> maps to <c>UNAVAILABLE</c>.
/// </remarks>
public sealed class HistoryQueries(IEventStore store, IActivityHistory history, IOptions<GatewayLimitsOptions> limits)
{
    /// <summary>The longest user name a request may give, in characters.</summary>
    public const int MaxUserLength = 1_024;

    /// <summary><c>ListIngress</c>: one page of the tenant's sign-ins.</summary>
    public async Task<Proto.ListIngressResponse> ListIngressAsync(Proto.ListIngressRequest request, CancellationToken cancellationToken)
    {
        var tenantId = TenantIds.Parse(request.TenantId);
        // Not the user filter: a user name comes from the tenant's records, which may hold any character, and a user whose
        // name has one must stay findable (its errors never repeat it).
        RequestText.Check(request.ClientAddress, "client_address");
        RequestText.Check(request.PageToken, "page_token");
        var (start, end) = TimeRange(request.StartTime, request.EndTime);
        var results = request.Results.Select(r => Enum.IsDefined(r) ? (short)r : throw Invalid($"results: {(int)r} is not a SignInResult.")).Distinct().Order().ToArray();
        var query = new ActivityQuery(
            EventKind.Ingress, start, end, User(request.User, required: false), UserRole.Any, results, [], Network(request.ClientAddress),
            NewestFirst(request.Order), null, PageSize(request.PageSize), request.FlaggedOnly);
        var (events, next) = await PageAsync(tenantId, query, request.PageToken, cancellationToken);
        var response = new Proto.ListIngressResponse { NextPageToken = next };
        response.Events.AddRange(events.Select(EventWireFormat.ToIngressEvent));
        return response;
    }

    /// <summary><c>ListAdmin</c>: one page of the tenant's admin changes.</summary>
    public async Task<Proto.ListAdminResponse> ListAdminAsync(Proto.ListAdminRequest request, CancellationToken cancellationToken)
    {
        var tenantId = TenantIds.Parse(request.TenantId);
        // Not the user filter: a user name comes from the tenant's records, which may hold any character, and a user whose
        // name has one must stay findable (its errors never repeat it).
        RequestText.Check(request.ClientAddress, "client_address");
        RequestText.Check(request.PageToken, "page_token");
        var (start, end) = TimeRange(request.StartTime, request.EndTime);
        var actions = request.Actions.Select(a => Enum.IsDefined(a) ? (short)a : throw Invalid($"actions: {(int)a} is not an AdminAction.")).Distinct().Order().ToArray();
        var query = new ActivityQuery(
            EventKind.Admin, start, end, User(request.User, required: false), UserRole.Any, [], actions, Network(request.ClientAddress),
            NewestFirst(request.Order), null, PageSize(request.PageSize));
        var (events, next) = await PageAsync(tenantId, query, request.PageToken, cancellationToken);
        var response = new Proto.ListAdminResponse { NextPageToken = next };
        response.Events.AddRange(events.Select(EventWireFormat.ToAdminEvent));
        return response;
    }

    /// <summary><c>GetUserActivity</c>: one user's newest sign-ins and admin changes (made and received), and their summaries.</summary>
    public async Task<Proto.UserActivity> GetUserActivityAsync(Proto.GetUserActivityRequest request, CancellationToken cancellationToken)
    {
        var tenantId = TenantIds.Parse(request.TenantId);
        var (start, end) = TimeRange(request.StartTime, request.EndTime);
        var user = User(request.User, required: true)!;
        var limit = PageSize(request.PageSize);
        var sourceId = await SourceIdAsync(tenantId, cancellationToken);
        ActivityQuery Query(EventKind kind, UserRole role) => new(kind, start, end, user, role, [], [], null, NewestFirst: true, null, limit);

        var signIns = await history.QueryAsync(sourceId, Query(EventKind.Ingress, UserRole.Any), cancellationToken);
        var made = await history.QueryAsync(sourceId, Query(EventKind.Admin, UserRole.Actor), cancellationToken);
        var received = await history.QueryAsync(sourceId, Query(EventKind.Admin, UserRole.Target), cancellationToken);
        var summary = await history.SummarizeUserAsync(sourceId, user, start, end, cancellationToken);
        var response = new Proto.UserActivity
        {
            TenantId = tenantId.ToString(),
            User = request.User.Trim(),
            SignInCount = summary.SignIns,
            FailureCount = summary.Failures,
        };
        response.SignIns.AddRange(signIns.Select(EventWireFormat.ToIngressEvent));
        response.ChangesMade.AddRange(made.Select(EventWireFormat.ToAdminEvent));
        response.ChangesReceived.AddRange(received.Select(EventWireFormat.ToAdminEvent));
        response.Countries.AddRange(summary.Countries.Select(Seen));
        response.Addresses.AddRange(summary.Addresses.Select(Seen));
        response.Applications.AddRange(summary.Applications.Select(Seen));
        return response;
    }

    /// <summary><c>ListLocations</c>: the tenant's sign-ins by location.</summary>
    public async Task<Proto.ListLocationsResponse> ListLocationsAsync(Proto.ListLocationsRequest request, CancellationToken cancellationToken)
    {
        var tenantId = TenantIds.Parse(request.TenantId);
        var (start, end) = TimeRange(request.StartTime, request.EndTime);
        var sourceId = await SourceIdAsync(tenantId, cancellationToken);
        var summary = await history.CountLocationsAsync(sourceId, start, end, cancellationToken);
        var response = new Proto.ListLocationsResponse { UnreliableSignIns = summary.Unreliable, UnlocatedSignIns = summary.Unlocated };
        foreach (var count in summary.Locations)
        {
            var item = new Proto.LocationCount
            {
                Location = ActivityMessages.Location(count.Location),
                Successes = count.Successes,
                Failures = count.Failures,
                Interrupted = count.Interrupted,
                UserCount = count.UserCount,
            };
            item.Users.AddRange(count.Users);
            response.Locations.Add(item);
        }

        return response;
    }

    private async Task<(IReadOnlyList<StoredEvent> Events, string NextPageToken)> PageAsync(Guid tenantId, ActivityQuery query, string pageToken, CancellationToken cancellationToken)
    {
        var fingerprint = Fingerprint(tenantId, query);
        var after = ReadPageToken(pageToken, fingerprint);
        var sourceId = await SourceIdAsync(tenantId, cancellationToken);

        // One more than the page, to know whether another page follows.
        var events = await history.QueryAsync(sourceId, query with { After = after, Limit = query.Limit + 1 }, cancellationToken);
        if (events.Count <= query.Limit)
        {
            return (events, "");
        }

        var page = events.Take(query.Limit).ToList();
        return (page, PageToken(page[^1].Sequence, fingerprint));
    }

    private async Task<Guid> SourceIdAsync(Guid tenantId, CancellationToken cancellationToken) =>
        (await store.GetSourceAsync(tenantId, cancellationToken))?.SourceId
        ?? throw new RpcException(new Status(StatusCode.NotFound, $"Tenant {tenantId} has no event source."));

    /// <summary>A page token: "1." (its version), the last sequence given, ".", and the filters' fingerprint, in URL-safe base64.</summary>
    private static string PageToken(long sequence, string fingerprint) =>
        Base64Url(Encoding.ASCII.GetBytes($"1.{sequence.ToString(CultureInfo.InvariantCulture)}.{fingerprint}"));

    private static long? ReadPageToken(string token, string fingerprint)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        string text;
        try
        {
            text = Encoding.ASCII.GetString(Convert.FromBase64String(token.Replace('-', '+').Replace('_', '/') + new string('=', (4 - (token.Length % 4)) % 4)));
        }
        catch (FormatException)
        {
            throw Invalid("page_token is not a page token of this service: pass next_page_token exactly as received.");
        }

        var parts = text.Split('.');
        if (parts is not ["1", var sequence, var print] || !long.TryParse(sequence, NumberStyles.None, CultureInfo.InvariantCulture, out var after))
        {
            throw Invalid("page_token is not a page token of this service: pass next_page_token exactly as received.");
        }

        return print == fingerprint
            ? after
            : throw Invalid("page_token was issued for other filters (tenant, time range, user, results, actions, client_address, flagged_only, order or page_size): repeat the first request's filters, or start again without a page token.");
    }

    private static string Fingerprint(Guid tenantId, ActivityQuery query)
    {
        var text = string.Join(
            '\n',
            tenantId,
            query.Kind,
            query.Start?.UtcTicks,
            query.End?.UtcTicks,
            query.User,
            string.Join(',', query.Results),
            string.Join(',', query.Actions),
            query.Network?.ToString(),
            query.NewestFirst,
            query.Limit,
            query.FlaggedOnly);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 8));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private int PageSize(int pageSize) => PageSize(pageSize, limits.Value);

    /// <summary>
    /// The page size a request's <c>page_size</c> asks for: 0 is <see cref="GatewayLimitsOptions.DefaultPageSize"/>;
    /// <c>INVALID_ARGUMENT</c>, naming the maximum and its setting, when negative or above
    /// <see cref="GatewayLimitsOptions.MaxPageSize"/>.
    /// </summary>
    internal static int PageSize(int pageSize, GatewayLimitsOptions limits) => pageSize switch
    {
        0 => limits.DefaultPageSize,
        >= 1 when pageSize <= limits.MaxPageSize => pageSize,
        _ => throw Invalid($"page_size must be 1 to {limits.MaxPageSize:N0}, the most this gateway allows (setting Gateway:Limits:MaxPageSize); 0 means {limits.DefaultPageSize:N0}. Got {pageSize}."),
    };

    private static bool NewestFirst(Proto.SortOrder order) => order switch
    {
        Proto.SortOrder.NewestFirst => true,
        Proto.SortOrder.OldestFirst => false,
        _ => throw Invalid($"order: {(int)order} is not a SortOrder."),
    };

    private static (DateTimeOffset? Start, DateTimeOffset? End) TimeRange(Timestamp? start, Timestamp? end)
    {
        var from = Time(start, "start_time");
        var to = Time(end, "end_time");
        return from is { } f && to is { } t && t <= f
            ? throw Invalid($"end_time ({t:O}) must be after start_time ({f:O}).")
            : (from, to);
    }

    private static DateTimeOffset? Time(Timestamp? time, string field)
    {
        if (time is null)
        {
            return null;
        }

        // google.protobuf.Timestamp's valid range: 0001-01-01 to 9999-12-31 UTC, nanos 0 to 999,999,999.
        return time.Seconds is >= -62_135_596_800 and <= 253_402_300_799 && time.Nanos is >= 0 and <= 999_999_999
            ? time.ToDateTimeOffset()
            : throw Invalid($"{field} is not a valid time (seconds {time.Seconds}, nanos {time.Nanos}).");
    }

    private static string? User(string? user, bool required)
    {
        if (user is { Length: > MaxUserLength })
        {
            throw Invalid($"user is longer than {MaxUserLength:N0} characters.");
        }

        return ActivityFacts.UserKey(user) ?? (required ? throw Invalid("user is required: a user principal name or object id.") : null);
    }

    /// <summary>
    /// An IP address (as its /32 or /128) or a network in CIDR form; null for an empty text. An IPv4 address written
    /// mapped into IPv6 (<c>::ffff:192.0.2.17</c>) is the IPv4 address, as the normalizer stores it.
    /// </summary>
    internal static IPNetwork? Network(string? text)
    {
        var value = text?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (!value.Contains('/', StringComparison.Ordinal))
        {
            return IPAddress.TryParse(value, out var address) && (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork || address.ScopeId == 0)
                ? address.IsIPv4MappedToIPv6 ? new IPNetwork(address.MapToIPv4(), 32) : new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
                : throw Invalid($"client_address '{Shorten(value)}' is neither an IP address nor a network in CIDR form (for example 203.0.113.7 or 203.0.113.0/24).");
        }

        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (IPAddress.TryParse(value[..slash], out var host)
            && (host.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork || host.ScopeId == 0)
            && int.TryParse(value[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix)
            && prefix <= (host.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128))
        {
            var network = new IPNetwork(Mask(host, prefix), prefix);
            return !network.BaseAddress.Equals(host)
                ? throw Invalid($"client_address '{Shorten(value)}' has address bits set after its /{prefix} prefix: did you mean {network}?")
                : host.IsIPv4MappedToIPv6 && prefix >= 96
                ? new IPNetwork(host.MapToIPv4(), prefix - 96)
                : network;
        }

        throw Invalid($"client_address '{Shorten(value)}' is neither an IP address nor a network in CIDR form (for example 203.0.113.7 or 203.0.113.0/24).");
    }

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (8 * i), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPAddress(bytes);
    }

    private static Proto.SeenValue Seen(SeenValue seen) => new()
    {
        Value = seen.Value,
        Label = seen.Label ?? "",
        SignIns = seen.SignIns,
        Failures = seen.Failures,
        FirstSeen = Timestamp.FromDateTimeOffset(seen.FirstSeen),
        LastSeen = Timestamp.FromDateTimeOffset(seen.LastSeen),
    };

    private static string Shorten(string value)
    {
        var clean = new string([.. value.Take(80).Select(c => char.IsControl(c) ? '?' : c)]);
        return value.Length <= 80 ? clean : clean + "…";
    }

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
