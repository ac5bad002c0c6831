using O365Activity.Contracts.Activity;

namespace O365Activity.Storage;

/// <summary>An event as the store holds it: its sequence, its kind, its raw record and its ingress or admin event.</summary>
/// <param name="Sequence">The per-source sequence number (1, 2, 3 and on, no gap); also set on <paramref name="Raw"/> and <paramref name="Activity"/>.</param>
/// <param name="Kind">What the record became.</param>
/// <param name="Raw">The raw record, with its raw JSON.</param>
/// <param name="Activity">The ingress or admin event, with its raw JSON; null when <paramref name="Kind"/> is <see cref="EventKind.Raw"/>.</param>
public sealed record StoredEvent(long Sequence, EventKind Kind, RawRecord Raw, ActivityEvent? Activity);
