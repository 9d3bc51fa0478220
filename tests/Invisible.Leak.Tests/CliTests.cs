using System.Collections.Generic;
using System.IO;
using Xunit;

namespace Invisible.Leak.Tests;

/// <summary><c>invisible run</c>: options, errors, exit status, and what the program sees.</summary>
public sealed class CliTests
{
    private static RunResult Cli(params string[] args) => TestEnvironment.Run(TestEnvironment.Cli, args);

    [Fact]
    public void UnknownOptionIsRejectedWithStatus2()
    {
        RunResult r = Cli("run", "--no-such-option", "/bin/true");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("invisible: unknown option '--no-such-option'\n", r.Stderr);
    }

    [Fact]
    public void MissingProgramIsReportedWithStatus2()
    {
        RunResult r = Cli("run", "--", "/no/such/program");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("invisible: cannot run '/no/such/program': No such file or directory\n", r.Stderr);
    }

    [Fact]
    public void BadOptionValueIsRejected()
    {
        RunResult r = Cli("run", "--depth=99", "/bin/true");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--depth must be 1..64", r.Stderr);
    }

    [Fact]
    public void ErrorExitcodeAppliesOnlyWhenLeaksExist()
    {
        string fixture = TestEnvironment.Fixture("leak_shapes");
        Assert.Equal(7, Cli("run", "--error-exitcode=7", fixture, "direct").ExitCode);
        Assert.Equal(0, Cli("run", "--error-exitcode=7", fixture, "data").ExitCode);
    }

    [Fact]
    public void ReportSummaryMatchesValgrindWording()
    {
        RunResult r = Cli("run", "--depth", "8", TestEnvironment.Fixture("leak_shapes"), "chain");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("72 (24 direct, 48 indirect) bytes in 1 blocks are definitely lost in loss record 1 of 3", r.Stderr);
        Assert.Contains("   at 0x", r.Stderr);
        Assert.Contains(": make_node (leak_shapes.c:" + LeakShapeTests.FixtureLine("leak_shapes.c", "struct node *n = malloc") + ")", r.Stderr);
        Assert.Contains("   definitely lost: 24 bytes in 1 blocks\n", r.Stderr);
        Assert.Contains("   indirectly lost: 48 bytes in 2 blocks\n", r.Stderr);
    }

    [Fact]
    public void LogOptionSendsTheReportToAFile()
    {
        string log = TestEnvironment.TempFile(".log");
        RunResult r = Cli("run", "--log=" + log, TestEnvironment.Fixture("leak_shapes"), "direct");
        Assert.Equal("", r.Stderr);
        string text = File.ReadAllText(log);
        File.Delete(log);
        Assert.Contains("definitely lost: 100 bytes in 1 blocks", text);
    }

    [Fact]
    public void LeakCheckNoPrintsNothing()
    {
        RunResult r = Cli("run", "--leak-check=no", TestEnvironment.Fixture("leak_shapes"), "direct");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Stderr);
    }

    [Fact]
    public void HandPreloadEqualsInvisibleRunDefaults()
    {
        string fixture = TestEnvironment.Fixture("leak_shapes");
        RunResult viaCli = Cli("run", fixture, "chain", "interior", "data");
        RunResult byHand = TestEnvironment.Run(fixture, new[] { "chain", "interior", "data" },
                                               new Dictionary<string, string> { ["LD_PRELOAD"] = TestEnvironment.Library });
        Assert.Equal(StripPids(viaCli.Stderr), StripPids(byHand.Stderr));
        Assert.Contains("LEAK SUMMARY", byHand.Stderr);
    }

    [Fact]
    public void ProgramThatClosesStderrStillGetsItsReport()
    {
        RunResult r = TestEnvironment.Run(TestEnvironment.Fixture("close_stderr"), new string[0],
                                          new Dictionary<string, string> { ["LD_PRELOAD"] = TestEnvironment.Library });
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("out\n", r.Stdout);
        Assert.Contains("definitely lost: 123 bytes in 1 blocks", r.Stderr);
    }

    [Fact]
    public void SigpipeStillKillsThePipelineWriter()
    {
        RunResult r = TestEnvironment.Run("bash", new[] { "-c",
            "yes | '" + TestEnvironment.Cli + "' run --leak-check=no yes | head -1; echo \"${PIPESTATUS[1]}\"" });
        Assert.Equal("y\n141\n", r.Stdout);
    }

    [Fact]
    public void MalformedSettingIsReportedNotFatal()
    {
        RunResult r = TestEnvironment.Run("/bin/echo", new[] { "hi" }, new Dictionary<string, string>
        {
            ["LD_PRELOAD"] = TestEnvironment.Library, ["INVISIBLE_DEPTH"] = "lots", ["INVISIBLE_LEAK_CHECK"] = "no",
        });
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("hi\n", r.Stdout);
        Assert.Equal("invisible: ignoring malformed setting INVISIBLE_DEPTH=lots\n", r.Stderr);
    }

    private static string StripPids(string text) => System.Text.RegularExpressions.Regex.Replace(
        System.Text.RegularExpressions.Regex.Replace(text, "==[0-9]+==", "==PID=="), "[0-9.,]+ ms|0x[0-9A-F]+|[0-9,]+ bytes of roots", "N")
        .Replace(TestEnvironment.Fixture("leak_shapes"), "FIXTURE");
}

/// <summary>When the NativeAOT runtime cannot be used, the C side still writes the report.</summary>
public sealed class RuntimeFallbackTests
{
    [Theory]
    [InlineData("/no/such/libinvisible-runtime.so")]
    [InlineData("/etc/passwd")] // not an ELF object: dlopen fails
    public void MissingOrBrokenRuntimeGivesThePlainReport(string runtime)
    {
        var (run, report) = TestEnvironment.RunPreloaded(TestEnvironment.Fixture("leak_shapes"), new[] { "chain", "data" },
                                                        new Dictionary<string, string> { ["INVISIBLE_RUNTIME"] = runtime });
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Invisible leak report (plain: runtime unavailable)", run.Stderr);
        Assert.Contains("definitely lost: 24 bytes in 1 blocks", run.Stderr);
        Assert.Equal("dladdr", report.RootElement.GetProperty("symbolizer").GetString());
        Assert.Equal(new LeakTotals(1, 24, 2, 48, 0, 0, 1, 33), LeakTotals.FromJson(report));
    }
}
