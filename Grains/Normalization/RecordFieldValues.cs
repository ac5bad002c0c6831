using System.Runtime.CompilerServices;
using System.Text.Json;

namespace O365Activity.Grains.Normalization;

/// <summary>One value per <see cref="RecordField"/>, held inline (on the stack in <see cref="AuditRecordView"/>); an absent field is <c>default</c> (<see cref="JsonValueKind.Undefined"/>).</summary>
[InlineArray(RecordFields.Count)]
internal struct RecordFieldValues
{
    private JsonElement _first;
}
