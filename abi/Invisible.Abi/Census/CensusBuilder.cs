using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Invisible.Abi.Dwarf;
using Invisible.Abi.SiteTypes;
using Invisible.Abi.Symbolization;
using Invisible.Abi.Query;

namespace Invisible.Abi.Census;

/// <summary>
/// Builds the heap census: one walk over the memtable (for_each_block) counting blocks per
/// (trace, size, vtable), then site → type inference once per trace (cached for the life of the runtime, so a
/// second census of the same process costs only the walk), then grouping by type text.
/// The walk is the only part that scales with the number of blocks; it does no DWARF work except the first
/// time a trace is seen.
/// </summary>
public static unsafe class CensusBuilder
{
    private static readonly object Gate = new();
    private static ProcessImage? _image;
    private static SiteTypeResolver? _resolver;
    private static ProcessSymbolizer? _symbolizer;
    private static string _wrapperKey = "";
    private static readonly Dictionary<uint, SiteType> SiteByTrace = new();

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

    /// <summary>The resolver (and the image it reads), created on first use; wrappers from --alloc-fn.</summary>
    private static SiteTypeResolver Resolver(string[] wrappers)
    {
        string key = string.Join(",", wrappers);
        if (_resolver is null || key != _wrapperKey)
        {
            if (Environment.GetEnvironmentVariable("INVISIBLE_SITE_DEBUG") is { Length: > 0 })
                SiteTypeResolver.Debug = static line => Console.Error.WriteLine(line);
            _image ??= ProcessImage.ForCurrentProcess();
            _resolver = new SiteTypeResolver(_image, wrappers);
            _wrapperKey = key;
            SiteByTrace.Clear();
        }
        return _resolver;
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
    public static CensusResult Build(QueryApi* api, string[] wrappers)
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
                CollectAnnotations(api);
                api->ForEachBlock(&Visit, null);
                if (_walkError is not null) throw new InvalidOperationException("census walk failed", _walkError);
                long t1 = Stopwatch.GetTimestamp();
                CensusResult result = Group(resolver, _counts);
                result.WalkMilliseconds = Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
                result.TotalMilliseconds = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                return result;
            }
            finally
            {
                _counts = null;
                _api = null;
                _annotations = null;
            }
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

    private static CensusResult Group(SiteTypeResolver resolver, Dictionary<BlockKey, Counts> counts)
    {
        var result = new CensusResult();
        var byType = new Dictionary<string, CensusType>(StringComparer.Ordinal);
        var sitesByType = new Dictionary<(string, ulong), CensusSite>();
        var distinctSites = new HashSet<ulong>();
        var siteCache = new Dictionary<ulong, CensusSite>();
        _symbolizer ??= ProcessSymbolizer.ForCurrentProcess();
        foreach (var (key, c) in counts)
        {
            SiteType site = SiteByTrace[key.Trace];
            CensusSite where = SiteAt(site.SitePc, site.EvidenceFor(key.Size), siteCache);
            string? annotated = key.Annotation > 0 ? _annotationNames![key.Annotation - 1] : null;
            // An annotated block is the program's even when the runtime allocated it (DwarfPython inside an attach
            // session allocates from libinvisible-runtime.so): it was made on the program's behalf.
            if (annotated is null && IsOwnModule(where.Module))
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
                                          : MakeSite(site.SitePc, evidence);
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

    private static CensusSite MakeSite(ulong pc, SiteEvidence evidence)
    {
        string ev = EvidenceName(evidence);
        if (pc == 0) return new CensusSite(0, "", null, null, 0, ev);
        IReadOnlyList<SourceFrame> frames = _symbolizer!.Symbolize(pc, isReturnAddress: true);
        if (frames.Count == 0) return new CensusSite(pc, "", null, null, 0, ev);
        SourceFrame f = frames[0];
        return new CensusSite(pc, f.Module, f.Function, f.File, f.Line, ev);
    }

    /// <summary>Symbolized site (cached per pc; the counts of the returned object are not used).</summary>
    private static CensusSite SiteAt(ulong pc, SiteEvidence evidence, Dictionary<ulong, CensusSite> cache)
    {
        if (!cache.TryGetValue(pc, out CensusSite? s))
        {
            s = MakeSite(pc, evidence);
            cache[pc] = s;
        }
        return s;
    }

    /// <summary>Code of Invisible itself: blocks its threads allocate (the runtime's) are not the program's.</summary>
    private static bool IsOwnModule(string module) =>
        module.EndsWith("/libinvisible-runtime.so", StringComparison.Ordinal) || module.EndsWith("/libinvisible.so", StringComparison.Ordinal);

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
        _ => "none",
    };
}
