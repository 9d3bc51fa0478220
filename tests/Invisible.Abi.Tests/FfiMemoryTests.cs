using System;
using System.Runtime.InteropServices;
using Invisible.Abi.Dwarf;
using Invisible.Abi.Ffi;
using Xunit;

namespace Invisible.Abi.Tests;

/// <summary>SafeMemory: fixture globals read and written through their DWARF types; wild pointers return false.</summary>
public sealed class FfiMemoryTests : IClassFixture<FfiFixture>
{
    private readonly FfiFixture _f;
    public FfiMemoryTests(FfiFixture f) { _f = f; }

    [Fact]
    public void GlobalsReadAndWrittenThroughDwarfTypes()
    {
        Variable counter = _f.Dwarf.FindGlobal("g_counter")!;
        Assert.Equal("int", counter.Type.ToCString());
        nint addr = _f.Addr("g_counter");
        Assert.True(SafeMemory.TryRead(addr, out int before));
        Assert.True(SafeMemory.TryWrite(addr, 1000));
        Assert.Equal(1001, _f.Call("bump", []).AsInt64());
        Assert.True(SafeMemory.TryRead(addr, out int after));
        Assert.Equal(1001, after);
        Assert.True(SafeMemory.TryWrite(addr, before));

        Assert.True(SafeMemory.TryRead(_f.Addr("g_ratio"), out double ratio));
        Assert.Equal(0.5, ratio);

        // struct fields by DWARF member offsets
        var pair = (StructType)_f.Dwarf.FindGlobal("g_pair")!.Type.Unqualified;
        Assert.True(pair.TryGetMember("b", out Member b));
        nint pa = _f.Addr("g_pair");
        Assert.True(SafeMemory.TryRead(pa + (nint)b.Offset, out int bv));
        Assert.Equal(8, bv);
        Assert.True(SafeMemory.TryWrite(pa + (nint)b.Offset, 80));
        Assert.Equal(87, _f.Call("pair_total", []).AsInt64());
        Assert.True(SafeMemory.TryWrite(pa + (nint)b.Offset, 8));

        // follow a pointer: const char *g_name
        Assert.True(SafeMemory.TryReadPointer(_f.Addr("g_name"), out nint s));
        Assert.True(SafeMemory.TryReadCString(s, out string? name));
        Assert.Equal("fixture", name);

        // a NULL pointer global: reading it works, following it does not
        Assert.True(SafeMemory.TryReadPointer(_f.Addr("g_null_ptr"), out nint np));
        Assert.Equal(0, np);
        Assert.False(SafeMemory.TryRead(np, out int _));
    }

    [Fact]
    public void BitfieldStructGlobalPassedByPointer()
    {
        var flags = (StructType)_f.Dwarf.FindGlobal("g_flags")!.Type.Unqualified;
        Assert.True(flags.TryGetMember("b", out Member b));
        Assert.Equal(3, b.BitOffset);
        Assert.Equal(5, b.BitSize);
        nint fa = _f.Addr("g_flags");
        Assert.True(SafeMemory.TryRead(fa, out uint word));
        Assert.Equal(17u, (word >> (int)b.BitOffset) & ((1u << b.BitSize) - 1));
        Assert.Equal(5 + 17 - 3 + 200, _f.Call("flags_sum", [FfiValue.FromPointer(fa)]).AsInt64());
        // the same memory viewed as a struct value (borrowed) is accepted for the pointer parameter
        Assert.Equal(219, _f.Call("flags_sum", [FfiValue.FromStruct(fa, _f.Type("struct flags"))]).AsInt64());
    }

    [Fact]
    public void WildPointersReturnFalse()
    {
        Span<byte> buf = stackalloc byte[16];
        Assert.False(SafeMemory.TryRead(0, buf));
        Assert.False(SafeMemory.TryRead(8, buf));
        Assert.False(SafeMemory.TryRead(unchecked((nint)0xdead00000000), buf));
        Assert.False(SafeMemory.TryRead(unchecked((nint)0xffffffffffff0000), buf));
        Assert.False(SafeMemory.TryRead(-1, out long _));
        Assert.False(SafeMemory.TryWrite(16, buf));
        Assert.False(SafeMemory.TryReadCString(unchecked((nint)0xdead00000000), out string? none));
        Assert.Null(none);
        Assert.False(SafeMemory.IsReadable(unchecked((nint)0xdead00000000), 1));
        Assert.True(SafeMemory.TryRead(0, Span<byte>.Empty)); // nothing to read
    }

    [Fact]
    public void ReadOnlyMemoryRefusesWrites()
    {
        nint ro = _f.Addr("g_readonly");
        Assert.True(SafeMemory.TryRead(ro, out int v));
        Assert.Equal(99, v);
        Assert.False(SafeMemory.TryWrite(ro, 1));
        Assert.True(SafeMemory.TryRead(ro, out v));
        Assert.Equal(99, v);
    }

    [Fact]
    public unsafe void StringEndingAtAnUnreadablePage()
    {
        // two pages, the second made inaccessible: a string in the last bytes of the first page is still read
        nint page = (nint)NativeMemory.AlignedAlloc(8192, 4096);
        try
        {
            Assert.Equal(0, mprotect(page + 4096, 4096, 0));
            byte* p = (byte*)page + 4096 - 4;
            p[0] = (byte)'a'; p[1] = (byte)'b'; p[2] = (byte)'c'; p[3] = 0;
            Assert.True(SafeMemory.TryReadCString((nint)p, out string? s));
            Assert.Equal("abc", s);
            p[3] = (byte)'d'; // no terminator before the bad page
            Assert.False(SafeMemory.TryReadCString((nint)p, out _));
            Assert.False(SafeMemory.IsReadable(page + 4000, 200));
            Assert.True(SafeMemory.IsReadable(page, 4096));
        }
        finally
        {
            mprotect(page + 4096, 4096, 3);
            NativeMemory.AlignedFree((void*)page);
        }
    }

    [DllImport("libc.so.6")]
    private static extern int mprotect(nint addr, nint len, int prot);
}
