using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;

namespace Invisible.Leak.Tests;

/// <summary>The program sees nothing of us: no report written into a descriptor the program opened, no descriptor
/// left by a report or a census, no clash with the program's use of our stop signal. The oracle is a plain run of the same
/// fixture: what it prints about its descriptors, its children's, its signal dispositions and threads must be
/// the same under us, a mid-run report included.</summary>
public sealed class InvisibilityTests
{
    private static readonly Dictionary<string, string> Preload = new() { ["LD_PRELOAD"] = TestEnvironment.Library };

    private static RunResult Plain(string fixture, params string[] args) =>
        TestEnvironment.Run(TestEnvironment.Fixture(fixture), args);

    private static RunResult Ours(string fixture, params string[] args) =>
        TestEnvironment.Run(TestEnvironment.Fixture(fixture), args, Preload);

    [Fact]
    public void AProgramThatClosesEveryDescriptorAndOpensFilesGetsOnlyItsOwnDataInThem()
    {
        string dir = Directory.CreateTempSubdirectory("invisible-fds-").FullName;
        try
        {
            RunResult r = TestEnvironment.Run(TestEnvironment.Cli, new[] { "run", "--", TestEnvironment.Fixture("invisible_descriptors"), "closeall", dir });
            Assert.Equal(0, r.ExitCode);
            string[] files = Directory.GetFiles(dir);
            Assert.Equal(120, files.Length);
            Assert.All(files, f => Assert.Equal("data\n", File.ReadAllText(f)));
            Assert.Contains("definitely lost: 10 bytes in 1 blocks", r.Stderr);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("list")]   // the program's descriptors, and an exec'd child's
    [InlineData("report")] // the same after a mid-run report
    [InlineData("fork")]   // a fork child's
    public void TheProgramAndItsChildrenSeeThePlainDescriptors(string mode)
    {
        RunResult plain = Plain("invisible_descriptors", mode);
        RunResult ours = Ours("invisible_descriptors", mode);
        Assert.Equal(0, plain.ExitCode);
        Assert.Equal(plain.ExitCode, ours.ExitCode);
        Assert.Contains(mode == "fork" ? "forked: 0 -> " : "child: 0 -> ", plain.Stdout);
        Assert.Equal(plain.Stdout, ours.Stdout);
    }

    [Fact]
    public void AProgramThatReplacesStderrKeepsItAndTheReportGoesToTheOriginal()
    {
        string file = TestEnvironment.TempFile(".err");
        try
        {
            RunResult plain = Plain("invisible_descriptors", "stderr", file);
            RunResult ours = Ours("invisible_descriptors", "stderr", file);
            Assert.Equal(0, ours.ExitCode);
            Assert.Contains("program: 2 -> " + file + "\n", ours.Stdout); // the program's own file is its fd 2
            // Once the program closed fd 2 we keep the one copy of the original that the report needs: close-on-exec
            // (the child sees exactly what it sees without us), at the top of the descriptor range.
            string[] plainLines = plain.Stdout.Split('\n'), ourLines = ours.Stdout.Split('\n');
            Assert.Equal(plainLines.Where(l => l.StartsWith("child:")), ourLines.Where(l => l.StartsWith("child:")));
            var extra = ourLines.Where(l => l.StartsWith("program:")).Except(plainLines.Where(l => l.StartsWith("program:"))).ToList();
            Assert.Single(extra);
            Assert.True(int.Parse(extra[0].Split(' ')[1]) >= 900, extra[0]); /* near the top: below 1024 or 4096 */
            Assert.Equal(plainLines.Count(l => l.StartsWith("program:")) + 1, ourLines.Count(l => l.StartsWith("program:")));
            Assert.Contains("definitely lost: 10 bytes in 1 blocks", ours.Stderr);
            Assert.DoesNotContain("definitely lost: 10 bytes", File.ReadAllText(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("signals")] // the program installs its own SIGRTMAX-3 handler after the report
    [InlineData("sigdfl")]  // the program resets SIGRTMAX-3 to SIG_DFL after the report
    public void AMidRunReportLeavesNoHandlerThreadOrDescriptorAndTheStopSignalIsTheProgramsOwn(string mode)
    {
        RunResult plain = Plain("invisible_threads", mode);
        RunResult ours = Ours("invisible_threads", mode);
        Assert.Equal(0, plain.ExitCode);
        Assert.Equal("threads: 3\n", plain.Stdout.Split('\n').Where(l => l.StartsWith("threads:")).Select(l => l + "\n").Single());
        Assert.Equal((plain.ExitCode, plain.Stdout), (ours.ExitCode, ours.Stdout)); // no "handler called", no signal death
        Assert.Contains("LEAK SUMMARY", ours.Stderr);
    }

    [Fact]
    public void ReportsDoNotInterruptASystemCall()
    {
        RunResult ours = Ours("invisible_threads", "pause");
        Assert.Equal((0, "pause intact\n"), (ours.ExitCode, ours.Stdout));
    }

    /// <summary>Waits (at most 10 s) until the process has one socket open: the listener's, once the connection
    /// of a finished request is closed.</summary>
    private static void WaitUntilOneSocketIsLeft(int pid)
    {
        for (int i = 0; i < 1000; i++)
        {
            int sockets = 0;
            foreach (string fd in Directory.EnumerateFileSystemEntries("/proc/" + pid + "/fd"))
            {
                try { if (new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true) sockets++; }
                catch (IOException) { }
            }
            if (sockets <= 1) return;
            System.Threading.Thread.Sleep(10);
        }
    }

    [Fact]
    public void ACensusFromOutsideLeavesOnlyTheListenerThreadAndItsSocket()
    {
        RunResult plain = TestEnvironment.Run(TestEnvironment.Fixture("invisible_threads"), new[] { "wait" }, stdin: "go\n");
        Assert.Equal(0, plain.ExitCode);
        var env = new Dictionary<string, string> { ["LD_PRELOAD"] = TestEnvironment.Library, ["INVISIBLE_LEAK_CHECK"] = "no" };
        using Process p = Process.Start(Invisible.Tests.Shared.TestProcess.StartInfo(TestEnvironment.Fixture("invisible_threads"), new[] { "wait" }, env))!;
        try
        {
            Assert.Equal("ready", p.StandardOutput.ReadLine());
            RunResult census = TestEnvironment.Run(TestEnvironment.Cli, new[] { "census", p.Id.ToString() });
            Assert.Equal(0, census.ExitCode);
            Assert.Contains("HEAP CENSUS", census.Stdout);
            // The CLI has its answer when the listener sent it; the listener closes that connection just after.
            WaitUntilOneSocketIsLeft(p.Id);
            p.StandardInput.WriteLine("go");
            p.StandardInput.Close();
            string rest = p.StandardOutput.ReadToEnd();
            Assert.True(p.WaitForExit(30_000));
            Assert.Equal(0, p.ExitCode);
            // The listener stays once started (a thread, and its socket, close-on-exec): nothing else.
            string[] expected = plain.Stdout.Split('\n');
            string Line(string[] lines, string prefix) => lines.Single(l => l.StartsWith(prefix, StringComparison.Ordinal));
            int Count(string line) => int.Parse(line[(line.IndexOf(':') + 1)..].Trim());
            string[] got = rest.Split('\n');
            Assert.Equal(Count(Line(expected, "threads:")) + 1, Count(Line(got, "threads:")));
            Assert.Equal(Count(Line(expected, "descriptors:")) + 1, Count(Line(got, "descriptors:")));
            Assert.Equal(expected[^2], got[^2]); // what the child sees: the plain count
            Assert.Equal(expected.Where(l => l.StartsWith("signal ")), got.Where(l => l.StartsWith("signal ")));
        }
        finally
        {
            if (!p.HasExited) p.Kill();
        }
    }
    /// <summary>A report symbolizing a module without debug info made libdw dlopen libdebuginfod, which brought libcurl,
    /// gnutls and libcrypto (~7 MiB resident, their constructors) into the process writing the report (the program's
    /// report helper, a copy of it) even with no server configured. The program here is stripped; strace -f sees every
    /// file the program and its helper open. With DEBUGINFOD_URLS set the real client is loaded (what the user asked
    /// for; it also shows that this program does reach libdw's debuginfod step).</summary>
    [ToolFact("strace")]
    public void AReportLoadsNoDebuginfodClientUnlessAServerIsConfigured()
    {
        string dir = Directory.CreateTempSubdirectory("invisible-nodbgd-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "p.c"), "#include <stdlib.h>\nint main(void) { void *volatile p = malloc(24); p = 0; return 0; }\n");
            string exe = Path.Combine(dir, "p");
            RunResult cc = TestEnvironment.Run("gcc", new[] { "-O0", "-s", "-o", exe, Path.Combine(dir, "p.c") });
            Assert.True(cc.ExitCode == 0, cc.Stderr);

            (RunResult Run, string Opened) Traced(string urls)
            {
                string trace = Path.Combine(dir, "trace-" + (urls.Length == 0 ? "none" : "server"));
                var env = new Dictionary<string, string>
                {
                    ["LD_PRELOAD"] = TestEnvironment.Library,
                    ["DEBUGINFOD_URLS"] = urls,
                    ["DEBUGINFOD_CACHE_PATH"] = Path.Combine(dir, "cache"),
                    ["DEBUGINFOD_TIMEOUT"] = "2",
                };
                RunResult r = TestEnvironment.Run("strace", new[] { "-f", "-qq", "-e", "trace=openat", "-o", trace, exe }, env);
                return (r, File.ReadAllText(trace));
            }

            var none = Traced("");
            Assert.Equal(0, none.Run.ExitCode);
            Assert.Contains("definitely lost: 24 bytes in 1 blocks", none.Run.Stderr);
            Assert.Contains("libinvisible-nodebuginfod.so", none.Opened);
            Assert.DoesNotContain("/libdebuginfod.so", none.Opened);
            Assert.DoesNotContain("/libcurl", none.Opened);

            if (!File.Exists("/usr/lib/x86_64-linux-gnu/libdebuginfod.so.1")) return; // the half below needs the real client
            var server = Traced("http://127.0.0.1:9/"); // the discard port: refused at once
            Assert.Equal(0, server.Run.ExitCode);
            Assert.Contains("definitely lost: 24 bytes in 1 blocks", server.Run.Stderr);
            Assert.Contains("/libdebuginfod.so.1", server.Opened);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
