using System;
using Xunit;

namespace Invisible.Python.Tests;

/// <summary>A Python call reuses its code's last returned frame (CodeObject.FreeFrame) unless something kept that
/// frame; the semantics are in the corpus (tests/python/functions/frame_reuse.py), the reuse itself is checked here
/// through what the calls allocate.</summary>
public class CallFrameTests
{
    private const int Calls = 200_000;

    // The same program with and without the calls: itertools.repeat and small ints allocate nothing per iteration,
    // so what the calls add is what each call allocates.
    private static string Program(int calls) =>
        "import itertools\n" +
        "def f(a, b):\n    c = a + b\n    return c\n" +
        "def loop(n):\n    for _ in itertools.repeat(None, n):\n        f(1, 2)\n" +
        $"loop({calls})\nprint('done')\n";

    private static long AllocatedBy(string program)
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var (o, e, rc) = PythonEngine.Execute(program);
        long after = GC.GetTotalAllocatedBytes(precise: true);
        Assert.Equal("done\n", o);
        Assert.Equal("", e);
        Assert.Equal(0, rc);
        return after - before;
    }

    [Fact]
    public void PlainCallsAllocateNoFrame()
    {
        AllocatedBy(Program(Calls)); // warm: first engine, JIT tiers, import of itertools
        long without = AllocatedBy(Program(0));
        long with = AllocatedBy(Program(Calls));
        // A fresh frame per call is a Frame (~130 bytes) and its slot array (~70 bytes here): ≥ 40 MB for the calls.
        double perCall = (double)(with - without) / Calls;
        Assert.True(perCall < 16, $"each call allocated {perCall:F1} bytes ({with} with the calls, {without} without)");
    }
}
