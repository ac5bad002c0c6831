namespace O365Activity.Tests.Infrastructure.Processes;

/// <summary>
/// The tests that run the service as real processes (several silos, gateways, their own databases). They run one at a
/// time and after the parallel tests, because each of them loads both cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "processes";
}
