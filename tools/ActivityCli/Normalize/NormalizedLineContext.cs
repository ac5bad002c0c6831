using System.Text.Json.Serialization;
using O365Activity.Contracts.Activity;

namespace O365Activity.Cli.Normalize;

/// <summary>
/// The serializer's contract for the event types of a <see cref="NormalizedLine"/>, made at build time (no reflection
/// and no code generated at run time, which a short-lived command would pay for on every run); its shape is adjusted at
/// run time as <see cref="NormalizedLine"/> says.
/// </summary>
[JsonSerializable(typeof(IngressEvent))]
[JsonSerializable(typeof(AdminEvent))]
[JsonSerializable(typeof(RawRecord))]
internal sealed partial class NormalizedLineContext : JsonSerializerContext;
