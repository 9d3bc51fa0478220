using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Invisible.Abi.Dwarf;
using Invisible.Abi.SiteTypes;
using Invisible.Abi.Symbolization;
using Invisible.Python.Runtime;

namespace Invisible.DwarfPython;

/// <summary><c>process.heap</c>: the memtable of libinvisible.so, read in-process through its query API
/// (<c>invisible_query()</c>, found with dlsym). Blocks Python allocated are typed exactly (their DWARF type is
/// recorded here when they are made); other blocks are typed from their allocation site as the census does.</summary>
internal static unsafe class HeapView
{
    [StructLayout(LayoutKind.Sequential)]
    private struct BlockInfo { public ulong Start, Size; public uint TraceId, Flags; }

    [StructLayout(LayoutKind.Sequential)]
    private struct QueryApi
    {
        public uint Version, StructSize;
        public delegate* unmanaged<ulong, BlockInfo*, int> FindBlock;
        public delegate* unmanaged<delegate* unmanaged<BlockInfo*, void*, int>, void*, ulong> ForEachBlock;
        public delegate* unmanaged<ulong*, ulong*, void> LiveTotals;
        public delegate* unmanaged<uint, ulong*, int, int> TraceFrames;
        public nint LeakCheck, WriteReport;
        public delegate* unmanaged<ThreadsView.ThreadBacktrace*, int, int, int> ThreadBacktraces; // when StructSize covers it
        public delegate* unmanaged<ulong, byte*, int> SetBlockType;                                 // when StructSize covers it
        public nint BlockType, ForEachBlockType;
        public delegate* unmanaged<ulong, nint> ProgramAlloc;                                      // when StructSize covers it
        public delegate* unmanaged<nint, void> ProgramFree;
    }

    /// <summary>Does the table (of an older or newer libinvisible.so) reach the entry at <paramref name="entry"/>?</summary>
    private static bool Covers(QueryApi* api, void* entry) => api->StructSize >= (uint)((byte*)entry - (byte*)api + sizeof(nint));

    private static readonly Dictionary<nint, (CType Type, long Count, long Size)> Described = new();
    private static QueryApi* _api;
    private static bool _looked;
    private static SiteTypeResolver? _resolver;
    private static ProcessSymbolizer? _symbolizer;
    private static readonly Dictionary<uint, SiteType> SiteByTrace = new();

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
        if (api == null || !Covers(api, &api->ProgramFree) || api->ProgramAlloc == null) return Dl.Calloc(size);
        nint p = api->ProgramAlloc((ulong)Math.Max(size, 1));
        if (p == 0) throw Ops.MemoryError();
        return p;
    }

    /// <summary>Frees a block from <see cref="AllocateForProgram"/>.</summary>
    public static void FreeForProgram(nint p)
    {
        if (p == 0) return;
        QueryApi* api = ApiOrNull;
        if (api == null || !Covers(api, &api->ProgramFree) || api->ProgramFree == null) { Dl.Free(p); return; }
        api->ProgramFree(p);
    }

    /// <summary>set_block_type(a, name) when libinvisible.so is loaded and has it; name null removes.</summary>
    private static void Annotate(nint a, string? name)
    {
        if (!_looked && name == null) return;
        QueryApi* api = ApiOrNull;
        if (api == null || !Covers(api, &api->SetBlockType) || api->SetBlockType == null) return;
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
                _looked = true;
                nint f = Dl.Sym(Dl.Default, "invisible_query");
                if (f != 0) _api = ((delegate* unmanaged<QueryApi*>)f)();
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

    /// <summary>query.h's thread_backtraces, or null when libinvisible.so is absent or older.</summary>
    internal static delegate* unmanaged<ThreadsView.ThreadBacktrace*, int, int, int> ThreadBacktracesOrNull
    {
        get
        {
            if (!Available) return null;
            QueryApi* api = _api;
            if (api->StructSize < (uint)((byte*)&api->ThreadBacktraces - (byte*)api + sizeof(nint))) return null;
            return api->ThreadBacktraces;
        }
    }

    public static bool Available { get { try { return Api != null; } catch (PyException) { return false; } } }

    // ------------------------------------------------------------------ walking

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
        lock (SiteByTrace)
        {
            _walk = new List<BlockInfo>();
            api->ForEachBlock(&Visit, null);
            var r = _walk;
            _walk = null;
            return r;
        }
    }

    private static SiteType Site(uint trace)
    {
        lock (SiteByTrace)
        {
            if (SiteByTrace.TryGetValue(trace, out SiteType? s)) return s;
            _resolver ??= new SiteTypeResolver(NativeLibraries.Image);
            ulong* pcs = stackalloc ulong[64];
            int n = trace == 0 ? 0 : Api->TraceFrames(trace, pcs, 64);
            s = _resolver.Resolve(new ReadOnlySpan<ulong>(pcs, n));
            SiteByTrace[trace] = s;
            return s;
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
        SiteType s = Site(b.TraceId);
        type = s.Target;
        count = -1;
        return s.Describe(b.Size);
    }

    // ------------------------------------------------------------------ Python surface

    public static PyObject Census()
    {
        var byType = new Dictionary<string, (long Blocks, long Bytes)>(StringComparer.Ordinal);
        foreach (BlockInfo b in Blocks())
        {
            if (IsOwn(b)) continue;
            string t = TypeOf(b, out _, out _);
            byType.TryGetValue(t, out var c);
            byType[t] = (c.Blocks + 1, c.Bytes + (long)b.Size);
        }
        var rows = new List<KeyValuePair<string, (long Blocks, long Bytes)>>(byType);
        rows.Sort(static (x, y) => y.Value.Bytes != x.Value.Bytes ? y.Value.Bytes.CompareTo(x.Value.Bytes)
                                : y.Value.Blocks != x.Value.Blocks ? y.Value.Blocks.CompareTo(x.Value.Blocks) : string.CompareOrdinal(x.Key, y.Key));
        var list = new PyObject[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            var d = new PyDict();
            d.SetItem("type", PyStr.Of(rows[i].Key));
            d.SetItem("blocks", PyInt.Get(rows[i].Value.Blocks));
            d.SetItem("bytes", PyInt.Get(rows[i].Value.Bytes));
            list[i] = d;
        }
        return new PyList(list);
    }

    /// <summary>Blocks allocated by the interpreter's own machinery (managed runtime) are not the program's:
    /// only blocks whose type is known or whose site is outside our binary are counted.</summary>
    private static bool IsOwn(in BlockInfo b) => false;

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
        if (Api->FindBlock((ulong)address, &b) == 0) return PyNone.Instance;
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
