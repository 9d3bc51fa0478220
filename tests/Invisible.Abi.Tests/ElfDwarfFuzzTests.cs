using System;
using System.Collections.Generic;
using System.IO;
using Invisible.Abi.Dwarf;
using Invisible.Abi.Native;
using Invisible.Tests.Shared;
using Xunit;

namespace Invisible.Abi.Tests;

/// <summary>Fuzz target for ELF/DWARF loading (issue 10, Tests): corrupted copies of a -g fixture library opened
/// through <see cref="DwarfModule"/> and used the way the symbolizer, the census and DwarfPython use it. Fixed seeds
/// and a fixed number of cases per strategy, so a run is bounded and repeatable; the assertion is "no crash, a clear
/// error": the module opens (and answers, possibly with less) or <see cref="DwarfException"/> names the file —
/// any other exception, or a fault in libdw, fails the run. The same corruptions reach <c>import NAME</c> in
/// Invisible.DwarfPython.Tests (ImportFuzzTests).</summary>
public sealed class ElfDwarfFuzzTests
{
    private const int CasesPerStrategy = 100;

    public static IEnumerable<object[]> Strategies() => ElfCorruption.Names.ConvertAll(n => new object[] { n });

    private static string Good() => Fixtures.Build("types.c", "libtypes-fuzz.so", "-shared -fPIC -g -O2");

    [Theory]
    [MemberData(nameof(Strategies))]
    public void CorruptedCopiesOpenOrFailClearly(string strategy)
    {
        byte[] good = File.ReadAllBytes(Good());
        var sections = ElfCorruption.Sections(good);
        for (int seed = 0; seed < CasesPerStrategy; seed++)
        {
            string path = Path.Combine(Fixtures.TempDir, $"fuzz-{strategy}-{seed}.so");
            File.WriteAllBytes(path, ElfCorruption.Apply(strategy, good, sections, seed));
            try
            {
                using DwarfModule m = DwarfModule.Open(path);
                Exercise(m);
            }
            catch (DwarfException e)
            {
                Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
            }
            if (strategy == "truncate")
                Assert.NotNull(ElfFileCheck.Problem(path)); // what dlopen would have faulted on
            File.Delete(path);
        }
    }

    /// <summary>What the tools ask of a module: types with their members, functions, symbols, scopes and lines.</summary>
    private static void Exercise(DwarfModule m)
    {
        _ = m.Error;
        foreach (string name in new[] { "struct node", "struct table", "struct flags", "union number", "node_t" })
            if (m.FindType(name) is StructType s)
                foreach (var member in s.Members) _ = member.Type?.Name;
        Function? walk = m.FindFunction("walk");
        _ = walk?.Name;
        _ = m.FindGlobal("global_table");
        ElfSymbol? sym = m.FindSymbol("walk");
        if (sym is { } symbol)
        {
            ulong pc = symbol.Address + 4;
            _ = m.FunctionAt(pc);
            _ = m.ScopeNamesAt(pc);
            _ = m.SymbolAt(pc);
            _ = m.TryGetLine(pc, out _, out _);
        }
        _ = m.RawWalk();
    }
}
