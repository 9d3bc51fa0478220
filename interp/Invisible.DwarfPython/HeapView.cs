using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Invisible.Abi.Census;
using Invisible.Abi.Dwarf;
using Invisible.Abi.Query;
using Invisible.Abi.SiteTypes;
using Invisible.Abi.Symbolization;
using Invisible.Python.Runtime;

namespace Invisible.DwarfPython;

/// <summary><c>process.heap</c>: the memtable of libinvisible.so, read in-process through its query API
/// (<see cref="QueryApi.InProcess"/>). The census is the project's one census (<see cref="CensusBuilder"/>, as the exit
/// report and <c>invisible census PID</c> build it). Blocks Python allocated are typed exactly (their DWARF type is
/// recorded here when they are made, and annotated in libinvisible.so for the census); other blocks are typed from
/// their allocation site by the census's resolver.</summary>
internal static unsafe class HeapView
{
    /// <summary>process.heap skips no allocator wrappers beyond those the site resolver recognises by itself.</summary>
    private static readonly string[] NoWrappers = Array.Empty<string>();

    private static readonly Dictionary<nint, (CType Type, long Count, long Size)> Described = new();
    private static QueryApi* _api;
    private static bool _looked;
    private static ProcessSymbolizer? _symbolizer;

    /// <summary>Records the DWARF type of a block Python allocated, here and in libinvisible.so's block type
    /// annotations (query API set_block_type), so the census and leak reports of the process type it exactly.</summary>
    public static void Describe(nint a, CType t, long count, long size)
    {
        lock (Described) Described[a] = (t, count, size);
        Annotate(a, count >= 0 ? t.ToCString("[" + count + "]") : t.ToCString());
    }

    public static void Forget(nint a)
    {
        lock (Described) Described.Remove(a);
        Annotate(a, null);
    }

    /// <summary>A zeroed block for an object Python makes (<c>c.struct.stat()</c>), allocated as the program's own
    /// (query API program_alloc): tracked by libinvisible.so even on an attach session's thread, whose other
    /// allocations are not, so the census and leak check see it. Plain calloc when the library is absent.</summary>
    public static nint AllocateForProgram(long size)
    {
        QueryApi* api = ApiOrNull;
        if (api == null || !api->HasProgramAlloc || api->ProgramAlloc == null) return Dl.Calloc(size);
        nint p = api->ProgramAlloc((ulong)Math.Max(size, 1));
        if (p == 0) throw Ops.MemoryError();
        return p;
    }

    /// <summary>Frees a block from <see cref="AllocateForProgram"/>.</summary>
    public static void FreeForProgram(nint p)
    {
        if (p == 0) return;
        QueryApi* api = ApiOrNull;
        if (api == null || !api->HasProgramAlloc || api->ProgramFree == null) { Dl.Free(p); return; }
        api->ProgramFree(p);
    }

    /// <summary>set_block_type(a, name) when libinvisible.so is loaded and has it; name null removes.</summary>
    private static void Annotate(nint a, string? name)
    {
        if (!_looked && name == null) return;
        QueryApi* api = ApiOrNull;
        if (api == null || !api->HasBlockTypes || api->SetBlockType == null) return;
        if (name == null) { api->SetBlockType((ulong)a, null); return; }
        int n = System.Text.Encoding.UTF8.GetByteCount(name);
        if (n > 255) return;
        byte* buf = stackalloc byte[n + 1];
        System.Text.Encoding.UTF8.GetBytes(name, new Span<byte>(buf, n));
        buf[n] = 0;
        api->SetBlockType((ulong)a, buf);
    }

    private static QueryApi* ApiOrNull
    {
        get
        {
            if (!_looked)
            {
                _api = QueryApi.InProcess();
                _looked = true;
            }
            return _api;
        }
    }

    private static QueryApi* Api
    {
        get
        {
            if (ApiOrNull == null) throw Ops.RuntimeError("process.heap: run under invisible (libinvisible.so not preloaded)");
            return _api;
        }
    }

    /// <summary>The table when libinvisible.so is loaded and has thread_backtraces (process.threads), else null.</summary>
    internal static QueryApi* ThreadBacktracesOrNull
    {
        get
        {
            QueryApi* api = ApiOrNull;
            return api != null && api->HasThreadBacktraces && api->ThreadBacktraces != null ? api : null;
        }
    }

    public static bool Available => ApiOrNull != null;

    // ------------------------------------------------------------------ walking

    private static readonly object WalkGate = new();
    private static List<BlockInfo>? _walk;

    [UnmanagedCallersOnly]
    private static int Visit(BlockInfo* b, void* ctx)
    {
        _walk!.Add(*b);
        return 0;
    }

    private static List<BlockInfo> Blocks()
    {
        QueryApi* api = Api;
        lock (WalkGate)
        {
            _walk = new List<BlockInfo>();
            api->ForEachBlock(&Visit, null);
            var r = _walk;
            _walk = null;
            return r;
        }
    }

    /// <summary>Type text of a block and its DWARF type when known (Python-made blocks exactly; others from the site).</summary>
    private static string TypeOf(in BlockInfo b, out CType? type, out long count)
    {
        lock (Described)
        {
            if (Described.TryGetValue((nint)b.Start, out var d))
            {
                type = d.Type; count = d.Count;
                return d.Count >= 0 ? d.Type.ToCString("[" + d.Count + "]") : d.Type.ToCString();
            }
        }
        // C++: a polymorphic object is its vtable's class (new Circle returned as Shape *)
        if (CxxHeap.TryDynamicClass((nint)b.Start, b.Size, out string? cls, out CType? dynamic)) { type = dynamic; count = -1; return cls!; }
        SiteType s = CensusBuilder.SiteOf(Api, NoWrappers, b.TraceId);
        type = s.Target;
        count = -1;
        return s.Describe(b.Size);
    }

    // ------------------------------------------------------------------ Python surface

    /// <summary><c>process.heap.census()</c>: the census's types, biggest first, as <c>{'type', 'blocks', 'bytes'}</c>.</summary>
    public static PyObject Census()
    {
        // this thread is the program's (its allocations go through the hooks): see callerIsTracked; types only
        CensusResult census = Take();
        var list = new PyObject[census.Types.Count];
        for (int i = 0; i < list.Length; i++)
        {
            CensusType t = census.Types[i];
            var d = new PyDict();
            d.SetItem("type", PyStr.Of(t.Type));
            d.SetItem("blocks", PyInt.Get((long)t.Blocks));
            d.SetItem("bytes", PyInt.Get((long)t.Bytes));
            list[i] = d;
        }
        return new PyList(list);
    }

    /// <summary>The census; in a process libinvisible.so was injected into (an attach session), with the blocks from
    /// before the attach, walked and typed in a copy of the process frozen for it (<see cref="SessionHeap"/>).</summary>
    private static CensusResult Take()
    {
        QueryApi* api = Api;
        if (!SessionHeap.LoadedLate)
            return CensusBuilder.Build(api, NoWrappers, callerIsTracked: true, symbolizeSites: false);
        SessionHeap.TakeBaseline(); // before the copy of now is frozen: that copy then lives only for the census
        bool frozen = SessionHeap.Freeze(out GlibcHeapWalk.Snapshot now);
        try
        {
            return CensusBuilder.Build(api, NoWrappers, callerIsTracked: true, symbolizeSites: false, includePreexisting: true,
                heapSnapshot: frozen ? now : null, inSession: true);
        }
        finally
        {
            if (frozen) SessionHeap.Thaw(now);
        }
    }

    /// <summary><c>process.heap.block(a)</c> of a block from before the attach: found and typed by a census of glibc's
    /// heap (<see cref="Take"/>); null when <paramref name="address"/> is in none.</summary>
    private static PyObject? BlockFromBefore(nint address)
    {
        if (!SessionHeap.LoadedLate) return null;
        PreexistingHeap? before = Take().Before;
        PointerTyping? typing = before?.Typing;
        if (typing is null) return null;
        int i = typing.IndexContaining((ulong)address);
        if (i < 0) return null;
        var d = new PyDict();
        d.SetItem("start", PyInt.Get((long)typing.Start(i)));
        d.SetItem("size", PyInt.Get((long)typing.Usable(i)));
        CType? ct = typing.TypeOf(i);
        d.SetItem("type", PyStr.Of(ct is not null ? typing.TypeText(i) : "unknown (before the attach)"));
        d.SetItem("trace", new PyList(Array.Empty<PyObject>()));
        d.SetItem("before", PyBool.True);
        if (ct is not null)
        {
            PointerRoot root = typing.RootOf(i);
            d.SetItem("evidence", PyStr.Of("pointer from " + root.Name + (root.File is not null ? " (" + root.File + ":" + root.Line + ")" : "")));
            long size = ct.Unqualified.Size;
            long n = PointerTyping.Elements(typing.Usable(i), size, typing.Mmapped(i));
            d.SetItem("object", new NativeObject((nint)typing.Start(i), ct, n > 1 ? n : -1, null, false));
        }
        else
        {
            d.SetItem("evidence", PyNone.Instance);
            d.SetItem("object", PyNone.Instance);
        }
        return d;
    }

    public static PyObject Objects(string typeName)
    {
        string want = Normalize(typeName);
        var r = new List<PyObject>();
        foreach (BlockInfo b in Blocks())
        {
            string t = TypeOf(b, out CType? ct, out long count);
            if (ct == null) continue;
            if (Normalize(t) != want && Normalize(ct.ToCString()) != want) continue;
            object? owner = null;
            r.Add(new NativeObject((nint)b.Start, ct, count, owner, false));
        }
        return new PyList(r.ToArray());
    }

    private static string Normalize(string s) => s.Replace(" ", "", StringComparison.Ordinal);

    public static PyObject Block(nint address)
    {
        BlockInfo b;
        if (Api->FindBlock((ulong)address, &b) == 0) return BlockFromBefore(address) ?? PyNone.Instance;
        var d = new PyDict();
        d.SetItem("start", PyInt.Get((long)b.Start));
        d.SetItem("size", PyInt.Get((long)b.Size));
        string t = TypeOf(b, out CType? ct, out long count);
        d.SetItem("type", PyStr.Of(t));
        var frames = new List<PyObject>();
        ulong* pcs = stackalloc ulong[64];
        int n = b.TraceId == 0 ? 0 : Api->TraceFrames(b.TraceId, pcs, 64);
        _symbolizer ??= ProcessSymbolizer.ForCurrentProcess();
        for (int i = 0; i < n; i++)
        {
            IReadOnlyList<SourceFrame> fs = _symbolizer.Symbolize(pcs[i], isReturnAddress: true);
            if (fs.Count == 0) { frames.Add(PyStr.Of("0x" + pcs[i].ToString("x"))); continue; }
            SourceFrame f = fs[0];
            frames.Add(PyStr.Of((f.Function ?? "??") + (f.File != null ? " (" + f.File + ":" + f.Line + ")" : "")));
        }
        d.SetItem("trace", new PyList(frames.ToArray()));
        d.SetItem("object", ct != null ? new NativeObject((nint)b.Start, ct, count, null, false) : PyNone.Instance);
        return d;
    }

    public static PyObject Totals()
    {
        ulong blocks, bytes;
        Api->LiveTotals(&blocks, &bytes);
        return new PyTuple(new PyObject[] { PyInt.Get((long)blocks), PyInt.Get((long)bytes) });
    }
}
