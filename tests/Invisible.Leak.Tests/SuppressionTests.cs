using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using Invisible.Tests.Shared;
using Xunit;

namespace Invisible.Leak.Tests;

/// <summary>Leak suppressions in LeakSanitizer's and valgrind's syntax (README "Compatibility with LeakSanitizer and
/// valgrind"), on tests/fixtures/suppress_sites.c: what is suppressed, the totals and the "Suppressions used" table
/// compared exactly with LSan's and valgrind's own runs of the same program and file.</summary>
public sealed class SuppressionTests : IDisposable
{
    private readonly List<string> _files = new();

    public void Dispose()
    {
        foreach (string f in _files) File.Delete(f);
    }

    private string SuppressionFile(string text)
    {
        string path = TestEnvironment.TempFile(".supp");
        File.WriteAllText(path, text);
        _files.Add(path);
        return path;
    }

    private static string Program(string opt = "O0") => TestEnvironment.Fixture("suppress_sites", opt);

    private static RunResult UnderUs(IEnumerable<string> options, string? program = null, IDictionary<string, string>? env = null)
    {
        var argv = new List<string> { "run", "--depth=8" };
        argv.AddRange(options);
        argv.Add("--");
        argv.Add(program ?? Program());
        return TestEnvironment.Run(TestEnvironment.Cli, argv, env);
    }

    /// <summary>The "Suppressions used" rows ("count bytes template"), of LSan's table or ours.</summary>
    internal static List<string> SuppressionsUsed(string stderr)
    {
        var rows = new List<string>();
        bool inTable = false;
        foreach (string raw in stderr.Split('\n'))
        {
            string line = Regex.Replace(raw, "^==[0-9]+== ", "");
            if (line.StartsWith("  count      bytes template", StringComparison.Ordinal)) { inTable = true; continue; }
            if (!inTable) continue;
            Match m = Regex.Match(line, @"^ +(\d+) +(\d+) (.+)$");
            if (!m.Success) break;
            rows.Add(m.Groups[1].Value + " " + m.Groups[2].Value + " " + m.Groups[3].Value);
        }
        return rows;
    }

    private const string LsanFile = "# LeakSanitizer syntax\nleak:leak_alpha\nleak:gamma_outer\n\nleak:^leak_delta$\n";

    [FixtureFact("suppress_sites-lsan-O0")]
    public void LeakSanitizerSyntaxSuppressesWhatLeakSanitizerDoes()
    {
        string file = SuppressionFile(LsanFile);
        RunResult lsan = TestEnvironment.Run(TestProcess.BuiltFixture("suppress_sites-lsan-O0"), Array.Empty<string>(),
            new Dictionary<string, string> { ["LSAN_OPTIONS"] = "exitcode=0:suppressions=" + file });
        Assert.Contains("SUMMARY: LeakSanitizer: 32 byte(s) leaked in 1 allocation(s).", lsan.Stderr);
        var expected = new List<string> { "2 32 leak_alpha", "1 64 gamma_outer", "2 136 ^leak_delta$" };
        Assert.Equal(expected, SuppressionsUsed(lsan.Stderr));

        RunResult ours = UnderUs(new[] { "--suppressions", file });
        Assert.Equal(0, ours.ExitCode);
        Assert.Equal(expected, SuppressionsUsed(ours.Stderr));
        Assert.Contains("   definitely lost: 32 bytes in 1 blocks\n", ours.Stderr);
        Assert.Contains("   indirectly lost: 0 bytes in 0 blocks\n", ours.Stderr);
        Assert.Contains("        suppressed: 232 bytes in 5 blocks\n", ours.Stderr);
        Assert.Single(Regex.Matches(ours.Stderr, "in loss record"));
        Assert.Contains("leak_beta (suppress_sites.c:", ours.Stderr);
    }

    [Fact]
    public void LsanOptionsSuppressionsAndTheVariableAreReadToo()
    {
        string file = SuppressionFile(LsanFile);
        var env = new Dictionary<string, string> { ["LSAN_OPTIONS"] = "verbosity=0:suppressions='" + file + "'" };
        RunResult viaLsanOptions = UnderUs(Array.Empty<string>(), env: env);
        Assert.Equal(new List<string> { "2 32 leak_alpha", "1 64 gamma_outer", "2 136 ^leak_delta$" }, SuppressionsUsed(viaLsanOptions.Stderr));
        RunResult viaVariable = TestEnvironment.Run(Program(), Array.Empty<string>(), new Dictionary<string, string>
        {
            ["LD_PRELOAD"] = TestEnvironment.Library, ["INVISIBLE_DEPTH"] = "8", ["INVISIBLE_SUPPRESSIONS"] = file,
        });
        Assert.Equal(SuppressionsUsed(viaLsanOptions.Stderr), SuppressionsUsed(viaVariable.Stderr));
    }

    private const string ValgrindFile =
        "# valgrind syntax\n{\n   alpha_any\n   Memcheck:Leak\n   match-leak-kinds: definite\n   fun:malloc\n   fun:leak_alpha\n}\n" +
        "{\n   gamma_deep\n   Memcheck:Leak\n   fun:*alloc\n   ...\n   fun:gamma_outer\n}\n" +
        "{\n   not_a_leak_kind\n   Memcheck:Cond\n   fun:whatever\n}\n" +
        "{\n   delta_indirect_only\n   Memcheck:Leak\n   match-leak-kinds: indirect\n   fun:malloc\n   fun:leak_delta\n}\n";

    [ToolFact("valgrind")]
    public void ValgrindSyntaxSuppressesWhatValgrindDoes()
    {
        string file = SuppressionFile(ValgrindFile);
        RunResult vg = TestEnvironment.Run("valgrind", new[]
        {
            "--leak-check=full", "--run-libc-freeres=no", "--leak-check-heuristics=none", "--suppressions=" + file, Program(),
        });
        LeakTotals theirs = LeakTotals.FromValgrind(vg.Stderr);
        Match suppressed = Regex.Match(vg.Stderr, @"suppressed: ([0-9,]+) bytes in ([0-9,]+) blocks");
        Assert.True(suppressed.Success, vg.Stderr);

        string json = TestEnvironment.TempFile(".json");
        _files.Add(json);
        RunResult ours = UnderUs(new[] { "--suppressions=" + file, "--json=" + json });
        Assert.Equal(0, ours.ExitCode);
        LeakTotals mine = LeakTotals.FromJson(JsonDocument.Parse(File.ReadAllText(json)));
        Assert.Equal((theirs.DefinitelyBlocks, theirs.DefinitelyBytes, theirs.IndirectBlocks, theirs.IndirectBytes),
                     (mine.DefinitelyBlocks, mine.DefinitelyBytes, mine.IndirectBlocks, mine.IndirectBytes));
        // leak_beta's 32 and leak_delta's 128 remain; its indirect 8 is suppressed by kind
        Assert.Equal((2L, 160L, 0L, 0L), (mine.DefinitelyBlocks, mine.DefinitelyBytes, mine.IndirectBlocks, mine.IndirectBytes));
        Assert.Contains("        suppressed: " + suppressed.Groups[1].Value + " bytes in " + suppressed.Groups[2].Value + " blocks\n", ours.Stderr);
        Assert.Equal(new List<string> { "2 32 alpha_any", "1 64 gamma_deep", "1 8 delta_indirect_only" }, SuppressionsUsed(ours.Stderr));

        using JsonDocument report = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement root = report.RootElement;
        Assert.Equal(104, root.GetProperty("leaks").GetProperty("suppressed").GetProperty("bytes").GetInt64());
        Assert.Equal(4, root.GetProperty("leaks").GetProperty("suppressed").GetProperty("blocks").GetInt64());
        Assert.Equal("alpha_any,2,32;gamma_deep,1,64;delta_indirect_only,1,8", string.Join(";",
            root.GetProperty("suppressions").EnumerateArray().Select(s =>
                s.GetProperty("name").GetString() + "," + s.GetProperty("blocks").GetInt64() + "," + s.GetProperty("bytes").GetInt64())));
        Assert.Equal(2, root.GetProperty("leaks").GetProperty("records").GetArrayLength());
    }

    [Fact]
    public void GeneratedSuppressionFedBackSuppressesExactlyThatLeak()
    {
        RunResult generated = UnderUs(new[] { "--gen-suppressions=all" });
        Assert.Equal(0, generated.ExitCode);
        var blocks = Regex.Matches(generated.Stderr, @"(?m)^\{\n(?:   .*\n)+?\}\n").Select(m => m.Value).ToList();
        Assert.Equal(Regex.Matches(generated.Stderr, "in loss record").Count, blocks.Count);
        string beta = Assert.Single(blocks, b => b.Contains("   fun:leak_beta\n", StringComparison.Ordinal));
        Assert.StartsWith("{\n   <insert_a_suppression_name_here>\n   Memcheck:Leak\n   match-leak-kinds: definite\n   fun:leak_beta\n   fun:main\n}\n", beta);

        string file = SuppressionFile(beta.Replace("<insert_a_suppression_name_here>", "beta_generated"));
        RunResult again = UnderUs(new[] { "--suppressions", file });
        Assert.Equal(new List<string> { "1 32 beta_generated" }, SuppressionsUsed(again.Stderr));
        Assert.Contains("   definitely lost: 224 bytes in 4 blocks\n", again.Stderr); // 256 in 5 without it
        Assert.Contains("        suppressed: 32 bytes in 1 blocks\n", again.Stderr);
        Assert.DoesNotContain("leak_beta", again.Stderr.Split("Suppressions used:")[0]);
    }

    [Theory]
    [InlineData("leak:ok\nleak\n", 2, "expected leak:PATTERN or a valgrind block ({ ... }): 'leak'")]
    [InlineData("interceptor_via_fun:foo\n", 1, "not a leak suppression (LeakSanitizer's files take leak:PATTERN): 'interceptor_via_fun:foo'")]
    [InlineData("leak:\n", 1, "an empty pattern: 'leak:'")]
    [InlineData("{\n  name\n  Memcheck:Leak\n  fun:f\n", 1, "a suppression block without its closing '}'")]
    [InlineData("{\n  name\n  Memcheck:Leak\n  match-leak-kinds: definite,sometimes\n  fun:f\n}\n", 4,
                "match-leak-kinds takes definite, indirect, possible, reachable, all or none: 'definite,sometimes'")]
    [InlineData("{\n  name\n  Memcheck:Leak\n  frob:f\n}\n", 4, "not a frame line (fun:GLOB, obj:GLOB, src:GLOB or ...): 'frob:f'")]
    [InlineData("{\n  name\n  Memcheck:Leak\n}\n", 1, "a suppression with no frame line: 'name'")]
    public void MalformedFileIsSaidWithItsLineAndTheProgramDoesNotRun(string text, int line, string why)
    {
        string file = SuppressionFile(text);
        RunResult r = TestEnvironment.Run(TestEnvironment.Cli, new[] { "run", "--suppressions", file, "--", "/bin/echo", "ran" });
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Stdout);
        Assert.Equal("invisible: " + file + ":" + line + ": " + why + "\n", r.Stderr);
    }

    [Fact]
    public void MissingFileIsSaid()
    {
        string file = TestEnvironment.TempFile(".supp");
        RunResult r = TestEnvironment.Run(TestEnvironment.Cli, new[] { "run", "--suppressions", file, "--", "/bin/echo", "ran" });
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("invisible: " + file + ": No such file or directory\n", r.Stderr);
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public void PlainReportMatchesOnDladdrNames()
    {
        // The runtime unavailable: the plain report matches by the exported names dladdr gives (the fixture is linked
        // with -rdynamic) and object paths.
        string file = SuppressionFile("leak:leak_alpha\n{\n   by_object\n   Memcheck:Leak\n   obj:*/suppress_sites-O0\n   fun:leak_beta\n}\n");
        RunResult r = UnderUs(new[] { "--suppressions", file }, env: new Dictionary<string, string> { ["INVISIBLE_RUNTIME"] = "/nonexistent/libinvisible-runtime.so" });
        Assert.Contains("(plain: runtime unavailable)", r.Stderr);
        Assert.Equal(new List<string> { "2 32 leak_alpha" }, SuppressionsUsed(r.Stderr));
        // obj: names the frame's object, and leak_beta's first frame is leak_beta in that object: one frame line
        // for it, then fun:leak_beta must match the next frame (main): no match.
        Assert.Contains("leak_beta", r.Stderr);
        Assert.Contains("        suppressed: 32 bytes in 2 blocks\n", r.Stderr);
    }

    [Fact]
    public void ShowAndErrorLeakKinds()
    {
        RunResult none = UnderUs(new[] { "--show-leak-kinds=none", "--error-exitcode=9" });
        Assert.Empty(Regex.Matches(none.Stderr, "in loss record"));
        Assert.Equal(9, none.ExitCode);
        RunResult indirect = UnderUs(new[] { "--show-leak-kinds=indirect" });
        Assert.Single(Regex.Matches(indirect.Stderr, "in loss record 1 of 1"));
        Assert.Contains("8 bytes in 1 blocks are indirectly lost", indirect.Stderr);
        RunResult notErrors = UnderUs(new[] { "--errors-for-leak-kinds=indirect,possible", "--error-exitcode=9",
                                              "--suppressions", SuppressionFile("leak:leak_delta\n") });
        Assert.Equal(0, notErrors.ExitCode);
        RunResult errors = UnderUs(new[] { "--errors-for-leak-kinds=indirect", "--error-exitcode=9" });
        Assert.Equal(9, errors.ExitCode);
        RunResult bad = TestEnvironment.Run(TestEnvironment.Cli, new[] { "run", "--show-leak-kinds=sometimes", "--", "/bin/true" });
        Assert.Equal(2, bad.ExitCode);
        Assert.Equal("invisible: --show-leak-kinds takes definite, indirect, possible, reachable (comma-separated), all or none, not 'sometimes'\n", bad.Stderr);
    }
}
