using O365Activity.Emulator;

namespace O365Activity.Tests.Emulator;

/// <summary>The emulator's consent file: admin consents survive an emulator restart, as they do in Entra.</summary>
public sealed class ConsentFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("o365-consents-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task ConsentFile_GrantedThenRestarted_TenantStillConsented_RevokedIsNot()
    {
        var file = Path.Combine(_folder, "consents.txt");
        var (kept, revoked, never) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await using (var first = await EmulatorServer.StartAsync(new EmulatorOptions { ConsentFile = file }))
        {
            first.State.GrantConsent(kept);
            first.State.GrantConsent(revoked);
            first.State.RevokeConsent(revoked);
        }

        await using var second = await EmulatorServer.StartAsync(new EmulatorOptions { ConsentFile = file });

        Assert.True(second.State.IsConsented(kept));
        Assert.False(second.State.IsConsented(revoked));
        Assert.False(second.State.IsConsented(never));
        Assert.Equal([kept.ToString()], await File.ReadAllLinesAsync(file));
    }

    [Fact]
    public async Task ConsentFile_ALineThatIsNotATenantId_StopsTheStartWithTheFileAndTheLine()
    {
        var file = Path.Combine(_folder, "consents.txt");
        await File.WriteAllLinesAsync(file, [Guid.NewGuid().ToString(), "contoso"]);

        var error = await Assert.ThrowsAsync<FormatException>(() => EmulatorServer.StartAsync(new EmulatorOptions { ConsentFile = file }));

        Assert.Contains("contoso", error.Message, StringComparison.Ordinal);
        Assert.Contains(file, error.Message, StringComparison.Ordinal);
    }
}
