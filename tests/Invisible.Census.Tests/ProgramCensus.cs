using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text.Json;
using Xunit;

namespace Invisible.Census.Tests;

/// <summary>
/// What the census tests on real programs (Lua, SQLite) share: start the program under <c>invisible run</c>, wait
/// for its "ready" line, take <c>invisible census --json PID</c>, walk the program's own object lists with gdb
/// (the ground truth), then let the program end. With <paramref name="depth"/> 0 the run uses the default settings
/// of <c>invisible run</c>: the wrappers it finds, cached in a fresh XDG_CACHE_HOME (never the user's cache).
/// </summary>
public sealed class ProgramCensus
{
    private ProgramCensus(string census, Dictionary<string, long> typed, Dictionary<string, SortedSet<string>> siteFunctions,
                          string gdbStdout, string gdbStderr, long[] cacheFileSizes)
    {
        CensusStdout = census;
        Typed = typed;
        SiteFunctions = siteFunctions;
        GdbStdout = gdbStdout;
        GdbStderr = gdbStderr;
        CacheFileSizes = cacheFileSizes;
    }

    /// <summary>The census as printed.</summary>
    public string CensusStdout { get; }
    /// <summary>Blocks per census type (every module).</summary>
    public Dictionary<string, long> Typed { get; }
    /// <summary>The functions of each census type's sites (the frame the census typed the block in).</summary>
    public Dictionary<string, SortedSet<string>> SiteFunctions { get; }
    public string GdbStdout { get; }
    public string GdbStderr { get; }
    /// <summary>The sizes of the wrapper cache files `invisible run` wrote (default settings only).</summary>
    public long[] CacheFileSizes { get; }

    private static Dictionary<string, SortedSet<string>> SitesByType(JsonDocument report)
    {
        var result = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (JsonElement t in report.RootElement.GetProperty("census").EnumerateArray())
        {
            string type = t.GetProperty("type").GetString()!;
            if (!result.TryGetValue(type, out SortedSet<string>? functions)) result[type] = functions = new SortedSet<string>(StringComparer.Ordinal);
            foreach (JsonElement s in t.GetProperty("sites").EnumerateArray())
                functions.Add(s.GetProperty("function").GetString() ?? "");
        }
        return result;
    }

    /// <summary>Lines "TAG name count" of gdb's output as name → count (the fixtures' gdb scripts print them).</summary>
    public Dictionary<string, long> GdbCounts(string tag)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string line in GdbStdout.Split('\n'))
        {
            string[] parts = line.Trim().Split(' ');
            if (parts.Length == 3 && parts[0] == tag) counts[parts[1]] = long.Parse(parts[2], CultureInfo.InvariantCulture);
        }
        return counts;
    }

    /// <summary>The number on gdb's line "TAG number", or -1.</summary>
    public long GdbValue(string tag)
    {
        foreach (string line in GdbStdout.Split('\n'))
        {
            string[] parts = line.Trim().Split(' ');
            if (parts.Length == 2 && parts[0] == tag) return long.Parse(parts[1], CultureInfo.InvariantCulture);
        }
        return -1;
    }

    /// <summary>Run <paramref name="program"/> with <paramref name="arguments"/> under <c>invisible run</c>
    /// (<c>--depth=N</c> when <paramref name="depth"/> &gt; 0, else the default settings with the wrapper cache), take
    /// its census and gdb's walk (<c>gdb -batch -p PID -x gdbScript</c>).</summary>
    public static ProgramCensus Take(string program, IEnumerable<string> arguments, string gdbScript, int depth)
    {
        var env = new Dictionary<string, string> { ["INVISIBLE_LEAK_CHECK"] = "no" };
        var args = new List<string> { "run" };
        string? cache = null;
        if (depth > 0) args.Add("--depth=" + depth.ToString(CultureInfo.InvariantCulture));
        else
        {
            cache = CensusEnvironment.FreshCacheHome();
            env["XDG_CACHE_HOME"] = cache;
            env["INVISIBLE_WRAPPERS"] = "yes";
        }
        args.Add("--");
        args.Add(program);
        args.AddRange(arguments);
        string json = CensusEnvironment.TempFile(".json");
        using Process process = Process.Start(CensusEnvironment.StartInfo(CensusEnvironment.Cli, args, env))!;
        try
        {
            Assert.Equal("ready", process.StandardOutput.ReadLine());
            string pid = process.Id.ToString(CultureInfo.InvariantCulture);
            var census = CensusEnvironment.Run(CensusEnvironment.Cli, new[] { "census", "--json", json, pid });
            Assert.True(census.ExitCode == 0, census.Stderr);
            var gdb = CensusEnvironment.Run("gdb", new[] { "-batch", "-nx", "-p", pid, "-x", gdbScript });
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
            var sizes = new List<long>();
            if (cache is not null)
                foreach (string f in Directory.GetFiles(Path.Combine(cache, "invisible", "wrappers"))) sizes.Add(new FileInfo(f).Length);
            return new ProgramCensus(census.Stdout, CensusEnvironment.BlocksByType(doc), SitesByType(doc), gdb.Stdout, gdb.Stderr, sizes.ToArray());
        }
        finally
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(20_000)) process.Kill(true);
            if (File.Exists(json)) File.Delete(json);
            if (cache is not null && Directory.Exists(cache)) Directory.Delete(cache, true);
        }
    }
}
