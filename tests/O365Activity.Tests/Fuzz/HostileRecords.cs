using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using O365Activity.Tests.Infrastructure;
using O365Activity.Tests.Normalization;

namespace O365Activity.Tests.Fuzz;

/// <summary>A hostile input: how it was made, and its bytes.</summary>
/// <param name="Origin">The corpus record it started from and the mutations applied, for the failure report.</param>
/// <param name="Bytes">The input.</param>
public sealed record HostileInput(string Origin, byte[] Bytes)
{
    /// <summary>The input as FsCheck reports it: its origin and its bytes, escaped (the first 3,000).</summary>
    public override string ToString() => $"{Origin} ({Bytes.Length:N0} bytes): {Escaped(Bytes, 3000)}";

    public static string Escaped(ReadOnlySpan<byte> bytes, int max)
    {
        var text = new StringBuilder();
        foreach (var b in bytes[..Math.Min(bytes.Length, max)])
        {
            text.Append(b is >= 0x20 and < 0x7F && b != (byte)'\\' ? ((char)b).ToString() : $"\\x{b:X2}");
        }

        return bytes.Length > max ? text.Append('…').ToString() : text.ToString();
    }
}

/// <summary>
/// Hostile audit records for the fuzz properties: records of the sample corpus (../shared/samples when present, and
/// the tests' golden records) mutated the ways a broken or malicious source would: fields deleted, values of another
/// type (string, number, bool, null, object, array), huge and deeply nested values, control, format and unpaired
/// surrogate characters, JSON written inside strings, duplicate and re-cased names; then, at the byte level, invalid
/// UTF-8 inside strings, raw control bytes, truncation, flipped, inserted and deleted bytes. Every choice is drawn from
/// FsCheck's generator, so a seed replays a case.
/// </summary>
public static class HostileRecords
{
    private static readonly Lazy<string[]> LazyCorpus = new(LoadCorpus);

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = 256 };

    /// <summary>Interesting values, as JSON text, by type: each type change draws from these.</summary>
    private static readonly string[] Strings =
    [
        "\"\"", "\" \"", "\"null\"", "\"15\"", "\"-1\"", "\"1e400\"", "\"NaN\"", "\"true\"", "\"UserLoggedIn\"", "\"UserLoginFailed\"",
        "\"Add member to role.\"", "\"Set-Mailbox\"", "\"2024-13-45T99:99:99\"", "\"0001-01-01T00:00:00\"", "\"9999-12-31T23:59:59.9999999Z\"",
        "\"2024-06-01T08:00:00+14:00\"", "\"1717228800\"", "\"\\u0000\"", "\"\\u001b[31mred\"", "\"\\u202Eevil\"",
        "\"::ffff:203.0.113.9\"", "\"[2001:db8:4::1]:99999\"", "\"203.0.113.7:0\"", "\"fe80::1%eth0\"", "\"256.256.256.256\"", "\"203.0.113.7, 10.0.0.1\"",
        "\"2001:db8:4::/48\"", "\"[\"", "\"{\"", "\"[{\\\"Name\\\":1}]\"", "\"{\\\"a\\\":\"", "\"[{\\\"Name\\\":\\\"x\\\",\\\"Value\\\":{}}]\"",
        "\"%00\"", "\"\\\\\"", "\"99999999999999999999999999\"", "\"ana@example.com\"", "\"@\"", "\"a@b@c\"", "\"\\u2028\"",
    ];

    private static readonly string[] Scalars =
    [
        "0", "-0", "-1", "1.5", "15", "9", "1e308", "-1e308", "1e-320", "1e400", "-1e400", "2147483648", "-2147483649",
        "9223372036854775808", "-9223372036854775809", "18446744073709551616", "0.0000001", "1717228800", "253402300800",
        "true", "false", "null",
    ];

    private static readonly string[] Composites =
    [
        "{}", "[]", "[null]", "[1,\"a\",{},[]]", "{\"Name\":null,\"Value\":[]}", "[{\"Name\":\"x\"}]", "[{\"Value\":\"y\"}]",
        "[{\"Name\":{},\"Value\":{},\"OldValue\":[],\"NewValue\":1}]", "{\"ID\":5,\"Type\":\"x\"}", "[{\"ID\":null,\"Type\":null}]",
        "{\"CreationTime\":{}}", "[[[]]]",
    ];

    private enum NodeOp
    {
        Delete,
        String,
        Scalar,
        Composite,
        Wrap,
        Stringify,
        Rename,
        Deep,
        Huge,
        Hidden,
    }

    private enum ByteOp
    {
        InvalidUtf8,
        RawControl,
        Truncate,
        Flip,
        Insert,
        DeleteRange,
        DuplicateName,
        SurrogateEscape,
    }

    /// <summary>The corpus: every sample record's text.</summary>
    public static IReadOnlyList<string> Corpus => LazyCorpus.Value;

    /// <summary>A corpus record with 0 to 6 structural mutations, and in about half the cases 1 to 3 byte mutations.</summary>
    public static Gen<HostileInput> Record() => Mutated(Corpus);

    /// <summary>One of <paramref name="seeds"/> (JSON texts) mutated as <see cref="Record"/> mutates a corpus record.</summary>
    public static Gen<HostileInput> Mutated(IReadOnlyList<string> seeds) =>
        from index in Gen.Choose(0, seeds.Count - 1)
        from nodeCount in Gen.Choose(0, 6)
        from nodeOps in Gen.ArrayOf(NodeChoice(), nodeCount)
        from byteCount in Gen.Frequency((5, Gen.Constant(0)), (3, Gen.Choose(1, 3)))
        from byteOps in Gen.ArrayOf(ByteChoice(), byteCount)
        select Mutate(seeds, index, nodeOps, byteOps);

    /// <summary>One hostile record as JSON text in a parsed document: only the records that still parse (the normalizer's input).</summary>
    public static Gen<HostileInput> ParsableRecord() => Record().Where(r => Parses(r.Bytes));

    /// <summary>Random bytes, mostly JSON punctuation and letters, up to 2,000.</summary>
    public static Gen<byte[]> RandomBytes() =>
        Gen.Choose(0, 2000).SelectMany(n => Gen.ArrayOf(Gen.Frequency(
            (3, Gen.Elements("{}[]\",:\\ \n\r\t0123456789-.eEtruefalsn\u00ff"u8.ToArray())),
            (1, Gen.Choose(0, 255).Select(b => (byte)b))), n));

    public static bool Parses(byte[] bytes)
    {
        try
        {
            using var _ = JsonDocument.Parse(bytes);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static Gen<(NodeOp Op, int Target, int Value)> NodeChoice() =>
        from op in Gen.Elements(Enum.GetValues<NodeOp>())
        from target in Gen.Choose(0, 1_000_000)
        from value in Gen.Choose(0, 1_000_000)
        select (op, target, value);

    private static Gen<(ByteOp Op, int Position, int Value)> ByteChoice() =>
        from op in Gen.Elements(Enum.GetValues<ByteOp>())
        from position in Gen.Choose(0, 1_000_000)
        from value in Gen.Choose(0, 1_000_000)
        select (op, position, value);

    private static HostileInput Mutate(IReadOnlyList<string> seeds, int index, (NodeOp Op, int Target, int Value)[] nodeOps, (ByteOp Op, int Position, int Value)[] byteOps)
    {
        var origin = new StringBuilder($"seed #{index}");
        var root = JsonNode.Parse(seeds[index])!;
        foreach (var (op, target, value) in nodeOps)
        {
            root = Apply(root, op, target, value);
            origin.Append($", {op}({target},{value})");
        }

        var bytes = Encoding.UTF8.GetBytes(root?.ToJsonString(Relaxed) ?? "null");
        foreach (var (op, position, value) in byteOps)
        {
            bytes = Apply(bytes, op, position, value);
            origin.Append($", {op}@{position}:{value}");
        }

        return new HostileInput(origin.ToString(), bytes);
    }

    /// <summary>Applies one structural mutation to a value somewhere in the tree (the root included); returns the root.</summary>
    private static JsonNode? Apply(JsonNode? root, NodeOp op, int target, int value)
    {
        var slots = new List<(JsonNode? Parent, string? Name, int Index)> { (null, null, -1) };
        Collect(root, slots);
        var (parent, name, index) = slots[target % slots.Count];
        var current = parent switch
        {
            JsonObject o => o[name!],
            JsonArray a => a[index],
            _ => root,
        };

        if (op == NodeOp.Rename)
        {
            if (parent is JsonObject renamed && name is not null)
            {
                var kept = renamed[name];
                renamed.Remove(name);
                var newName = (value % 4) switch
                {
                    0 => name.ToLowerInvariant(),
                    1 => name.ToUpperInvariant(),
                    2 => name + "\u0000",
                    _ => "\u202E" + name,
                };
                renamed[newName] = kept;
                if (value % 3 == 0 && !renamed.ContainsKey(name))
                {
                    // Two spellings of one name: the first wins.
                    renamed[name] = Parse(Strings[value % Strings.Length]);
                }
            }

            return root;
        }

        if (op == NodeOp.Delete)
        {
            switch (parent)
            {
                case JsonObject o:
                    o.Remove(name!);
                    return root;
                case JsonArray a:
                    a.RemoveAt(index);
                    return root;
                default:
                    return new JsonObject();
            }
        }

        var replacement = op switch
        {
            NodeOp.String => Parse(Strings[value % Strings.Length]),
            NodeOp.Scalar => Parse(Scalars[value % Scalars.Length]),
            NodeOp.Composite => Parse(Composites[value % Composites.Length]),
            NodeOp.Wrap => value % 2 == 0 ? new JsonArray(Detach(current)) : new JsonObject { ["Value"] = Detach(current) },
            NodeOp.Stringify => JsonValue.Create(current?.ToJsonString() ?? "null"),
            NodeOp.Deep => Deep(value % 70, value % 2 == 0),
            NodeOp.Huge => Huge(value),
            _ => Hidden(current, value),
        };

        switch (parent)
        {
            case JsonObject o:
                o[name!] = replacement;
                return root;
            case JsonArray a:
                a[index] = replacement;
                return root;
            default:
                return replacement;
        }
    }

    private static void Collect(JsonNode? node, List<(JsonNode? Parent, string? Name, int Index)> slots)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o.ToList())
                {
                    slots.Add((o, name, -1));
                    Collect(child, slots);
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    slots.Add((a, null, i));
                    Collect(a[i], slots);
                }

                break;
        }
    }

    private static JsonNode? Parse(string json) => JsonNode.Parse(json);

    private static JsonNode? Detach(JsonNode? node) => node?.DeepClone();

    /// <summary>Arrays or objects nested <paramref name="depth"/> deep (a record nested past 64 no longer parses).</summary>
    private static JsonNode Deep(int depth, bool arrays)
    {
        JsonNode node = JsonValue.Create("bottom");
        for (var i = 0; i < depth; i++)
        {
            node = arrays ? new JsonArray(node) : new JsonObject { ["Name"] = node, ["Value"] = i };
        }

        return node;
    }

    /// <summary>A huge value: a string of up to 100,000 characters, or an array of up to 10,000 elements, or a long number.</summary>
    private static JsonNode? Huge(int value) => (value % 4) switch
    {
        0 => JsonValue.Create(new string((char)('a' + (value % 26)), 1 + (value % 100_000))),
        1 => new JsonArray([.. Enumerable.Range(0, 1 + (value % 10_000)).Select(i => (JsonNode?)JsonValue.Create(i))]),
        2 => new JsonArray([.. Enumerable.Range(0, 1 + (value % 2_000)).Select(i => (JsonNode?)new JsonObject { ["Name"] = "n" + i, ["Value"] = "v" })]),
        _ => Parse(new string('9', 1 + (value % 5_000))),
    };

    /// <summary>The value as a string with control, format, separator or unpaired surrogate characters put in it.</summary>
    private static JsonNode Hidden(JsonNode? current, int value)
    {
        var text = current is JsonValue v && v.TryGetValue<string>(out var s) ? s : current?.ToJsonString() ?? "";
        string[] hidden = ["\u0000", "\u0007", "\u001b[2J", "\n", "\r\n", "\u007f", "\u0085", "\u200b", "\u200e", "\u202a", "\u202e", "\u2066", "\u2069", "\u2028", "\ufeff", "\uffff"];
        var at = text.Length == 0 ? 0 : value % (text.Length + 1);
        return JsonValue.Create(text.Insert(at, hidden[value % hidden.Length]));
    }

    /// <summary>Applies one byte-level mutation.</summary>
    private static byte[] Apply(byte[] bytes, ByteOp op, int position, int value)
    {
        var list = bytes.ToList();
        var at = list.Count == 0 ? 0 : position % (list.Count + 1);
        switch (op)
        {
            case ByteOp.InvalidUtf8:
                byte[][] invalid = [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC3], [0x80], [0xE2, 0x82], [0xF0, 0x9F, 0x98]];
                // Inside a string: right after an opening or closing quote chosen by the position.
                var quotes = Enumerable.Range(0, list.Count).Where(i => list[i] == (byte)'"').ToList();
                var inside = quotes.Count == 0 ? at : quotes[position % quotes.Count] + 1;
                list.InsertRange(inside, invalid[value % invalid.Length]);
                break;
            case ByteOp.SurrogateEscape:
                // Escapes of unpaired UTF-16 surrogates: valid JSON that System.Text.Json cannot read as a string.
                string[] escapes = [@"\ud800", @"\uDC00x", @"\ud83d\ude00", @"\\ud800", @"x\uDBFF", @"\udfff\ud800"];
                var quote = Enumerable.Range(0, list.Count).Where(i => list[i] == (byte)'"').ToList();
                list.InsertRange(quote.Count == 0 ? at : quote[position % quote.Count] + 1, Encoding.ASCII.GetBytes(escapes[value % escapes.Length]));
                break;
            case ByteOp.RawControl:
                list.Insert(at, (byte)(value % 0x20));
                break;
            case ByteOp.Truncate:
                list.RemoveRange(at, list.Count - at);
                break;
            case ByteOp.Flip:
                if (list.Count > 0)
                {
                    list[position % list.Count] ^= (byte)(1 << (value % 8));
                }

                break;
            case ByteOp.Insert:
                list.InsertRange(at, Enumerable.Range(0, 1 + (value % 8)).Select(i => (byte)((value >> i) * 31)));
                break;
            case ByteOp.DeleteRange:
                list.RemoveRange(at, Math.Min(list.Count - at, 1 + (value % 16)));
                break;
            case ByteOp.DuplicateName:
                // A duplicate property name, which only a byte-level edit makes (JsonNode refuses it).
                var brace = list.IndexOf((byte)'{');
                if (brace >= 0)
                {
                    string[] names = ["Id", "CreationTime", "Operation", "RecordType", "UserId", "ClientIP", "ExtendedProperties", "ModifiedProperties"];
                    var insert = $"\"{names[value % names.Length]}\":{Strings[position % Strings.Length]},";
                    list.InsertRange(brace + 1, Encoding.UTF8.GetBytes(insert));
                }

                break;
        }

        return [.. list];
    }

    private static string[] LoadCorpus()
    {
        var records = new List<string>();
        if (SharedFolder.Path is not null && Directory.Exists(SharedFolder.Combine("samples")))
        {
            records.AddRange(SampleCorpus.ReadAll(SharedFolder.Combine("samples")).Select(r => r.Json));
        }

        using var golden = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Normalization", "Data", "golden-records.json")));
        records.AddRange(golden.RootElement.EnumerateArray().Select(e => e.GetRawText()));
        records.AddRange([TestRecords.SignIn(1), TestRecords.AdminChange(2), TestRecords.FileAccess(3)]);
        return [.. records];
    }
}
