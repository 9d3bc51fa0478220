using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Text.RegularExpressions;
using Invisible.Tests.Shared;
using Xunit;

namespace Invisible.Report.Tests;

/// <summary>Names people read, end to end: the C++ fixture's leaks (a lambda, a function template, a const member
/// function, an always_inline function) carry valgrind's names, in the JSON report and in every format.</summary>
public sealed class NameTests
{
    private static readonly string[] Expected =
    {
        "main::{lambda()#1}::operator()() const",
        "double* shop::make_items<double>(int)",
        "shop::Cart::reserve(int) const",
        "inline_buffer", // an inlined instance has no linkage name: its DWARF name, as valgrind shows it
    };

    /// <summary>The frame that called malloc in each definitely-lost record, and whether it was inlined.</summary>
    private static List<(string Function, bool Inlined, string Caller)> Ours(string dir, string opt, out string json)
    {
        json = Path.Combine(dir, "names-" + opt + ".json");
        var run = ReportEnvironment.Invisible("run", "--depth=6", "--json=" + json, ReportEnvironment.Program("cpp_names-" + opt));
        Assert.True(run.ExitCode == 0, run.Stderr);
        using JsonDocument d = JsonDocument.Parse(File.ReadAllText(json));
        var list = new List<(string, bool, string)>();
        foreach (JsonElement r in d.RootElement.GetProperty("leaks").GetProperty("records").EnumerateArray())
        {
            if (r.GetProperty("kind").GetString() != "definitely_lost") continue;
            JsonElement trace = r.GetProperty("trace");
            list.Add((trace[0].GetProperty("function").GetString()!, trace[0].GetProperty("inlined").GetBoolean(),
                      trace[1].GetProperty("function").GetString()!));
        }
        list.Sort();
        return list;
    }

    [Fact]
    public void CxxFramesAreDemangledAndTheInlinedFunctionIsItsOwnFrame()
    {
        string dir = ReportEnvironment.TempDir();
        try
        {
            var ours = Ours(dir, "O0", out string json);
            var names = new List<string>();
            foreach (var f in ours) names.Add(f.Function);
            var expected = new List<string>(Expected);
            expected.Sort(System.StringComparer.Ordinal);
            names.Sort(System.StringComparer.Ordinal);
            Assert.Equal(expected, names);
            Assert.Contains(("inline_buffer", true, "main"), ours);
            Assert.Contains(("main::{lambda()#1}::operator()() const", false, "main"), ours);

            var text = ReportEnvironment.Invisible("report", json);
            Assert.True(text.ExitCode == 0, text.Stderr);
            Assert.Contains("  inline_buffer (inlined) (cpp_names.cpp:", text.Stdout);
            Assert.Contains("  double* shop::make_items<double>(int) (cpp_names.cpp:", text.Stdout);
            var collapsed = ReportEnvironment.Invisible("report", json, "-f", "collapsed");
            Assert.Matches(new Regex(@"(^|\n)(.*;)?main;main::\{lambda\(\)#1\}::operator\(\)\(\) const 40\n"), collapsed.Stdout);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [ToolFact("valgrind", "valgrind")]
    public void TheNamesAreValgrinds()
    {
        // The oracle: valgrind memcheck's loss records, the frame after malloc.
        string dir = ReportEnvironment.TempDir();
        try
        {
            var ours = Ours(dir, "O0", out _);
            var vg = TestProcess.Run(ReportEnvironment.Tool("valgrind")!, new[] {
                "--leak-check=full", "--num-callers=6", ReportEnvironment.Program("cpp_names-O0") });
            var theirs = new List<string>();
            string[] lines = vg.Stderr.Split('\n');
            for (int i = 0; i + 1 < lines.Length; i++)
            {
                if (!lines[i].Contains("are definitely lost")) continue;
                Match m = Regex.Match(lines[i + 2], @"by 0x[0-9A-F]+: (.*) \(");
                Assert.True(m.Success, lines[i + 2]);
                theirs.Add(m.Groups[1].Value);
            }
            theirs.Sort(System.StringComparer.Ordinal);
            var names = new List<string>();
            foreach (var f in ours) names.Add(f.Function);
            names.Sort(System.StringComparer.Ordinal);
            Assert.Equal(theirs, names);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
