using System;
using System.IO;
using Invisible.Tests.Shared;
using Xunit;

namespace Invisible.DwarfPython.Tests;

/// <summary><c>process.threads</c> on the NativeAOT binary: every thread's backtrace with the DWARF-located locals of
/// each frame (fixture: a second thread blocked in <c>worker</c> on a pipe read).</summary>
public class ThreadsTests
{
    private static string Binary => Path.Combine(Fixture.RepoRoot, "build", "bin", "invisible");
    private static readonly Lazy<(string Lib, int BlockedLine)> Lib = new(Build);

    /// <summary>tests/fixtures/lib/threads_fixture.c, built -g -O0 -pthread by CMake into libthreadsfix.so, and the
    /// line of its "blocked here" marker.</summary>
    private static (string, int) Build()
    {
        string[] lines = File.ReadAllLines(TestProcess.FixtureSource("lib/threads_fixture.c"));
        int blocked = Array.FindIndex(lines, l => l.Contains("/* blocked here */", StringComparison.Ordinal)) + 1;
        return (TestProcess.BuiltFixture("libthreadsfix.so"), blocked);
    }

    private static (string Stdout, string Stderr, int Exit) Run(string body, string? env = null)
    {
        Assert.True(File.Exists(Binary), "NativeAOT binary missing: " + Binary + " (run scripts/build)");
        string code = "import process\nfx = process.load('" + Lib.Value.Lib + "')\nassert fx.start_worker() == 0\n" +
                      "try:\n    ts = process.threads\nfinally:\n    fx.stop_worker()\n" + body;
        return Fixture.Run(Binary, new[] { "python", "-c", code }, Path.GetTempPath(), env);
    }

    [Fact]
    public void BlockedThreadShowsItsFramesAndLocals()
    {
        var r = Run(
            "import os\n" +
            "w = [t for t in ts if t.name == 'dp-worker']\n" +
            "print(len(w))\n" +
            "w = w[0]\n" +
            "names = [f.function for f in w.frames]\n" +
            "i = names.index('worker')\n" +
            "print(names[i:i + 2], 'start_thread' in names[i:])\n" +
            "f = w.frames[i]\n" +
            "print(f.locals['counter'], str(f.locals['label']), f.locals['depth'], f.locals['byte'])\n" +
            "print(sorted(f.locals.keys()))\n" +
            "print(os.path.basename(f.file), f.line, os.path.basename(f.module))\n" +
            "print(repr(f).split(' in ', 1)[1].split(' at ')[0].split('label=')[0])\n" +
            "print(repr(f).endswith('threads_fixture.c:' + str(f.line)))\n" +
            "print(w.tid != process.pid, w.current, f.pc == w.frames[i].pc)\n" +
            "bt = w.bt()\n" +
            "print(bt.splitlines()[0], '        counter = 42' in bt.splitlines())\n"
                );
        Assert.True(r.Exit == 0, r.Stderr + r.Stdout);
        Assert.Equal(
            "1\n" +
            "['worker', 'thread_main'] True\n" +
            "42 blocked-in-read 3 0\n" +
            "['byte', 'counter', 'depth', 'label']\n" +
            "threads_fixture.c " + Lib.Value.BlockedLine + " libthreadsfix.so\n" +
            "worker (depth=3, \n" +
            "True\n" +
            "True False True\n",
            string.Join("\n", r.Stdout.Split('\n')[..8]) + "\n");
        Assert.Matches("^Thread [0-9]+ \"dp-worker\" True\n$", r.Stdout.Split('\n')[8] + "\n");
    }

    [Fact]
    public void EveryThreadIsListedWithTheCallerAndMainThreadFrames()
    {
        var r = Run(
            "cur = [t for t in ts if t.current]\n" +
            "print(len(cur), len(cur[0].frames) > 0)\n" +
            "main = [t for t in ts if t.tid == process.pid][0]\n" +
            "print('main_wrapper' in [f.function for f in main.frames])\n" +
            "import os\n" +
            "print(set(int(x) for x in os.listdir('/proc/self/task')) <= set(t.tid for t in ts))\n" +
            "print(all(len(t.frames) > 0 for t in ts))\n" +
            "print(ts[0].tid == process.pid, [t.tid for t in ts[1:]] == sorted(t.tid for t in ts[1:]))\n"); // gdb's order
        Assert.True(r.Exit == 0, r.Stderr + r.Stdout);
        Assert.Equal("1 True\nTrue\nTrue\nTrue\nTrue True\n", r.Stdout);
    }

    [Fact]
    public void WithoutLibinvisibleOnlyTheCallingThreadHasFrames()
    {
        var r = Run(
            "w = [t for t in ts if t.name == 'dp-worker'][0]\n" +
            "cur = [t for t in ts if t.current][0]\n" +
            "print(len(w.frames), len(cur.frames) > 0, cur.frames[0].locals)\n",
            "INVISIBLE_PYTHON_NO_PRELOAD=1");
        Assert.True(r.Exit == 0, r.Stderr + r.Stdout);
        Assert.Equal("0 True {}\n", r.Stdout);
    }
}
