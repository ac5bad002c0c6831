using System.Collections.Concurrent;
using Google.Protobuf.Reflection;

namespace O365Activity.Cli.Commands;

/// <summary>
/// The names of proto enum values as the API and the README spell them (<c>ADMIN_ACTION_PASSWORD_RESET</c>), without
/// their type's prefix (<c>PASSWORD_RESET</c>), and in the command line's friendly spelling (<c>password-reset</c>).
/// </summary>
internal static class ProtoNames
{
    private static readonly ConcurrentDictionary<Type, string> Prefixes = new();

    /// <summary>The value's name in the .proto file, for example <c>SIGN_IN_RESULT_FAILURE</c>; the C# name for a number the file does not name.</summary>
    public static string Canonical<T>(T value)
        where T : struct, Enum =>
        typeof(T).GetField(value.ToString())?.GetCustomAttributes(typeof(OriginalNameAttribute), false) is [OriginalNameAttribute original, ..]
            ? original.Name
            : value.ToString();

    /// <summary>The prefix every value name of <typeparamref name="T"/> shares, up to and with its last underscore (<c>ADMIN_ACTION_</c>).</summary>
    public static string Prefix<T>()
        where T : struct, Enum =>
        Prefixes.GetOrAdd(typeof(T), _ =>
        {
            var names = Enum.GetValues<T>().Select(Canonical).ToArray();
            var length = names.Min(n => n.Length);
            var common = 0;
            while (common < length && names.All(n => n[common] == names[0][common]))
            {
                common++;
            }

            return names[0][..(names[0].LastIndexOf('_', Math.Max(common - 1, 0)) + 1)];
        });

    /// <summary>The name without its prefix: <c>PASSWORD_RESET</c>, <c>FAILURE</c>, <c>CONNECTED</c>.</summary>
    public static string Short<T>(T value)
        where T : struct, Enum
    {
        var name = Canonical(value);
        var prefix = Prefix<T>();
        return name.StartsWith(prefix, StringComparison.Ordinal) && name.Length > prefix.Length ? name[prefix.Length..] : name;
    }

    /// <summary>The short name in lower case with dashes: <c>password-reset</c>.</summary>
    public static string Friendly<T>(T value)
        where T : struct, Enum =>
        Short(value).Replace('_', '-').ToLowerInvariant();
}
