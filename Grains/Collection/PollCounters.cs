namespace O365Activity.Grains.Collection;

/// <summary>
/// What one poll of one content type did, counted as it goes (<see cref="PollOutcome.Counters"/>); the tenant grain
/// adds it to the content type's totals (<see cref="ContentTypeHealth"/>). Safe to add to from the fetching threads.
/// </summary>
public sealed class PollCounters
{
    private long _blobs;
    private long _ingress;
    private long _admin;
    private long _raw;
    private long _duplicates;
    private long _warnings;
    private long _rejected;
    private long _newestBlobTicks = long.MinValue;
    private long _newestRecordTicks = long.MinValue;

    /// <summary>Blobs processed (fetched and stored, or found gone), counted when committed.</summary>
    public long Blobs => Interlocked.Read(ref _blobs);

    /// <summary>Ingress events stored.</summary>
    public long Ingress => Interlocked.Read(ref _ingress);

    /// <summary>Admin events stored.</summary>
    public long Admin => Interlocked.Read(ref _admin);

    /// <summary>Records stored that are neither (raw records only).</summary>
    public long Raw => Interlocked.Read(ref _raw);

    /// <summary>Records stored: <see cref="Ingress"/> + <see cref="Admin"/> + <see cref="Raw"/>.</summary>
    public long Records => Ingress + Admin + Raw;

    /// <summary>Records dropped because their <c>Id</c> was stored already.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Records stored with a normalization warning (a value replaced by a stand-in).</summary>
    public long Warnings => Interlocked.Read(ref _warnings);

    /// <summary>Items of a blob that were not audit records (not a JSON object) and were skipped.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>The newest <c>contentCreated</c> of a blob processed (UTC); null when none.</summary>
    public DateTimeOffset? NewestBlob => Ticks(ref _newestBlobTicks);

    /// <summary>The newest <c>CreationTime</c> of a record committed (UTC); null when none.</summary>
    public DateTimeOffset? NewestRecord => Ticks(ref _newestRecordTicks);

    /// <summary>Whether anything was counted.</summary>
    public bool Any => Blobs + Records + Duplicates + Warnings + Rejected > 0;

    internal void AddCommit(int blobs, DateTimeOffset? newestBlob, Storage.CommitResult result, DateTimeOffset? newestRecord)
    {
        Interlocked.Add(ref _blobs, blobs);
        Interlocked.Add(ref _ingress, result.IngressStored);
        Interlocked.Add(ref _admin, result.AdminStored);
        Interlocked.Add(ref _raw, result.RawStored);
        Interlocked.Add(ref _duplicates, result.Duplicates);
        Max(ref _newestBlobTicks, newestBlob);
        Max(ref _newestRecordTicks, newestRecord);
    }

    internal void AddWarning() => Interlocked.Increment(ref _warnings);

    internal void AddRejected() => Interlocked.Increment(ref _rejected);

    private static void Max(ref long field, DateTimeOffset? value)
    {
        if (value is not { } v)
        {
            return;
        }

        var ticks = v.UtcTicks;
        for (var current = Interlocked.Read(ref field); ticks > current; current = Interlocked.Read(ref field))
        {
            if (Interlocked.CompareExchange(ref field, ticks, current) == current)
            {
                return;
            }
        }
    }

    private static DateTimeOffset? Ticks(ref long field) =>
        Interlocked.Read(ref field) is var t && t == long.MinValue ? null : new DateTimeOffset(t, TimeSpan.Zero);
}
