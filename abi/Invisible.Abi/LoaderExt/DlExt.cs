using System;
using System.Runtime.InteropServices;

namespace Invisible.Abi.LoaderExt;

/// <summary>
/// The loader-extension API (loader-ext/include/dlext.h), bound lazily with <c>dlsym(RTLD_DEFAULT, ..)</c>.
/// It is exported by libinvisible.so, which is present only when the process was started with it preloaded
/// (<c>invisible run</c>, or <c>LD_PRELOAD=build/lib/libinvisible.so</c>). It is never dlopen()ed here: loading
/// libinvisible.so mid-process would start its malloc interposers on a heap they did not see grow.
/// Without it, <see cref="Available"/> is false and <see cref="Reason"/> says why; callers degrade to no stubs.
/// </summary>
public static unsafe class DlExt
{
    public const uint Code = 0x4;
    public const byte SttFunc = 2;

    private static int _state; // 0 = not tried, 1 = bound, -1 = unavailable
    private static delegate* unmanaged<byte*, nint> _dlcreate;
    private static delegate* unmanaged<nint, nuint, uint, nint> _dlalloc;
    private static delegate* unmanaged<nint, nint, nint> _dlwriteptr;
    private static delegate* unmanaged<nint, byte*, nint, nuint, byte, byte*, nuint, nint> _dlbindcfi;
    private static delegate* unmanaged<byte*> _dlexterror;

    public static string Reason { get; private set; } = "not initialized";

    public static bool Available
    {
        get
        {
            if (_state == 0) Bind();
            return _state > 0;
        }
    }

    private static void Bind()
    {
        nint create = Sym("dlcreate"), alloc = Sym("dlalloc"), wp = Sym("dlwriteptr"),
             bcfi = Sym("dlbindcfi"), err = Sym("dlexterror");
        if (create == 0 || alloc == 0 || wp == 0 || bcfi == 0 || err == 0)
        {
            Reason = "dlcreate not found (libinvisible.so is not preloaded; run under `invisible run` or LD_PRELOAD=build/lib/libinvisible.so)";
            _state = -1;
            return;
        }
        _dlcreate = (delegate* unmanaged<byte*, nint>)create;
        _dlalloc = (delegate* unmanaged<nint, nuint, uint, nint>)alloc;
        _dlwriteptr = (delegate* unmanaged<nint, nint, nint>)wp;
        _dlbindcfi = (delegate* unmanaged<nint, byte*, nint, nuint, byte, byte*, nuint, nint>)bcfi;
        _dlexterror = (delegate* unmanaged<byte*>)err;
        Reason = "libinvisible.so loader extension";
        _state = 1;
    }

    private static nint Sym(string name)
    {
        byte* s = stackalloc byte[64];
        Ascii(name, s, 64);
        return Libc.dlsym(0, s);
    }

    private static void Ascii(string s, byte* dst, int cap)
    {
        int n = Math.Min(s.Length, cap - 1);
        for (int i = 0; i < n; i++) dst[i] = (byte)s[i];
        dst[n] = 0;
    }

    private static byte[] Utf8Z(string s)
    {
        int n = System.Text.Encoding.UTF8.GetByteCount(s);
        var b = new byte[n + 1];
        System.Text.Encoding.UTF8.GetBytes(s, 0, s.Length, b, 0);
        return b;
    }

    /// <summary>Last dlext error message of this thread (cleared by reading).</summary>
    public static string LastError()
    {
        if (_state <= 0) return Reason;
        byte* e = _dlexterror();
        return e == null ? "unknown error" : Marshal.PtrToStringUTF8((nint)e) ?? "unknown error";
    }

    public static nint Create(string name)
    {
        fixed (byte* p = Utf8Z(name)) return _dlcreate(p);
    }

    public static nint Alloc(nint h, int size) => _dlalloc(h, (nuint)size, Code);

    public static nint WritePtr(nint h, nint code) => _dlwriteptr(h, code);

    /// <summary>dlbindcfi: an STT_FUNC with exact call-frame instructions (see <see cref="StubCode"/>). Entry points for a
    /// calling convention are bound under dldsym's stable name "sym$ns$token" so that dldsym(h, sym, token, ns) finds them.</summary>
    public static nint BindCfi(nint h, string sym, nint addr, int size, ReadOnlySpan<byte> cfi)
    {
        fixed (byte* s = Utf8Z(sym))
        fixed (byte* c = cfi)
            return _dlbindcfi(h, s, addr, (nuint)size, SttFunc, cfi.Length == 0 ? null : c, (nuint)cfi.Length);
    }

}

/// <summary>The few libc entry points the loader-extension binding needs (pointer-only signatures, no marshalling).</summary>
internal static unsafe partial class Libc
{
    [LibraryImport("libc")]
    internal static partial nint dlsym(nint handle, byte* name);

    [LibraryImport("libc")]
    internal static partial nint dlopen(byte* file, int mode);

    [LibraryImport("libc")]
    internal static partial int dladdr(nint addr, DlInfo* info);

    [StructLayout(LayoutKind.Sequential)]
    internal struct DlInfo
    {
        public nint FName;
        public nint FBase;
        public nint SName;
        public nint SAddr;
    }
}
