using Xunit;

namespace Invisible.Attach.Tests;

/// <summary>Objects an attach session makes (<c>c.struct.stat()</c>) are the program's blocks: allocated through
/// the query API's program_alloc, they are tracked even though the session thread's own allocations are not, and
/// the heap census counts them by their DWARF type.</summary>
public sealed class AttachCensusTests
{
    [Fact]
    public void ObjectsMadeInASessionAreInTheCensusByType()
    {
        using var target = new AttachTarget();
        var run = target.Attach("-c",
            "import c, process\n" +
            "keep = [c.struct.stat() for i in range(13)]\n" +
            "print([(r['blocks'], r['bytes']) for r in process.heap.census() if r['type'] == 'struct stat'])\n" +
            "b = process.heap.block(process.address(keep[4]))\n" +
            "print(b['start'] == process.address(keep[4]), b['size'], b['type'])\n");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("[(13, 1872)]\nTrue 144 struct stat\n", run.Stdout);
        target.Echo("after");
        target.FinishAndCheck();
    }
}
