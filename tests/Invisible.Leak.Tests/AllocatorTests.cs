using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace Invisible.Leak.Tests;

/// <summary>The interposed allocator is glibc's, observably: same results, errno, alignment;
/// and the memtable stays exact under threads, cross-thread frees and forks.</summary>
public sealed class AllocatorTests
{
    [Theory]
    [InlineData("O0")]
    [InlineData("O2")]
    public void EveryAllocationFunctionBehavesLikeGlibc(string opt)
    {
        string fixture = TestEnvironment.Fixture("alloc_api", opt);
        RunResult plain = TestEnvironment.Run(fixture, new string[0]);
        RunResult ours = TestEnvironment.Run(fixture, new string[0], new Dictionary<string, string>
        {
            ["LD_PRELOAD"] = TestEnvironment.Library, ["INVISIBLE_DEPTH"] = "8",
        });
        Assert.Equal(0, plain.ExitCode);
        Assert.Equal(plain.ExitCode, ours.ExitCode);
        Assert.Equal(plain.Stdout, ours.Stdout);
        Assert.Contains("malloc(SIZE_MAX)             NULL align16=-1 page=-1 errno=12", ours.Stdout);
        Assert.Contains("definitely lost: 0 bytes in 0 blocks", ours.Stderr);
    }

    [Fact]
    public void CrossThreadFreesLeaveExactlyTheLeakedBlocks()
    {
        var (run, report) = TestEnvironment.RunPreloaded(TestEnvironment.Fixture("thread_handoff", "O2"), new string[0],
                                                        new Dictionary<string, string> { ["INVISIBLE_DEPTH"] = "4" });
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("freed 200000 of 200000\n", run.Stdout);
        LeakTotals totals = LeakTotals.FromJson(report);
        Assert.Equal(10, totals.DefinitelyBlocks);
        Assert.Equal(480, totals.DefinitelyBytes);
        JsonElement lost = report.RootElement.GetProperty("leaks").GetProperty("records").EnumerateArray()
            .First(r => r.GetProperty("kind").GetString() == "definitely_lost");
        Assert.Equal("leak_some", lost.GetProperty("trace")[0].GetProperty("function").GetString());
    }
}
