using System;
using System.Collections.Generic;
using System.IO;
using Invisible.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace Invisible.Census.Tests;

/// <summary>
/// Issue 17, the second real program: SQLite 3.40.1 built from its release sources (tests/CMakeLists.txt), with a
/// wrapper style unlike Lua's: malloc ← sqlite3MemMalloc (through a function pointer; keeps the size in an 8-byte
/// header and returns <c>p + 1</c>) ← mallocWithAlarm (hands the block back through a <c>void **</c> parameter) ←
/// sqlite3Malloc ← sqlite3DbMallocRaw(NN) / sqlite3DbMallocZero ← the function that knows the type; and a
/// lookaside buffer that small objects are carved out of. Ground truth: gdb walking SQLite's own structures
/// (tests/fixtures/sqlite/sqlite_census.py).
/// </summary>
public sealed class SqliteCensusTests
{
    private readonly ITestOutputHelper _output;

    public SqliteCensusTests(ITestOutputHelper output) => _output = output;

    private static string GdbScript => TestProcess.FixtureSource(Path.Combine("sqlite", "sqlite_census.py"));

    /// <summary>The default settings of <c>invisible run</c>: the wrappers it finds (cached in a fresh
    /// XDG_CACHE_HOME) capture deeper, every other site one frame.</summary>
    [FixtureTheory("sqlite-O0", "sqlite-O2")]
    [InlineData("O0")]
    [InlineData("O2")]
    public void SqliteObjectsAreTypedThroughTheWrapperChain(string opt)
    {
        var run = ProgramCensus.Take(CensusEnvironment.Fixture("sqlite", opt), new[] { "120", "60" }, GdbScript, 0);
        _output.WriteLine(run.CensusStdout);
        Dictionary<string, long> truth = run.GdbCounts("OBJ");
        long inLookaside = run.GdbValue("LOOKASIDE");
        Assert.True(truth.GetValueOrDefault("Table") >= 120 && truth.GetValueOrDefault("Vdbe") >= 1 && inLookaside >= 0,
                    "gdb's walk:\n" + run.GdbStdout + run.GdbStderr);
        var typed = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (type, count) in run.Typed) typed[BaseName(type)] = typed.GetValueOrDefault(BaseName(type)) + count;
        // Objects gdb finds in blocks of their own, typed as gdb names them (arrays by their element).
        long objects = 0, right = 0;
        foreach (var (type, count) in truth)
        {
            long seen = typed.GetValueOrDefault(type);
            _output.WriteLine($"{type}: gdb {count}, census {seen}");
            objects += count;
            right += Math.Min(count, seen);
        }
        _output.WriteLine($"typed as gdb names them: {right} of {objects}; in lookaside slots (no blocks): {inLookaside}");
        // 766 of 766 at -O0 and -O2 (README): memset returns the block (sqlite3DbMallocZero), the temp database's
        // Schema comes back from the void * member of BtShared it was stored into (sqlite3BtreeSchema).
        int percent = 95;
        Assert.True(right * 100 >= objects * percent, $"{right} of {objects} objects typed as gdb names them:\n{run.CensusStdout}");
        foreach (string type in new[] { "sqlite3", "Schema", "Btree", "BtShared", "Table", "Index", "Trigger", "TriggerStep", "Vdbe", "VdbeOp" })
            Assert.True(typed.GetValueOrDefault(type) == truth.GetValueOrDefault(type), $"{type}: gdb {truth.GetValueOrDefault(type)}, census {typed.GetValueOrDefault(type)}:\n{run.CensusStdout}");
        // The lookaside buffer is one region, named, not an array of its free-list links; the page cache's pages are
        // named as pages also where gcc inlined pcache1AllocPage into its caller (-O2).
        Assert.Equal(1, typed.GetValueOrDefault("sqlite3 lookaside (slots)"));
        Assert.True(typed.GetValueOrDefault("sqlite3 page cache (page)") > 0, run.CensusStdout);
        Assert.False(typed.ContainsKey("LookasideSlot"), run.CensusStdout);
        Assert.False(typed.ContainsKey("sqlite3_int64"), run.CensusStdout);
    }

    /// <summary>The wrappers `invisible wrappers` finds in SQLite: the size-header allocator reached through a
    /// pointer, the one that hands the block back through a parameter, and the layers above them; not the
    /// functions that type the object.</summary>
    [FixtureTheory("sqlite-O0", "sqlite-O2")]
    [InlineData("O0")]
    [InlineData("O2")]
    public void SqliteWrappersAreFound(string opt)
    {
        string cache = CensusEnvironment.FreshCacheHome();
        try
        {
            var run = CensusEnvironment.FindWrappers(CensusEnvironment.Fixture("sqlite", opt), cache);
            _output.WriteLine(run.Stdout + run.Stderr);
            Assert.True(run.ExitCode == 0, run.Stderr);
            var wrappers = run.Wrappers;
            // sqlite3MallocZero returns what memset returned (-O2: `call memset; mov rcx, rax; ... mov rax, rcx`): memset
            // gives back its first argument, the block.
            var expected = new List<string> { "sqlite3MemMalloc", "sqlite3Malloc", "sqlite3DbMallocRawNN", "sqlite3MallocZero" };
            // -O2 inlines mallocWithAlarm into sqlite3Malloc, and sqlite3DbMallocZero into each of its callers.
            if (opt == "O0") expected.AddRange(new[] { "mallocWithAlarm", "sqlite3DbMallocZero" });
            foreach (string name in expected)
                Assert.True(wrappers.ContainsKey(name), name + " is not among the wrappers:\n" + run.Stdout);
            foreach (string name in new[] { "sqlite3StartTable", "sqlite3VdbeCreate", "sqlite3CreateIndex", "main" })
                Assert.False(wrappers.ContainsKey(name), name + " is not a wrapper:\n" + run.Stdout);
            // sqlite3MemMalloc, called through sqlite3GlobalConfig.m.xMalloc, is below every other layer.
            Assert.True(wrappers["sqlite3MemMalloc"] > wrappers["sqlite3Malloc"], run.Stdout);
            if (opt == "O0") Assert.True(wrappers["sqlite3Malloc"] > wrappers["sqlite3DbMallocZero"], run.Stdout);
        }
        finally
        {
            if (Directory.Exists(cache)) Directory.Delete(cache, true);
        }
    }

    /// <summary>"Column[3]" → "Column", "struct _ht[8]" → "_ht", "Op[20]" → "VdbeOp" (gdb's walk names structs by tag).</summary>
    private static string BaseName(string type)
    {
        string t = type.StartsWith("struct ", StringComparison.Ordinal) ? type.Substring(7) : type;
        int bracket = t.IndexOf('[');
        if (bracket > 0 && !t.Contains(' ', StringComparison.Ordinal)) t = t.Substring(0, bracket);
        return t == "Op" ? "VdbeOp" : t;
    }
}
