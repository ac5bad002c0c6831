using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using O365Activity.Cli.Commands;
using O365Activity.Protos.V1;

namespace O365Activity.Cli.Terminal;

/// <summary>
/// The text forms of the API's messages: one-line summaries (<c>get</c>, <c>watch</c>, <c>tail</c>) and table rows
/// (<c>sources list</c>, <c>history</c>, <c>user</c>, <c>locations</c>). They hold values as received: the caller escapes
/// (<see cref="CommandOutput.LineAsync"/>, <see cref="Table.Add"/>).
/// </summary>
internal static class EventText
{
    /// <summary>A time as the tables show it: UTC, <c>2026-12-01 08:00:00Z</c>; "" for none.</summary>
    public static string Time(Timestamp? time) => time is null ? "" : time.ToDateTimeOffset().ToString("u", CultureInfo.InvariantCulture);

    /// <summary>A state as the API and the README name it: <c>PENDING_CONSENT</c>, <c>CONNECTED</c>, <c>DEGRADED</c>…</summary>
    public static string StateName(ConnectionState state) => ProtoNames.Short(state);

    /// <summary>A source in one line: tenant, name, state, content types, records, last sequence, and why it is not connected.</summary>
    public static string Describe(EventSource s) =>
        $"{s.TenantId} '{s.DisplayName}' {StateName(s.State)} content={string.Join(',', s.ContentTypes)} records={s.RecordsCollected} last_sequence={s.LastSequence}"
        + (s.StatusReason.Length > 0 ? $" ({s.StatusReason})" : s.LastError.Length > 0 ? $" error: {s.LastError}" : "")
        + (s.ApiClockSkew is { } skew && skew.ToTimeSpan() != TimeSpan.Zero ? $" api_clock_skew={skew.ToTimeSpan().TotalSeconds:F0}s" : "");

    /// <summary>The lines under <c>get</c>'s summary: the settings, the counters, the consent URL while it waits, then each content type's state.</summary>
    public static IEnumerable<string> Details(EventSource s)
    {
        yield return $"settings: content types {string.Join(", ", s.ContentTypes)}; unfiltered {s.SendUnfiltered}; federated domains {(s.FederatedDomains.Count == 0 ? "none" : string.Join(", ", s.FederatedDomains))}; "
            + $"poll interval {(s.PollInterval is { } pi ? pi.ToTimeSpan().ToString() : "the service's default")}; first-collection backfill {(s.InitialBackfill is { } ib ? ib.ToTimeSpan().ToString() : "the service's default")}; "
            + $"cloud {s.Cloud.ToString().ToUpperInvariant()}; credential {(s.Credential.Length == 0 ? "default" : s.Credential)} (client id {s.ClientId})";
        if (s.Counters is { } total)
        {
            yield return "collected: " + Counts(total);
        }

        static string At(Timestamp? t) => t is null ? "never" : $"{t.ToDateTimeOffset():u}";
        if (s.AdminConsentUrl.Length > 0)
        {
            var expires = s.AdminConsentUrlExpiresAt?.ToDateTimeOffset();
            yield return $"admin consent URL: {s.AdminConsentUrl}";
            yield return expires < DateTimeOffset.UtcNow
                ? $"  (expired at {expires:u}: run 'renew {s.TenantId}' for a fresh one)"
                : $"  (single use; valid until {(expires is { } e ? $"{e:u}" : "unknown")})";
        }

        foreach (var c in s.ContentTypeStatus)
        {
            var line = $"{c.ContentType}: subscribed={c.Subscribed} cursor={At(c.Cursor)} last polled={At(c.LastPolledAt)}";
            if (c.ConsecutiveFailures > 0 || c.LastError.Length > 0)
            {
                line += $" failures in a row={c.ConsecutiveFailures} last error [{c.LastErrorCode}] at {At(c.LastErrorAt)}: {c.LastError}"
                    + (c.RetryAt is { } retry ? $" (tried again at {retry.ToDateTimeOffset():u})" : "")
                    + (c.NeedsAttention ? " — needs an administrator" : "");
            }

            yield return line;
            yield return $"  newest blob={At(c.NewestBlobAt)} newest record={At(c.NewestRecordAt)} lag={(c.Lag is { } lag ? Span(lag.ToTimeSpan()) : "none yet")}";
            yield return "  " + Counts(c.Counters);
            foreach (var gap in c.DataGaps)
            {
                yield return $"  data gap (events lost): {At(gap.Start)} to {At(gap.End)}, found {At(gap.FoundAt)}";
            }
        }
    }

    /// <summary>The settings line of <c>update</c>.</summary>
    public static string Settings(EventSource updated) =>
        $"content types: {string.Join(", ", updated.ContentTypes)}; unfiltered: {updated.SendUnfiltered}; federated domains: {(updated.FederatedDomains.Count == 0 ? "none" : string.Join(", ", updated.FederatedDomains))}; "
        + $"poll interval: {(updated.PollInterval is { } pi ? pi.ToTimeSpan().ToString() : "the service's default")}; first-collection backfill: {(updated.InitialBackfill is { } ib ? ib.ToTimeSpan().ToString() : "the service's default")}";

    /// <summary>A sign-in in one line (<c>watch</c>, <c>tail ingress</c>).</summary>
    public static string Describe(IngressEvent e)
    {
        var where = e.Location is { } l ? $" ({string.Join(", ", new[] { l.CountryCode, l.Region, l.City }.Where(x => x.Length > 0))})" : "";
        var why = e.FailureCode.Length > 0 ? $" {e.FailureCode} {e.FailureReason}{(e.FailureDescription.Length > 0 ? " — " + e.FailureDescription : "")}" : "";
        return $"[ingress #{e.Header.Sequence}] {e.Header.EventTime.ToDateTimeOffset():u} {e.Result.ToString().ToUpperInvariant(),-11} {e.User} from {(e.ClientAddress?.Ip is { Length: > 0 } ip ? ip : "unknown")}{where}{why}"
            + (e.ApplicationName.Length > 0 ? $" app={e.ApplicationName}" : "")
            + string.Concat(e.RiskFlags.Select(f => $" [{ProtoNames.Short(f.Kind)}: {f.Evidence}]"));
    }

    /// <summary>An admin change in one line (<c>watch</c>, <c>tail admin</c>).</summary>
    public static string Describe(AdminEvent e) =>
        $"[admin   #{e.Header.Sequence}] {e.Header.EventTime.ToDateTimeOffset():u} {e.Action} ('{e.Header.Operation}') by {e.Actor}"
        + (e.Target.Length > 0 ? $" on {e.Target}" : "")
        + (e.Changes.Count > 0 ? $" changed {string.Join(", ", e.Changes.Select(c => c.Name))}" : "")
        + $" result={e.Result}";

    /// <summary>A record as received in one line (<c>tail raw</c>): its operation, workload, user and address.</summary>
    public static string Describe(RawRecord e) =>
        $"[raw     #{e.Header.Sequence}] {e.Header.EventTime.ToDateTimeOffset():u} {e.Header.Operation} ({e.Header.Workload}, record type {e.Header.RecordType})"
        + (e.User.Length > 0 ? $" by {e.User}" : "")
        + (e.ClientAddress?.Ip is { Length: > 0 } ip ? $" from {ip}" : "")
        + $" id={e.Header.RecordId}";

    /// <summary>A table of sign-ins (<c>history ingress</c>, <c>user</c>).</summary>
    public static Table SignInTable() =>
        new(TableColumn.Right("SEQ"), "TIME", "RESULT", "USER", "ADDRESS", "LOCATION", "APPLICATION", "FAILURE", "RISK FLAGS");

    /// <summary>Adds <paramref name="e"/> to a <see cref="SignInTable"/>.</summary>
    public static void AddRow(Table table, IngressEvent e) => table.Add(
        e.Header.Sequence.ToString(CultureInfo.InvariantCulture),
        Time(e.Header.EventTime),
        ProtoNames.Short(e.Result),
        e.User,
        e.ClientAddress?.Ip,
        Place(e.Location) + (e.LocationReliable || e.Location is null ? "" : " (unreliable)"),
        e.ApplicationName.Length > 0 ? e.ApplicationName : e.ApplicationId,
        e.FailureCode.Length > 0 ? $"{e.FailureCode} {e.FailureReason}".TrimEnd() : e.FailureReason,
        Flags(e));

    /// <summary>A sign-in's risk flags by name (<c>NEW_COUNTRY, IMPOSSIBLE_TRAVEL</c>); "" for none.</summary>
    public static string Flags(IngressEvent e) => string.Join(", ", e.RiskFlags.Select(f => ProtoNames.Short(f.Kind)));

    /// <summary>A table of admin changes (<c>history admin</c>, <c>user</c>).</summary>
    public static Table ChangeTable() =>
        new(TableColumn.Right("SEQ"), "TIME", "ACTION", "ACTOR", "TARGET", "ADDRESS", "RESULT", "OPERATION");

    /// <summary>Adds <paramref name="e"/> to a <see cref="ChangeTable"/>.</summary>
    public static void AddRow(Table table, AdminEvent e) => table.Add(
        e.Header.Sequence.ToString(CultureInfo.InvariantCulture),
        Time(e.Header.EventTime),
        ProtoNames.Short(e.Action),
        e.Actor,
        e.Target,
        e.ActorAddress?.Ip,
        ProtoNames.Short(e.Result),
        e.Header.Operation);

    /// <summary>A table of event sources (<c>list</c>, <c>sources list</c>).</summary>
    public static Table SourceTable() =>
        new("TENANT", "NAME", "STATE", TableColumn.Right("RECORDS"), TableColumn.Right("LAST SEQ"), "CONTENT TYPES", "STATUS");

    /// <summary>Adds <paramref name="s"/> to a <see cref="SourceTable"/>.</summary>
    public static void AddRow(Table table, EventSource s) => table.Add(
        s.TenantId,
        s.DisplayName,
        StateName(s.State),
        s.RecordsCollected.ToString(CultureInfo.InvariantCulture),
        s.LastSequence.ToString(CultureInfo.InvariantCulture),
        string.Join(",", s.ContentTypes),
        s.StatusReason.Length > 0 ? s.StatusReason : s.LastError);

    /// <summary>Country code, region and city, those known, with commas.</summary>
    public static string Place(GeoLocation? l) =>
        l is null ? "" : string.Join(", ", new[] { l.CountryCode, l.Region, l.City }.Where(x => x.Length > 0));

    private static string Counts(CollectionCounters c) =>
        $"blobs={c.Blobs:N0} records={c.Records:N0} (ingress={c.IngressEvents:N0} admin={c.AdminEvents:N0} raw={c.RawRecords:N0}) duplicates dropped={c.DuplicatesDropped:N0} warnings={c.NormalizationWarnings:N0} rejected={c.RecordsRejected:N0}";

    private static string Span(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{span.TotalDays:0.#} d" : span.TotalHours >= 1 ? $"{span.TotalHours:0.#} h" : span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0.#} min" : $"{span.TotalSeconds:0} s";
}
