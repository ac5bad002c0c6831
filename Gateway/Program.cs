namespace O365Activity.Gateway;

/// <summary>The gateway's entry point.</summary>
public static class Program
{
    /// <summary>Runs the gateway until stopped.</summary>
    public static Task<int> Main(string[] args) => Task.FromResult(0);
}
