using O365Activity.Emulator;

namespace O365Activity.Tests.Emulator;

/// <summary>The emulator's command line (run-local.sh).</summary>
public sealed class CommandLineTests
{
    [Fact]
    public void Parse_AllFlags_FillTheOptions()
    {
        var line = CommandLine.Parse(
        [
            "--urls", "http://127.0.0.1:5090", "--records", "/data/records", "--client-id", "abc", "--client-secret", "s3",
            "--generate-every", "10s", "--blob-size", "20", "--page-size", "7", "--next-page-header", "NextPageUrl",
            "--throttle", "2000", "--throttle-status", "403", "--auto-consent",
            "--consent-tenant", "9d0c4a1e-5b7f-4c2a-8e3d-1f2a3b4c5d6e", "--clock-skew", "-90m", "--signing-key", "k",
        ]);

        var o = line.Options;
        Assert.False(line.ShowHelp);
        Assert.Equal(("http://127.0.0.1:5090", "/data/records", "abc", "s3", "k"), (o.Url, o.RecordsDirectory, o.ClientId, o.ClientSecret, o.TokenSigningKey));
        Assert.Equal((TimeSpan.FromSeconds(10), 20, TimeSpan.FromMinutes(-90)), (o.GenerateEvery, o.BlobSize, o.ClockSkew));
        Assert.Equal(new PagingBehavior(7, "NextPageUrl"), o.Paging);
        Assert.Equal(new ThrottleBehavior(2000, 403), o.Throttling);
        Assert.True(o.AutoConsentAllTenants);
        Assert.Equal(Guid.Parse("9d0c4a1e-5b7f-4c2a-8e3d-1f2a3b4c5d6e"), o.DefaultConsentTenant);
    }

    [Fact]
    public void Parse_SyntheticFlags_FillBacklogRateAndSeed()
    {
        var line = CommandLine.Parse(["--backlog", "1000000,48", "--generate-rate", "2000", "--generate-every", "500ms", "--seed", "-42", "--blob-size", "1000"], () => null);

        var o = line.Options;
        Assert.Equal(new BacklogOptions(1_000_000) { Window = TimeSpan.FromHours(48) }, o.Backlog);
        Assert.Equal((2000.0, TimeSpan.FromMilliseconds(500), -42, 1000), (o.GenerateRate, o.GenerateEvery, o.GeneratorSeed, o.BlobSize));
    }

    [Theory]
    [InlineData("500", 500, 24.0)]
    [InlineData("20000,0.5", 20_000, 0.5)]
    [InlineData("7, 168", 7, 168.0)]
    public void Parse_Backlog_ReadsRecordsAndOptionalHours(string text, int records, double hours)
    {
        var backlog = CommandLine.Parse(["--backlog", text], () => null).Options.Backlog;

        Assert.Equal(new BacklogOptions(records) { Window = TimeSpan.FromHours(hours) }, backlog);
    }

    [Fact]
    public void Parse_NoSyntheticFlags_LeavesThemOff()
    {
        var o = CommandLine.Parse([], () => null).Options;

        Assert.Equal((null, null, null, null), (o.Backlog, o.GenerateRate, o.GenerateEvery, o.GeneratorSeed));
    }

    [Theory]
    [InlineData("--backlog", "0")]
    [InlineData("--backlog", "ten")]
    [InlineData("--backlog", "10,169")]
    [InlineData("--backlog", "10,0")]
    [InlineData("--backlog", "10,x")]
    [InlineData("--backlog", "1,2,3")]
    [InlineData("--generate-rate", "0")]
    [InlineData("--generate-rate", "-5")]
    [InlineData("--generate-rate", "fast")]
    [InlineData("--generate-rate", "NaN")]
    [InlineData("--seed", "x")]
    [InlineData("--backlog")]
    public void Parse_BadSyntheticFlag_ThrowsFormatExceptionNamingTheOption(params string[] args)
    {
        var error = Assert.Throws<FormatException>(() => CommandLine.Parse(args, () => null));

        Assert.StartsWith(args[0], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Usage_ListsTheSyntheticFlags()
    {
        Assert.Contains("--backlog N[,HOURS]", CommandLine.Usage, StringComparison.Ordinal);
        Assert.Contains("--generate-rate R", CommandLine.Usage, StringComparison.Ordinal);
        Assert.Contains("--seed N", CommandLine.Usage, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NoRecordsFlag_UsesSharedSamplesElseDemoRecords()
    {
        Assert.Equal("/found/samples", CommandLine.Parse([], () => "/found/samples").Options.RecordsDirectory);
        Assert.Equal(CommandLine.DemoRecordsDirectory, CommandLine.Parse([], () => null).Options.RecordsDirectory);
        Assert.Equal(CommandLine.DemoRecordsDirectory, CommandLine.Parse(["--records", "demo"], () => "/x").Options.RecordsDirectory);
        Assert.Null(CommandLine.Parse(["--records", "none"], () => "/x").Options.RecordsDirectory);
        Assert.Equal("http://127.0.0.1:5090", CommandLine.Parse([], () => null).Options.Url);
    }

    [Theory]
    [InlineData("--nope")]
    [InlineData("--blob-size", "0")]
    [InlineData("--generate-every", "soon")]
    [InlineData("--throttle-status", "500")]
    [InlineData("--consent-tenant", "contoso")]
    [InlineData("--urls")]
    public void Parse_BadInput_ThrowsFormatExceptionNamingTheOption(params string[] args)
    {
        var error = Assert.Throws<FormatException>(() => CommandLine.Parse(args, () => null));

        Assert.Contains(args[0], error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("2m", 120_000)]
    [InlineData("00:00:10", 10_000)]
    [InlineData("-1h", -3_600_000)]
    public void ParseSpan_ReadsUnitsAndClockForm(string text, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), CommandLine.ParseSpan("--x", text));
}
