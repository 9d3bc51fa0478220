using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using Invisible.Tests.Shared;
using Xunit;

namespace Invisible.Leak.Tests;

/// <summary>Reports that are never lost or broken, settings that are never silently ignored, programs we cannot
/// observe said so, and a short-lived process that does not load the runtime.</summary>
public sealed class ReportRobustnessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("invisible-robust-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static string Normalize(string text) => Regex.Replace(
        Regex.Replace(text, "==[0-9]+==", "==PID=="), "[0-9.,]+ ms|[0-9,]+ bytes of roots", "N");

    private static Dictionary<string, string> Preload(params (string Key, string Value)[] settings)
    {
        var env = new Dictionary<string, string> { ["LD_PRELOAD"] = TestEnvironment.Library };
        foreach (var (k, v) in settings) env[k] = v;
        return env;
    }

    [Fact]
    public void FallbackJsonIsValidForAnyPathAndArgumentBytes()
    {
        // repro fallback_json_invalid.sh: the plain report (runtime unavailable) wrote '"' and '\' of the module path
        // and a non-UTF-8 argument byte as they are.
        string odd = Path.Combine(_dir, "a\"b\\c");
        Directory.CreateDirectory(odd);
        string program = Path.Combine(odd, "prog");
        File.Copy(TestProcess.BuiltFixture("leak_ten-O0"), program);
        string json = Path.Combine(_dir, "fallback.json");
        RunResult r = TestEnvironment.Run("bash", new[] { "-c", "exec \"$0\" \"$(printf 'x\\377y')\" 'q\"\\'", program },
                                          Preload(("INVISIBLE_JSON", json), ("INVISIBLE_RUNTIME", "/nonexistent/libinvisible-runtime.so")));
        Assert.Equal(0, r.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(json)); // throws on invalid JSON or UTF-8
        Assert.Equal("dladdr", doc.RootElement.GetProperty("symbolizer").GetString());
        Assert.Equal(program + " x\uFFFDy q\"\\", doc.RootElement.GetProperty("command").GetString());
        JsonElement frame = doc.RootElement.GetProperty("leaks").GetProperty("records")[0].GetProperty("trace")[0];
        Assert.Equal(program, frame.GetProperty("module").GetString());
        Assert.Equal(new LeakTotals(1, 10, 0, 0, 0, 0, 0, 0), LeakTotals.FromJson(doc));
    }

    [Fact]
    public void UnwritableJsonIsSaidAndFailsTheExitStatus()
    {
        // repro json_write_failure.sh: no message, and the runtime's failure turned the text into the plain report.
        RunResult r = TestEnvironment.Run(TestEnvironment.Cli, new[] { "run", "--error-exitcode=7", "--json=/nonexistent/dir/r.json", "--", "/bin/true" });
        Assert.Equal(7, r.ExitCode);
        Assert.StartsWith("==", r.Stderr);
        Assert.DoesNotContain("plain", r.Stderr);
        Assert.EndsWith("\ninvisible: cannot write the JSON report to /nonexistent/dir/r.json: No such file or directory\n", r.Stderr);
        // Without --error-exitcode the program's own status stands.
        Assert.Equal(0, TestEnvironment.Run(TestEnvironment.Cli, new[] { "run", "--json=/nonexistent/dir/r.json", "--", "/bin/true" }).ExitCode);
    }

    [RootFact]
    public void FullDiskLeavesNoTruncatedFile()
    {
        // repro json_write_failure.sh on a 16 KiB tmpfs: a truncated, invalid r.json was left.
        string program = TestProcess.BuiltFixture("leak_sites-200"); // 200 leaks: a report bigger than the disk
        string small = Path.Combine(_dir, "small");
        Directory.CreateDirectory(small);
        Assert.Equal(0, TestEnvironment.Run("mount", new[] { "-t", "tmpfs", "-o", "size=16k", "tmpfs", small }).ExitCode);
        try
        {
            foreach (string runtime in new[] { "", "/nonexistent/libinvisible-runtime.so" }) // the runtime's writer, then ours
            {
                var env = runtime.Length > 0 ? new Dictionary<string, string> { ["INVISIBLE_RUNTIME"] = runtime } : null;
                string json = Path.Combine(small, "r.json");
                RunResult r = TestEnvironment.Run(TestEnvironment.Cli, new[] { "run", "--error-exitcode=9", "--json=" + json, "--", program }, env);
                Assert.Equal(9, r.ExitCode);
                Assert.EndsWith("invisible: cannot write the JSON report to " + json + ": No space left on device\n", r.Stderr);
                Assert.Empty(Directory.GetFileSystemEntries(small));
            }
        }
        finally
        {
            TestEnvironment.Run("umount", new[] { small });
        }
    }

    private static bool CanRaiseHardLimits()
    {
        foreach (string line in File.ReadAllLines("/proc/self/status"))
            if (line.StartsWith("CapEff:", StringComparison.Ordinal))
                return (Convert.ToUInt64(line[7..].Trim(), 16) & (1UL << 24)) != 0; // CAP_SYS_RESOURCE
        return false;
    }

    [Fact]
    public void EveryDescriptorInUseAtExit()
    {
        // repro fd_exhaustion_json_lost.sh: the runtime could not start, the JSON report was not written at all.
        string program = TestProcess.BuiltFixture("open_every_fd-O0");
        string json = Path.Combine(_dir, "fds.json");
        // Soft limit below the hard one: the report raises it for itself and is complete.
        RunResult soft = TestEnvironment.Run("bash", new[] { "-c", "ulimit -Sn 64 && exec \"$@\"", "bash", TestEnvironment.Cli,
                                                             "run", "--error-exitcode=3", "--json=" + json, "--", program });
        Assert.Equal(3, soft.ExitCode); // the leak
        Assert.Equal("1\n", soft.Stdout);
        Assert.Contains("10 bytes in 1 blocks are definitely lost", soft.Stderr);
        Assert.Contains("at 0x", soft.Stderr);
        Assert.DoesNotContain("plain", soft.Stderr);
        using (JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json)))
            Assert.Equal((1L, 10L), (LeakTotals.FromJson(doc).DefinitelyBlocks, LeakTotals.FromJson(doc).DefinitelyBytes));
        File.Delete(json);
        // Soft and hard limits equal: only a process allowed to raise its hard limit gets its report; any other is
        // told why, with the failure in the exit status.
        RunResult hard = TestEnvironment.Run("bash", new[] { "-c", "ulimit -n 64 && exec \"$@\"", "bash", TestEnvironment.Cli,
                                                             "run", "--error-exitcode=3", "--json=" + json, "--", program });
        Assert.Equal(3, hard.ExitCode);
        if (CanRaiseHardLimits())
        {
            Assert.True(File.Exists(json), hard.Stderr);
        }
        else
        {
            Assert.StartsWith("invisible: the leak check could not run: Too many open files\n", hard.Stderr);
            Assert.EndsWith("invisible: cannot write the JSON report to " + json + ": Too many open files\n", hard.Stderr);
            Assert.False(File.Exists(json));
        }
    }

    [Fact]
    public void TruncatedRuntimeIsRefusedBeforeDlopen()
    {
        // repro truncated_elf_sigbus.sh (b): a truncated runtime was SIGBUS inside dlopen at every program's exit.
        string runtime = Path.Combine(_dir, "truncated-runtime.so");
        byte[] whole = File.ReadAllBytes(Path.Combine(TestEnvironment.Build, "lib", "libinvisible-runtime.so"));
        File.WriteAllBytes(runtime, whole.AsSpan(0, 20000).ToArray());
        var (run, report) = TestEnvironment.RunPreloaded(TestEnvironment.Fixture("leak_shapes"), new[] { "direct" },
                                                        new Dictionary<string, string> { ["INVISIBLE_RUNTIME"] = runtime });
        Assert.Equal(0, run.ExitCode);
        Assert.Matches("^invisible: cannot load " + Regex.Escape(runtime) +
                       @": truncated \(the file has 20,000 bytes, its headers need [0-9,]+\)\n==[0-9]+== Invisible leak report \(plain: runtime unavailable\)", run.Stderr);
        Assert.Equal(new LeakTotals(1, 100, 0, 0, 0, 0, 0, 0), LeakTotals.FromJson(report));
    }

    [Fact]
    public void NothingToSymbolizeNeedsNoRuntime()
    {
        // Item 7: a short-lived process without leaks to show gets its summary from libinvisible.so alone (an
        // unusable runtime is never even looked at), and that text is the runtime's own.
        RunResult alone = TestEnvironment.Run("/bin/true", Array.Empty<string>(),
                                              Preload(("INVISIBLE_RUNTIME", "/nonexistent/libinvisible-runtime.so")));
        Assert.Equal(0, alone.ExitCode);
        Assert.Equal("==PID== Invisible leak report for /bin/true\n==PID== \n==PID== LEAK SUMMARY:\n" +
                     "==PID==    definitely lost: 0 bytes in 0 blocks\n==PID==    indirectly lost: 0 bytes in 0 blocks\n" +
                     "==PID==      possibly lost: 0 bytes in 0 blocks\n==PID==    still reachable: 0 bytes in 0 blocks\n" +
                     "==PID== Scan: N, 0 other threads stopped, N\n", Normalize(alone.Stderr));
        string shapes = TestEnvironment.Fixture("leak_shapes");
        RunResult ours = TestEnvironment.Run(shapes, new[] { "bss" }, Preload(("INVISIBLE_RUNTIME", "/nonexistent/libinvisible-runtime.so")));
        RunResult runtimes = TestEnvironment.Run(shapes, new[] { "bss" }, Preload(("INVISIBLE_JSON", Path.Combine(_dir, "bss.json"))));
        Assert.Contains("Reachable blocks are not shown", ours.Stderr);
        Assert.Equal(Normalize(runtimes.Stderr), Normalize(ours.Stderr));
    }

    [Fact]
    public void EveryMalformedSettingIsReported()
    {
        string longPath = new string('x', 4096);
        var env = Preload(("INVISIBLE_DEPTH", "lots"), ("INVISIBLE_STOP_SIGNAL", "9"), ("INVISIBLE_JSON", longPath),
                          ("INVISIBLE_LEAK_CHECK", "no"));
        RunResult r = TestEnvironment.Run("/bin/echo", new[] { "hi" }, env);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("hi\n", r.Stdout);
        Assert.Equal(
            "invisible: ignoring malformed setting INVISIBLE_DEPTH=lots: expected a depth in 1..64\n" +
            "invisible: ignoring malformed setting INVISIBLE_STOP_SIGNAL=9: not a signal we may use (SIGUSR1 10, SIGUSR2 12 or SIGRTMIN..SIGRTMAX 34..64)\n" +
            "invisible: ignoring malformed setting INVISIBLE_JSON=" + new string('x', 48) + "... (4096 bytes): longer than 4095 bytes\n" +
            "invisible: cannot write the JSON report to the path in INVISIBLE_JSON: File name too long\n", r.Stderr);
        env["INVISIBLE_ERROR_EXITCODE"] = "5";
        Assert.Equal(5, TestEnvironment.Run("/bin/echo", new[] { "hi" }, env).ExitCode);
    }

    [Fact]
    public void LauncherRefusesWhatTheLibraryWouldIgnore()
    {
        RunResult signal = TestEnvironment.Run(TestEnvironment.Cli, new[] { "run", "--stop-signal=9", "--", "/bin/true" });
        Assert.Equal(2, signal.ExitCode);
        Assert.Equal("invisible: --stop-signal must be SIGUSR1 (10), SIGUSR2 (12) or a real-time signal (34..64), not '9'\n", signal.Stderr);
        RunResult json = TestEnvironment.Run(TestEnvironment.Cli, new[] { "run", "--json=" + new string('y', 4096), "--", "/bin/true" });
        Assert.Equal(2, json.ExitCode);
        Assert.Equal("invisible: --json is longer than 4095 bytes\n", json.Stderr);
        Assert.Equal(0, TestEnvironment.Run(TestEnvironment.Cli, new[] { "run", "--stop-signal=12", "--", "/bin/true" }).ExitCode);
    }

    [FixtureFact("static_leak")]
    public void StaticProgramIsSaidToBeUnobservable()
    {
        // repro static_setuid_silent.sh: nothing at all was printed.
        string program = TestProcess.BuiltFixture("static_leak");
        string json = Path.Combine(_dir, "s.json");
        RunResult r = TestEnvironment.Run(TestEnvironment.Cli, new[] { "run", "--json=" + json, "--", program });
        Assert.Equal(4, r.ExitCode);
        Assert.Equal("static ran\n", r.Stdout);
        Assert.Equal("invisible: " + program + " is statically linked: LD_PRELOAD cannot reach it, nothing will be reported\n", r.Stderr);
        Assert.False(File.Exists(json));
        // A script whose interpreter is static: the same line, for the program the user named.
        string script = Path.Combine(_dir, "script");
        File.WriteAllText(script, "#!" + program + "\n");
        TestEnvironment.Run("chmod", new[] { "+x", script });
        RunResult s = TestEnvironment.Run(TestEnvironment.Cli, new[] { "run", "--", script });
        Assert.Equal("invisible: " + script + " is statically linked: LD_PRELOAD cannot reach it, nothing will be reported\n", s.Stderr);
    }

    [RootFact]
    public void SetuidProgramIsSaidToBeUnobservable()
    {
        // A copy: the setuid bit and owner are this test's, not the shared build's.
        string program = Path.Combine(_dir, "print_euid");
        File.Copy(TestProcess.BuiltFixture("print_euid-O0"), program);
        Assert.Equal(0, TestEnvironment.Run("chown", new[] { "65534", program }).ExitCode);
        Assert.Equal(0, TestEnvironment.Run("chmod", new[] { "4755", program }).ExitCode);
        RunResult r = TestEnvironment.Run(TestEnvironment.Cli, new[] { "run", "--", program });
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("65534\n", r.Stdout); // it ran, with its privileges
        Assert.Equal("invisible: " + program + " runs with privileges we do not have (setuid, setgid or file capabilities): " +
                     "the loader ignores LD_PRELOAD for it, nothing will be reported\n", r.Stderr);
    }
}
