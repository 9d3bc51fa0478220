using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text.Json;

namespace Invisible.Leak.Tests;

/// <summary>Where the build outputs are, and how to run a program with or without us.</summary>
public static class TestEnvironment
{
    public static readonly string Root = Invisible.Tests.Shared.TestProcess.Root;
    public static string Build => Path.Combine(Root, "build");
    public static string Library => Path.Combine(Build, "lib", "libinvisible.so");
    public static string Cli => Path.Combine(Build, "bin", "invisible");
    public static string Fixture(string name, string opt = "O0") => Path.Combine(Build, "tests", "fixtures", name + "-" + opt);

    public static string TempFile(string suffix) =>
        Path.Combine(Path.GetTempPath(), "invisible-test-" + Guid.NewGuid().ToString("N") + suffix);

    public static RunResult Run(string file, IEnumerable<string> args, IDictionary<string, string>? env = null,
                                string? stdin = null, int timeoutMs = 120_000, string? workingDirectory = null)
    {
        var (exit, stdout, stderr) = Invisible.Tests.Shared.TestProcess.Run(file, args, env, stdin, timeoutMs, workingDirectory);
        return new RunResult(exit, stdout, stderr);
    }

    /// <summary>Run a program with libinvisible.so preloaded and a JSON report; returns the parsed report.</summary>
    public static (RunResult Run, JsonDocument Report) RunPreloaded(string file, IEnumerable<string> args,
                                                                  IDictionary<string, string>? extraEnv = null)
    {
        string json = TempFile(".json");
        var env = new Dictionary<string, string> { ["LD_PRELOAD"] = Library, ["INVISIBLE_JSON"] = json };
        if (extraEnv is not null)
            foreach (var (k, v) in extraEnv) env[k] = v;
        RunResult result = Run(file, args, env);
        if (!File.Exists(json))
            throw new InvalidOperationException("no JSON report; stderr:\n" + result.Stderr);
        var doc = JsonDocument.Parse(File.ReadAllText(json));
        File.Delete(json);
        return (result, doc);
    }
}

public sealed record RunResult(int ExitCode, string Stdout, string Stderr);

/// <summary>The four totals of a leak report.</summary>
public readonly record struct LeakTotals(long DefinitelyBlocks, long DefinitelyBytes, long IndirectBlocks, long IndirectBytes,
                                         long PossibleBlocks, long PossibleBytes, long ReachableBlocks, long ReachableBytes)
{
    public static LeakTotals FromJson(JsonDocument doc)
    {
        JsonElement leaks = doc.RootElement.GetProperty("leaks");
        long B(string k) => leaks.GetProperty(k).GetProperty("blocks").GetInt64();
        long Y(string k) => leaks.GetProperty(k).GetProperty("bytes").GetInt64();
        return new LeakTotals(B("definitely_lost"), Y("definitely_lost"), B("indirectly_lost"), Y("indirectly_lost"),
                              B("possibly_lost"), Y("possibly_lost"), B("still_reachable"), Y("still_reachable"));
    }

    /// <summary>Parse valgrind's LEAK SUMMARY (absent lines mean 0).</summary>
    public static LeakTotals FromValgrind(string stderr)
    {
        (long, long) Get(string label)
        {
            foreach (string line in stderr.Split('\n'))
            {
                int at = line.IndexOf(label + ":", StringComparison.Ordinal);
                if (at < 0) continue;
                string[] parts = line[(at + label.Length + 1)..].Trim().Split(' ');
                return (long.Parse(parts[3].Replace(",", "")), long.Parse(parts[0].Replace(",", "")));
            }
            return (0, 0);
        }
        var d = Get("definitely lost"); var i = Get("indirectly lost"); var p = Get("possibly lost"); var r = Get("still reachable");
        return new LeakTotals(d.Item1, d.Item2, i.Item1, i.Item2, p.Item1, p.Item2, r.Item1, r.Item2);
    }
}
