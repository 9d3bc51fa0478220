using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Invisible.Abi.Symbolization;
using Xunit;

namespace Invisible.Abi.Tests;

public sealed unsafe class SymbolizerTests
{
    private static readonly Lazy<ProcessSymbolizer> Sym = new(ProcessSymbolizer.ForCurrentProcess);

    /// <summary>tests/fixtures/lib/symfix.c built -g at -O0 or -O2 (libsymfix-o0.so, libsymfix-o2.so).</summary>
    private static nint LoadFixture(string name) => NativeLibrary.Load(Fixtures.Library(name));

    [Fact]
    public void LibcQsortResolvesThroughLibc6Dbg()
    {
        nint libc = NativeLibrary.Load("libc.so.6");
        ulong qsort = (ulong)NativeLibrary.GetExport(libc, "qsort");
        IReadOnlyList<SourceFrame> frames = Sym.Value.Symbolize(qsort, isReturnAddress: false);
        Assert.Single(frames);
        SourceFrame f = frames[0];
        Assert.True(f.Function == "qsort", f.ToString() + " / " + Sym.Value.InitError);
        Assert.Equal("./stdlib/msort.c", f.File);
        Assert.Equal(307, f.Line);
        Assert.EndsWith("/libc.so.6", f.Module, StringComparison.Ordinal);
        Assert.Equal(0x3ffd0UL, f.ModuleOffset);
        Assert.False(f.IsInlined);
    }

    [Fact]
    public void DlopenedFixtureWithInlinedFrames()
    {
        nint h = LoadFixture("libsymfix-o2.so");
        var outer = (delegate* unmanaged<int, nuint>)NativeLibrary.GetExport(h, "sym_outer");
        ulong ret = outer(5);
        IReadOnlyList<SourceFrame> frames = Sym.Value.Symbolize(ret, isReturnAddress: true);
        Assert.True(frames.Count == 2, string.Join(" | ", frames));
        Assert.Equal("sym_inner", frames[0].Function);
        Assert.True(frames[0].IsInlined);
        Assert.Equal(Fixtures.Source("symfix.c"), frames[0].File);
        Assert.Equal(Fixtures.Mark("symfix.c", "inner_call"), frames[0].Line);
        Assert.Equal("sym_outer", frames[1].Function);
        Assert.False(frames[1].IsInlined);
        Assert.Equal(Fixtures.Source("symfix.c"), frames[1].File);
        Assert.Equal(Fixtures.Mark("symfix.c", "outer_call"), frames[1].Line);
        Assert.All(frames, f => Assert.Equal(ret, f.Address));
        Assert.All(frames, f => Assert.EndsWith("libsymfix-o2.so", f.Module, StringComparison.Ordinal));
        // Cached: same array the second time.
        Assert.Same(frames, Sym.Value.Symbolize(ret, isReturnAddress: true));
    }

    [Fact]
    public void DlopenedFixtureO0()
    {
        nint h = LoadFixture("libsymfix-o0.so");
        ulong plain = (ulong)NativeLibrary.GetExport(h, "sym_plain");
        var outer = (delegate* unmanaged<int, nuint>)NativeLibrary.GetExport(h, "sym_outer");
        ulong ret = outer(1);
        IReadOnlyList<SourceFrame> frames = Sym.Value.Symbolize(ret, isReturnAddress: true);
        // always_inline still inlines at -O0.
        Assert.Equal(new[] { "sym_inner", "sym_outer" }, new[] { frames[0].Function, frames[1].Function });
        Assert.Equal(Fixtures.Mark("symfix.c", "inner_call"), frames[0].Line);
        IReadOnlyList<SourceFrame> p = Sym.Value.Symbolize(plain, isReturnAddress: false);
        Assert.Single(p);
        Assert.Equal("sym_plain", p[0].Function);
        Assert.Equal(Fixtures.Mark("symfix.c", "plain_body") - 1, p[0].Line); // -O0 entry pc is on the line of the opening brace
    }

    [Fact]
    public void NoDwarfFallsBackToElfSymbols()
    {
        string so = Fixtures.Library("libnodwarf.so");
        nint h = NativeLibrary.Load(so);
        ulong fn = (ulong)NativeLibrary.GetExport(h, "nodwarf_function");
        IReadOnlyList<SourceFrame> frames = Sym.Value.Symbolize(fn + 1, isReturnAddress: false);
        Assert.Single(frames);
        Assert.Equal("nodwarf_function", frames[0].Function);
        Assert.Null(frames[0].File);
        Assert.Equal(0, frames[0].Line);
        Assert.EndsWith("libnodwarf.so", frames[0].Module, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownAddressGivesOneNullFrame()
    {
        IReadOnlyList<SourceFrame> frames = Sym.Value.Symbolize(0x10, isReturnAddress: true);
        Assert.Single(frames);
        Assert.Equal("", frames[0].Module);
        Assert.Null(frames[0].Function);
        Assert.Null(frames[0].File);
        Assert.Equal(0x10UL, frames[0].Address);
    }

    [Fact]
    public void OtherProcessByPid()
    {
        using var child = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
        try
        {
            System.Threading.Thread.Sleep(100);
            using ProcessSymbolizer s = ProcessSymbolizer.ForProcess(child.Id);
            Assert.Null(s.InitError);
            // libc is mapped at the same base in a child? Not necessarily: find it through the child's maps.
            ulong libcBase = 0;
            foreach (string line in System.IO.File.ReadAllLines("/proc/" + child.Id + "/maps"))
                if (line.EndsWith("/libc.so.6", StringComparison.Ordinal) && line.Contains(" 00000000 ", StringComparison.Ordinal))
                {
                    libcBase = Convert.ToUInt64(line.Substring(0, line.IndexOf('-')), 16);
                    break;
                }
            Assert.NotEqual(0UL, libcBase);
            IReadOnlyList<SourceFrame> f = s.Symbolize(libcBase + 0x3ffd0, false);
            Assert.Equal("qsort", f[0].Function);
            Assert.Equal(0x3ffd0UL, f[0].ModuleOffset);
        }
        finally { child.Kill(); }
    }
}
