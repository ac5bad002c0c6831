using System.Text.Json;

namespace O365Activity.Grains.Normalization;

/// <summary>Receives the entries of a <c>{Name, Value}</c> list as <see cref="LenientJson.VisitNameValues"/> reads them.</summary>
internal interface INameValueVisitor
{
    /// <summary>One entry.</summary>
    /// <param name="name">The entry's name.</param>
    /// <param name="value">Its value as received; <c>default</c> (<see cref="JsonValueKind.Undefined"/>) when it has none. Read it with <see cref="LenientJson.Text"/>.</param>
    void Visit(in EntryName name, JsonElement value);
}
