using System.Text;
using O365Activity.Cli.Normalize;

using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.Cli.Normalize;

/// <summary><see cref="ByteWindow"/>: encodings, line and column tracking, lines longer than its first buffer.</summary>
public sealed class ByteWindowTests
{
    [Fact]
    public async Task ByteWindow_Consume_TracksLineAndColumn()
    {
        var window = await Open(new MemoryStream("ab\ncd\r\nef"u8.ToArray()));

        window.Consume(4);
        Assert.Equal((2, 1), (window.Line, window.Column));
        window.Consume(3);
        Assert.Equal((3, 0), (window.Line, window.Column));
        Assert.Equal("ef", Encoding.UTF8.GetString(window.Span));
    }

    [Fact]
    public async Task ByteWindow_Utf8ByteOrderMark_SkippedWithoutMovingTheColumn()
    {
        var window = await Open(new MemoryStream([0xEF, 0xBB, 0xBF, .. "{}"u8]));

        Assert.Equal("{}", Encoding.UTF8.GetString(window.Span));
        Assert.Equal((1, 0), (window.Line, window.Column));
    }

    [Theory]
    [InlineData("utf-16")]
    [InlineData("utf-16BE")]
    [InlineData("utf-32")]
    public async Task ByteWindow_SeekableInputWithUnicodeByteOrderMark_TranscodedToUtf8(string encodingName)
    {
        var encoding = Encoding.GetEncoding(encodingName);
        var window = await Open(new MemoryStream([.. encoding.GetPreamble(), .. encoding.GetBytes("{\"City\":\"Zürich\"}\n")]));
        await window.EnsureAsync(int.MaxValue);

        Assert.Equal("{\"City\":\"Zürich\"}\n", Encoding.UTF8.GetString(window.Span));
    }

    [Fact]
    public async Task ByteWindow_NonSeekableInputWithUtf16ByteOrderMark_NotTranscoded()
    {
        byte[] bytes = [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("{}")];
        var window = await Open(new CountingStream(bytes));

        Assert.Equal(bytes, window.Span.ToArray());
    }

    [Fact]
    public async Task ByteWindow_LineLongerThanTheFirstBuffer_FoundWhole()
    {
        var line = new string('x', 200_000) + "\n";
        var window = await Open(new CountingStream(Encoding.UTF8.GetBytes(line + "next")));

        Assert.Equal(line.Length, await window.FindLineEndAsync(0));
        Assert.True(window.Length >= line.Length, $"window holds {window.Length} bytes");
        window.Consume(line.Length);
        Assert.Equal(("next".Length, 2), (await window.FindLineEndAsync(0), window.Line));
    }

    [Fact]
    public async Task ByteWindow_FindLineEndAtTheEndOfTheInput_MinusOneAndAtEnd()
    {
        var window = await Open(new MemoryStream("ab"u8.ToArray()));

        Assert.Equal(2, await window.FindLineEndAsync(0));
        window.Consume(2);
        Assert.Equal(-1, await window.FindLineEndAsync(0));
        Assert.True(window.AtEnd);
    }

    [Fact]
    public async Task ByteWindow_PeekLineStart_IndentAndFirstByte()
    {
        var window = await Open(new MemoryStream(" \t {\n"u8.ToArray()));

        Assert.Equal((3, (int)'{'), await window.PeekLineStartAsync());
        Assert.True(await window.SkipLineAsync());
        Assert.Equal((0, -1), await window.PeekLineStartAsync());
    }

    private static Task<ByteWindow> Open(Stream stream) => ByteWindow.OpenAsync(stream, CancellationToken.None);
}
