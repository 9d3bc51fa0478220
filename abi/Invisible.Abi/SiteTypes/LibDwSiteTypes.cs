using System.Runtime.InteropServices;

namespace Invisible.Abi.Native;

/// <summary>The libdw/libc entry points only site-type inference uses: call frame information (to turn
/// rbp/rsp-relative stack slots into CFA-relative ones) and reading our own memory without faulting.</summary>
internal static unsafe partial class LibDw
{
    [LibraryImport(Lib)] internal static partial nint dwfl_module_eh_cfi(nint mod, ulong* bias);
    [LibraryImport(Lib)] internal static partial nint dwfl_module_dwarf_cfi(nint mod, ulong* bias);
    [LibraryImport(Lib)] internal static partial int dwarf_cfi_addrframe(nint cfi, ulong address, nint* frame);
    [LibraryImport(Lib)] internal static partial int dwarf_frame_cfa(nint frame, DwarfOp** ops, nuint* nops);
    [LibraryImport(Lib)] internal static partial int dwarf_getattrs(DwarfDie* die, delegate* unmanaged<DwarfAttribute*, void*, int> callback, void* arg, nint offset);
}

/// <summary>An iovec for process_vm_readv.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IoVec
{
    public nint Base;
    public nuint Length;
}

internal static unsafe partial class SelfMemory
{
    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial nint process_vm_readv(int pid, IoVec* local, ulong localCount, IoVec* remote, ulong remoteCount, ulong flags);

    private static readonly int Pid = LibDw.getpid();

    /// <summary>Copy <paramref name="length"/> bytes at <paramref name="address"/> of this process into
    /// <paramref name="destination"/>; a page that is not mapped gives a short count instead of a fault.
    /// Returns the number of bytes copied.</summary>
    internal static long Read(ulong address, void* destination, long length)
    {
        IoVec local = new() { Base = (nint)destination, Length = (nuint)length };
        IoVec remote = new() { Base = (nint)address, Length = (nuint)length };
        long n = process_vm_readv(Pid, &local, 1, &remote, 1, 0);
        return n < 0 ? 0 : n;
    }
}
