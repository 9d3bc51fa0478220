using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;

namespace Invisible.Tests.Shared;

/// <summary>What every end-to-end test project needs: the repository root (for build/ outputs
/// and fixtures) and a way to run a program with a clean environment (no INVISIBLE_* settings or
/// LD_PRELOAD inherited from the test runner) and capture its output.</summary>
public static class TestProcess
{
    public static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null)
        {
            if (File.Exists(Path.Combine(dir, "CMakeLists.txt")) && File.Exists(Path.Combine(dir, "scripts", "build")))
                return dir;
            dir = Path.GetDirectoryName(dir);
        }
        throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A C fixture built by CMake (tests/CMakeLists.txt) into build/tests/fixtures/, e.g.
    /// "libdpfix.so" or "demo-O0". No test compiles C itself; a missing file means the build did not run.</summary>
    public static string BuiltFixture(string fileName)
    {
        string path = Path.Combine(Root, "build", "tests", "fixtures", fileName);
        if (!File.Exists(path))
            throw new InvalidOperationException("fixture " + path + " is missing: run scripts/build");
        return path;
    }

    /// <summary>The source of a fixture, relative to tests/fixtures/ (e.g. "lib/symfix.c"): the path its DWARF names.</summary>
    public static string FixtureSource(string relativePath) => Path.Combine(Root, "tests", "fixtures", relativePath);

    public static ProcessStartInfo StartInfo(string file, IEnumerable<string> args, IDictionary<string, string>? env,
                                             string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Root,
        };
        foreach (string a in args) psi.ArgumentList.Add(a);
        foreach (string key in new List<string>(psi.Environment.Keys))
            if (key.StartsWith("INVISIBLE_", StringComparison.Ordinal) || key == "LD_PRELOAD")
                psi.Environment.Remove(key);
        // The adaptive capture depth reads a per-user cache that `invisible run` fills (issue 17): a test sees the
        // same traces whatever ran before it only with it off. Tests of the feature turn it on (and name their own
        // XDG_CACHE_HOME).
        psi.Environment["INVISIBLE_WRAPPERS"] = "no";
        if (env is not null)
            foreach (var (k, v) in env) psi.Environment[k] = v;
        return psi;
    }

    /// <summary>Run to completion (stdin gets `stdin`, or is closed at once).</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string file, IEnumerable<string> args,
        IDictionary<string, string>? env = null, string? stdin = null, int timeoutMs = 120_000, string? workingDirectory = null)
    {
        using var p = Process.Start(StartInfo(file, args, env, workingDirectory))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
            p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill(true);
            throw new TimeoutException(file + " did not finish in " + timeoutMs + " ms");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
