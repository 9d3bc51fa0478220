using System.Collections.Generic;

namespace Invisible.Abi.Census;

/// <summary>One allocation site of a census type: the frame that allocated (wrappers skipped).</summary>
public sealed class CensusSite
{
    public CensusSite(ulong pc, string module, string? function, string? file, int line, string evidence)
    {
        Pc = pc; Module = module; Function = function; File = file; Line = line; Evidence = evidence;
    }

    /// <summary>Path of the object the site's code is in ("" if unknown).</summary>
    public string Module { get; }
    public ulong Pc { get; }
    public string? Function { get; }
    public string? File { get; }
    public int Line { get; }
    /// <summary>What typed the site: variable, member, global, register, argument, returned, size, vtable, …</summary>
    public string Evidence { get; }
    public ulong Blocks { get; internal set; }
    public ulong Bytes { get; internal set; }
}

/// <summary>All live blocks of one inferred type.</summary>
public sealed class CensusType
{
    public CensusType(string type, bool known) { Type = type; Known = known; }

    public string Type { get; }
    /// <summary>False for "unknown (…)" entries.</summary>
    public bool Known { get; }
    public ulong Blocks { get; internal set; }
    public ulong Bytes { get; internal set; }
    /// <summary>Sites, biggest first.</summary>
    public List<CensusSite> Sites { get; } = new();
}

/// <summary>A heap census: live blocks grouped by type, biggest first.</summary>
public sealed class CensusResult
{
    public List<CensusType> Types { get; } = new();
    public ulong Blocks { get; internal set; }
    public ulong Bytes { get; internal set; }
    public ulong TypedBlocks { get; internal set; }
    public ulong TypedBytes { get; internal set; }
    public int Sites { get; internal set; }
    /// <summary>Blocks allocated by the runtime's own threads (not the program's): left out of the census.</summary>
    public ulong OwnBlocks { get; internal set; }
    public double WalkMilliseconds { get; internal set; }
    public double TotalMilliseconds { get; internal set; }
    /// <summary>The blocks glibc's heap held before the attach (a process started without invisible), when walked.</summary>
    public PreexistingHeap? Before { get; internal set; }
}

/// <summary>What the census found in glibc's heap beyond the memtable: blocks allocated before the attach, typed by the
/// pointers that reach them (<see cref="PointerTyping"/>), and the walk's check against mallinfo2().</summary>
public sealed class PreexistingHeap
{
    public PreexistingHeap(GlibcHeapWalk walk) { Walk = walk; }

    public GlibcHeapWalk Walk { get; }
    /// <summary>Blocks of the walk not in the memtable (allocated before the attach), and their usable bytes.</summary>
    public ulong Blocks { get; internal set; }
    public ulong Bytes { get; internal set; }
    /// <summary>Blocks of the walk the memtable has (allocated since the attach: counted by their site).</summary>
    public ulong Tracked { get; internal set; }
    /// <summary>An attach session's census: chunks of the walk the heap did not hold before the runtime started in the
    /// process (the runtime's own, some allocated where no hook sees them): left out.</summary>
    public ulong Runtime { get; internal set; }
    /// <summary>The typing of the blocks from before (their starts, types and roots: <c>process.heap.block</c>).</summary>
    public PointerTyping? Typing { get; internal set; }
    public ulong TypedBlocks { get; internal set; }
    public ulong TypedBytes { get; internal set; }
    /// <summary>Globals whose type holds a pointer (the first roots).</summary>
    public int Roots { get; internal set; }
    /// <summary>Locals and parameters of the threads' frames scanned as roots after the globals, in how many frames
    /// (with DWARF) of how many threads.</summary>
    public int LocalRoots { get; internal set; }
    public int Frames { get; internal set; }
    public int Threads { get; internal set; }
    public int Conflicts { get; internal set; }
    public double TypingMilliseconds { get; internal set; }
}
