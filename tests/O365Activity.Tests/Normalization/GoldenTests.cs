using System.Text.Json;
using O365Activity.Contracts.Activity;
using O365Activity.Tests.Cli.Normalize;

namespace O365Activity.Tests.Normalization;

/// <summary>
/// Golden records (Data/golden-records.json: made-up data covering every <see cref="AdminAction"/>, every sign-in outcome
/// and a few raw records) against their reviewed normalized form (Data/golden-expected.ndjson), through the
/// <c>normalize</c> command with <c>--federated-domain example.org</c>.
/// </summary>
public sealed class GoldenTests
{
    private static readonly string DataFolder = Path.Combine(AppContext.BaseDirectory, "Normalization", "Data");

    [Fact]
    public async Task NormalizeCommand_GoldenRecords_MatchReviewedOutputLineByLine()
    {
        var expected = await File.ReadAllLinesAsync(Path.Combine(DataFolder, "golden-expected.ndjson"));

        var (code, output, error) = await NormalizeCommandTests.Run("", "--federated-domain", "example.org", Path.Combine(DataFolder, "golden-records.json"));

        Assert.Equal(0, code);
        Assert.Equal("", error);
        var actual = NormalizeCommandTests.Lines(output);
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(expected[i] == actual[i], $"Line {i + 1} differs.\nExpected: {expected[i]}\nActual:   {actual[i]}");
        }
    }

    [Fact]
    public async Task GoldenRecords_CoverEveryAdminActionAndSignInOutcome()
    {
        var lines = await File.ReadAllLinesAsync(Path.Combine(DataFolder, "golden-expected.ndjson"));
        var kinds = new Dictionary<string, int>();
        var actions = new HashSet<string>();
        var results = new HashSet<string>();
        foreach (var line in lines)
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var kind = root.GetProperty("kind").GetString()!;
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            if (kind == "admin")
            {
                actions.Add(root.GetProperty("action").GetString()!);
            }
            else if (kind == "ingress")
            {
                results.Add(root.GetProperty("result").GetString()!);
            }
        }

        Assert.Equal(new Dictionary<string, int> { ["ingress"] = 11, ["admin"] = 38, ["raw"] = 6 }, kinds);
        Assert.Equal(Enum.GetNames<AdminAction>().Order(), actions.Order());
        Assert.Equal(Enum.GetNames<SignInResult>().Order(), results.Order());
    }
}
