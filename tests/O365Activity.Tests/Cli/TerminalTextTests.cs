using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using O365Activity.Cli.Terminal;

namespace O365Activity.Tests.Cli;

/// <summary>The one escaping function for terminal text, the table writer built on it, and the JSON encoding's own escaping.</summary>
public sealed class TerminalTextTests
{
    [Theory]
    [InlineData("ana@example.com", "ana@example.com")]
    [InlineData("", "")]
    [InlineData("Zoë Ærø 東京 😀", "Zoë Ærø 東京 😀")]
    [InlineData(@"DOMAIN\user", @"DOMAIN\user")]
    [InlineData("a\nb", @"a\nb")]
    [InlineData("a\r\nb\tc", @"a\r\nb\tc")]
    [InlineData("\u001b[31mred\u001b[0m", @"\x1b[31mred\x1b[0m")]
    [InlineData("nul\0bell\u0007del\u007f", @"nul\x00bell\x07del\x7f")]
    [InlineData("c1\u0085\u009b", @"c1\x85\x9b")]
    [InlineData("line\u2028para\u2029", @"line\u2028para\u2029")]
    [InlineData("exe.\u202egnp", @"exe.\u202egnp")]
    [InlineData("zero\u200bwidth\u200d\ufeff", @"zero\u200bwidth\u200d\ufeff")]
    [InlineData("soft\u00adhyphen", @"soft\xadhyphen")]
    [InlineData("tag\U000E0041", @"tag\u{e0041}")]
    public void Escape_ControlFormatAndSeparatorCharacters_VisibleEscapes(string text, string expected)
    {
        var escaped = TerminalText.Escape(text);

        Assert.Equal(expected, escaped);
        Assert.DoesNotContain(escaped, char.IsControl);
    }

    [Fact]
    public void Escape_EveryBmpCharacter_NoControlFormatOrSeparatorLeft()
    {
        for (var c = 0; c <= 0xffff; c++)
        {
            if (c is >= 0xd800 and <= 0xdfff)
            {
                continue;
            }

            var escaped = TerminalText.Escape(((char)c).ToString());
            Assert.All(escaped, e => Assert.False(
                char.GetUnicodeCategory(e) is System.Globalization.UnicodeCategory.Control or System.Globalization.UnicodeCategory.Format
                    or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator,
                $"U+{c:X4} escaped to '{escaped}'"));
        }
    }

    [Fact]
    public void Escape_Null_Empty() => Assert.Equal("", TerminalText.Escape(null));

    [Fact]
    public void Escape_LoneSurrogates_Escaped()
    {
        Assert.Equal(@"lone\ud800x\udc00", TerminalText.Escape("lone\ud800x\udc00"));
        Assert.Equal(@"end\ud83d", TerminalText.Escape("end\ud83d"));
    }

    [Fact]
    public async Task Table_AlignsColumnsRightAlignsNumbersEscapesCellsNoTrailingSpace()
    {
        var table = new Table("NAME", TableColumn.Right("COUNT"), "NOTE");
        table.Add("ana", "7", "");
        table.Add("evil\n\u001b[31m", "1234", "x");
        table.Add("bo");
        using var writer = new StringWriter();

        await table.WriteToAsync(writer, "  ");

        Assert.Equal(
            [
                @"  NAME            COUNT  NOTE",
                @"  ana                 7",
                @"  evil\n\x1b[31m   1234  x",
                @"  bo",
            ],
            CliRunner.Lines(writer.ToString()));
        Assert.Equal(3, table.Count);
        Assert.Throws<ArgumentException>(() => table.Add("a", "b", "c", "d"));
    }

    [Fact]
    public void JsonFormatter_ControlFormatAndSeparatorCharacters_EscapedAndParsedBack()
    {
        var value = new StringValue { Value = "a\nb\u001b[31mc\u2028d\u2029e\u202ef\u200bg\u0085h\u007fi\u0000j" };

        var json = JsonFormatter.Default.Format(new Struct { Fields = { ["v"] = Value.ForString(value.Value) } });

        Assert.Equal(@"{ ""v"": ""a\nb\u001b[31mc\u2028d\u2029e\u202ef\u200bg\u0085h\u007fi\u0000j"" }", json);
        Assert.Equal(value.Value, JsonParser.Default.Parse<Struct>(json).Fields["v"].StringValue);
    }
}
