namespace O365Activity.Benchmarks;

/// <summary>One figure of the benchmark's table.</summary>
/// <param name="Scenario">The scenario that measured it.</param>
/// <param name="Figure">What was measured.</param>
/// <param name="Value">The figure.</param>
/// <param name="Unit">Its unit.</param>
/// <param name="Baseline">What it is compared with, measured in the same run (or the figure the issue gives), with its value; empty for none.</param>
/// <param name="Target">The target, in words (for example <c>≥ 0.7× COPY</c>).</param>
/// <param name="Met">Whether the target is met; null when there is none.</param>
public sealed record Row(string Scenario, string Figure, double Value, string Unit, string Baseline, string Target, bool? Met);
