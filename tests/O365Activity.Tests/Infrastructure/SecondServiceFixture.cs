namespace O365Activity.Tests.Infrastructure;

/// <summary>
/// A second whole service, for what the shared one cannot have: consent links that live 3 seconds, a named credential
/// whose secret is wrong, access tokens that live 4 minutes (under MSAL's 5-minute renewal margin, so every poll asks
/// for a fresh one), and every log line kept (to search them for secrets). Its tests run beside the shared service's.
/// </summary>
public sealed class SecondServiceFixture : ServiceFixture
{
    /// <summary>How long the emulator's access tokens live here.</summary>
    public static TimeSpan TokenLifetime { get; } = TimeSpan.FromMinutes(4);

    /// <summary>The secret of the credential named <c>wrong</c>, which the emulator refuses (AADSTS7000215).</summary>
    public const string WrongSecret = "wrong-secret-value-7f3a9c";

    private readonly CapturedLogs _logs = new();

    /// <inheritdoc />
    public override CapturedLogs? Logs => _logs;

    /// <inheritdoc />
    protected override O365Activity.Emulator.EmulatorOptions Emulated(O365Activity.Emulator.EmulatorOptions options) => options with { TokenLifetime = TokenLifetime };

    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, string?> ExtraSiloSettings { get; } = new Dictionary<string, string?>
    {
        ["Collector:ConsentStateLifetime"] = "00:00:03",
        ["Collector:Credentials:wrong:ClientId"] = ClientId,
        ["Collector:Credentials:wrong:ClientSecret"] = WrongSecret,
    };
}

/// <summary>The tests of <see cref="SecondServiceFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class SecondServiceCollection : ICollectionFixture<SecondServiceFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "second service";
}
