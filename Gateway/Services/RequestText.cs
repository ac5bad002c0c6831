using Grpc.Core;
using O365Activity.Contracts;

namespace O365Activity.Gateway.Services;

/// <summary>
/// The one check of the free-text strings of every gRPC request (and of the status page's parameters, which become the
/// same requests): a string holding a control, format or separator character (see <see cref="VisibleText.IsRefused"/>)
/// is refused with <c>INVALID_ARGUMENT</c>, whose message names the field, the character's code point and its position,
/// and never repeats the value (so the refusal cannot carry the character into a log or a terminal).
/// </summary>
public static class RequestText
{
    /// <summary>Refuses <paramref name="value"/> when it holds a refused character; null or empty passes.</summary>
    /// <param name="value">The field's value.</param>
    /// <param name="field">The field's name in the request, as the proto spells it (<c>display_name</c>).</param>
    /// <returns><paramref name="value"/>.</returns>
    /// <exception cref="RpcException"><c>INVALID_ARGUMENT</c> naming the field and the character.</exception>
    public static string Check(string value, string field)
    {
        if (VisibleText.FirstRefused(value) is { } refused)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"{field} contains the control character U+{refused.Character.Value:X4} at position {refused.Index + 1} (a control, format or line-separator character): it must be plain, visible text on one line."));
        }

        return value;
    }

    /// <summary>Refuses a repeated field when any of its values holds a refused character; the message names the field and the value's index (<c>federated_domains[2]</c>).</summary>
    /// <param name="values">The field's values.</param>
    /// <param name="field">The field's name in the request.</param>
    /// <exception cref="RpcException"><c>INVALID_ARGUMENT</c> naming the field, the index and the character.</exception>
    public static void CheckAll(IEnumerable<string> values, string field)
    {
        var index = 0;
        foreach (var value in values)
        {
            Check(value, $"{field}[{index++}]");
        }
    }
}
