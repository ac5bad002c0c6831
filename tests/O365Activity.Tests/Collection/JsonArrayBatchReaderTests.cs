using System.Text;
using System.Text.Json;
using O365Activity.Grains.Collection;

using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.Collection;

/// <summary>
/// The blob body reader: every element of a JSON array, exactly as received and in order, however the body is cut
/// into reads and batches; the errors and the bodies that JsonSerializer.DeserializeAsyncEnumerable accepted or refused.
/// </summary>
public sealed class JsonArrayBatchReaderTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    [InlineData(100_000)]
    public async Task ReadAsync_ManyRecordsInReadsOfAnySize_EveryElementExactlyAsReceived(int readSize)
    {
        var elements = Records(2_000).ToList();
        var body = "[" + string.Join(",\n ", elements) + "]";

        var read = await ReadAllAsync(body, readSize);

        Assert.Equal(elements, read);
    }

    [Fact]
    public async Task ReadAsync_CommasAndRecordStartsInsideStringsAndInnerLists_DoNotSplitRecords()
    {
        // Every record starts with {"CreationTime" and so do objects of its inner list and text in its strings.
        var elements = Enumerable.Range(0, 3_000).Select(i =>
            $$"""{"CreationTime":"2024-06-01T08:00:00","Id":"{{i}}","Inner":[{"CreationTime":1},{"CreationTime":2}],"Text":"}, {\"CreationTime\":\"x\"},{ \\","Tail":[{"a":"},{"},{"b":[]}]}""")
            .ToList();
        var body = "[" + string.Join(",", elements) + "]";

        var read = await ReadAllAsync(body, 10_000);

        Assert.Equal(elements, read);
    }

    [Fact]
    public async Task ReadAsync_ElementLargerThanTheBuffer_IsReadWhole()
    {
        var large = $$"""{"Id":"large","Text":"{{new string('x', 300_000)}}"}""";
        var elements = new[] { """{"Id":"a"}""", large, """{"Id":"b"}""" };

        var read = await ReadAllAsync("[" + string.Join(",", elements) + "]", 8_192);

        Assert.Equal(elements, read);
    }

    [Fact]
    public async Task ReadAsync_ElementsOfAnyKind_AreElements()
    {
        var read = await ReadAllAsync("""[1, "two" , {"three":3}, [4], null, true]""", 3);

        Assert.Equal(["1", "\"two\"", """{"three":3}""", "[4]", "null", "true"], read);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData(" \r\n [ ] \n")]
    [InlineData("null")]
    [InlineData(" null \n")]
    [InlineData("\uFEFF[]")]
    public async Task ReadAsync_EmptyArrayOrNull_NoElements(string body)
    {
        Assert.Empty(await ReadAllAsync(body, 100));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{}")]
    [InlineData("\"text\"")]
    [InlineData("<html></html>")]
    [InlineData("[1,2,]")]
    [InlineData("[,1]")]
    [InlineData("[1] x")]
    [InlineData("[1][2]")]
    [InlineData("null x")]
    [InlineData("[{\"a\":1}")]
    [InlineData("[{\"a\":1}/*comment*/]")]
    public async Task ReadAsync_NotOneJsonArray_ThrowsJsonException(string body)
    {
        await Assert.ThrowsAnyAsync<JsonException>(() => ReadAllAsync(body, 100));
    }

    [Fact]
    public async Task ReadAsync_ErrorAfterManyBatches_ThrowsAfterTheRecordsBeforeIt()
    {
        var elements = Records(2_000).ToList();
        var body = "[" + string.Join(",", elements) + ",{\"broken\":}]";
        var read = new List<string>();

        await Assert.ThrowsAnyAsync<JsonException>(() => ReadAllAsync(body, 65_536, read));

        Assert.True(read.Count > 0, "the records of the batches before the error were read");
        Assert.Equal(elements.Take(read.Count), read);
    }

    [Fact]
    public async Task ReadAsync_BlobReadInOneBatch_ElementsStayValidAfterTheReaderIsDisposed()
    {
        var elements = new List<JsonElement>();
        using (var reader = new JsonArrayBatchReader(new MemoryStream("""[{"Id":"1"},{"Id":"2"}]"""u8.ToArray())))
        {
            while (await reader.ReadAsync(CancellationToken.None))
            {
                elements.AddRange(reader.Current.EnumerateArray());
            }
        }

        Assert.Equal(["1", "2"], elements.Select(e => e.GetProperty("Id").GetString()));
    }

    private static IEnumerable<string> Records(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return $$"""{"CreationTime":"2024-06-01T08:{{i % 60:00}}:00","Id":"{{Guid.NewGuid()}}","Operation":"UserLoggedIn","ExtendedProperties":[{"Name":"UserAgent","Value":"Mozilla/5.0 \"quoted\" ✓"},{"Name":"RequestType","Value":"OAuth2:Authorize"}],"ModifiedProperties":"[{\"Name\":\"A\"},{\"Name\":\"B\"}]","Escapes":"\\\"],[{","Number":{{i}}}""";
        }
    }

    private static async Task<List<string>> ReadAllAsync(string body, int readSize, List<string>? read = null)
    {
        read ??= [];
        using var reader = new JsonArrayBatchReader(new CountingStream(Encoding.UTF8.GetBytes(body), readSize));
        while (await reader.ReadAsync(CancellationToken.None))
        {
            read.AddRange(reader.Current.EnumerateArray().Select(e => e.GetRawText()));
        }

        return read;
    }
}
