namespace O365Activity.Emulator.Content;

/// <summary>
/// The SplitMix64 pseudo-random generator (Steele, Lea and Flood, "Fast splittable pseudorandom number generators",
/// 2014): 64 bits of state, no allocation, and the same sequence on every platform and .NET version, so that synthetic
/// records are a pure function of their seed. Not for cryptography.
/// </summary>
/// <param name="state">The starting state (any value).</param>
internal struct SplitMix64(ulong state)
{
    private ulong _state = state;

    /// <summary>The SplitMix64 finalizer: a bijection on 64 bits that spreads every input bit over the output.</summary>
    /// <param name="value">Any value.</param>
    /// <returns>The mixed value.</returns>
    public static ulong Mix(ulong value)
    {
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9UL;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EBUL;
        return value ^ (value >> 31);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>A whole number in <c>[0, <paramref name="bound"/>)</c> (Lemire's multiply-shift; the bias is below 2^-32).</summary>
    /// <param name="bound">The exclusive upper bound, at least 1.</param>
    public int Next(int bound) => (int)(((Next() >> 32) * (ulong)bound) >> 32);

    /// <summary>A number in <c>[0, 1)</c> with 53 random bits.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Picks one element of <paramref name="values"/> uniformly.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="values">A non-empty array.</param>
    public T Pick<T>(T[] values) => values[Next(values.Length)];
}
