using System;
using System.Runtime.InteropServices;
using System.Text;
using Invisible.Abi.Dwarf;
using Invisible.Abi.Ffi;
using Xunit;

namespace Invisible.Abi.Tests;

/// <summary>libc/libm of the test process, signatures from libc6-dbg's DWARF where it has them, else from text.</summary>
public sealed class FfiLibcFixture : IDisposable
{
    public FfiLibcFixture()
    {
        Image = ProcessImage.ForCurrentProcess();
        LibcHandle = NativeLibrary.Load("libc.so.6");
        LibmHandle = NativeLibrary.Load("libm.so.6");
        Libc = Image.FindModule("libc.so.6")!;
        Libm = Image.FindModule("libm.so.6")!;
    }
    public ProcessImage Image { get; }
    public DwarfModule Libc { get; }
    public DwarfModule Libm { get; }
    public nint LibcHandle { get; }
    public nint LibmHandle { get; }
    public nint Libc_(string sym) => NativeLibrary.GetExport(LibcHandle, sym);
    public FfiSignature Sig(string fn) => FfiSignature.For(Libc.FindFunction(fn) ?? throw new InvalidOperationException("no DWARF for " + fn));
    public FfiValue Call(string fn, ReadOnlySpan<FfiValue> args) => FfiCall.Invoke(Libc_(fn), Sig(fn), args);
    public void Dispose() => Image.Dispose();
}

public sealed unsafe class FfiLibcTests : IClassFixture<FfiLibcFixture>
{
    private readonly FfiLibcFixture _f;
    public FfiLibcTests(FfiLibcFixture f) { _f = f; }

    [Fact]
    public void Strlen()
    {
        Assert.Equal("size_t strlen(const char *)", _f.Sig("strlen").ToString());
        Assert.Equal(10UL, _f.Call("strlen", ["hello, ffi"]).AsUInt64());
        Assert.Equal(0UL, _f.Call("strlen", [""]).AsUInt64());
        Assert.Equal(12UL, _f.Call("strlen", ["naïve café"]).AsUInt64()); // UTF-8 bytes
        Assert.Equal(100000UL, _f.Call("strlen", [new string('q', 100000)]).AsUInt64());
        var e = Assert.Throws<FfiException>(() => _f.Call("strlen", [42.0]));
        Assert.Equal("argument 1: expected str or a pointer, got float", e.Message);
        e = Assert.Throws<FfiException>(() => _f.Call("strlen", ["a", "b"]));
        Assert.Equal("strlen() takes 1 argument (2 given)", e.Message);
    }

    [Fact]
    public void SnprintfIsVariadic()
    {
        FfiSignature s = _f.Sig("snprintf");
        Assert.Equal("int __snprintf(char *s, size_t maxlen, const char *format, ...)", s.ToString());
        byte[] buf = new byte[128];
        long n = FfiCall.Invoke(_f.Libc_("snprintf"), s,
            [FfiValue.FromBytes(buf), 128, "%s|%5d|%-4s|%.3f|%lld|%c|%x|%u", "ffi", 42, "ab", Math.PI, -9000000000L, 'Z', 255, 4000000000u]).AsInt64();
        string text = Encoding.UTF8.GetString(buf, 0, (int)n);
        Assert.Equal("ffi|   42|ab  |3.142|-9000000000|Z|ff|4000000000", text);
        // truncation: the return value is the full length
        byte[] small = new byte[4];
        Assert.Equal(11, FfiCall.Invoke(_f.Libc_("snprintf"), s, [FfiValue.FromBytes(small), 4, "%ld", 12345678901L]).AsInt64());
        Assert.Equal("123\0", Encoding.ASCII.GetString(small));
        var e = Assert.Throws<FfiException>(() => FfiCall.Invoke(_f.Libc_("snprintf"), s, [FfiValue.FromBytes(buf), "128", "%d"]));
        Assert.Equal("argument 2 (maxlen): expected an integer, got str", e.Message);
    }

    [Fact]
    public void QsortAndBsearchWithManagedComparator()
    {
        Function qsort = _f.Libc.FindFunction("qsort")!;
        var cmpType = (FunctionType)((PointerType)qsort.Type.Parameters[3].Unqualified).Target.Unqualified;
        Assert.Equal("int(const void *, const void *)", cmpType.ToCString());
        int calls = 0;
        using FfiClosure cmp = FfiClosure.Create(cmpType, a =>
        {
            calls++;
            Assert.True(SafeMemory.TryRead(a[0].Address, out int x));
            Assert.True(SafeMemory.TryRead(a[1].Address, out int y));
            return x.CompareTo(y);
        });
        int[] xs = { 5, 3, 9, -1, 0, 7, 3, int.MinValue, int.MaxValue };
        fixed (int* p = xs)
        {
            Assert.True(_f.Call("qsort", [FfiValue.FromPointer(p), xs.Length, 4, cmp.ToValue()]).IsNone);
            Assert.Equal(new[] { int.MinValue, -1, 0, 3, 3, 5, 7, 9, int.MaxValue }, xs);
            Assert.True(calls >= xs.Length - 1);

            int key = 7;
            FfiValue hit = _f.Call("bsearch", [FfiValue.FromPointer(&key), FfiValue.FromPointer(p), xs.Length, 4, cmp.ToValue()]);
            Assert.Equal((nint)(p + 6), hit.Address);
            key = 8;
            Assert.Equal(0, _f.Call("bsearch", [FfiValue.FromPointer(&key), FfiValue.FromPointer(p), xs.Length, 4, cmp.ToValue()]).Address);
        }
        var e = Assert.Throws<FfiException>(() => _f.Call("qsort", [FfiValue.None, "3", 4, cmp.ToValue()]));
        Assert.Equal("argument 2 (n): expected an integer, got str", e.Message);
        e = Assert.Throws<FfiException>(() => _f.Call("qsort", [FfiValue.None, -1, 4, cmp.ToValue()]));
        Assert.Equal("argument 2 (n): -1 out of range for size_t", e.Message);
    }

    [Fact]
    public void AbsLabsAndDivStructReturn()
    {
        Assert.Equal(5, _f.Call("abs", [-5]).AsInt64());
        Assert.Equal(9000000000L, _f.Call("labs", [-9000000000L]).AsInt64());
        var e = Assert.Throws<FfiException>(() => _f.Call("abs", [-9000000000L]));
        Assert.Equal("argument 1 (i): -9000000000 out of range for int", e.Message);

        Assert.Equal("div_t div(int numer, int denom)", _f.Sig("div").ToString());
        FfiValue d = _f.Call("div", [17, 5]);
        Assert.Equal("div_t", d.StructType!.Name);
        Assert.Equal(8, d.StructType.Size);
        var qr = MemoryMarshal.Read<(int, int)>(d.StructBytes);
        Assert.Equal((3, 2), qr);
        FfiValue ld = _f.Call("ldiv", [-17000000000L, 5]);
        Assert.Equal(16, ld.StructType!.Size);
        Assert.Equal((-3400000000L, 0L), MemoryMarshal.Read<(long, long)>(ld.StructBytes));
        FfiValue ld2 = _f.Call("ldiv", [-17, 5]);
        Assert.Equal((-3L, -2L), MemoryMarshal.Read<(long, long)>(ld2.StructBytes));
    }

    [Fact]
    public void StrtolWritesThroughAnOutPointer()
    {
        using NativeBlock end = NativeBlock.Allocate(8);
        FfiSignature s = _f.Sig("strtol");
        Assert.Equal("long int __strtol(const char *nptr, char **endptr, int base)", s.ToString());
        nint text = Marshal.StringToCoTaskMemUTF8("  -1234xyz");
        try
        {
            Assert.Equal(-1234, FfiCall.Invoke(_f.Libc_("strtol"), s, [FfiValue.FromPointer(text), FfiValue.FromPointer(end.Address), 10]).AsInt64());
            Assert.True(SafeMemory.TryReadPointer(end.Address, out nint rest));
            Assert.Equal(text + 7, rest);
            Assert.True(SafeMemory.TryReadCString(rest, out string? tail));
            Assert.Equal("xyz", tail);
        }
        finally { Marshal.FreeCoTaskMem(text); }
    }

    [Fact]
    public void LibmFromDwarfAndFromSignatureStrings()
    {
        // log2/pow have only (versioned) ELF symbols in libm's debug info lookup: use signature strings
        nint log2 = NativeLibrary.GetExport(_f.LibmHandle, "log2");
        nint pow = NativeLibrary.GetExport(_f.LibmHandle, "pow");
        Assert.Equal(10.0, FfiCall.Invoke(log2, FfiSignature.Parse("double log2(double)"), [1024.0]).AsDouble());
        Assert.Equal(-1.0, FfiCall.Invoke(log2, FfiSignature.Parse("d:d"), [0.5]).AsDouble());
        Assert.Equal(81.0, FfiCall.Invoke(pow, FfiSignature.Parse("double pow(double x, double y)"), [3, 4]).AsDouble());
        Assert.Equal(Math.Pow(2, 0.5), FfiCall.Invoke(pow, FfiSignature.Parse("d:dd"), [2, 0.5]).AsDouble());
        Assert.Equal(0.125, FfiCall.Invoke(pow, FfiSignature.Parse("d:dd"), [2, -3]).AsDouble());
        // sqrt and ldexp do have DWARF (as __sqrt, __ldexp)
        Function sqrt = _f.Libm.FindFunction("sqrt")!;
        Assert.Equal(1.5, FfiCall.Invoke(NativeLibrary.GetExport(_f.LibmHandle, "sqrt"), FfiSignature.For(sqrt), [2.25]).AsDouble());
        Function ldexp = _f.Libm.FindFunction("ldexp")!;
        Assert.Equal(12.0, FfiCall.Invoke(NativeLibrary.GetExport(_f.LibmHandle, "ldexp"), FfiSignature.For(ldexp), [0.75, 4]).AsDouble());
    }
}
