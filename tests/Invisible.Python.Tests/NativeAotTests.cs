using System.IO;
using Xunit;

namespace Invisible.Python.Tests;

/// <summary>Runs the NativeAOT CLI (build/bin/invisible python ...) to prove the interpreter works without a JIT.</summary>
public class NativeAotTests
{
    private static string Binary => Path.Combine(Paths.RepoRoot, "build", "bin", "invisible");

    private static (string Stdout, string Stderr, int Exit) Run(string dir, params string[] args)
    {
        var all = new string[args.Length + 1];
        all[0] = "python";
        args.CopyTo(all, 1);
        Assert.True(File.Exists(Binary), $"NativeAOT binary missing: {Binary} (run scripts/build)");
        return Paths.RunProcess(Binary, all, dir);
    }

    [Fact]
    public void DashC()
    {
        var r = Run(Paths.RepoRoot, "-c", "print(sum(i * i for i in range(10)), 2 ** 100, 0.1 + 0.2, f'{3.14159:.2f}')");
        Assert.Equal("285 1267650600228229401496703205376 0.30000000000000004 3.14\n", r.Stdout);
        Assert.Equal(0, r.Exit);
    }

    [Fact]
    public void ScriptWithClassesGeneratorsAndModules()
    {
        var corpus = Path.Combine(Paths.Corpus, "generators");
        var expected = CorpusTests.Expected.Load(Path.Combine("generators", "yield_from.py"));
        var r = Run(corpus, "yield_from.py");
        Assert.Equal(expected.Stdout, r.Stdout);
        var mods = Run(Paths.RepoRoot, "-c", "import json, re, math, collections; print(json.dumps({'a': [1, 2.5]}), re.sub(r'(\\d+)', r'<\\1>', 'a1b22'), math.gcd(12, 18), collections.Counter('aab').most_common(1))");
        Assert.Equal("{\"a\": [1, 2.5]} a<1>b<22> 6 [('a', 2)]\n", mods.Stdout);
    }

    [Fact]
    public void UncaughtExceptionExitStatusAndTraceback()
    {
        var r = Run(Paths.RepoRoot, "-c", "print('x')\nraise KeyError('k')");
        Assert.Equal("x\n", r.Stdout);
        Assert.Equal(1, r.Exit);
        Assert.StartsWith("Traceback (most recent call last):", r.Stderr);
        Assert.EndsWith("KeyError: 'k'\n", r.Stderr);
    }

    [Fact]
    public void RecursionErrorUnderNativeAot()
    {
        var r = Run(Paths.RepoRoot, "-c", "def f(n): return f(n+1)\ntry:\n    f(0)\nexcept RecursionError as e:\n    print('caught', e)");
        Assert.Equal("caught maximum recursion depth exceeded\n", r.Stdout);
    }
}
