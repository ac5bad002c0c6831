namespace O365Activity.Harness;

/// <summary>Where the repository and the built programs are, found from the test assembly's location.</summary>
public static class RepoPaths
{
    /// <summary>The repository root (the folder with Orleans.sln).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration the tests were built with (Debug or Release).</summary>
    public static string Configuration { get; } = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>The built silo program.</summary>
    public static string Silo => Program("Silo", "O365Activity.Silo.dll");

    /// <summary>The built gateway program.</summary>
    public static string Gateway => Program("Gateway", "O365Activity.Gateway.dll");

    /// <summary>The project-local PostgreSQL script.</summary>
    public static string LocalPostgres => Path.Combine(Root, "tools", "local-postgres.sh");

    /// <summary>A folder for one test's process logs, under .local/test-logs.</summary>
    public static string LogFolder(string test)
    {
        var folder = Path.Combine(Root, ".local", "test-logs", test);
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static string Program(string project, string dll)
    {
        var path = Path.Combine(Root, project, "bin", Configuration, "net10.0", dll);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is not built; build Orleans.sln first (./test.sh does).", path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Orleans.sln above {AppContext.BaseDirectory}.");
    }
}
