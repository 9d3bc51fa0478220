using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using Invisible.Tests.Shared;
using Xunit;

namespace Invisible.Leak.Tests;

/// <summary>The same program under valgrind, LeakSanitizer and us: the lost totals must
/// agree exactly. valgrind as in <see cref="ValgrindCrossCheckTests"/>; LeakSanitizer is gcc's
/// (<c>-fsanitize=leak</c>, the lsan code clang ships too), whose one figure is direct + indirect leaks.
/// valgrind's possibly-lost blocks here are the dynamic loader's (thread DTVs, dlopen), which we count as
/// reachable as LSan does (README, "Leak check"), so possibly lost and still reachable are not compared.</summary>
public sealed class OracleTests
{
    /// <summary>tests/fixtures/NAME.c built with -fsanitize=leak by CMake (tests/CMakeLists.txt).</summary>
    private static string LsanBuild(string name, string opt) => TestProcess.BuiltFixture(name + "-lsan-" + opt);

    /// <summary>LeakSanitizer's summary: (bytes, blocks) leaked, direct + indirect; (0, 0) when it prints none.</summary>
    private static (long Bytes, long Blocks) Lsan(string name, string opt, params string[] args)
    {
        RunResult r = TestEnvironment.Run(LsanBuild(name, opt), args, new Dictionary<string, string> { ["LSAN_OPTIONS"] = "exitcode=0" });
        Assert.True(r.ExitCode == 0, r.Stderr);
        Match m = Regex.Match(r.Stderr, @"SUMMARY: LeakSanitizer: (\d+) byte\(s\) leaked in (\d+) allocation\(s\)\.");
        return m.Success ? (long.Parse(m.Groups[1].Value), long.Parse(m.Groups[2].Value)) : (0, 0);
    }

    private static LeakTotals Valgrind(string fixture, params string[] args)
    {
        var argv = new List<string> { "--leak-check=full", "--run-libc-freeres=no", "--leak-check-heuristics=none", fixture };
        argv.AddRange(args);
        RunResult r = TestEnvironment.Run("valgrind", argv);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return LeakTotals.FromValgrind(r.Stderr);
    }

    private static void AssertLostAgree(LeakTotals ours, LeakTotals valgrind, (long Bytes, long Blocks) lsan)
    {
        Assert.Equal((valgrind.DefinitelyBlocks, valgrind.DefinitelyBytes, valgrind.IndirectBlocks, valgrind.IndirectBytes),
                     (ours.DefinitelyBlocks, ours.DefinitelyBytes, ours.IndirectBlocks, ours.IndirectBytes));
        Assert.Equal(lsan, (ours.DefinitelyBytes + ours.IndirectBytes, ours.DefinitelyBlocks + ours.IndirectBlocks));
    }

    [FixtureTheory("realloc_churn-lsan-O0", "realloc_churn-lsan-O2")]
    [InlineData("O0")]
    [InlineData("O2")]
    public void ReallocChurnLeaksAreDefinitelyLost(string opt)
    {
        // repro realloc_possibly_lost.sh: glibc's stale free-list links in blocks written only at their first byte
        // had 550,888 of the 551,202 lost bytes reported possibly lost.
        string fixture = TestEnvironment.Fixture("realloc_churn", opt);
        var (run, report) = TestEnvironment.RunPreloaded(fixture, Array.Empty<string>());
        Assert.Equal(0, run.ExitCode);
        LeakTotals ours = LeakTotals.FromJson(report);
        Assert.Equal((233L, 551_202L, 0L, 0L, 0L, 0L),
                     (ours.DefinitelyBlocks, ours.DefinitelyBytes, ours.IndirectBlocks, ours.IndirectBytes, ours.PossibleBlocks, ours.PossibleBytes));
        AssertLostAgree(ours, Valgrind(fixture), Lsan("realloc_churn", opt));
    }

    [FixtureTheory("thread_exit-lsan-O0", "thread_exit-lsan-O2")]
    [InlineData("O0")]
    [InlineData("O2")]
    public void MainLeavingThroughPthreadExit(string opt)
    {
        // The last thread calls exit() after main left through pthread_exit: main's frame is dead (its block is
        // definitely lost), the exiting thread's live frame is a root (its blocks are reachable).
        string fixture = TestEnvironment.Fixture("thread_exit", opt);
        var (run, report) = TestEnvironment.RunPreloaded(fixture, new[] { "main-pthread-exit" });
        Assert.Equal(0, run.ExitCode);
        LeakTotals ours = LeakTotals.FromJson(report);
        AssertLostAgree(ours, Valgrind(fixture, "main-pthread-exit"), Lsan("thread_exit", opt, "main-pthread-exit"));
        // The command line is still known (it was read from /proc/self/cmdline, empty once main is gone), and the
        // frames are named (the symbolizer read /proc/self/exe, unreadable then too).
        Assert.Equal(fixture + " main-pthread-exit", report.RootElement.GetProperty("command").GetString());
        JsonElement record = report.RootElement.GetProperty("leaks").GetProperty("records").EnumerateArray()
            .First(r => r.GetProperty("kind").GetString() == "definitely_lost" && r.GetProperty("bytes").GetInt64() == 100);
        Assert.Equal("main", record.GetProperty("trace")[0].GetProperty("function").GetString());
    }

    [FixtureTheory("thread_exit-lsan-O0", "thread_exit-lsan-O2")]
    [InlineData("O0")]
    [InlineData("O2")]
    public void ThreadsBlockingEverySignal(string opt)
    {
        // Threads that block every signal: the stop is made with ptrace (a tracer task), which stops them all the
        // same (a signal-based stop could not: there their stacks would be scanned whole); their blocks stay
        // reachable, and the exit does not wait for them (scripts/bench/exit-costs measures that part).
        string fixture = TestEnvironment.Fixture("thread_exit", opt);
        var (run, report) = TestEnvironment.RunPreloaded(fixture, new[] { "blocked" });
        Assert.Equal(0, run.ExitCode);
        LeakTotals ours = LeakTotals.FromJson(report);
        Assert.Equal((1L, 48L), (ours.DefinitelyBlocks, ours.DefinitelyBytes));
        Assert.Equal(3, report.RootElement.GetProperty("leaks").GetProperty("threads_stopped").GetInt64());
        AssertLostAgree(ours, Valgrind(fixture, "blocked"), Lsan("thread_exit", opt, "blocked"));
    }

    [Fact]
    public void EveryOneOfManyLeakSitesIsNamed()
    {
        // repro many_leak_sites_slow.sh (the time is scripts/bench/exit-costs's): 400 functions of one file each leak
        // 16 bytes; each loss record names its function and line, as valgrind does.
        const int sites = 400;
        string program = TestProcess.BuiltFixture("leak_sites-400"); // generated by tests/CMakeLists.txt: f<i> on line i + 2
        var (run, report) = TestEnvironment.RunPreloaded(program, Array.Empty<string>());
        Assert.Equal(0, run.ExitCode);
        var named = new SortedSet<string>(StringComparer.Ordinal);
        foreach (JsonElement r in report.RootElement.GetProperty("leaks").GetProperty("records").EnumerateArray())
        {
            if (r.GetProperty("kind").GetString() != "definitely_lost") continue;
            JsonElement frame = r.GetProperty("trace")[0];
            named.Add(frame.GetProperty("function").GetString() + ":" + frame.GetProperty("line").GetInt32());
        }
        var expected = new SortedSet<string>(Enumerable.Range(0, sites).Select(i => "f" + i + ":" + (i + 2)), StringComparer.Ordinal);
        Assert.Equal(expected, named);
    }

    [FixtureFact("many_blocks-lsan-O2")]
    public void HundredsOfThousandsOfBlocksAgreeWithLeakSanitizer()
    {
        // The scan's in-place sort and its tables at scale (the memory figure is scripts/bench/exit-costs's): 300,000
        // live 32-byte blocks, every tenth dropped.
        string program = TestProcess.BuiltFixture("many_blocks-O2"), lsan = LsanBuild("many_blocks", "O2");
        var (run, report) = TestEnvironment.RunPreloaded(program, new[] { "300000" });
        Assert.Equal(0, run.ExitCode);
        LeakTotals ours = LeakTotals.FromJson(report);
        Assert.Equal(new LeakTotals(30_000, 960_000, 0, 0, 0, 0, ours.ReachableBlocks, ours.ReachableBytes), ours);
        Assert.Equal(270_001, ours.ReachableBlocks); // the blocks held by g, and g itself
        RunResult l = TestEnvironment.Run(lsan, new[] { "300000" }, new Dictionary<string, string> { ["LSAN_OPTIONS"] = "exitcode=0" });
        Assert.Contains("SUMMARY: LeakSanitizer: 960000 byte(s) leaked in 30000 allocation(s).", l.Stderr);
    }
}
