using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;
using Invisible.Abi.Native;

namespace Invisible.Abi.Dwarf;

/// <summary>
/// One ELF object and its DWARF (in the file, or separate debug info found by build-id / .gnu_debuglink under
/// /usr/lib/debug). Nothing is read until asked: types are materialized per DIE on first use and cached; the
/// name index (<see cref="Index"/>) is built on the first by-name lookup. Addresses in this API are DWARF
/// addresses (file virtual addresses, before the load bias); <see cref="Bias"/> converts.
/// All members are thread-safe (one lock per module; libdw is not thread-safe).
/// </summary>
public sealed unsafe partial class DwarfModule : IDisposable
{
    internal readonly object Gate = new();
    private nint _dwfl;            // owned only when _ownsDwfl
    private readonly bool _ownsDwfl;
    private DwflCallbacks* _callbacks;
    internal nint Mod;
    private nint _dw;              // Dwarf*, 0 when the module has no DWARF
    private bool _dwOpened;
    private ulong _bias;
    private string? _debugFile;
    private string? _error;

    /// <summary>Dwarf* (opened on first use: finding and decompressing separate debug info costs tens of ms for libc).</summary>
    internal nint DwH
    {
        get
        {
            if (!_dwOpened) OpenDwarf();
            return _dw;
        }
    }
    private readonly Dictionary<ulong, CType> _types = new();
    private readonly Dictionary<ulong, Function> _functions = new();
    private readonly Dictionary<nint, string> _strings = new();
    private List<CompileUnit>? _units;
    private Dictionary<ulong, CompileUnit>? _unitsByDie;
    private TypeIndex? _index;
    private Dictionary<string, ElfSymbol>? _symbols;
    private DwflSymbolIndex? _symbolIndex; // address → symbol (libdw's own lookup scans every symbol)
    private bool _disposed;

    /// <summary>Path of the ELF file.</summary>
    public string Path { get; }
    /// <summary>Separate debug file, if DWARF came from one (e.g. /usr/lib/debug/.build-id/xx/yyy.debug).</summary>
    public string? DebugFile { get { lock (Gate) { if (!_dwOpened) OpenDwarf(); return _debugFile; } } }
    /// <summary>Load bias: runtime address = DWARF address + Bias.</summary>
    public ulong Bias { get { lock (Gate) { if (!_dwOpened) OpenDwarf(); return _bias; } } }
    /// <summary>Runtime address range covered by the module.</summary>
    public ulong Start { get; private set; }
    public ulong End { get; private set; }
    /// <summary>Where code bytes come from when the module is not mapped in this process (opened from its file):
    /// DWARF address and length → bytes. Null: read this process's memory.</summary>
    internal Func<ulong, ulong, byte[]>? CodeReader { get; set; }
    /// <summary>True when DWARF was found and opened.</summary>
    public bool HasDwarf { get { lock (Gate) return DwH != 0; } }
    /// <summary>Why DWARF is unavailable or partly unreadable (null when all is fine).</summary>
    public string? Error { get { lock (Gate) { if (!_dwOpened) OpenDwarf(); return _error; } } }

    private DwarfModule(string path, nint dwfl, bool owns, nint mod)
    {
        Path = path;
        _dwfl = dwfl;
        _ownsDwfl = owns;
        Mod = mod;
        Attach();
    }

    /// <summary>Wrap a module of a live Dwfl (owned by a <see cref="ProcessImage"/>).</summary>
    internal static DwarfModule FromDwfl(string path, nint dwfl, nint mod) => new(path, dwfl, false, mod);

    private void Attach()
    {
        ulong start, end;
        LibDw.dwfl_module_info(Mod, null, &start, &end, null, null, null, null);
        Start = start;
        End = end;
    }

    private void OpenDwarf()
    {
        _dwOpened = true;
        if (Mod == 0) return;
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        ulong bias = 0;
        nint dw = LibDw.dwfl_module_getdwarf(Mod, &bias);
        if (dw != 0)
        {
            _dw = dw;
            _bias = bias;
        }
        else
        {
            string why = LibDw.DwflError();
            ulong eb = 0;
            if (LibDw.dwfl_module_getelf(Mod, &eb) != 0) _bias = eb;
            AddError("no DWARF (" + why + "); using ELF symbols");
        }
        byte* main = null, dbg = null;
        LibDw.dwfl_module_info(Mod, null, null, null, null, null, &main, &dbg);
        string? d = LibDw.Str(dbg), m = LibDw.Str(main);
        _debugFile = d != null && d != m ? d : null;
        if (TypeIndexCache.Logging)
            TypeIndexCache.Log(Path + ": libdw opened" + (_debugFile != null ? " (" + _debugFile + ")" : "") + " ("
                + System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalMilliseconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture) + " ms)");
    }

    /// <summary>Open an ELF file on disk for offline reading. Throws <see cref="DwarfException"/> with a clear
    /// message when the file is missing, not ELF, or truncated. A file whose ELF is fine but whose DWARF is
    /// missing or broken opens with <see cref="HasDwarf"/> false and <see cref="Error"/> set.</summary>
    public static DwarfModule Open(string path)
    {
        if (!System.IO.File.Exists(path)) throw new DwarfException(path + ": no such file");
        string? bad = CheckElfHeader(path);
        if (bad != null) throw new DwarfException(path + ": not a readable ELF object: " + bad);
        var cb = (DwflCallbacks*)NativeMemory.AllocZeroed((nuint)sizeof(DwflCallbacks));
        nint dwfl = 0;
        try
        {
            cb->FindElf = LibDw.BuildIdFindElf();
            cb->FindDebuginfo = LibDw.StandardFindDebuginfo();
            cb->SectionAddress = LibDw.Export("dwfl_offline_section_address");
            cb->DebuginfoPath = DebugFileCache.SearchPath();
            dwfl = LibDw.dwfl_begin(cb);
            if (dwfl == 0) throw new DwarfException(path + ": dwfl_begin: " + LibDw.DwflError());
            nint mod;
            byte[] p = Utf8(path);
            fixed (byte* pp = p)
            {
                int fd = RuntimeDescriptors.OpenForLibdw(pp); // inside a program: out of its descriptor numbers
                mod = LibDw.dwfl_report_offline(dwfl, pp, pp, fd);
                if (mod == 0 && fd >= 0) RuntimeDescriptors.Close(fd); // taken by libdw only on success
            }
            string err = mod == 0 ? LibDw.DwflError() : "";
            LibDw.dwfl_report_end(dwfl, 0, 0);
            if (mod == 0) throw new DwarfException(path + ": not a readable ELF object: " + err);
            var m = new DwarfModule(path, dwfl, true, mod);
            m._callbacks = cb;
            ulong elfBias;
            if (!m.HasDwarf && LibDw.dwfl_module_getelf(mod, &elfBias) == 0)
            {
                string why = LibDw.DwflError();
                m.Mod = 0;
                m._dwfl = 0;          // the catch below ends the Dwfl and frees the callbacks, once
                m._callbacks = null;
                m._disposed = true;
                throw new DwarfException(path + ": not a readable ELF object: " + why);
            }
            return m;
        }
        catch (DwarfException)
        {
            if (dwfl != 0) LibDw.dwfl_end(dwfl);
            NativeMemory.Free(cb);
            throw;
        }
        catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
        {
            NativeMemory.Free(cb);
            throw new DwarfException(path + ": libdw unavailable: " + e.Message, e);
        }
    }

    /// <summary>Cheap sanity check of the ELF header against the file size (libelf accepts some truncated files
    /// and only fails later, with less precise messages). Null when plausible.</summary>
    internal static string? CheckElfHeader(string path)
    {
        try
        {
            using var fs = new System.IO.FileStream(path, System.IO.FileMode.Open, System.IO.FileAccess.Read, System.IO.FileShare.ReadWrite);
            long len = fs.Length;
            Span<byte> h = stackalloc byte[64];
            int got = 0;
            while (got < 64)
            {
                int n = fs.Read(h.Slice(got));
                if (n <= 0) break;
                got += n;
            }
            if (got < 4 || h[0] != 0x7f || h[1] != (byte)'E' || h[2] != (byte)'L' || h[3] != (byte)'F') return "no ELF magic";
            if (got < 64 || h[4] != 2) return got < 64 ? "truncated ELF header (" + len + " bytes)" : "not a 64-bit ELF file";
            ulong phoff = BitConverter.ToUInt64(h.Slice(32, 8));
            ulong shoff = BitConverter.ToUInt64(h.Slice(40, 8));
            ushort phentsize = BitConverter.ToUInt16(h.Slice(54, 2)), phnum = BitConverter.ToUInt16(h.Slice(56, 2));
            ushort shentsize = BitConverter.ToUInt16(h.Slice(58, 2)), shnum = BitConverter.ToUInt16(h.Slice(60, 2));
            if (phnum > 0 && phoff + (ulong)phentsize * phnum > (ulong)len)
                return "truncated: program headers end at " + (phoff + (ulong)phentsize * phnum) + " but the file has " + len + " bytes";
            if (shnum > 0 && shoff + (ulong)shentsize * shnum > (ulong)len)
                return "truncated: section headers end at " + (shoff + (ulong)shentsize * shnum) + " but the file has " + len + " bytes";
            return null;
        }
        catch (System.IO.IOException e) { return e.Message; }
        catch (UnauthorizedAccessException e) { return e.Message; }
    }

    /// <summary><see cref="Open"/> without exceptions.</summary>
    public static bool TryOpen(string path, out DwarfModule? module, out string? error)
    {
        try { module = Open(path); error = null; return true; }
        catch (DwarfException e) { module = null; error = e.Message; return false; }
    }

    internal static byte[] Utf8(string s)
    {
        byte[] b = new byte[Encoding.UTF8.GetByteCount(s) + 1];
        Encoding.UTF8.GetBytes(s, 0, s.Length, b, 0);
        return b;
    }

    public void Dispose()
    {
        lock (Gate)
        {
            if (_disposed) return;
            _disposed = true;
            if (_ownsDwfl && _dwfl != 0) LibDw.dwfl_end(_dwfl);
            _dwfl = 0;
            _dw = 0;
            _dwOpened = true;
            Mod = 0;
            if (_callbacks != null) { NativeMemory.Free(_callbacks); _callbacks = null; }
        }
    }

    private void CheckAlive()
    {
        if (_disposed) throw new ObjectDisposedException(Path);
    }

    internal string? Intern(byte* p)
    {
        if (p == null) return null;
        if (_strings.TryGetValue((nint)p, out string? s)) return s;
        s = Marshal.PtrToStringUTF8((nint)p)!;
        _strings[(nint)p] = s;
        return s;
    }

    public override string ToString() => Path + (HasDwarf ? "" : " (no DWARF)");

    // ------------------------------------------------------------------ units

    /// <summary>All compile units (headers only; cheap).</summary>
    public IReadOnlyList<CompileUnit> Units
    {
        get { lock (Gate) { CheckAlive(); return LoadUnits(); } }
    }

    private List<CompileUnit> LoadUnits()
    {
        if (_units != null) return _units;
        var list = new List<CompileUnit>();
        var byDie = new Dictionary<ulong, CompileUnit>();
        if (DwH != 0)
        {
            ulong off = 0, next;
            nuint hsize;
            ushort version;
            ulong abbrev;
            byte asz, osz;
            while (true)
            {
                // Type-signature outputs must be null: with them libdw walks type units instead.
                int rc = LibDw.dwarf_next_unit(DwH, off, &next, &hsize, &version, &abbrev, &asz, &osz, null, null);
                if (rc != 0)
                {
                    if (rc < 0) AddError(".debug_info unit at 0x" + off.ToString("x") + ": " + LibDw.DwarfError());
                    break;
                }
                DwarfDie cu;
                ulong dieOff = off + hsize;
                if (LibDw.dwarf_offdie(DwH, dieOff, &cu) != null)
                {
                    string? name = Intern(LibDw.dwarf_diename(&cu));
                    string? dir = AttrString(&cu, Dw.AtCompDir);
                    var unit = new CompileUnit(this, off, dieOff, name, dir, LibDw.dwarf_srclang(&cu), version);
                    list.Add(unit);
                    byDie[dieOff] = unit;
                }
                else AddError("unit DIE at 0x" + dieOff.ToString("x") + ": " + LibDw.DwarfError());
                if (next <= off) break;
                off = next;
            }
        }
        _units = list;
        _unitsByDie = byDie;
        return list;
    }

    internal void AddError(string what)
    {
        string e = Path + ": " + what;
        _error = _error is null ? e : _error + "; " + e;
    }

    private CompileUnit? UnitOfDie(DwarfDie* die)
    {
        DwarfDie cu;
        if (LibDw.dwarf_diecu(die, &cu, null, null) == null) return null;
        LoadUnits();
        return _unitsByDie!.TryGetValue(LibDw.dwarf_dieoffset(&cu), out CompileUnit? u) ? u : null;
    }

    /// <summary>The compile unit covering a DWARF pc, or null.</summary>
    public CompileUnit? UnitAt(ulong dwarfPc)
    {
        lock (Gate)
        {
            CheckAlive();
            if (DwH == 0) return null;
            ulong b;
            DwarfDie* cu = LibDw.dwfl_module_addrdie(Mod, dwarfPc + Bias, &b);
            if (cu == null) return null;
            LoadUnits();
            return _unitsByDie!.TryGetValue(LibDw.dwarf_dieoffset(cu), out CompileUnit? u) ? u : null;
        }
    }

    // ------------------------------------------------------------------ attribute helpers

    internal static bool UData(DwarfDie* die, uint at, out ulong value)
    {
        DwarfAttribute a;
        ulong v = 0;
        if (LibDw.dwarf_attr_integrate(die, at, &a) != null && LibDw.dwarf_formudata(&a, &v) == 0) { value = v; return true; }
        value = 0;
        return false;
    }

    internal static bool SData(DwarfDie* die, uint at, out long value)
    {
        DwarfAttribute a;
        long v = 0;
        if (LibDw.dwarf_attr_integrate(die, at, &a) != null && LibDw.dwarf_formsdata(&a, &v) == 0) { value = v; return true; }
        value = 0;
        return false;
    }

    internal static bool Flag(DwarfDie* die, uint at)
    {
        DwarfAttribute a;
        byte f = 0;
        return LibDw.dwarf_attr_integrate(die, at, &a) != null && LibDw.dwarf_formflag(&a, &f) == 0 && f != 0;
    }

    internal string? AttrString(DwarfDie* die, uint at)
    {
        DwarfAttribute a;
        if (LibDw.dwarf_attr_integrate(die, at, &a) == null) return null;
        return Intern(LibDw.dwarf_formstring(&a));
    }

    internal string? Name(DwarfDie* die) => Intern(LibDw.dwarf_diename(die));

    // ------------------------------------------------------------------ types

    /// <summary>The type whose DIE is at <paramref name="dieOffset"/> in .debug_info.</summary>
    public CType TypeAtOffset(ulong dieOffset)
    {
        lock (Gate) { CheckAlive(); return TypeAt(dieOffset); }
    }

    /// <summary>The type already made for a DIE, or null (never reads DWARF).</summary>
    internal CType? CachedType(ulong off) => _types.TryGetValue(off, out CType? t) ? t : null;

    /// <summary>A type the signature table made for a DIE (under <see cref="Gate"/>).</summary>
    internal void AdoptType(ulong off, CType t) => _types.TryAdd(off, t);

    /// <summary>libdw has opened this module's DWARF (a warm start answered from the signature table has not).</summary>
    public bool DwarfOpened { get { lock (Gate) return _dwOpened && _dw != 0; } }

    private SignatureTable? _signatures;
    private bool _signaturesLooked;

    /// <summary>The signature table kept for this module by a previous process (<see cref="SignatureTable"/>), read
    /// without opening libdw; null when there is none (or it is stale or damaged).</summary>
    public SignatureTable? Signatures
    {
        get
        {
            lock (Gate)
            {
                CheckAlive();
                if (!_signaturesLooked)
                {
                    _signaturesLooked = true;
                    if (TypeIndexCache.Directory != null && BuildId is string id) _signatures = SignatureTable.TryLoad(this, id);
                }
                return _signatures;
            }
        }
    }

    /// <summary>The table to add names resolved through libdw to: the one read, else a new one when this module's
    /// name index is cached (a big module: <see cref="TypeIndexCache.MinUnits"/> units); null otherwise.</summary>
    public SignatureTable? SignaturesToFill()
    {
        SignatureTable? t = Signatures;
        if (t != null) return t;
        TypeIndex idx = Index;
        lock (Gate)
        {
            if (_signatures != null) return _signatures;
            if (DwH == 0 || idx.UnitCount < TypeIndexCache.MinUnits || BuildId is not string id) return null;
            return _signatures = SignatureTable.Start(this, id, _debugFile ?? Path);
        }
    }

    internal CType TypeAt(ulong off)
    {
        if (_types.TryGetValue(off, out CType? t)) return t;
        DwarfDie die;
        if (DwH == 0 || LibDw.dwarf_offdie(DwH, off, &die) == null)
        {
            t = new UnknownType(this, off, 0, -1);
            _types[off] = t;
            return t;
        }
        return Build(&die, off);
    }

    /// <summary>DW_AT_type of a DIE (following abstract_origin/specification); void when absent.</summary>
    internal CType TypeOf(DwarfDie* die)
    {
        DwarfAttribute a;
        DwarfDie t;
        if (LibDw.dwarf_attr_integrate(die, Dw.AtType, &a) == null) return VoidType.Instance;
        if (LibDw.dwarf_formref_die(&a, &t) == null) return VoidType.Instance;
        return TypeAt(LibDw.dwarf_dieoffset(&t));
    }

    private CType Build(DwarfDie* die, ulong off)
    {
        int tag = LibDw.dwarf_tag(die);
        CType t;
        switch (tag)
        {
            case Dw.TagBaseType:
            {
                UData(die, Dw.AtEncoding, out ulong enc);
                t = new BaseType(this, off, Name(die) ?? "?", LibDw.dwarf_bytesize(die), (BaseEncoding)(byte)enc);
                _types[off] = t;
                return t;
            }
            case Dw.TagPointerType:
            case Dw.TagReferenceType:
            case Dw.TagRvalueReferenceType:
            {
                int size = LibDw.dwarf_bytesize(die);
                var p = new PointerType(this, off, size > 0 ? size : 8, tag != Dw.TagPointerType, tag == Dw.TagRvalueReferenceType);
                _types[off] = p;
                p.Target = TypeOf(die);
                return p;
            }
            case Dw.TagConstType:
            case Dw.TagVolatileType:
            case Dw.TagRestrictType:
            case Dw.TagAtomicType:
            {
                var q = new QualifiedType(this, off, tag == Dw.TagConstType, tag == Dw.TagVolatileType, tag == Dw.TagRestrictType, tag == Dw.TagAtomicType);
                _types[off] = q;
                q.Target = TypeOf(die);
                return q;
            }
            case Dw.TagTypedef:
            {
                var td = new TypedefType(this, off, Name(die) ?? "?");
                _types[off] = td;
                td.Target = TypeOf(die);
                return td;
            }
            case Dw.TagStructureType:
            case Dw.TagUnionType:
            case Dw.TagClassType:
            {
                CTypeKind kind = tag == Dw.TagUnionType ? CTypeKind.Union : tag == Dw.TagClassType ? CTypeKind.Class : CTypeKind.Struct;
                bool decl = Flag(die, Dw.AtDeclaration);
                int size = LibDw.dwarf_bytesize(die);
                t = new StructType(this, off, kind, Name(die), decl ? -1 : size, decl);
                _types[off] = t;
                return t;
            }
            case Dw.TagArrayType:
            {
                var dims = new List<long>(1);
                DwarfDie child;
                if (LibDw.dwarf_child(die, &child) == 0)
                {
                    do
                    {
                        int ct = LibDw.dwarf_tag(&child);
                        if (ct != Dw.TagSubrangeType && ct != Dw.TagEnumerationType) continue;
                        dims.Add(Bound(&child));
                    } while (LibDw.dwarf_siblingof(&child, &child) == 0);
                }
                if (dims.Count == 0) dims.Add(-1);
                // Element first: arrays cannot contain themselves except through a pointer (which is cached first).
                CType elem = TypeOf(die);
                if (_types.TryGetValue(off, out CType? done)) return done;
                t = new ArrayType(this, off, elem, dims.ToArray());
                _types[off] = t;
                return t;
            }
            case Dw.TagEnumerationType:
            {
                bool decl = Flag(die, Dw.AtDeclaration);
                int size = LibDw.dwarf_bytesize(die);
                CType? under = null;
                DwarfAttribute a;
                if (LibDw.dwarf_attr(die, Dw.AtType, &a) != null) under = TypeOf(die);
                bool unsigned = under?.Unqualified is BaseType bt && !bt.IsSigned;
                var vals = new List<Enumerator>();
                DwarfDie child;
                if (LibDw.dwarf_child(die, &child) == 0)
                {
                    do
                    {
                        if (LibDw.dwarf_tag(&child) != Dw.TagEnumerator) continue;
                        long v = 0;
                        DwarfAttribute cv;
                        if (LibDw.dwarf_attr(&child, Dw.AtConstValue, &cv) != null)
                        {
                            uint form = cv.Form;
                            if (form == Dw.FormSdata || form == Dw.FormImplicitConst || !unsigned && form != Dw.FormUdata)
                            {
                                long sv;
                                if (LibDw.dwarf_formsdata(&cv, &sv) == 0) v = SignFix(sv, form, unsigned);
                            }
                            else
                            {
                                ulong uv;
                                if (LibDw.dwarf_formudata(&cv, &uv) == 0) v = (long)uv;
                            }
                        }
                        vals.Add(new Enumerator(Name(&child) ?? "?", v));
                    } while (LibDw.dwarf_siblingof(&child, &child) == 0);
                }
                t = new EnumType(this, off, Name(die), decl ? -1 : size, vals.ToArray(), under, decl);
                _types[off] = t;
                return t;
            }
            case Dw.TagSubroutineType:
            {
                // Register a placeholder-free type: parameters may point back only through pointers.
                t = BuildFunctionType(die, off);
                return t;
            }
            case Dw.TagUnspecifiedType:
                t = new VoidType(this, off, Name(die) ?? "void");
                _types[off] = t;
                return t;
            default:
                t = new UnknownType(this, off, tag, LibDw.dwarf_bytesize(die));
                _types[off] = t;
                return t;
        }
    }

    /// <summary>libdw's dwarf_formsdata zero-extends fixed-size data forms; sign-extend them for signed enums.</summary>
    private static long SignFix(long v, uint form, bool unsigned)
    {
        if (unsigned) return v;
        return form switch
        {
            Dw.FormData1 => (sbyte)(byte)v,
            Dw.FormData2 => (short)(ushort)v,
            Dw.FormData4 => (int)(uint)v,
            _ => v,
        };
    }

    private FunctionType BuildFunctionType(DwarfDie* die, ulong off)
    {
        CType ret = TypeOf(die);
        var ps = new List<CType>();
        bool variadic = false;
        DwarfDie child;
        if (LibDw.dwarf_child(die, &child) == 0)
        {
            do
            {
                int ct = LibDw.dwarf_tag(&child);
                if (ct == Dw.TagFormalParameter) ps.Add(TypeOf(&child));
                else if (ct == Dw.TagUnspecifiedParameters) variadic = true;
            } while (LibDw.dwarf_siblingof(&child, &child) == 0);
        }
        if (off != 0 && _types.TryGetValue(off, out CType? done) && done is FunctionType fdone) return fdone;
        var f = new FunctionType(this, off, ret, ps.ToArray(), variadic, Flag(die, Dw.AtPrototyped));
        if (off != 0) _types[off] = f;
        return f;
    }

    /// <summary>Element count of a subrange DIE; -1 when unknown (flexible array member, VLA).</summary>
    private static long Bound(DwarfDie* sub)
    {
        if (UData(sub, Dw.AtCount, out ulong count)) return (long)count;
        DwarfAttribute a;
        if (LibDw.dwarf_attr(sub, Dw.AtUpperBound, &a) == null) return -1;
        uint form = a.Form;
        // Non-constant bounds (exprloc, reference to a variable) belong to VLAs: unknown.
        if (form == Dw.FormExprloc || form == Dw.FormBlock1 || form == Dw.FormBlock || (form >= 0x10 && form <= 0x14)) return -1;
        // Constant forms are read with the subrange type's signedness (DWARF 5, 7.5.5: data1/2/4/8 have no sign of
        // their own): C's index type is unsigned (sizetype), so `char buf[256]`'s upper bound 255 in DW_FORM_data1
        // is 255, not -1. Only DW_FORM_sdata and a signed index type are read as signed.
        long upper;
        if (form == Dw.FormSdata || form == Dw.FormImplicitConst || SubrangeIsSigned(sub))
        {
            if (LibDw.dwarf_formsdata(&a, &upper) != 0) return -1;
        }
        else
        {
            ulong u;
            if (LibDw.dwarf_formudata(&a, &u) != 0) return -1;
            upper = (long)u;   // an all-ones data8 (upper bound -1 of a zero-length array) stays -1
        }
        long lower = 0;
        if (SData(sub, Dw.AtLowerBound, out long lb)) lower = lb;
        long n = upper - lower + 1;   // upper = -1 (zero-length array) gives 0
        return n < 0 ? 0 : n;
    }

    /// <summary>The subrange's index type is a signed base type (DW_ATE_signed or signed_char); C's is unsigned.</summary>
    private static bool SubrangeIsSigned(DwarfDie* sub)
    {
        DwarfAttribute a;
        DwarfDie t;
        if (LibDw.dwarf_attr_integrate(sub, Dw.AtType, &a) == null || LibDw.dwarf_formref_die(&a, &t) == null) return false;
        for (int hops = 0; hops < 8 && LibDw.dwarf_tag(&t) == Dw.TagTypedef; hops++)
            if (LibDw.dwarf_attr_integrate(&t, Dw.AtType, &a) == null || LibDw.dwarf_formref_die(&a, &t) == null) return false;
        if (LibDw.dwarf_tag(&t) != Dw.TagBaseType) return false;
        return UData(&t, Dw.AtEncoding, out ulong encoding) && (encoding == 0x05 || encoding == 0x06);
    }

    internal Member[] LoadMembers(ulong structOffset)
    {
        lock (Gate)
        {
            CheckAlive();
            DwarfDie die, child;
            if (DwH == 0 || LibDw.dwarf_offdie(DwH, structOffset, &die) == null) return Array.Empty<Member>();
            var ms = new List<Member>();
            if (LibDw.dwarf_child(&die, &child) == 0)
            {
                do
                {
                    if (LibDw.dwarf_tag(&child) != Dw.TagMember) continue;
                    if (Flag(&child, Dw.AtDeclaration)) continue; // a C++ static member (DWARF 4): no place in the object
                    CType type = TypeOf(&child);
                    long byteOff = MemberLocation(&child);
                    int bitSize = LibDw.dwarf_bitsize(&child);
                    if (bitSize > 0)
                    {
                        long bitPos;
                        if (UData(&child, Dw.AtDataBitOffset, out ulong dbo)) bitPos = (long)dbo;
                        else if (UData(&child, Dw.AtBitOffset, out ulong bo))
                        {
                            // DWARF 2/3: offset of the field's MSB within its storage unit (little-endian host).
                            long storage = LibDw.dwarf_bytesize(&child);
                            if (storage <= 0) storage = type.Size;
                            bitPos = byteOff * 8 + storage * 8 - (long)bo - bitSize;
                        }
                        else bitPos = byteOff * 8;
                        ms.Add(new Member(Name(&child), type, bitPos / 8, bitSize, bitPos));
                    }
                    else ms.Add(new Member(Name(&child), type, byteOff, 0, byteOff * 8));
                } while (LibDw.dwarf_siblingof(&child, &child) == 0);
            }
            return ms.ToArray();
        }
    }

    private static long MemberLocation(DwarfDie* m)
    {
        DwarfAttribute a;
        if (LibDw.dwarf_attr(m, Dw.AtDataMemberLocation, &a) == null) return 0;
        ulong v;
        if (LibDw.dwarf_formudata(&a, &v) == 0) return (long)v;
        // DWARF 2 style: a block DW_OP_plus_uconst N.
        DwarfBlock b;
        if (LibDw.dwarf_formblock(&a, &b) == 0 && b.Length >= 2 && b.Data[0] == Dw.OpPlusUconst)
            return (long)b.OperandUleb128();
        return 0;
    }

    internal IReadOnlyList<CType> LoadUnitTypes(CompileUnit unit)
    {
        lock (Gate)
        {
            CheckAlive();
            if (unit.TopTypes != null) return unit.TopTypes;
            var list = new List<CType>();
            DwarfDie cu, child;
            if (DwH != 0 && LibDw.dwarf_offdie(DwH, unit.DieOffset, &cu) != null && LibDw.dwarf_child(&cu, &child) == 0)
            {
                do
                {
                    int tag = LibDw.dwarf_tag(&child);
                    if (tag == Dw.TagStructureType || tag == Dw.TagUnionType || tag == Dw.TagClassType || tag == Dw.TagEnumerationType
                        || tag == Dw.TagTypedef || tag == Dw.TagBaseType)
                        list.Add(TypeAt(LibDw.dwarf_dieoffset(&child)));
                } while (LibDw.dwarf_siblingof(&child, &child) == 0);
            }
            unit.TopTypes = list;
            return list;
        }
    }

    // ------------------------------------------------------------------ lines

    internal LineTable LoadLineTable(CompileUnit unit)
    {
        lock (Gate)
        {
            CheckAlive();
            if (unit.Lines != null) return unit.Lines;
            DwarfDie cu;
            nint lines;
            nuint n;
            var rows = new List<LineRow>();
            var files = new List<string>();
            var fileIdx = new Dictionary<nint, int>();
            if (DwH != 0 && LibDw.dwarf_offdie(DwH, unit.DieOffset, &cu) != null)
            {
                if (LibDw.dwarf_getsrclines(&cu, &lines, &n) == 0)
                {
                    rows.Capacity = (int)n;
                    for (nuint i = 0; i < n; i++)
                    {
                        nint l = LibDw.dwarf_onesrcline(lines, i);
                        if (l == 0) continue;
                        ulong addr;
                        int line = 0, col = 0;
                        byte stmt = 0, end = 0;
                        LibDw.dwarf_lineaddr(l, &addr);
                        LibDw.dwarf_lineno(l, &line);
                        LibDw.dwarf_linecol(l, &col);
                        LibDw.dwarf_linebeginstatement(l, &stmt);
                        LibDw.dwarf_lineendsequence(l, &end);
                        byte* src = LibDw.dwarf_linesrc(l, null, null);
                        if (!fileIdx.TryGetValue((nint)src, out int fi))
                        {
                            fi = files.Count;
                            files.Add(Intern(src) ?? "");
                            fileIdx[(nint)src] = fi;
                        }
                        rows.Add(new LineRow(addr, line, col, fi, stmt != 0, end != 0));
                    }
                }
                else AddError("line table of " + (unit.Name ?? "?") + ": " + LibDw.DwarfError());
            }
            unit.Lines = new LineTable(rows.ToArray(), files.ToArray());
            return unit.Lines;
        }
    }

    /// <summary>file:line for a DWARF pc (the line table row covering it).</summary>
    public bool TryGetLine(ulong dwarfPc, out string? file, out int line)
    {
        CompileUnit? u = UnitAt(dwarfPc);
        if (u != null)
        {
            LineTable lt = u.LineTable;
            if (lt.TryFind(dwarfPc, out LineRow row)) { file = lt.FileOf(row); line = row.Line; return true; }
        }
        file = null;
        line = 0;
        return false;
    }
}
