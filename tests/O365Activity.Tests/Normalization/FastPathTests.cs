using System.Text;
using System.Text.Json;
using O365Activity.Contracts.Activity;
using O365Activity.Grains.Normalization;

namespace O365Activity.Tests.Normalization;

/// <summary>
/// The normalizer's shortcuts read as the general code does: <c>CreationTime</c> from UTF-8 in its common format, and a
/// record normalized without keeping its text.
/// </summary>
public sealed class FastPathTests
{
    [Theory]
    [InlineData("2024-06-01T08:00:00")]
    [InlineData("2024-06-01T08:00:00Z")]
    [InlineData("2024-06-01 08:00:00")]
    [InlineData("2024-06-01T08:00:00.5")]
    [InlineData("2024-06-01T08:00:00.1234567Z")]
    [InlineData("2024-02-29T23:59:59")]
    [InlineData("0001-01-01T00:00:00")]
    [InlineData("9999-12-31T23:59:59.9999999")]
    public void AuditTime_CanonicalText_ReadAsTryParseReadsIt(string text)
    {
        Assert.True(AuditTime.TryParseCanonical(Encoding.UTF8.GetBytes(text), out var fast), $"{text} is canonical");
        Assert.True(AuditTime.TryParse(text, out var general));
        Assert.Equal(general, fast);
        Assert.Equal(TimeSpan.Zero, fast.Offset);
    }

    [Theory]
    [InlineData("2024-02-30T10:00:00")]
    [InlineData("2023-02-29T10:00:00")]
    [InlineData("2024-06-01T24:00:00")]
    [InlineData("2024-06-01T08:00:60")]
    [InlineData("2024-06-01T08:00:00.12345678")]
    [InlineData("2024-06-01T08:00:00+02:00")]
    [InlineData(" 2024-06-01T08:00:00")]
    [InlineData("2024-06-01T08:00:00 ")]
    [InlineData("2024-06-01T08:00:00.")]
    [InlineData("0000-01-01T00:00:00")]
    [InlineData("2024-6-01T08:00:00")]
    [InlineData("1717228800")]
    [InlineData("")]
    public void AuditTime_OtherText_LeftToTryParse(string text)
    {
        Assert.False(AuditTime.TryParseCanonical(Encoding.UTF8.GetBytes(text), out var time), $"{text} is not canonical");
        Assert.Equal(DateTimeOffset.MinValue, time);
    }

    [Fact]
    public void AuditTime_EveryCanonicalShape_SameTimeAsTryParse()
    {
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            var text = $"{random.Next(1, 10_000):0000}-{random.Next(0, 14):00}-{random.Next(0, 33):00}{(random.Next(2) == 0 ? 'T' : ' ')}"
                + $"{random.Next(0, 26):00}:{random.Next(0, 62):00}:{random.Next(0, 62):00}"
                + (random.Next(3) == 0 ? "." + random.Next(0, 10_000_000).ToString("D7")[..random.Next(1, 8)] : "")
                + (random.Next(2) == 0 ? "Z" : "");
            var general = AuditTime.TryParse(text, out var expected);
            if (AuditTime.TryParseCanonical(Encoding.UTF8.GetBytes(text), out var fast))
            {
                Assert.True(general, $"{text}: canonical, but TryParse refuses it");
                Assert.Equal(expected, fast);
            }
        }
    }

    [Fact]
    public void Normalize_WithoutKeepingRawJson_SameEventsWithEmptyRawJson()
    {
        var json = NormalizerHarness.SignIn("""
            "ClientIP":"203.0.113.7","ExtendedProperties":[{"Name":"UserAgent","Value":"Edge"}],
            "DeviceProperties":[{"Name":"OS","Value":"Windows10"},{"Name":"SessionId","Value":"5"}]
            """);
        var kept = NormalizerHarness.Normalize(json);

        var notKept = NormalizerHarness.Normalize(json, context: NormalizerHarness.Context() with { KeepRawJson = false });

        Assert.Equal("", notKept.Raw.RawJson);
        Assert.Equal("", notKept.Activity!.RawJson);
        Assert.Equal(Json(kept.Raw with { RawJson = "" }), Json(notKept.Raw));
        Assert.Equal(Json(kept.Activity! with { RawJson = "" }), Json(notKept.Activity));
    }

    private static string Json(ActivityEvent activity) => JsonSerializer.Serialize(activity, activity.GetType());
}
