namespace O365Activity.Emulator;

/// <summary>The emulator's entry point.</summary>
public static class Program
{
    /// <summary>Runs the emulator until stopped.</summary>
    public static Task<int> Main(string[] args) => Task.FromResult(0);
}
