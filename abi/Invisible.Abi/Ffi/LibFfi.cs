using System;
using System.Runtime.InteropServices;

namespace Invisible.Abi.Ffi;

/// <summary>Mirror of libffi's <c>ffi_type</c> (24 bytes on x86-64).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FfiTypeNative
{
    public nuint Size;
    public ushort Alignment;
    public ushort Type;
    public FfiTypeNative** Elements;
}

/// <summary>Mirror of libffi's <c>ffi_cif</c> (32 bytes on x86-64).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FfiCif
{
    public int Abi;
    public uint NArgs;
    public FfiTypeNative** ArgTypes;
    public FfiTypeNative* RType;
    public uint Bytes;
    public uint Flags;
}

/// <summary>P/Invoke surface of libffi 3.4 (libffi.so.8). Pointer-only signatures: no marshalling, NativeAOT-safe.
/// Layouts are libffi 3.4's on x86-64 (ffi.h: FFI_UNIX64 = 2, sizeof(ffi_closure) = 56, ffi_cif and ffi_type
/// as declared above), checked against the installed header when this binding was written.</summary>
internal static unsafe partial class LibFfi
{
    internal const string Lib = "libffi.so.8";
    internal const int DefaultAbi = 2;          // FFI_UNIX64
    internal const int ClosureSize = 56;        // sizeof(ffi_closure)
    internal const int StatusOk = 0;

    // FFI_TYPE_* codes
    internal const ushort TVoid = 0, TInt = 1, TFloat = 2, TDouble = 3, TLongDouble = 4, TUInt8 = 5, TSInt8 = 6, TUInt16 = 7,
        TSInt16 = 8, TUInt32 = 9, TSInt32 = 10, TUInt64 = 11, TSInt64 = 12, TStruct = 13, TPointer = 14, TComplex = 15;

    [LibraryImport(Lib)] internal static partial int ffi_prep_cif(FfiCif* cif, int abi, uint nargs, FfiTypeNative* rtype, FfiTypeNative** atypes);
    [LibraryImport(Lib)] internal static partial int ffi_prep_cif_var(FfiCif* cif, int abi, uint nfixed, uint ntotal, FfiTypeNative* rtype, FfiTypeNative** atypes);
    [LibraryImport(Lib)] internal static partial void ffi_call(FfiCif* cif, nint fn, void* rvalue, void** avalue);
    [LibraryImport(Lib)] internal static partial void* ffi_closure_alloc(nuint size, nint* code);
    [LibraryImport(Lib)] internal static partial void ffi_closure_free(void* closure);
    [LibraryImport(Lib)] internal static partial int ffi_prep_closure_loc(void* closure, FfiCif* cif,
        delegate* unmanaged<FfiCif*, void*, void**, void*, void> fun, void* userData, nint codeloc);

    private static nint _handle;

    /// <summary>Address of a libffi data export such as <c>ffi_type_sint32</c>.</summary>
    internal static FfiTypeNative* Export(string name)
    {
        nint h = _handle;
        if (h == 0)
        {
            if (!NativeLibrary.TryLoad(Lib, out h))
                throw new FfiException(FfiErrorKind.Unsupported, "libffi unavailable (" + Lib + " not found)");
            _handle = h;
        }
        return (FfiTypeNative*)NativeLibrary.GetExport(h, name);
    }

    internal static string StatusText(int status) => status switch
    {
        0 => "FFI_OK",
        1 => "FFI_BAD_TYPEDEF",
        2 => "FFI_BAD_ABI",
        3 => "FFI_BAD_ARGTYPE",
        _ => "ffi status " + status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
