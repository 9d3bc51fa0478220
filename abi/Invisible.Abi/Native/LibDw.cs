using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;

namespace Invisible.Abi.Native;

/// <summary>Mirror of libdw's <c>Dwarf_Die</c> (32 bytes). Value type; copy freely.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DwarfDie
{
    public nint Addr;
    public nint Cu;
    public nint Abbrev;
    public nint Padding;
}

/// <summary>Mirror of <c>Dwarf_Attribute</c> (24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DwarfAttribute
{
    public uint Code;
    public uint Form;
    public nint Valp;
    public nint Cu;
}

/// <summary>Mirror of <c>Dwarf_Op</c> (32 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DwarfOp
{
    public byte Atom;
    public ulong Number;
    public ulong Number2;
    public ulong Offset;
}

/// <summary>Mirror of <c>Dwarf_Block</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct DwarfBlock
{
    public ulong Length;
    public byte* Data;

    /// <summary>The ULEB128 operand of a one-operation location expression (<c>DW_OP_constu N</c>,
    /// <c>DW_OP_plus_uconst N</c>): the bytes after the opcode.</summary>
    public readonly ulong OperandUleb128()
    {
        ulong r = 0;
        int shift = 0;
        for (ulong i = 1; i < Length && shift < 64; i++)
        {
            byte x = Data[i];
            r |= (ulong)(x & 0x7f) << shift;
            shift += 7;
            if ((x & 0x80) == 0) break;
        }
        return r;
    }
}

/// <summary>Mirror of <c>Dwfl_Callbacks</c> (4 pointers).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DwflCallbacks
{
    public nint FindElf;
    public nint FindDebuginfo;
    public nint SectionAddress;
    public nint DebuginfoPath;
}

/// <summary>P/Invoke surface of elfutils libdw (which also carries libdwfl). Pointer-only signatures:
/// no marshalling stubs, NativeAOT-safe.</summary>
internal static unsafe partial class LibDw
{
    internal const string Lib = "libdw.so.1";

    // ---- libdwfl ----
    [LibraryImport(Lib)] internal static partial nint dwfl_begin(DwflCallbacks* callbacks);
    [LibraryImport(Lib)] internal static partial void dwfl_end(nint dwfl);
    [LibraryImport(Lib)] internal static partial int dwfl_errno();
    [LibraryImport(Lib)] internal static partial byte* dwfl_errmsg(int err);
    [LibraryImport(Lib)] internal static partial void dwfl_report_begin(nint dwfl);
    [LibraryImport(Lib)] internal static partial void dwfl_report_begin_add(nint dwfl);
    [LibraryImport(Lib)] internal static partial int dwfl_report_end(nint dwfl, nint removed, nint arg);
    [LibraryImport(Lib)] internal static partial int dwfl_linux_proc_report(nint dwfl, int pid);
    [LibraryImport(Lib)] internal static partial nint dwfl_report_offline(nint dwfl, byte* name, byte* fileName, int fd);
    [LibraryImport(Lib)] internal static partial nint dwfl_report_elf(nint dwfl, byte* name, byte* fileName, int fd, ulong @base, byte addToBase);
    [LibraryImport(Lib)] internal static partial byte* dwfl_module_info(nint mod, void*** userdata, ulong* start, ulong* end,
        ulong* dwbias, ulong* symbias, byte** mainfile, byte** debugfile);
    [LibraryImport(Lib)] internal static partial nint dwfl_getmodules(nint dwfl, delegate* unmanaged<nint, void**, byte*, ulong, void*, int> callback, void* arg, nint offset);
    [LibraryImport(Lib)] internal static partial nint dwfl_addrmodule(nint dwfl, ulong address);
    [LibraryImport(Lib)] internal static partial nint dwfl_module_getelf(nint mod, ulong* bias);
    [LibraryImport(Lib)] internal static partial nint dwfl_module_getdwarf(nint mod, ulong* bias);
    [LibraryImport(Lib)] internal static partial DwarfDie* dwfl_module_addrdie(nint mod, ulong addr, ulong* bias);
    [LibraryImport(Lib)] internal static partial byte* dwfl_module_addrname(nint mod, ulong address);
    [LibraryImport(Lib)] internal static partial byte* dwfl_module_addrinfo(nint mod, ulong address, ulong* offset, void* sym, uint* shndxp, nint* elfp, ulong* bias);
    [LibraryImport(Lib)] internal static partial int dwfl_module_getsymtab(nint mod);
    // libelf (section headers, for DwflSymbolIndex's same-section rule)
    [LibraryImport("libelf.so.1")] internal static partial nint elf_nextscn(nint elf, nint scn);
    [LibraryImport("libelf.so.1")] internal static partial nuint elf_ndxscn(nint scn);
    [LibraryImport("libelf.so.1")] internal static partial void* gelf_getshdr(nint scn, void* shdr);
    [LibraryImport(Lib)] internal static partial byte* dwfl_module_getsym_info(nint mod, int ndx, void* sym, ulong* addr, uint* shndxp, nint* elfp, ulong* bias);
    [LibraryImport(Lib)] internal static partial nint dwfl_module_getsrc(nint mod, ulong addr);
    [LibraryImport(Lib)] internal static partial byte* dwfl_lineinfo(nint line, ulong* addr, int* linep, int* colp, ulong* mtime, ulong* length);
    [LibraryImport(Lib)] internal static partial int dwfl_module_build_id(nint mod, byte** bits, ulong* vaddr);

    // ---- libdw ----
    [LibraryImport(Lib)] internal static partial int dwarf_errno();
    [LibraryImport(Lib)] internal static partial byte* dwarf_errmsg(int err);
    [LibraryImport(Lib)] internal static partial int dwarf_next_unit(nint dwarf, ulong off, ulong* nextOff, nuint* headerSize,
        ushort* version, ulong* abbrevOffset, byte* addressSize, byte* offsetSize, ulong* typeSignature, ulong* typeOffset);
    [LibraryImport(Lib)] internal static partial DwarfDie* dwarf_offdie(nint dwarf, ulong offset, DwarfDie* result);
    [LibraryImport(Lib)] internal static partial ulong dwarf_dieoffset(DwarfDie* die);
    [LibraryImport(Lib)] internal static partial DwarfDie* dwarf_diecu(DwarfDie* die, DwarfDie* result, byte* addressSize, byte* offsetSize);
    [LibraryImport(Lib)] internal static partial int dwarf_child(DwarfDie* die, DwarfDie* result);
    [LibraryImport(Lib)] internal static partial int dwarf_siblingof(DwarfDie* die, DwarfDie* result);
    [LibraryImport(Lib)] internal static partial int dwarf_haschildren(DwarfDie* die);
    [LibraryImport(Lib)] internal static partial int dwarf_tag(DwarfDie* die);
    [LibraryImport(Lib)] internal static partial DwarfAttribute* dwarf_attr(DwarfDie* die, uint name, DwarfAttribute* result);
    [LibraryImport(Lib)] internal static partial DwarfAttribute* dwarf_attr_integrate(DwarfDie* die, uint name, DwarfAttribute* result);
    [LibraryImport(Lib)] internal static partial int dwarf_hasattr(DwarfDie* die, uint name);
    [LibraryImport(Lib)] internal static partial int dwarf_hasattr_integrate(DwarfDie* die, uint name);
    [LibraryImport(Lib)] internal static partial byte* dwarf_formstring(DwarfAttribute* attr);
    [LibraryImport(Lib)] internal static partial int dwarf_formudata(DwarfAttribute* attr, ulong* value);
    [LibraryImport(Lib)] internal static partial int dwarf_formsdata(DwarfAttribute* attr, long* value);
    [LibraryImport(Lib)] internal static partial int dwarf_formaddr(DwarfAttribute* attr, ulong* value);
    [LibraryImport(Lib)] internal static partial DwarfDie* dwarf_formref_die(DwarfAttribute* attr, DwarfDie* result);
    [LibraryImport(Lib)] internal static partial int dwarf_formflag(DwarfAttribute* attr, byte* result);
    [LibraryImport(Lib)] internal static partial int dwarf_formblock(DwarfAttribute* attr, DwarfBlock* result);
    [LibraryImport(Lib)] internal static partial byte* dwarf_diename(DwarfDie* die);
    [LibraryImport(Lib)] internal static partial int dwarf_lowpc(DwarfDie* die, ulong* addr);
    [LibraryImport(Lib)] internal static partial int dwarf_highpc(DwarfDie* die, ulong* addr);
    [LibraryImport(Lib)] internal static partial int dwarf_entrypc(DwarfDie* die, ulong* addr);
    [LibraryImport(Lib)] internal static partial int dwarf_haspc(DwarfDie* die, ulong pc);
    [LibraryImport(Lib)] internal static partial nint dwarf_ranges(DwarfDie* die, nint offset, ulong* basep, ulong* startp, ulong* endp);
    [LibraryImport(Lib)] internal static partial int dwarf_bytesize(DwarfDie* die);
    [LibraryImport(Lib)] internal static partial int dwarf_bitsize(DwarfDie* die);
    [LibraryImport(Lib)] internal static partial int dwarf_srclang(DwarfDie* die);
    [LibraryImport(Lib)] internal static partial int dwarf_aggregate_size(DwarfDie* die, ulong* size);
    [LibraryImport(Lib)] internal static partial int dwarf_getscopes(DwarfDie* cudie, ulong pc, DwarfDie** scopes);
    [LibraryImport(Lib)] internal static partial int dwarf_getscopes_die(DwarfDie* die, DwarfDie** scopes);
    [LibraryImport(Lib)] internal static partial int dwarf_getsrclines(DwarfDie* cudie, nint* lines, nuint* nlines);
    [LibraryImport(Lib)] internal static partial nint dwarf_onesrcline(nint lines, nuint idx);
    [LibraryImport(Lib)] internal static partial int dwarf_getsrcfiles(DwarfDie* cudie, nint* files, nuint* nfiles);
    [LibraryImport(Lib)] internal static partial byte* dwarf_filesrc(nint files, nuint idx, ulong* mtime, ulong* length);
    [LibraryImport(Lib)] internal static partial int dwarf_lineaddr(nint line, ulong* addr);
    [LibraryImport(Lib)] internal static partial int dwarf_lineno(nint line, int* lineno);
    [LibraryImport(Lib)] internal static partial int dwarf_linecol(nint line, int* col);
    [LibraryImport(Lib)] internal static partial int dwarf_linebeginstatement(nint line, byte* flag);
    [LibraryImport(Lib)] internal static partial int dwarf_lineendsequence(nint line, byte* flag);
    [LibraryImport(Lib)] internal static partial byte* dwarf_linesrc(nint line, ulong* mtime, ulong* length);
    [LibraryImport(Lib)] internal static partial nint dwarf_getlocations(DwarfAttribute* attr, nint offset, ulong* basep, ulong* startp, ulong* endp, DwarfOp** expr, nuint* exprlen);
    [LibraryImport(Lib)] internal static partial byte* dwarf_decl_file(DwarfDie* die);
    [LibraryImport(Lib)] internal static partial int dwarf_decl_line(DwarfDie* die, int* line);

    [LibraryImport("libc.so.6")] internal static partial void free(void* p);
    [LibraryImport("libc.so.6")] internal static partial int getpid();

    /// <summary>Address of an exported libdw function (for Dwfl_Callbacks).</summary>
    private static int _debuginfodChosen;

    /// <summary>libdw's <c>dwfl_standard_find_debuginfo</c>, for a <see cref="DwflCallbacks"/>. With DEBUGINFOD_URLS
    /// unset or empty, build/lib/libinvisible-nodebuginfod.so (SONAME libdebuginfod.so.1, no functions) is loaded
    /// first, so that libdw's dlopen of libdebuginfod finds it and goes on without debuginfod instead of loading
    /// libcurl and its TLS stack only to learn there is no server (preload/nodebuginfod/nodebuginfod.c). Inside a
    /// program, libinvisible.so has done the same before starting the runtime.</summary>
    internal static nint StandardFindDebuginfo()
    {
        if (Interlocked.Exchange(ref _debuginfodChosen, 1) == 0 && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DEBUGINFOD_URLS")))
        {
            string? exe = Environment.ProcessPath;
            string? dir = exe == null ? null : Path.GetDirectoryName(exe);
            if (dir != null)
            {
                string stub = Path.GetFullPath(Path.Combine(dir, "..", "lib", "libinvisible-nodebuginfod.so"));
                if (File.Exists(stub)) NativeLibrary.TryLoad(stub, out _);
            }
        }
        return RuntimeDescriptors.FindDebuginfo(Export("dwfl_standard_find_debuginfo"));
    }

    /// <summary>libdw's <c>dwfl_linux_proc_find_elf</c>, for a <see cref="DwflCallbacks"/> (its descriptors moved out of
    /// the program's way inside a program: <see cref="RuntimeDescriptors"/>).</summary>
    internal static nint ProcFindElf() => RuntimeDescriptors.ProcFindElf(Export("dwfl_linux_proc_find_elf"));

    /// <summary>libdw's <c>dwfl_build_id_find_elf</c>, likewise.</summary>
    internal static nint BuildIdFindElf() => RuntimeDescriptors.BuildIdFindElf(Export("dwfl_build_id_find_elf"));

    internal static nint Export(string name)
    {
        nint lib = NativeLibrary.Load(Lib);
        return NativeLibrary.GetExport(lib, name);
    }

    internal static string? Str(byte* p) => p == null ? null : Marshal.PtrToStringUTF8((nint)p);

    internal static string DwflError()
    {
        string? s = Str(dwfl_errmsg(-1));
        return string.IsNullOrEmpty(s) ? "unknown libdwfl error" : s;
    }

    internal static string DwarfError()
    {
        string? s = Str(dwarf_errmsg(-1));
        return string.IsNullOrEmpty(s) ? "unknown libdw error" : s;
    }
}

/// <summary>glibc's <c>struct dl_phdr_info</c> (the fields we read).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct DlPhdrInfo
{
    public ulong Addr;
    public byte* Name;
    public nint Phdr;
    public ushort Phnum;
    public ulong Adds;
    public ulong Subs;
}

internal static unsafe partial class LibC
{
    [LibraryImport("libc.so.6")] internal static partial int dl_iterate_phdr(delegate* unmanaged<DlPhdrInfo*, nuint, void*, int> callback, void* data);
}
