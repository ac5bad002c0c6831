namespace O365Activity.Contracts;

/// <summary>The names of the grain storages the silo registers (silo composition and grains both use them).</summary>
public static class GrainStorageNames
{
    /// <summary>Storage of tenant grain state (state name <c>tenant</c>).</summary>
    public const string Tenants = "tenants";
}
