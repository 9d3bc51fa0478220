using System.Runtime.InteropServices;
using System.Threading;

namespace Invisible.Abi.Native;

/// <summary>
/// Descriptors this code keeps open inside a program stay out of the program's numbers. libdw keeps every ELF and
/// debug file it opened for a module until its Dwfl ends, and this process's Dwfls live for the process (the next
/// session reuses them): opened at the lowest free numbers, they would change what the program's next open()
/// returns. Inside a program (libinvisible.so loaded: the runtime), libdw's find-ELF and find-debuginfo callbacks
/// are wrapped so that the descriptor they return is moved first by libinvisible.so's
/// <c>invisible_runtime_descriptor</c> (preload/libinvisible/src/descriptors.c: just below the hidden range,
/// close-on-exec kept); the runtime's own open64 calls reach the same function through the linker's
/// <c>--wrap=open64</c>. In the CLI (no libinvisible.so) libdw's functions are used as they are.
/// </summary>
internal static unsafe partial class RuntimeDescriptors
{
    private static int s_looked;
    private static delegate* unmanaged<int, int> s_move;
    private static nint s_procFindElf, s_buildIdFindElf, s_findDebuginfo;

    [LibraryImport("libc.so.6", EntryPoint = "dlsym", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint dlsym(nint handle, string name);

    /// <summary>Is this code running inside a program, beside libinvisible.so?</summary>
    private static bool InProgram
    {
        get
        {
            if (Volatile.Read(ref s_looked) == 0)
            {
                s_move = (delegate* unmanaged<int, int>)dlsym(0, "invisible_runtime_descriptor");
                Volatile.Write(ref s_looked, 1);
            }
            return s_move != null;
        }
    }

    /// <summary>libdw's <c>dwfl_linux_proc_find_elf</c>, wrapped inside a program.</summary>
    public static nint ProcFindElf(nint libdwFunction)
    {
        if (!InProgram) return libdwFunction;
        s_procFindElf = libdwFunction;
        return (nint)(delegate* unmanaged<nint, void**, byte*, ulong, byte**, nint*, int>)&ProcFindElfMoved;
    }

    /// <summary>libdw's <c>dwfl_build_id_find_elf</c>, wrapped inside a program.</summary>
    public static nint BuildIdFindElf(nint libdwFunction)
    {
        if (!InProgram) return libdwFunction;
        s_buildIdFindElf = libdwFunction;
        return (nint)(delegate* unmanaged<nint, void**, byte*, ulong, byte**, nint*, int>)&BuildIdFindElfMoved;
    }

    /// <summary>libdw's <c>dwfl_standard_find_debuginfo</c>, wrapped inside a program.</summary>
    public static nint FindDebuginfo(nint libdwFunction)
    {
        if (!InProgram) return libdwFunction;
        s_findDebuginfo = libdwFunction;
        return (nint)(delegate* unmanaged<nint, void**, byte*, ulong, byte*, byte*, uint, byte**, int>)&FindDebuginfoMoved;
    }

    [LibraryImport("libc.so.6", EntryPoint = "open64")]
    private static partial int open64(byte* path, int flags);

    [LibraryImport("libc.so.6", EntryPoint = "close")]
    private static partial int close(int fd);

    private const int O_RDONLY = 0, O_CLOEXEC = 0x80000;

    /// <summary>Inside a program: <paramref name="path"/> opened read-only and close-on-exec for libdw (which then keeps
    /// it), out of the program's numbers; -1 elsewhere or when it cannot be opened (libdw then opens it itself and
    /// reports the error).</summary>
    public static int OpenForLibdw(byte* path) => InProgram ? Moved(open64(path, O_RDONLY | O_CLOEXEC)) : -1;

    /// <summary>A descriptor of <see cref="OpenForLibdw"/> that libdw did not take.</summary>
    public static void Close(int fd) => close(fd);

    private static int Moved(int fd) => fd >= 0 ? s_move(fd) : fd;

    [UnmanagedCallersOnly]
    private static int ProcFindElfMoved(nint module, void** userdata, byte* name, ulong start, byte** fileName, nint* elf) =>
        Moved(((delegate* unmanaged<nint, void**, byte*, ulong, byte**, nint*, int>)s_procFindElf)(module, userdata, name, start, fileName, elf));

    [UnmanagedCallersOnly]
    private static int BuildIdFindElfMoved(nint module, void** userdata, byte* name, ulong start, byte** fileName, nint* elf) =>
        Moved(((delegate* unmanaged<nint, void**, byte*, ulong, byte**, nint*, int>)s_buildIdFindElf)(module, userdata, name, start, fileName, elf));

    [UnmanagedCallersOnly]
    private static int FindDebuginfoMoved(nint module, void** userdata, byte* name, ulong start, byte* fileName, byte* debuglink, uint crc, byte** debugFileName) =>
        Moved(((delegate* unmanaged<nint, void**, byte*, ulong, byte*, byte*, uint, byte**, int>)s_findDebuginfo)(module, userdata, name, start, fileName, debuglink, crc, debugFileName));
}
