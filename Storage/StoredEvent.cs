namespace O365Activity.Storage;

/// <summary>An event as the store holds it: its sequence, its kind and its encoded parts.</summary>
/// <param name="Sequence">The per-source sequence number (1, 2, 3 and on, no gap).</param>
/// <param name="Kind">What the record became.</param>
/// <param name="Parts">The encoded event (<see cref="EventParts"/>).</param>
public sealed record StoredEvent(long Sequence, EventKind Kind, EventParts Parts);
