using System;
using System.Diagnostics;
using System.IO;
using Invisible.Python;
using Invisible.Tests.Shared;
using Xunit;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Invisible.DwarfPython.Tests;

/// <summary>The C fixture library (built by CMake) and running Python against it in-process.</summary>
internal static class Fixture
{
    public static string RepoRoot => TestProcess.Root;

    /// <summary>tests/fixtures/lib/dpfix.c, built -g -O0 by CMake into build/tests/fixtures/libdpfix.so.</summary>
    public static string LibraryPath => TestProcess.BuiltFixture("libdpfix.so");

    /// <summary>Runs <paramref name="code"/> with <c>fx</c> bound to the fixture library.</summary>
    public static (string Stdout, string Stderr, int Exit) Py(string code, bool withFixture = true)
    {
        string prefix = withFixture ? "import process\nfx = process.load('" + LibraryPath + "')\n" : "";
        return PythonEngine.Execute(prefix + code, "<test>", setup: Bridge.Install);
    }

    public static string Out(string code)
    {
        var r = Py(code);
        Assert.True(r.Exit == 0, "exit " + r.Exit + "\n" + r.Stderr + "\n" + r.Stdout);
        return r.Stdout;
    }

    public static string Error(string code)
    {
        var r = Py(code);
        Assert.NotEqual(0, r.Exit);
        string[] lines = r.Stderr.TrimEnd('\n').Split('\n');
        return lines[^1];
    }

    public static (string Stdout, string Stderr, int Exit) Run(string exe, string[] args, string dir, string? env = null)
    {
        var psi = new ProcessStartInfo(exe) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) psi.ArgumentList.Add(a);
        if (env != null) { int eq = env.IndexOf('='); psi.Environment[env.Substring(0, eq)] = env.Substring(eq + 1); }
        using var p = Process.Start(psi)!;
        var so = p.StandardOutput.ReadToEndAsync();
        var se = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (so.Result, se.Result, p.ExitCode);
    }
}
