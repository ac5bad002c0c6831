namespace O365Activity.Benchmarks;

/// <summary>Order statistics of a sample.</summary>
public static class Percentiles
{
    /// <summary>The <paramref name="p"/>-th percentile (0–100) by nearest rank; NaN for an empty sample.</summary>
    public static double Of(IReadOnlyList<double> sample, double p)
    {
        if (sample.Count == 0)
        {
            return double.NaN;
        }

        var sorted = sample.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    /// <summary>The median.</summary>
    public static double Median(IReadOnlyList<double> sample) => Of(sample, 50);
}
