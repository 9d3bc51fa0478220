using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Text.RegularExpressions;
using Invisible.Tests.Shared;
using Xunit;

namespace Invisible.Leak.Tests;

/// <summary>Memory limits (`ulimit -v`, a program lowering its own RLIMIT_AS, mlockall in a memory cgroup):
/// the memtable reserves what the limit allows and grows on demand; what cannot be done is said
/// in one line, never silence or a crash. Oracles: a plain run (exit status, output) and valgrind (leak totals)
/// under the same limit.</summary>
public sealed class MemoryLimitTests
{
    private static RunResult UnderUlimitV(long kilobytes, params string[] command) =>
        TestEnvironment.Run("bash", Arguments.Join(new[] { "-c", "ulimit -v " + kilobytes + "; exec \"$@\"", "bash" }, command));

    [Fact]
    public void UnderUlimitVTheReportIsWrittenAndAgreesWithValgrind()
    {
        string fixture = TestEnvironment.Fixture("invisible_limits");
        string json = TestEnvironment.TempFile(".json");
        try
        {
            RunResult valgrind = UnderUlimitV(64_000_000, "valgrind", "--leak-check=full", "--run-libc-freeres=no",
                                              "--leak-check-heuristics=none", fixture, "leak", "1000");
            Assert.Equal(0, valgrind.ExitCode);
            RunResult ours = UnderUlimitV(64_000_000, TestEnvironment.Cli, "run", "--json=" + json, "--", fixture, "leak", "1000");
            Assert.Equal((0, "allocated 1000\n"), (ours.ExitCode, ours.Stdout));
            using JsonDocument report = JsonDocument.Parse(File.ReadAllText(json));
            Assert.Equal(LeakTotals.FromValgrind(valgrind.Stderr), LeakTotals.FromJson(report));
            Assert.DoesNotContain("invisible:", ours.Stderr);
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Fact]
    public void AProgramNearItsRlimitAsExitsAsWithoutUsAndGetsItsReport()
    {
        string fixture = TestEnvironment.Fixture("invisible_limits");
        RunResult plain = TestEnvironment.Run(fixture, new[] { "nearlimit" });
        RunResult ours = TestEnvironment.Run(TestEnvironment.Cli, new[] { "run", "--", fixture, "nearlimit" });
        Assert.Equal((0, "malloc returned NULL: yes\n"), (plain.ExitCode, plain.Stdout));
        Assert.Equal((plain.ExitCode, plain.Stdout), (ours.ExitCode, ours.Stdout));
        Assert.Contains("definitely lost: 10 bytes in 1 blocks", ours.Stderr);
    }

    [Fact]
    public void UnderATightLimitWhatCannotBeDoneIsSaidInOneLineEach()
    {
        // 60 MB: the program's 300,000 blocks fit, our tables get an eighth of what is left, and the leak check's scan
        // finds no room at exit.
        string fixture = TestEnvironment.Fixture("invisible_limits");
        RunResult plain = UnderUlimitV(60_000, fixture, "leak", "300000");
        RunResult ours = UnderUlimitV(60_000, TestEnvironment.Cli, "run", "--", fixture, "leak", "300000");
        Assert.Equal((0, "allocated 300000\n"), (plain.ExitCode, plain.Stdout));
        Assert.Equal((plain.ExitCode, plain.Stdout), (ours.ExitCode, ours.Stdout));
        string[] lines = ours.Stderr.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Equal("invisible: the leak check could not run: no memory for its scan", lines[0]);
        Assert.Matches(new Regex(@"^invisible: [0-9]+ blocks were not tracked: the memtable ran out of address space under RLIMIT_AS \(58 MiB\)$"), lines[1]);
    }

    [Fact]
    public void WithTooLittleAddressSpaceForTheRuntimeThePlainReportSaysWhy()
    {
        // 300 MB: every block is tracked and the leak check runs, but the runtime would not start.
        string fixture = TestEnvironment.Fixture("invisible_limits");
        RunResult ours = UnderUlimitV(300_000, TestEnvironment.Cli, "run", "--", fixture, "leak", "1000");
        Assert.Equal((0, "allocated 1000\n"), (ours.ExitCode, ours.Stdout));
        string[] lines = ours.Stderr.Split('\n');
        Assert.Matches(new Regex(@"^invisible: [0-9]+ MiB of address space left under RLIMIT_AS, too little for the report runtime; plain report follows$"), lines[0]);
        Assert.EndsWith("Invisible leak report (plain: runtime unavailable) for " + fixture + " leak 1000", lines[1]);
        Assert.Contains("8,000 bytes in 1 blocks are definitely lost", ours.Stderr);
    }

    /// <summary>mlockall(MCL_CURRENT) as root, confined to a 300 MiB memory cgroup: it used to fault the 1 TiB
    /// reservation in and the OOM killer ended the program.</summary>
    [MemoryCgroupFact]
    public void MlockallAsRootInAMemoryCgroupSucceedsAsWithoutUs()
    {
        string parent = MemoryCgroupFactAttribute.MemoryCgroup()!;
        string cgroup = Path.Combine(parent, "invisible-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(cgroup);
        try
        {
            File.WriteAllText(Path.Combine(cgroup, "memory.limit_in_bytes"), (300L << 20).ToString());
            string fixture = TestEnvironment.Fixture("invisible_limits");
            string script = "echo $$ > '" + Path.Combine(cgroup, "cgroup.procs") + "'; exec \"$@\"";
            RunResult plain = TestEnvironment.Run("bash", new[] { "-c", script, "bash", fixture, "mlockall" });
            RunResult ours = TestEnvironment.Run("bash", new[] { "-c", script, "bash", TestEnvironment.Cli, "run", "--leak-check=no", "--", fixture, "mlockall" });
            Assert.Equal((0, "mlockall -> 0 ok\n"), (plain.ExitCode, plain.Stdout));
            Assert.Equal((plain.ExitCode, plain.Stdout, ""), (ours.ExitCode, ours.Stdout, ours.Stderr));
        }
        finally
        {
            Directory.Delete(cgroup);
        }
    }

    /// <summary>An ordinary user (uid 65534, 8 MiB RLIMIT_MEMLOCK): the kernel compares the whole mapped size with
    /// the limit, so our reservations made mlockall fail where the plain program succeeds.</summary>
    [RootFact]
    public void MlockallAsAnOrdinaryUserSucceedsAsWithoutUs()
    {
        // Copies uid 65534 can run (the checkout may be in a private directory).
        using var copy = new Invisible.Tests.Shared.RunnableCopy(TestEnvironment.Build);
        string fixture = copy.Add(TestEnvironment.Fixture("invisible_limits"), "invisible_limits");
        string[] asNobody = { "--memlock=8388608", "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--" };
        RunResult plain = TestEnvironment.Run("prlimit", Arguments.Join(asNobody, fixture, "mlockall"));
        RunResult ours = TestEnvironment.Run("prlimit", Arguments.Join(asNobody, copy.Cli, "run", "--leak-check=no", "--", fixture, "mlockall"));
        Assert.Equal((0, "mlockall -> 0 ok\n"), (plain.ExitCode, plain.Stdout));
        Assert.Equal((plain.ExitCode, plain.Stdout, ""), (ours.ExitCode, ours.Stdout, ours.Stderr));
    }
}

/// <summary>A test that confines a root process to a memory cgroup: needs root and the cgroup v1 memory controller;
/// reported as skipped otherwise.</summary>
public sealed class MemoryCgroupFactAttribute : FactAttribute
{
    public MemoryCgroupFactAttribute()
    {
        if (Environment.UserName != "root")
            Skip = "needs root: creates a memory cgroup";
        else if (MemoryCgroup() is null)
            Skip = "needs the cgroup v1 memory controller (/sys/fs/cgroup/memory)";
    }

    /// <summary>The cgroup v1 memory controller's directory of this process, or null.</summary>
    public static string? MemoryCgroup()
    {
        foreach (string line in File.ReadAllLines("/proc/self/cgroup"))
        {
            string[] parts = line.Split(':', 3);
            if (parts.Length == 3 && Array.IndexOf(parts[1].Split(','), "memory") >= 0)
            {
                string dir = "/sys/fs/cgroup/memory" + parts[2];
                return File.Exists(Path.Combine(dir, "memory.limit_in_bytes")) ? dir : null;
            }
        }
        return null;
    }
}

internal static class Arguments
{
    public static List<string> Join(string[] first, params string[] rest)
    {
        var all = new List<string>(first);
        all.AddRange(rest);
        return all;
    }
}
