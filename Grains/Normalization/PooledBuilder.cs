using System.Buffers;
using System.Runtime.InteropServices;

namespace O365Activity.Grains.Normalization;

/// <summary>Gathers items in a pooled array and makes an <see cref="ImmutableArray{T}"/> of exactly their number.</summary>
/// <typeparam name="T">The item type.</typeparam>
internal struct PooledBuilder<T>
{
    private T[]? _items;
    private int _count;

    /// <summary>Adds an item.</summary>
    public void Add(T item)
    {
        if (_items is null)
        {
            _items = ArrayPool<T>.Shared.Rent(8);
        }
        else if (_count == _items.Length)
        {
            var larger = ArrayPool<T>.Shared.Rent(_items.Length * 2);
            _items.AsSpan(0, _count).CopyTo(larger);
            ArrayPool<T>.Shared.Return(_items, clearArray: true);
            _items = larger;
        }

        _items[_count++] = item;
    }

    /// <summary>The items, in order (empty when none); the pooled array is returned.</summary>
    public ImmutableArray<T> ToImmutable()
    {
        if (_count == 0)
        {
            Dispose();
            return [];
        }

        var items = _items.AsSpan(0, _count).ToArray();
        Dispose();
        return ImmutableCollectionsMarshal.AsImmutableArray(items);
    }

    /// <summary>Returns the pooled array.</summary>
    public void Dispose()
    {
        if (_items is not null)
        {
            ArrayPool<T>.Shared.Return(_items, clearArray: true);
            _items = null;
            _count = 0;
        }
    }
}
