using System;
using System.Collections.Generic;
using Invisible.Abi.Native;

namespace Invisible.Abi.Dwarf;

public sealed unsafe partial class DwarfModule
{
    internal IReadOnlyList<CompileUnit> UnitsNoLock() => LoadUnits();

    /// <summary>The name index; built on first use (one pass over all units' top-level DIEs), or read from the
    /// cache file a previous process wrote for this build-id (<see cref="TypeIndexCache"/>).</summary>
    public TypeIndex Index
    {
        get
        {
            lock (Gate)
            {
                CheckAlive();
                return _index ??= LoadOrBuildIndex();
            }
        }
    }

    private TypeIndex LoadOrBuildIndex()
    {
        string? id = DwH != 0 ? BuildId : null;
        string? stamp = id != null ? TypeIndexCache.Stamp(_debugFile ?? Path) : null;
        if (stamp != null && TypeIndexCache.TryLoad(id!, stamp) is TypeIndex cached) return cached;
        TypeIndex built = TypeIndex.Build(this);
        if (stamp != null && built.UnitCount >= TypeIndexCache.MinUnits)
        {
            TypeIndexCache.TrySave(id!, stamp, built);
            // The next process opens the uncompressed copy instead (same .debug_info, same DIE offsets): index it
            // under the copy's stamp too, so that process neither inflates nor walks.
            if (_debugFile != null && DebugFileCache.MakeCopy(_debugFile, id!) is string copy && TypeIndexCache.Stamp(copy) is string copyStamp)
                TypeIndexCache.TrySave(id!, copyStamp, built);
        }
        return built;
    }

    /// <summary>A complete type by C name: <c>struct stat</c>, <c>union u</c>, <c>enum e</c>, <c>size_t</c>, <c>int</c>.
    /// A declaration-only match is returned only when no unit defines the type. Null if unknown.</summary>
    public CType? FindType(string name)
    {
        TypeIndex idx = Index;
        lock (Gate)
        {
            if (_typeByName.TryGetValue(name, out CType? cached)) return cached;
            CType? t = FindTypeUncached(idx, name);
            _typeByName[name] = t;
            return t;
        }
    }

    private CType? FindTypeUncached(TypeIndex idx, string name)
    {
        TypeName tn = TypeName.Parse(name);
        {
            CType? decl = null;
            for (int i = idx.Head(tn.Name); i >= 0; i = idx.At(i).Next)
            {
                ref readonly TypeIndex.Entry e = ref idx.At(i);
                if (e.Kind != (tn.IsTag ? IndexKind.Tag : IndexKind.TypeName)) continue;
                CType t = TypeAt(e.Die);
                if (!tn.Matches(t)) continue;
                if ((e.Flags & TypeIndex.FlagDeclaration) != 0) { decl ??= t; continue; }
                return t;
            }
            return decl;
        }
    }

    /// <summary>Every DIE defining a type of that name (each unit has its own copy of header types).</summary>
    public List<CType> FindTypes(string name)
    {
        TypeName tn = TypeName.Parse(name);
        TypeIndex idx = Index;
        var r = new List<CType>();
        lock (Gate)
        {
            for (int i = idx.Head(tn.Name); i >= 0; i = idx.At(i).Next)
            {
                ref readonly TypeIndex.Entry e = ref idx.At(i);
                if (e.Kind != (tn.IsTag ? IndexKind.Tag : IndexKind.TypeName)) continue;
                CType t = TypeAt(e.Die);
                if (tn.Matches(t)) r.Add(t);
            }
        }
        return r;
    }

    /// <summary>A function by name; the definition with code is preferred over declarations/abstract instances.</summary>
    public Function? FindFunction(string name)
    {
        TypeIndex idx = Index;
        lock (Gate)
        {
            if (_fnByName.TryGetValue(name, out Function? cached)) return cached;
            Function? f = FindFunctionUncached(idx, name);
            _fnByName[name] = f;
            return f;
        }
    }

    private readonly Dictionary<string, Function?> _fnByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CType?> _typeByName = new(StringComparer.Ordinal);

    private Function? FindFunctionUncached(TypeIndex idx, string name)
    {
        {
            ulong fallback = 0;
            for (int i = idx.Head(name); i >= 0; i = idx.At(i).Next)
            {
                ref readonly TypeIndex.Entry e = ref idx.At(i);
                if (e.Kind != IndexKind.Function) continue;
                if ((e.Flags & TypeIndex.FlagDefined) != 0) return FunctionAtDie(e.Die);
                if (fallback == 0) fallback = e.Die;
            }
            // An ELF alias (glibc: printf → __printf, malloc → __libc_malloc): the function at the symbol's address.
            // (Not an IFUNC: its symbol is the resolver's, a different function; callers that want it ask for it.)
            ElfSymbol? sym = FindSymbol(name);
            if (sym is { IsFunction: true, IsIndirect: false })
            {
                Function? byAddr = FunctionAt(sym.Value.Address);
                if (byAddr != null) return byAddr;
            }
            return fallback != 0 ? FunctionAtDie(fallback) : null;
        }
    }

    /// <summary>A global (or file-static) variable by name; the definition with a location is preferred.</summary>
    public Variable? FindGlobal(string name)
    {
        TypeIndex idx = Index;
        lock (Gate)
        {
            ulong fallback = 0;
            for (int i = idx.Head(name); i >= 0; i = idx.At(i).Next)
            {
                ref readonly TypeIndex.Entry e = ref idx.At(i);
                if (e.Kind != IndexKind.Variable) continue;
                if ((e.Flags & TypeIndex.FlagDefined) != 0) return VariableAtDie(e.Die, 0);
                if (fallback == 0) fallback = e.Die;
            }
            return fallback != 0 ? VariableAtDie(fallback, 0) : null;
        }
    }

    /// <summary>Every global (or file-static) variable of the module that has a definition with a location, in index
    /// order (a variable indexed under several names or units may appear more than once: callers dedupe by address).
    /// The roots of the typing of a heap by pointers (<see cref="Census.PointerTyping"/>).</summary>
    public List<Variable> DefinedGlobals()
    {
        TypeIndex idx = Index;
        var list = new List<Variable>();
        lock (Gate)
        {
            for (int i = 0; i < idx.EntryCount; i++)
            {
                ref readonly TypeIndex.Entry e = ref idx.At(i);
                if (e.Kind != IndexKind.Variable || (e.Flags & TypeIndex.FlagDefined) == 0) continue;
                Variable? v = VariableAtDie(e.Die, 0);
                if (v is not null) list.Add(v);
            }
        }
        return list;
    }

    private Variable? VariableAtDie(ulong off, int depth)
    {
        DwarfDie die;
        if (LibDw.dwarf_offdie(DwH, off, &die) == null) return null;
        return MakeVariable(&die, false, depth);
    }

    // ------------------------------------------------------------------ functions

    /// <summary>The function (real, not inlined) whose code contains a DWARF pc; null if none.</summary>
    public Function? FunctionAt(ulong dwarfPc)
    {
        lock (Gate)
        {
            CheckAlive();
            if (DwH == 0) return null;
            ulong b;
            DwarfDie* cu = LibDw.dwfl_module_addrdie(Mod, dwarfPc + Bias, &b);
            if (cu == null || !_pcScopes.Find(DwH, cu, dwarfPc, _pcScopeList)) return null;
            DwarfDie function = _pcScopeList[^1]; // the subprogram: the last, outermost scope
            return FunctionAtDie(LibDw.dwarf_dieoffset(&function));
        }
    }

    /// <summary>Inlined frames at a DWARF pc, innermost first, then the containing function (names only).</summary>
    public List<string?> ScopeNamesAt(ulong dwarfPc)
    {
        var r = new List<string?>();
        lock (Gate)
        {
            CheckAlive();
            if (DwH == 0) return r;
            ulong b;
            DwarfDie* cu = LibDw.dwfl_module_addrdie(Mod, dwarfPc + Bias, &b);
            if (cu == null || !_pcScopes.Find(DwH, cu, dwarfPc, _pcScopeList)) return r;
            foreach (DwarfDie scope in _pcScopeList)
            {
                DwarfDie die = scope;
                int tag = LibDw.dwarf_tag(&die);
                if (tag == Dw.TagInlinedSubroutine) r.Add(Name(&die));
                else if (tag == Dw.TagSubprogram) { r.Add(Name(&die)); break; }
            }
        }
        return r;
    }

    // Which scopes contain a pc, without walking the whole unit each time (PcScopes); under Gate.
    private readonly PcScopes _pcScopes = new();
    private readonly List<DwarfDie> _pcScopeList = new();

    /// <summary>The function whose DW_TAG_subprogram DIE is at <paramref name="dieOffset"/>.</summary>
    public Function? FunctionAtOffset(ulong dieOffset)
    {
        lock (Gate) { CheckAlive(); return FunctionAtDie(dieOffset); }
    }

    private Function? FunctionAtDie(ulong off)
    {
        if (_functions.TryGetValue(off, out Function? f)) return f;
        DwarfDie die;
        if (DwH == 0 || LibDw.dwarf_offdie(DwH, off, &die) == null || LibDw.dwarf_tag(&die) != Dw.TagSubprogram) return null;

        var ranges = new List<PcRange>(1);
        ulong basep, s, e;
        nint o = 0;
        while ((o = LibDw.dwarf_ranges(&die, o, &basep, &s, &e)) > 0) ranges.Add(new PcRange(s, e));
        ulong entry = 0;
        if (LibDw.dwarf_entrypc(&die, &entry) != 0) entry = ranges.Count > 0 ? ranges[0].Start : 0;

        var ps = new List<Variable>();
        var locals = new List<Variable>();
        var inl = new List<InlinedCall>();
        bool variadic = false;
        WalkBody(&die, 0, 0, ps, locals, inl, ref variadic);

        var ptypes = new CType[ps.Count];
        for (int i = 0; i < ptypes.Length; i++) ptypes[i] = ps[i].Type;
        var ftype = new FunctionType(this, 0, TypeOf(&die), ptypes, variadic, Flag(&die, Dw.AtPrototyped));
        string? linkage = AttrString(&die, Dw.AtLinkageName);
        int declLine = 0;
        LibDw.dwarf_decl_line(&die, &declLine);
        CompileUnit? unit = UnitOfDie(&die);
        f = new Function(this, off, Name(&die), linkage, ranges.ToArray(), entry, ftype, ps.ToArray(), locals.ToArray(), inl.ToArray(),
            Intern(LibDw.dwarf_decl_file(&die)), declLine, Flag(&die, Dw.AtExternal), unit?.Offset ?? 0)
        { FrameBase = ReadLocation(&die, Dw.AtFrameBase) };
        _functions[off] = f;
        return f;
    }

    private void WalkBody(DwarfDie* scope, int depth, int inlineDepth, List<Variable> ps, List<Variable> locals, List<InlinedCall> inl, ref bool variadic)
    {
        DwarfDie child;
        if (LibDw.dwarf_child(scope, &child) != 0) return;
        do
        {
            int tag = LibDw.dwarf_tag(&child);
            switch (tag)
            {
                case Dw.TagFormalParameter:
                    if (depth == 0 && inlineDepth == 0) ps.Add(MakeVariable(&child, true, 0));
                    break;
                case Dw.TagUnspecifiedParameters:
                    if (depth == 0 && inlineDepth == 0) variadic = true;
                    break;
                case Dw.TagVariable:
                    if (inlineDepth == 0) locals.Add(MakeVariable(&child, false, depth));
                    break;
                case Dw.TagLexicalBlock:
                    WalkBody(&child, depth + 1, inlineDepth, ps, locals, inl, ref variadic);
                    break;
                case Dw.TagInlinedSubroutine:
                {
                    var rs = new List<PcRange>(1);
                    ulong b, s, e;
                    nint o = 0;
                    while ((o = LibDw.dwarf_ranges(&child, o, &b, &s, &e)) > 0) rs.Add(new PcRange(s, e));
                    UData(&child, Dw.AtCallLine, out ulong cl);
                    inl.Add(new InlinedCall(Name(&child), LibDw.dwarf_dieoffset(&child), rs.ToArray(), CallFile(&child), (int)cl, inlineDepth + 1));
                    WalkBody(&child, depth + 1, inlineDepth + 1, ps, locals, inl, ref variadic);
                    break;
                }
            }
        } while (LibDw.dwarf_siblingof(&child, &child) == 0);
    }

    private string? CallFile(DwarfDie* die)
    {
        if (!UData(die, Dw.AtCallFile, out ulong idx)) return null;
        DwarfDie cu;
        if (LibDw.dwarf_diecu(die, &cu, null, null) == null) return null;
        nint files;
        nuint nfiles;
        if (LibDw.dwarf_getsrcfiles(&cu, &files, &nfiles) != 0 || idx >= nfiles) return null;
        return Intern(LibDw.dwarf_filesrc(files, (nuint)idx, null, null));
    }

    private Variable MakeVariable(DwarfDie* die, bool isParam, int depth)
    {
        int line = 0;
        LibDw.dwarf_decl_line(die, &line);
        return new Variable(this, LibDw.dwarf_dieoffset(die), Name(die), TypeOf(die), ReadLocation(die), isParam,
            Flag(die, Dw.AtExternal), Flag(die, Dw.AtDeclaration), Intern(LibDw.dwarf_decl_file(die)), line, depth);
    }

    private Location ReadLocation(DwarfDie* die, uint attribute = Dw.AtLocation)
    {
        DwarfAttribute a;
        if (LibDw.dwarf_attr(die, attribute, &a) == null) return Location.None;
        var ranges = new List<LocationRange>(1);
        ulong basep, s, e;
        DwarfOp* expr;
        nuint len;
        nint o = 0;
        int guard = 0;
        while ((o = LibDw.dwarf_getlocations(&a, o, &basep, &s, &e, &expr, &len)) > 0 && guard++ < 100000)
        {
            var ops = new LocationOp[(int)len];
            for (int i = 0; i < ops.Length; i++) ops[i] = Unwinding.LocationOps.Convert(&a, expr + i);
            ranges.Add(new LocationRange(s, e, ops));
        }
        if (o < 0 && ranges.Count == 0) return Location.None;
        return new Location(ranges.ToArray());
    }

    // ------------------------------------------------------------------ ELF symbols (fallback)

    /// <summary>The ELF symbol containing a DWARF pc (works without DWARF).</summary>
    public ElfSymbol? SymbolAt(ulong dwarfPc)
    {
        lock (Gate)
        {
            CheckAlive();
            _symbolIndex ??= DwflSymbolIndex.Build(Mod);
            if (!_symbolIndex.Lookup(dwarfPc + Bias, out DwflSymbol found)) return null;
            return new ElfSymbol(Intern(found.Name)!, found.Value - Bias, found.Size, found.Type == 2);
        }
    }

    /// <summary>An ELF symbol by name (symtab, else dynsym); address is a DWARF address.</summary>
    public ElfSymbol? FindSymbol(string name)
    {
        lock (Gate)
        {
            CheckAlive();
            if (_symbols is null)
            {
                var d = new Dictionary<string, ElfSymbol>(StringComparer.Ordinal);
                int n = LibDw.dwfl_module_getsymtab(Mod);
                byte* sym = stackalloc byte[24];
                for (int i = 1; i < n; i++)
                {
                    ulong addr, bias;
                    uint shndx;
                    nint elf;
                    byte* nm = LibDw.dwfl_module_getsym_info(Mod, i, sym, &addr, &shndx, &elf, &bias);
                    if (nm == null || nm[0] == 0 || shndx == 0) continue;
                    string s = Intern(nm)!;
                    int type = sym[4] & 0xf;
                    if (type != 1 && type != 2 && type != 10) continue; // OBJECT / FUNC / GNU_IFUNC
                    var es = new ElfSymbol(s, addr - Bias, *(ulong*)(sym + 16), type != 1, type == 10);
                    if (!d.ContainsKey(s) || (sym[4] >> 4) == 1) d[s] = es; // prefer GLOBAL binding
                }
                _symbols = d;
            }
            return _symbols.TryGetValue(name, out ElfSymbol r) ? r : null;
        }
    }
}

public sealed unsafe partial class DwarfModule
{
    /// <summary>The GNU build-id note as lowercase hex; null when the object has none.</summary>
    public string? BuildId
    {
        get
        {
            lock (Gate)
            {
                CheckAlive();
                byte* bits;
                ulong vaddr;
                int n = LibDw.dwfl_module_build_id(Mod, &bits, &vaddr);
                if (n <= 0 || bits == null) return null;
                return Convert.ToHexString(new ReadOnlySpan<byte>(bits, n)).ToLowerInvariant();
            }
        }
    }

    /// <summary>Names of the functions and data objects the object defines with global or weak binding (what
    /// another object can link against), sorted. Reads symtab, else dynsym.</summary>
    public List<string> ExportedNames()
    {
        var r = new List<string>();
        lock (Gate)
        {
            CheckAlive();
            int n = LibDw.dwfl_module_getsymtab(Mod);
            byte* sym = stackalloc byte[24];
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 1; i < n; i++)
            {
                ulong addr, bias;
                uint shndx;
                nint elf;
                byte* nm = LibDw.dwfl_module_getsym_info(Mod, i, sym, &addr, &shndx, &elf, &bias);
                if (nm == null || nm[0] == 0 || shndx == 0) continue;
                int type = sym[4] & 0xf, binding = sym[4] >> 4;
                if (type != 1 && type != 2 && type != 10) continue; // OBJECT / FUNC / GNU_IFUNC
                if (binding != 1 && binding != 2) continue;       // GLOBAL / WEAK
                string s = Intern(nm)!;
                if (s.Contains('@')) s = s.Substring(0, s.IndexOf('@'));
                if (seen.Add(s)) r.Add(s);
            }
        }
        r.Sort(StringComparer.Ordinal);
        return r;
    }
}

public sealed unsafe partial class DwarfModule
{
    /// <summary>Benchmark baseline: a straight libdw walk over every DIE of every unit calling dwarf_tag and
    /// dwarf_diename (no model, no index). Returns the number of DIEs.</summary>
    public long RawWalk()
    {
        lock (Gate)
        {
            CheckAlive();
            long n = 0;
            IReadOnlyList<CompileUnit> units = LoadUnits();
            for (int u = 0; u < units.Count; u++)
            {
                DwarfDie cu;
                if (LibDw.dwarf_offdie(DwH, units[u].DieOffset, &cu) == null) continue;
                n += WalkRec(&cu, 0);
            }
            return n;
        }
    }

    private static long WalkRec(DwarfDie* die, int depth)
    {
        long n = 1;
        LibDw.dwarf_tag(die);
        LibDw.dwarf_diename(die);
        DwarfDie child;
        if (depth > 256 || LibDw.dwarf_child(die, &child) != 0) return n;
        do n += WalkRec(&child, depth + 1);
        while (LibDw.dwarf_siblingof(&child, &child) == 0);
        return n;
    }
}
