using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace O365Activity.Tests.Storage;

/// <summary>An Orleans serializer that knows the contract types, for the stores' payloads outside a cluster.</summary>
internal static class StorageServices
{
    public static Serializer Serializer { get; } = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(Contracts.Activity.IngressEvent).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();
}
