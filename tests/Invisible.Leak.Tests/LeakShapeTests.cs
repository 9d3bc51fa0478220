using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace Invisible.Leak.Tests;

/// <summary>Each leak shape of tests/fixtures/leak_shapes.c, with exact expected counts, at -O0 and -O2.</summary>
public sealed class LeakShapeTests
{
    public static IEnumerable<object[]> Shapes()
    {
        // mode, definite blocks/bytes, indirect blocks/bytes, possible blocks/bytes, reachable blocks/bytes
        var shapes = new (string, long, long, long, long, long, long, long, long)[]
        {
            ("direct", 1, 100, 0, 0, 0, 0, 0, 0),
            ("chain", 1, 24, 2, 48, 0, 0, 0, 0),       // a lost list head keeps two nodes: indirect
            ("cycle", 1, 24, 1, 24, 0, 0, 0, 0),       // a cycle keeps nothing alive
            ("interior", 0, 0, 0, 0, 1, 64, 0, 0),     // only an interior pointer: possibly lost
            ("data", 0, 0, 0, 0, 0, 0, 1, 33),         // root in .data
            ("bss", 0, 0, 0, 0, 0, 0, 1, 44),          // root in .bss
            ("self", 1, 40, 0, 0, 0, 0, 0, 0),         // a self-pointer is not a root
            ("misaligned", 1, 48, 0, 0, 0, 0, 0, 0),   // misaligned words are not pointers
            ("deadframe", 1, 77, 0, 0, 0, 0, 0, 0),    // a dead frame below SP is not a root
            ("zero", 1, 0, 0, 0, 0, 0, 0, 0),          // malloc(0) is a block
            ("big", 1, 32 << 20, 0, 0, 0, 0, 0, 0),    // 32 MiB: the large-block index
            ("reachable-big", 0, 0, 0, 0, 0, 0, 1, 32 << 20),
            ("tls", 0, 0, 0, 0, 0, 0, 1, 55),          // __thread root
            ("specific", 0, 0, 0, 0, 0, 0, 1, 66),     // pthread_setspecific root
        };
        foreach (string opt in new[] { "O0", "O2" })
            foreach (var s in shapes)
                yield return new object[] { opt, s.Item1, new LeakTotals(s.Item2, s.Item3, s.Item4, s.Item5, s.Item6, s.Item7, s.Item8, s.Item9) };
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ShapeHasExactCounts(string opt, string mode, LeakTotals expected)
    {
        var (run, report) = TestEnvironment.RunPreloaded(TestEnvironment.Fixture("leak_shapes", opt), new[] { mode });
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(expected, LeakTotals.FromJson(report));
    }

    private static JsonElement RecordFor(JsonDocument report, string function)
    {
        foreach (JsonElement r in report.RootElement.GetProperty("leaks").GetProperty("records").EnumerateArray())
            if (r.GetProperty("trace").EnumerateArray().Any(f => f.GetProperty("function").GetString() == function))
                return r;
        throw new Xunit.Sdk.XunitException("no record allocated in " + function + ":\n" + report.RootElement);
    }

    [Theory]
    [InlineData("O0")]
    [InlineData("O2")]
    public void RunningThreadStackIsARoot(string opt)
    {
        var (run, report) = TestEnvironment.RunPreloaded(TestEnvironment.Fixture("leak_shapes", opt), new[] { "threadstack" });
        Assert.Equal(0, run.ExitCode);
        JsonElement held = RecordFor(report, "stack_holder");
        Assert.Equal("still_reachable", held.GetProperty("kind").GetString());
        Assert.Equal(88, held.GetProperty("bytes").GetInt64());
        Assert.Equal(0, LeakTotals.FromJson(report).DefinitelyBlocks);
    }

    [Theory]
    [InlineData("O0")]
    [InlineData("O2")]
    public void RegistersOfAStoppedThreadAreRoots(string opt)
    {
        var (run, report) = TestEnvironment.RunPreloaded(TestEnvironment.Fixture("leak_shapes", opt), new[] { "registers" });
        Assert.Equal(0, run.ExitCode);
        JsonElement held = RecordFor(report, "register_holder");
        Assert.Equal("still_reachable", held.GetProperty("kind").GetString());
        Assert.Equal(99, held.GetProperty("bytes").GetInt64());
        Assert.Equal(0, LeakTotals.FromJson(report).DefinitelyBlocks);
    }

    [Fact]
    public void TraceNamesFunctionFileAndLine()
    {
        var (_, report) = TestEnvironment.RunPreloaded(TestEnvironment.Fixture("leak_shapes", "O0"), new[] { "direct" },
                                                      new Dictionary<string, string> { ["INVISIBLE_DEPTH"] = "16" });
        JsonElement record = RecordFor(report, "leak_direct");
        JsonElement[] trace = record.GetProperty("trace").EnumerateArray().ToArray();
        Assert.Equal("leak_direct", trace[0].GetProperty("function").GetString());
        Assert.EndsWith("tests/fixtures/leak_shapes.c", trace[0].GetProperty("file").GetString());
        Assert.Equal(FixtureLine("leak_shapes.c", "void leak_direct(void)"), trace[0].GetProperty("line").GetInt32());
        Assert.Equal(new[] { "leak_direct", "run", "main" }, trace.Select(f => f.GetProperty("function").GetString()).ToArray());
    }

    [Fact]
    public void ForkedChildReportsItsOwnLeaks()
    {
        string pattern = TestEnvironment.TempFile("-%p.json");
        var env = new Dictionary<string, string> { ["LD_PRELOAD"] = TestEnvironment.Library, ["INVISIBLE_JSON"] = pattern };
        RunResult run = TestEnvironment.Run(TestEnvironment.Fixture("leak_shapes"), new[] { "fork" }, env);
        Assert.Equal(0, run.ExitCode);
        string dir = System.IO.Path.GetDirectoryName(pattern)!;
        string prefix = System.IO.Path.GetFileName(pattern).Replace("%p.json", "");
        var files = System.IO.Directory.GetFiles(dir, prefix + "*.json");
        Assert.Equal(2, files.Length);
        var totals = files.Select(f => LeakTotals.FromJson(JsonDocument.Parse(System.IO.File.ReadAllText(f)))).ToList();
        foreach (string f in files) System.IO.File.Delete(f);
        Assert.Contains(totals, t => t.DefinitelyBlocks == 1 && t.DefinitelyBytes == 111); // the child
        Assert.Contains(totals, t => t.DefinitelyBlocks == 0);                              // the parent
    }

    internal static int FixtureLine(string file, string text)
    {
        string[] lines = System.IO.File.ReadAllLines(System.IO.Path.Combine(TestEnvironment.Root, "tests", "fixtures", file));
        for (int i = 0; i < lines.Length; i++)
            if (lines[i].Contains(text)) return i + 1;
        throw new Xunit.Sdk.XunitException(text + " not in " + file);
    }
}
