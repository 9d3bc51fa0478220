using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Invisible.Abi.Dwarf;
using Invisible.Abi.LoaderExt;

namespace Invisible.Abi.Census;

/// <summary>
/// glibc's heap of a process libinvisible.so was injected into, for <c>process.heap</c> in an attach session (issue 14
/// item 3; docs/attach-preexisting-heap.md, "process.heap"). libinvisible.so (preload/libinvisible/src/heap_copy.c)
/// freezes copies of the process at quiet moments: the <em>baseline</em>, once, just before the runtime was first
/// loaded into the process (every chunk glibc held then that the memtable did not is the program's from before the
/// attach), and one per census (the heap now, whose blocks are read there while the program runs on). The baseline is
/// walked once and kept as a set of chunks: the chunks the runtime has allocated since in the same heap (its loader's
/// link maps, libdw, its threads' arenas; some where no hook sees them) are not in it, so they are never taken for the
/// program's. Found with <c>dlsym</c>: a process without these exports (preloaded, or an older library) has no walk.
/// </summary>
public static unsafe class SessionHeap
{
    [StructLayout(LayoutKind.Sequential)]
    private struct HeapCopy
    {
        public int Pid;
        public uint Late;
        public ulong Uordblks, Hblkhd, Hblks;
    }

    private static readonly object Gate = new();
    private static bool _bound;
    private static delegate* unmanaged<HeapCopy*, int> _baseline;
    private static delegate* unmanaged<void> _release;
    private static delegate* unmanaged<HeapCopy*, int> _freeze;
    private static delegate* unmanaged<int, void> _thaw;
    private static Dictionary<ulong, ulong>? _chunks;
    private static string? _baselineError;
    private static bool _late;

    private static void Bind()
    {
        if (_bound) return;
        _bound = true;
        fixed (byte* a = "invisible_heap_baseline\0"u8) _baseline = (delegate* unmanaged<HeapCopy*, int>)Libc.dlsym(0, a);
        fixed (byte* a = "invisible_heap_baseline_release\0"u8) _release = (delegate* unmanaged<void>)Libc.dlsym(0, a);
        fixed (byte* a = "invisible_heap_freeze\0"u8) _freeze = (delegate* unmanaged<HeapCopy*, int>)Libc.dlsym(0, a);
        fixed (byte* a = "invisible_heap_thaw\0"u8) _thaw = (delegate* unmanaged<int, void>)Libc.dlsym(0, a);
        if (_baseline == null || _release == null || _freeze == null || _thaw == null) { _baseline = null; return; }
        HeapCopy copy;
        _baseline(&copy);
        _late = copy.Late != 0;
    }

    /// <summary>libinvisible.so was injected into this process (<c>invisible attach</c>): glibc's heap holds blocks from
    /// before the attach that the memtable does not.</summary>
    public static bool LoadedLate
    {
        get { lock (Gate) { Bind(); return _baseline != null && _late; } }
    }

    /// <summary>Walk the baseline copy once (if it is still there) and release it; afterwards <see cref="Chunks"/>
    /// holds its chunks. Called at a census, and at the end of the session that started the runtime (the copy dies
    /// with the thread that made it).</summary>
    public static void TakeBaseline()
    {
        lock (Gate)
        {
            Bind();
            if (_baseline == null || _chunks is not null || _baselineError is not null) return;
            HeapCopy copy;
            if (_baseline(&copy) != 0 || copy.Pid <= 0)
            {
                _baselineError = copy.Late != 0
                    ? "no copy of the heap was made before the runtime started here (no quiet moment, or a debugger is attached)"
                    : "not injected";
                return;
            }
            try
            {
                GlibcHeapWalk walk = GlibcHeapWalk.Walk(ProcessImage.Shared, new HeapMemory(copy.Pid, MemoryMap.ForProcess(copy.Pid)),
                    new GlibcHeapWalk.Snapshot(copy.Pid, copy.Uordblks, copy.Hblkhd, copy.Hblks));
                if (walk.Error is not null) { _baselineError = "the heap at the attach: " + walk.Error; return; }
                var chunks = new Dictionary<ulong, ulong>(walk.Blocks.Count);
                foreach (HeapChunk c in walk.Blocks) chunks[c.Mem] = c.Usable;
                _chunks = chunks;
            }
            catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException)
            {
                _baselineError = "the heap at the attach could not be read: " + e.Message;
            }
            finally
            {
                _release();
            }
        }
    }

    /// <summary>The chunks (user pointer → usable bytes) glibc held for the program before the runtime started here;
    /// null with <see cref="BaselineError"/> saying why.</summary>
    public static IReadOnlyDictionary<ulong, ulong>? Chunks
    {
        get { TakeBaseline(); return _chunks; }
    }

    public static string? BaselineError => _baselineError;

    /// <summary>A frozen copy of the process now (a quiet moment: glibc's heap consistent), with mallinfo2() of that
    /// moment; false when none could be made. <see cref="Thaw"/> it after the census.</summary>
    public static bool Freeze(out GlibcHeapWalk.Snapshot snapshot)
    {
        snapshot = default;
        lock (Gate) Bind();
        if (_freeze == null) return false;
        HeapCopy copy;
        if (_freeze(&copy) != 0 || copy.Pid <= 0) return false;
        snapshot = new GlibcHeapWalk.Snapshot(copy.Pid, copy.Uordblks, copy.Hblkhd, copy.Hblks);
        return true;
    }

    public static void Thaw(in GlibcHeapWalk.Snapshot snapshot)
    {
        if (snapshot.Pid > 0 && _thaw != null) _thaw(snapshot.Pid);
    }
}
