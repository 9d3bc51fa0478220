using System.Collections.Generic;
using System.IO;
using Xunit;

namespace Invisible.Leak.Tests;

/// <summary><c>invisible run</c>: options, errors, exit status, and what the program sees.</summary>
public sealed class CliTests
{
    private static RunResult Cli(params string[] args) => TestEnvironment.Run(TestEnvironment.Cli, args);

    /// <summary>What a program prints about its argv, environment and signal state, started by exact_exec with
    /// non-UTF-8 bytes, an unordered environment with a duplicate and an entry without '=', SIGPIPE ignored and
    /// SIGRTMIN/SIGUSR2 blocked — directly, or through <c>invisible run</c>.</summary>
    private static string ExactlyStarted(params string[] starter)
    {
        string exact = TestEnvironment.Fixture("exact_exec");
        var args = new List<string> { "exec" };
        args.AddRange(starter);
        args.AddRange(new[] { exact, "print", "a@FFb", "two words" });
        RunResult r = TestEnvironment.Run(exact, args);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return r.Stdout;
    }

    [Fact]
    public void TheProgramGetsArgvEnvironmentAndSignalStateByteForByte()
    {
        // repro argv_env_utf8.sh, env_order.sh, signals_inherited.sh: only our two variables are added.
        string plain = ExactlyStarted();
        Assert.Contains("arg a\\xffb\n", plain);
        Assert.Contains("env X=v\\xfe\n", plain);
        string viaCli = ExactlyStarted(TestEnvironment.Cli, "run", "--leak-check=no", "--");
        string[] lines = plain.Split('\n');
        int firstSignalLine = System.Array.FindIndex(lines, l => l.StartsWith("Sig", System.StringComparison.Ordinal));
        var expected = new List<string>(lines[..firstSignalLine]);
        expected.Add("env INVISIBLE_LEAK_CHECK=no");
        expected.Add("env LD_PRELOAD=" + Path.GetFullPath(TestEnvironment.Library));
        expected.AddRange(lines[firstSignalLine..]);
        Assert.Equal(string.Join('\n', expected), viaCli);
        Assert.Contains("SigBlk:\t0000000200000800\n", viaCli);
        Assert.Contains("SigIgn:\t0000000000001000\n", viaCli);
    }

    [Fact]
    public void AProgramWhoseNameIsNotUtf8Runs()
    {
        string dir = Path.Combine(Path.GetTempPath(), "invisible-name-" + System.Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string exact = TestEnvironment.Fixture("exact_exec");
            string name = Path.Combine(dir, "t@FFrue");
            Assert.Equal(0, TestEnvironment.Run(exact, new[] { "exec", "/bin/cp", "/bin/true", name }).ExitCode);
            RunResult r = TestEnvironment.Run(exact, new[] { "exec", TestEnvironment.Cli, "run", "--leak-check=no", "--", name });
            Assert.Equal((0, ""), (r.ExitCode, r.Stderr));
        }
        finally
        {
            TestEnvironment.Run("/bin/rm", new[] { "-rf", dir }); // .NET cannot name a non-UTF-8 file to delete it
        }
    }

    [Fact]
    public void TheEnvironmentKeepsItsOrderWhenOurVariablesAreAlreadyThere()
    {
        // A variable we set replaces its first occurrence in place; LD_PRELOAD keeps its place with us first.
        string exact = TestEnvironment.Fixture("exact_exec");
        RunResult r = TestEnvironment.Run("/usr/bin/env", new[] { "-i", "Z=1", "INVISIBLE_DEPTH=3", "LD_PRELOAD=/lib/x86_64-linux-gnu/libm.so.6", "A=2",
                                                                   TestEnvironment.Cli, "run", "--depth=5", "--leak-check=no", exact, "print" });
        Assert.True(r.ExitCode == 0, r.Stderr);
        string[] env = System.Array.FindAll(r.Stdout.Split('\n'), l => l.StartsWith("env ", System.StringComparison.Ordinal));
        Assert.Equal(new[] { "env Z=1", "env INVISIBLE_DEPTH=5", "env LD_PRELOAD=" + Path.GetFullPath(TestEnvironment.Library) + ":/lib/x86_64-linux-gnu/libm.so.6",
                             "env A=2", "env INVISIBLE_LEAK_CHECK=no" }, env);
    }

    [Fact]
    public void UnknownOptionIsRejectedWithStatus2()
    {
        RunResult r = Cli("run", "--no-such-option", "/bin/true");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("invisible: unknown option '--no-such-option' (see invisible run --help)\n", r.Stderr);
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
        // The test runner starts children with SIGPIPE ignored, and `invisible run` passes inherited dispositions on
        // (an ignored SIGPIPE stays ignored, as without us): give the pipeline the default disposition first.
        RunResult r = TestEnvironment.Run("bash", new[] { "-c",
            "yes | env --default-signal=PIPE '" + TestEnvironment.Cli + "' run --leak-check=no yes | head -1; echo \"${PIPESTATUS[1]}\"" });
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
        Assert.Equal("invisible: ignoring malformed setting INVISIBLE_DEPTH=lots: expected a depth in 1..64\n", r.Stderr);
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

    /// <summary>A copy of libinvisible.so under another name, preloaded by path or by bare name, is preloaded, not
    /// injected: it used to be taken for an attach's late copy (LD_PRELOAD did not say "libinvisible.so") and the
    /// program exited with no report at all. The copy has no runtime beside it: the plain report says so.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ACopyUnderAnotherNameStillReports(bool byPath)
    {
        string directory = Directory.CreateTempSubdirectory("invisible-copy").FullName;
        try
        {
            string copy = Path.Combine(directory, "libcopy.so");
            File.Copy(TestEnvironment.Library, copy);
            RunResult run = TestEnvironment.Run(TestEnvironment.Fixture("leak_shapes"), new[] { "chain", "data" },
                new Dictionary<string, string>
                {
                    ["LD_PRELOAD"] = byPath ? copy : "libcopy.so", ["LD_LIBRARY_PATH"] = directory,
                });
            Assert.Equal(0, run.ExitCode);
            Assert.Contains("invisible: cannot load " + Path.Combine(directory, "libinvisible-runtime.so") + ": cannot open", run.Stderr);
            Assert.Contains("Invisible leak report (plain: runtime unavailable)", run.Stderr);
            Assert.Contains("definitely lost: 24 bytes in 1 blocks", run.Stderr);
        }
        finally
        {
            Directory.Delete(directory, true);
        }
    }
}
