using System;
using System.Diagnostics;
using System.IO;
using Invisible.Tests.Shared;

namespace Invisible.Abi.Tests;

/// <summary>The C fixture libraries (tests/fixtures/lib/*.c, built by CMake into build/tests/fixtures/), their
/// sources, and a temp dir for the copies that tests damage.</summary>
internal static class Fixtures
{
    private static readonly object Gate = new();
    private static string? _dir;

    public static string Source(string name) => TestProcess.FixtureSource(Path.Combine("lib", name));

    /// <summary>A fixture library by file name, e.g. "libtypes-o0.so" (tests/CMakeLists.txt says how each is built).</summary>
    public static string Library(string fileName) => TestProcess.BuiltFixture(fileName);

    public static string TempDir
    {
        get
        {
            lock (Gate)
            {
                if (_dir is null)
                {
                    _dir = Path.Combine(Path.GetTempPath(), "invisible-abi-tests-" + Environment.ProcessId);
                    Directory.CreateDirectory(_dir);
                }
                return _dir;
            }
        }
    }
    /// <summary>Line number (1-based) of the line carrying "MARK:name" in a fixture source.</summary>
    public static int Mark(string source, string name)
    {
        string[] lines = File.ReadAllLines(Source(source));
        for (int i = 0; i < lines.Length; i++)
            if (lines[i].Contains("MARK:" + name + " ", StringComparison.Ordinal) || lines[i].EndsWith("MARK:" + name, StringComparison.Ordinal))
                return i + 1;
        throw new InvalidOperationException("no MARK:" + name + " in " + source);
    }

    public static string Run(string exe, string args)
    {
        var psi = new ProcessStartInfo(exe, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        string stdout = p.StandardOutput.ReadToEnd();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException(exe + " " + args + " failed (" + p.ExitCode + "):\n" + stderr);
        return stdout;
    }
}
