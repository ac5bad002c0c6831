using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace O365Activity.Tests.Normalization;

/// <summary>One audit record of the public sample corpus, with where it came from.</summary>
/// <param name="Source">The file, relative to the samples folder, and the record's position in it.</param>
/// <param name="Json">The record's JSON text.</param>
public sealed record SampleRecord(string Source, string Json);

/// <summary>
/// Reads every audit record of ../shared/samples, per the formats table of its README: NDJSON <c>.log</c> files, JSON
/// arrays, <c>events[].o365audit</c> pipeline tests, the mock-server YAML's response bodies (Go-template placeholders
/// replaced), Panther YAML <c>Tests[].Log</c> mappings, the Wazuh INI <c>log 1 pass =</c> lines (the <c>office365</c> key),
/// and the Microsoft docs' <c>AuditData:</c> lines and strict-JSON fenced blocks. As the README counts them, an object
/// is an audit record when it has <c>CreationTime</c> (any case). The Wazuh C file holds no audit records.
/// </summary>
public static partial class SampleCorpus
{
    public static IReadOnlyList<SampleRecord> ReadAll(string samplesFolder)
    {
        var records = new List<SampleRecord>();
        foreach (var path in Directory.EnumerateFiles(samplesFolder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var name = Path.GetRelativePath(samplesFolder, path).Replace('\\', '/');
            var found = name switch
            {
                "README.md" => [],
                _ when name.EndsWith(".log", StringComparison.Ordinal) => ReadNdjson(path),
                _ when name.Contains("pipeline-test-", StringComparison.Ordinal) => ReadPipelineTest(path),
                _ when name.EndsWith(".json", StringComparison.Ordinal) => ReadJsonArray(path),
                _ when name.EndsWith("mock-server-config.yml", StringComparison.Ordinal) => ReadMockServer(path),
                _ when name.StartsWith("panther/", StringComparison.Ordinal) => ReadPanther(path),
                _ when name.EndsWith(".ini", StringComparison.Ordinal) => ReadWazuhIni(path),
                _ when name.EndsWith(".md", StringComparison.Ordinal) => ReadMarkdown(path),
                _ when name.EndsWith(".c", StringComparison.Ordinal) => [],
                _ => throw new InvalidOperationException($"No reader for the sample file {name}: add one (see samples/README.md)."),
            };
            records.AddRange(found.Select((json, i) => new SampleRecord($"{name}#{i + 1}", json)));
        }

        return records;
    }

    private static IEnumerable<string> ReadNdjson(string path) =>
        File.ReadLines(path).Where(l => !string.IsNullOrWhiteSpace(l)).Where(IsRecord);

    private static IEnumerable<string> ReadJsonArray(string path) => RecordsIn(JsonNode.Parse(File.ReadAllText(path)));

    private static IEnumerable<string> ReadPipelineTest(string path) =>
        JsonNode.Parse(File.ReadAllText(path))!["events"]!.AsArray()
            .Select(e => e!["o365audit"])
            .Where(r => r is JsonObject o && HasCreationTime(o))
            .Select(r => r!.ToJsonString());

    private static IEnumerable<string> ReadMockServer(string path)
    {
        var records = new List<string>();
        foreach (var body in YamlScalars(LoadYaml(path)).Where(s => s.Key == "body").Select(s => s.Value))
        {
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(Placeholder().Replace(body, "x"));
            }
            catch (JsonException)
            {
                continue;
            }

            records.AddRange(RecordsIn(node));
        }

        return records;
    }

    private static IEnumerable<string> ReadPanther(string path)
    {
        var root = (YamlMappingNode)LoadYaml(path);
        if (!root.Children.TryGetValue(new YamlScalarNode("Tests"), out var tests))
        {
            return [];
        }

        return ((YamlSequenceNode)tests).Children
            .OfType<YamlMappingNode>()
            .Select(t => t.Children.TryGetValue(new YamlScalarNode("Log"), out var log) ? ToJson(log) : null)
            .OfType<JsonObject>()
            .Where(HasCreationTime)
            .Select(o => o.ToJsonString());
    }

    private static IEnumerable<string> ReadWazuhIni(string path)
    {
        const string Prefix = "log 1 pass = ";
        return File.ReadLines(path)
            .Where(l => l.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(l => JsonNode.Parse(l[Prefix.Length..])!["office365"])
            .OfType<JsonObject>()
            .Where(HasCreationTime)
            .Select(o => o.ToJsonString());
    }

    private static IEnumerable<string> ReadMarkdown(string path)
    {
        var text = File.ReadAllText(path).ReplaceLineEndings("\n");
        var records = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            var at = line.IndexOf("AuditData: ", StringComparison.Ordinal);
            if (at >= 0 && TryParse(line[(at + "AuditData: ".Length)..].Trim(), out var node))
            {
                records.AddRange(RecordsIn(node));
            }
        }

        foreach (Match block in FencedBlock().Matches(text))
        {
            // HTTP transcripts start with a request or status line and headers; the body starts at the first '[' or '{' line.
            var lines = block.Groups[1].Value.Split('\n');
            var start = Array.FindIndex(lines, l => l.TrimStart().StartsWith('[') || l.TrimStart().StartsWith('{'));
            if (start >= 0 && TryParse(string.Join('\n', lines[start..]), out var node))
            {
                records.AddRange(RecordsIn(node).Where(r => JsonNode.Parse(r)!.AsObject().ContainsKey("RecordType")));
            }
        }

        return records;
    }

    private static bool TryParse(string text, out JsonNode? node)
    {
        try
        {
            node = JsonNode.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            node = null;
            return false;
        }
    }

    private static IEnumerable<string> RecordsIn(JsonNode? node) => node switch
    {
        JsonArray array => array.OfType<JsonObject>().Where(HasCreationTime).Select(o => o.ToJsonString()),
        JsonObject obj when HasCreationTime(obj) => [obj.ToJsonString()],
        _ => [],
    };

    private static bool IsRecord(string json) => TryParse(json, out var node) && node is JsonObject o && HasCreationTime(o);

    private static bool HasCreationTime(JsonObject obj) =>
        obj.Any(p => string.Equals(p.Key, "CreationTime", StringComparison.OrdinalIgnoreCase));

    private static YamlNode LoadYaml(string path)
    {
        using var reader = new StringReader(File.ReadAllText(path));
        var stream = new YamlStream();
        stream.Load(reader);
        return stream.Documents[0].RootNode;
    }

    private static IEnumerable<KeyValuePair<string, string>> YamlScalars(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is YamlScalarNode { Value: { } k } && value is YamlScalarNode { Value: { } v })
                    {
                        yield return new(k, v);
                    }
                    else
                    {
                        foreach (var inner in YamlScalars(value))
                        {
                            yield return inner;
                        }
                    }
                }

                break;
            case YamlSequenceNode sequence:
                foreach (var inner in sequence.Children.SelectMany(YamlScalars))
                {
                    yield return inner;
                }

                break;
        }
    }

    /// <summary>A YAML node as JSON: plain scalars that look like numbers, booleans or null become those; quoted ones stay strings.</summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(c =>
            new KeyValuePair<string, JsonNode?>(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(ToJson)]),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: var v } => v switch
        {
            null or "~" or "null" => null,
            "true" or "True" => JsonValue.Create(true),
            "false" or "False" => JsonValue.Create(false),
            _ when long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
            _ when Number().IsMatch(v) => JsonValue.Create(double.Parse(v, CultureInfo.InvariantCulture)),
            _ => JsonValue.Create(v),
        },
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => null,
    };

    [GeneratedRegex(@"\{\{.*?\}\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^```[a-z]*\n(.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex FencedBlock();

    [GeneratedRegex(@"^-?\d+\.\d+([eE][-+]?\d+)?$")]
    private static partial Regex Number();
}
