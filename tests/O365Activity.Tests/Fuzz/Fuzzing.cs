using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using Xunit.Abstractions;

namespace O365Activity.Tests.Fuzz;

/// <summary>
/// Runs a seeded FsCheck property over hostile inputs: a fixed seed and a fixed number of cases, so that CI is
/// deterministic and quick; each case runs under a time limit, so a hang fails the test instead of stalling it.
/// </summary>
/// <remarks>
/// Environment variables for longer runs: <c>O365_FUZZ_CASES</c> (cases of every property, instead of each one's CI
/// count), <c>O365_FUZZ_SEED</c> (the seed: a number, or FsCheck's <c>seed,gamma</c> pair as a failure prints it),
/// <c>O365_FUZZ_CASE_TIMEOUT</c> (seconds one case may take, 10 by default: generous, as CI shares its cores).
/// </remarks>
internal static class Fuzzing
{
    /// <summary>The seed CI runs with.</summary>
    public const ulong DefaultSeed = 20261206;

    /// <summary>FsCheck's second seed (odd); kept fixed unless <c>O365_FUZZ_SEED</c> gives a pair.</summary>
    private const ulong DefaultGamma = 0x9E3779B97F4A7C15;

    public static int Cases(int ciCases) =>
        int.TryParse(Environment.GetEnvironmentVariable("O365_FUZZ_CASES"), NumberStyles.None, CultureInfo.InvariantCulture, out var cases) && cases > 0 ? cases : ciCases;

    public static (ulong Seed, ulong Gamma) Seed()
    {
        var text = Environment.GetEnvironmentVariable("O365_FUZZ_SEED")?.Trim().Trim('(', ')');
        if (string.IsNullOrEmpty(text))
        {
            return (DefaultSeed, DefaultGamma);
        }

        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        return (ulong.Parse(parts[0], CultureInfo.InvariantCulture), parts.Length > 1 ? ulong.Parse(parts[1], CultureInfo.InvariantCulture) | 1 : DefaultGamma);
    }

    public static TimeSpan CaseTimeout =>
        double.TryParse(Environment.GetEnvironmentVariable("O365_FUZZ_CASE_TIMEOUT"), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromSeconds(10);

    /// <summary>
    /// Checks <paramref name="body"/> on <see cref="Cases"/> inputs drawn from <paramref name="generator"/>: it passes
    /// when no case throws and each ends within <see cref="CaseTimeout"/>. A failure throws FsCheck's report: the input
    /// (shrunk when it can be), the exception, and the seed that replays it.
    /// </summary>
    public static void Check<T>(ITestOutputHelper output, string target, Gen<T> generator, Func<T, Task> body, int ciCases)
    {
        var cases = Cases(ciCases);
        var (seed, gamma) = Seed();
        var timeout = CaseTimeout;
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(cases)
            .WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed, gamma), FSharpOption<int>.None)));
        var property = Prop.ForAll(generator.ToArbitrary(), (T input) => RunCase(input, body, timeout));
        var watch = Stopwatch.StartNew();
        FsCheck.Check.One(config, property);
        output.WriteLine($"{target}: {cases} cases passed in {watch.Elapsed.TotalSeconds:F1} s (seed {seed},{gamma}; O365_FUZZ_CASES, O365_FUZZ_SEED change them)");
    }

    private static void RunCase<T>(T input, Func<T, Task> body, TimeSpan timeout)
    {
        var run = Task.Run(() => body(input));
        try
        {
            if (!run.Wait(timeout))
            {
                throw new TimeoutException($"The case did not finish within {timeout.TotalSeconds:F0} s: it hangs (or loops).");
            }
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
    }
}
