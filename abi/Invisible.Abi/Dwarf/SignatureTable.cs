using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace Invisible.Abi.Dwarf;

/// <summary>What a name of a module resolved to (DwarfPython's <c>lib.NAME</c>), as the signature table keeps it.</summary>
public readonly struct TableFunction
{
    public TableFunction(long offset, FunctionType? type, string? signatureName, string?[] parameterNames)
    {
        Offset = offset; Type = type; SignatureName = signatureName; ParameterNames = parameterNames;
    }
    /// <summary>The entry point's address minus the module's start (checked against the loader's answer on use).</summary>
    public long Offset { get; }
    /// <summary>The prototype; null for an entry point with no signature.</summary>
    public FunctionType? Type { get; }
    /// <summary>The function name and parameter names the call signature carries (for messages).</summary>
    public string? SignatureName { get; }
    public string?[] ParameterNames { get; }
}

/// <summary>
/// The signature table of a big module (libc): the prototypes of the functions, the types by name, the globals'
/// types and the enumerators a process resolved through libdw, with every type they reach (struct/union members
/// included, transitively), kept in <c>$XDG_CACHE_HOME/invisible/dwarf-index/BUILDID.sig</c> beside the name index.
/// A later process answers those names from the table without opening libdw at all (opening libc's 10 MB DWARF and
/// making its first types is most of <c>import c</c>'s cost); a name the table lacks is resolved through libdw as
/// before (libdw opened then, lazily) and added to the table. Types read from the table are the module's own
/// <see cref="CType"/>s (same DIE offsets, registered in its type cache), so a later libdw lookup shares them.
/// Valid only for the same file: the table records the module's path, size and modification time and those of the
/// DWARF file, and is ignored when any differs (the build-id is its name). A file that does not parse is ignored;
/// written to a temporary name and renamed, so readers never see half a file. Kept only for modules whose name index
/// is cached (<see cref="TypeIndexCache.MinUnits"/> units or more).
/// </summary>
public sealed class SignatureTable
{
    private static readonly byte[] Magic = "INVSIG01"u8.ToArray();
    private const int MaxRecords = 1 << 20;

    private readonly DwarfModule _module;
    private readonly string _file;
    private readonly string _moduleStamp;
    private string? _dwarfStamp;   // null until known (a table made without a DWARF stamp is never written)
    private readonly Dictionary<string, TableFunction> _functions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CType> _types = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CType> _globals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _enumerators = new(StringComparer.Ordinal);

    private SignatureTable(DwarfModule module, string file, string moduleStamp, string? dwarfStamp)
    {
        _module = module; _file = file; _moduleStamp = moduleStamp; _dwarfStamp = dwarfStamp;
    }

    /// <summary>Read from the cache file (true) or started empty in this process.</summary>
    public bool FromCache { get; private set; }
    /// <summary>Names the table holds (functions, types, globals, enumerators).</summary>
    public int Count => _functions.Count + _types.Count + _globals.Count + _enumerators.Count;
    /// <summary>The cache file.</summary>
    public string FilePath => _file;

    /// <summary>$XDG_CACHE_HOME/invisible/dwarf-index/BUILDID.sig (null when the index cache is off).</summary>
    internal static string? FileFor(string buildId) => TypeIndexCache.Directory is string dir ? Path.Combine(dir, buildId + ".sig") : null;

    /// <summary>The module's table from its cache file (without opening libdw), or null when there is none, it is
    /// for another file, or it does not parse.</summary>
    internal static SignatureTable? TryLoad(DwarfModule module, string buildId)
    {
        string? file = FileFor(buildId);
        string? stamp = TypeIndexCache.Stamp(module.Path);
        if (file == null || stamp == null) return null;
        byte[] bytes;
        try
        {
            if (!File.Exists(file)) return null;
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { return null; }
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        var t = new SignatureTable(module, file, stamp, null);
        bool ok;
        try
        {
            ok = t.Parse(bytes);
        }
        catch (Exception e) when (e is EndOfStreamException || e is IOException || e is ArgumentException || e is FormatException
                                  || e is OverflowException || e is InvalidDataException || e is DecoderFallbackException)
        {
            ok = false;
        }
        TypeIndexCache.Log(file + ": signature table " + (ok ? "read, " + t.Count.ToString(CultureInfo.InvariantCulture) + " names" : "ignored (another file, or damaged)")
            + " (" + System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture) + " ms)");
        if (!ok) return null;
        t.FromCache = true;
        return t;
    }

    /// <summary>An empty table for a module whose DWARF is open (names resolved through libdw are added to it).</summary>
    internal static SignatureTable? Start(DwarfModule module, string buildId, string dwarfFile)
    {
        string? file = FileFor(buildId);
        string? stamp = TypeIndexCache.Stamp(module.Path);
        string? dstamp = TypeIndexCache.Stamp(dwarfFile);
        return file == null || stamp == null || dstamp == null ? null : new SignatureTable(module, file, stamp, dstamp);
    }

    // ------------------------------------------------------------------ lookups (the module's Gate is held by callers)

    public bool TryGetFunction(string name, out TableFunction f) { lock (_module.Gate) return _functions.TryGetValue(name, out f); }
    public CType? Type(string name) { lock (_module.Gate) return _types.TryGetValue(name, out CType? t) ? t : null; }
    public CType? Global(string name) { lock (_module.Gate) return _globals.TryGetValue(name, out CType? t) ? t : null; }
    public bool TryGetEnumerator(string name, out long value) { lock (_module.Gate) return _enumerators.TryGetValue(name, out value); }

    // ------------------------------------------------------------------ recording

    /// <summary>Adds a function resolved through libdw and rewrites the file (best effort). False when it cannot be
    /// kept (a type of another module, a stamp that cannot be read).</summary>
    public bool AddFunction(string name, TableFunction f)
    {
        lock (_module.Gate)
        {
            if (f.Type != null && !Serializable(f.Type)) return false;
            _functions[name] = f;
            return Save();
        }
    }

    public bool AddType(string name, CType t)
    {
        lock (_module.Gate)
        {
            if (!Serializable(t)) return false;
            _types[name] = t;
            return Save();
        }
    }

    public bool AddGlobal(string name, CType t)
    {
        lock (_module.Gate)
        {
            if (!Serializable(t)) return false;
            _globals[name] = t;
            return Save();
        }
    }

    public bool AddEnumerator(string name, long value)
    {
        lock (_module.Gate)
        {
            _enumerators[name] = value;
            return Save();
        }
    }

    /// <summary>Every type reachable is this module's or the synthetic void (a type of another module has DIE offsets
    /// that mean nothing here).</summary>
    private bool Serializable(CType t)
    {
        var seen = new HashSet<CType>(ReferenceEqualityComparer.Instance);
        var work = new Stack<CType>();
        work.Push(t);
        while (work.Count > 0)
        {
            CType x = work.Pop();
            if (!seen.Add(x)) continue;
            if (x.Module != _module && !ReferenceEquals(x, VoidType.Instance)) return false;
            foreach (CType c in Children(x)) work.Push(c);
        }
        return true;
    }

    private static IEnumerable<CType> Children(CType t)
    {
        switch (t)
        {
            case PointerType p: yield return p.Target; break;
            case QualifiedType q: yield return q.Target; break;
            case TypedefType td: yield return td.Target; break;
            case ArrayType a: yield return a.Element; break;
            case EnumType e: if (e.Underlying != null) yield return e.Underlying; break;
            case FunctionType f:
                yield return f.ReturnType;
                foreach (CType p in f.Parameters) yield return p;
                break;
            case StructType s:
                if (!s.IsDeclaration) foreach (Member m in s.Members) yield return m.Type;
                break;
        }
    }

    // File layout (BinaryWriter, little-endian; strings are .NET's length-prefixed UTF-8; a nullable string is a
    // bool then the string):
    //   "INVSIG01", module stamp, DWARF stamp, DWARF file path,
    //   i32 types, each: u8 kind, u64 DIE offset, then by kind (references are indices into the types):
    //     Void: string name, bool unspecified; VoidInstance: nothing; Base: string name, i64 size, u8 encoding;
    //     Pointer/Reference: i64 size, bool rvalue, i32 target; Qualified: u8 flags (1 const, 2 volatile, 4 restrict,
    //     8 atomic), i32 target; Typedef: string name, i32 target;
    //     Struct/Union/Class: nullable tag, i64 size, bool declaration, i32 members (-1: not kept), each: nullable
    //     name, i32 type, i64 offset, i32 bit size, i64 bit offset;
    //     Array: i32 element, i32 dims, i64 each; Enum: nullable tag, i64 size, bool declaration, i32 underlying
    //     (-1 none), i32 values, each: string name, i64 value; Function: i32 return, bool variadic, bool prototyped,
    //     i32 parameters, i32 each; Unknown: i32 tag, i64 size;
    //   i32 functions, each: string name, i64 offset, i32 type (-1: no signature), nullable signature name,
    //     i32 parameter names, nullable string each;
    //   i32 types by name, each: string name, i32 type; i32 globals, each: string name, i32 type;
    //   i32 enumerators, each: string name, i64 value;
    //   u64 FNV-1a of everything before.
    private const byte KVoidInstance = 100;

    private bool Save()
    {
        if (_dwarfStamp == null) return false;
        string dwarfFile = _dwarfStamp.Split('\n')[0];
        string tmp = _file + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        try
        {
            var ids = new Dictionary<CType, int>(ReferenceEqualityComparer.Instance);
            var order = new List<CType>();
            foreach (TableFunction f in _functions.Values) if (f.Type != null) Number(f.Type, ids, order);
            foreach (CType t in _types.Values) Number(t, ids, order);
            foreach (CType t in _globals.Values) Number(t, ids, order);
            Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write))
            using (var w = new BinaryWriter(fs, Encoding.UTF8))
            {
                w.Write(Magic);
                w.Write(_moduleStamp);
                w.Write(_dwarfStamp);
                w.Write(dwarfFile);
                w.Write(order.Count);
                foreach (CType t in order) WriteType(w, t, ids);
                w.Write(_functions.Count);
                foreach (KeyValuePair<string, TableFunction> kv in _functions)
                {
                    w.Write(kv.Key);
                    w.Write(kv.Value.Offset);
                    w.Write(kv.Value.Type != null ? ids[kv.Value.Type] : -1);
                    WriteNullable(w, kv.Value.SignatureName);
                    w.Write(kv.Value.ParameterNames.Length);
                    foreach (string? p in kv.Value.ParameterNames) WriteNullable(w, p);
                }
                w.Write(_types.Count);
                foreach (KeyValuePair<string, CType> kv in _types) { w.Write(kv.Key); w.Write(ids[kv.Value]); }
                w.Write(_globals.Count);
                foreach (KeyValuePair<string, CType> kv in _globals) { w.Write(kv.Key); w.Write(ids[kv.Value]); }
                w.Write(_enumerators.Count);
                foreach (KeyValuePair<string, long> kv in _enumerators) { w.Write(kv.Key); w.Write(kv.Value); }
            }
            // the checksum: a flipped bit anywhere makes the table ignored, not wrongly typed
            byte[] body = File.ReadAllBytes(tmp);
            using (var fs = new FileStream(tmp, FileMode.Append, FileAccess.Write))
                fs.Write(BitConverter.GetBytes(Fnv1a(body)));
            File.Move(tmp, _file, overwrite: true);
            return true;
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            return false;
        }
    }

    /// <summary>Numbers every type reachable from <paramref name="root"/> (iteratively: pointer chains can be long).</summary>
    private static void Number(CType root, Dictionary<CType, int> ids, List<CType> order)
    {
        var work = new Stack<CType>();
        work.Push(root);
        while (work.Count > 0)
        {
            CType t = work.Pop();
            if (ids.ContainsKey(t)) continue;
            ids[t] = order.Count;
            order.Add(t);
            foreach (CType c in Children(t)) work.Push(c);
        }
    }

    private static void WriteNullable(BinaryWriter w, string? s)
    {
        w.Write(s != null);
        if (s != null) w.Write(s);
    }

    private static void WriteType(BinaryWriter w, CType t, Dictionary<CType, int> ids)
    {
        if (ReferenceEquals(t, VoidType.Instance)) { w.Write(KVoidInstance); w.Write(0UL); return; }
        w.Write((byte)t.Kind);
        w.Write(t.DieOffset);
        switch (t)
        {
            case VoidType v: w.Write(v.Name ?? "void"); w.Write(v.IsUnspecified); break;
            case BaseType b: w.Write(b.Name ?? "?"); w.Write(b.Size); w.Write((byte)b.Encoding); break;
            case PointerType p: w.Write(p.Size); w.Write(p.IsRvalue); w.Write(ids[p.Target]); break;
            case QualifiedType q:
                w.Write((byte)((q.IsConst ? 1 : 0) | (q.IsVolatile ? 2 : 0) | (q.IsRestrict ? 4 : 0) | (q.IsAtomic ? 8 : 0)));
                w.Write(ids[q.Target]);
                break;
            case TypedefType td: w.Write(td.Name ?? "?"); w.Write(ids[td.Target]); break;
            case StructType s:
                WriteNullable(w, s.Tag); w.Write(s.Size); w.Write(s.IsDeclaration);
                if (s.IsDeclaration) { w.Write(-1); break; }
                w.Write(s.Members.Count);
                foreach (Member m in s.Members)
                {
                    WriteNullable(w, m.Name); w.Write(ids[m.Type]); w.Write(m.Offset); w.Write(m.BitSize); w.Write(m.BitOffset);
                }
                break;
            case ArrayType a:
                w.Write(ids[a.Element]);
                w.Write(a.DimensionArray.Length);
                foreach (long d in a.DimensionArray) w.Write(d);
                break;
            case EnumType e:
                WriteNullable(w, e.Tag); w.Write(e.Size); w.Write(e.IsDeclaration);
                w.Write(e.Underlying != null ? ids[e.Underlying] : -1);
                w.Write(e.Values.Count);
                foreach (Enumerator en in e.Values) { w.Write(en.Name); w.Write(en.Value); }
                break;
            case FunctionType f:
                w.Write(ids[f.ReturnType]); w.Write(f.IsVariadic); w.Write(f.IsPrototyped);
                w.Write(f.Parameters.Count);
                foreach (CType p in f.Parameters) w.Write(ids[p]);
                break;
            case UnknownType u: w.Write(u.Tag); w.Write(u.Size); break;
            default: throw new InvalidDataException("unexpected type " + t.GetType().Name);
        }
    }

    // ------------------------------------------------------------------ reading

    private sealed class Raw
    {
        public byte Kind;
        public ulong Die;
        public string? Name;
        public bool Flag1, Flag2;
        public long Size;
        public byte Small;
        public int Ref = -1;
        public int[]? Refs;
        public long[]? Longs;
        public (string? Name, int Type, long Offset, int BitSize, long BitOffset)[]? Members;
        public Enumerator[]? Values;
        public CType? Made;
        public bool Making;
    }

    private static ulong Fnv1a(ReadOnlySpan<byte> data)
    {
        ulong h = 14695981039346656037UL;
        foreach (byte b in data) h = (h ^ b) * 1099511628211UL;
        return h;
    }

    private bool Parse(byte[] all)
    {
        if (all.Length < Magic.Length + 8 || !all.AsSpan(0, Magic.Length).SequenceEqual(Magic)) return false;
        byte[] bytes = all.AsSpan(0, all.Length - 8).ToArray();
        if (BitConverter.ToUInt64(all, all.Length - 8) != Fnv1a(bytes)) return false;
        using var r = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
        r.ReadBytes(Magic.Length);
        if (r.ReadString() != _moduleStamp) return false;
        string dwarfStamp = r.ReadString();
        string dwarfFile = r.ReadString();
        if (TypeIndexCache.Stamp(dwarfFile) != dwarfStamp) return false;
        int n = Count32(r, bytes.Length);
        var raws = new Raw[n];
        for (int i = 0; i < n; i++) raws[i] = ReadRaw(r, n, bytes.Length);
        var made = new CType[n];
        lock (_module.Gate)
        {
            for (int i = 0; i < n; i++) made[i] = Make(raws, i, 0);
            int nf = Count32(r, bytes.Length);
            for (int i = 0; i < nf; i++)
            {
                string name = r.ReadString();
                long off = r.ReadInt64();
                int type = Ref(r, n, true);
                string? sn = ReadNullable(r);
                int np = Count32(r, bytes.Length);
                var pn = new string?[np];
                for (int k = 0; k < np; k++) pn[k] = ReadNullable(r);
                FunctionType? ft = null;
                if (type >= 0) ft = made[type] as FunctionType ?? throw new InvalidDataException("not a function type");
                _functions[name] = new TableFunction(off, ft, sn, pn);
            }
            int nt = Count32(r, bytes.Length);
            for (int i = 0; i < nt; i++) { string name = r.ReadString(); _types[name] = made[Ref(r, n, false)]; }
            int ng = Count32(r, bytes.Length);
            for (int i = 0; i < ng; i++) { string name = r.ReadString(); _globals[name] = made[Ref(r, n, false)]; }
            int ne = Count32(r, bytes.Length);
            for (int i = 0; i < ne; i++) { string name = r.ReadString(); _enumerators[name] = r.ReadInt64(); }
        }
        if (r.BaseStream.Position != bytes.Length) return false;
        lock (_module.Gate)
            foreach ((ulong die, CType t) in _made) _module.AdoptType(die, t);
        _made.Clear();
        _dwarfStamp = dwarfStamp;
        return true;
    }

    private static int Count32(BinaryReader r, int fileLength)
    {
        int n = r.ReadInt32();
        if (n < 0 || n > MaxRecords || n > fileLength) throw new InvalidDataException("bad count");
        return n;
    }

    private static int Ref(BinaryReader r, int n, bool allowNone)
    {
        int i = r.ReadInt32();
        if (allowNone && i == -1) return -1;
        if (i < 0 || i >= n) throw new InvalidDataException("bad type reference");
        return i;
    }

    private static string? ReadNullable(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;

    private static Raw ReadRaw(BinaryReader r, int n, int fileLength)
    {
        var x = new Raw { Kind = r.ReadByte(), Die = r.ReadUInt64() };
        switch (x.Kind)
        {
            case KVoidInstance: break;
            case (byte)CTypeKind.Void: x.Name = r.ReadString(); x.Flag1 = r.ReadBoolean(); break;
            case (byte)CTypeKind.Base: x.Name = r.ReadString(); x.Size = r.ReadInt64(); x.Small = r.ReadByte(); break;
            case (byte)CTypeKind.Pointer:
            case (byte)CTypeKind.Reference: x.Size = r.ReadInt64(); x.Flag1 = r.ReadBoolean(); x.Ref = Ref(r, n, false); break;
            case (byte)CTypeKind.Qualified: x.Small = r.ReadByte(); x.Ref = Ref(r, n, false); break;
            case (byte)CTypeKind.Typedef: x.Name = r.ReadString(); x.Ref = Ref(r, n, false); break;
            case (byte)CTypeKind.Struct:
            case (byte)CTypeKind.Union:
            case (byte)CTypeKind.Class:
            {
                x.Name = ReadNullable(r); x.Size = r.ReadInt64(); x.Flag1 = r.ReadBoolean();
                int nm = r.ReadInt32();
                if (nm == -1) break;
                if (nm < 0 || nm > fileLength) throw new InvalidDataException("bad member count");
                x.Members = new (string?, int, long, int, long)[nm];
                for (int i = 0; i < nm; i++)
                    x.Members[i] = (ReadNullable(r), Ref(r, n, false), r.ReadInt64(), r.ReadInt32(), r.ReadInt64());
                break;
            }
            case (byte)CTypeKind.Array:
            {
                x.Ref = Ref(r, n, false);
                int nd = Count32(r, fileLength);
                x.Longs = new long[nd];
                for (int i = 0; i < nd; i++) x.Longs[i] = r.ReadInt64();
                break;
            }
            case (byte)CTypeKind.Enum:
            {
                x.Name = ReadNullable(r); x.Size = r.ReadInt64(); x.Flag1 = r.ReadBoolean(); x.Ref = Ref(r, n, true);
                int nv = Count32(r, fileLength);
                x.Values = new Enumerator[nv];
                for (int i = 0; i < nv; i++) x.Values[i] = new Enumerator(r.ReadString(), r.ReadInt64());
                break;
            }
            case (byte)CTypeKind.Function:
            {
                x.Ref = Ref(r, n, false); x.Flag1 = r.ReadBoolean(); x.Flag2 = r.ReadBoolean();
                int np = Count32(r, fileLength);
                x.Refs = new int[np];
                for (int i = 0; i < np; i++) x.Refs[i] = Ref(r, n, false);
                break;
            }
            case (byte)CTypeKind.Unknown: x.Ref = r.ReadInt32(); x.Size = r.ReadInt64(); break;
            default: throw new InvalidDataException("bad type kind");
        }
        return x;
    }

    /// <summary>Makes type <paramref name="i"/>, its dependencies first where a constructor needs them (function,
    /// array, enum); pointers, qualifiers, typedefs and structs are registered before their targets, so cycles
    /// (a struct holding a pointer to itself) close as libdw's reading closes them. A DIE the module has already
    /// made a type for keeps that object.</summary>
    private CType Make(Raw[] raws, int i, int depth)
    {
        Raw x = raws[i];
        if (x.Made != null) return x.Made;
        if (depth > 4096 || x.Making) throw new InvalidDataException("type graph too deep or cyclic");
        if (x.Die != 0 && _module.CachedType(x.Die) is CType existing) return x.Made = existing;
        x.Making = true;
        CType t;
        switch (x.Kind)
        {
            case KVoidInstance: t = VoidType.Instance; break;
            case (byte)CTypeKind.Void: t = new VoidType(_module, x.Die, x.Name!); break;
            case (byte)CTypeKind.Base: t = new BaseType(_module, x.Die, x.Name!, x.Size, (BaseEncoding)x.Small); break;
            case (byte)CTypeKind.Pointer:
            case (byte)CTypeKind.Reference:
            {
                var p = new PointerType(_module, x.Die, x.Size, x.Kind == (byte)CTypeKind.Reference, x.Flag1);
                Register(x, p);
                p.Target = Make(raws, x.Ref, depth + 1);
                return p;
            }
            case (byte)CTypeKind.Qualified:
            {
                var q = new QualifiedType(_module, x.Die, (x.Small & 1) != 0, (x.Small & 2) != 0, (x.Small & 4) != 0, (x.Small & 8) != 0);
                Register(x, q);
                q.Target = Make(raws, x.Ref, depth + 1);
                return q;
            }
            case (byte)CTypeKind.Typedef:
            {
                var td = new TypedefType(_module, x.Die, x.Name!);
                Register(x, td);
                td.Target = Make(raws, x.Ref, depth + 1);
                return td;
            }
            case (byte)CTypeKind.Struct:
            case (byte)CTypeKind.Union:
            case (byte)CTypeKind.Class:
            {
                var s = new StructType(_module, x.Die, (CTypeKind)x.Kind, x.Name, x.Size, x.Flag1);
                Register(x, s);
                if (x.Members != null)
                {
                    var ms = new Member[x.Members.Length];
                    for (int k = 0; k < ms.Length; k++)
                    {
                        var m = x.Members[k];
                        ms[k] = new Member(m.Name, Make(raws, m.Type, depth + 1), m.Offset, m.BitSize, m.BitOffset);
                    }
                    s.SetMembers(ms);
                }
                return s;
            }
            case (byte)CTypeKind.Array: t = new ArrayType(_module, x.Die, Make(raws, x.Ref, depth + 1), x.Longs!); break;
            case (byte)CTypeKind.Enum:
                t = new EnumType(_module, x.Die, x.Name, x.Size, x.Values!, x.Ref >= 0 ? Make(raws, x.Ref, depth + 1) : null, x.Flag1);
                break;
            case (byte)CTypeKind.Function:
            {
                CType ret = Make(raws, x.Ref, depth + 1);
                var ps = new CType[x.Refs!.Length];
                for (int k = 0; k < ps.Length; k++) ps[k] = Make(raws, x.Refs[k], depth + 1);
                t = new FunctionType(_module, x.Die, ret, ps, x.Flag1, x.Flag2);
                break;
            }
            default: t = new UnknownType(_module, x.Die, x.Ref, x.Size); break;
        }
        Register(x, t);
        return t;
    }

    private void Register(Raw x, CType t)
    {
        x.Made = t;
        x.Making = false;
        if (x.Die != 0) _made.Add((x.Die, t));
    }

    // Types made by Parse, given to the module only when the whole file has parsed (a damaged file adds nothing).
    private readonly List<(ulong Die, CType Type)> _made = new();
}
