namespace O365Activity.Silo;

/// <summary>The silo's entry point.</summary>
public static class Program
{
    /// <summary>Runs the silo until stopped.</summary>
    public static Task<int> Main(string[] args) => Task.FromResult(0);
}
