namespace O365Activity.Tests.Normalization;

/// <summary>
/// Finds the shared reference folder (<c>../shared</c> beside the repository root, the directory that holds
/// <c>Orleans.sln</c>), walking up from the test binaries.
/// </summary>
public static class SharedFolder
{
    private static readonly Lazy<string?> Root = new(Find);

    /// <summary>The shared folder, or null when it is not there.</summary>
    public static string? Path => Root.Value;

    /// <summary>A file or folder inside the shared folder.</summary>
    public static string Combine(params string[] parts) =>
        System.IO.Path.Combine([Path ?? throw new InvalidOperationException("The shared folder is missing."), .. parts]);

    private static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Orleans.sln")))
            {
                var shared = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "..", "shared"));
                return Directory.Exists(shared) ? shared : null;
            }
        }

        return null;
    }
}

/// <summary>A fact that is skipped, with a message saying why, when the shared folder or one of its parts is missing.</summary>
public sealed class SharedFactAttribute : FactAttribute
{
    public SharedFactAttribute(params string[] requiredParts)
    {
        if (SharedFolder.Path is null)
        {
            Skip = "The shared reference folder (../shared beside the directory holding Orleans.sln) is missing; this test reads it.";
        }
        else if (requiredParts.Length > 0 && !System.IO.Path.Exists(SharedFolder.Combine(requiredParts)))
        {
            Skip = $"{SharedFolder.Combine(requiredParts)} is missing; this test reads it.";
        }
    }
}

/// <summary>A theory that is skipped, with a message saying why, when the shared folder is missing.</summary>
public sealed class SharedTheoryAttribute : TheoryAttribute
{
    public SharedTheoryAttribute()
    {
        if (SharedFolder.Path is null)
        {
            Skip = "The shared reference folder (../shared beside the directory holding Orleans.sln) is missing; this test reads it.";
        }
    }
}
