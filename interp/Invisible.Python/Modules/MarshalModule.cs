using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Numerics;
using System.Text;
using Invisible.Python.Compiler;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>marshal</c> (Python/marshal.c), format version 4: None, booleans, ints, floats, complex numbers, str,
/// bytes, tuples, lists, dicts, sets, frozensets, Ellipsis and StopIteration, with back-references (FLAG_REF) as
/// CPython writes and reads them, so data made by either interpreter loads in the other. Code objects are ours: they
/// are written with a type code CPython does not use (<see cref="CodeType"/>) in our own layout, versioned by
/// <see cref="CodeFormatVersion"/> (which is part of <c>sys.implementation.cache_tag</c>); CPython's code objects
/// cannot be loaded ("bad marshal data (unknown type code)").
/// </summary>
public static class MarshalModule
{
    /// <summary>The layout of our code objects (and of the compiler's output): bump it whenever the compiler's
    /// instructions or <see cref="CodeObject"/>'s fields change, so old cache files are ignored.</summary>
    public const int CodeFormatVersion = 6;

    /// <summary>What a cached code object must have been made by: <see cref="CodeFormatVersion"/> and the compiler's
    /// instruction set (the names of <see cref="Op"/> in order, which move whenever an instruction is added), so a
    /// rebuilt interpreter never runs code compiled for another one.</summary>
    private static readonly int CompilerFingerprint = MakeFingerprint();

    private static int MakeFingerprint()
    {
        uint h = 2166136261;
        foreach (var n in Enum.GetNames<Op>())
        {
            foreach (char ch in n) { h ^= ch; h *= 16777619; }
            h ^= ','; h *= 16777619;
        }
        return unchecked((int)(h ^ (uint)CodeFormatVersion * 0x9E3779B1u));
    }
    public const int Version = 4;

    private const byte TypeNull = (byte)'0', TypeNone = (byte)'N', TypeFalse = (byte)'F', TypeTrue = (byte)'T',
        TypeStopIter = (byte)'S', TypeEllipsis = (byte)'.', TypeInt = (byte)'i', TypeInt64 = (byte)'I',
        TypeFloat = (byte)'f', TypeBinaryFloat = (byte)'g', TypeComplex = (byte)'x', TypeBinaryComplex = (byte)'y',
        TypeLong = (byte)'l', TypeString = (byte)'s', TypeInterned = (byte)'t', TypeRef = (byte)'r',
        TypeTuple = (byte)'(', TypeList = (byte)'[', TypeDict = (byte)'{', TypeUnicode = (byte)'u',
        TypeSet = (byte)'<', TypeFrozenSet = (byte)'>', TypeAscii = (byte)'a', TypeAsciiInterned = (byte)'A',
        TypeSmallTuple = (byte)')', TypeShortAscii = (byte)'z', TypeShortAsciiInterned = (byte)'Z';
    /// <summary>Our code objects (CPython's is 'c', which we cannot load).</summary>
    private const byte CodeType = (byte)'C';
    private const byte FlagRef = 0x80;
    private const int MaxDepth = 2000;

    private static readonly ArgParser DumpsArgs = new("dumps", "value, version=4, /");
    private static readonly ArgParser DumpArgs = new("dump", "value, file, version=4, /");
    private static readonly ArgParser LoadsArgs = new("loads", "bytes, /");
    private static readonly ArgParser LoadArgs = new("load", "file, /");

    public static PyModule Create()
    {
        var m = new PyModule("marshal");
        m.Add("version", PyInt.Get(Version));
        m.AddFn("dumps", (a, k) =>
        {
            var args = DumpsArgs.Parse(a, k);
            return new PyBytes(Dumps(args[0]!, args.Int(1, Version)));
        });
        m.AddFn("dump", (a, k) =>
        {
            var args = DumpArgs.Parse(a, k);
            var data = Dumps(args[0]!, args.Int(2, Version));
            Ops.CallMethod(args[1]!, "write", new PyBytes(data));
            return PyNone.Instance;
        });
        m.AddFn("loads", (a, k) =>
        {
            var args = LoadsArgs.Parse(a, k);
            if (args[0] is PyMemoryView mv) return Loads(mv.ToBytes(), out _);
            if (!Buffers.TryRead(args[0]!, out var span))
                throw Ops.TypeError($"a bytes-like object is required, not '{args[0]!.Type.Name}'");
            return Loads(span.ToArray(), out _);
        });
        m.AddFn("load", (a, k) =>
        {
            var file = LoadArgs.Parse(a, k)[0]!;
            var read = Ops.GetAttr(file, "read");
            var r = new Reader(n =>
            {
                var got = Ops.Call1(read, PyInt.Get(n));
                if (got is not PyBytes b) throw Ops.TypeError($"file.read() returned not bytes but {got.Type.Name}");
                return b.Span.ToArray();
            });
            return r.Object() ?? throw BadData("NULL object in marshal data for object");
        });
        return m;
    }

    // ------------------------------------------------------------------ writing

    /// <summary>CPython's <c>marshal.dumps(value, version)</c>; ValueError "unmarshallable object" for other types.</summary>
    public static byte[] Dumps(PyObject value, int version = Version)
    {
        var w = new Writer(version);
        w.CountShared(value, 0);
        w.Object(value);
        return w.ToArray();
    }

    private sealed class Writer
    {
        private readonly MemoryStream _o = new();
        private readonly int _version;
        private readonly Dictionary<PyObject, int> _refs = new(ReferenceEqualityComparer.Instance);
        private int _depth;

        private readonly Dictionary<PyObject, int> _mutableUses = new(ReferenceEqualityComparer.Instance);

        public Writer(int version) => _version = version;

        private static bool IsMutable(PyObject v) => v is PyList or PyDict or PyByteArray || v is PySet s && !s.Frozen;

        /// <summary>CPython flags (FLAG_REF) only objects that have more than one reference. Immutable values are
        /// nearly always shared (constants, interned strings, small ints) and are flagged; a mutable container met
        /// once inside the value is not (CPython's fresh list in a list), one met twice or more is. Counted first.</summary>
        public void CountShared(PyObject v, int depth)
        {
            if (depth > MaxDepth) return;
            if (IsMutable(v))
            {
                _mutableUses.TryGetValue(v, out int n);
                _mutableUses[v] = n + 1;
                if (n > 0) return;
            }
            switch (v)
            {
                case PyTuple t: foreach (var x in t.Items) CountShared(x, depth + 1); break;
                case PyList l: for (int i = 0; i < l.Count; i++) CountShared(l.Items[i], depth + 1); break;
                case PyDict d: foreach (var kv in d.Items()) { CountShared(kv.Key, depth + 1); CountShared(kv.Value, depth + 1); } break;
                case PySet s: foreach (var x in Ops.ToArray(s)) CountShared(x, depth + 1); break;
            }
        }
        public byte[] ToArray() => _o.ToArray();

        private void Byte(byte b) => _o.WriteByte(b);
        private void Int32(int v) { Span<byte> s = stackalloc byte[4]; BinaryPrimitives.WriteInt32LittleEndian(s, v); _o.Write(s); }
        private void Double(double v) { Span<byte> s = stackalloc byte[8]; BinaryPrimitives.WriteDoubleLittleEndian(s, v); _o.Write(s); }
        private void Bytes(ReadOnlySpan<byte> b) { Int32(b.Length); _o.Write(b); }

        public void Object(PyObject v)
        {
            if (++_depth > MaxDepth) throw Ops.ValueError("object too deeply nested to marshal");
            try
            {
                if (v == PyNone.Instance) Byte(TypeNone);
                else if (v == PyBaseException.StopIterationType) Byte(TypeStopIter);
                else if (v == PyEllipsis.Instance) Byte(TypeEllipsis);
                else if (v == PyBool.False) Byte(TypeFalse);
                else if (v == PyBool.True) Byte(TypeTrue);
                else Complex(v);
            }
            finally { _depth--; }
        }

        /// <summary>Version 3+: every other object is remembered (FLAG_REF), and a second occurrence of the same object
        /// is a back-reference. (CPython flags only objects with more than one reference; loading is the same.)</summary>
        private bool Ref(PyObject v, out byte flag)
        {
            flag = 0;
            if (_version < 3) return false;
            if (_depth > 1 && IsMutable(v) && _mutableUses.TryGetValue(v, out int uses) && uses < 2) return false;
            if (_refs.TryGetValue(v, out int idx))
            {
                Byte(TypeRef);
                Int32(idx);
                return true;
            }
            _refs[v] = _refs.Count;
            flag = FlagRef;
            return false;
        }

        private void Complex(PyObject v)
        {
            // exact types only, as CPython (a subclass of int is unmarshallable... except that CPython accepts
            // subclasses of the basic types and writes their base value; we do the same)
            if (v is PyInt i && v is not PyBool)
            {
                if (Ref(v, out byte f)) return;
                if (!i.IsBig && i.V >= int.MinValue && i.V <= int.MaxValue) { Byte((byte)(TypeInt | f)); Int32((int)i.V); return; }
                Byte((byte)(TypeLong | f));
                var big = i.Big;
                var mag = BigInteger.Abs(big);
                var digits = new List<ushort>();
                while (!mag.IsZero) { digits.Add((ushort)(int)(mag & 0x7FFF)); mag >>= 15; }
                Int32(big.Sign < 0 ? -digits.Count : digits.Count);
                Span<byte> s = stackalloc byte[2];
                foreach (var dg in digits) { BinaryPrimitives.WriteUInt16LittleEndian(s, dg); _o.Write(s); }
                return;
            }
            if (v is PyFloat fl)
            {
                if (Ref(v, out byte f)) return;
                if (_version > 1) { Byte((byte)(TypeBinaryFloat | f)); Double(fl.V); }
                else { Byte((byte)(TypeFloat | f)); var t = Encoding.ASCII.GetBytes(FloatText(fl.V)); Byte((byte)t.Length); _o.Write(t); }
                return;
            }
            if (v is PyComplex c)
            {
                if (Ref(v, out byte f)) return;
                Byte((byte)(TypeBinaryComplex | f));
                Double(c.V.Real);
                Double(c.V.Imaginary);
                return;
            }
            if (v is PyStr str)
            {
                if (Ref(v, out byte f)) return;
                string s = str.Value;
                bool interned = LooksInterned(s);
                if (_version >= 4 && IsAscii(s))
                {
                    if (s.Length < 256)
                    {
                        Byte((byte)((interned ? TypeShortAsciiInterned : TypeShortAscii) | f));
                        Byte((byte)s.Length);
                    }
                    else
                    {
                        Byte((byte)((interned ? TypeAsciiInterned : TypeAscii) | f));
                        Int32(s.Length);
                    }
                    for (int k = 0; k < s.Length; k++) Byte((byte)s[k]);
                    return;
                }
                Byte((byte)((interned && _version >= 1 ? TypeInterned : TypeUnicode) | f));
                Bytes(EncodeSurrogatePass(s));
                return;
            }
            if (v is PyBytes b)   // bytes and bytearray: both load as bytes
            {
                if (Ref(v, out byte f)) return;
                Byte((byte)(TypeString | f));
                Bytes(b.Span);
                return;
            }
            if (v is PyTuple tu)
            {
                if (Ref(v, out byte f)) return;
                if (_version >= 4 && tu.Items.Length < 256) { Byte((byte)(TypeSmallTuple | f)); Byte((byte)tu.Items.Length); }
                else { Byte((byte)(TypeTuple | f)); Int32(tu.Items.Length); }
                foreach (var x in tu.Items) Object(x);
                return;
            }
            if (v is PyList li)
            {
                if (Ref(v, out byte f)) return;
                Byte((byte)(TypeList | f));
                int n = li.Count;
                Int32(n);
                for (int k = 0; k < n && k < li.Count; k++) Object(li.Items[k]);
                return;
            }
            if (v is PyDict d)
            {
                if (Ref(v, out byte f)) return;
                Byte((byte)(TypeDict | f));
                foreach (var kv in d.Items()) { Object(kv.Key); Object(kv.Value); }
                Byte(TypeNull);
                return;
            }
            if (v is PySet set)
            {
                if (Ref(v, out byte f)) return;
                Byte((byte)((set.Frozen ? TypeFrozenSet : TypeSet) | f));
                var items = Ops.ToArray(set);
                Int32(items.Length);
                foreach (var x in items) Object(x);
                return;
            }
            if (v is PyCodeWrapper code)
            {
                if (Ref(v, out byte f)) return;
                Byte((byte)(CodeType | f));
                Code(code.Code);
                return;
            }
            if (v is Builtins.PyCompiled pc && pc.Mode == "exec")
            {
                // compile()'s result keeps its source: the code object is made now
                if (Ref(v, out byte f)) return;
                Byte((byte)(CodeType | f));
                Code(PythonEngine.Compile(pc.Source, pc.Filename, false));
                return;
            }
            throw Ops.ValueError("unmarshallable object");
        }

        private void Str(string s) => Object(PyStr.Intern(s));

        private void Ints(int[] a)
        {
            Int32(a.Length);
            Span<byte> s = stackalloc byte[4];
            foreach (int x in a) { BinaryPrimitives.WriteInt32LittleEndian(s, x); _o.Write(s); }
        }

        private void Strs(string[] a) { Int32(a.Length); foreach (var s in a) Str(s); }

        /// <summary>Our code object: the format version, then every field the compiler fills in (the inline caches
        /// and the Python-visible wrapper are made again when loaded).</summary>
        private void Code(CodeObject c)
        {
            Int32(CompilerFingerprint);
            Str(c.Name); Str(c.QualName); Str(c.Filename);
            Ints(c.Code);
            Ints(c.Lines);
            Ints(c.EndLines);
            Ints(c.Cols);
            Int32(c.Consts.Length);
            foreach (var k in c.Consts) Object(k);
            Int32(c.Names.Length);
            foreach (var n in c.Names) Object(n);
            Int32(c.KwNameTable.Length);
            foreach (var t in c.KwNameTable) { Int32(t.Length); foreach (var n in t) Object(n); }
            Strs(c.VarNames);
            Strs(c.CellVars);
            Strs(c.FreeVars);
            Ints(c.Cell2Arg);
            Int32(c.ArgCount); Int32(c.PosOnlyCount); Int32(c.KwOnlyCount);
            Int32((c.HasVarArgs ? 1 : 0) | (c.HasVarKw ? 2 : 0) | (c.IsGenerator ? 4 : 0) | (c.IsClassBody ? 8 : 0) | (c.IsModule ? 16 : 0)
                  | (c.IsCoroutine ? 32 : 0) | (c.IsAsyncGenerator ? 64 : 0) | (c.IsIterableCoroutine ? 128 : 0));
            Int32(c.StackSize); Int32(c.FirstLine);
            Object(c.Doc ?? PyNone.Instance);
            Byte(c.Doc == null ? (byte)0 : (byte)1);
        }
    }

    /// <summary>Versions 0 and 1 write floats as text: C's "%.17g" (inf, -inf, nan as CPython spells them).</summary>
    private static string FloatText(double v)
    {
        if (double.IsNaN(v)) return "nan";
        if (double.IsInfinity(v)) return v > 0 ? "inf" : "-inf";
        var s = v.ToString("G17", System.Globalization.CultureInfo.InvariantCulture);
        return s.Replace("E+", "e+").Replace("E-", "e-");
    }

    private static bool IsAscii(string s)
    {
        foreach (char ch in s) if (ch > 0x7F) return false;
        return true;
    }

    /// <summary>CPython interns identifier-like constants (names, attribute strings): those are written as interned.</summary>
    private static bool LooksInterned(string s)
    {
        if (s.Length == 0) return true;
        foreach (char ch in s)
            if (!(ch == '_' || ch is >= 'a' and <= 'z' || ch is >= 'A' and <= 'Z' || ch is >= '0' and <= '9')) return false;
        return true;
    }

    /// <summary>UTF-8 with lone surrogates written as their 3-byte forms (CPython's "surrogatepass").</summary>
    private static byte[] EncodeSurrogatePass(string s)
    {
        var o = new MemoryStream(s.Length + 8);
        for (int i = 0; i < s.Length; i++)
        {
            int cp = s[i];
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { cp = char.ConvertToUtf32(s[i], s[i + 1]); i++; }
            if (cp < 0x80) o.WriteByte((byte)cp);
            else if (cp < 0x800) { o.WriteByte((byte)(0xC0 | cp >> 6)); o.WriteByte((byte)(0x80 | (cp & 0x3F))); }
            else if (cp < 0x10000) { o.WriteByte((byte)(0xE0 | cp >> 12)); o.WriteByte((byte)(0x80 | (cp >> 6 & 0x3F))); o.WriteByte((byte)(0x80 | (cp & 0x3F))); }
            else { o.WriteByte((byte)(0xF0 | cp >> 18)); o.WriteByte((byte)(0x80 | (cp >> 12 & 0x3F))); o.WriteByte((byte)(0x80 | (cp >> 6 & 0x3F))); o.WriteByte((byte)(0x80 | (cp & 0x3F))); }
        }
        return o.ToArray();
    }

    private static string DecodeSurrogatePass(ReadOnlySpan<byte> d)
    {
        var sb = new StringBuilder(d.Length);
        int i = 0;
        while (i < d.Length)
        {
            byte b = d[i];
            int need, cp;
            if (b < 0x80) { sb.Append((char)b); i++; continue; }
            if (b >= 0xC2 && b <= 0xDF) { need = 1; cp = b & 0x1F; }
            else if (b >= 0xE0 && b <= 0xEF) { need = 2; cp = b & 0x0F; }
            else if (b >= 0xF0 && b <= 0xF4) { need = 3; cp = b & 0x07; }
            else throw BadData();
            if (i + need >= d.Length) throw BadData("string");
            for (int k = 1; k <= need; k++)
            {
                byte c = d[i + k];
                if ((c & 0xC0) != 0x80) throw BadData();
                cp = cp << 6 | (c & 0x3F);
            }
            i += need + 1;
            if (cp >= 0x10000) sb.Append(char.ConvertFromUtf32(cp));
            else sb.Append((char)cp);
        }
        return sb.ToString();
    }

    // ------------------------------------------------------------------ reading

    private static PyException BadData(string what = "unknown type code") => Ops.ValueError($"bad marshal data ({what})");
    private static PyException Eof() => new(PyBaseException.Create(PyBaseException.EOFErrorType, "EOF read where object expected"));

    /// <summary>CPython's <c>marshal.loads</c>; <paramref name="used"/> is how many bytes the value took.</summary>
    public static PyObject Loads(byte[] data, out int used)
    {
        var r = new Reader(data);
        var v = r.Object() ?? throw BadData("NULL object in marshal data for object");
        used = r.Pos;
        return v;
    }

    private sealed class Reader
    {
        private byte[] _d;
        private int _len;
        /// <summary>marshal.load: more bytes are read from the file as they are needed (exactly those, as CPython's
        /// r_string), so the file is left just after the value.</summary>
        private readonly Func<int, byte[]>? _more;
        public int Pos;
        private readonly List<PyObject?> _refs = new();
        private int _depth;

        public Reader(byte[] d) { _d = d; _len = d.Length; }
        public Reader(Func<int, byte[]> more) { _d = new byte[64]; _more = more; }

        /// <summary>Bytes left that are known to be there (a file being read may have more).</summary>
        private long Left => _more != null ? long.MaxValue : _len - Pos;

        private bool Ensure(int n)
        {
            if ((long)Pos + n <= _len) return true;
            if (_more == null) return false;
            int missing = (int)((long)Pos + n - _len);
            var got = _more(missing);
            if (_len + got.Length > _d.Length) Array.Resize(ref _d, Math.Max(_d.Length * 2, _len + got.Length));
            got.CopyTo(_d, _len);
            _len += got.Length;
            return got.Length >= missing;
        }

        private byte Byte()
        {
            if (!Ensure(1)) throw Eof();
            return _d[Pos++];
        }

        private ReadOnlySpan<byte> Take(int n)
        {
            if (n < 0) throw BadData("size out of range");
            if (!Ensure(n)) throw Ops.Exc(PyBaseException.EOFErrorType, "marshal data too short");
            var s = new ReadOnlySpan<byte>(_d, Pos, n);
            Pos += n;
            return s;
        }

        private int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));
        private double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

        private int Reserve(bool flag)
        {
            if (!flag) return -1;
            _refs.Add(null);
            return _refs.Count - 1;
        }

        private T Keep<T>(T v, bool flag) where T : PyObject
        {
            if (flag) _refs.Add(v);
            return v;
        }

        /// <summary>One object; null for TYPE_NULL (the end of a dict).</summary>
        public PyObject? Object()
        {
            if (++_depth > MaxDepth) throw BadData("recursion limit exceeded");
            try { return ObjectInner(); }
            finally { _depth--; }
        }

        private PyObject Required() => Object() ?? throw BadData("NULL object in marshal data for object");

        private PyObject? ObjectInner()
        {
            byte code = Byte();
            bool flag = (code & FlagRef) != 0;
            byte type = (byte)(code & ~FlagRef);
            switch (type)
            {
                case TypeNull: return null;
                case TypeNone: return PyNone.Instance;
                case TypeStopIter: return PyBaseException.StopIterationType;
                case TypeEllipsis: return PyEllipsis.Instance;
                case TypeFalse: return PyBool.False;
                case TypeTrue: return PyBool.True;
                case TypeInt: return Keep(PyInt.Get(Int32()), flag);
                case TypeInt64: return Keep(PyInt.Get(BinaryPrimitives.ReadInt64LittleEndian(Take(8))), flag);
                case TypeLong:
                {
                    int n = Int32();
                    int count = Math.Abs(n);
                    if (n == int.MinValue || count > Left) throw BadData("long size out of range");
                    BigInteger v = BigInteger.Zero;
                    var digits = Take(count * 2);
                    for (int k = count - 1; k >= 0; k--)
                    {
                        int dg = BinaryPrimitives.ReadUInt16LittleEndian(digits.Slice(k * 2, 2));
                        if (dg > 0x7FFF) throw BadData("digit out of range in long");
                        v = (v << 15) | dg;
                    }
                    if (count > 0 && BinaryPrimitives.ReadUInt16LittleEndian(digits.Slice((count - 1) * 2, 2)) == 0)
                        throw BadData("unnormalized long data");
                    return Keep(PyInt.Get(n < 0 ? -v : v), flag);
                }
                case TypeFloat:
                {
                    int n = Byte();
                    var text = Encoding.ASCII.GetString(Take(n));
                    if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double dv))
                        throw BadData("float");
                    return Keep(new PyFloat(dv), flag);
                }
                case TypeBinaryFloat: return Keep(new PyFloat(Double()), flag);
                case TypeComplex:
                {
                    int n1 = Byte();
                    var re = Encoding.ASCII.GetString(Take(n1));
                    int n2 = Byte();
                    var im = Encoding.ASCII.GetString(Take(n2));
                    var inv = System.Globalization.CultureInfo.InvariantCulture;
                    if (!double.TryParse(re, System.Globalization.NumberStyles.Float, inv, out double r) ||
                        !double.TryParse(im, System.Globalization.NumberStyles.Float, inv, out double i)) throw BadData("complex");
                    return Keep(new PyComplex(new Complex(r, i)), flag);
                }
                case TypeBinaryComplex:
                {
                    double r = Double(), i = Double();
                    return Keep(new PyComplex(new Complex(r, i)), flag);
                }
                case TypeString: return Keep(new PyBytes(Take(Int32()).ToArray()), flag);
                case TypeAscii: case TypeAsciiInterned:
                    return Keep(MakeStr(Latin1(Take(Int32())), type == TypeAsciiInterned), flag);
                case TypeShortAscii: case TypeShortAsciiInterned:
                    return Keep(MakeStr(Latin1(Take(Byte())), type == TypeShortAsciiInterned), flag);
                case TypeUnicode: case TypeInterned:
                    return Keep(MakeStr(DecodeSurrogatePass(Take(Int32())), type == TypeInterned), flag);
                case TypeSmallTuple: case TypeTuple:
                {
                    int n = type == TypeSmallTuple ? Byte() : Int32();
                    if (n < 0) throw BadData("tuple size out of range");
                    if (n > Left) throw Eof();   // each item takes at least a byte
                    var items = new PyObject[n];
                    var t = n == 0 ? PyTuple.Empty : new PyTuple(items);
                    Keep(t, flag);
                    for (int k = 0; k < n; k++) items[k] = Required();
                    return t;
                }
                case TypeList:
                {
                    int n = Int32();
                    if (n < 0) throw BadData("list size out of range");
                    if (n > Left) throw Eof();   // each item takes at least a byte
                    var l = new PyList(n);
                    Keep(l, flag);
                    for (int k = 0; k < n; k++) l.Append(Required());
                    return l;
                }
                case TypeDict:
                {
                    var d = new PyDict();
                    Keep(d, flag);
                    while (true)
                    {
                        var key = Object();
                        if (key == null) break;
                        var val = Object();
                        if (val == null) break;
                        d.SetItem(key, val);
                    }
                    return d;
                }
                case TypeSet: case TypeFrozenSet:
                {
                    int n = Int32();
                    if (n < 0) throw BadData("set size out of range");
                    if (n > Left) throw Eof();   // each item takes at least a byte
                    if (type == TypeSet)
                    {
                        var s = new PySet(false);
                        Keep(s, flag);
                        for (int k = 0; k < n; k++) s.Add(Required());
                        return s;
                    }
                    // a frozenset is immutable: its slot is reserved and filled once it is complete (as CPython)
                    int slot = Reserve(flag);
                    var fs = new PySet(true);
                    for (int k = 0; k < n; k++) fs.Add(Required());
                    if (slot >= 0) _refs[slot] = fs;
                    return fs;
                }
                case TypeRef:
                {
                    int n = Int32();
                    if (n < 0 || n >= _refs.Count) throw BadData("invalid reference");
                    return _refs[n] ?? throw BadData("invalid reference");
                }
                case CodeType:
                {
                    int slot = Reserve(flag);
                    var w = PyCodeWrapper.Of(Code());
                    if (slot >= 0) _refs[slot] = w;
                    return w;
                }
                default:
                    throw BadData();
            }
        }

        private static string Latin1(ReadOnlySpan<byte> b) => Encoding.Latin1.GetString(b);
        private static PyStr MakeStr(string s, bool interned) => interned ? PyStr.Intern(s) : PyStr.Of(s);

        private string Str() => Required() is PyStr s ? s.Value : throw BadData("code object field");
        private PyStr PStr() => Required() is PyStr s ? PyStr.Intern(s.Value) : throw BadData("code object field");

        private int Count()
        {
            int n = Int32();
            if (n < 0 || n > Left + 1) throw BadData("size out of range");
            return n;
        }

        private int[] Ints()
        {
            int n = Count();
            var span = Take(n * 4);
            var a = new int[n];
            for (int k = 0; k < n; k++) a[k] = BinaryPrimitives.ReadInt32LittleEndian(span.Slice(k * 4, 4));
            return a;
        }

        private string[] Strs()
        {
            int n = Count();
            var a = new string[n];
            for (int k = 0; k < n; k++) a[k] = Str();
            return a;
        }

        private CodeObject Code()
        {
            if (Int32() != CompilerFingerprint) throw BadData("code object of another compiler version");
            var c = new CodeObject { Name = Str(), QualName = Str(), Filename = Str() };
            c.Code = Ints();
            c.Lines = Ints();
            c.EndLines = Ints();
            c.Cols = Ints();
            int nc = Count();
            c.Consts = new PyObject[nc];
            for (int k = 0; k < nc; k++) c.Consts[k] = Required();
            int nn = Count();
            c.Names = new PyStr[nn];
            for (int k = 0; k < nn; k++) c.Names[k] = PStr();
            int nt = Count();
            c.KwNameTable = new PyStr[nt][];
            for (int k = 0; k < nt; k++)
            {
                var t = new PyStr[Count()];
                for (int j = 0; j < t.Length; j++) t[j] = PStr();
                c.KwNameTable[k] = t;
            }
            c.VarNames = Strs();
            c.VarNameStrs = Array.ConvertAll(c.VarNames, s => PyStr.Intern(s));
            c.CellVars = Strs();
            c.FreeVars = Strs();
            c.Cell2Arg = Ints();
            c.ArgCount = Int32(); c.PosOnlyCount = Int32(); c.KwOnlyCount = Int32();
            int fl = Int32();
            c.HasVarArgs = (fl & 1) != 0; c.HasVarKw = (fl & 2) != 0; c.IsGenerator = (fl & 4) != 0;
            c.IsClassBody = (fl & 8) != 0; c.IsModule = (fl & 16) != 0;
            c.IsCoroutine = (fl & 32) != 0; c.IsAsyncGenerator = (fl & 64) != 0; c.IsIterableCoroutine = (fl & 128) != 0;
            c.StackSize = Int32(); c.FirstLine = Int32();
            var doc = Required();
            if (Byte() != 0) c.Doc = doc;
            c.Caches = new object?[c.Code.Length];
            return c;
        }
    }
}
