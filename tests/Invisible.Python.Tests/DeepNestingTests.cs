using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using Invisible.Python.Runtime;
using Xunit;

namespace Invisible.Python.Tests;

/// <summary>
/// Nothing nested can crash the interpreter: over-deep
/// source is a SyntaxError/MemoryError/RecursionError as in CPython 3.11, over-deep data a RecursionError, on the
/// NativeAOT CLI and in-process, on a big stack and on a small one; and a native fault in a call made from Python is a
/// FaultError. The corpus programs under tests/python/limits/ compare the same cases with CPython line by line.
/// </summary>
public class DeepNestingTests
{
    private static string Binary => Path.Combine(Paths.RepoRoot, "build", "bin", "invisible");

    private static string TempDir()
    {
        string d = Path.Combine(Path.GetTempPath(), "invisible-nesting-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    [Fact]
    public void MillionNestedParenthesesGiveCPythonsSyntaxError()
    {
        string dir = TempDir();
        try
        {
            File.WriteAllText(Path.Combine(dir, "parens.py"), "x = " + new string('(', 1000000) + "1" + new string(')', 1000000) + "\nprint(x)\n");
            var expected = Paths.RunProcess("python3", new[] { "parens.py" }, dir);
            var ours = Paths.RunProcess(Binary, new[] { "python", "parens.py" }, dir);
            Assert.Equal(1, expected.Exit);
            Assert.Equal((expected.Exit, expected.Stdout), (ours.Exit, ours.Stdout));
            // CPython 3.11 names the script by its absolute path in a SyntaxError report, we by the name given
            string cpython = expected.Stderr.Replace("\"" + Path.Combine(dir, "parens.py") + "\"", "\"parens.py\"");
            Assert.True(cpython == ours.Stderr, "stderr differs: " + Tail(ours.Stderr));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void EqualityOfThreeMillionDeepListsIsARecursionError()
    {
        string dir = TempDir();
        try
        {
            File.WriteAllText(Path.Combine(dir, "eq.py"), "a = []; b = []\nfor i in range(3000000): a = [a]; b = [b]\nprint(a == b)\n");
            var expected = Paths.RunProcess("python3", new[] { "eq.py" }, dir);
            var ours = Paths.RunProcess(Binary, new[] { "python", "eq.py" }, dir, timeoutMs: 120_000);
            Assert.Equal((1, ""), (expected.Exit, expected.Stdout));
            Assert.Equal((1, ""), (ours.Exit, ours.Stdout));
            Assert.EndsWith("\nRecursionError: maximum recursion depth exceeded in comparison\n", expected.Stderr);
            Assert.EndsWith("\nRecursionError: maximum recursion depth exceeded in comparison\n", ours.Stderr);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void RaisedRecursionLimitStillEndsInRecursionErrors()
    {
        // With the limit raised, CPython recurses on its C stack for these and dies of SIGSEGV; we stop with
        // RecursionError (the depth cap, or the stack check on a thread with less stack).
        var r = Paths.RunProcess(Binary, new[] { "python", "-c",
            "import sys\nsys.setrecursionlimit(10**6)\n" +
            "a, b = [], []\nfor i in range(300000): a, b = [a], [b]\n" +
            "for f in (lambda: a == b, lambda: repr(a), lambda: __import__('json').dumps(b)):\n" +
            "    try:\n        f()\n    except RecursionError as e:\n        print('stopped:', e)\n" +
            "print('alive')" }, Paths.RepoRoot, timeoutMs: 120_000);
        Assert.True(r.Exit == 0, r.Stderr);
        Assert.Equal("stopped: maximum recursion depth exceeded in comparison\n" +
                     "stopped: maximum recursion depth exceeded while getting the repr of an object\n" +
                     "stopped: maximum recursion depth exceeded while encoding a JSON object\nalive\n", r.Stdout);
    }

    [Fact]
    public void NativeFaultInInvisiblePythonIsAFaultError()
    {
        var r = Paths.RunProcess(Binary, new[] { "python", "-c",
            "import c, process\ntry:\n    c.strlen(None)\nexcept process.FaultError as e:\n    print(e)\nprint(c.strlen('abc'))\nc.div(1, 0)" },
            Paths.RepoRoot);
        Assert.Equal(1, r.Exit);
        Assert.Equal("strlen: SIGSEGV at address 0x0 (the call was abandoned)\n3\n", r.Stdout);
        Assert.Contains("\nprocess.FaultError: div: SIGFPE, integer divide by zero, at 0x", r.Stderr);
        Assert.EndsWith(" (the call was abandoned)\n", r.Stderr);
    }

    /// <summary>The same limits on a thread with a 1 MiB stack (a program thread running a Python callback may have
    /// no more): the stack check answers before the stack ends, whatever the recursion limit says.</summary>
    [Fact]
    public void SmallStackThreadGetsRecursionErrorsNotAnOverflow()
    {
        string? result = null;
        Exception? failure = null;
        var t = new Thread(() =>
        {
            try
            {
                var o = new StringWriter();
                var e = new StringWriter();
                var eng = new PythonEngine(o, e, new StringReader(""), new[] { "small.py" });
                int rc = eng.RunMain(
                    "import sys\nsys.setrecursionlimit(100000)\n" +
                    "def down(n):\n    return down(n + 1)\n" +
                    "a, b, t = [], [], ()\nfor i in range(100000): a, b, t = [a], [b], (t,)\n" +
                    "cases = [('recursion', lambda: down(0)), ('compile', lambda: compile('a' + '.b' * 50000, 's', 'eval')),\n" +
                    "         ('parens', lambda: compile('(' * 150 + ')' * 150, 's', 'eval')), ('repr', lambda: repr(a)),\n" +
                    "         ('eq', lambda: a == b), ('hash', lambda: hash(t)), ('json', lambda: __import__('json').dumps(a))]\n" +
                    "for name, f in cases:\n" +
                    "    try:\n        f()\n        print(name, 'ok')\n    except (RecursionError, MemoryError) as x:\n        print(name, type(x).__name__)\n",
                    "small.py");
                result = rc + "|" + o + "|" + e;
            }
            catch (Exception x) { failure = x; }
        }, 1 << 20);
        t.Start();
        t.Join();
        Assert.Null(failure);
        // 150 nested brackets fit in CPython; on 1 MiB here they may not (JIT frames are large): either, never a crash.
        string expected = "0|recursion RecursionError\ncompile RecursionError\nparens ok\nrepr RecursionError\neq RecursionError\n" +
                          "hash RecursionError\njson RecursionError\n|";
        Assert.Equal(expected, result!.Replace("parens RecursionError", "parens ok"));
    }

    private static string Tail(string s) => s.Length <= 400 ? s : "..." + s[^400..];
}
