using System.Globalization;
using O365Activity.Grains.Normalization;

namespace O365Activity.Tests.Normalization;

/// <summary>
/// Cases T01 and T02 (cases/time-and-windows.md). T02 runs with the process's local zone switched to America/New_York,
/// so the tests of this collection run alone.
/// </summary>
[Collection(LocalTimeZoneCollection.Name)]
public sealed class TimeTests
{
    [Fact]
    public void IngressEvent_T01_EventTimeIsCreationTimeNotIngestTime()
    {
        var context = NormalizerHarness.Context() with { IngestTime = new DateTimeOffset(2024, 6, 2, 10, 0, 0, TimeSpan.Zero) };
        var result = NormalizerHarness.Normalize(
            """
            {"CreationTime":"2024-06-01T08:00:00","Id":"b4c5d6e7-f8a9-4b0c-9d1e-2f3a4b5c6d7e","Operation":"UserLoggedIn",
             "RecordType":15,"Workload":"AzureActiveDirectory","ResultStatus":"Success",
             "UserId":"omar@example.com","ClientIP":"203.0.113.61"}
            """,
            context: context);

        var ingress = Assert.IsType<Contracts.Activity.IngressEvent>(result.Activity);
        Assert.Equal(new DateTimeOffset(2024, 6, 1, 8, 0, 0, TimeSpan.Zero), ingress.EventTime);
        Assert.Equal(TimeSpan.Zero, ingress.EventTime.Offset);
        Assert.Equal(new DateTimeOffset(2024, 6, 2, 10, 0, 0, TimeSpan.Zero), ingress.IngestTime);
        Assert.Equal(ingress.EventTime, result.Raw.EventTime);
        Assert.Equal(ingress.IngestTime, result.Raw.IngestTime);
    }

    /// <summary>Case T02's table, with the host zone set to America/New_York while parsing.</summary>
    [Theory]
    [InlineData("2023-12-07T20:49:05", "2023-12-07T20:49:05.0000000Z")]
    [InlineData("2023-12-07T20:49:05Z", "2023-12-07T20:49:05.0000000Z")]
    [InlineData("2023-12-07T20:49:05.123", "2023-12-07T20:49:05.1230000Z")]
    [InlineData("2023-12-07T20:49:05.1234567", "2023-12-07T20:49:05.1234567Z")]
    [InlineData("2023-12-07T20:49:05.1234567Z", "2023-12-07T20:49:05.1234567Z")]
    public void AuditTime_T02_ZonelessCreationTimeInNewYork_ReadAsUtc(string creationTime, string expectedUtc)
    {
        using var zone = LocalTimeZone.Set("America/New_York");
        Assert.Equal("America/New_York", TimeZoneInfo.Local.Id);
        Assert.NotEqual(TimeSpan.Zero, TimeZoneInfo.Local.GetUtcOffset(new DateTime(2023, 12, 7, 20, 49, 5, DateTimeKind.Utc)));

        Assert.True(AuditTime.TryParse(creationTime, out var time));
        Assert.Equal(TimeSpan.Zero, time.Offset);
        Assert.Equal(expectedUtc, time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));

        var raw = NormalizerHarness.Normalize($$"""{"Id":"x","CreationTime":"{{creationTime}}"}""").Raw;
        Assert.Equal(time, raw.EventTime);
    }

    [Theory]
    [InlineData("2022-12-12 15:57:57", "2022-12-12T15:57:57.0000000Z")]
    [InlineData("2025-07-07 09:11:11.000000000", "2025-07-07T09:11:11.0000000Z")]
    [InlineData("2023-12-07T20:49:05.123456789Z", "2023-12-07T20:49:05.1234568Z")]
    [InlineData("2023-12-07T22:49:05+02:00", "2023-12-07T20:49:05.0000000Z")]
    [InlineData(" 2023-12-07T20:49:05 ", "2023-12-07T20:49:05.0000000Z")]
    public void AuditTime_OtherSpellings_ReadAsUtc(string creationTime, string expectedUtc)
    {
        Assert.True(AuditTime.TryParse(creationTime, out var time));
        Assert.Equal(TimeSpan.Zero, time.Offset);
        Assert.Equal(expectedUtc, time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("2023-13-45T99:00:00")]
    public void AuditTime_NotATime_FalseAndMinValue(string? creationTime)
    {
        Assert.False(AuditTime.TryParse(creationTime, out var time));
        Assert.Equal(DateTimeOffset.MinValue, time);
    }
}

/// <summary>Tests that change the process's local time zone; they run alone, after the other collections.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LocalTimeZoneCollection
{
    public const string Name = "Local time zone";
}

/// <summary>Switches the process's local time zone through <c>TZ</c> and restores it when disposed.</summary>
internal sealed class LocalTimeZone : IDisposable
{
    private readonly string? _previous;

    private LocalTimeZone(string? previous) => _previous = previous;

    public static LocalTimeZone Set(string zone)
    {
        var previous = Environment.GetEnvironmentVariable("TZ");
        Environment.SetEnvironmentVariable("TZ", zone);
        TimeZoneInfo.ClearCachedData();
        return new LocalTimeZone(previous);
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("TZ", _previous);
        TimeZoneInfo.ClearCachedData();
    }
}
