using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace Invisible.Leak.Tests;

/// <summary>--profile on tests/fixtures/profile_pattern.c: exact counts per site, the peak and who held it, and the
/// temporary count against heaptrack's on the same program.</summary>
public sealed class ProfileTests
{
    private const long MiB = 1 << 20;

    private static (RunResult Run, JsonDocument Report) Profiled(string opt) =>
        TestEnvironment.RunPreloaded(TestEnvironment.Fixture("profile_pattern", opt), Array.Empty<string>(),
                                     new Dictionary<string, string> { ["INVISIBLE_PROFILE"] = "1" });

    /// <summary>The profile site whose innermost frame is <paramref name="function"/> (exactly one).</summary>
    private static JsonElement Site(JsonElement profile, string function) =>
        profile.GetProperty("sites").EnumerateArray()
               .Single(s => s.GetProperty("trace").EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } f &&
                            f.GetProperty("function").ValueKind == JsonValueKind.String && f.GetProperty("function").GetString() == function);

    private static long[] Counters(JsonElement site) => new[]
    {
        site.GetProperty("allocations").GetInt64(), site.GetProperty("bytes").GetInt64(), site.GetProperty("temporary").GetInt64(),
        site.GetProperty("live_blocks").GetInt64(), site.GetProperty("live_bytes").GetInt64(), site.GetProperty("peak_bytes").GetInt64(),
    };

    [Theory]
    [InlineData("O0")]
    [InlineData("O2")]
    public void SitesHaveExactCounts(string opt)
    {
        var (run, report) = Profiled(opt);
        Assert.Equal((0, "done\n"), (run.ExitCode, run.Stdout));
        JsonElement profile = report.RootElement.GetProperty("profile");
        // allocations, bytes, temporary, live blocks, live bytes, bytes held at the peak
        Assert.Equal(new long[] { 100, 4800, 100, 0, 0, 0 }, Counters(Site(profile, "temporary_site")));
        Assert.Equal(new long[] { 10, 640, 0, 10, 640, 640 }, Counters(Site(profile, "live_site")));
        Assert.Equal(new long[] { 8, 8 * MiB, 0, 0, 0, 8 * MiB }, Counters(Site(profile, "peak_site")));
        JsonElement total = profile.GetProperty("total");
        Assert.True(total.GetProperty("temporary").GetInt64() >= 100);
        Assert.True(total.GetProperty("allocations").GetInt64() >= 118);
        Assert.True(total.GetProperty("bytes").GetInt64() >= 8 * MiB + 640 + 4800);
    }

    [Theory]
    [InlineData("O0")]
    [InlineData("O2")]
    public void PeakIsAtLeastWhatThePatternHeldAndNamesItsHolders(string opt)
    {
        var (_, report) = Profiled(opt);
        JsonElement peak = report.RootElement.GetProperty("profile").GetProperty("peak");
        Assert.True(peak.GetProperty("bytes").GetInt64() >= 8 * MiB + 640, "peak " + peak.GetProperty("bytes").GetInt64());
        JsonElement[] sites = peak.GetProperty("sites").EnumerateArray().ToArray();
        Assert.Equal("peak_site", sites[0].GetProperty("trace")[0].GetProperty("function").GetString());
        Assert.Equal(8 * MiB, sites[0].GetProperty("bytes").GetInt64());
        Assert.Contains(sites, s => s.GetProperty("trace")[0].GetProperty("function").GetString() == "live_site" &&
                                    s.GetProperty("bytes").GetInt64() == 640);
        Assert.DoesNotContain(sites, s => s.GetProperty("trace")[0].GetProperty("function").GetString() == "temporary_site");
        JsonElement[] timeline = report.RootElement.GetProperty("profile").GetProperty("timeline").EnumerateArray().ToArray();
        Assert.NotEmpty(timeline);
        Assert.All(timeline, p => Assert.True(p.GetProperty("heap_bytes").GetInt64() <= peak.GetProperty("bytes").GetInt64()));
    }

    [Theory]
    [InlineData("O0")]
    [InlineData("O2")]
    public void BlocksFreedByOtherThreadsLeaveExactlyWhatTheLeakCheckFinds(string opt)
    {
        // thread_handoff: producers allocate, consumers on other threads free, forks in the middle, a timer signal.
        var (run, report) = TestEnvironment.RunPreloaded(TestEnvironment.Fixture("thread_handoff", opt), Array.Empty<string>(),
            new Dictionary<string, string> { ["INVISIBLE_PROFILE"] = "1" });
        Assert.Equal(0, run.ExitCode);
        JsonElement leaks = report.RootElement.GetProperty("leaks");
        string[] kinds = { "definitely_lost", "indirectly_lost", "possibly_lost", "still_reachable" };
        long leakBlocks = kinds.Sum(k => leaks.GetProperty(k).GetProperty("blocks").GetInt64());
        long leakBytes = kinds.Sum(k => leaks.GetProperty(k).GetProperty("bytes").GetInt64());
        JsonElement[] sites = report.RootElement.GetProperty("profile").GetProperty("sites").EnumerateArray().ToArray();
        Assert.Equal((leakBlocks, leakBytes), (sites.Sum(s => s.GetProperty("live_blocks").GetInt64()),
                                               sites.Sum(s => s.GetProperty("live_bytes").GetInt64())));
        Assert.True(report.RootElement.GetProperty("profile").GetProperty("total").GetProperty("allocations").GetInt64() > 200_000);
    }

    [Fact]
    public void WithoutProfileThereIsNoProfileSection()
    {
        var (run, report) = TestEnvironment.RunPreloaded(TestEnvironment.Fixture("profile_pattern"), Array.Empty<string>());
        Assert.Equal((0, "done\n"), (run.ExitCode, run.Stdout));
        Assert.False(report.RootElement.TryGetProperty("profile", out _));
    }

    [Fact]
    public void RunProfileOptionPrintsTheSummary()
    {
        string json = TestEnvironment.TempFile(".json");
        RunResult run = TestEnvironment.Run(TestEnvironment.Cli,
            new[] { "run", "--profile", "--json", json, "--", TestEnvironment.Fixture("profile_pattern") });
        Assert.Equal((0, "done\n"), (run.ExitCode, run.Stdout));
        Assert.Matches(new Regex(@"ALLOCATION PROFILE: [\d,]+ allocations, [\d,]+ bytes, [\d,]+ temporary; peak [\d,]+ bytes"), run.Stderr);
        Assert.Matches(new Regex(@"most temporary allocations:\n==\d+==\s+100 temporary at 0x[0-9A-F]+: temporary_site \(profile_pattern.c:\d+\)"), run.Stderr);
        Assert.Matches(new Regex(@"peak consumers:\n==\d+==\s+8,388,608 bytes at peak at 0x[0-9A-F]+: peak_site \(profile_pattern.c:\d+\)"), run.Stderr);
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        File.Delete(json);
        Assert.Equal(100, Site(report.RootElement.GetProperty("profile"), "temporary_site").GetProperty("temporary").GetInt64());
    }

    [Fact]
    public void RuntimeMissingFallbackWritesTheSameProfileSection()
    {
        var (run, report) = TestEnvironment.RunPreloaded(TestEnvironment.Fixture("profile_pattern"), Array.Empty<string>(),
            new Dictionary<string, string> { ["INVISIBLE_PROFILE"] = "1", ["INVISIBLE_RUNTIME"] = "/nonexistent/libinvisible-runtime.so" });
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("dladdr", report.RootElement.GetProperty("symbolizer").GetString());
        // dladdr names no static function: the sites are found by their counts.
        JsonElement profile = report.RootElement.GetProperty("profile");
        List<long[]> sites = profile.GetProperty("sites").EnumerateArray().Select(Counters).ToList();
        Assert.Single(sites, c => c.SequenceEqual(new long[] { 100, 4800, 100, 0, 0, 0 }));
        Assert.Single(sites, c => c.SequenceEqual(new long[] { 10, 640, 0, 10, 640, 640 }));
        Assert.Single(sites, c => c.SequenceEqual(new long[] { 8, 8 * MiB, 0, 0, 0, 8 * MiB }));
    }

    [ToolFact("heaptrack_print")]
    public void TemporaryCountEqualsHeaptracks()
    {
        string fixture = TestEnvironment.Fixture("profile_pattern");
        string output = TestEnvironment.TempFile("");
        RunResult traced = TestEnvironment.Run("heaptrack", new[] { "-o", output, fixture });
        Assert.Equal(0, traced.ExitCode);
        string data = File.Exists(output + ".zst") ? output + ".zst" : File.Exists(output + ".gz") ? output + ".gz" : output;
        RunResult printed = TestEnvironment.Run("heaptrack_print", new[] { data });
        File.Delete(data);
        // heaptrack's own libraries (libstdc++, loaded for its preload library) allocate in the traced process too:
        // only the program's sites are compared, from the MOST TEMPORARY ALLOCATIONS section (blocks separated by
        // blank lines: "N temporary allocations of M allocations in total (P%) from", the function, "  at FILE:LINE",
        // "  in MODULE", then the callers).
        string output2 = printed.Stdout;
        int start = output2.IndexOf("MOST TEMPORARY ALLOCATIONS\n", StringComparison.Ordinal);
        Assert.True(start >= 0, output2 + printed.Stderr);
        long heaptracks = 0;
        foreach (string block in output2.Substring(start).Split("\n\n"))
        {
            string[] lines = block.Split('\n');
            Match count = Regex.Match(lines.FirstOrDefault(l => Regex.IsMatch(l, @"^\d+ temporary allocations of ")) ?? "", @"^(\d+) ");
            string? module = lines.FirstOrDefault(l => l.StartsWith("  in ", StringComparison.Ordinal));
            if (count.Success && module == "  in " + fixture)
                heaptracks += long.Parse(count.Groups[1].Value);
        }
        Assert.Equal(100, heaptracks);
        var (_, report) = Profiled("O0");
        Assert.Equal(heaptracks, report.RootElement.GetProperty("profile").GetProperty("total").GetProperty("temporary").GetInt64());
    }
}

/// <summary>A test that needs a program on PATH: reported as skipped without it.</summary>
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(string tool)
    {
        string? path = Environment.GetEnvironmentVariable("PATH");
        bool found = path is not null && path.Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, tool)));
        if (!found)
            Skip = "needs " + tool + " on PATH (Debian's heaptrack package)";
    }
}
