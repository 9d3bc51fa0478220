using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text.Json;
using Xunit;

namespace Invisible.Census.Tests;

/// <summary><c>invisible census PID</c>, <c>invisible run --census</c> and <c>invisible_report</c> from gdb.</summary>
public sealed class CensusCommandTests
{
    /// <summary>Start census_shapes MODES wait preloaded; returns once it printed "ready".</summary>
    private static Process StartWaiting(string opt, params string[] modes)
    {
        var args = new List<string>(modes) { "wait" };
        var env = new Dictionary<string, string> { ["LD_PRELOAD"] = CensusEnvironment.Library, ["INVISIBLE_LEAK_CHECK"] = "no" };
        Process p = Process.Start(CensusEnvironment.StartInfo(CensusEnvironment.Fixture("census_shapes", opt), args, env))!;
        Assert.Equal("ready", p.StandardOutput.ReadLine());
        return p;
    }

    private static int Threads(int pid) => Directory.GetDirectories("/proc/" + pid + "/task").Length;

    [Theory]
    [InlineData("O0")]
    [InlineData("O2")]
    public void CensusOfARunningProcess(string opt)
    {
        using Process p = StartWaiting(opt, "list", "tree");
        try
        {
            Assert.Equal(1, Threads(p.Id)); // preloaded, nothing asked yet: no extra thread
            string json = CensusEnvironment.TempFile(".json");
            var run = CensusEnvironment.Run(CensusEnvironment.Cli, new[] { "census", "--json", json, p.Id.ToString() });
            Assert.True(run.ExitCode == 0, run.Stderr);
            Assert.Contains("HEAP CENSUS: 163 live blocks", run.Stdout);
            Assert.Contains("struct list_node", run.Stdout);
            Assert.Contains("list_push (census_shapes.c:21)", run.Stdout);
            using (JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json)))
            {
                var counts = CensusEnvironment.BlocksByType(doc);
                Assert.Equal("struct list_node=100, struct tree_node=63", CensusEnvironment.Describe(counts));
            }
            File.Delete(json);

            // A second census reuses the listener (no new injection) and sees the same heap.
            var again = CensusEnvironment.Run(CensusEnvironment.Cli, new[] { "census", p.Id.ToString() });
            Assert.Equal(0, again.ExitCode);
            Assert.Contains("HEAP CENSUS: 163 live blocks", again.Stdout);

            // The program goes on unharmed: it was blocked in read(), it still reads its stdin and exits 0.
            p.StandardInput.Write("more input\n");
            p.StandardInput.Close();
            Assert.True(p.WaitForExit(30_000));
            Assert.Equal(0, p.ExitCode);
        }
        finally
        {
            if (!p.HasExited) p.Kill();
        }
    }

    [Fact]
    public void DeadProcessIsAClearError()
    {
        using Process p = Process.Start(new ProcessStartInfo("true"))!;
        p.WaitForExit();
        var run = CensusEnvironment.Run(CensusEnvironment.Cli, new[] { "census", p.Id.ToString() });
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("invisible: no process " + p.Id + "\n", run.Stderr);
    }

    [Fact]
    public void ProcessWithoutLibinvisibleIsInjected()
    {
        using Process p = Process.Start(CensusEnvironment.StartInfo("sleep", new[] { "30" }, null))!;
        try
        {
            var run = CensusEnvironment.Run(CensusEnvironment.Cli, new[] { "census", p.Id.ToString() });
            Assert.True(run.ExitCode == 0, run.Stderr);
            Assert.Contains("HEAP CENSUS", run.Stdout);
            Assert.False(p.HasExited);
        }
        finally
        {
            p.Kill();
        }
    }

    [Fact]
    public void BadArgumentsAreClearErrors()
    {
        Assert.Equal(2, CensusEnvironment.Run(CensusEnvironment.Cli, new[] { "census" }).ExitCode);
        Assert.Equal(2, CensusEnvironment.Run(CensusEnvironment.Cli, new[] { "census", "abc" }).ExitCode);
        Assert.Equal(2, CensusEnvironment.Run(CensusEnvironment.Cli, new[] { "census", "--frob", "1" }).ExitCode);
    }

    [Fact]
    public void RunWithCensusPrintsTheCensusAtExit()
    {
        var run = CensusEnvironment.Run(CensusEnvironment.Cli,
            new[] { "run", "--census", "--leak-check=no", "--", CensusEnvironment.Fixture("census_shapes", "O2"), "list", "array" });
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("HEAP CENSUS: 102 live blocks, 8,800 bytes, by type", run.Stderr);
        Assert.Matches(@"\s+100\s+1,600\s+18\.2%\s+struct list_node\n", run.Stderr);
        Assert.Contains("at list_push (census_shapes.c:21)", run.Stderr);
        Assert.Contains("Typed: 102 of 102 blocks (100.0%)", run.Stderr);
    }

    [Fact]
    public void InvisibleReportFromGdbWritesCensusAndLeaks()
    {
        using Process p = StartWaiting("O0", "list");
        string json = CensusEnvironment.TempFile(".json");
        try
        {
            var gdb = CensusEnvironment.Run("gdb", new[] { "-batch", "-nx", "-p", p.Id.ToString(),
                "-ex", "print (int) invisible_report(\"" + json + "\")" });
            Assert.Contains("$1 = 0", gdb.Stdout);
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
            Assert.Equal(100, CensusEnvironment.BlocksByType(doc)["struct list_node"]);
            Assert.True(doc.RootElement.GetProperty("leaks").GetProperty("records").GetArrayLength() > 0);
            p.StandardInput.Close();
            Assert.True(p.WaitForExit(30_000));
            Assert.Equal(0, p.ExitCode);
        }
        finally
        {
            if (!p.HasExited) p.Kill();
            File.Delete(json);
        }
    }
}
