using System;
using System.Collections.Generic;
using Invisible.Abi.Query;
using Invisible.Abi.Symbolization;
using Invisible.Python.Runtime;

namespace Invisible.DwarfPython;

/// <summary>Accesses the memtable can tell are wrong, refused with <c>process.FaultError</c> naming the block:
/// a read or write through a pointer into a block the program freed (libinvisible.so's record of recent frees,
/// query API <c>freed_block</c>: kept while a DwarfPython session exists), and an element <c>p[i]</c> past the live
/// block that <c>p</c> points into. Only memory Python does not own is checked (Python's own objects are alive as
/// long as it refers to them); without libinvisible.so nothing is checked.</summary>
internal static unsafe class BlockChecks
{
    private static QueryApi* _api;
    private static delegate* unmanaged<ulong, FreedBlock*, int> _freedBlockAt;
    private static delegate* unmanaged<ulong, BlockInfo*, int> _findBlock;
    private static int _users;
    private static ProcessSymbolizer? _symbolizer;
    private static readonly object Gate = new();

    /// <summary>A session starts: the record of frees is kept from now on (query API free_history(1)).</summary>
    public static void SessionStarted()
    {
        lock (Gate)
        {
            if (_api == null)
            {
                QueryApi* api = QueryApi.InProcess();
                if (api == null) return;
                _api = api;
                _findBlock = api->FindBlock;
                if (api->HasFreeHistory && api->FreeHistory != null && api->FreedBlockAt != null)
                    _freedBlockAt = api->FreedBlockAt;
            }
            if (_freedBlockAt == null) return;
            _api->FreeHistory(1);
            _users++;
        }
    }

    /// <summary>A session ended (attach): one user less; the record stops when none is left.</summary>
    public static void SessionEnded()
    {
        lock (Gate)
        {
            if (_users == 0) return;
            _users--;
            _api->FreeHistory(0);
        }
    }

    /// <summary>Throws FaultError when <paramref name="address"/> is inside a block freed recently (and not allocated
    /// again since). One lookup in the record's page index: a few loads, no system call.</summary>
    public static void NotFreed(nint address, bool write)
    {
        var find = _freedBlockAt;
        if (find == null) return;
        FreedBlock b;
        if (find((ulong)address, &b) == 0) return;
        throw Ops.Exc(Mem.FaultErrorType, (write ? "write to" : "read of") + " freed block 0x" + b.Start.ToString("x") +
            " (" + Bytes(b.Size) + ", allocated at " + Site(b.AllocTrace) + ", freed at " + Site(b.FreeTrace) + ")" +
            (address != (nint)b.Start ? ": address 0x" + ((ulong)address).ToString("x") + " is at offset " + ((ulong)address - b.Start) : ""));
    }

    /// <summary>Throws FaultError when element <paramref name="index"/> of a <c>T *</c> whose value is
    /// <paramref name="pointer"/> lies outside the live block <paramref name="pointer"/> points into. A pointer into no
    /// live block (a global, the stack, memory from before tracking) is not checked. The block is looked up once per
    /// pointer object (<paramref name="block"/>): the memtable lookup (its nurseries scanned on a miss) costs more than
    /// the read, and a loop indexing a kept pointer pays it once; reads of a block freed since are still refused by
    /// <see cref="NotFreed"/>.</summary>
    public static void ElementInBlock(nint pointer, long index, long elementSize, Invisible.Abi.Dwarf.CType target, bool write,
                                      ref BlockBounds block)
    {
        if (index == 0) return;
        if (!block.Known)
        {
            var find = _findBlock;
            if (find == null) return;
            BlockInfo info;
            block = find((ulong)pointer, &info) != 0 ? new BlockBounds(info.Start, info.Size, info.TraceId, true) : new BlockBounds(0, 0, 0, false);
        }
        if (!block.Inside) return;
        long offset = (long)((ulong)pointer - block.Start) + index * elementSize;
        if (offset >= 0 && offset + elementSize <= (long)block.Size) return;
        throw Ops.Exc(Mem.FaultErrorType, (write ? "write to" : "read of") + " element " + index + " of " + CTypes.PointerTo(target) +
            " out of bounds of block 0x" +
            block.Start.ToString("x") + " (" + Bytes(block.Size) + ", allocated at " + Site(block.TraceId) + "): offset " + offset +
            (offset < 0 ? "" : " + " + elementSize + " > " + block.Size));
    }

    private static string Bytes(ulong n) => n == 1 ? "1 byte" : n + " bytes";

    /// <summary>"f (x.c:12)": the first frame of an interned trace, as process.heap.block names it.</summary>
    private static string Site(uint traceId)
    {
        QueryApi* api = _api;
        if (traceId == 0 || api == null) return "an unknown site";
        ulong* pcs = stackalloc ulong[4];
        int n = api->TraceFrames(traceId, pcs, 4);
        if (n <= 0) return "an unknown site";
        _symbolizer ??= ProcessSymbolizer.ForCurrentProcess();
        IReadOnlyList<SourceFrame> frames = _symbolizer.Symbolize(pcs[0], isReturnAddress: true);
        if (frames.Count == 0) return "0x" + pcs[0].ToString("x");
        SourceFrame f = frames[0];
        return (f.Function ?? "0x" + pcs[0].ToString("x")) + (f.File != null ? " (" + System.IO.Path.GetFileName(f.File) + ":" + f.Line + ")" : "");
    }
}

/// <summary>The live block a pointer object points into, looked up on its first index (<see cref="BlockChecks.ElementInBlock"/>).</summary>
internal readonly struct BlockBounds
{
    public readonly ulong Start, Size;
    public readonly uint TraceId;
    /// <summary>True when the pointer is inside a live block; false (with <see cref="Known"/>) when it is in none.</summary>
    public readonly bool Inside;
    public readonly bool Known;

    public BlockBounds(ulong start, ulong size, uint traceId, bool inside)
    {
        Start = start;
        Size = size;
        TraceId = traceId;
        Inside = inside;
        Known = true;
    }
}
