using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text.Json;

namespace Invisible.Census.Tests;

/// <summary>Build outputs, running fixtures preloaded, and reading the census out of the JSON report.</summary>
public static class CensusEnvironment
{
    public static readonly string Root = Invisible.Tests.Shared.TestProcess.Root;
    public static string Build => Path.Combine(Root, "build");
    public static string Library => Path.Combine(Build, "lib", "libinvisible.so");
    public static string Cli => Path.Combine(Build, "bin", "invisible");
    public static string Fixture(string name, string opt) => Path.Combine(Build, "tests", "fixtures", name + "-" + opt);

    public static string TempFile(string suffix) =>
        Path.Combine(Path.GetTempPath(), "invisible-census-" + Guid.NewGuid().ToString("N") + suffix);

    public static ProcessStartInfo StartInfo(string file, IEnumerable<string> args, IDictionary<string, string>? env) =>
        Invisible.Tests.Shared.TestProcess.StartInfo(file, args, env);

    public static (int ExitCode, string Stdout, string Stderr) Run(string file, IEnumerable<string> args,
                                                                   IDictionary<string, string>? env = null, int timeoutMs = 120_000) =>
        Invisible.Tests.Shared.TestProcess.Run(file, args, env, null, timeoutMs);

    /// <summary>Run a fixture preloaded with the census at exit; returns the parsed JSON report.</summary>
    public static JsonDocument Census(string fixture, string opt, IEnumerable<string> modes, int depth = 1,
                                      string? allocFn = null, bool leakCheck = false)
    {
        string json = TempFile(".json");
        var env = new Dictionary<string, string>
        {
            ["LD_PRELOAD"] = Library,
            ["INVISIBLE_JSON"] = json,
            ["INVISIBLE_CENSUS"] = "yes",
            ["INVISIBLE_LEAK_CHECK"] = leakCheck ? "yes" : "no",
            ["INVISIBLE_DEPTH"] = depth.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (allocFn is not null) env["INVISIBLE_ALLOC_FN"] = allocFn;
        var run = Run(Fixture(fixture, opt), modes, env);
        if (run.ExitCode != 0 || !File.Exists(json))
            throw new InvalidOperationException("exit " + run.ExitCode + ", no JSON report; stderr:\n" + run.Stderr);
        var doc = JsonDocument.Parse(File.ReadAllText(json));
        File.Delete(json);
        return doc;
    }

    /// <summary>type → blocks, for the census entries whose sites are all in <paramref name="module"/>'s code
    /// (blocks made by libc/libstdc++ start-up are not the fixture's).</summary>
    /// <summary>`invisible wrappers --verbose -- PROGRAM` with its cache in <paramref name="cacheHome"/>: the exit, the
    /// output, and the wrappers listed ("  name +N" lines: N extra frames captured at sites inside it).</summary>
    public static (int ExitCode, string Stdout, string Stderr, Dictionary<string, int> Wrappers) FindWrappers(string program, string cacheHome)
    {
        var run = Run(Cli, new[] { "wrappers", "--verbose", "--", program }, new Dictionary<string, string> { ["XDG_CACHE_HOME"] = cacheHome });
        var wrappers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string line in run.Stdout.Split('\n'))
        {
            string[] parts = line.Trim().Split(" +");
            if (line.StartsWith("  ", StringComparison.Ordinal) && parts.Length == 2) wrappers[parts[0]] = int.Parse(parts[1], CultureInfo.InvariantCulture);
        }
        return (run.ExitCode, run.Stdout, run.Stderr, wrappers);
    }

    /// <summary>A fresh, empty XDG_CACHE_HOME for one test (never the user's cache: results must not depend on earlier runs).</summary>
    public static string FreshCacheHome() => Path.Combine(Path.GetTempPath(), "invisible-wrappers-" + Guid.NewGuid().ToString("N"));

    public static Dictionary<string, long> BlocksByType(JsonDocument report, string? moduleSuffix = null)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (JsonElement t in report.RootElement.GetProperty("census").EnumerateArray())
        {
            string type = t.GetProperty("type").GetString()!;
            foreach (JsonElement s in t.GetProperty("sites").EnumerateArray())
            {
                if (moduleSuffix is not null && !s.GetProperty("module").GetString()!.EndsWith(moduleSuffix, StringComparison.Ordinal))
                    continue;
                result[type] = (result.TryGetValue(type, out long n) ? n : 0) + s.GetProperty("blocks").GetInt64();
            }
        }
        return result;
    }

    public static string Describe(Dictionary<string, long> counts)
    {
        var parts = new List<string>();
        foreach (var (k, v) in counts) parts.Add(k + "=" + v);
        parts.Sort(StringComparer.Ordinal);
        return string.Join(", ", parts);
    }
}
