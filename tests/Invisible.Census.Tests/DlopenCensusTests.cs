using System.Collections.Generic;
using System.IO;
using Invisible.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace Invisible.Census.Tests;

/// <summary>
/// Issue 17: the census through the allocator wrappers of a library the program dlopen()s (tests/fixtures/dlwrap/:
/// an xmalloc-like wrapper, and SQLite's style, a size header before the block behind a function pointer in a
/// global). The library is scanned when it is loaded (`invisible run`'s own scan sees only the program and what it
/// needs), its ranges published to the hooks; after its dlclose they never match again, not even for the next
/// library loaded at its address. Ground truth: gdb walking the library's own object lists
/// (tests/fixtures/dlwrap/dlwrap_census.py).
/// </summary>
public sealed class DlopenCensusTests
{
    private readonly ITestOutputHelper _output;

    public DlopenCensusTests(ITestOutputHelper output) => _output = output;

    private static string GdbScript => TestProcess.FixtureSource(Path.Combine("dlwrap", "dlwrap_census.py"));

    private void AssertTypedAsGdbSays(ProgramCensus run, IReadOnlyDictionary<string, string> constructors)
    {
        _output.WriteLine(run.CensusStdout);
        Dictionary<string, long> truth = run.GdbCounts("OBJ");
        Assert.True(truth.Count == constructors.Count, "gdb's walk:\n" + run.GdbStdout + run.GdbStderr);
        foreach (var (type, constructor) in constructors)
        {
            long count = truth.GetValueOrDefault(type);
            long seen = run.Typed.GetValueOrDefault(type);
            _output.WriteLine($"{type}: gdb {count}, census {seen}");
            Assert.True(count > 0 && seen == count, $"{type}: gdb counts {count}, the census {seen}:\n{run.CensusStdout}");
            // Typed at the first frame outside the library's wrapper chain, and only there.
            Assert.Equal(new[] { constructor }, run.SiteFunctions[type]);
        }
    }

    /// <summary>Default settings: the library, loaded by its bare name through the program's DT_RUNPATH ($ORIGIN),
    /// is scanned at dlopen and cached; its 600 objects typed as gdb names them, each at its constructor.</summary>
    [Theory]
    [InlineData("O0")]
    [InlineData("O2")]
    public void ObjectsOfADlopenedLibraryAreTypedThroughItsWrappers(string opt)
    {
        var run = ProgramCensus.Take(CensusEnvironment.Fixture("dlwrap", opt), new[] { "shapes" }, GdbScript, 0);
        AssertTypedAsGdbSays(run, new Dictionary<string, string>
        {
            ["Circle"] = "circle_new",   // shapes_xmalloc
            ["Polygon"] = "polygon_new", // shapes_malloc_zero ← shapes_malloc ← xMalloc → mem_malloc, variable-sized
            ["Group"] = "group_new",     // shapes_malloc ← xMalloc → mem_malloc (a size header before the object)
        });
        // The program's cache file (no wrappers: 16 bytes) and the library's, written at dlopen.
        Assert.Contains(run.CacheFileSizes, size => size > 16);
    }

    /// <summary>The control: without the wrapper ranges (depth 1, INVISIBLE_WRAPPERS=no), the census cannot see past
    /// the library's wrappers, so the test above can fail.</summary>
    [Fact]
    public void WithoutItsWrappersTheLibrarysObjectsAreNotTyped()
    {
        var run = ProgramCensus.Take(CensusEnvironment.Fixture("dlwrap", "O0"), new[] { "shapes" }, GdbScript, 1);
        _output.WriteLine(run.CensusStdout);
        Assert.Equal(300, run.GdbCounts("OBJ").GetValueOrDefault("Circle"));
        Assert.NotEqual(300, run.Typed.GetValueOrDefault("Circle"));
        Assert.Empty(run.CacheFileSizes);
    }

    /// <summary>dlclose, then another library at the same address: its objects typed at its own sites (had the first
    /// library's ranges or the hooks' cached decisions survived, its direct malloc sites, laid out where the first
    /// one's wrappers were, would be walked past, to tokens_build); its own wrapper (token_text) is found at its
    /// dlopen too.</summary>
    [Theory]
    [InlineData("O0")]
    [InlineData("O2")]
    public void AnUnloadedLibrarysWrappersNeverMatchTheNextLibraryAtItsAddress(string opt)
    {
        var run = ProgramCensus.Take(CensusEnvironment.Fixture("dlwrap", opt), new[] { "reuse" }, GdbScript, 0);
        Assert.True(run.GdbValue("REUSED") == 1, "the tokens library was not loaded at the shapes library's address:\n" + run.GdbStdout);
        AssertTypedAsGdbSays(run, new Dictionary<string, string>
        {
            ["Token"] = "token_new",
            ["TokenList"] = "token_list_new",
            ["Word"] = "word_new", // token_text: calloc, the block as char *
        });
        foreach (string gone in new[] { "Circle", "Polygon", "Group" })
            Assert.False(run.Typed.ContainsKey(gone), gone + " blocks were all freed:\n" + run.CensusStdout);
    }
}
