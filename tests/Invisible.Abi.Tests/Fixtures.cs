using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;

namespace Invisible.Abi.Tests;

/// <summary>Compiles the C fixtures (fixtures/*.c, copied next to the test assembly) with gcc into one temp dir,
/// once per test run, and caches the outputs.</summary>
internal static class Fixtures
{
    private static readonly object Gate = new();
    private static readonly Dictionary<string, string> Built = new();
    private static string? _dir;

    public static string SourceDir => Path.Combine(AppContext.BaseDirectory, "fixtures");

    public static string Source(string name) => Path.Combine(SourceDir, name);

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

    /// <summary>gcc SOURCE -o OUT with the given flags; returns the output path. Cached by (source, flags).</summary>
    public static string Build(string source, string output, string flags)
    {
        string key = source + "|" + output + "|" + flags;
        lock (Gate)
        {
            if (Built.TryGetValue(key, out string? done)) return done;
            string outPath = Path.Combine(TempDir, output);
            Run("gcc", flags + " -o " + outPath + " " + Source(source));
            Built[key] = outPath;
            return outPath;
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
