using System;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>array</c> (Modules/arraymodule.c): typed arrays of the C types b B u h H i I l L q Q f d (sizes of
/// x86-64 Linux: 'u' is a 4-byte wchar_t) in one contiguous byte buffer, so the buffer protocol lends it as is.
/// Item conversions raise CPython's per-type OverflowError/TypeError texts; the sequence protocol, comparisons,
/// concatenation/repetition, slicing (extended slices too) and the methods are CPython's.
/// </summary>
public static class ArrayModule
{
    public const string TypeCodes = "bBuhHiIlLqQfd";

    private static PyType? s_type, s_iter;
    private static readonly object TypesGate = new();
    internal static PyType ArrayType { get { lock (TypesGate) return s_type ??= MakeType(); } }
    private static PyType IterType { get { lock (TypesGate) return s_iter ??= MakeIterType(); } }

    public static PyModule Create()
    {
        var m = new PyModule("array");
        m.Add("array", ArrayType);
        m.Add("ArrayType", ArrayType);
        m.Add("typecodes", PyStr.Of(TypeCodes));
        m.AddFn("_array_reconstructor", (a, k) =>
        {
            ArgParser.CheckPositional("_array_reconstructor", a, k, 4, 4);
            if (a[0] is not PyType cls) throw Ops.TypeError($"first argument must be a type object, not {a[0].Type.Name}");
            var code = a[1] is PyStr s && s.Value.Length == 1 ? s.Value[0] : throw Ops.TypeError("second argument must be a valid type code");
            var arr = new ArrayObject(cls, code);
            arr.FromBytes(Buffers.Read(a[3]));
            return arr;
        });
        return m;
    }

    internal static int ItemSize(char c) => c switch
    {
        'b' or 'B' => 1,
        'h' or 'H' => 2,
        'u' or 'i' or 'I' or 'f' => 4,
        _ => 8,
    };

    internal sealed class ArrayObject : PyObject, IBufferExporter
    {
        private readonly PyType _type;
        private PyDict? _dict;
        public readonly char Code;
        public readonly int Size;
        public byte[] Buf = Array.Empty<byte>();
        public int Count;

        public ArrayObject(PyType type, char code) { _type = type; Code = code; Size = ItemSize(code); }
        public override PyType Type => _type;
        public override PyDict? Dict => _type == ArrayType ? null : _dict ??= new PyDict();
        public Span<byte> BufferBytes => Buf.AsSpan(0, Count * Size);
        public bool BufferReadOnly => false;
        public override bool Hashable => false;
        public override long Hash() => throw Ops.TypeError("unhashable type: 'array.array'");

        private void Reserve(int n)
        {
            long need = (long)n * Size;
            if (need <= Buf.Length) return;
            if (need > int.MaxValue) throw Ops.MemoryError();
            var nb = new byte[Math.Max(need, Math.Min((long)Buf.Length * 2, int.MaxValue))];
            Buffer.BlockCopy(Buf, 0, nb, 0, Count * Size);
            Buf = nb;
        }

        public PyObject Get(int i)
        {
            var s = Buf.AsSpan(i * Size, Size);
            return Code switch
            {
                'b' => PyInt.Get((sbyte)s[0]),
                'B' => PyInt.Get(s[0]),
                'u' => PyStr.Of(char.ConvertFromUtf32(BinaryPrimitives.ReadInt32LittleEndian(s))),
                'h' => PyInt.Get(BinaryPrimitives.ReadInt16LittleEndian(s)),
                'H' => PyInt.Get(BinaryPrimitives.ReadUInt16LittleEndian(s)),
                'i' => PyInt.Get(BinaryPrimitives.ReadInt32LittleEndian(s)),
                'I' => PyInt.Get(BinaryPrimitives.ReadUInt32LittleEndian(s)),
                'l' or 'q' => PyInt.Get(BinaryPrimitives.ReadInt64LittleEndian(s)),
                'L' or 'Q' => PyInt.Get(new BigInteger(BinaryPrimitives.ReadUInt64LittleEndian(s))),
                'f' => new PyFloat(BinaryPrimitives.ReadSingleLittleEndian(s)),
                _ => new PyFloat(BinaryPrimitives.ReadDoubleLittleEndian(s)),
            };
        }

        /// <summary>Converts <paramref name="v"/> to the item type (CPython's *_setitem), raising its texts.</summary>
        public void Put(Span<byte> s, PyObject v)
        {
            switch (Code)
            {
                case 'f': BinaryPrimitives.WriteSingleLittleEndian(s, (float)ArgParser.ToDouble(v)); return;
                case 'd': BinaryPrimitives.WriteDoubleLittleEndian(s, ArgParser.ToDouble(v)); return;
                case 'u':
                {
                    if (v is not PyStr str) throw Ops.TypeError("array item must be unicode character");
                    var t = str.Value;
                    int cp = t.Length == 1 ? t[0] : t.Length == 2 && char.IsSurrogatePair(t[0], t[1]) ? char.ConvertToUtf32(t[0], t[1]) : -1;
                    if (cp < 0) throw Ops.TypeError("array item must be unicode character");
                    BinaryPrimitives.WriteInt32LittleEndian(s, cp);
                    return;
                }
            }
            if (v is PyFloat || (v is not PyInt && v.Type.Lookup(PyStr.S___index__) == null))
                throw Ops.TypeError($"'{v.Type.Name}' object cannot be interpreted as an integer");
            var b = ((PyInt)Ops.Index(v)).Big;
            switch (Code)
            {
                case 'b': Range(b, sbyte.MinValue, sbyte.MaxValue, "signed char is less than minimum", "signed char is greater than maximum"); s[0] = (byte)(sbyte)b; return;
                case 'B': Range(b, 0, 255, "unsigned byte integer is less than minimum", "unsigned byte integer is greater than maximum"); s[0] = (byte)b; return;
                case 'h': Range(b, short.MinValue, short.MaxValue, "signed short integer is less than minimum", "signed short integer is greater than maximum"); BinaryPrimitives.WriteInt16LittleEndian(s, (short)b); return;
                case 'H': Range(b, 0, ushort.MaxValue, "unsigned short is less than minimum", "unsigned short is greater than maximum"); BinaryPrimitives.WriteUInt16LittleEndian(s, (ushort)b); return;
                case 'i': Range(b, int.MinValue, int.MaxValue, "signed integer is less than minimum", "signed integer is greater than maximum"); BinaryPrimitives.WriteInt32LittleEndian(s, (int)b); return;
                case 'I': Range(b, 0, uint.MaxValue, "can't convert negative value to unsigned int", "unsigned int is greater than maximum"); BinaryPrimitives.WriteUInt32LittleEndian(s, (uint)b); return;
                case 'l': Range(b, long.MinValue, long.MaxValue, "Python int too large to convert to C long", "Python int too large to convert to C long"); BinaryPrimitives.WriteInt64LittleEndian(s, (long)b); return;
                case 'L': Range(b, 0, ulong.MaxValue, "can't convert negative value to unsigned int", "Python int too large to convert to C unsigned long"); BinaryPrimitives.WriteUInt64LittleEndian(s, (ulong)b); return;
                case 'q': Range(b, long.MinValue, long.MaxValue, "int too big to convert", "int too big to convert"); BinaryPrimitives.WriteInt64LittleEndian(s, (long)b); return;
                default: Range(b, 0, ulong.MaxValue, "can't convert negative int to unsigned", "int too big to convert"); BinaryPrimitives.WriteUInt64LittleEndian(s, (ulong)b); return;
            }
        }

        private static void Range(BigInteger b, BigInteger min, BigInteger max, string low, string high)
        {
            if (b < min) throw Ops.OverflowError(low);
            if (b > max) throw Ops.OverflowError(high);
        }

        public void Append(PyObject v)
        {
            Span<byte> tmp = stackalloc byte[8];
            Put(tmp.Slice(0, Size), v); // convert first: a bad item leaves the array as it was
            Reserve(Count + 1);
            tmp.Slice(0, Size).CopyTo(Buf.AsSpan(Count * Size));
            Count++;
        }

        public void Extend(PyObject iterable)
        {
            if (iterable is ArrayObject other)
            {
                if (other.Code != Code) throw Ops.TypeError("can only extend with array of same kind");
                AppendBytes(other.BufferBytes.ToArray());
                return;
            }
            var it = Ops.GetIter(iterable);
            while (Ops.Next(it) is { } v) Append(v);
        }

        public void AppendBytes(ReadOnlySpan<byte> data)
        {
            int n = data.Length / Size;
            Reserve(Count + n);
            data.CopyTo(Buf.AsSpan(Count * Size));
            Count += n;
        }

        public void FromBytes(ReadOnlySpan<byte> data)
        {
            if (data.Length % Size != 0) throw Ops.ValueError("bytes length not a multiple of item size");
            AppendBytes(data);
        }

        public int Norm(long i, string msg)
        {
            if (i < 0) i += Count;
            if (i < 0 || i >= Count) throw Ops.IndexError(msg);
            return (int)i;
        }

        public ArrayObject Slice(int start, int step, int n)
        {
            var r = new ArrayObject(ArrayType, Code);
            r.Reserve(n);
            if (step == 1) Buffer.BlockCopy(Buf, start * Size, r.Buf, 0, n * Size);
            else for (int i = 0, j = start; i < n; i++, j += step) Buffer.BlockCopy(Buf, j * Size, r.Buf, i * Size, Size);
            r.Count = n;
            return r;
        }

        public void DeleteRange(int start, int count)
        {
            Buffer.BlockCopy(Buf, (start + count) * Size, Buf, start * Size, (Count - start - count) * Size);
            Count -= count;
        }

        public override PyObject GetItem(PyObject key)
        {
            if (key is PySlice sl)
            {
                sl.Indices(Count, out int start, out _, out int step, out int n);
                return Slice(start, step, n);
            }
            return Get(Norm(IndexArg(key), "array index out of range"));
        }

        public override void SetItem(PyObject key, PyObject value)
        {
            if (key is PySlice sl)
            {
                if (value is not ArrayObject src) throw Ops.TypeError($"can only assign array (not \"{value.Type.Name}\") to array slice");
                if (src.Code != Code) throw Ops.TypeError("bad argument type for built-in operation");
                var data = src.BufferBytes.ToArray();
                int srcCount = src.Count;
                sl.Indices(Count, out int start, out int stop, out int step, out int n);
                if (step == 1)
                {
                    if (stop < start) stop = start;
                    int removed = stop - start;
                    var tail = Buf.AsSpan(stop * Size, (Count - stop) * Size).ToArray();
                    Reserve(Count - removed + srcCount);
                    data.CopyTo(Buf, start * Size);
                    tail.CopyTo(Buf, (start + srcCount) * Size);
                    Count = Count - removed + srcCount;
                    return;
                }
                if (srcCount != n) throw Ops.ValueError($"attempt to assign array of size {srcCount} to extended slice of size {n}");
                for (int i = 0, j = start; i < n; i++, j += step) Buffer.BlockCopy(data, i * Size, Buf, j * Size, Size);
                return;
            }
            int idx = Norm(IndexArg(key), "array assignment index out of range");
            Put(Buf.AsSpan(idx * Size, Size), value);
        }

        public override void DelItem(PyObject key)
        {
            if (key is PySlice sl)
            {
                sl.Indices(Count, out int start, out _, out int step, out int n);
                if (n == 0) return;
                if (step == 1) { DeleteRange(start, n); return; }
                if (step < 0) { start += step * (n - 1); step = -step; }
                var keep = new ArrayObject(ArrayType, Code);
                for (int i = 0; i < Count; i++)
                    if (i < start || (i - start) % step != 0 || (i - start) / step >= n) keep.AppendBytes(Buf.AsSpan(i * Size, Size));
                Buf = keep.Buf; Count = keep.Count;
                return;
            }
            DeleteRange(Norm(IndexArg(key), "array assignment index out of range"), 1);
        }

        private static long IndexArg(PyObject key)
        {
            if (key is PyInt || key.Type.Lookup(PyStr.S___index__) != null) return Ops.IndexValue(key);
            throw Ops.TypeError("array indices must be integers");
        }

        public override bool HasLen => true;
        public override int Len() => Count;
        public override bool IsTrue() => Count > 0;
        public override PyObject Iter() => new ArrayIterator(this);

        public override bool? Contains(PyObject item)
        {
            for (int i = 0; i < Count; i++)
                if (Ops.IsTrue(Ops.RichCompare(Get(i), item, CmpOp.Eq))) return true;
            return false;
        }

        public override PyObject? RichCompare(PyObject other, CmpOp op)
        {
            if (other is not ArrayObject b) return null;
            if (Count != b.Count && (op == CmpOp.Eq || op == CmpOp.Ne)) return PyBool.Of(op == CmpOp.Ne);
            int n = Math.Min(Count, b.Count), i = 0;
            for (; i < n; i++)
            {
                var x = Get(i); var y = b.Get(i);
                if (!Ops.IsTrue(Ops.RichCompare(x, y, CmpOp.Eq)))
                {
                    if (op == CmpOp.Eq) return PyBool.False;
                    if (op == CmpOp.Ne) return PyBool.True;
                    return Ops.RichCompare(x, y, op);
                }
            }
            int ca = Count, cb = b.Count;
            return PyBool.Of(op switch
            {
                CmpOp.Eq => ca == cb,
                CmpOp.Ne => ca != cb,
                CmpOp.Lt => ca < cb,
                CmpOp.Le => ca <= cb,
                CmpOp.Gt => ca > cb,
                _ => ca >= cb,
            });
        }

        public override PyObject? BinOp(BinOp op, PyObject other)
        {
            if (op == Runtime.BinOp.Add)
            {
                if (other is not ArrayObject b) throw Ops.TypeError($"can only append array (not \"{other.Type.Name}\") to array");
                if (b.Code != Code) throw Ops.TypeError("bad argument type for built-in operation");
                var r = Slice(0, 1, Count);
                r.AppendBytes(b.BufferBytes);
                return r;
            }
            if (op == Runtime.BinOp.Mul && (other is PyInt || other.Type.Lookup(PyStr.S___index__) != null)) return Repeat(Ops.IndexValue(other));
            return null;
        }

        public override PyObject? RBinOp(BinOp op, PyObject other) =>
            op == Runtime.BinOp.Mul && (other is PyInt || other.Type.Lookup(PyStr.S___index__) != null) ? Repeat(Ops.IndexValue(other)) : null;

        public override PyObject? InplaceOp(BinOp op, PyObject other)
        {
            if (op == Runtime.BinOp.Add)
            {
                if (other is not ArrayObject b) throw Ops.TypeError($"can only extend array with array (not \"{other.Type.Name}\")");
                if (b.Code != Code) throw Ops.TypeError("can only extend with array of same kind");
                AppendBytes(b.BufferBytes.ToArray());
                return this;
            }
            if (op == Runtime.BinOp.Mul && (other is PyInt || other.Type.Lookup(PyStr.S___index__) != null))
            {
                long n = Ops.IndexValue(other);
                var data = BufferBytes.ToArray();
                Count = 0;
                for (long i = 0; i < n; i++) AppendBytes(data);
                return this;
            }
            return null;
        }

        private ArrayObject Repeat(long n)
        {
            var r = new ArrayObject(ArrayType, Code);
            if (n <= 0 || Count == 0) return r;
            if (n * Count * Size > int.MaxValue) throw Ops.MemoryError();
            var data = BufferBytes.ToArray();
            r.Reserve((int)(n * Count));
            for (long i = 0; i < n; i++) r.AppendBytes(data);
            return r;
        }

        public string ToUnicode()
        {
            var sb = new StringBuilder(Count);
            for (int i = 0; i < Count; i++) sb.Append(char.ConvertFromUtf32(BinaryPrimitives.ReadInt32LittleEndian(Buf.AsSpan(i * 4))));
            return sb.ToString();
        }

        public override string Repr()
        {
            if (Count == 0) return $"array('{Code}')";
            if (Code == 'u') return $"array('u', {Ops.Repr(PyStr.Of(ToUnicode()))})";
            var sb = new StringBuilder($"array('{Code}', [");
            for (int i = 0; i < Count; i++)
            {
                if (i > 0) sb.Append(", ");
                sb.Append(Ops.Repr(Get(i)));
            }
            return sb.Append("])").ToString();
        }

        public PyList ToList()
        {
            var l = new PyList(Count);
            for (int i = 0; i < Count; i++) l.Append(Get(i));
            return l;
        }
    }

    private sealed class ArrayIterator : PyObject
    {
        private ArrayObject? _a;
        private int _i;
        public ArrayIterator(ArrayObject a) { _a = a; }
        public override PyType Type => IterType;
        public override PyObject Iter() => this;
        public override PyObject? Next()
        {
            if (_a == null) return null;
            if (_i < _a.Count) return _a.Get(_i++);
            _a = null;
            return null;
        }
    }

    private static PyType MakeIterType()
    {
        var t = new PyType("arrayiterator", PyType.ObjectType, (cls, a, k) => throw Ops.TypeError("cannot create 'array.arrayiterator' instances")) { ModuleName = "array" };
        t.AddMethod("__iter__", (a, k) => a[0]);
        t.AddMethod("__next__", (a, k) => a[0].Next() ?? throw Ops.StopIteration());
        return t;
    }

    private static ArrayObject A(PyObject o) => (ArrayObject)o;

    private static readonly ArgParser IndexArgs = new("index", "v, start=0, stop=sys.maxsize, /");
    private static readonly ArgParser PopArgs = new("pop", "i=-1, /");
    private static readonly ArgParser InsertArgs = new("insert", "i, v, /");
    private static readonly ArgParser FromFileArgs = new("fromfile", "f, n, /");

    private static PyObject NewArray(PyType cls, ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        if (k != null && k.Length > 0 && cls == ArrayType) throw Ops.TypeError("array.array() takes no keyword arguments");
        int npos = a.Length - (k?.Length ?? 0);
        if (npos < 1 || npos > 2) throw Ops.TypeError($"array() takes at {(npos < 1 ? "least 1" : "most 2")} argument{(npos < 1 ? "" : "s")} ({npos} given)");
        if (a[0] is not PyStr tc || tc.Value.Length != 1)
            throw Ops.TypeError($"array() argument 1 must be a unicode character, not {(a[0] is PyStr ? "str" : a[0].Type.Name)}");
        char code = tc.Value[0];
        if (TypeCodes.IndexOf(code) < 0) throw Ops.ValueError("bad typecode (must be b, B, u, h, H, i, I, l, L, q, Q, f or d)");
        var arr = new ArrayObject(cls, code);
        if (npos == 2)
        {
            var init = a[1];
            switch (init)
            {
                case PyStr s:
                    if (code != 'u') throw Ops.TypeError($"cannot use a str to initialize an array with typecode '{code}'");
                    FromUnicode(arr, s.Value);
                    break;
                case ArrayObject other when other.Code == 'u' && code != 'u':
                    throw Ops.TypeError($"cannot use a unicode array to initialize an array with typecode '{code}'");
                case ArrayObject other:
                    for (int i = 0; i < other.Count; i++) arr.Append(other.Get(i));
                    break;
                case PyBytes b:
                    arr.FromBytes(Buffers.Read(b));
                    break;
                default:
                    arr.Extend(init);
                    break;
            }
        }
        return arr;
    }

    private static void FromUnicode(ArrayObject arr, string s)
    {
        Span<byte> tmp = stackalloc byte[4];
        for (int i = 0; i < s.Length; i++)
        {
            int cp = char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? char.ConvertToUtf32(s[i], s[++i]) : s[i];
            BinaryPrimitives.WriteInt32LittleEndian(tmp, cp);
            arr.AppendBytes(tmp);
        }
    }

    private static PyType MakeType()
    {
        var t = new PyType("array", PyType.ObjectType, NewArray) { ModuleName = "array" };
        var none = PyNone.Instance;
        t.SetMember("__hash__", none);
        t.SetMember("typecode", new PyProperty(new PyBuiltinFunction("typecode", (a, k) => PyStr.Of(A(a[0]).Code.ToString())), null, null, null));
        t.SetMember("itemsize", new PyProperty(new PyBuiltinFunction("itemsize", (a, k) => PyInt.Get(A(a[0]).Size)), null, null, null));
        t.AddMethod("__len__", (a, k) => PyInt.Get(A(a[0]).Count));
        t.AddMethod("__getitem__", (a, k) => a[0].GetItem(a[1]));
        t.AddMethod("__setitem__", (a, k) => { a[0].SetItem(a[1], a[2]); return none; });
        t.AddMethod("__delitem__", (a, k) => { a[0].DelItem(a[1]); return none; });
        t.AddMethod("__iter__", (a, k) => a[0].Iter());
        t.AddMethod("__contains__", (a, k) => PyBool.Of(A(a[0]).Contains(a[1]) == true));
        t.AddMethod("__repr__", (a, k) => PyStr.Of(a[0].Repr()));
        t.AddMethod("append", (a, k) => { ArgParser.CheckPositional("append", a.Slice(1), k, 1, 1); A(a[0]).Append(a[1]); return none; });
        t.AddMethod("extend", (a, k) => { ArgParser.CheckPositional("extend", a.Slice(1), k, 1, 1); A(a[0]).Extend(a[1]); return none; });
        t.AddMethod("insert", (a, k) =>
        {
            var args = InsertArgs.Parse(a.Slice(1), k);
            var arr = A(a[0]);
            long i = args.Ssize(0);
            if (i < 0) { i += arr.Count; if (i < 0) i = 0; }
            if (i > arr.Count) i = arr.Count;
            arr.Append(args[1]!); // converts and grows; then rotate the new item into place
            var s = arr.Size;
            var item = arr.Buf.AsSpan((arr.Count - 1) * s, s).ToArray();
            Buffer.BlockCopy(arr.Buf, (int)i * s, arr.Buf, ((int)i + 1) * s, (arr.Count - 1 - (int)i) * s);
            item.CopyTo(arr.Buf, (int)i * s);
            return none;
        });
        t.AddMethod("pop", (a, k) =>
        {
            var args = PopArgs.Parse(a.Slice(1), k);
            var arr = A(a[0]);
            if (arr.Count == 0) throw Ops.IndexError("pop from empty array");
            int i = arr.Norm(args.Ssize(0, -1), "pop index out of range");
            var v = arr.Get(i);
            arr.DeleteRange(i, 1);
            return v;
        });
        t.AddMethod("remove", (a, k) =>
        {
            ArgParser.CheckPositional("remove", a.Slice(1), k, 1, 1);
            var arr = A(a[0]);
            for (int i = 0; i < arr.Count; i++)
                if (Ops.IsTrue(Ops.RichCompare(arr.Get(i), a[1], CmpOp.Eq))) { arr.DeleteRange(i, 1); return none; }
            throw Ops.ValueError("array.remove(x): x not in array");
        });
        t.AddMethod("index", (a, k) =>
        {
            var args = IndexArgs.Parse(a.Slice(1), k);
            var arr = A(a[0]);
            long start = args.Ssize(1, 0), stop = args.Ssize(2, long.MaxValue);
            if (start < 0) { start += arr.Count; if (start < 0) start = 0; }
            if (stop < 0) { stop += arr.Count; if (stop < 0) stop = 0; }
            for (long i = start; i < Math.Min(stop, arr.Count); i++)
                if (Ops.IsTrue(Ops.RichCompare(arr.Get((int)i), args[0]!, CmpOp.Eq))) return PyInt.Get(i);
            throw Ops.ValueError("array.index(x): x not in array");
        });
        t.AddMethod("count", (a, k) =>
        {
            ArgParser.CheckPositional("count", a.Slice(1), k, 1, 1);
            var arr = A(a[0]);
            int n = 0;
            for (int i = 0; i < arr.Count; i++) if (Ops.IsTrue(Ops.RichCompare(arr.Get(i), a[1], CmpOp.Eq))) n++;
            return PyInt.Get(n);
        });
        t.AddMethod("reverse", (a, k) =>
        {
            ArgParser.NoArgs("reverse", a.Slice(1), k);
            var arr = A(a[0]);
            int s = arr.Size;
            var tmp = new byte[s];
            for (int i = 0, j = arr.Count - 1; i < j; i++, j--)
            {
                Buffer.BlockCopy(arr.Buf, i * s, tmp, 0, s);
                Buffer.BlockCopy(arr.Buf, j * s, arr.Buf, i * s, s);
                Buffer.BlockCopy(tmp, 0, arr.Buf, j * s, s);
            }
            return none;
        });
        t.AddMethod("byteswap", (a, k) =>
        {
            ArgParser.NoArgs("byteswap", a.Slice(1), k);
            var arr = A(a[0]);
            for (int i = 0; i < arr.Count; i++) arr.Buf.AsSpan(i * arr.Size, arr.Size).Reverse();
            return none;
        });
        t.AddMethod("buffer_info", (a, k) =>
        {
            ArgParser.NoArgs("buffer_info", a.Slice(1), k);
            var arr = A(a[0]);
            // the address is only meaningful while the array is not resized (as CPython's)
            nint addr;
            unsafe { fixed (byte* p = arr.Buf) addr = (nint)p; }
            return PyTuple.Of(PyInt.Get((long)addr), PyInt.Get(arr.Count));
        });
        t.AddMethod("tobytes", (a, k) => { ArgParser.NoArgs("tobytes", a.Slice(1), k); return new PyBytes(A(a[0]).BufferBytes.ToArray()); });
        t.AddMethod("frombytes", (a, k) => { ArgParser.CheckPositional("frombytes", a.Slice(1), k, 1, 1); A(a[0]).FromBytes(Buffers.Read(a[1])); return none; });
        t.AddMethod("tolist", (a, k) => { ArgParser.NoArgs("tolist", a.Slice(1), k); return A(a[0]).ToList(); });
        t.AddMethod("fromlist", (a, k) =>
        {
            ArgParser.CheckPositional("fromlist", a.Slice(1), k, 1, 1);
            if (a[1] is not PyList l) throw Ops.TypeError("arg must be list");
            var arr = A(a[0]);
            int before = arr.Count;
            try { foreach (var v in l.Items.AsSpan(0, l.Count)) arr.Append(v); }
            catch { arr.Count = before; throw; }
            return none;
        });
        t.AddMethod("tounicode", (a, k) =>
        {
            ArgParser.NoArgs("tounicode", a.Slice(1), k);
            var arr = A(a[0]);
            if (arr.Code != 'u') throw Ops.ValueError("tounicode() may only be called on unicode type arrays");
            return PyStr.Of(arr.ToUnicode());
        });
        t.AddMethod("fromunicode", (a, k) =>
        {
            ArgParser.CheckPositional("fromunicode", a.Slice(1), k, 1, 1);
            var arr = A(a[0]);
            if (a[1] is not PyStr s) throw Ops.TypeError($"fromunicode() argument must be str, not {a[1].Type.Name}");
            if (arr.Code != 'u') throw Ops.ValueError("fromunicode() may only be called on unicode type arrays");
            FromUnicode(arr, s.Value);
            return none;
        });
        t.AddMethod("tofile", (a, k) =>
        {
            ArgParser.CheckPositional("tofile", a.Slice(1), k, 1, 1);
            var data = A(a[0]).BufferBytes.ToArray();
            const int block = 64 * 1024;
            for (int off = 0; off < data.Length; off += block)
                Ops.CallMethod(a[1], "write", new PyBytes(data.AsSpan(off, Math.Min(block, data.Length - off)).ToArray()));
            return none;
        });
        t.AddMethod("fromfile", (a, k) =>
        {
            var args = FromFileArgs.Parse(a.Slice(1), k);
            var arr = A(a[0]);
            long n = args.Ssize(1);
            if (n < 0) throw Ops.ValueError("negative count");
            var got = Ops.CallMethod(args[0]!, "read", PyInt.Get(n * arr.Size));
            if (got is not PyBytes b) throw Ops.TypeError("read() didn't return bytes");
            var data = Buffers.Read(b);
            arr.FromBytes(data);
            if (data.Length != n * arr.Size) throw Ops.Exc(PyBaseException.All["EOFError"], "read() didn't return enough bytes");
            return none;
        });
        t.AddMethod("__copy__", (a, k) => { var arr = A(a[0]); return arr.Slice(0, 1, arr.Count); });
        t.AddMethod("__deepcopy__", (a, k) => { var arr = A(a[0]); return arr.Slice(0, 1, arr.Count); });
        t.AddMethod("__reduce_ex__", (a, k) =>
        {
            var arr = A(a[0]);
            var dict = arr.Dict is { } d && d.Count > 0 ? (PyObject)d : none;
            return PyTuple.Of(arr.Type, PyTuple.Of(PyStr.Of(arr.Code.ToString()), arr.ToList()), dict);
        });
        return t;
    }
}
