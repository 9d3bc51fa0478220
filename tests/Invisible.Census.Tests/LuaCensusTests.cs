using System;
using System.Collections.Generic;
using System.IO;
using Invisible.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace Invisible.Census.Tests;

/// <summary>
/// Issue 17: the census through allocator wrappers, on a real program built from its release sources. Every Lua
/// object is allocated as realloc ← l_alloc ← luaM_malloc_ (through a function pointer) ← luaC_newobj (returns
/// GCObject *) ← luaH_new / createstrobj / luaF_newLclosure ..., whose struct appears only through a union member
/// access (gco2t(o)). Ground truth: gdb walking Lua's own collector lists (tests/fixtures/lua/lua_gc_census.py).
/// </summary>
public sealed class LuaCensusTests
{
    private readonly ITestOutputHelper _output;

    public LuaCensusTests(ITestOutputHelper output) => _output = output;

    private static string Script => TestProcess.FixtureSource(Path.Combine("lua", "objects.lua"));
    private static string GdbScript => TestProcess.FixtureSource(Path.Combine("lua", "lua_gc_census.py"));

    /// <summary>depth 0: the default settings, where only call sites inside the wrappers `invisible run` found
    /// (and cached in a fresh XDG_CACHE_HOME) capture deeper; 6: every site walked 6 frames, no wrapper cache.</summary>
    [FixtureTheory("lua-O0", "lua-O2")]
    [InlineData("O0", 6)]
    [InlineData("O2", 6)]
    [InlineData("O0", 0)]
    [InlineData("O2", 0)]
    public void LuaObjectsAreTypedThroughTheWrapperChain(string opt, int depth)
    {
        var run = ProgramCensus.Take(CensusEnvironment.Fixture("lua", opt), new[] { Script }, GdbScript, depth);
        _output.WriteLine(run.CensusStdout);
        Dictionary<string, long> truth = run.GdbCounts("GC");
        Assert.True(truth.Count > 0, "gdb's walk found no Lua objects:\n" + run.GdbStdout + run.GdbStderr);
        Dictionary<string, long> typed = run.Typed;
        // Every collectable object typed as gdb names it, exactly; the main thread's lua_State lives inside
        // the LG block lua_newstate allocates (one census row "LG"), so the census has one lua_State fewer.
        foreach (var (type, count) in truth)
        {
            long seen = typed.GetValueOrDefault(type);
            _output.WriteLine($"{type}: gdb {count}, census {seen}");
            Assert.True(seen == (type == "lua_State" ? count - 1 : count), $"{type}: gdb counts {count}, the census {seen}:\n{run.CensusStdout}");
        }
        Assert.Equal(1, typed.GetValueOrDefault("LG"));
        Assert.True(truth.GetValueOrDefault("Table") >= 1500 && truth.GetValueOrDefault("LClosure") >= 1500, run.GdbStdout);
        // With the default settings, `invisible run` cached the program's wrappers (and its libraries', as empty
        // files or not).
        if (depth == 0) Assert.Contains(run.CacheFileSizes, size => size > 16);
    }

    /// <summary>The wrappers `invisible wrappers` finds in Lua: the allocation function reached through a pointer
    /// (l_alloc), the memory manager (luaM_*) and the object constructor that returns the GCObject header
    /// (luaC_newobj); not the functions that type the object (luaH_new returns Table *).</summary>
    [FixtureTheory("lua-O0", "lua-O2")]
    [InlineData("O0")]
    [InlineData("O2")]
    public void LuaWrappersAreFound(string opt)
    {
        string cache = CensusEnvironment.FreshCacheHome();
        try
        {
            var run = CensusEnvironment.FindWrappers(CensusEnvironment.Fixture("lua", opt), cache);
            _output.WriteLine(run.Stdout + run.Stderr);
            Assert.True(run.ExitCode == 0, run.Stderr);
            var wrappers = run.Wrappers;
            foreach (string name in new[] { "l_alloc", "luaM_malloc_", "luaM_realloc_", "luaC_newobj" })
                Assert.True(wrappers.ContainsKey(name), name + " is not among the wrappers:\n" + run.Stdout);
            foreach (string name in new[] { "luaH_new", "luaF_newLclosure", "luaS_newlstr", "lua_newstate" })
                Assert.False(wrappers.ContainsKey(name), name + " is not a wrapper:\n" + run.Stdout);
            // l_alloc is called through g->frealloc by every luaM_* wrapper: it needs the deepest walk.
            Assert.True(wrappers["l_alloc"] > wrappers["luaM_malloc_"] && wrappers["luaM_malloc_"] > wrappers["luaC_newobj"], run.Stdout);
            // A second run finds the file cached: no scan.
            var again = CensusEnvironment.Run(CensusEnvironment.Cli, new[] { "wrappers", "--", CensusEnvironment.Fixture("lua", opt) }, new Dictionary<string, string> { ["XDG_CACHE_HOME"] = cache });
            Assert.Contains(CensusEnvironment.Fixture("lua", opt) + ": cached", again.Stdout);
        }
        finally
        {
            if (Directory.Exists(cache)) Directory.Delete(cache, true);
        }
    }

    [Fact]
    public void WrappersRefusesAMissingFile()
    {
        var run = CensusEnvironment.Run(CensusEnvironment.Cli, new[] { "wrappers", "/nonexistent/program" });
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("invisible wrappers: /nonexistent/program: no such file\n", run.Stderr);
        Assert.Equal("", run.Stdout);
    }
}
