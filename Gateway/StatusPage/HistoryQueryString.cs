using System.Globalization;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Proto = O365Activity.Protos.V1;

namespace O365Activity.Gateway.StatusPage;

/// <summary>
/// The status API's query strings as the History service's requests. Parameters: <c>start</c> and <c>end</c> (event
/// times, RFC 3339 such as <c>2024-06-04T08:00:00Z</c>; a time without an offset is UTC), <c>page_size</c>,
/// <c>page_token</c>, <c>user</c>, <c>client_address</c>, <c>order</c> (<c>newest</c> or <c>oldest</c>), and
/// <c>results</c> (sign-ins: <c>SUCCESS</c>, <c>FAILURE</c>, <c>INTERRUPTED</c>) and <c>flagged_only</c> (sign-ins:
/// <c>true</c> or <c>false</c>) or <c>actions</c> (admin: names of
/// <c>AdminAction</c> such as <c>USER_ADDED</c>), comma-separated or repeated. The History queries check the values'
/// ranges; this class only reads them.
/// </summary>
/// <remarks>Every failure is an <see cref="RpcException"/> with <c>INVALID_ARGUMENT</c> that names the parameter.</remarks>
public static class HistoryQueryString
{
    /// <summary>A <c>ListIngress</c> request of the tenant from the query string.</summary>
    public static Proto.ListIngressRequest Ingress(string tenantId, IQueryCollection query)
    {
        Allow(query, "start", "end", "user", "results", "flagged_only", "client_address", "order", "page_size", "page_token");
        var request = new Proto.ListIngressRequest
        {
            TenantId = tenantId,
            StartTime = Time(query, "start"),
            EndTime = Time(query, "end"),
            User = Text(query, "user"),
            ClientAddress = Text(query, "client_address"),
            Order = Order(query),
            PageSize = PageSize(query),
            PageToken = Text(query, "page_token"),
            FlaggedOnly = Flag(query, "flagged_only"),
        };
        request.Results.AddRange(Enums(query, "results", Proto.ActivityReflection.Descriptor.FindTypeByName<EnumDescriptor>("SignInResult"), "SIGN_IN_RESULT_")
            .Select(n => (Proto.SignInResult)n));
        return request;
    }

    /// <summary>A <c>ListAdmin</c> request of the tenant from the query string.</summary>
    public static Proto.ListAdminRequest Admin(string tenantId, IQueryCollection query)
    {
        Allow(query, "start", "end", "user", "actions", "client_address", "order", "page_size", "page_token");
        var request = new Proto.ListAdminRequest
        {
            TenantId = tenantId,
            StartTime = Time(query, "start"),
            EndTime = Time(query, "end"),
            User = Text(query, "user"),
            ClientAddress = Text(query, "client_address"),
            Order = Order(query),
            PageSize = PageSize(query),
            PageToken = Text(query, "page_token"),
        };
        request.Actions.AddRange(Enums(query, "actions", Proto.ActivityReflection.Descriptor.FindTypeByName<EnumDescriptor>("AdminAction"), "ADMIN_ACTION_")
            .Select(n => (Proto.AdminAction)n));
        return request;
    }

    /// <summary>A <c>GetUserActivity</c> request of the tenant's user from the query string.</summary>
    public static Proto.GetUserActivityRequest User(string tenantId, string user, IQueryCollection query)
    {
        Allow(query, "start", "end", "page_size");
        return new Proto.GetUserActivityRequest
        {
            TenantId = tenantId,
            User = user,
            StartTime = Time(query, "start"),
            EndTime = Time(query, "end"),
            PageSize = PageSize(query),
        };
    }

    /// <summary>A <c>ListLocations</c> request of the tenant from the query string.</summary>
    public static Proto.ListLocationsRequest Locations(string tenantId, IQueryCollection query)
    {
        Allow(query, "start", "end");
        return new Proto.ListLocationsRequest { TenantId = tenantId, StartTime = Time(query, "start"), EndTime = Time(query, "end") };
    }

    private static void Allow(IQueryCollection query, params string[] names)
    {
        foreach (var key in query.Keys)
        {
            if (!names.Contains(key, StringComparer.Ordinal))
            {
                throw Invalid($"unknown query parameter '{Shorten(key)}'; this route takes {string.Join(", ", names)}.");
            }
        }
    }

    private static string Text(IQueryCollection query, string name)
    {
        var values = query[name];
        return values.Count switch
        {
            0 => "",
            1 => values[0] ?? "",
            _ => throw Invalid($"{name}: give it once, not {values.Count} times."),
        };
    }

    private static Timestamp? Time(IQueryCollection query, string name)
    {
        var text = Text(query, name).Trim();
        if (text.Length == 0)
        {
            return null;
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            throw Invalid($"{name}: '{Shorten(text)}' is not a time; use RFC 3339, for example 2024-06-04T08:00:00Z.");
        }

        return Timestamp.FromDateTimeOffset(time);
    }

    private static int PageSize(IQueryCollection query)
    {
        var text = Text(query, "page_size").Trim();
        if (text.Length == 0)
        {
            return 0;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var size)
            ? size
            : throw Invalid($"page_size: '{Shorten(text)}' is not a whole number (0 or none: the default page size).");
    }

    private static bool Flag(IQueryCollection query, string name) => Text(query, name).Trim().ToLowerInvariant() switch
    {
        "" or "false" or "0" => false,
        "true" or "1" => true,
        var other => throw Invalid($"{name}: '{Shorten(other)}' is not true or false."),
    };

    private static Proto.SortOrder Order(IQueryCollection query) => Text(query, "order").Trim().ToLowerInvariant() switch
    {
        "" or "newest" or "newest_first" => Proto.SortOrder.NewestFirst,
        "oldest" or "oldest_first" => Proto.SortOrder.OldestFirst,
        var other => throw Invalid($"order: '{Shorten(other)}' is not an order; use newest or oldest."),
    };

    /// <summary>The values of an enum parameter, by value name with or without the enum's prefix, any letter case.</summary>
    private static IEnumerable<int> Enums(IQueryCollection query, string name, EnumDescriptor type, string prefix)
    {
        var numbers = new List<int>();
        foreach (var part in query[name].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            var upper = part.ToUpperInvariant();
            var value = type.FindValueByName(upper.StartsWith(prefix, StringComparison.Ordinal) ? upper : prefix + upper)
                ?? throw Invalid($"{name}: '{Shorten(part)}' is not one of {string.Join(", ", type.Values.Select(v => v.Name[prefix.Length..]).Where(v => v != "UNSPECIFIED"))}.");
            numbers.Add(value.Number);
        }

        return numbers;
    }

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));

    private static string Shorten(string value) => value.Length <= 60 ? value : value[..60] + "…";
}
