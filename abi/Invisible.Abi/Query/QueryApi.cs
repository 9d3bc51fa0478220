using System.Runtime.InteropServices;
using Invisible.Abi.LoaderExt;

namespace Invisible.Abi.Query;

// The one C# binding of malloc-instrument/include/invisible/query.h (INVISIBLE_QUERY_VERSION 1): the runtime's
// reports and census get the table from libinvisible.so in every call, DwarfPython's process.heap and
// process.threads find it in-process (QueryApi.InProcess). Field order and sizes are the ABI: change both sides together.

[StructLayout(LayoutKind.Sequential)]
public struct BlockInfo
{
    public ulong Start;
    public ulong Size;
    public uint TraceId;
    public uint Flags;
}

public enum LeakKind : uint
{
    StillReachable = 0,
    DefinitelyLost = 1,
    IndirectlyLost = 2,
    PossiblyLost = 3,
}

[StructLayout(LayoutKind.Sequential)]
public struct LeakRecord
{
    public LeakKind Kind;
    public uint TraceId;
    public ulong Blocks;
    public ulong Bytes;
    public ulong IndirectBlocks;
    public ulong IndirectBytes;
    public ulong ExampleBlock;
}

[StructLayout(LayoutKind.Sequential)]
public unsafe struct LeakSummary
{
    public fixed ulong Blocks[4];
    public fixed ulong Bytes[4];
    public LeakRecord* Records;
    public ulong RecordCount;
    public ulong ScannedRootBytes;
    public ulong ThreadsStopped;
    public ulong ScanNanoseconds;
}

[StructLayout(LayoutKind.Sequential)]
public unsafe struct QueryApi
{
    public const uint Version = 1;
    public uint ApiVersion;
    public uint StructSize;
    public delegate* unmanaged<ulong, BlockInfo*, int> FindBlock;
    public delegate* unmanaged<delegate* unmanaged<BlockInfo*, void*, int>, void*, ulong> ForEachBlock;
    public delegate* unmanaged<ulong*, ulong*, void> LiveTotals;
    public delegate* unmanaged<uint, ulong*, int, int> TraceFrames;
    public delegate* unmanaged<LeakSummary*> LeakCheck;
    public delegate* unmanaged<byte*, ulong, void> WriteReport;
    /// <summary>Appended after the first version-1 fields: present when StructSize covers it.</summary>
    public delegate* unmanaged<ThreadBacktrace*, int, int, int> ThreadBacktraces;
    /// <summary>Block type annotations, appended after ThreadBacktraces: present when StructSize covers them.</summary>
    public delegate* unmanaged<ulong, byte*, int> SetBlockType;
    public delegate* unmanaged<ulong, BlockType*, int> BlockTypeOf;
    public delegate* unmanaged<delegate* unmanaged<BlockType*, void*, int>, void*, ulong> ForEachBlockType;
    /// <summary>Allocation on the program's behalf (tracked even from our own threads), appended after ForEachBlockType.</summary>
    public delegate* unmanaged<ulong, nint> ProgramAlloc;
    public delegate* unmanaged<nint, void> ProgramFree;
    /// <summary>The allocation profile (--profile), appended after ProgramFree; returns null when profiling is off.</summary>
    public delegate* unmanaged<Profile*> ProfileRead;
    /// <summary>The record of recent frees, appended after ProfileRead (may be null): FreeHistory(1) adds a user (the
    /// record is kept while any is left) and returns its capacity in frees, 0 when it does not record;
    /// FreeHistory(0) drops one.</summary>
    public delegate* unmanaged<int, ulong> FreeHistory;
    /// <summary>1 and the block when the address is inside a recently freed block that no live block covers now.</summary>
    public delegate* unmanaged<ulong, FreedBlock*, int> FreedBlockAt;

    // Entries appended after version 1's first fields exist when StructSize covers them (an older libinvisible.so
    // has a shorter table): the byte count up to and including each group.

    /// <summary>True when the table has thread_backtraces.</summary>
    public bool HasThreadBacktraces => StructSize >= (uint)(2 * sizeof(uint) + 7 * sizeof(nint));

    /// <summary>True when the table has the block type annotation entries.</summary>
    public bool HasBlockTypes => StructSize >= (uint)(2 * sizeof(uint) + 10 * sizeof(nint));

    /// <summary>True when the table has program_alloc and program_free.</summary>
    public bool HasProgramAlloc => StructSize >= (uint)(2 * sizeof(uint) + 12 * sizeof(nint));

    /// <summary>True when the table has profile.</summary>
    public bool HasProfile => StructSize >= (uint)(2 * sizeof(uint) + 13 * sizeof(nint));

    /// <summary>True when the table has free_history and freed_block (they may still be null).</summary>
    public bool HasFreeHistory => StructSize >= (uint)(2 * sizeof(uint) + 15 * sizeof(nint));

    /// <summary>The table of the libinvisible.so preloaded into this process (its exported <c>invisible_query()</c>,
    /// found with <c>dlsym(RTLD_DEFAULT)</c>; preload/libinvisible/src/query_export.c), or null when it is not loaded.
    /// It is never dlopen()ed: loading it mid-process would start its malloc hooks on a heap they did not see grow.</summary>
    public static QueryApi* InProcess()
    {
        nint f;
        fixed (byte* name = "invisible_query\0"u8) f = Libc.dlsym(0, name);
        return f == 0 ? null : ((delegate* unmanaged<QueryApi*>)f)();
    }
}

/// <summary>invisible_freed_block: one block of the record of recent frees.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct FreedBlock
{
    public ulong Start;
    public ulong Size;
    public uint AllocTrace;
    public uint FreeTrace;
    /// <summary>Frees recorded after this one (0: the latest).</summary>
    public ulong Age;
}

/// <summary>invisible_block_type: a type annotation of a live block.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct BlockType
{
    public ulong Start;
    public ulong Size;
    public uint TraceId;
    public uint Reserved;
    public byte* TypeName;
}

/// <summary>invisible_thread_backtrace: one thread's stack; Pcs/Cfas are the caller's arrays.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct ThreadBacktrace
{
    public const int RegisterCount = 17; // DWARF numbering, 16 = rip
    public const uint Current = 0x1, HasRegisters = 0x2, ExactPc = 0x4;
    public int Tid;
    public uint Flags;
    public int FrameCount;
    public int Reserved;
    public fixed ulong Registers[RegisterCount];
    public ulong* Pcs;
    public ulong* Cfas;
}

[System.Flags]
public enum ReportFlags : uint
{
    Leaks = 0x1,
    Census = 0x2,
    ShowReachable = 0x4,
    AtExit = 0x8,
    Profile = 0x10,
    /// <summary>--quiet: the text report is the listed loss records only, nothing when there is none.</summary>
    Quiet = 0x20,
    /// <summary>--color: ANSI colours in the text report (libinvisible.so decided: always, or auto on a terminal).</summary>
    Color = 0x40,
    /// <summary>fd 2 is the terminal the report goes to: a progress line there while a long report is made.</summary>
    Progress = 0x80,
    /// <summary>The census also walks glibc's heap for blocks from before an attach by injection (libinvisible.so sets it
    /// in the report helper's copy of a process it was injected into: that heap holds still).</summary>
    HeapBefore = 0x100,
}

/// <summary>invisible_profile_site: one trace's allocation profile.</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct ProfileSite
{
    public readonly uint TraceId;
    public readonly uint Reserved;
    public readonly ulong Allocations;
    public readonly ulong Bytes;
    public readonly ulong Temporary;
    public readonly ulong LiveBlocks;
    public readonly ulong LiveBytes;
    public readonly ulong PeakBytes;
}

/// <summary>invisible_profile_point: heap size at a moment, nanoseconds since profiling began.</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct ProfilePoint
{
    public readonly ulong TimeNanoseconds;
    public readonly ulong HeapBytes;
}

/// <summary>invisible_profile: the process's allocation profile, owned by libinvisible.so until the next call.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct Profile
{
    public ulong Allocations;
    public ulong Bytes;
    public ulong Temporary;
    public ulong HeapBytes;
    public ulong PeakBytes;
    public ulong PeakNanoseconds;
    public ulong ElapsedNanoseconds;
    public ProfileSite* Sites;
    public ulong SiteCount;
    public ProfilePoint* Timeline;
    public ulong TimelineCount;
}

[StructLayout(LayoutKind.Sequential)]
public unsafe struct ReportRequest
{
    public uint StructSize;
    public ReportFlags Flags;
    public int ReportFd;
    public int Pid;
    public byte* Command;
    public byte* JsonPath;
    public LeakSummary* Leaks;
    public byte** AllocFns;
    /// <summary>Leak suppressions in query.h's wire form; null = none. The fields from here on exist when
    /// <see cref="StructSize"/> reaches <see cref="SizeWithSuppressions"/>.</summary>
    public byte* Suppressions;
    /// <summary>Written by the report: per leak record, 0 or 1 + the index of the suppression that matched it.</summary>
    public uint* SuppressedBy;
    /// <summary>Records listed: bit (1 &lt;&lt; kind) per <see cref="LeakKind"/>.</summary>
    public uint ShowKinds;
    /// <summary>1: a valgrind suppression block after each record listed.</summary>
    public uint GenSuppressions;
    /// <summary>With <see cref="ReportFlags.HeapBefore"/>: a copy of the process frozen before the report runtime
    /// started (its glibc heap is the program's); 0: none could be made.</summary>
    public int HeapCopyPid;
    /// <summary>1: the report runs in the injected program itself (a session started the runtime there), which runs on:
    /// the census freezes a copy of it for the walk (<c>SessionHeap</c>).</summary>
    public uint HeapInProgram;
    /// <summary>mallinfo2() called in the copy at the same moment (uordblks, hblkhd, hblks).</summary>
    public ulong HeapUordblks, HeapHblkhd, HeapHblks;

    public const uint SizeWithSuppressions = 72;
}
