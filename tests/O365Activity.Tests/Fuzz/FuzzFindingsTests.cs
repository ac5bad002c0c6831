using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using O365Activity.Cli.Normalize;
using O365Activity.Grains.Collection;
using O365Activity.Grains.Normalization;

namespace O365Activity.Tests.Fuzz;

/// <summary>What the fuzz properties found, each kept as a plain regression test.</summary>
public sealed class FuzzFindingsTests
{
    private static readonly NormalizationContext Service = new(Guid.NewGuid(), DateTimeOffset.UtcNow, "Audit.AzureActiveDirectory", []) { KeepRawJson = false };

    /// <summary>
    /// System.Text.Json parses invalid UTF-8 inside strings and names, and escapes of unpaired surrogates, but throws
    /// (InvalidOperationException) when a string is read: one such record failed its whole blob, again at every poll,
    /// and ended the <c>normalize</c> command. Now its strings are repaired (U+FFFD) and it is stored like any record.
    /// </summary>
    [Theory]
    [InlineData(new byte[] { 0xBD, 0xCF }, true)]
    [InlineData(new byte[] { 0xC0, 0x80 }, false)]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 }, false)]
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 }, true)]
    public void Record_WithInvalidUtf8InANameOrAValue_IsStored_WithItsTextRepaired(byte[] invalid, bool inName)
    {
        var before = "{\"Id\":\"r-1\",\"CreationTime\":\"2024-06-01T08:00:00\",\"Operation\":\"UserLoggedIn\",\"RecordType\":15,"u8.ToArray();
        var field = inName ? [(byte)'"', .. invalid, .. "UserId\":\"ana@example.com\"}"u8] : (byte[])[.. "\"UserId\":\"ana"u8, .. invalid, .. "@example.com\"}"u8];
        using var document = JsonDocument.Parse((byte[])[.. before, .. field]);

        var stored = CollectionPipeline.Prepare(new AuditRecordNormalizer(), document.RootElement, Service, out _, out var rejected);

        Assert.Null(rejected);
        Assert.NotNull(stored);
        Assert.Equal("r-1", stored.RecordId);
        var normalized = new AuditRecordNormalizer().Normalize(document.RootElement, Service);
        Assert.Contains('\uFFFD', normalized.Raw.RawJson);
        // Each invalid sequence's bytes read as U+FFFD.
        Assert.Matches(inName ? "^unknown$" : "^ana\uFFFD+@example.com$", ((O365Activity.Contracts.Activity.IngressEvent)normalized.Activity!).User);
    }

    [Theory]
    [InlineData(@"ana\ud800@example.com", "ana\uFFFD@example.com")]
    [InlineData(@"ana\uDC00@example.com", "ana\uFFFD@example.com")]
    [InlineData(@"ana\ud83d\ude00@example.com", "ana\U0001F600@example.com")]
    [InlineData(@"ana\\ud800@example.com", @"ana\ud800@example.com")]
    public void Record_WithAnUnpairedSurrogateEscape_IsRead_AndKeepsItsTextAsReceived(string escapedUser, string user)
    {
        var json = $$"""{"Id":"r-2","CreationTime":"2024-06-01T08:00:00","Operation":"UserLoggedIn","RecordType":15,"UserId":"{{escapedUser}}"}""";
        using var document = JsonDocument.Parse(json);

        var normalized = new AuditRecordNormalizer().Normalize(document.RootElement, Service with { KeepRawJson = true });

        Assert.Equal(user, ((O365Activity.Contracts.Activity.IngressEvent)normalized.Activity!).User);
        Assert.Equal(json, normalized.Raw.RawJson);
    }

    /// <summary>Found by the long run: the same escape inside JSON written in a string (decoded by the normalizer) threw too.</summary>
    [Fact]
    public void Record_WithAnUnpairedSurrogateEscape_InsideJsonWrittenInAString_IsRead()
    {
        var json = """{"Id":"r-3","CreationTime":"2024-06-01T08:00:00","Operation":"Update user.","RecordType":8,"UserId":"admin@example.com","ModifiedProperties":"[{\"Name\":\"x\\ud800\",\"NewValue\":\"y\\udfff\",\"OldValue\":\"\"}]"}""";
        using var document = JsonDocument.Parse(json);

        var stored = CollectionPipeline.Prepare(new AuditRecordNormalizer(), document.RootElement, Service, out _, out var rejected);

        Assert.Null(rejected);
        Assert.NotNull(stored);
        var change = Assert.Single(new AuditRecordNormalizer().Normalize(document.RootElement, Service).Raw.Changes);
        Assert.Equal(("x\uFFFD", "y\uFFFD"), (change.Name, change.NewValue));
    }

    [Fact]
    public void Record_WithoutId_AndAnUnpairedSurrogate_GetsTheSameDerivedId_WhetherItsTextIsKeptOrNot()
    {
        using var document = JsonDocument.Parse("""{"CreationTime":"2024-06-01T08:00:00","Operation":"x\udfff"}""");
        var normalizer = new AuditRecordNormalizer();

        var service = normalizer.Normalize(document.RootElement, Service);
        var offline = normalizer.Normalize(document.RootElement, Service with { KeepRawJson = true });

        Assert.Equal(offline.Raw.RecordId, service.Raw.RecordId);
        Assert.Equal(AuditRecordNormalizer.DerivedId(document.RootElement.GetRawText()), service.Raw.RecordId);
    }

    /// <summary>Found by the long run: the repaired text was parsed again without the trailing comma the command's reader allows.</summary>
    [Fact]
    public async Task NormalizeCommand_RecordWithATrailingCommaAndAnUnpairedSurrogateEscape_IsNormalized()
    {
        using var input = new MemoryStream(Encoding.UTF8.GetBytes("{\"Id\":\"\\udfff\\ud800x\", /* note */ \"Operation\":\"Set-Mailbox\",}\n"));
        using var output = new MemoryStream();
        var error = new StringWriter();

        var code = await NormalizeCommand.RunAsync([], input, output, error, new ConfigurationBuilder().Build());

        Assert.Equal(0, code);
        using var line = JsonDocument.Parse(Encoding.UTF8.GetString(output.ToArray()));
        Assert.Equal("\uFFFD\uFFFDx", line.RootElement.GetProperty("recordId").GetString());
    }

    /// <summary>System.Text.Json's messages quote the bad character: a line break in the input broke the report's line.</summary>
    [Fact]
    public async Task NormalizeCommand_AnErrorQuotingAControlCharacter_IsReportedOnOneLine_Escaped()
    {
        using var input = new MemoryStream(Encoding.UTF8.GetBytes("{\"Id\":\"a\",\"CreationTime\":t\r}\n{\"Id\":\"b\",\"Operation\":\"\u202Ex\",\"CreationTime\":\"\u202E\"}\n"));
        using var output = new MemoryStream();
        var error = new StringWriter();

        var code = await NormalizeCommand.RunAsync([], input, output, error, new ConfigurationBuilder().Build());

        Assert.Equal(1, code);
        var lines = error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("normalize: line 1: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(@"\r", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("normalize: line 2: warning: ", lines[1], StringComparison.Ordinal);
        Assert.Contains(@"\u202e", lines[1], StringComparison.OrdinalIgnoreCase);
        Assert.All(lines, l => Assert.DoesNotContain(l, c => char.IsControl(c) || c == '\u202E'));
    }
}
