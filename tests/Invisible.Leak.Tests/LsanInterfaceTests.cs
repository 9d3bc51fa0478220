using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Invisible.Tests.Shared;
using Xunit;

namespace Invisible.Leak.Tests;

/// <summary>LeakSanitizer's runtime interface (sanitizer/lsan_interface.h) exported by libinvisible.so: the same
/// program (tests/fixtures/lsan_api.c) under gcc's LeakSanitizer (its -fsanitize=leak build) and preloaded with us,
/// the leaked totals (direct + indirect, LSan's one figure), the exit status and the program's own output compared
/// exactly, mode by mode.</summary>
public sealed class LsanInterfaceTests
{
    private const int LsanExitCode = 23; // LSan's default exitcode when leaks are found

    /// <summary>Each LSan summary line of the run, in order: (bytes, blocks).</summary>
    private static List<(long Bytes, long Blocks)> LsanSummaries(string stderr) =>
        Regex.Matches(stderr, @"SUMMARY: LeakSanitizer: (\d+) byte\(s\) leaked in (\d+) allocation\(s\)\.")
             .Select(m => (long.Parse(m.Groups[1].Value), long.Parse(m.Groups[2].Value))).ToList();

    /// <summary>Each of our LEAK SUMMARY blocks of the run, in order: (definite + indirect bytes, blocks).</summary>
    private static List<(long Bytes, long Blocks)> OurSummaries(string stderr)
    {
        var result = new List<(long, long)>();
        foreach (string report in stderr.Split("LEAK SUMMARY:").Skip(1))
        {
            var totals = LeakTotals.FromValgrind("LEAK SUMMARY:" + report.Split("Scan:")[0]);
            if (totals.DefinitelyBlocks + totals.IndirectBlocks > 0)
                result.Add((totals.DefinitelyBytes + totals.IndirectBytes, totals.DefinitelyBlocks + totals.IndirectBlocks));
        }
        return result;
    }

    private static RunResult UnderLsan(string mode) =>
        TestEnvironment.Run(TestProcess.BuiltFixture("lsan_api-lsan-O0"), new[] { mode });

    private static RunResult UnderUs(string mode, params string[] options)
    {
        var argv = new List<string> { "run", "--depth=8", $"--error-exitcode={LsanExitCode}" };
        argv.AddRange(options);
        argv.Add("--");
        argv.Add(TestEnvironment.Fixture("lsan_api", "O0"));
        argv.Add(mode);
        return TestEnvironment.Run(TestEnvironment.Cli, argv);
    }

    [FixtureTheory("lsan_api-lsan-O0")]
    [InlineData("disable", 16L, 1L)]
    [InlineData("ignore", 32L, 1L)]
    [InlineData("root", 560L, 3L)]
    [InlineData("check", 64L, 1L)]
    public void SameLeaksAndExitStatusAsLeakSanitizer(string mode, long bytes, long blocks)
    {
        RunResult lsan = UnderLsan(mode), ours = UnderUs(mode);
        Assert.Equal(new[] { (bytes, blocks) }, LsanSummaries(lsan.Stderr));
        Assert.Equal(LsanSummaries(lsan.Stderr), OurSummaries(ours.Stderr));
        Assert.Equal(LsanExitCode, lsan.ExitCode);
        Assert.Equal(lsan.ExitCode, ours.ExitCode);
        Assert.Equal(lsan.Stdout, ours.Stdout);
    }

    [FixtureFact("lsan_api-lsan-O0")]
    public void LeakCheckMovesTheReportAtExitAndEndsTheProcessThere()
    {
        // __lsan_do_leak_check reports the 64 bytes leaked before it, once: the 128 bytes leaked after it, the second
        // call and the exit report nothing more; with --error-exitcode the process ends inside the first call.
        RunResult ours = UnderUs("check");
        Assert.Single(Regex.Matches(ours.Stderr, "LEAK SUMMARY:"));
        Assert.Contains("64 bytes in 1 blocks are definitely lost", ours.Stderr);
        Assert.DoesNotContain("128 bytes in", ours.Stderr); // a leak line, not the "Scan: N bytes of roots" count
        // Without --error-exitcode the program goes on, and still nothing more is reported.
        RunResult going = TestEnvironment.Run(TestEnvironment.Cli, new[] { "run", "--", TestEnvironment.Fixture("lsan_api", "O0"), "check" });
        Assert.Equal(0, going.ExitCode);
        Assert.Single(Regex.Matches(going.Stderr, "LEAK SUMMARY:"));
    }

    [FixtureFact("lsan_api-lsan-O0")]
    public void RecoverableChecksReportEachTimeAndReturnWhetherLeaksRemain()
    {
        RunResult lsan = UnderLsan("recoverable"), ours = UnderUs("recoverable");
        Assert.Equal("1 0 1\n", lsan.Stdout);
        Assert.Equal(lsan.Stdout, ours.Stdout);
        // two recoverable reports with the leak, and the one at exit
        Assert.Equal(new[] { (24L, 1L), (24L, 1L), (24L, 1L) }, LsanSummaries(lsan.Stderr));
        Assert.Equal(LsanSummaries(lsan.Stderr), OurSummaries(ours.Stderr));
        Assert.Equal(lsan.ExitCode, ours.ExitCode);
    }

    [FixtureFact("lsan_hooks-lsan-O0")]
    public void ProgramsOwnOptionsAndSuppressionsAreRead()
    {
        // __lsan_default_options() says exitcode=7, __lsan_default_suppressions() hides one of the two leaks.
        RunResult lsan = TestEnvironment.Run(TestProcess.BuiltFixture("lsan_hooks-lsan-O0"), Array.Empty<string>());
        RunResult ours = TestEnvironment.Run(TestEnvironment.Cli, new[] { "run", "--", TestEnvironment.Fixture("lsan_hooks", "O0") });
        Assert.Equal(7, lsan.ExitCode);
        Assert.Equal(lsan.ExitCode, ours.ExitCode);
        Assert.Equal(new[] { (8L, 1L) }, LsanSummaries(lsan.Stderr));
        Assert.Equal(LsanSummaries(lsan.Stderr), OurSummaries(ours.Stderr));
        Assert.Equal(new List<string> { "1 40 hidden_by_hook" }, SuppressionTests.SuppressionsUsed(lsan.Stderr));
        Assert.Equal(SuppressionTests.SuppressionsUsed(lsan.Stderr), SuppressionTests.SuppressionsUsed(ours.Stderr));
        // An explicit setting wins over the program's own.
        RunResult explicitCode = TestEnvironment.Run(TestEnvironment.Cli, new[] { "run", "--error-exitcode=3", "--", TestEnvironment.Fixture("lsan_hooks", "O0") });
        Assert.Equal(3, explicitCode.ExitCode);
    }

    [Fact]
    public void PlainRunWithoutTheInterfaceSkipsTheCalls()
    {
        // Not preloaded, the weak references are null: the fixture's own fallback, so the comparison above is
        // between two tools, not a program that always behaves the same.
        RunResult plain = TestEnvironment.Run(TestEnvironment.Fixture("lsan_api", "O0"), new[] { "recoverable" });
        Assert.Equal(0, plain.ExitCode);
        Assert.Equal("no LeakSanitizer interface\n", plain.Stdout);
    }

    [Fact]
    public void UnmatchedEnableAndUnknownRegionAreSaidNotFatal()
    {
        RunResult ours = TestEnvironment.Run(TestEnvironment.Fixture("lsan_misuse", "O0"), Array.Empty<string>(),
            new Dictionary<string, string> { ["LD_PRELOAD"] = TestEnvironment.Library });
        Assert.Equal(0, ours.ExitCode);
        Assert.Contains("invisible: __lsan_enable() without a matching __lsan_disable(): ignored\n", ours.Stderr);
        Assert.Matches(@"invisible: __lsan_unregister_root_region\(\): this region has not been registered; ignored \(region at 0x[0-9a-f]+ of size 64\)\n", ours.Stderr);
        Assert.Equal("done\n", ours.Stdout);
    }
}
