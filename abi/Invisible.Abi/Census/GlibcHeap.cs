using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using Invisible.Abi.Dwarf;

namespace Invisible.Abi.Census;

/// <summary>One chunk glibc's allocator holds for the program: its user pointer and usable size.</summary>
public readonly struct HeapChunk
{
    public HeapChunk(ulong mem, ulong usable, bool mmapped) { Mem = mem; Usable = usable; Mmapped = mmapped; }
    public readonly ulong Mem;
    public readonly ulong Usable;
    public readonly bool Mmapped;
}

/// <summary>
/// The readable mappings of this process (<c>/proc/self/maps</c>), so that the walks below never read an address
/// nothing maps: a chunk header that makes no sense ends a walk with a message instead of a fault.
/// </summary>
public sealed class MemoryMap
{
    private readonly ulong[] _starts;
    private readonly ulong[] _ends;

    private MemoryMap(ulong[] starts, ulong[] ends, List<(ulong Start, ulong End)> anonymous)
    {
        _starts = starts; _ends = ends; AnonymousWritable = anonymous;
    }

    /// <summary>Private writable mappings with no file (where glibc puts mmapped chunks and non-main heaps).</summary>
    public List<(ulong Start, ulong End)> AnonymousWritable { get; }

    public static MemoryMap ForCurrentProcess() => Parse(File.ReadAllLines("/proc/self/maps"));

    /// <summary>The mappings of process <paramref name="pid"/> (the frozen copy the heap walk reads).</summary>
    public static MemoryMap ForProcess(int pid) =>
        Parse(File.ReadAllLines("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/maps"));

    private static MemoryMap Parse(string[] lines)
    {
        var starts = new List<ulong>();
        var ends = new List<ulong>();
        var anonymous = new List<(ulong, ulong)>();
        foreach (string line in lines)
        {
            // 7f0000000000-7f0000021000 rw-p 00000000 00:00 0        [path]
            string[] f = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 5 || f[1].Length < 4 || f[1][0] != 'r') continue;
            int dash = f[0].IndexOf('-');
            ulong start = ulong.Parse(f[0].AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            ulong end = ulong.Parse(f[0].AsSpan(dash + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (starts.Count > 0 && ends[^1] == start) ends[^1] = end; // adjacent readable ranges join
            else { starts.Add(start); ends.Add(end); }
            string path = f.Length > 5 ? f[5].Trim() : "";
            if (f[1][1] == 'w' && f[1][3] == 'p' && path.Length == 0) anonymous.Add((start, end));
        }
        return new MemoryMap(starts.ToArray(), ends.ToArray(), anonymous);
    }

    public bool Readable(ulong address, ulong length)
    {
        int hi = Find(address);
        return hi >= 0 && address + length >= address && address + length <= _ends[hi];
    }

    /// <summary>The readable range (adjacent mappings joined) that holds <paramref name="address"/>.</summary>
    public bool Region(ulong address, out ulong start, out ulong end)
    {
        int hi = Find(address);
        if (hi >= 0 && address < _ends[hi]) { start = _starts[hi]; end = _ends[hi]; return true; }
        start = end = 0;
        return false;
    }

    private int Find(ulong address)
    {
        int lo = 0, hi = _starts.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            if (_starts[mid] <= address) lo = mid + 1; else hi = mid - 1;
        }
        return hi;
    }
}

/// <summary>
/// The memory the heap walk reads: a frozen copy of the process (<c>process_vm_readv</c>, through a 64 KiB window: a
/// walk reads chunk headers in address order), or, without one, this process's own memory. The report helper makes
/// the frozen copy before its runtime starts (preload/libinvisible/src/runtime.c, <c>freeze_heap</c>): from then on
/// the helper's own runtime allocates in glibc's heap (its loader, libdw, its threads' arenas and tcaches), the copy
/// never does, so the walk sees the program's heap as it was at the quiet moment.
/// </summary>
public sealed unsafe partial class HeapMemory
{
    private const int WindowBytes = 64 * 1024;
    private readonly int _pid;
    private readonly byte[] _window;
    private ulong _windowStart, _windowEnd;

    public HeapMemory(int pid, MemoryMap map) : this(pid, map, WindowBytes) { }

    /// <summary><paramref name="windowBytes"/> (a power of two): 64 KiB for the heap walk's address order, a page for
    /// the typing's scattered reads of a frozen copy.</summary>
    public HeapMemory(int pid, MemoryMap map, int windowBytes)
    {
        _pid = pid;
        Map = map;
        _window = pid > 0 ? new byte[windowBytes] : Array.Empty<byte>();
    }

    /// <summary>The mappings of the process read (the frozen copy's, or this one's).</summary>
    public MemoryMap Map { get; }
    /// <summary>The frozen copy's pid; 0: this process's own memory.</summary>
    public int Pid => _pid;

    /// <summary>8 bytes at <paramref name="address"/>; false where nothing readable is mapped.</summary>
    public bool TryRead(ulong address, out ulong value)
    {
        value = 0;
        if (!Map.Readable(address, 8)) return false;
        if (_pid == 0) { value = *(ulong*)address; return true; }
        if (address < _windowStart || address + 8 > _windowEnd)
        {
            if (!Fill(address)) return false;
        }
        fixed (byte* w = _window) value = *(ulong*)(w + (address - _windowStart));
        return true;
    }

    /// <summary>The window's 64 KiB around <paramref name="address"/>, within its mapping.</summary>
    private bool Fill(ulong address)
    {
        Map.Region(address, out ulong regionStart, out ulong regionEnd);
        ulong size = (ulong)_window.Length;
        ulong start = Math.Max(address & ~(size - 1), regionStart);
        ulong end = Math.Min((address & ~(size - 1)) + size, regionEnd);
        _windowStart = _windowEnd = 0;
        fixed (byte* w = _window)
        {
            var local = new IoVec { Base = (nint)w, Length = (nuint)(end - start) };
            var remote = new IoVec { Base = (nint)start, Length = (nuint)(end - start) };
            nint got = process_vm_readv(_pid, &local, 1, &remote, 1, 0);
            if (got < 0 || (ulong)got < address + 8 - start) return false; // a hole in the mapping (file past its end)
            _windowStart = start;
            _windowEnd = start + (ulong)got;
        }
        return true;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public nint Base;
        public nuint Length;
    }

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial nint process_vm_readv(int pid, IoVec* local, nuint localCount, IoVec* remote, nuint remoteCount, nuint flags);
}

/// <summary>
/// glibc's heap as its own data structures describe it, walked in this process (the report helper's copy, a
/// consistent snapshot taken while no thread was inside the allocator; or the program itself): the main arena from
/// <c>mp_.sbrk_base</c> to its top chunk, every other arena's heaps (<c>heap_info</c> chain), and the mmapped chunks.
/// Every layout comes from libc's own DWARF (libc6-dbg) and ld.so's (the thread list): no offset is hard-coded but
/// glibc's constants (chunk flag bits, <c>HEAP_MAX_SIZE</c>, the safe-linking shift), which no DWARF describes.
/// In use = the next chunk's <c>PREV_INUSE</c>, minus the chunks on a fastbin and in any thread's tcache (free to
/// glibc, in use to the bit), minus each thread's tcache structure (glibc's, not the program's).
/// See docs/attach-preexisting-heap.md.
/// </summary>
public sealed unsafe class GlibcHeapWalk
{
    private const ulong PrevInuse = 1, IsMmapped = 2, NonMainArena = 4, FlagBits = 7;
    private const ulong MinChunk = 32, Align = 16, HeaderBytes = 16;
    private const ulong HeapMaxSize = 2UL * 4 * 1024 * 1024 * 8; // 2 * DEFAULT_MMAP_THRESHOLD_MAX on 64-bit
    private const int ListGuard = 1 << 22;

    /// <summary>The chunks the program holds (user pointer order), tcache, fastbins and glibc's own left out.</summary>
    public List<HeapChunk> Blocks { get; } = new();
    public int Arenas { get; private set; }
    /// <summary>Arenas on the ring in the report helper itself beyond those of the frozen copy walked: made by the
    /// helper's runtime threads after the copy was frozen (never walked: not the program's).</summary>
    public int HelperArenas { get; private set; }
    public int Threads { get; private set; }
    /// <summary>Threads on ld.so's lists whose descriptor is not mapped here (their tcache is not read).</summary>
    public int UnreadableThreads { get; private set; }
    /// <summary>Bytes (chunk sizes, headers included) of <see cref="Blocks"/> in the arenas.</summary>
    public ulong BlockChunkBytes { get; private set; }
    public ulong TcacheChunks { get; private set; }
    public ulong TcacheBytes { get; private set; }
    public ulong TcacheStructBytes { get; private set; }
    public ulong FastbinChunks { get; private set; }
    public ulong FastbinBytes { get; private set; }
    /// <summary>Fence posts (chunks under the minimum size that end a non-main heap).</summary>
    public ulong FencepostBytes { get; private set; }
    /// <summary>system_mem no chunk covers: the heap_info and malloc_state headers of non-main heaps, the alignment at
    /// sbrk_base, the unused tail of an older heap.</summary>
    public ulong HeaderBytesTotal { get; private set; }
    public ulong MmappedChunks { get; private set; }
    public ulong MmappedBytes { get; private set; }
    public ulong ExpectedMmaps { get; private set; }
    public ulong ExpectedMmappedBytes { get; private set; }
    /// <summary>mallinfo2() of the heap walked: called in the frozen copy's image before the report runtime started
    /// (<see cref="Snapshot"/>), or in this process right after the walk.</summary>
    public ulong MallinfoUordblks { get; private set; }
    public ulong MallinfoHblkhd { get; private set; }
    public ulong MallinfoHblks { get; private set; }
    public bool HaveMallinfo { get; private set; }
    /// <summary>In-use bytes by the walk in mallinfo2's terms (tcache chunks and glibc's own count as in use there).</summary>
    public ulong WalkUordblks => BlockChunkBytes + TcacheBytes + TcacheStructBytes + FencepostBytes + HeaderBytesTotal;
    public double Milliseconds { get; private set; }
    /// <summary>Of <see cref="Milliseconds"/>: finding the layouts in libc's and ld.so's DWARF.</summary>
    public double LayoutMilliseconds { get; private set; }
    /// <summary>Why the walk stopped short (null: it covered every arena).</summary>
    public string? Error { get; private set; }

    private HeapMemory _mem = null!;
    private MemoryMap _map = null!;
    private readonly HashSet<ulong> _freeToGlibc = new();   // chunk addresses on a fastbin or in a tcache
    private readonly HashSet<ulong> _glibcOwn = new();      // tcache_perthread_struct chunks
    private readonly List<(ulong Chunk, ulong Size)> _bitInUse = new();

    /// <summary>What the report helper recorded of the heap before its runtime started: the frozen copy's pid and
    /// mallinfo2() called there and then (query.h, <c>invisible_report_request.heap_copy_pid</c>).</summary>
    public readonly struct Snapshot
    {
        public Snapshot(int pid, ulong uordblks, ulong hblkhd, ulong hblks) { Pid = pid; Uordblks = uordblks; Hblkhd = hblkhd; Hblks = hblks; }
        public readonly int Pid;
        public readonly ulong Uordblks, Hblkhd, Hblks;
    }

    /// <summary>No walk: <paramref name="why"/> says why (the census prints it on its "glibc heap walk stopped" line).</summary>
    public static GlibcHeapWalk NotWalked(string why) => new GlibcHeapWalk { Error = why };

    /// <summary>Walk the heap of this process. Never throws: a layout libc's DWARF does not give, or a chunk header
    /// that makes no sense, ends the walk with <see cref="Error"/> set (and what was found so far).</summary>
    public static GlibcHeapWalk Walk(ProcessImage image, MemoryMap map) => Walk(image, new HeapMemory(0, map), null);

    /// <summary>Walk the heap <paramref name="memory"/> reads (a frozen copy of this process, whose libraries are
    /// where this process has them); <paramref name="snapshot"/>: mallinfo2() taken there.</summary>
    public static GlibcHeapWalk Walk(ProcessImage image, HeapMemory memory, Snapshot? snapshot)
    {
        var w = new GlibcHeapWalk { _mem = memory, _map = memory.Map };
        long t0 = Stopwatch.GetTimestamp();
        try
        {
            Layout layout = Layout.Read(image);
            w.LayoutMilliseconds = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            w.Run(layout);
        }
        catch (Exception e) when (e is HeapWalkException or DwarfException or InvalidOperationException)
        {
            w.Error = e.Message;
        }
        w.Milliseconds = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        if (snapshot is Snapshot s)
        {
            w.MallinfoUordblks = s.Uordblks;
            w.MallinfoHblkhd = s.Hblkhd;
            w.MallinfoHblks = s.Hblks;
            w.HaveMallinfo = true;
        }
        else w.CallMallinfo();
        return w;
    }

    private sealed class HeapWalkException : Exception
    {
        public HeapWalkException(string message) : base(message) { }
    }

    /// <summary>Offsets and addresses, from libc's and ld.so's DWARF.</summary>
    private sealed class Layout
    {
        public ulong MainArena, Mp, RtldGlobal;
        public long StateTop, StateNext, StateFastbins, StateSystemMem, StateSize;
        public int Fastbins;
        public long ParSbrkBase, ParNMmaps, ParMmappedMem;
        public long ChunkSize, ChunkMem;
        public long HeapArPtr, HeapPrev, HeapSize, HeapInfoSize;
        public long TcacheCounts, TcacheEntries, TcacheCountSize, EntryNext;
        public int TcacheBins;
        public long StackUsed, StackUser, PthreadList;
        public long TcacheTpOffset;
        public bool SafeLinking;

        public static Layout Read(ProcessImage image)
        {
            DwarfModule libc = image.FindModule("libc.so.6") ?? throw new HeapWalkException("libc.so.6 is not loaded");
            if (!libc.HasDwarf)
                throw new HeapWalkException("libc.so.6 has no DWARF (install libc6-dbg: glibc's heap layouts come from it)");
            var l = new Layout();
            StructType state = Struct(libc, "struct malloc_state");
            l.StateTop = Off(state, "top"); l.StateNext = Off(state, "next");
            l.StateFastbins = Off(state, "fastbinsY"); l.StateSystemMem = Off(state, "system_mem");
            l.StateSize = state.Size;
            state.TryGetMember("fastbinsY", out Member fb);
            l.Fastbins = fb.Type.Unqualified is ArrayType { Count: > 0 } fa ? (int)fa.Count : throw new HeapWalkException("malloc_state.fastbinsY is not an array");
            StructType par = Struct(libc, "struct malloc_par");
            l.ParSbrkBase = Off(par, "sbrk_base"); l.ParNMmaps = Off(par, "n_mmaps"); l.ParMmappedMem = Off(par, "mmapped_mem");
            StructType chunk = Struct(libc, "struct malloc_chunk");
            l.ChunkSize = Off(chunk, "mchunk_size"); l.ChunkMem = Off(chunk, "fd");
            StructType heap = Struct(libc, "heap_info");
            l.HeapArPtr = Off(heap, "ar_ptr"); l.HeapPrev = Off(heap, "prev"); l.HeapSize = Off(heap, "size");
            l.HeapInfoSize = heap.Size;
            StructType tc = Struct(libc, "struct tcache_perthread_struct");
            l.TcacheCounts = Off(tc, "counts"); l.TcacheEntries = Off(tc, "entries");
            tc.TryGetMember("counts", out Member counts);
            if (counts.Type.Unqualified is not ArrayType { Count: > 0 } ca) throw new HeapWalkException("tcache counts is not an array");
            l.TcacheBins = (int)ca.Count;
            l.TcacheCountSize = ca.Element.Size;
            l.EntryNext = Off(Struct(libc, "struct tcache_entry"), "next");
            l.MainArena = GlobalAddress(libc, "main_arena");
            l.Mp = GlobalAddress(libc, "mp_");
            // every thread's tcache: the threads are glibc's struct pthread on ld.so's stack lists
            DwarfModule ld = image.FindModule("ld-linux-x86-64.so.2") ?? throw new HeapWalkException("ld.so is not loaded");
            Variable rtld = ld.FindGlobal("_rtld_global") ?? throw new HeapWalkException("ld.so's DWARF has no _rtld_global");
            l.RtldGlobal = (rtld.Location.StaticAddress ?? throw new HeapWalkException("_rtld_global has no address")) + ld.Bias;
            StructType rg = rtld.Type.Unqualified as StructType ?? throw new HeapWalkException("_rtld_global is not a struct");
            l.StackUsed = Off(rg, "_dl_stack_used"); l.StackUser = Off(rg, "_dl_stack_user");
            l.PthreadList = Off(Struct(libc, "struct pthread"), "list");
            l.TcacheTpOffset = TcacheOffsetFromThreadPointer(libc, ld);
            l.SafeLinking = GlibcAtLeast(2, 32);
            return l;
        }

        private static StructType Struct(DwarfModule m, string name) =>
            m.FindType(name)?.Unqualified as StructType is { IsDeclaration: false } st ? st
                : throw new HeapWalkException(System.IO.Path.GetFileName(m.Path) + "'s DWARF does not describe " + name);

        private static long Off(StructType st, string member) =>
            st.TryGetMember(member, out Member m) ? m.Offset : throw new HeapWalkException(st.Name + " has no member " + member + " in the DWARF");

        private static ulong GlobalAddress(DwarfModule m, string name)
        {
            Variable v = m.FindGlobal(name) ?? throw new HeapWalkException("libc's DWARF has no " + name);
            return (v.Location.StaticAddress ?? throw new HeapWalkException(name + " has no static address")) + m.Bias;
        }

        /// <summary>Where a thread's <c>tcache</c> (libc's initial-exec TLS variable) is, from its thread pointer: libc's TLS
        /// block is <c>l_tls_offset</c> (its link_map's, from ld.so's DWARF) below every thread's pointer (x86-64's TLS
        /// variant II, static TLS). Not this thread's own TLS block: the report helper's thread is a bare clone whose
        /// thread pointer and DTV need not agree.</summary>
        private static long TcacheOffsetFromThreadPointer(DwarfModule libc, DwarfModule ld)
        {
            Variable v = libc.FindGlobal("tcache") ?? throw new HeapWalkException("libc's DWARF has no tcache");
            if (v.Location.Ranges.Count != 1 || v.Location.Ranges[0].Ops.Count != 2)
                throw new HeapWalkException("tcache's location is not a TLS offset");
            ulong inBlock = v.Location.Ranges[0].Ops[0].Number;
            long tlsOffset = Off(Struct(ld, "struct link_map"), "l_tls_offset");
            nint handle = GlibcNative.dlopen("libc.so.6", GlibcNative.RtldLazy | GlibcNative.RtldNoload);
            if (handle == 0) throw new HeapWalkException("dlopen(libc.so.6) failed");
            long blockBelowTp = *(long*)(handle + (nint)tlsOffset); // the handle is libc's struct link_map
            GlibcNative.dlclose(handle);
            return -blockBelowTp + (long)inBlock;
        }

        private static bool GlibcAtLeast(int major, int minor)
        {
            string? v = Marshal.PtrToStringUTF8(GlibcNative.gnu_get_libc_version());
            if (v is null) return true;
            string[] parts = v.Split('.');
            return parts.Length >= 2 && int.TryParse(parts[0], out int ma) && int.TryParse(parts[1], out int mi) &&
                   (ma > major || ma == major && mi >= minor);
        }
    }

    private ulong Read(ulong address)
    {
        if (!_mem.TryRead(address, out ulong value))
            throw new HeapWalkException("glibc's heap points at unmapped 0x" + address.ToString("x", CultureInfo.InvariantCulture));
        return value;
    }

    private void Run(Layout l)
    {
        CollectThreadCaches(l);
        // the main arena: one span from sbrk_base to its top chunk
        ulong main = l.MainArena;
        CollectFastbins(l, main);
        ulong sbrkBase = Read(l.Mp + (ulong)l.ParSbrkBase);
        ulong covered = 0;
        if (sbrkBase != 0)
        {
            ulong top = Read(main + (ulong)l.StateTop);
            ulong start = (sbrkBase + Align - 1) & ~(Align - 1);
            if (top < start || !_map.Readable(start, top - start + HeaderBytes))
                throw new HeapWalkException("the main arena is not one contiguous sbrk area (top outside it)");
            covered = WalkSpan(l, start, top, stopAtZero: false) + (Read(top + (ulong)l.ChunkSize) & ~FlagBits);
        }
        ulong systemMem = Read(main + (ulong)l.StateSystemMem);
        HeaderBytesTotal += systemMem >= covered ? systemMem - covered : 0;
        Arenas = 1;
        // the other arenas, around the ring from main_arena.next
        ulong a = Read(main + (ulong)l.StateNext);
        for (int guard = 0; a != main && a != 0; guard++)
        {
            if (guard > 4096) throw new HeapWalkException("the arena ring does not close");
            CollectFastbins(l, a);
            WalkArena(l, a);
            Arenas++;
            a = Read(a + (ulong)l.StateNext);
        }
        if (_mem.Pid > 0) HelperArenas = Math.Max(0, CountLocalArenas(l) - Arenas);
        CollectMmapped(l);
        foreach ((ulong chunk, ulong size) in _bitInUse)
        {
            if (_glibcOwn.Contains(chunk)) { TcacheStructBytes += size; continue; }
            if (_freeToGlibc.Contains(chunk))
            {
                // fastbin chunks are free to mallinfo too; tcache chunks count as in use there
                continue;
            }
            Blocks.Add(new HeapChunk(chunk + (ulong)l.ChunkMem, size - 8, false));
            BlockChunkBytes += size;
        }
        Blocks.Sort(static (x, y) => x.Mem.CompareTo(y.Mem));
    }

    /// <summary>The arenas on this process's own ring (the report helper's: the program's and its runtime's).</summary>
    private static int CountLocalArenas(Layout l)
    {
        var here = new HeapMemory(0, MemoryMap.ForCurrentProcess());
        int n = 1;
        ulong a = here.TryRead(l.MainArena + (ulong)l.StateNext, out ulong next) ? next : 0;
        while (a != l.MainArena && a != 0 && n < 4096 && here.TryRead(a + (ulong)l.StateNext, out next)) { n++; a = next; }
        return n;
    }

    /// <summary>A non-main arena: its heaps from the one holding top back along heap_info.prev.</summary>
    private void WalkArena(Layout l, ulong arena)
    {
        ulong top = Read(arena + (ulong)l.StateTop);
        ulong heap = top & ~(HeapMaxSize - 1);
        ulong covered = 0;
        for (int guard = 0; heap != 0; guard++)
        {
            if (guard > 65536) throw new HeapWalkException("a heap_info chain does not end");
            if (Read(heap + (ulong)l.HeapArPtr) != arena) throw new HeapWalkException("heap_info.ar_ptr is not its arena");
            ulong size = Read(heap + (ulong)l.HeapSize);
            ulong first = heap + (ulong)l.HeapInfoSize;
            if (first == arena) first += (ulong)l.StateSize; // the arena's first heap holds its malloc_state
            first = (first + Align - 1) & ~(Align - 1);
            bool holdsTop = top >= heap && top < heap + size;
            ulong end = holdsTop ? top : heap + size;
            if (!_map.Readable(heap, size)) throw new HeapWalkException("a non-main heap is not mapped");
            covered += WalkSpan(l, first, end, stopAtZero: !holdsTop);
            if (holdsTop) covered += Read(top + (ulong)l.ChunkSize) & ~FlagBits;
            heap = Read(heap + (ulong)l.HeapPrev);
        }
        ulong systemMem = Read(arena + (ulong)l.StateSystemMem);
        HeaderBytesTotal += systemMem >= covered ? systemMem - covered : 0;
    }

    /// <summary>Chunks from <paramref name="start"/> to <paramref name="end"/> (the top chunk, or an older heap's end:
    /// there a zero-size fence post ends it). Returns the bytes the chunks cover.</summary>
    private ulong WalkSpan(Layout l, ulong start, ulong end, bool stopAtZero)
    {
        ulong p = start, covered = 0;
        while (p < end)
        {
            ulong size = Read(p + (ulong)l.ChunkSize) & ~FlagBits;
            if (size == 0 && stopAtZero) break;
            if (size < HeaderBytes || size % Align != 0 || p + size > end + (stopAtZero ? HeaderBytes : 0) || p + size < p)
                throw new HeapWalkException("chunk header at 0x" + p.ToString("x", CultureInfo.InvariantCulture) + " makes no sense (size " + size + ")");
            ulong next = p + size;
            bool inUse = (Read(next + (ulong)l.ChunkSize) & PrevInuse) != 0;
            if (inUse)
            {
                if (size < MinChunk) FencepostBytes += size;
                else _bitInUse.Add((p, size));
            }
            covered += size;
            p = next;
        }
        return covered;
    }

    private ulong Reveal(Layout l, ulong position, ulong stored) => l.SafeLinking ? (position >> 12) ^ stored : stored;

    private void CollectFastbins(Layout l, ulong arena)
    {
        for (int i = 0; i < l.Fastbins; i++)
        {
            ulong p = Read(arena + (ulong)l.StateFastbins + (ulong)i * 8);
            for (int guard = 0; p != 0; guard++)
            {
                if (guard > ListGuard) throw new HeapWalkException("a fastbin list does not end");
                if (!_freeToGlibc.Add(p)) break;
                FastbinChunks++;
                FastbinBytes += Read(p + (ulong)l.ChunkSize) & ~FlagBits;
                ulong position = p + (ulong)l.ChunkMem;
                p = Reveal(l, position, Read(position));
            }
        }
    }

    /// <summary>Every thread's tcache (ld.so's lists of thread descriptors: <c>_dl_stack_used</c>, <c>_dl_stack_user</c>).</summary>
    private void CollectThreadCaches(Layout l)
    {
        foreach (long listOffset in new[] { l.StackUsed, l.StackUser })
        {
            ulong head = l.RtldGlobal + (ulong)listOffset;
            ulong node = Read(head);
            for (int guard = 0; node != head && node != 0; guard++)
            {
                if (!_map.Readable(node, 8))
                {
                    // the report helper's copy: a list entry of a thread whose memory the copy does not have
                    UnreadableThreads++;
                    break;
                }
                if (guard > 1 << 20) throw new HeapWalkException("a thread list does not end");
                ulong thread = node - (ulong)l.PthreadList;
                ulong slot = (ulong)((long)thread + l.TcacheTpOffset);
                // A descriptor no mapping holds (seen in the report helper's copy: a thread on its own stack whose
                // stack the copy does not have) has no tcache to read: its cached chunks then count as blocks.
                if (_mem.TryRead(slot, out ulong cache))
                {
                    Threads++;
                    try
                    {
                        if (cache != 0 && _map.Readable(cache, 8)) CollectTcache(l, cache);
                    }
                    catch (HeapWalkException)
                    {
                        // seen in the report helper's copy for one thread (not the program's: its tcache chain leads
                        // out of what the copy maps); what it cached so far stays known, the rest counts as blocks
                        UnreadableThreads++;
                    }
                }
                else UnreadableThreads++;
                node = Read(node);
            }
        }
    }

    /// <summary>A 1-, 2- or 4-byte unsigned field (read as the 8 bytes it starts, or that end with it at a mapping's end).</summary>
    private ulong ReadSmall(ulong address, int bytes)
    {
        ulong mask = bytes == 8 ? ulong.MaxValue : (1UL << (bytes * 8)) - 1;
        if (_mem.TryRead(address, out ulong v)) return v & mask;
        ulong back = 8 - (ulong)bytes;
        return (Read(address - back) >> (int)(back * 8)) & mask;
    }

    private void CollectTcache(Layout l, ulong cache)
    {
        _glibcOwn.Add(cache - (ulong)l.ChunkMem);
        for (int i = 0; i < l.TcacheBins; i++)
        {
            ulong count = l.TcacheCountSize == 2 ? ReadSmall(cache + (ulong)l.TcacheCounts + (ulong)i * 2, 2)
                                                 : ReadSmall(cache + (ulong)l.TcacheCounts + (ulong)i, 1);
            ulong e = Read(cache + (ulong)l.TcacheEntries + (ulong)i * 8);
            for (ulong n = 0; n < count && e != 0; n++)
            {
                ulong chunk = e - (ulong)l.ChunkMem;
                if (!_freeToGlibc.Add(chunk)) break;
                TcacheChunks++;
                TcacheBytes += Read(chunk + (ulong)l.ChunkSize) & ~FlagBits;
                ulong position = e + (ulong)l.EntryNext;
                e = Reveal(l, position, Read(position));
            }
        }
    }

    /// <summary>mmapped chunks are on no list: private anonymous writable mappings whose pages start a chunk header
    /// with only IS_MMAPPED set, a page multiple that fits the mapping (adjacent chunks share one mapping when the
    /// kernel merged them). mp_.n_mmaps and mp_.mmapped_mem say what to expect. First pass: the header at each
    /// mapping's start and the chunks that follow it (the kernel maps a new chunk below the ones before: merged, it
    /// starts the mapping); only if that found fewer than n_mmaps, every page of every such mapping (gigabytes in a
    /// process with large reservations, such as the memtable of the library injected into it).</summary>
    private void CollectMmapped(Layout l)
    {
        ExpectedMmaps = ReadSmall(l.Mp + (ulong)l.ParNMmaps, 4);
        ExpectedMmappedBytes = Read(l.Mp + (ulong)l.ParMmappedMem);
        if (ExpectedMmaps == 0) return;
        var found = new HashSet<ulong>();
        foreach ((ulong start, ulong end) in _map.AnonymousWritable) ScanMapped(l, start, end, everyPage: false, found);
        if (MmappedChunks >= ExpectedMmaps) return;
        // smallest mappings first: a chunk merged into a neighbour's mapping is in a small one, and the large ones (the
        // memtable's reservations, a runtime's GC regions) are read page by page only if it is not found before them
        var bySize = new List<(ulong Start, ulong End)>(_map.AnonymousWritable);
        bySize.Sort(static (x, y) => (x.End - x.Start).CompareTo(y.End - y.Start));
        foreach ((ulong start, ulong end) in bySize)
        {
            ScanMapped(l, start, end, everyPage: true, found);
            if (MmappedChunks >= ExpectedMmaps) return;
        }
    }

    private void ScanMapped(Layout l, ulong start, ulong end, bool everyPage, HashSet<ulong> found)
    {
        const ulong page = 4096;
        ulong p = start;
        while (p + HeaderBytes <= end)
        {
            bool header = _mem.TryRead(p, out ulong prevSize) & _mem.TryRead(p + (ulong)l.ChunkSize, out ulong raw);
            ulong size = raw & ~FlagBits;
            if (header && prevSize == 0 && (raw & FlagBits) == IsMmapped && size >= page && size % page == 0 && p + size <= end)
            {
                if (found.Add(p))
                {
                    ulong lead = AlignedLead(l, p, size);
                    Blocks.Add(new HeapChunk(p + lead + (ulong)l.ChunkMem, size - lead - HeaderBytes, true));
                    MmappedChunks++;
                    MmappedBytes += size;
                }
                p += size;
            }
            else if (everyPage) p += page;
            else return;
        }
    }

    /// <summary>memalign/posix_memalign/aligned_alloc with an alignment above 16 served by mmap: glibc's
    /// <c>_int_memalign</c> leaves the mapping's own chunk header in place and writes a second one `lead` bytes in,
    /// at the aligned block (prev_size = lead, size = the mapping's size - lead, IS_MMAPPED); free() finds the
    /// mapping from it. The lead is what <c>_int_memalign</c> computes for some power-of-two alignment A:
    /// align_up(mem, A) - mem, plus A when that is below MINSIZE, for A from 32 up to the chunk size (~20 reads per
    /// mmapped chunk). 0: an ordinary mmapped chunk.</summary>
    private ulong AlignedLead(Layout l, ulong chunk, ulong size)
    {
        ulong mem = chunk + HeaderBytes;
        for (ulong a = 32; a < size; a <<= 1)
        {
            ulong lead = ((mem + a - 1) & ~(a - 1)) - mem;
            if (lead == 0) continue;
            if (lead < MinChunk) lead += a;
            if (lead + MinChunk > size) break;
            ulong inner = chunk + lead;
            if (_mem.TryRead(inner, out ulong prevSize) && prevSize == lead &&
                _mem.TryRead(inner + (ulong)l.ChunkSize, out ulong raw) &&
                (raw & FlagBits) == IsMmapped && (raw & ~FlagBits) == size - lead)
                return lead;
        }
        return 0;
    }

    private void CallMallinfo()
    {
        try
        {
            GlibcNative.Mallinfo2 info = GlibcNative.mallinfo2();
            MallinfoUordblks = (ulong)info.Uordblks;
            MallinfoHblkhd = (ulong)info.Hblkhd;
            MallinfoHblks = (ulong)info.Hblks;
            HaveMallinfo = true;
        }
        catch (EntryPointNotFoundException)
        {
            HaveMallinfo = false; // glibc < 2.33
        }
    }
}

/// <summary>libc entry points the heap walk uses (glibc >= 2.34 has dlopen/dlinfo in libc.so.6).</summary>
internal static unsafe partial class GlibcNative
{
    public const int RtldLazy = 1, RtldNoload = 4;

    [StructLayout(LayoutKind.Sequential)]
    public struct Mallinfo2
    {
        public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }

    [LibraryImport("libc.so.6", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint dlopen(string name, int flags);

    [LibraryImport("libc.so.6")]
    public static partial int dlclose(nint handle);

    [LibraryImport("libc.so.6")]
    public static partial nint gnu_get_libc_version();

    [LibraryImport("libc.so.6")]
    public static partial Mallinfo2 mallinfo2();
}
