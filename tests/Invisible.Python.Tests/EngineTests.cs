using System.IO;
using Xunit;

namespace Invisible.Python.Tests;

public class EngineTests
{
    [Fact]
    public void ExecuteCapturesOutput()
    {
        var (o, e, rc) = PythonEngine.Execute("print('hi', 6 * 7)");
        Assert.Equal("hi 42\n", o);
        Assert.Equal("", e);
        Assert.Equal(0, rc);
    }

    [Fact]
    public void SyntaxErrorHasFileLineAndCaret()
    {
        var (o, e, rc) = PythonEngine.Execute("x = 1\ny = (1 +\nprint(x)\n", "prog.py");
        Assert.Equal(1, rc);
        Assert.Contains("File \"prog.py\", line", e);
        Assert.Contains("SyntaxError", e);
        var (_, e2, _) = PythonEngine.Execute("x = = 1\n", "bad.py");
        Assert.Contains("File \"bad.py\", line 1", e2);
        Assert.Contains("    x = = 1\n", e2);
        Assert.Contains("^", e2);
        Assert.EndsWith("SyntaxError: invalid syntax\n", e2);
    }

    [Fact]
    public void UncaughtExceptionPrintsTraceback()
    {
        var (o, e, rc) = PythonEngine.Execute("def f():\n    raise ValueError('bad')\nprint('a')\nf()\n", "t.py");
        Assert.Equal("a\n", o);
        Assert.Equal(1, rc);
        Assert.Equal("Traceback (most recent call last):\n  File \"t.py\", line 4, in <module>\n    f()\n  File \"t.py\", line 2, in f\n    raise ValueError('bad')\nValueError: bad\n", e);
    }

    [Fact]
    public void RecursionErrorInsteadOfCrash()
    {
        var (o, e, rc) = PythonEngine.Execute("def f(n): return f(n + 1)\nf(0)\n");
        Assert.Equal(1, rc);
        Assert.Contains("RecursionError: maximum recursion depth exceeded", e);
    }

    [Fact]
    public void ModuleProviderHook()
    {
        var provider = new System.Func<string, Runtime.PyModule?>(name =>
        {
            if (name != "c") return null;
            var m = new Runtime.PyModule("c");
            m.Add("answer", Runtime.PyInt.Get(42));
            m.AddFn("twice", (a, k) => Runtime.PyInt.Get(((Runtime.PyInt)a[0]).V * 2));
            return m;
        });
        var (o, _, rc) = PythonEngine.Execute("import c\nfrom c import twice\nprint(c.answer, twice(21))",
                                              setup: engine => engine.Interpreter.Imports.AddFinder(provider));
        Assert.Equal("42 42\n", o);
        Assert.Equal(0, rc);
    }

    [Fact]
    public void MainRunsDashC()
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int rc = PythonMain.Run(new[] { "-c", "import sys; print(sys.argv); sys.exit(4)", "x" }, o, e);
        Assert.Equal("['-c', 'x']\n", o.ToString());
        Assert.Equal(4, rc);
    }
    /// <summary>Runs <paramref name="code"/>; once the script calls <c>gate.ready()</c>, another thread requests an
    /// interrupt (PythonEngine.RequestInterrupt), as an attach session or the console's Ctrl-C does,
    /// <paramref name="delayMs"/> after that call. <c>gate.ready_and_block()</c> also blocks in native code until the request is
    /// pending, so the script cannot reach a loop back-edge first. <paramref name="engine"/> is the engine that ran it.</summary>
    private static (string Stdout, string Stderr, int ExitCode) RunInterrupted(string code, out PythonEngine engine, int delayMs = 0)
    {
        using var ready = new System.Threading.ManualResetEventSlim();
        PythonEngine? running = null;
        var provider = new System.Func<string, Runtime.PyModule?>(name =>
        {
            if (name != "gate") return null;
            var m = new Runtime.PyModule("gate");
            m.AddFn("ready", (a, k) => { ready.Set(); return Runtime.PyNone.Instance; });
            m.AddFn("ready_and_block", (a, k) =>
            {
                ready.Set();
                System.Threading.SpinWait.SpinUntil(() => running!.InterruptPending, 30000);
                return Runtime.PyNone.Instance;
            });
            return m;
        });
        var requester = new System.Threading.Thread(() =>
        {
            if (!ready.Wait(30000)) return;
            if (delayMs > 0) System.Threading.Thread.Sleep(delayMs);
            running!.RequestInterrupt();
        });
        try
        {
            requester.Start();
            return PythonEngine.Execute(code, "loop.py", setup: e =>
            {
                running = e;
                e.Interpreter.Imports.AddFinder(provider);
            });
        }
        finally
        {
            ready.Set();
            requester.Join();
            engine = running!;
        }
    }

    /// <summary>A regular expression with exponential backtracking (<c>(?:x+x+)+y</c> on 40 x's, code as CPython 3.11's
    /// Lib/re compiles it) stops with KeyboardInterrupt: _sre's matcher checks for interrupts as CPython's checks
    /// for signals, and the interpreter goes on.</summary>
    [Fact]
    public void RequestInterruptStopsARunawayRegex()
    {
        var (o, e, rc) = RunInterrupted(
            "import _sre, gate\n" +
            "code = [14, 4, 0, 3, 4294967295, 23, 17, 1, 4294967295, 24, 6, 1, 4294967295, 16, 120, 1, 24, 6, 1, 4294967295, 16, 120, 1, 18, 16, 121, 1]\n" +
            "p = _sre.compile('(?:x+x+)+y', 32, code, 0, {}, (None,))\n" +
            "print(p.match('xxy').span())\n" +
            "try:\n    gate.ready_and_block()\n    p.match('x' * 40)\nexcept KeyboardInterrupt as k:\n    print('caught', repr(k))\n" +
            "print(p.search('axxxy').span())\n", out var engine);
        Assert.Equal("(0, 3)\ncaught KeyboardInterrupt()\n(1, 5)\n", o);
        Assert.Equal("", e);
        Assert.Equal(0, rc);
        Assert.False(engine.InterruptPending);
    }

    [Fact]
    public void RequestInterruptStopsASilentLoop()
    {
        var (o, e, rc) = RunInterrupted(
            "import gate\ntry:\n    gate.ready()\n    while True:\n        pass\nexcept KeyboardInterrupt as k:\n    print('caught', type(k).__name__, repr(k))\nprint('after')\n", out var engine);
        Assert.Equal("caught KeyboardInterrupt KeyboardInterrupt()\nafter\n", o);
        Assert.Equal("", e);
        Assert.Equal(0, rc);
        Assert.False(engine.InterruptPending);
    }

    [Fact]
    public void UncaughtInterruptEndsTheProgramLikeCPython()
    {
        // inside a function's for loop: the traceback names the loop's line; exit status 130 (128 + SIGINT)
        var (o, e, rc) = RunInterrupted("import gate\ndef spin():\n    gate.ready()\n    n = 0\n    for i in iter(int, 1):\n        n += i\nspin()\n", out _);
        Assert.Equal("", o);
        Assert.Equal(130, rc);
        Assert.Equal("Traceback (most recent call last):\n  File \"loop.py\", line 7, in <module>\n    spin()\n  File \"loop.py\", line 6, in spin\n    n += i\nKeyboardInterrupt\n", e);
    }

    [Fact]
    public void InterruptIsTakenAtFunctionEntry()
    {
        // no loop at all, only calls: the request is taken when the next frame starts
        var (o, _, rc) = RunInterrupted(
            "import gate\ndef h():\n    print('not reached')\ndef g():\n    gate.ready_and_block()\n    h()\ntry:\n    g()\nexcept KeyboardInterrupt:\n    print('stopped')\n", out _);
        Assert.Equal("stopped\n", o);
        Assert.Equal(0, rc);
    }

    [Fact]
    public void RequestInterruptWakesTimeSleep()
    {
        // the request comes 100 ms into a 30 s sleep: KeyboardInterrupt is raised from inside time.sleep
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (o, e, rc) = RunInterrupted(
            "import gate, time\ntry:\n    gate.ready()\n    time.sleep(30)\n    print('slept')\nexcept KeyboardInterrupt:\n    print('woken')\nprint('after')\n", out var engine, delayMs: 100);
        Assert.Equal("woken\nafter\n", o);
        Assert.Equal("", e);
        Assert.Equal(0, rc);
        Assert.False(engine.InterruptPending);
        Assert.True(clock.Elapsed < System.TimeSpan.FromSeconds(20), $"time.sleep(30) was not woken ({clock.Elapsed})"); // hang guard only
    }

    /// <summary>Each engine is its own interpreter (InterpreterState): its sys, sys.modules, streams, recursion limit and
    /// interrupt requests are its own, even when another engine was made after it.</summary>
    [Fact]
    public void EnginesAreIndependentInterpreters()
    {
        var (oa, ea, ob, eb) = (new StringWriter(), new StringWriter(), new StringWriter(), new StringWriter());
        var a = new PythonEngine(oa, ea, new StringReader(""), new[] { "a.py" });
        var b = new PythonEngine(ob, eb, new StringReader(""), new[] { "b.py" });
        a.RequestInterrupt();
        Assert.True(a.InterruptPending);
        Assert.False(b.InterruptPending);
        int rb = b.RunMain("import sys\nsys.setrecursionlimit(50)\nsys.tag = 'b'\nfor i in range(3): pass\nprint('b', sys.argv, sys.getrecursionlimit())\n", "b.py");
        Assert.True(a.ClearInterrupt());
        int ra = a.RunMain("import sys\nprint('a', sys.argv, hasattr(sys, 'tag'), sys.getrecursionlimit())\n", "a.py");
        Assert.Equal((0, 0), (ra, rb));
        Assert.Equal("a ['a.py'] False 1000\n", oa.ToString());
        Assert.Equal("b ['b.py'] 50\n", ob.ToString());
        Assert.Equal("", ea.ToString() + eb.ToString());
    }
}
