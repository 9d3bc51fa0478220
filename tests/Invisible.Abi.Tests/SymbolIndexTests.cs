using System;
using System.Collections.Generic;
using System.IO;
using Invisible.Abi.Dwarf;
using Invisible.Abi.Native;
using Xunit;

namespace Invisible.Abi.Tests;

/// <summary>The sorted symbol index (Native/DwflSymbolIndex) must name every address as libdw's
/// dwfl_module_addrinfo does — libdw is the oracle; the index only makes the answer O(log n).</summary>
public sealed unsafe class SymbolIndexTests
{
    public static IEnumerable<object[]> Objects()
    {
        yield return new object[] { "/lib/x86_64-linux-gnu/libc.so.6" };          // symtab from libc6-dbg, IFUNCs, aliases
        yield return new object[] { "/lib/x86_64-linux-gnu/libstdc++.so.6" };     // dynsym only, weak C++ symbols
        yield return new object[] { "/lib/x86_64-linux-gnu/libdw.so.1" };
        yield return new object[] { "/usr/lib/gcc/x86_64-linux-gnu/12/cc1" };     // ~60k dynamic symbols
    }

    [Theory]
    [MemberData(nameof(Objects))]
    public void AgreesWithLibdwOnEveryProbedAddress(string path)
    {
        Assert.True(File.Exists(path), path + " is missing (scripts/build installs it)");
        using DwarfModule m = DwarfModule.Open(path);
        nint mod = m.Mod;
        DwflSymbolIndex index = DwflSymbolIndex.Build(mod);
        Assert.True(index.Count > 100, path + ": " + index.Count + " symbols");

        ulong start, end;
        LibDw.dwfl_module_info(mod, null, &start, &end, null, null, null, null);
        var probes = new List<ulong>();
        ulong step = Math.Max(1, (end - start) / 1500);
        for (ulong a = start; a < end; a += step) probes.Add(a);
        // Symbols' first, last and one-past-the-end bytes: where the choice among neighbours is made (a sample
        // of ~800 symbols: libdw's answer is a linear scan of the table, the reason the index exists).
        int n = LibDw.dwfl_module_getsymtab(mod);
        byte* sym = stackalloc byte[24];
        for (int i = 1; i < n; i += Math.Max(1, n / 800))
        {
            ulong addr, bias;
            uint shndx;
            nint elf;
            if (LibDw.dwfl_module_getsym_info(mod, i, sym, &addr, &shndx, &elf, &bias) == null) continue;
            ulong size = *(ulong*)(sym + 16);
            probes.Add(addr);
            if (size > 0) { probes.Add(addr + size - 1); probes.Add(addr + size); }
        }

        int mismatches = 0;
        string first = "";
        byte* gsym = stackalloc byte[24];
        foreach (ulong a in probes)
        {
            ulong off, b;
            uint sh;
            nint e;
            byte* expected = LibDw.dwfl_module_addrinfo(mod, a, &off, gsym, &sh, &e, &b);
            byte* actual = index.Lookup(a, out DwflSymbol s) ? s.Name : null;
            string exp = LibDw.Str(expected) ?? "(none)", act = LibDw.Str(actual) ?? "(none)";
            if (exp == act && (expected == null || a - off == s.Value)) continue;
            if (mismatches++ == 0) first = $"0x{a:x}: libdw {exp}, index {act}";
        }
        Assert.True(mismatches == 0, $"{path}: {mismatches} of {probes.Count} probes differ; first {first}");
    }
}
