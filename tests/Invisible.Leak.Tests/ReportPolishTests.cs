using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace Invisible.Leak.Tests;

/// <summary>--quiet and --color on the text report, from the runtime and from the plain writer (the runtime
/// unavailable), on tests/fixtures/suppress_sites.c (5 loss records when every kind but reachable is listed).</summary>
public sealed class ReportPolishTests
{
    private static RunResult Run(IEnumerable<string> options, string program, IDictionary<string, string>? env = null)
    {
        var argv = new List<string> { "run" };
        argv.AddRange(options);
        argv.Add("--");
        argv.Add(program);
        return TestEnvironment.Run(TestEnvironment.Cli, argv, env);
    }

    private static string Leaky => TestEnvironment.Fixture("suppress_sites", "O0");

    private static readonly Dictionary<string, string> NoRuntime = new() { ["INVISIBLE_RUNTIME"] = "/nonexistent/libinvisible-runtime.so" };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void QuietPrintsTheRecordsOnly(bool plain)
    {
        RunResult r = Run(new[] { "--quiet" }, Leaky, plain ? NoRuntime : null);
        Assert.Equal(0, r.ExitCode);
        string report = plain ? string.Join("\n", r.Stderr.Split('\n').Where(l => !l.StartsWith("invisible: cannot load", StringComparison.Ordinal))) : r.Stderr;
        Assert.Equal(5, Regex.Matches(report, "in loss record").Count);
        Assert.DoesNotContain("LEAK SUMMARY", report);
        Assert.DoesNotContain("Invisible leak report", report);
        Assert.DoesNotContain("Scan:", report);
        Assert.Matches("^==[0-9]+== \n==[0-9]+== ", report);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void QuietSaysNothingWhenClean(bool plain)
    {
        RunResult r = Run(new[] { "--quiet" }, "/bin/true", plain ? NoRuntime : null);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Stderr);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ColourOnlyWhenAskedOrOnATerminal(bool plain)
    {
        RunResult always = Run(new[] { "--color=always" }, Leaky, plain ? NoRuntime : null);
        Assert.Contains("are \u001b[1;31mdefinitely lost\u001b[0m in loss record", always.Stderr);
        Assert.Contains("are \u001b[31mindirectly lost\u001b[0m in loss record", always.Stderr);
        // The tests' stderr is a pipe: auto (the default) and never print no escape at all.
        Assert.DoesNotContain("\u001b[", Run(Array.Empty<string>(), Leaky, plain ? NoRuntime : null).Stderr);
        Assert.DoesNotContain("\u001b[", Run(new[] { "--color=never" }, Leaky, plain ? NoRuntime : null).Stderr);
        RunResult bad = TestEnvironment.Run(TestEnvironment.Cli, new[] { "run", "--color=sometimes", "--", "/bin/true" });
        Assert.Equal(2, bad.ExitCode);
        Assert.Equal("invisible: --color must be auto, always or never, not 'sometimes'\n", bad.Stderr);
    }
}
