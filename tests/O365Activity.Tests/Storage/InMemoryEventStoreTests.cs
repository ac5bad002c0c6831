using O365Activity.Storage;
using O365Activity.Storage.InMemory;

namespace O365Activity.Tests.Storage;

/// <summary>The event-store contract on the in-memory store.</summary>
public sealed class InMemoryEventStoreTests : EventStoreContract
{
    protected override Task<IEventStore> CreateStoreAsync() => Task.FromResult<IEventStore>(new InMemoryEventStore());
}
