using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text.Json;
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

    [FixtureTheory("lua-O0", "lua-O2")]
    [InlineData("O0", 6)]
    [InlineData("O2", 6)]
    public void LuaObjectsAreTypedThroughTheWrapperChain(string opt, int depth)
    {
        var env = new Dictionary<string, string> { ["INVISIBLE_LEAK_CHECK"] = "no" };
        var args = new List<string> { "run", "--depth=" + depth.ToString(CultureInfo.InvariantCulture), "--",
                                      CensusEnvironment.Fixture("lua", opt), Script };
        using Process lua = Process.Start(CensusEnvironment.StartInfo(CensusEnvironment.Cli, args, env))!;
        try
        {
            Assert.Equal("ready", lua.StandardOutput.ReadLine());
            string json = CensusEnvironment.TempFile(".json");
            var census = CensusEnvironment.Run(CensusEnvironment.Cli, new[] { "census", "--json", json, lua.Id.ToString(CultureInfo.InvariantCulture) });
            Assert.True(census.ExitCode == 0, census.Stderr);
            _output.WriteLine(census.Stdout);
            var gdb = CensusEnvironment.Run("gdb", new[] { "-batch", "-nx", "-p", lua.Id.ToString(CultureInfo.InvariantCulture), "-x", GdbScript });
            Dictionary<string, long> truth = GdbCounts(gdb.Stdout);
            Assert.True(truth.Count > 0, "gdb's walk found no Lua objects:\n" + gdb.Stdout + gdb.Stderr);
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
            Dictionary<string, long> typed = CensusEnvironment.BlocksByType(doc);
            // Every collectable object typed as gdb names it, exactly; the main thread's lua_State lives inside
            // the LG block lua_newstate allocates (one census row "LG"), so the census has one lua_State fewer.
            foreach (var (type, count) in truth)
            {
                long seen = typed.GetValueOrDefault(type);
                _output.WriteLine($"{type}: gdb {count}, census {seen}");
                Assert.True(seen == (type == "lua_State" ? count - 1 : count), $"{type}: gdb counts {count}, the census {seen}:\n{census.Stdout}");
            }
            Assert.Equal(1, typed.GetValueOrDefault("LG"));
            Assert.True(truth.GetValueOrDefault("Table") >= 1500 && truth.GetValueOrDefault("LClosure") >= 1500, gdb.Stdout);
        }
        finally
        {
            lua.StandardInput.Close();
            if (!lua.WaitForExit(20_000)) lua.Kill(true);
        }
    }

    private static Dictionary<string, long> GdbCounts(string stdout)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string line in stdout.Split('\n'))
        {
            string[] parts = line.Trim().Split(' ');
            if (parts.Length == 3 && parts[0] == "GC") counts[parts[1]] = long.Parse(parts[2], CultureInfo.InvariantCulture);
        }
        return counts;
    }
}
