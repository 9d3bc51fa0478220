using System;
using System.IO;
using Invisible.Tests.Shared;
using Xunit;

namespace Invisible.DwarfPython.Tests;

/// <summary>Python callbacks that C calls on threads of its own run one at a time under the interpreter lock,
/// each with its own interpreter state, while the Python thread that called C waits in native code.</summary>
public sealed class InterpreterLockTests
{
    /// <summary>tests/fixtures/lib/ffi_workers.c, built -g -O0 -pthread by CMake.</summary>
    private static readonly Lazy<string> Workers = new(() => TestProcess.BuiltFixture("libffi_workers.so"));

    private static string Py(string code)
    {
        var r = Fixture.Py("import process, c\nw = process.load('" + Workers.Value + "')\n" + code, withFixture: false);
        Assert.True(r.Exit == 0, "exit " + r.Exit + "\n" + r.Stderr + "\n" + r.Stdout);
        return r.Stdout;
    }

    [Fact]
    public void PthreadCreateWithPythonStartRoutines()
    {
        // libc's pthread_create/pthread_join, typed by libc's DWARF: 6 threads, each appends to one list
        string code =
            "seen = []\n" +
            "def start(arg):\n" +
            "    n = process.cast(arg, 'int *')[0]\n" +
            "    for k in range(200):\n" +
            "        seen.append(n)\n" +
            "    return None\n" +
            "ids = [c.pthread_t() for i in range(6)]\n" +
            "args = [c.int(i) for i in range(6)]\n" +
            "for i in range(6):\n" +
            "    assert c.pthread_create(ids[i], None, start, args[i]) == 0\n" +
            "for i in range(6):\n" +
            "    assert c.pthread_join(ids[i].value, None) == 0\n" +
            "print(len(seen), sorted(set(seen)), [seen.count(i) for i in range(6)])\n";
        Assert.Equal("1200 [0, 1, 2, 3, 4, 5] [200, 200, 200, 200, 200, 200]\n", Py(code));
    }

    [Fact]
    public void WorkerThreadsTakeTurnsAndKeepTheirOwnFrames()
    {
        // 8 C threads x 300 calls; the callback does a read-modify-write of shared Python state and calls a Python
        // function (its own frames): under the lock nothing is lost and every traceback-relevant frame is its own.
        string code =
            "total = [0]\n" +
            "def rec(n):\n" +
            "    return 0 if n == 0 else 1 + rec(n - 1)\n" +
            "def cb(t, i):\n" +
            "    v = total[0]\n" +
            "    total[0] = v + rec(20) - 19\n" +
            "    return t\n" +
            "s = w.run_workers(cb, 8, 300)\n" +
            "print(total[0], s)\n";
        Assert.Equal("2400 8400\n", Py(code)); // sum of t over threads: 300 * (0+1+...+7)
    }

    [Fact]
    public void CallbackOnAnotherThreadWhileThisThreadRunsPython()
    {
        // the worker runs only while the Python thread is in native code (sched_yield, usleep, join_worker)
        string code =
            "log = []\n" +
            "def cb(t, i):\n" +
            "    log.append(i)\n" +
            "    return i\n" +
            "assert w.start_worker(cb, 500) == 0\n" +
            "mine = 0\n" +
            "for k in range(2000):\n" +
            "    mine += 1\n" +
            "    if k % 50 == 0:\n" +
            "        c.usleep(100)\n" +
            "s = w.join_worker()\n" +
            "print(mine, len(log), log == list(range(500)), s)\n";
        Assert.Equal("2000 500 True 124750\n", Py(code));
    }

    [Fact]
    public void ExceptionInAForeignThreadCallbackIsReportedAndReturnsZero()
    {
        string code =
            "def cb(t, i):\n" +
            "    if i == 3:\n" +
            "        raise ValueError('bad ' + str(i))\n" +
            "    return 1\n" +
            "print(w.run_workers(cb, 1, 5))\n";
        var r = Fixture.Py("import process, c\nw = process.load('" + Workers.Value + "')\n" + code, withFixture: false);
        Assert.Equal(0, r.Exit);
        Assert.Equal("4\n", r.Stdout);
        Assert.Contains("Exception ignored on calling native callback", r.Stderr);
        Assert.Contains("ValueError: bad 3", r.Stderr);
        Assert.Contains("in cb", r.Stderr);
        Assert.DoesNotContain("<module>", r.Stderr); // the foreign thread's Python starts from a fresh state
    }
}
