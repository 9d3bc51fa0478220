using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;
using Invisible.Tests.Shared;
using Xunit;

namespace Invisible.DwarfPython.Tests;

/// <summary>Reads and writes through a pointer into a block the program freed raise <c>process.FaultError</c> naming
/// the block (libinvisible.so's record of recent frees, kept while a DwarfPython session exists); a block allocated
/// again is readable; an index past a live block is refused; with INVISIBLE_FREE_HISTORY=0 nothing is recorded.
/// Run by the NativeAOT binary, which preloads libinvisible.so (the xunit process has no memtable). Fixture:
/// tests/fixtures/lib/freedfix.c. The attach case is tests/Invisible.Attach.Tests/FreedReadAttachTests.</summary>
public class FreedReadTests
{
    private static string Binary => Path.Combine(Fixture.RepoRoot, "build", "bin", "invisible");

    private static (int Exit, string Stdout, string Stderr) Python(string code, Dictionary<string, string>? env = null)
    {
        string prefix = "import process\nfx = process.load('" + TestProcess.BuiltFixture("libfreedfix.so") + "')\n" +
                        "def attempt(f):\n" +
                        "    try:\n" +
                        "        return f()\n" +
                        "    except process.FaultError as e:\n" +
                        "        return 'FaultError: ' + str(e)\n";
        var r = TestProcess.Run(Binary, new[] { "python", "-c", prefix + code }, env, workingDirectory: Path.GetTempPath());
        return (r.ExitCode, r.Stdout, r.Stderr);
    }

    private static string Hex(string text) => Regex.Replace(text, "0x[0-9a-f]+", "0xADDR");

    [Fact]
    public void ReadsOfAFreedStructAreRefusedNamingTheBlock()
    {
        var r = Python(
            // two decoys freed after r: an allocation of that size the interpreter makes (symbolizing the sites) takes
            // one of them from glibc's tcache (last freed, first reused), not r
            "a = fx.record_new(1)\nb = fx.record_new(2)\n" +
            "r = fx.record_new(7)\n" +
            "print(r.id, r.weight, str(r.name))\n" +
            "fx.record_drop(r)\nfx.record_drop(a)\nfx.record_drop(b)\n" +
            "print(attempt(lambda: r.id))\n" +
            "print(attempt(lambda: r.tail))\n" +
            "def store():\n" +
            "    r.id = 9\n" +
            "print(attempt(store))\n" +
            "t = fx.text_new()\n" +
            "print(str(t))\n" +
            "fx.text_drop(t)\n" +
            "print(attempt(lambda: str(t)))\n");
        Assert.True(r.Exit == 0, r.Stderr + r.Stdout);
        Assert.Equal(
            "7 10.5 record\n" +
            "FaultError: read of freed block 0xADDR (232 bytes, allocated at record_new (freedfix.c:20), freed at record_drop (freedfix.c:30))\n" +
            "FaultError: read of freed block 0xADDR (232 bytes, allocated at record_new (freedfix.c:20), freed at record_drop (freedfix.c:30)): address 0xADDR is at offset 224\n" +
            "FaultError: write to freed block 0xADDR (232 bytes, allocated at record_new (freedfix.c:20), freed at record_drop (freedfix.c:30))\n" +
            "still here?\n" +
            "FaultError: read of freed block 0xADDR (221 bytes, allocated at text_new (freedfix.c:48), freed at text_drop (freedfix.c:56))\n",
            Hex(r.Stdout));
        Assert.Equal("", r.Stderr);
    }

    /// <summary>The freed chunk handed out again (glibc's tcache gives a 232-byte request the chunk just freed): the
    /// memtable has a live block there, and the old pointer reads the new object.</summary>
    [Fact]
    public void ABlockAllocatedAgainIsReadable()
    {
        var r = Python(
            "w = fx.record_new(6)\n" +
            "fx.record_drop(w)\n" +
            "print(attempt(lambda: w.id)[:31])\n" + // the first message symbolizes (and allocates) before r's turn
            "r = fx.record_new(7)\n" +
            "fx.record_drop(r)\n" +
            "print(attempt(lambda: r.id)[:31])\n" +
            "q = fx.record_new(8)\n" +
            "print(q == r, r.id, r.weight)\n" +
            "fx.record_drop(q)\n");
        Assert.True(r.Exit == 0, r.Stderr + r.Stdout);
        Assert.Equal("FaultError: read of freed block\nFaultError: read of freed block\nTrue 8 12.0\n", r.Stdout);
    }

    [Fact]
    public void AnIndexPastTheLiveBlockIsRefused()
    {
        var r = Python(
            "n = fx.numbers_new(4)\n" +
            "print(n[0], n[3])\n" +
            "print(attempt(lambda: n[4]))\n" +
            "print(attempt(lambda: n[-1]))\n" +
            "def store():\n" +
            "    n[4] = 1\n" +
            "print(attempt(store))\n" +
            "m = n + 2\n" +
            "print(m[1], attempt(lambda: m[2]))\n" +
            "fx.numbers_drop(n)\n");
        Assert.True(r.Exit == 0, r.Stderr + r.Stdout);
        Assert.Equal(
            "0 30\n" +
            "FaultError: read of element 4 of int * out of bounds of block 0xADDR (16 bytes, allocated at numbers_new (freedfix.c:35)): offset 16 + 4 > 16\n" +
            "FaultError: read of element -1 of int * out of bounds of block 0xADDR (16 bytes, allocated at numbers_new (freedfix.c:35)): offset -4\n" +
            "FaultError: write to element 4 of int * out of bounds of block 0xADDR (16 bytes, allocated at numbers_new (freedfix.c:35)): offset 16 + 4 > 16\n" +
            "30 FaultError: read of element 2 of int * out of bounds of block 0xADDR (16 bytes, allocated at numbers_new (freedfix.c:35)): offset 16 + 4 > 16\n",
            Hex(r.Stdout));
    }

    /// <summary>INVISIBLE_FREE_HISTORY=0: no record, so the read goes ahead (it reads what the freed memory holds).</summary>
    [Fact]
    public void HistoryOffReadsWithoutAQuestion()
    {
        var r = Python(
            "r = fx.record_new(7)\n" +
            "fx.record_drop(r)\n" +
            "print(type(r.weight).__name__, attempt(lambda: 'no error' if r.tail == 0 else 'no error'))\n",
            new Dictionary<string, string> { ["INVISIBLE_FREE_HISTORY"] = "0" });
        Assert.True(r.Exit == 0, r.Stderr + r.Stdout);
        Assert.Equal("float no error\n", r.Stdout);
    }
}
