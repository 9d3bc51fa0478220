using System;
using System.Linq;
using Invisible.Abi.Dwarf;
using Xunit;

namespace Invisible.Abi.Tests;

public sealed class LibcFixture : IDisposable
{
    public ProcessImage Image { get; } = ProcessImage.ForCurrentProcess();
    public DwarfModule Libc => Image.FindModule("libc.so.6")!;
    public void Dispose() => Image.Dispose();
}

public sealed class LibcTests : IClassFixture<LibcFixture>
{
    private readonly LibcFixture _f;
    public LibcTests(LibcFixture f) { _f = f; }

    [Fact]
    public void StructStatFromLibc6Dbg()
    {
        DwarfModule libc = _f.Libc;
        Assert.True(libc.HasDwarf, libc.Error);
        // libc6-dbg's file, or the uncompressed copy of it that an earlier process left in the cache (DebugFileCache)
        string cached = (DebugFileCache.Root ?? "/nonexistent") + "/.build-id/";
        Assert.True(libc.DebugFile!.StartsWith("/usr/lib/debug/.build-id/", StringComparison.Ordinal) ||
                    libc.DebugFile.StartsWith(cached, StringComparison.Ordinal), libc.DebugFile);
        var st = Assert.IsType<StructType>(libc.FindType("struct stat"));
        Assert.Equal(144, st.Size);
        Assert.True(st.TryGetMember("st_size", out Member size));
        Assert.Equal(48, size.Offset);
        Assert.Equal("__off_t", size.Type.ToCString());
        Assert.Equal(8, size.Type.Size);
        Assert.True(st.TryGetMember("st_mtim", out Member mt));
        Assert.Equal(88, mt.Offset);
        Assert.Equal("struct timespec", mt.Type.ToCString());
    }

    [Fact]
    public void LibcFunctionAtQsortAndSignature()
    {
        DwarfModule libc = _f.Libc;
        Function q = libc.FindFunction("qsort")!;
        Assert.Equal("void qsort(void *b, size_t n, size_t s, __compar_fn_t cmp)", q.Prototype);
        Assert.Same(q, libc.FunctionAt(q.EntryPc));
        Assert.Same(q, _f.Image.FunctionAt(q.EntryPc + libc.Bias));
        Assert.True(libc.TryGetLine(q.EntryPc, out string? file, out int line));
        Assert.Equal("./stdlib/msort.c", file);
        Assert.Equal(307, line);
    }

    [Fact]
    public void ArrayBoundsAreReadUnsigned()
    {
        // DW_FORM_data1/data2 bounds are unsigned (C's index type is sizetype): d_name's upper bound 255 once read
        // as the signed byte -1 gave every char[256] length 0.
        DwarfModule libc = _f.Libc;
        var dirent = Assert.IsType<StructType>(libc.FindType("struct dirent"));
        Assert.True(dirent.TryGetMember("d_name", out Member name));
        Assert.Equal("char[256]", name.Type.ToCString());
        Assert.Equal(256, name.Type.Size);
        Assert.Equal(280, dirent.Size);
    }
}
