using System;
using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;
using Xunit;

namespace Invisible.NativeEntry.Tests;

/// <summary>
/// A Python comparator passed to C's qsort calls abort(); gdb's backtrace names the
/// Python function between the qsort frames. The function pointer C gets is the Python function's named C entry
/// (NativeEntryPoints.EntryFor): made by the DwarfPython bridge for <c>c.qsort(.., cmp)</c>, and by
/// <c>_nativeentry.callback</c> (a raw trampoline standing in for a libffi closure) in the second form.
/// </summary>
public sealed class GdbBacktraceTests
{
    private const string BridgeScript = """
        import c
        def cmp(a, b):
            c.abort()
            return 0
        def fac(n):
            if n <= 1:
                xs = c.malloc(64)
                c.qsort(xs, 8, 8, cmp)
                return 1
            return n * fac(n - 1)
        print(fac(3))
        """;

    private const string RawScript = """
        import _nativeentry as ne
        qsort = ne.dlsym(0, "qsort"); abort = ne.dlsym(0, "abort"); malloc = ne.dlsym(0, "malloc")
        def cmp(a, b):
            ne.call(abort)
            return 0
        def fac(n):
            if n <= 1:
                base = ne.call(malloc, 64)
                ne.call(qsort, base, 8, 8, ne.callback(cmp, 2))
                return 1
            return n * fac(n - 1)
        print(fac(3))
        """;

    /// <summary>Frame function names of a gdb backtrace, innermost first.</summary>
    private static List<string> Frames(string gdbOutput)
    {
        var names = new List<string>();
        foreach (string line in gdbOutput.Split('\n'))
        {
            // "#12 0x00007f.. in cmp$c ()"  or  "#0  __pthread_kill_implementation (..."
            Match m = Regex.Match(line, @"^#\d+\s+(?:0x[0-9a-f]+ in )?([^\s(]+)");
            if (m.Success) names.Add(m.Groups[1].Value);
        }
        return names;
    }

    private static string RunUnderGdb(string dir, string script)
    {
        string cmds = Path.Combine(dir, "gdb.cmds");
        var env = Harness.Preloaded(dir);
        var lines = new List<string> { "set pagination off", "set confirm off" };
        foreach (var (k, v) in env) lines.Add("set environment " + k + "=" + v);
        // NativeAOT suspends threads for GC with real-time signals: let everything but the abort pass silently.
        lines.Add("handle all nostop noprint pass");
        lines.Add("handle SIGABRT stop print");
        lines.Add("run");
        lines.Add("bt");
        File.WriteAllLines(cmds, lines);
        RunResult r = Harness.Run("gdb", new[] { "-batch", "-nx", "-x", cmds, "--args", Harness.Cli, "python", script }, null);
        return r.Stdout + r.Stderr;
    }

    [Fact]
    public void CQsortComparatorThatCallsCAbort_BacktraceNamesPythonFunctionBetweenQsortFrames()
        => AssertQsortBacktrace(BridgeScript);

    [Fact]
    public void RawCallbackThroughEntryFor_BacktraceNamesPythonFunctionBetweenQsortFrames()
        => AssertQsortBacktrace(RawScript);

    private static void AssertQsortBacktrace(string source)
    {
        string dir = Harness.TempDir();
        string output = RunUnderGdb(dir, Harness.Script(dir, source));
        List<string> f = Frames(output);
        int abort = f.FindIndex(n => n.Contains("abort", StringComparison.Ordinal));
        int cmpFrame = f.IndexOf("cmp");                       // the VM's call of cmp (its frame stub)
        int cmpEntry = f.FindIndex(n => n.StartsWith("cmp$c", StringComparison.Ordinal)); // the entry qsort called
        int qsort = f.FindIndex(n => n.Contains("qsort", StringComparison.Ordinal));
        int msort = f.FindIndex(n => n.Contains("msort", StringComparison.Ordinal));
        int fac = f.IndexOf("fac");
        string all = string.Join(" ", f);
        Assert.True(abort >= 0 && cmpFrame >= 0 && cmpEntry >= 0 && qsort >= 0 && fac >= 0, "frames: " + all + "\n" + output);
        Assert.True(abort < cmpFrame && cmpFrame < cmpEntry && cmpEntry < qsort && qsort < fac, "order: " + all);
        // C's comparator call lands directly in the named entry point: the frame below it is qsort's own code.
        Assert.True(msort < 0 || f[cmpEntry + 1].Contains("sort", StringComparison.Ordinal), "below cmp$c: " + all);
        // three Python frames of fac (recursion through the stubs) below qsort
        Assert.Equal(3, f.FindAll(n => n == "fac").Count);
    }
}
