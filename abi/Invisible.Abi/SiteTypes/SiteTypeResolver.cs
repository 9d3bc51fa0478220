using System;
using System.Collections.Generic;
using System.Text;
using Invisible.Abi.Dwarf;
using Invisible.Abi.Native;

namespace Invisible.Abi.SiteTypes;

/// <summary>
/// Allocation site → allocated type, for the current process (the runtime runs inside the program).
/// Evidence, strongest first: a DWARF call-site entry naming the type; the machine code after the call moving
/// the result into a variable, member, global, argument or return value whose DWARF type is <c>T *</c>
/// (<see cref="ResultFlow"/>); the requested size matching exactly one struct of the calling unit. Allocator
/// wrappers — functions that return the allocation as <c>void *</c>, or are named by the user — are skipped to
/// reach their caller. C++ polymorphic objects are typed per block by their vtable pointer
/// (<see cref="VtableClass"/>). Results are cached per function and per vtable; <see cref="Resolve"/> is meant
/// to be cached per trace by the caller. Not thread-safe: one report at a time.
/// </summary>
public sealed unsafe class SiteTypeResolver
{
    private readonly ProcessImage _image;
    private readonly HashSet<string> _wrappers = new(StringComparer.Ordinal);
    private readonly Dictionary<(DwarfModule, ulong), FunctionFacts?> _facts = new();
    private readonly Dictionary<ulong, string?> _vtables = new();
    private readonly Dictionary<(DwarfModule, ulong), bool> _polymorphic = new();
    private readonly Dictionary<(DwarfModule, ulong), CType[]> _unitCandidates = new();
    private readonly Dictionary<DwarfModule, ImportNames?> _imports = new();

    public SiteTypeResolver(ProcessImage image, IEnumerable<string>? allocatorWrappers = null)
    {
        _image = image;
        if (allocatorWrappers is not null)
            foreach (string w in allocatorWrappers)
                if (w.Length > 0) _wrappers.Add(w);
    }

    /// <summary>Diagnostics sink (INVISIBLE_SITE_DEBUG in the runtime): each resolution step as a line.</summary>
    public static Action<string>? Debug { get; set; }

    /// <summary>Names treated as allocator wrappers besides the detected ones (<c>--alloc-fn</c>).</summary>
    public IReadOnlyCollection<string> Wrappers => _wrappers;

    /// <summary>Infer the type allocated by a trace (return addresses, innermost first, allocator frames of
    /// libc/libstdc++ already removed).</summary>
    public SiteType Resolve(ReadOnlySpan<ulong> pcs)
    {
        string? wrapper = null;
        long header = 0;         // bytes of headers the wrappers so far put before the pointer they return
        int outParameter = -1;   // the previous frame handed the block back through this argument
        for (int k = 0; k < pcs.Length; k++)
        {
            ulong pc = pcs[k];
            DwarfModule? module = _image.ModuleAt(pc);
            if (module is null) return Unknown(k, pc, false);
            FunctionFacts? facts = module.HasDwarf ? FactsAt(module, pc - 1) : null;
            string? name = facts?.Name ?? module.SymbolAt(pc - 1 - module.Bias)?.Name;
            if (name is not null && _wrappers.Contains(name)) { wrapper = name; outParameter = -1; continue; }
            if (SubAllocators.Region(name) is string region) return SiteType.ForRegion(k, pc, region);
            if (facts is null) return Unknown(k, pc, false);
            // A sub-allocator inlined into its caller (-O2: pcache1AllocPage into pcache1FetchStage2): the call is
            // inside the inlined instance's code.
            if (SubAllocators.Inlined(facts.Function, pc - 1 - module.Bias) is string inlined) return SiteType.ForRegion(k, pc, inlined);
            Debug?.Invoke("frame " + k + " pc 0x" + pc.ToString("x") + " in " + (name ?? "?") + " (" + module.Path + ")" +
                          (outParameter >= 0 ? " out-parameter " + outParameter : ""));
            var flowOf = new ResultFlow(facts, Callee, ImportsOf(facts.Module));
            FlowResult flow = outParameter >= 0 ? flowOf.FollowOutParameter(pc, outParameter, 0) : flowOf.Follow(pc);
            outParameter = -1;
            Debug?.Invoke(" -> " + flow.Kind + " " + (flow.Target?.ToCString() ?? "-") + " +" + flow.Offset +
                          (flow.ReturnedUntyped ? " returned-untyped +" + flow.ReturnOffset : "") +
                          (flow.OutParameter >= 0 ? " out-parameter " + flow.OutParameter + " +" + flow.OutOffset : ""));
            if (flow.Kind != FlowEvidence.None && flow.Target is not null)
            {
                // A size header typed as a scalar (sqlite3MemMalloc: sqlite3_int64 *p = malloc(n + 8); p[0] = n;
                // return p + 1) in a function that returns void *: a wrapper, the object past the header.
                if (k + 1 < pcs.Length && ResultFlow.IsScalar(flow.Target) && flow.Offset == 0 && ReturnsVoidPointer(facts))
                {
                    FlowResult past = new ResultFlow(facts, Callee, ImportsOf(facts.Module)).Refine(pc, flow.Target);
                    if (past.Kind == FlowEvidence.None && past.ReturnedUntyped)
                    {
                        wrapper = name ?? "?";
                        header += past.ReturnOffset;
                        continue;
                    }
                }
                if (k + 1 < pcs.Length && flow.Offset == 0 && !facts.IsCpp && Refinable(flow.Target) && Refine(pcs, k, facts, flow.Target, header) is SiteType refined)
                    return refined;
                bool probe = facts.IsCpp && IsPolymorphic(flow.Target);
                return new SiteType(k, pc, ToEvidence(flow.Kind), flow.Target, header + flow.Offset, facts.IsCpp, probe, null, 0,
                                    Array.Empty<CType>());
            }
            if (flow.ReturnedUntyped) { wrapper = name ?? "?"; header += flow.ReturnOffset; continue; }
            if (flow.OutParameter >= 0) { wrapper = name ?? "?"; header += flow.OutOffset; outParameter = flow.OutParameter; continue; }
            return new SiteType(k, pc, SiteEvidence.None, null, header, facts.IsCpp, facts.IsCpp, null, 0, Candidates(facts));
        }
        if (wrapper is not null)
            return new SiteType(pcs.Length - 1, pcs.Length > 0 ? pcs[^1] : 0, SiteEvidence.Wrapper, null, 0, false, false,
                                wrapper, pcs.Length + 1, Array.Empty<CType>());
        return Unknown(0, pcs.Length > 0 ? pcs[0] : 0, false);
    }

    /// <summary>The function returns <c>void *</c> (or a pointer DWARF gives no type for).</summary>
    internal static bool ReturnsVoidPointer(FunctionFacts facts) =>
        facts.Function.ReturnType.Unqualified is PointerType && ResultFlow.PointerTarget(facts.Function.ReturnType) is null;

    /// <summary>A first type that a caller may know better: a C struct (a header such as Lua's <c>GCObject</c>,
    /// which every collectable object begins with) or raw bytes (<c>char *</c>). C++ classes are typed by their
    /// vtable instead.</summary>
    private static bool Refinable(CType t)
    {
        CType u = t.Unqualified;
        return (u is StructType { IsDeclaration: false, Kind: CTypeKind.Struct } st && st.Members.Count > 0) || ResultFlow.IsByte(u);
    }

    /// <summary>
    /// Object-oriented C allocates through a constructor that returns the object as its header type
    /// (<c>GCObject *luaC_newobj(...)</c>; <c>o = luaC_newobj(L, LUA_VTABLE, sizeof(Table)); t = gco2t(o)</c>).
    /// After the first typed place <paramref name="first"/> at frame <paramref name="k"/>, follow the pointer on,
    /// passing over places of that same type; while each function returns the pointer, go on in its caller, where
    /// a declared variable, parameter or return value of a struct type that begins with <paramref name="first"/>'s
    /// members (or of any struct, for raw bytes) is the object's real type. Null when no caller knows better.
    /// </summary>
    private SiteType? Refine(ReadOnlySpan<ulong> pcs, int k, FunctionFacts facts, CType first, long header)
    {
        for (int j = k; j < pcs.Length; j++)
        {
            FunctionFacts? f = j == k ? facts : FactsOf(pcs[j]);
            if (f is null) return null;
            FlowResult flow = new ResultFlow(f, Callee, ImportsOf(f.Module)).Refine(pcs[j], first);
            Debug?.Invoke(" refine frame " + j + " (" + (f.Name ?? "?") + ") -> " + flow.Kind + " " + (flow.Target?.ToCString() ?? "-") + (flow.ReturnedUntyped ? " returned" : ""));
            // Only a caller that got the pointer back may know better; in the frame that typed it first, a second
            // place of another type is noise (an indexed store guessed wrong), not a refinement.
            if (flow.Kind != FlowEvidence.None && flow.Target is not null)
                return j > k && flow.Offset == 0 && IsStrong(flow.Kind) && Extends(flow.Target, first)
                    ? new SiteType(j, pcs[j], ToEvidence(flow.Kind), flow.Target, header, f.IsCpp, false, null, 0, Array.Empty<CType>())
                    : null;
            if (!flow.ReturnedUntyped) return null;
        }
        return null;
    }

    /// <summary>Evidence that names a declared variable, parameter or return value (not a guessed member).</summary>
    private static bool IsStrong(FlowEvidence e) =>
        e is FlowEvidence.CallSite or FlowEvidence.Variable or FlowEvidence.Register or FlowEvidence.Argument or FlowEvidence.Returned;

    private FunctionFacts? FactsOf(ulong pc)
    {
        DwarfModule? module = _image.ModuleAt(pc);
        return module is { HasDwarf: true } ? FactsAt(module, pc - 1) : null;
    }

    /// <summary>True when <paramref name="specific"/> is a struct that begins as <paramref name="header"/> does:
    /// each of the header's members at the same offset with the same size (C's common-initial-sequence idiom), or
    /// any struct when the header is raw bytes.</summary>
    internal static bool Extends(CType specific, CType header)
    {
        if (specific.Unqualified is not StructType s || s.IsDeclaration || s.Kind != CTypeKind.Struct) return false;
        CType h = header.Unqualified;
        if (ResultFlow.IsByte(h)) return true;
        if (h is not StructType hs || ReferenceEquals(s, hs) || s.Size < hs.Size) return false;
        IReadOnlyList<Member> hm = hs.Members, sm = s.Members;
        if (hm.Count == 0 || sm.Count < hm.Count) return false;
        for (int i = 0; i < hm.Count; i++)
        {
            if (hm[i].Offset != sm[i].Offset || hm[i].Type.Size != sm[i].Type.Size || hm[i].IsBitfield != sm[i].IsBitfield)
                return false;
        }
        return true;
    }

    private static SiteType Unknown(int k, ulong pc, bool cpp) =>
        new(k, pc, SiteEvidence.None, null, 0, cpp, false, null, 0, Array.Empty<CType>());

    private static SiteEvidence ToEvidence(FlowEvidence e) => e switch
    {
        FlowEvidence.CallSite => SiteEvidence.CallSite,
        FlowEvidence.Variable => SiteEvidence.Variable,
        FlowEvidence.Member => SiteEvidence.Member,
        FlowEvidence.Global => SiteEvidence.Global,
        FlowEvidence.Register => SiteEvidence.Register,
        FlowEvidence.Argument => SiteEvidence.Argument,
        FlowEvidence.Returned => SiteEvidence.Returned,
        _ => SiteEvidence.None,
    };

    private FunctionFacts? FactsAt(DwarfModule module, ulong runtimePc)
    {
        ulong dwarfPc = runtimePc - module.Bias;
        Function? f = module.FunctionAt(dwarfPc);
        if (f is null) return null;
        if (_facts.TryGetValue((module, f.DieOffset), out FunctionFacts? cached)) return cached;
        FunctionFacts? facts = FunctionFacts.Build(module, dwarfPc);
        _facts[(module, f.DieOffset)] = facts;
        return facts;
    }

    /// <summary>The imports of a loaded file (which calls reach memset or memcpy): its relocations, read from the
    /// file once, which is unmapped at once (no second mapping of a library may stay in the program); PLT entries are
    /// decoded from this process's memory. Null when the file cannot be read.</summary>
    private ImportNames? ImportsOf(DwarfModule module)
    {
        if (_imports.TryGetValue(module, out ImportNames? known)) return known;
        ImportNames? imports = null;
        using (ElfImage? elf = ElfImage.Open(module.Path))
        {
            ulong bias = module.Bias;
            if (elf is not null) imports = new ImportNames(elf.GotSlotTable(), bias, (at, length) => ReadCode(at + bias, length));
        }
        _imports[module] = imports;
        return imports;
    }

    /// <summary>Up to <paramref name="length"/> bytes of this process's memory at <paramref name="address"/> (fewer
    /// where it is not readable).</summary>
    private static byte[] ReadCode(ulong address, ulong length)
    {
        var bytes = new byte[(int)Math.Min(length, 64)];
        fixed (byte* p = bytes)
        {
            long got = SelfMemory.Read(address, p, bytes.Length);
            if (got < bytes.Length) Array.Resize(ref bytes, (int)Math.Max(got, 0));
        }
        return bytes;
    }

    /// <summary>Facts of a called function (for its parameter types), by entry address.</summary>
    private FunctionFacts? Callee(ulong target)
    {
        DwarfModule? m = _image.ModuleAt(target);
        if (m is null || !m.HasDwarf) return null;
        return FactsAt(m, target);
    }

    /// <summary>Complete struct types of the calling function's unit, declared in its main source file.</summary>
    private CType[] Candidates(FunctionFacts facts)
    {
        CompileUnit? unit = facts.Unit;
        if (unit is null) return Array.Empty<CType>();
        if (_unitCandidates.TryGetValue((facts.Module, unit.DieOffset), out CType[]? done)) return done;
        var list = new List<CType>();
        IReadOnlyList<CType> types = unit.Types;
        string mainFile = System.IO.Path.GetFileName(unit.Name ?? "");
        for (int i = 0; i < types.Count; i++)
        {
            if (types[i] is not StructType st || st.IsDeclaration || st.Size <= 0) continue;
            string? file = DeclFile(facts.Module, st.DieOffset);
            if (file is not null && mainFile.Length > 0 && System.IO.Path.GetFileName(file) == mainFile) list.Add(st);
        }
        CType[] result = list.ToArray();
        _unitCandidates[(facts.Module, unit.DieOffset)] = result;
        return result;
    }

    private static string? DeclFile(DwarfModule module, ulong dieOffset)
    {
        lock (module.Gate)
        {
            DwarfDie die;
            if (module.DwH == 0 || LibDw.dwarf_offdie(module.DwH, dieOffset, &die) == null) return null;
            return module.Intern(LibDw.dwarf_decl_file(&die));
        }
    }

    // ------------------------------------------------------------------ C++ dynamic types

    /// <summary>True for a class with a vtable pointer (its own or a base's), or a virtual member function.</summary>
    public bool IsPolymorphic(CType t)
    {
        if (t.Unqualified is not StructType st || st.IsDeclaration || st.Module is null) return false;
        var key = (st.Module, st.DieOffset);
        if (_polymorphic.TryGetValue(key, out bool known)) return known;
        _polymorphic[key] = false; // cycles through bases cannot happen, but be safe
        bool result = false;
        var bases = new List<CType>();
        DwarfModule m = st.Module;
        lock (m.Gate)
        {
            DwarfDie die, child;
            if (m.DwH != 0 && LibDw.dwarf_offdie(m.DwH, st.DieOffset, &die) != null && LibDw.dwarf_child(&die, &child) == 0)
            {
                do
                {
                    int tag = LibDw.dwarf_tag(&child);
                    if (tag == Dw.TagMember)
                    {
                        string? n = m.Name(&child);
                        if (n is not null && n.StartsWith("_vptr", StringComparison.Ordinal)) result = true;
                    }
                    else if (tag == 0x1c) bases.Add(m.TypeOf(&child));                           // DW_TAG_inheritance
                    else if (tag == Dw.TagSubprogram && LibDw.dwarf_hasattr(&child, 0x4c) != 0) result = true; // DW_AT_virtuality
                } while (!result && LibDw.dwarf_siblingof(&child, &child) == 0);
            }
        }
        for (int i = 0; !result && i < bases.Count; i++) result = IsPolymorphic(bases[i]);
        _polymorphic[key] = result;
        return result;
    }

    /// <summary>The class whose vtable <paramref name="vptr"/> points into (<c>_ZTV</c> symbol), or null.</summary>
    public string? VtableClass(ulong vptr)
    {
        if (vptr == 0 || (vptr & 7) != 0) return null;
        if (_vtables.TryGetValue(vptr, out string? known)) return known;
        string? name = null;
        DwarfModule? m = _image.ModuleAt(vptr);
        if (m is not null)
        {
            ElfSymbol? sym = m.SymbolAt(vptr - m.Bias);
            // The vptr is the vtable's address point: past offset-to-top and the typeinfo pointer.
            if (sym is { IsFunction: false } s && vptr - m.Bias >= s.Address + 16)
                name = DemangleVtable(s.Name);
        }
        _vtables[vptr] = name;
        return name;
    }

    /// <summary><c>_ZTV6Circle</c> → <c>Circle</c>; <c>_ZTVN2ns5ShapeE</c> → <c>ns::Shape</c>. Null for names that
    /// are not vtables or use manglings this does not cover (templates keep their mangled form).</summary>
    public static string? DemangleVtable(string symbol)
    {
        if (!symbol.StartsWith("_ZTV", StringComparison.Ordinal)) return null;
        int i = 4;
        var sb = new StringBuilder();
        bool nested = i < symbol.Length && symbol[i] == 'N';
        if (nested) i++;
        while (i < symbol.Length)
        {
            if (nested && symbol[i] == 'E') return sb.ToString();
            if (symbol[i] == 'S' && i + 1 < symbol.Length && symbol[i + 1] == 't') { Part(sb, "std"); i += 2; continue; }
            int len = 0, start = i;
            while (i < symbol.Length && char.IsAsciiDigit(symbol[i])) len = len * 10 + (symbol[i++] - '0');
            if (i == start || len <= 0 || i + len > symbol.Length) return symbol.Substring(4);
            Part(sb, symbol.Substring(i, len));
            i += len;
            if (!nested) return i == symbol.Length ? sb.ToString() : symbol.Substring(4);
        }
        return nested ? symbol.Substring(4) : sb.ToString();
    }

    private static void Part(StringBuilder sb, string part)
    {
        if (sb.Length > 0) sb.Append("::");
        sb.Append(part);
    }

    /// <summary>Read the first word of each block in <paramref name="addresses"/> (without faulting on blocks
    /// freed meanwhile); unreadable words come back as 0.</summary>
    public static void ReadFirstWords(ReadOnlySpan<ulong> addresses, Span<ulong> words)
    {
        for (int i = 0; i < addresses.Length; i++)
        {
            ulong w = 0;
            words[i] = SelfMemory.Read(addresses[i], &w, 8) == 8 ? w : 0;
        }
    }
}
