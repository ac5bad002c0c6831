using O365Activity.Contracts;

namespace O365Activity.Grains;

/// <summary>
/// The set of tenant ids with an event source (key 0), so that <c>ListEventSources</c> need not scan storage. Its
/// state (state name <c>registry</c>) holds one GUID per tenant.
/// </summary>
[GrainType("event-source-registry")]
public sealed class EventSourceRegistryGrain(
    [PersistentState("registry", StorageNames.Registry)] IPersistentState<EventSourceRegistryState> state)
    : Grain, IEventSourceRegistryGrain
{
    /// <inheritdoc />
    public async Task Add(Guid tenantId)
    {
        if (state.State.TenantIds.Add(tenantId))
        {
            await state.WriteStateAsync();
        }
    }

    /// <inheritdoc />
    public async Task Remove(Guid tenantId)
    {
        if (state.State.TenantIds.Remove(tenantId))
        {
            await state.WriteStateAsync();
        }
    }

    /// <inheritdoc />
    public Task<ImmutableArray<Guid>> List() => Task.FromResult(state.State.TenantIds.Order().ToImmutableArray());
}

/// <summary>The registry's persisted state.</summary>
[GenerateSerializer, Alias("o365.EventSourceRegistryState")]
public sealed class EventSourceRegistryState
{
    /// <summary>Tenant ids with an event source.</summary>
    [Id(0)] public HashSet<Guid> TenantIds { get; set; } = [];
}
