using System;
using Xunit;

namespace Invisible.NativeEntry.Tests;

/// <summary>dladdr names the stubs; C-callable entries forward registers and stack arguments intact; the
/// interpreter degrades to plain managed calls without libinvisible.so; native frames do not change behaviour.</summary>
public sealed class EntryPointTests
{
    [Fact]
    public void Dladdr_NamesFrameStubAndCEntry()
    {
        string dir = Harness.TempDir();
        string script = Harness.Script(dir, """
            import _nativeentry as ne
            def fac(n):
                return 1 if n <= 1 else n * fac(n - 1)
            def cmp(a, b):
                return a - b
            print(fac(5))
            print(ne.dladdr(ne.entry(fac)))
            p = ne.callback(cmp, 2)
            print(ne.dladdr(p))
            print(ne.call(p, 7, 3))
            print(ne.call(ne.dlsym(ne.dlopen("@FIXTURE@"), "ne_apply"), p, 10, 4))
            s = ne.status()
            print(s["frames"], s["error"])
            """);
        RunResult r = Harness.Python(script, Harness.Preloaded(dir));
        Assert.True(r.ExitCode == 0, r.Stderr);
        string[] lines = r.Stdout.Split('\n');
        Assert.Equal("120", lines[0]);
        Assert.Matches(@"^\('.*/python:__main__', 'fac'\)$", lines[1]);
        Assert.Matches(@"^\('.*/python:__main__', 'cmp\$c\$1'\)$", lines[2]);
        Assert.Equal("4", lines[3]);
        Assert.Equal("6", lines[4]);
        Assert.Equal("native None", lines[5]);
    }

    [Fact]
    public void ForwardingEntry_PassesStackArgumentsAndKeepsAlignment()
    {
        string dir = Harness.TempDir();
        string script = Harness.Script(dir, """
            import _nativeentry as ne
            lib = ne.dlopen("@FIXTURE@")
            def weigh(*a):
                pass
            w8 = ne.forward(weigh, ne.dlsym(lib, "ne_weigh8"), 16)
            w9 = ne.forward(weigh, ne.dlsym(lib, "ne_weigh9"), 24)
            print(ne.call(ne.dlsym(lib, "ne_call8"), w8))
            print(ne.call(ne.dlsym(lib, "ne_call9"), w9))
            print(ne.dladdr(w8)[1], ne.dladdr(w9)[1])
            print(ne.forward(weigh, ne.dlsym(lib, "ne_weigh8"), 16) == w8)
            """);
        RunResult r = Harness.Python(script, Harness.Preloaded(dir));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("204\n285\nweigh$c$1 weigh$c$2\nTrue\n", r.Stdout);
    }

    [Fact]
    public void WithoutLibinvisible_NoStubsAndEverythingStillWorks()
    {
        string dir = Harness.TempDir();
        string script = Harness.Script(dir, """
            import _nativeentry as ne
            def fac(n):
                return 1 if n <= 1 else n * fac(n - 1)
            print(fac(10), ne.entry(fac))
            s = ne.status()
            print(s["frames"], s["stubs"], "not preloaded" in s["reason"])
            """);
        RunResult r = Harness.Python(script, Harness.NotPreloaded());
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("3628800 0\noff 0 True\n", r.Stdout);
    }

    [Fact]
    public void FastMode_VmCallsStayManaged()
    {
        string dir = Harness.TempDir();
        string script = Harness.Script(dir, """
            import _nativeentry as ne
            def fac(n):
                return 1 if n <= 1 else n * fac(n - 1)
            print(fac(10))
            s = ne.status()
            print(s["frames"], s["stubs"])
            print(ne.dladdr(ne.entry(fac))[1])
            """);
        var env = Harness.Preloaded(dir);
        env["INVISIBLE_PYTHON_FRAMES"] = "fast";
        RunResult r = Harness.Python(script, env);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("3628800\nfast 0\nfac\n", r.Stdout);
    }

    /// <summary>Exceptions cross every native frame (caught in the entry, rethrown after it), recursion limits hold,
    /// generators, closures, methods and same-named functions behave exactly as without stubs.</summary>
    [Fact]
    public void NativeFrames_SameBehaviourAsManagedCalls()
    {
        string dir = Harness.TempDir();
        string script = Harness.Script(dir, """
            import sys
            sys.setrecursionlimit(20000)
            def depth(n):
                return 0 if n == 0 else 1 + depth(n - 1)
            print(depth(15000))
            def forever(n):
                return forever(n + 1)
            try:
                forever(0)
            except RecursionError as e:
                print("RecursionError", e)
            def boom(n):
                if n == 0:
                    raise ValueError("deep")
                return boom(n - 1)
            try:
                boom(3000)
            except ValueError as e:
                print("caught", e)
            def gen(n):
                for i in range(n):
                    yield i * i
            print(sum(gen(10)))
            def outer():
                k = 3
                def inner(x):
                    return x + k
                return [inner(i) for i in range(3)]
            print(outer(), outer())
            class Tree:
                def __init__(self, v):
                    self.v = v
                def total(self):
                    return self.v
            print(Tree(7).total())
            def f(): return 1
            g = f
            def f(): return 2
            print(g(), f())
            import _nativeentry as ne
            if ne.status()["frames"] == "native":
                print(ne.dladdr(ne.entry(g))[1], ne.dladdr(ne.entry(f))[1], ne.dladdr(ne.entry(Tree.total))[1])
            else:
                print("-")
            boom(2)
            """);
        RunResult native = Harness.Python(script, Harness.Preloaded(dir));
        RunResult off = Harness.Python(script, Harness.NotPreloaded());
        Assert.Equal(1, native.ExitCode);
        Assert.Equal(off.ExitCode, native.ExitCode);
        Assert.Equal(off.Stderr, native.Stderr);
        string[] n = native.Stdout.Split('\n'), o = off.Stdout.Split('\n');
        Assert.Equal(o.Length, n.Length);
        for (int i = 0; i < n.Length - 2; i++) Assert.Equal(o[i], n[i]);   // the line of stub names differs (off: none)
        Assert.Equal("f f.2 Tree.total", n[^2]);
        Assert.Contains("ValueError: deep", native.Stderr);
    }
}
