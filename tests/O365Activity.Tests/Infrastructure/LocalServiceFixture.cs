using O365Activity.Hosting;

namespace O365Activity.Tests.Infrastructure;

/// <summary>The whole service in one process on the composition's local variant: everything in memory, no database.</summary>
public sealed class LocalServiceFixture : ServiceFixture
{
    protected override ClusterMode Mode => ClusterMode.Local;
}

[CollectionDefinition(Name)]
public sealed class LocalServiceCollection : ICollectionFixture<LocalServiceFixture>
{
    public const string Name = "local service";
}
