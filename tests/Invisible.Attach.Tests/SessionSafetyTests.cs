using System;
using System.IO;
using Xunit;

namespace Invisible.Attach.Tests;

/// <summary>
/// A session can never kill its target: a native fault in a function called from the prompt becomes
/// process.FaultError (gdb's unwindonsignal), over-deep source and over-deep data raise SyntaxError/MemoryError/
/// RecursionError as in CPython. After each, the program keeps running, answers another session, and ends with exactly
/// its own output and status 0.
/// </summary>
public sealed class SessionSafetyTests
{
    private const string Abandoned = " (the call was abandoned)\n";

    private static void SecondSessionAnswers(AttachTarget target)
    {
        var again = target.Attach("-c", "import c; print('still here', c.strlen('four'))");
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Equal("still here 4\n", again.Stdout);
    }

    [Fact]
    public void NullArgumentToStrlenIsAFaultErrorNotASegfault()
    {
        using var target = new AttachTarget();
        var run = target.Attach("-c", "import c; print('calling'); print(c.strlen(None))");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("calling\n", run.Stdout);
        Assert.EndsWith("\nprocess.FaultError: strlen: SIGSEGV at address 0x0" + Abandoned, run.Stderr);
        Assert.False(target.HasExited);
        SecondSessionAnswers(target);
        target.Echo("after the fault");
        target.FinishAndCheck();
    }

    [Fact]
    public void FaultsOfEveryKindAreCaughtWhereTheyHappen()
    {
        using var target = new AttachTarget();
        string lib = FaultLibrary.Build();
        string code = string.Join("\n",
            "import c, process",
            "fx = process.load(" + Quote(lib) + ")",
            "def report(what, f):",
            "    try:",
            "        print(what, f())",
            "    except process.FaultError as e:",
            "        text = str(e)",
            "        print(what, text[:text.index(' at ')] + text[text.rindex(' ('):])",
            "report('strlen(123)', lambda: c.strlen(process.pointer(123, 'const char *')))",
            "report('memset', lambda: c.memset(process.cast(0x1000, 'char *'), 0, 8))",
            "report('divide', lambda: fx.divide(1, 0))",
            "report('div', lambda: c.div(7, 0))",
            "report('poke', lambda: fx.poke(None, 3))",
            "report('overflow', lambda: fx.recurse(1))",
            "def inner(x):",
            "    try:",
            "        c.strlen(None)",
            "    except process.FaultError as e:",
            "        print('in the callback:', e)",
            "    return x * 2",
            "report('callback', lambda: fx.apply(inner, 20))",
            "report('fine', lambda: fx.divide(42, 6))");
        var run = target.Attach("-c", code);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(
            "strlen(123) strlen: SIGSEGV (the call was abandoned)\n" +
            "memset memset: SIGSEGV (the call was abandoned)\n" +
            "divide divide: SIGFPE, integer divide by zero, (the call was abandoned)\n" +
            "div div: SIGFPE, integer divide by zero, (the call was abandoned)\n" +
            "poke poke: SIGSEGV (the call was abandoned)\n" +
            "overflow recurse: SIGSEGV (the call was abandoned)\n" +
            "in the callback: strlen: SIGSEGV at address 0x0 (the call was abandoned)\n" +
            "callback 41\n" +
            "fine 7\n", run.Stdout);
        Assert.Equal("", run.Stderr);
        SecondSessionAnswers(target);
        target.Echo("after five faults");
        target.FinishAndCheck();
    }

    [Fact]
    public void FaultAddressIsTheOneTheCalleeTouched()
    {
        using var target = new AttachTarget();
        var run = target.Attach("-c", "import c, process\ntry:\n    c.strlen(process.pointer(0x1234, 'const char *'))\nexcept Exception as e:\n    print(type(e).__name__, e)");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("FaultError strlen: SIGSEGV at address 0x1234" + Abandoned, run.Stdout);
        // The program's own dispositions are back after the session: no SIGSEGV handler of ours is left behind.
        Assert.Equal(0UL, target.StatusMask("SigCgt") & (1UL << (11 - 1)));
        target.Echo("x");
        target.FinishAndCheck();
    }

    [Fact]
    public void PythonThreadsEndWithTheSessionAndSignalsStayTheProgramsOwn()
    {
        using var target = new AttachTarget();
        string code = string.Join("\n",
            "import threading, time, _signal",
            "out = []",
            "def worker():",
            "    time.sleep(0.05)",
            "    out.append('worker done')",
            "def sleeper():",
            "    while True:",
            "        time.sleep(0.01)",
            "def spinner():",
            "    while True:",
            "        pass",
            "threading.Thread(target=sleeper, daemon=True).start()",
            "threading.Thread(target=spinner, daemon=True).start()",
            "t = threading.Thread(target=worker)",
            "t.start()",
            "t.join()",
            "print(out, threading.active_count())",
            "try:",
            "    _signal.signal(_signal.SIGUSR1, lambda s, f: None)",
            "except ValueError as e:",
            "    print('ValueError', e)",
            "def late():",
            "    time.sleep(0.05)",
            "    print('late thread done')",
            "threading.Thread(target=late).start()");
        var run = target.Attach("-c", code);
        Assert.True(run.ExitCode == 0, run.Stderr);
        // The non-daemon thread is waited for at the end of the session (as at the end of a CPython program); the
        // daemon ones (one sleeping, one spinning) are stopped; the program's signal dispositions are untouched.
        Assert.Equal("['worker done'] 3\n" +
                     "ValueError signal handlers cannot be installed in an attach session: the signals belong to the program it runs in\n" +
                     "late thread done\n", run.Stdout);
        Assert.Equal(0UL, target.StatusMask("SigCgt") & (1UL << (10 - 1)));
        var next = target.Attach("-c", "import threading, _thread; print(threading.active_count(), _thread._count())");
        Assert.True(next.ExitCode == 0, next.Stderr);
        Assert.Equal("1 0\n", next.Stdout);
        SecondSessionAnswers(target);
        target.Echo("after the threads");
        target.FinishAndCheck();
    }

    [Fact]
    public void FiftyThousandNestedParenthesesAreASyntaxError()
    {
        using var target = new AttachTarget();
        var run = target.Attach("-c", "exec('(' * 50000 + '1' + ')' * 50000)");
        Assert.Equal(1, run.ExitCode);
        Assert.EndsWith("\nSyntaxError: too many nested parentheses\n", run.Stderr);
        var expr = target.Attach("-c", "try:\n    eval('-' * 100000 + '1')\nexcept MemoryError:\n    print('MemoryError')\n" +
                                       "try:\n    eval('a' + '.b' * 100000)\nexcept RecursionError as e:\n    print(e)");
        Assert.True(expr.ExitCode == 0, expr.Stderr);
        Assert.Equal("MemoryError\nmaximum recursion depth exceeded during compilation\n", expr.Stdout);
        SecondSessionAnswers(target);
        target.Echo("after the parser");
        target.FinishAndCheck();
    }

    [Fact]
    public void EqualityOfMillionDeepListsIsARecursionError()
    {
        using var target = new AttachTarget();
        var run = target.Attach("-c", "a = []; b = []\nfor i in range(1000000): a = [a]; b = [b]\nprint(a == b)");
        Assert.Equal(1, run.ExitCode);
        Assert.EndsWith("\nRecursionError: maximum recursion depth exceeded in comparison\n", run.Stderr);
        SecondSessionAnswers(target);
        target.Echo("after ==");
        target.FinishAndCheck();
    }

    [Fact]
    public void ARaisedRecursionLimitCannotOverflowTheListenerStack()
    {
        using var target = new AttachTarget();
        // 10**6 frames would need far more than the listener's 32 MiB: the stack check stops it first.
        var run = target.Attach("-c", "import sys\nsys.setrecursionlimit(10**6)\ndef down(n):\n    return down(n + 1)\n" +
                                     "try:\n    down(0)\nexcept RecursionError as e:\n    print(e)\n" +
                                     "r = []\nfor i in range(200000): r = [r]\n" +
                                     "try:\n    repr(r)\nexcept RecursionError as e:\n    print(e)");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("maximum recursion depth exceeded\nmaximum recursion depth exceeded while getting the repr of an object\n",
                     run.Stdout);
        SecondSessionAnswers(target);
        target.Echo("after the deep recursion");
        target.FinishAndCheck();
    }

    private static string Quote(string s) => "'" + s.Replace("\\", "\\\\").Replace("'", "\\'") + "'";
}

/// <summary>A small shared library with functions that fault: tests/fixtures/lib/faults.c, built -g -O0 by CMake.</summary>
internal static class FaultLibrary
{
    public static string Build() => Invisible.Tests.Shared.TestProcess.BuiltFixture("libfaults.so");
}
