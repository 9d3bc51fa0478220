using System;
using System.IO;
using System.Linq;
using Invisible.Abi.Dwarf;
using Xunit;

namespace Invisible.Abi.Tests;

public sealed class CorruptionTests
{
    private static string Good() => Fixtures.Library("libtypes-o0.so");

    private static (long Offset, long Size) Section(string file, string name)
    {
        foreach (string line in Fixtures.Run("readelf", "-S -W " + file).Split('\n'))
        {
            string[] f = line.Replace("[ ", "[").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int i = Array.IndexOf(f, name);
            if (i < 0) continue;
            return (Convert.ToInt64(f[i + 3], 16), Convert.ToInt64(f[i + 4], 16));
        }
        throw new InvalidOperationException(name + " not in " + file);
    }

    private static string Corrupt(string name, string section, byte fill, long skip = 0)
    {
        string dst = Path.Combine(Fixtures.TempDir, name);
        File.Copy(Good(), dst, true);
        (long off, long size) = Section(dst, section);
        byte[] b = File.ReadAllBytes(dst);
        for (long i = off + skip; i < off + size; i++) b[i] = fill;
        File.WriteAllBytes(dst, b);
        return dst;
    }

    [Fact]
    public void TruncatedElfGivesClearError()
    {
        string dst = Path.Combine(Fixtures.TempDir, "truncated.so");
        byte[] all = File.ReadAllBytes(Good());
        File.WriteAllBytes(dst, all.AsSpan(0, 100).ToArray());
        var e = Assert.Throws<DwarfException>(() => DwarfModule.Open(dst));
        Assert.Equal(dst + ": not a readable ELF object: truncated: program headers end at 568 but the file has 100 bytes", e.Message);
        Assert.False(DwarfModule.TryOpen(dst, out DwarfModule? m, out string? err));
        Assert.Null(m);
        Assert.Equal(e.Message, err);
    }

    [Fact]
    public void GarbageAndMissingFiles()
    {
        string dst = Path.Combine(Fixtures.TempDir, "garbage.so");
        var rnd = new Random(7);
        byte[] junk = new byte[4096];
        rnd.NextBytes(junk);
        File.WriteAllBytes(dst, junk);
        var e = Assert.Throws<DwarfException>(() => DwarfModule.Open(dst));
        Assert.Equal(dst + ": not a readable ELF object: no ELF magic", e.Message);
        var e2 = Assert.Throws<DwarfException>(() => DwarfModule.Open("/nonexistent/x.so"));
        Assert.Equal("/nonexistent/x.so: no such file", e2.Message);
    }

    [Fact]
    public void CorruptDebugInfoKeepsElfSymbolsWorking()
    {
        string dst = Corrupt("bad-info.so", ".debug_info", 0xff);
        using DwarfModule m = DwarfModule.Open(dst);
        Assert.Null(m.FindType("struct node"));
        Assert.NotNull(m.Error);
        Assert.Contains(dst + ": ", m.Error, StringComparison.Ordinal);
        ElfSymbol? add = m.FindSymbol("add");
        Assert.NotNull(add);
        Assert.Equal("add", m.SymbolAt(add!.Value.Address + 1)!.Value.Name);
    }

    [Fact]
    public void CorruptAbbrevsInOneUnitGiveErrorNotCrash()
    {
        string dst = Corrupt("bad-abbrev.so", ".debug_abbrev", 0x7f, skip: 8);
        using DwarfModule m = DwarfModule.Open(dst);
        // Whatever libdw can still decode, nothing throws and nothing crashes.
        CType? t = m.FindType("struct node");
        if (t is StructType s) _ = s.Members.Count;
        _ = m.FunctionAt(m.FindSymbol("walk")!.Value.Address);
        Assert.NotNull(m.FindSymbol("walk"));
    }

    [Fact]
    public void GoodModuleStillWorksNextToBadOnes()
    {
        string bad = Corrupt("bad-info2.so", ".debug_info", 0x00);
        using DwarfModule b = DwarfModule.Open(bad);
        using DwarfModule g = DwarfModule.Open(Good());
        Assert.Equal(56, g.FindType("struct node")!.Size);
        Assert.Null(b.FindType("struct node"));
    }
}
