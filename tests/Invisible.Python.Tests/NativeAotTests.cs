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

    /// <summary>`invisible python prog | head -1`: the write after the reader left fails with EPIPE, so the program
    /// stops with BrokenPipeError and exit status 1, as CPython (.NET's console stream dropped EPIPE: it ran to its end
    /// and exited 0).</summary>
    [Fact]
    public void WritingToAClosedPipeRaisesBrokenPipeError()
    {
        Assert.True(File.Exists(Binary), $"NativeAOT binary missing: {Binary} (run scripts/build)");
        string script = "'" + Binary + "' python -c 'import sys\nfor i in range(200000): print(i)\nsys.stderr.write(\"ran to the end\\n\")' | head -1; echo status=${PIPESTATUS[0]} >&2";
        var r = Paths.RunProcess("/bin/bash", new[] { "-c", script }, Paths.RepoRoot);
        Assert.Equal("0\n", r.Stdout);
        Assert.DoesNotContain("ran to the end", r.Stderr);
        Assert.Contains("BrokenPipeError: [Errno 32] Broken pipe\n", r.Stderr);
        Assert.EndsWith("status=1\n", r.Stderr);
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

    /// <summary>build/bin/python3 (sys.executable) takes CPython's command line, as test.support.script_helper and
    /// subprocess users spawn it: options grouped or apart, -X/-W values, sys.flags and sys.orig_argv to match.</summary>
    [Fact]
    public void PythonEntryIsSysExecutableAndTakesCPythonsOptions()
    {
        string python3 = Path.Combine(Paths.RepoRoot, "build", "bin", "python3");
        Assert.True(File.Exists(python3), $"missing: {python3} (run scripts/build)");
        var r = Paths.RunProcess(python3, new[] { "-I", "-S", "-X", "faulthandler", "-Wignore", "-bB", "-c",
            "import sys; print(sys.argv, sys.executable == sys.orig_argv[0], sys.orig_argv[1:4], sys.flags.isolated, sys.flags.no_site, " +
            "sys.flags.bytes_warning, sys.dont_write_bytecode, sys._xoptions, sys.warnoptions)", "a", "run" }, Paths.RepoRoot);
        Assert.Equal("", r.Stderr);
        Assert.Equal("['-c', 'a', 'run'] True ['-I', '-S', '-X'] 1 1 1 True {'faulthandler': True} ['ignore']\n", r.Stdout);
        Assert.Equal(0, r.Exit);
        var spawned = Paths.RunProcess(python3, new[] { "-c",
            "import subprocess, sys; print(subprocess.run([sys.executable, '-E', '-c', 'print(6 * 7)'], capture_output=True).stdout)" }, Paths.RepoRoot);
        Assert.Equal("b'42\\n'\n", spawned.Stdout);
        var stdin = Paths.RunProcess(python3, new[] { "-", "x" }, Paths.RepoRoot, "import sys\nprint(sys.argv)\n");
        Assert.Equal("['-', 'x']\n", stdin.Stdout);
    }

    /// <summary>-i with a program on a pipe: the prompt reads the pipe's lines one statement at a time (errors do not
    /// end it), banner and prompts on stderr, the program's output alone on stdout, as CPython.</summary>
    [Fact]
    public void InteractiveFlagWithPipedStdinRunsTheLinesAtThePrompt()
    {
        var r = Paths.RunProcess(Binary, new[] { "python", "-i" }, Paths.RepoRoot, "x = 1\nprint(x + 1)\nif x:\n  print('a')\n\n1/0\nprint('after')\n");
        Assert.Equal("2\na\nafter\n", r.Stdout);
        Assert.Contains(">>> >>> >>> ... ... >>> Traceback (most recent call last):\n", r.Stderr);
        Assert.EndsWith("ZeroDivisionError: division by zero\n>>> >>> \n", r.Stderr);
        Assert.Equal(0, r.Exit);
        var quiet = Paths.RunProcess(Binary, new[] { "python", "-i", "-q" }, Paths.RepoRoot, "print(5)\n");
        Assert.Equal(("5\n", ">>> >>> \n"), (quiet.Stdout, quiet.Stderr));
    }

    [Fact]
    public void RecursionErrorUnderNativeAot()
    {
        var r = Run(Paths.RepoRoot, "-c", "def f(n): return f(n+1)\ntry:\n    f(0)\nexcept RecursionError as e:\n    print('caught', e)");
        Assert.Equal("caught maximum recursion depth exceeded\n", r.Stdout);
    }
}
