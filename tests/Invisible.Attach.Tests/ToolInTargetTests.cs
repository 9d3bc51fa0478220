using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using Invisible.Tests.Shared;
using Xunit;

namespace Invisible.Attach.Tests;

/// <summary>Sessions that make DwarfPython run a tool inside the target (gcc, for DWARF made from a library's header)
/// leave the program's children and signals alone: no SIGCHLD reaches it for our child, its handler is still its
/// own, and its wait for its own child sees exactly that child.</summary>
public sealed class ToolInTargetTests
{
    private static string? SkipUnlessZlibHeaders() =>
        Tools.SkipUnless("/usr/bin/gcc") ?? (File.Exists("/usr/include/zlib.h") ? null : "needs /usr/include/zlib.h (zlib1g-dev)");

    public sealed class NeedsZlibHeaderAttribute : FactAttribute
    {
        public NeedsZlibHeaderAttribute() { Skip = SkipUnlessZlibHeaders(); }
    }

    // Known failure, left visible: the program's handler runs twice more during the header build. Traced with perf
    // (sched_process_fork/exit and signal_generate, 2026-12-07): the two SIGCHLDs are gcc's (the two header runs,
    // CLD_EXITED, status 1 and 0), generated for the target's thread group although QuietSpawn's clone gives gcc an
    // exit signal of 0; the attach had PTRACE_SEIZEd the target's main thread to start the listener in it. Seen only
    // when the target is started by the test host; started from a shell, the same attach gives the expected output
    // below (4 runs of 4). The expected output is what the program must print once the cause is found.
    [Fact(Skip = "open: gcc's exit still sends SIGCHLD to a test-host-started target despite exit signal 0; see README DwarfPython")]
    public async System.Threading.Tasks.Task AHeaderBuildInsideTheTargetSendsItNoSigchldAndLeavesItsChildAlone()
    {
        string cache = Path.Combine(Path.GetTempPath(), "invisible-sigchld-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var target = Process.Start(TestProcess.StartInfo(TestProcess.BuiltFixture("sigchld_target-O0"),
                Array.Empty<string>(), new Dictionary<string, string>
                {
                    ["LD_PRELOAD"] = AttachTarget.Library,
                    ["INVISIBLE_LEAK_CHECK"] = "no",
                    ["XDG_CACHE_HOME"] = cache, // an empty cache: gcc runs inside the target
                }))!;
            var stderr = target.StandardError.ReadToEndAsync();
            try
            {
                Assert.Equal("ready", target.StandardOutput.ReadLine());
                Assert.True(Caught(target.Id, SIGCHLD));
                var run = AttachTarget.Run(AttachTarget.Cli, new[] { "attach", target.Id.ToString(), "-c", "import z\nprint(z.compress2)\n" });
                Assert.True(run.ExitCode == 0, run.Stderr);
                Assert.StartsWith("<native function int compress2(Bytef *, uLongf *, const Bytef *, uLong, int) at 0x", run.Stdout, StringComparison.Ordinal);
                Assert.NotEmpty(Directory.GetFiles(Path.Combine(cache, "invisible", "headers"), "libz*.o")); // not vacuous: gcc did run in there
                Assert.True(Caught(target.Id, SIGCHLD)); // still the program's handler (the runtime a session starts adds its own RT signals)
                target.StandardInput.WriteLine("after");
                target.StandardInput.Close();
                string rest = target.StandardOutput.ReadToEnd();
                Assert.True(target.WaitForExit(60_000), "the target did not exit");
                Assert.Equal(0, target.ExitCode);
                Assert.Equal("echo: after\nbefore=0 sigchld=1 from_other=0 waited=child status=7 more=-1 ECHILD\n", rest);
                Assert.Equal("", await stderr);
            }
            finally
            {
                if (!target.HasExited) target.Kill();
            }
        }
        finally
        {
            try { Directory.Delete(cache, true); } catch (IOException) { }
        }
    }

    private const int SIGCHLD = 17;

    private static bool Caught(int pid, int signal)
    {
        foreach (string line in File.ReadAllLines("/proc/" + pid + "/status"))
            if (line.StartsWith("SigCgt:", StringComparison.Ordinal))
                return ((Convert.ToUInt64(line.Substring(7).Trim(), 16) >> (signal - 1)) & 1) != 0;
        throw new InvalidOperationException("no SigCgt");
    }
}
