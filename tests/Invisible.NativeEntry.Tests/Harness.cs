using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;

namespace Invisible.NativeEntry.Tests;

public sealed record RunResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Build outputs, the C fixture library, and running `invisible python` with or without libinvisible.so.</summary>
public static class Harness
{
    public static readonly string Root = Invisible.Tests.Shared.TestProcess.Root;
    public static string Cli => Path.Combine(Root, "build", "bin", "invisible");
    public static string Library => Path.Combine(Root, "build", "lib", "libinvisible.so");

    /// <summary>tests/fixtures/lib/ne_fixture.c, built by CMake (-O1 -g -fno-omit-frame-pointer) into
    /// build/tests/fixtures/libne_fixture.so.</summary>
    public static string Fixture => Invisible.Tests.Shared.TestProcess.BuiltFixture("libne_fixture.so");

    public static string TempDir()
    {
        string d = Path.Combine(Path.GetTempPath(), "invisible-ne-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    /// <summary>Environment of a run without libinvisible.so (`invisible python` would otherwise preload it itself).</summary>
    public static Dictionary<string, string> NotPreloaded() => new() { ["INVISIBLE_PYTHON_NO_PRELOAD"] = "1" };

    /// <summary>Environment of a run under libinvisible.so: preload, no exit report unless asked, a private dlext dir.</summary>
    public static Dictionary<string, string> Preloaded(string dlextDir, bool leakCheck = false)
    {
        var env = new Dictionary<string, string>
        {
            ["LD_PRELOAD"] = Library,
            ["INVISIBLE_DLEXT_DIR"] = dlextDir,
            ["INVISIBLE_DLEXT_PERFMAP"] = "0",
        };
        if (!leakCheck) env["INVISIBLE_LEAK_CHECK"] = "no";
        return env;
    }

    /// <summary>Writes <paramref name="source"/> to a script in <paramref name="dir"/> and returns its path.</summary>
    public static string Script(string dir, string source, string name = "script.py")
    {
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, source.Replace("@FIXTURE@", Fixture));
        return path;
    }

    public static RunResult Python(string script, IDictionary<string, string>? env) =>
        Run(Cli, new[] { "python", script }, env);

    public static RunResult Run(string file, IEnumerable<string> args, IDictionary<string, string>? env, int timeoutMs = 180_000)
    {
        var (exit, stdout, stderr) = Invisible.Tests.Shared.TestProcess.Run(file, args, env, null, timeoutMs);
        return new RunResult(exit, stdout, stderr);
    }
}
