using System.Collections.Generic;
using Xunit;

namespace Invisible.Leak.Tests;

/// <summary>The same fixture under valgrind memcheck and under us: the four totals must agree.
/// valgrind runs with --run-libc-freeres=no (we cannot free libc's own memory before the final
/// stdio flush) and --leak-check-heuristics=none (we report plain interior pointers).</summary>
public sealed class ValgrindCrossCheckTests
{
    private static readonly string[] Modes =
        { "direct", "chain", "cycle", "interior", "data", "bss", "self", "misaligned", "zero", "tls", "specific", "deadframe" };

    [Theory]
    [InlineData("O0")]
    [InlineData("O2")]
    public void TotalsMatchValgrind(string opt)
    {
        string fixture = TestEnvironment.Fixture("leak_shapes", opt);
        RunResult valgrind = TestEnvironment.Run("valgrind",
            new List<string> { "--leak-check=full", "--run-libc-freeres=no", "--leak-check-heuristics=none", fixture }.Concat(Modes));
        Assert.Equal(0, valgrind.ExitCode);
        var (ours, report) = TestEnvironment.RunPreloaded(fixture, Modes);
        Assert.Equal(0, ours.ExitCode);
        Assert.Equal(LeakTotals.FromValgrind(valgrind.Stderr), LeakTotals.FromJson(report));
    }
}

internal static class EnumerableConcat
{
    public static IEnumerable<string> Concat(this IEnumerable<string> first, IEnumerable<string> second)
    {
        foreach (string s in first) yield return s;
        foreach (string s in second) yield return s;
    }
}
