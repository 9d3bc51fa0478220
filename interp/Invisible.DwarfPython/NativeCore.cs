using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Invisible.Abi.Dwarf;
using Invisible.Abi.Ffi;
using Invisible.Abi.Native;
using Invisible.Python.Runtime;

namespace Invisible.DwarfPython;

/// <summary>The dynamic loader and the allocator, reached the way C reaches them. Allocation goes through
/// <c>dlsym(RTLD_DEFAULT, "calloc")</c> so that a preloaded interposer (libinvisible.so) records our blocks.</summary>
internal static unsafe partial class Dl
{
    public const int RTLD_LAZY = 1, RTLD_NOW = 2, RTLD_GLOBAL = 0x100, RTLD_NOLOAD = 4;
    public static readonly nint Default = 0;

    [LibraryImport("libc.so.6", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint dlopen(string? file, int mode);

    [ThreadStatic] private static string? _refusedPath, _refusedProblem;

    /// <summary>dlopen, after checking that the file it would map is whole: a truncated ELF is SIGBUS inside the
    /// loader (<see cref="ElfFileCheck"/>), so it is refused with a message (read by <see cref="Error"/>).</summary>
    public static nint Open(string? file, int mode)
    {
        if (file is not null && (mode & RTLD_NOLOAD) == 0 && dlopen(file, mode | RTLD_NOLOAD) == 0 &&
            FileTheLoaderWouldOpen(file) is string path && ElfFileCheck.Problem(path) is string problem)
        {
            _refusedPath = path;
            _refusedProblem = problem;
            return 0;
        }
        return dlopen(file, mode);
    }

    /// <summary>The file dlopen would map for a name: the name itself when it holds a '/', else the first match in
    /// LD_LIBRARY_PATH and the default directories (a library found through ld.so.cache is a system one).</summary>
    private static string? FileTheLoaderWouldOpen(string name)
    {
        if (name.Contains('/'))
            return name;
        string? llp = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
        var dirs = new List<string>();
        if (llp is not null)
            foreach (string d in llp.Split(':', ';'))
                dirs.Add(d.Length == 0 ? "." : d);
        dirs.AddRange(new[] { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib" });
        foreach (string dir in dirs)
        {
            string candidate = System.IO.Path.Combine(dir, name);
            if (System.IO.File.Exists(candidate))
                return candidate;
        }
        return null;
    }
    [LibraryImport("libc.so.6", EntryPoint = "dlsym", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint Sym(nint handle, string name);
    [LibraryImport("libc.so.6", EntryPoint = "dlerror")]
    private static partial nint dlerror();
    [LibraryImport("libc.so.6", EntryPoint = "dlinfo")]
    private static partial int dlinfo(nint handle, int request, void* info);
    [LibraryImport("libc.so.6", EntryPoint = "dladdr")]
    private static partial int dladdr(nint address, DlInfo* info);

    [StructLayout(LayoutKind.Sequential)]
    private struct DlInfo { public nint FName, FBase, SName, SAddr; }

    /// <summary>Which file the last <see cref="Open"/> refused and why ("PATH: truncated (...)"), then cleared; or
    /// null.</summary>
    public static string? TakeRefusal()
    {
        string? refused = _refusedPath is null ? null : _refusedPath + ": " + _refusedProblem;
        _refusedPath = _refusedProblem = null;
        return refused;
    }

    /// <summary>Why the last <see cref="Open"/> failed: its refusal of the file it was given, or dlerror().</summary>
    public static string Error()
    {
        string? refused = _refusedProblem;
        _refusedPath = _refusedProblem = null;
        return refused ?? Marshal.PtrToStringUTF8(dlerror()) ?? "unknown dlopen error";
    }

    /// <summary>Path of the object a handle names (link_map l_name).</summary>
    public static string? PathOf(nint handle)
    {
        nint lm = 0;
        if (dlinfo(handle, 2 /* RTLD_DI_LINKMAP */, &lm) != 0 || lm == 0) return null;
        nint name = *(nint*)(lm + 8);
        return name == 0 ? null : Marshal.PtrToStringUTF8(name);
    }

    /// <summary>Object file and nearest symbol of an address.</summary>
    public static bool Addr(nint address, out string? file, out string? symbol, out nint symbolAddress)
    {
        DlInfo i;
        if (dladdr(address, &i) == 0) { file = symbol = null; symbolAddress = 0; return false; }
        file = i.FName == 0 ? null : Marshal.PtrToStringUTF8(i.FName);
        symbol = i.SName == 0 ? null : Marshal.PtrToStringUTF8(i.SName);
        symbolAddress = i.SAddr;
        return true;
    }

    private static delegate* unmanaged<nuint, nuint, nint> _calloc;
    private static delegate* unmanaged<nint, void> _free;

    public static nint Calloc(long size)
    {
        if (_calloc == null)
        {
            _calloc = (delegate* unmanaged<nuint, nuint, nint>)Sym(Default, "calloc");
            _free = (delegate* unmanaged<nint, void>)Sym(Default, "free");
        }
        nint p = _calloc(1, (nuint)Math.Max(size, 1));
        if (p == 0) throw Ops.MemoryError();
        return p;
    }

    public static void Free(nint p)
    {
        if (p != 0 && _free != null) _free(p);
    }
}

/// <summary>A heap block that Python allocated (<c>c.struct.stat()</c>): freed when no Python object refers to
/// it any more. Its DWARF type is kept in <see cref="HeapView"/>'s metadata so the census knows it exactly.</summary>
internal sealed class Allocation
{
    public readonly nint Address;
    public readonly long Size;
    public readonly CType Type;
    public readonly long Count;

    public Allocation(CType type, long count, long size)
    {
        Size = size;
        Type = type;
        Count = count;
        Address = HeapView.AllocateForProgram(size);
        HeapView.Describe(Address, type, count, size);
    }

    ~Allocation()
    {
        HeapView.Forget(Address);
        TiedStorage.Forget(Address);
        HeapView.FreeForProgram(Address);
    }
}

/// <summary>Memory access that never crashes the host: memory we own is touched directly, anything else through
/// <see cref="SafeMemory"/> (process_vm_readv/writev), and a bad address becomes <c>process.FaultError</c>.</summary>
internal static unsafe class Mem
{
    private static PyType? _fault;

    public static PyType FaultErrorType => _fault ??= new PyType("FaultError", PyBaseException.ExceptionType, null) { ModuleName = "process" };

    public static PyException Fault(nint address, long size, bool write) =>
        Ops.Exc(FaultErrorType, "Cannot " + (write ? "write" : "access") + " memory at address 0x" + ((ulong)address).ToString("x") +
                (size > 1 ? " (" + size + " bytes)" : ""));

    public static void Read(nint address, Span<byte> dst, bool trusted)
    {
        if (trusted) { new ReadOnlySpan<byte>((void*)address, dst.Length).CopyTo(dst); return; }
        BlockChecks.NotFreed(address, write: false);
        if (!SafeMemory.TryRead(address, dst)) throw Fault(address, dst.Length, false);
    }

    public static void Write(nint address, ReadOnlySpan<byte> src, bool trusted)
    {
        if (trusted) { src.CopyTo(new Span<byte>((void*)address, src.Length)); return; }
        BlockChecks.NotFreed(address, write: true);
        if (!SafeMemory.TryWrite(address, src)) throw Fault(address, src.Length, true);
    }

    /// <summary>Up to 8 bytes, zero-extended.</summary>
    public static ulong ReadBits(nint address, int size, bool trusted)
    {
        ulong v = 0;
        Read(address, new Span<byte>(&v, size), trusted);
        return v;
    }

    public static void WriteBits(nint address, int size, ulong value, bool trusted) =>
        Write(address, new ReadOnlySpan<byte>(&value, size), trusted);

    public static nint ReadPointer(nint address, bool trusted) => (nint)ReadBits(address, 8, trusted);
}

/// <summary>Python attributes added to native objects (paper §2.4 "tied storage"): kept beside the object,
/// keyed by its address, dropped when a block we allocated is freed.</summary>
internal static class TiedStorage
{
    private static readonly Dictionary<nint, PyDict> Dicts = new();

    public static PyDict? Get(nint address, bool create)
    {
        lock (Dicts)
        {
            if (Dicts.TryGetValue(address, out PyDict? d)) return d;
            if (!create) return null;
            d = new PyDict();
            Dicts[address] = d;
            return d;
        }
    }

    public static void Forget(nint address)
    {
        lock (Dicts) Dicts.Remove(address);
    }
}

/// <summary>Helpers over the DWARF type model.</summary>
internal static class CTypes
{
    public static CType Strip(CType t) => t.Unqualified;

    /// <summary>True when a const qualifier appears before the first non-typedef, non-qualifier type.</summary>
    public static bool IsConst(CType t)
    {
        for (int guard = 0; guard < 64; guard++)
        {
            if (t is QualifiedType q) { if (q.IsConst) return true; t = q.Target; }
            else if (t is TypedefType td) t = td.Target;
            else return false;
        }
        return false;
    }

    public static bool IsCharLike(CType t) =>
        Strip(t) is BaseType b && b.Size == 1 && (b.Encoding is BaseEncoding.SignedChar or BaseEncoding.UnsignedChar ||
                                                  b.Name is "char" or "signed char" or "unsigned char");

    public static bool IsAggregate(CType t) => Strip(t) is StructType;

    /// <summary>"int *", "struct node *", "char (*)[16]".</summary>
    public static string PointerTo(CType target) =>
        Strip(target) is ArrayType || Strip(target) is FunctionType ? target.ToCString("(*)") : target.ToCString("*");

    /// <summary>Name used to compare types across units: C spelling without qualifiers.</summary>
    public static string Key(CType t)
    {
        CType s = Strip(t);
        if (s is PointerType p) return Key(p.Target) + "*";
        if (s is ArrayType a) return Key(a.Element) + "[" + a.Count + "]";
        return s.ToCString();
    }

    /// <summary>Can a pointer to <paramref name="have"/> be passed where a pointer to <paramref name="want"/> is expected?</summary>
    public static bool PointeeCompatible(CType want, CType have)
    {
        CType w = Strip(want), h = Strip(have);
        if (w is VoidType || h is VoidType) return true;
        if (ReferenceEquals(w, h)) return true;
        if (IsCharLike(w) && IsCharLike(h)) return true;
        if (w is BaseType wb && h is BaseType hb) return wb.Size == hb.Size && wb.IsFloat == hb.IsFloat && wb.IsSigned == hb.IsSigned;
        if (w is StructType ws && h is StructType hs)
            return ws.Keyword == hs.Keyword && (ws.Tag == hs.Tag && ws.Tag != null || SameLayout(ws, hs));
        if (w is EnumType we && h is EnumType he) return we.Tag == he.Tag;
        if (w is PointerType wp && h is PointerType hp) return PointeeCompatible(wp.Target, hp.Target);
        return Key(w) == Key(h);
    }

    /// <summary>Layout-compatible aggregates (glibc's <c>struct stat</c> / <c>struct stat64</c> on x86-64): same size,
    /// same member names at the same offsets with the same sizes.</summary>
    public static bool SameLayout(StructType a, StructType b)
    {
        if (a.Size != b.Size || a.Size <= 0) return false;
        var ma = a.Members; var mb = b.Members;
        if (ma.Count != mb.Count || ma.Count == 0) return false;
        for (int i = 0; i < ma.Count; i++)
            if (ma[i].Name != mb[i].Name || ma[i].BitOffset != mb[i].BitOffset || ma[i].BitSize != mb[i].BitSize || ma[i].Type.Size != mb[i].Type.Size) return false;
        return true;
    }

    public static FunctionType? FunctionPointee(CType t) => Strip(t) is PointerType p && Strip(p.Target) is FunctionType f ? f : null;
}
