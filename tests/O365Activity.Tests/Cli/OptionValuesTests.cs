using O365Activity.Cli.Commands;
using O365Activity.Protos.V1;

namespace O365Activity.Tests.Cli;

/// <summary>The command line's time values (ISO 8601 or an age) and the proto enum names it reads and prints.</summary>
public sealed class OptionValuesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 15, 30, 45, TimeSpan.Zero);

    [Theory]
    [InlineData("45s", "2026-12-06T15:30:00Z")]
    [InlineData("30m", "2026-12-06T15:00:45Z")]
    [InlineData("2h", "2026-12-06T13:30:45Z")]
    [InlineData("7d", "2026-11-29T15:30:45Z")]
    [InlineData("2w", "2026-11-22T15:30:45Z")]
    [InlineData("0m", "2026-12-06T15:30:45Z")]
    [InlineData("2026-12-01", "2026-12-01T00:00:00Z")]
    [InlineData("2026-12-01T08:00:00Z", "2026-12-01T08:00:00Z")]
    [InlineData("2026-12-01T08:00:00.250Z", "2026-12-01T08:00:00.250Z")]
    [InlineData("2026-12-01T08:00:00+02:00", "2026-12-01T06:00:00Z")]
    [InlineData("2026-12-01T08:00", "2026-12-01T08:00:00Z")]
    [InlineData("2026-12-01 08:00:00", "2026-12-01T08:00:00Z")]
    [InlineData(" 2h ", "2026-12-06T13:30:45Z")]
    public void TryParseTime_IsoTimeDateOrAge_UtcTime(string text, string expected)
    {
        Assert.True(OptionValues.TryParseTime(text, Now, out var value));

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
        Assert.Equal(TimeSpan.Zero, value.Offset);
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("2h30m")]
    [InlineData("-2h")]
    [InlineData("h")]
    [InlineData("2y")]
    [InlineData("1.5h")]
    [InlineData("2H")]
    [InlineData("2026-13-01")]
    [InlineData("12/01/2026")]
    [InlineData("2026-12-01T25:00:00Z")]
    [InlineData("99999999999999d")]
    public void TryParseTime_AnythingElse_Refused(string text)
    {
        Assert.False(OptionValues.TryParseTime(text, Now, out _));
    }

    [Fact]
    public void ProtoNames_ShortAndFriendly_WithoutTheTypesPrefix()
    {
        Assert.Equal("ADMIN_ACTION_PASSWORD_RESET", ProtoNames.Canonical(AdminAction.PasswordReset));
        Assert.Equal("PASSWORD_RESET", ProtoNames.Short(AdminAction.PasswordReset));
        Assert.Equal("password-reset", ProtoNames.Friendly(AdminAction.PasswordReset));
        Assert.Equal("OTHER", ProtoNames.Short(AdminAction.Other));
        Assert.Equal("PENDING_CONSENT", ProtoNames.Short(ConnectionState.PendingConsent));
        Assert.Equal("INTERRUPTED", ProtoNames.Short(SignInResult.Interrupted));
        Assert.Equal("PARTIAL_SUCCESS", ProtoNames.Short(ActivityResult.PartialSuccess));
    }
}
