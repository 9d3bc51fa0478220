using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Invisible.Abi.Dwarf;
using Invisible.Abi.Unwinding;
using Invisible.Abi.LoaderExt;
using Invisible.Abi.Query;
using Invisible.Abi.SiteTypes;
using Invisible.Abi.Symbolization;

namespace Invisible.Abi.Census;

/// <summary>
/// Builds the heap census: one walk over the memtable (for_each_block) counting blocks per
/// (trace, size, vtable), then site → type inference once per trace (cached for the life of the process, so a
/// second census of the same process costs only the walk), then grouping by type text.
/// The walk is the only part that scales with the number of blocks; it does no DWARF work except the first
/// time a trace is seen.
/// <para>The one census of the project: the exit report and <c>invisible census PID</c> (the runtime, given the table
/// by libinvisible.so) and DwarfPython's <c>process.heap.census()</c> (the table found in-process) all build it here,
/// over the process's shared image (<see cref="ProcessImage.Shared"/>). Blocks our own code allocated — sites in
/// libinvisible.so or in the NativeAOT image this code runs in (libinvisible-runtime.so in a target,
/// <c>invisible</c> itself under <c>invisible python</c>) — are not the program's and are left out, unless annotated.</para>
/// </summary>
public static unsafe class CensusBuilder
{
    private static readonly object Gate = new();
    private static SiteTypeResolver? _resolver;
    private static ProcessSymbolizer? _symbolizer;
    private static string? _wrapperKey;
    /// <summary>Site types per trace of <see cref="_resolver"/> (one resolver and cache per wrapper list in use).</summary>
    private static Dictionary<uint, SiteType> SiteByTrace = new();
    private static readonly Dictionary<string, (SiteTypeResolver Resolver, Dictionary<uint, SiteType> ByTrace)> ByWrappers = new(StringComparer.Ordinal);

    // ---- state of the walk in progress (one census at a time, under Gate) ----
    private static QueryApi* _api;
    private static Dictionary<BlockKey, Counts>? _counts;
    private static uint _lastTrace = uint.MaxValue;
    private static SiteType? _lastSite;
    private static Exception? _walkError;
    private static readonly ulong[] Pcs = new ulong[QueryDepth];
    // block type annotations (query API set_block_type) of the walk in progress: start → (size, trace, name id)
    private static Dictionary<ulong, (ulong Size, uint Trace, int Name)>? _annotations;
    private static List<string>? _annotationNames;
    private static Dictionary<string, int>? _annotationIds;
    // starts of the memtable's blocks, while glibc's heap is walked too (a block there and here is counted by its site)
    private static HashSet<ulong>? _tracked;
    private const int QueryDepth = 64;

    private readonly struct BlockKey : IEquatable<BlockKey>
    {
        public BlockKey(uint trace, ulong size, ulong vptr, int annotation = 0) { Trace = trace; Size = size; Vptr = vptr; Annotation = annotation; }
        public readonly uint Trace;
        public readonly ulong Size;
        public readonly ulong Vptr;
        /// <summary>1-based id of the block's type annotation name, 0 = none (typed from its site).</summary>
        public readonly int Annotation;
        public bool Equals(BlockKey o) => Trace == o.Trace && Size == o.Size && Vptr == o.Vptr && Annotation == o.Annotation;
        public override bool Equals(object? obj) => obj is BlockKey k && Equals(k);
        public override int GetHashCode() => (int)(Trace * 0x9E3779B1u) ^ (int)Size ^ (int)(Size >> 32) ^ (int)(Vptr >> 3) ^ (Annotation << 20);
    }

    private sealed class Counts
    {
        public ulong Blocks;
        public ulong Bytes;
    }

    /// <summary>The resolver for these wrappers (from --alloc-fn; none for process.heap), created on first use over the
    /// shared image, with its cache of site types per trace. Under <see cref="Gate"/>.</summary>
    private static SiteTypeResolver Resolver(string[] wrappers)
    {
        string key = string.Join(",", wrappers);
        if (_resolver is null || key != _wrapperKey)
        {
            if (!ByWrappers.TryGetValue(key, out var r))
            {
                if (Environment.GetEnvironmentVariable("INVISIBLE_SITE_DEBUG") is { Length: > 0 })
                    SiteTypeResolver.Debug = static line => Console.Error.WriteLine(line);
                r = (new SiteTypeResolver(ProcessImage.Shared, wrappers), new Dictionary<uint, SiteType>());
                ByWrappers[key] = r;
            }
            _resolver = r.Resolver;
            SiteByTrace = r.ByTrace;
            _wrapperKey = key;
        }
        return _resolver;
    }

    /// <summary>The type inferred for allocation-site trace <paramref name="trace"/> (cached per trace), with these
    /// allocator wrappers skipped; what the census counts a block of that trace under when it has no annotation.</summary>
    public static SiteType SiteOf(QueryApi* api, string[] wrappers, uint trace)
    {
        lock (Gate)
        {
            Resolver(wrappers);
            return SiteOf(api, trace);
        }
    }

    /// <summary>Extra allocator wrappers named in the request (NULL-terminated array of C strings).</summary>
    public static string[] AllocFns(ReportRequest* request)
    {
        var list = new List<string>();
        if (request->StructSize >= (uint)sizeof(ReportRequest) && request->AllocFns != null)
            for (byte** p = request->AllocFns; *p != null && list.Count < 256; p++)
            {
                string? s = Marshal.PtrToStringUTF8((nint)(*p));
                if (!string.IsNullOrEmpty(s)) list.Add(s.Trim());
            }
        return list.ToArray();
    }

    private static SiteType SiteOf(QueryApi* api, uint trace)
    {
        if (SiteByTrace.TryGetValue(trace, out SiteType? site)) return site;
        int depth;
        fixed (ulong* p = Pcs) depth = api->TraceFrames(trace, p, QueryDepth);
        site = _resolver!.Resolve(new ReadOnlySpan<ulong>(Pcs, 0, Math.Max(depth, 0)));
        SiteByTrace[trace] = site;
        return site;
    }

    [UnmanagedCallersOnly]
    private static int Visit(BlockInfo* block, void* context)
    {
        try
        {
            uint trace = block->TraceId;
            _tracked?.Add(block->Start);
            if (_annotations is { Count: > 0 } notes && notes.TryGetValue(block->Start, out var note) &&
                note.Size == block->Size && note.Trace == trace)
            {
                // typed by its annotation (DwarfPython's objects): no site inference, no vtable probe
                if (!SiteByTrace.ContainsKey(trace)) SiteOf(_api, trace);
                var akey = new BlockKey(trace, block->Size, 0, note.Name);
                ref Counts? ac = ref CollectionsMarshal.GetValueRefOrAddDefault(_counts!, akey, out _);
                ac ??= new Counts();
                ac.Blocks++;
                ac.Bytes += block->Size;
                return 0;
            }
            SiteType site;
            if (trace == _lastTrace) site = _lastSite!;
            else
            {
                site = SiteOf(_api, trace);
                _lastTrace = trace;
                _lastSite = site;
            }
            ulong vptr = 0;
            if (site.ProbeVtable && block->Size >= 8)
            {
                ulong word;
                SiteTypeResolver.ReadFirstWords(new ReadOnlySpan<ulong>(&block->Start, 1), new Span<ulong>(&word, 1));
                vptr = word;
            }
            var key = new BlockKey(trace, block->Size, vptr);
            ref Counts? c = ref CollectionsMarshal.GetValueRefOrAddDefault(_counts!, key, out _);
            c ??= new Counts();
            c.Blocks++;
            c.Bytes += block->Size;
            return 0;
        }
        catch (Exception e)
        {
            _walkError = e;
            return 1;
        }
    }

    /// <summary>Take a census of every live block.</summary>
    /// <param name="callerIsTracked">The calling thread's own allocations go through the hooks (DwarfPython's thread
    /// under <c>invisible python</c>: it is the program; the exit report and the attach listener are not). Such a caller
    /// must not allocate during the counting walk — site inference reads DWARF, which mallocs, and a young block of its
    /// nursery that moves to the table behind the walk would be missed — so the sites of all live traces are resolved
    /// first, in walks that allocate nothing but managed memory.</param>
    /// <param name="symbolizeSites">Name each site (function, file, line: the reports list them); without it the sites
    /// carry only their pc and object, and no symbolizer is made (<c>process.heap.census()</c> returns types only).</param>
    /// <param name="includePreexisting">Also walk glibc's heap for blocks the memtable does not have (allocated before
    /// an attach by injection), typed by pointers (<see cref="PointerTyping"/>); <see cref="CensusResult.Before"/> says what it
    /// found. Only where the heap holds still: the report helper's copy of the process.</param>
    /// <param name="heapSnapshot">With <paramref name="includePreexisting"/>: the frozen copy of the process whose heap is
    /// walked (made by the report helper before its runtime allocated anything), null: none could be made.</param>
    /// <param name="inSession">With <paramref name="includePreexisting"/>: the census of an attach session
    /// (<c>process.heap</c>), whose program runs on: the blocks are typed by reading them in the frozen copy, no
    /// thread's frames are roots (their stacks are not in the copy as the threads had them), and only chunks of the
    /// heap as it was before the runtime started here (<see cref="SessionHeap.Chunks"/>) count as the program's.</param>
    public static CensusResult Build(QueryApi* api, string[] wrappers, bool callerIsTracked = false, bool symbolizeSites = true,
        bool includePreexisting = false, GlibcHeapWalk.Snapshot? heapSnapshot = null, bool inSession = false)
    {
        lock (Gate)
        {
            long t0 = Stopwatch.GetTimestamp();
            SiteTypeResolver resolver = Resolver(wrappers);
            _api = api;
            _counts = new Dictionary<BlockKey, Counts>();
            _lastTrace = uint.MaxValue;
            _lastSite = null;
            _walkError = null;
            try
            {
                if (callerIsTracked) ResolveSitesFirst(api);
                CollectAnnotations(api);
                // glibc's heap first, then the memtable: what the census itself mallocs after the heap walk is then not
                // taken for a block from before the attach (it is in the memtable, or not in the walk)
                GlibcHeapWalk? heap = null;
                HeapMemory? contents = null;
                List<FrameChain>? threads = null;
                IReadOnlyDictionary<ulong, ulong>? baseline = null;
                if (includePreexisting)
                {
                    if (inSession)
                    {
                        // the program runs on: everything is read in the frozen copy (a page at a time: the typing's
                        // reads are scattered), and only what the heap held before the runtime came is the program's
                        baseline = SessionHeap.Chunks;
                        if (heapSnapshot is GlibcHeapWalk.Snapshot s && baseline is not null)
                        {
                            MemoryMap copyMap = MemoryMap.ForProcess(s.Pid);
                            heap = GlibcHeapWalk.Walk(ProcessImage.Shared, new HeapMemory(s.Pid, copyMap), s);
                            contents = new HeapMemory(s.Pid, copyMap, 4096);
                        }
                        else heap = GlibcHeapWalk.NotWalked(baseline is null ? SessionHeap.BaselineError ?? "no copy of the heap at the attach"
                                                                             : "no frozen copy of the process could be made for it");
                    }
                    else
                    {
                        // the program's threads as the copy was made: their frames' locals are roots too
                        threads = ThreadFrames.Capture(api, ProcessImage.Shared);
                        // the blocks are typed here (their contents are the copy's: nothing here frees or writes them);
                        // the heap's own structures are read in the frozen copy (here the runtime has allocated since)
                        contents = new HeapMemory(0, MemoryMap.ForCurrentProcess());
                        heap = heapSnapshot is GlibcHeapWalk.Snapshot s
                            ? GlibcHeapWalk.Walk(ProcessImage.Shared, new HeapMemory(s.Pid, MemoryMap.ForProcess(s.Pid)), s)
                            : GlibcHeapWalk.NotWalked("no frozen copy of the process could be made for it");
                    }
                    _tracked = new HashSet<ulong>();
                }
                api->ForEachBlock(&Visit, null);
                if (_walkError is not null) throw new InvalidOperationException("census walk failed", _walkError);
                long t1 = Stopwatch.GetTimestamp();
                CensusResult result = Group(resolver, _counts, symbolizeSites);
                if (heap is not null)
                    AddPreexisting(result, heap, contents ?? new HeapMemory(0, MemoryMap.ForCurrentProcess()), _tracked!, threads, baseline);
                result.WalkMilliseconds = Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
                result.TotalMilliseconds = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                return result;
            }
            finally
            {
                _counts = null;
                _api = null;
                _annotations = null;
                _tracked = null;
            }
        }
    }

    /// <summary>The blocks of glibc's heap the memtable does not have, typed by pointers, as census rows: per type, one
    /// "site" per root global (evidence <c>pointer</c>), untyped ones under "unknown (before the attach)".</summary>
    private static void AddPreexisting(CensusResult result, GlibcHeapWalk heap, HeapMemory contents, HashSet<ulong> tracked,
        IReadOnlyList<FrameChain>? threads, IReadOnlyDictionary<ulong, ulong>? baseline)
    {
        var before = new PreexistingHeap(heap);
        result.Before = before;
        var blocks = new List<HeapChunk>(heap.Blocks.Count);
        foreach (HeapChunk c in heap.Blocks)
        {
            if (tracked.Contains(c.Mem)) { before.Tracked++; continue; }
            // an attach session: a chunk the heap did not hold (at this size) before the runtime started is the runtime's
            if (baseline is not null && (!baseline.TryGetValue(c.Mem, out ulong usable) || usable != c.Usable)) { before.Runtime++; continue; }
            blocks.Add(c);
        }
        var typing = new PointerTyping(blocks, contents);
        before.Typing = typing;
        nint ownBase = OwnImageBase;
        typing.Run(ProcessImage.Shared, m =>
            m.Path.EndsWith("/libinvisible-runtime.so", StringComparison.Ordinal) || m.Path.EndsWith("/libinvisible.so", StringComparison.Ordinal) ||
            ownBase != 0 && (ulong)ownBase >= m.Start && (ulong)ownBase < m.End, threads);
        before.Roots = typing.RootsScanned;
        before.LocalRoots = typing.LocalRootsScanned;
        before.Frames = typing.FramesScanned;
        before.Threads = typing.ThreadsScanned;
        before.Conflicts = typing.Conflicts;
        before.TypingMilliseconds = typing.Milliseconds;
        var byType = new Dictionary<string, CensusType>(StringComparer.Ordinal);
        foreach (CensusType t in result.Types) byType[t.Type] = t;
        var sites = new Dictionary<(string, int), CensusSite>();
        var rootIds = new Dictionary<string, int>(StringComparer.Ordinal);
        CensusSite? unknownSite = null;
        for (int i = 0; i < typing.Count; i++)
        {
            ulong bytes = typing.Usable(i);
            bool typed = typing.TypeOf(i) is not null;
            string text = typed ? typing.TypeText(i) : "unknown (before the attach)";
            if (!byType.TryGetValue(text, out CensusType? type))
            {
                type = new CensusType(text, typed);
                byType[text] = type;
                result.Types.Add(type);
            }
            CensusSite site;
            if (typed)
            {
                PointerRoot root = typing.RootOf(i);
                string rootKey = root.Module + "\0" + root.Name;
                if (!rootIds.TryGetValue(rootKey, out int rootId)) { rootId = rootIds.Count; rootIds[rootKey] = rootId; }
                if (!sites.TryGetValue((text, rootId), out site!))
                {
                    site = new CensusSite(0, root.Module, root.Name, root.File, root.Line, "pointer");
                    sites[(text, rootId)] = site;
                    type.Sites.Add(site);
                }
                before.TypedBlocks++;
                before.TypedBytes += bytes;
                result.TypedBlocks++;
                result.TypedBytes += bytes;
            }
            else
            {
                if (unknownSite is null)
                {
                    unknownSite = new CensusSite(0, "", null, null, 0, "unreached");
                    type.Sites.Add(unknownSite);
                }
                site = unknownSite;
            }
            site.Blocks++;
            site.Bytes += bytes;
            type.Blocks++;
            type.Bytes += bytes;
            before.Blocks++;
            before.Bytes += bytes;
            result.Blocks++;
            result.Bytes += bytes;
        }
        foreach (CensusType t in result.Types)
            t.Sites.Sort(static (a, b) => b.Bytes != a.Bytes ? b.Bytes.CompareTo(a.Bytes) : b.Blocks.CompareTo(a.Blocks));
        result.Types.Sort(static (a, b) =>
            b.Bytes != a.Bytes ? b.Bytes.CompareTo(a.Bytes) :
            b.Blocks != a.Blocks ? b.Blocks.CompareTo(a.Blocks) : string.CompareOrdinal(a.Type, b.Type));
    }

    private static HashSet<uint>? _traces;

    [UnmanagedCallersOnly]
    private static int VisitTrace(BlockInfo* block, void* context)
    {
        _traces!.Add(block->TraceId);
        return 0;
    }

    /// <summary>Resolve (and cache) the site of every trace a live block has, so the counting walk does no DWARF work;
    /// again while resolving brought new traces (the caller's own allocations), at most three times.</summary>
    private static void ResolveSitesFirst(QueryApi* api)
    {
        for (int pass = 0; pass < 3; pass++)
        {
            _traces = new HashSet<uint>();
            api->ForEachBlock(&VisitTrace, null);
            bool resolved = false;
            foreach (uint trace in _traces)
                if (!SiteByTrace.ContainsKey(trace)) { SiteOf(api, trace); resolved = true; }
            _traces = null;
            if (!resolved) return;
        }
    }

    [UnmanagedCallersOnly]
    private static int VisitAnnotation(BlockType* note, void* context)
    {
        try
        {
            string name = Marshal.PtrToStringUTF8((nint)note->TypeName) ?? "";
            if (name.Length == 0) return 0;
            if (!_annotationIds!.TryGetValue(name, out int id))
            {
                _annotationNames!.Add(name);
                id = _annotationNames.Count;
                _annotationIds[name] = id;
            }
            _annotations![note->Start] = (note->Size, note->TraceId, id);
            return 0;
        }
        catch (Exception e)
        {
            _walkError = e;
            return 1;
        }
    }

    /// <summary>The block type annotations (query API for_each_block_type), when libinvisible.so has them.</summary>
    private static void CollectAnnotations(QueryApi* api)
    {
        _annotations = new Dictionary<ulong, (ulong, uint, int)>();
        _annotationNames ??= new List<string>();
        _annotationIds ??= new Dictionary<string, int>(StringComparer.Ordinal);
        if (api->HasBlockTypes && api->ForEachBlockType != null) api->ForEachBlockType(&VisitAnnotation, null);
    }

    /// <summary>The type text of one block (leak records): its annotation if it has one, else its trace, size and,
    /// for C++ classes, its vtable.</summary>
    public static string TypeOfBlock(QueryApi* api, string[] wrappers, uint trace, ulong address, ulong size)
    {
        if (api->HasBlockTypes && api->BlockTypeOf != null)
        {
            BlockType note;
            if (api->BlockTypeOf(address, &note) != 0 && note.TypeName != null &&
                Marshal.PtrToStringUTF8((nint)note.TypeName) is { Length: > 0 } annotated)
                return annotated;
        }
        lock (Gate)
        {
            SiteTypeResolver resolver = Resolver(wrappers);
            SiteType site = SiteOf(api, trace);
            if (site.ProbeVtable && size >= 8)
            {
                ulong word;
                SiteTypeResolver.ReadFirstWords(new ReadOnlySpan<ulong>(&address, 1), new Span<ulong>(&word, 1));
                string? cls = resolver.VtableClass(word);
                if (cls is not null) return cls;
            }
            return site.Describe(size);
        }
    }

    private static CensusResult Group(SiteTypeResolver resolver, Dictionary<BlockKey, Counts> counts, bool symbolize)
    {
        var result = new CensusResult();
        var byType = new Dictionary<string, CensusType>(StringComparer.Ordinal);
        var sitesByType = new Dictionary<(string, ulong), CensusSite>();
        var distinctSites = new HashSet<ulong>();
        var siteCache = new Dictionary<ulong, CensusSite>();
        var ownCache = new Dictionary<ulong, bool>();
        if (symbolize) _symbolizer ??= ProcessSymbolizer.ForCurrentProcess();
        foreach (var (key, c) in counts)
        {
            SiteType site = SiteByTrace[key.Trace];
            CensusSite where = SiteAt(site.SitePc, site.EvidenceFor(key.Size), siteCache, symbolize);
            string? annotated = key.Annotation > 0 ? _annotationNames![key.Annotation - 1] : null;
            // An annotated block is the program's even when the runtime allocated it (DwarfPython inside an attach
            // session allocates from libinvisible-runtime.so): it was made on the program's behalf.
            if (annotated is null && IsOwnSite(site.SitePc, where.Module, ownCache))
            {
                result.OwnBlocks += c.Blocks;
                continue;
            }
            string? cls = key.Vptr != 0 ? resolver.VtableClass(key.Vptr) : null;
            string text = annotated ?? cls ?? site.Describe(key.Size);
            SiteEvidence evidence = cls is not null ? SiteEvidence.Vtable : site.EvidenceFor(key.Size);
            bool known = annotated is not null || evidence != SiteEvidence.None && evidence != SiteEvidence.Wrapper;
            if (!byType.TryGetValue(text, out CensusType? type))
            {
                type = new CensusType(text, known);
                byType[text] = type;
            }
            type.Blocks += c.Blocks;
            type.Bytes += c.Bytes;
            result.Blocks += c.Blocks;
            result.Bytes += c.Bytes;
            if (known)
            {
                result.TypedBlocks += c.Blocks;
                result.TypedBytes += c.Bytes;
            }
            distinctSites.Add(site.SitePc);
            if (!sitesByType.TryGetValue((text, site.SitePc), out CensusSite? s))
            {
                s = annotated is not null ? new CensusSite(where.Pc, where.Module, where.Function, where.File, where.Line, "annotation")
                                          : MakeSite(site.SitePc, evidence, symbolize);
                sitesByType[(text, site.SitePc)] = s;
                type.Sites.Add(s);
            }
            s.Blocks += c.Blocks;
            s.Bytes += c.Bytes;
        }
        foreach (CensusType t in byType.Values)
        {
            t.Sites.Sort(static (a, b) => b.Bytes != a.Bytes ? b.Bytes.CompareTo(a.Bytes) : b.Blocks.CompareTo(a.Blocks));
            result.Types.Add(t);
        }
        result.Types.Sort(static (a, b) =>
            b.Bytes != a.Bytes ? b.Bytes.CompareTo(a.Bytes) :
            b.Blocks != a.Blocks ? b.Blocks.CompareTo(a.Blocks) : string.CompareOrdinal(a.Type, b.Type));
        result.Sites = distinctSites.Count;
        return result;
    }

    private static CensusSite MakeSite(ulong pc, SiteEvidence evidence, bool symbolize)
    {
        string ev = EvidenceName(evidence);
        if (pc == 0) return new CensusSite(0, "", null, null, 0, ev);
        if (!symbolize) return new CensusSite(pc, ObjectPath(pc), null, null, 0, ev);
        IReadOnlyList<SourceFrame> frames = _symbolizer!.Symbolize(pc, isReturnAddress: true);
        if (frames.Count == 0) return new CensusSite(pc, "", null, null, 0, ev);
        SourceFrame f = frames[0];
        return new CensusSite(pc, f.Module, f.Function, f.File, f.Line, ev);
    }

    /// <summary>Symbolized site (cached per pc; the counts of the returned object are not used).</summary>
    private static CensusSite SiteAt(ulong pc, SiteEvidence evidence, Dictionary<ulong, CensusSite> cache, bool symbolize)
    {
        if (!cache.TryGetValue(pc, out CensusSite? s))
        {
            s = MakeSite(pc, evidence, symbolize);
            cache[pc] = s;
        }
        return s;
    }

    /// <summary>Code of Invisible itself: blocks it allocates are not the program's. libinvisible.so and
    /// libinvisible-runtime.so by name; the NativeAOT image running this code (the runtime .so, or the
    /// <c>invisible</c> executable under <c>invisible python</c>) by address: the site's object is loaded at the same
    /// base as this code's.</summary>
    private static bool IsOwnSite(ulong pc, string module, Dictionary<ulong, bool> cache)
    {
        if (module.EndsWith("/libinvisible-runtime.so", StringComparison.Ordinal) || module.EndsWith("/libinvisible.so", StringComparison.Ordinal))
            return true;
        if (pc == 0) return false;
        if (!cache.TryGetValue(pc, out bool own))
        {
            nint ownBase = OwnImageBase;
            own = ownBase != 0 && ObjectBase(pc) == ownBase;
            cache[pc] = own;
        }
        return own;
    }

    private static nint s_ownBase = -1;

    /// <summary>Load base of the object this code was compiled into (0 if unknown, e.g. JIT-compiled code).</summary>
    private static nint OwnImageBase
    {
        get
        {
            if (s_ownBase == -1)
                s_ownBase = ObjectBase((ulong)(nint)(delegate* unmanaged<BlockInfo*, void*, int>)&Visit);
            return s_ownBase;
        }
    }

    private static nint ObjectBase(ulong pc)
    {
        Libc.DlInfo info;
        return Libc.dladdr((nint)pc, &info) != 0 && info.FName != 0 ? info.FBase : 0;
    }

    /// <summary>Path of the object containing <paramref name="pc"/> as the loader names it ("" if none).</summary>
    private static string ObjectPath(ulong pc)
    {
        Libc.DlInfo info;
        return Libc.dladdr((nint)pc, &info) != 0 && info.FName != 0 ? Marshal.PtrToStringUTF8(info.FName) ?? "" : "";
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static string EvidenceName(SiteEvidence e) => e switch
    {
        SiteEvidence.CallSite => "call-site",
        SiteEvidence.Variable => "variable",
        SiteEvidence.Member => "member",
        SiteEvidence.Global => "global",
        SiteEvidence.Register => "register",
        SiteEvidence.Argument => "argument",
        SiteEvidence.Returned => "returned",
        SiteEvidence.Size => "size",
        SiteEvidence.Vtable => "vtable",
        SiteEvidence.Wrapper => "wrapper",
        SiteEvidence.SubAllocator => "sub-allocator",
        _ => "none",
    };
}
