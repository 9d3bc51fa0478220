using System;
using System.Buffers.Binary;
using System.Text;

namespace Invisible.Python.Runtime;

/// <summary>memoryview over bytes or bytearray (CPython's Objects/memoryobject.c, one-dimensional): items of a
/// native struct format (B b c ? h H i I l L q Q n N f d), slicing with steps, cast between a byte format and the
/// others, tobytes/tolist/hex, writes through to a bytearray, release and the context-manager protocol. The view
/// reads the bytearray's current buffer on each access; while it is held, the bytearray refuses to change size
/// (CPython's BufferError, ByteArrayMutation.cs).</summary>
public sealed class PyMemoryView : PyObject
{
    public static PyType TypeObj = null!;
    private readonly PyBytes _obj;
    private readonly int _offset, _count, _stride, _itemsize;
    private readonly string _format;
    private bool _released;

    private PyMemoryView(PyBytes obj, int offset, int count, int stride, string format, int itemsize)
    {
        _obj = obj; _offset = offset; _count = count; _stride = stride; _format = format; _itemsize = itemsize;
        if (obj is PyByteArray ba) ba.AddExport(this); // the bytearray may not change size while this view is held
    }

    /// <summary>release() was called (or the with-block ended): the view no longer pins its bytearray's size.</summary>
    internal bool Released => _released;

    public override PyType Type => TypeObj;
    public override bool HasLen => true;
    public override int Len() { Check(); return _count; }
    public override string Repr() => _released ? $"<released memory at 0x{Ops.Id(this):x}>" : $"<memory at 0x{Ops.Id(this):x}>";
    public override bool Hashable => ReadOnly;
    public override long Hash()
    {
        if (!ReadOnly) throw Ops.ValueError("cannot hash writable memoryview object");
        return new PyBytes(ToBytes()).Hash();
    }

    private bool ReadOnly => _obj is not PyByteArray;

    internal static PyObject New(PyType cls, ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        var o = Ops.Arg(a, k, 0, "object") ?? throw Ops.TypeError("memoryview() missing required argument 'object' (pos 1)");
        if (o is PyMemoryView mv) { mv.Check(); return new PyMemoryView(mv._obj, mv._offset, mv._count, mv._stride, mv._format, mv._itemsize); }
        if (o is not PyBytes b) throw Ops.TypeError($"memoryview: a bytes-like object is required, not '{o.Type.Name}'");
        return new PyMemoryView(b, 0, b.Span.Length, 1, "B", 1);
    }

    private void Check()
    {
        if (_released) throw Ops.ValueError("operation forbidden on released memoryview object");
    }

    private static int ItemSize(string fmt) => fmt switch
    {
        "B" or "b" or "c" or "?" => 1,
        "h" or "H" => 2,
        "i" or "I" or "f" => 4,
        "l" or "L" or "q" or "Q" or "n" or "N" or "d" or "P" => 8,
        _ => 0,
    };

    /// <summary>The bytes of the viewed object as they are now (a bytearray's buffer may have moved).</summary>
    private ReadOnlySpan<byte> Data => _obj.Span;

    private PyObject Unpack(int index)
    {
        var d = Data.Slice(_offset + index * _stride, _itemsize);
        return _format switch
        {
            "B" => PyInt.Get(d[0]),
            "b" => PyInt.Get((sbyte)d[0]),
            "c" => new PyBytes(new[] { d[0] }),
            "?" => PyBool.Of(d[0] != 0),
            "h" => PyInt.Get(BinaryPrimitives.ReadInt16LittleEndian(d)),
            "H" => PyInt.Get(BinaryPrimitives.ReadUInt16LittleEndian(d)),
            "i" => PyInt.Get(BinaryPrimitives.ReadInt32LittleEndian(d)),
            "I" => PyInt.Get(BinaryPrimitives.ReadUInt32LittleEndian(d)),
            "l" or "q" or "n" => PyInt.Get(BinaryPrimitives.ReadInt64LittleEndian(d)),
            "L" or "Q" or "N" or "P" => PyInt.Get(new System.Numerics.BigInteger(BinaryPrimitives.ReadUInt64LittleEndian(d))),
            "f" => new PyFloat(BinaryPrimitives.ReadSingleLittleEndian(d)),
            _ => new PyFloat(BinaryPrimitives.ReadDoubleLittleEndian(d)),
        };
    }

    private void Pack(int index, PyObject v)
    {
        var ba = (PyByteArray)_obj;
        var d = ba.Buf.AsSpan(_offset + index * _stride, _itemsize);
        string err = $"memoryview: invalid type for format '{_format}'";
        switch (_format)
        {
            case "c":
                if (v is not PyBytes cb || cb.Span.Length != 1) throw Ops.ValueError($"memoryview: invalid value for format '{_format}'");
                d[0] = cb.Span[0];
                return;
            case "?": d[0] = Ops.IsTrue(v) ? (byte)1 : (byte)0; return;
            case "f": d.Clear(); BinaryPrimitives.WriteSingleLittleEndian(d, (float)Builtins.TypeMethods.ToDouble(v is PyFloat or PyInt ? v : throw Ops.TypeError(err))); return;
            case "d": BinaryPrimitives.WriteDoubleLittleEndian(d, Builtins.TypeMethods.ToDouble(v is PyFloat or PyInt ? v : throw Ops.TypeError(err))); return;
        }
        if (v is not PyInt iv) throw Ops.TypeError(err);
        var big = iv.Big;
        bool signed = _format is "b" or "h" or "i" or "l" or "q" or "n";
        int bits = _itemsize * 8;
        var lo = signed ? -(System.Numerics.BigInteger.One << (bits - 1)) : System.Numerics.BigInteger.Zero;
        var hi = signed ? (System.Numerics.BigInteger.One << (bits - 1)) - 1 : (System.Numerics.BigInteger.One << bits) - 1;
        if (big < lo || big > hi) throw Ops.ValueError($"memoryview: invalid value for format '{_format}'");
        var bytes = big.ToByteArray();
        byte fill = big.Sign < 0 ? (byte)0xff : (byte)0;
        for (int i = 0; i < _itemsize; i++) d[i] = i < bytes.Length ? bytes[i] : fill;
    }

    public byte[] ToBytes()
    {
        Check();
        var r = new byte[_count * _itemsize];
        var d = Data;
        if (_stride == _itemsize) d.Slice(_offset, r.Length).CopyTo(r);
        else for (int i = 0; i < _count; i++) d.Slice(_offset + i * _stride, _itemsize).CopyTo(r.AsSpan(i * _itemsize));
        return r;
    }

    private int NormIndex(PyObject key)
    {
        long i = Ops.IndexValue(key);
        if (i < 0) i += _count;
        if (i < 0 || i >= _count) throw Ops.IndexError("index out of bounds on dimension 1");
        return (int)i;
    }

    public override PyObject GetItem(PyObject key)
    {
        Check();
        if (key is PySlice s)
        {
            s.Indices(_count, out int start, out _, out int step, out int n);
            return new PyMemoryView(_obj, _offset + start * _stride, n, _stride * step, _format, _itemsize);
        }
        if (key is PyTuple) throw Ops.TypeError("memoryview: invalid slice key");
        if (key == PyEllipsis.Instance) return this;
        if (key is not PyInt && Ops.GetAttrOrNull(key, PyStr.Intern("__index__")) == null)
            throw Ops.TypeError("memoryview: invalid slice key");
        return Unpack(NormIndex(key));
    }

    public override void SetItem(PyObject key, PyObject value)
    {
        Check();
        if (ReadOnly) throw Ops.TypeError("cannot modify read-only memory");
        if (key is PySlice s)
        {
            s.Indices(_count, out int start, out _, out int step, out int n);
            byte[] src = value is PyMemoryView mv ? mv.ToBytes() : value is PyBytes b ? b.Span.ToArray()
                : throw Ops.TypeError($"a bytes-like object is required, not '{value.Type.Name}'");
            if (src.Length != n * _itemsize) throw Ops.ValueError("memoryview assignment: lvalue and rvalue have different structures");
            var buf = ((PyByteArray)_obj).Buf;
            for (int i = 0; i < n; i++) src.AsSpan(i * _itemsize, _itemsize).CopyTo(buf.AsSpan(_offset + (start + i * step) * _stride, _itemsize));
            return;
        }
        Pack(NormIndex(key), value);
    }

    public override PyObject Iter()
    {
        Check();
        var items = new PyObject[_count];
        for (int i = 0; i < _count; i++) items[i] = Unpack(i);
        return new PyTuple(items).Iter();
    }

    public override PyObject? RichCompare(PyObject other, CmpOp op)
    {
        if (op != CmpOp.Eq && op != CmpOp.Ne) return null;
        if (ReferenceEquals(this, other)) return PyBool.Of(op == CmpOp.Eq);
        bool eq;
        if (_released || other is PyMemoryView { _released: true }) eq = false;
        else if (other is PyMemoryView m)
        {
            if (m._count != _count) eq = false;
            else
            {
                eq = true;
                for (int i = 0; i < _count && eq; i++) eq = Ops.IsTrue(Ops.RichCompare(Unpack(i), m.Unpack(i), CmpOp.Eq));
            }
        }
        else if (other is PyBytes b)
        {
            var ob = b.Span;
            if (_format is "B" or "b" or "c") eq = ob.SequenceEqual(ToBytes()) && _format != "b" || _format == "b" && Same(ob);
            else eq = false;
        }
        else return null;
        return PyBool.Of(op == CmpOp.Eq ? eq : !eq);
    }

    private bool Same(ReadOnlySpan<byte> ob)
    {
        if (ob.Length != _count) return false;
        for (int i = 0; i < _count; i++) if (((PyInt)Unpack(i)).V != ob[i]) return false;
        return true;
    }

    public override PyObject? GetAttrOrNull(PyStr name)
    {
        switch (name.Value)
        {
            case "obj": Check(); return _obj;
            case "nbytes": Check(); return PyInt.Get(_count * _itemsize);
            case "readonly": Check(); return PyBool.Of(ReadOnly);
            case "itemsize": Check(); return PyInt.Get(_itemsize);
            case "format": Check(); return new PyStr(_format);
            case "ndim": Check(); return PyInt.Get(1);
            case "shape": Check(); return new PyTuple(new PyObject[] { PyInt.Get(_count) });
            case "strides": Check(); return new PyTuple(new PyObject[] { PyInt.Get(_stride) });
            case "suboffsets": Check(); return PyTuple.Empty;
            case "c_contiguous": case "f_contiguous": case "contiguous": Check(); return PyBool.Of(_stride == _itemsize || _count <= 1);
        }
        return base.GetAttrOrNull(name);
    }

    internal static void InitType(PyType t)
    {
        t.AddMethod("tobytes", (a, k) => new PyBytes(((PyMemoryView)a[0]).ToBytes()));
        t.AddMethod("tolist", (a, k) =>
        {
            var m = (PyMemoryView)a[0];
            m.Check();
            var l = new PyList();
            for (int i = 0; i < m._count; i++) l.Append(m.Unpack(i));
            return l;
        });
        t.AddMethod("hex", (a, k) =>
        {
            var m = (PyMemoryView)a[0];
            var bytes = new PyBytes(m.ToBytes());
            var args = new PyObject[a.Length];
            args[0] = bytes;
            for (int i = 1; i < a.Length; i++) args[i] = a[i];
            return Ops.Call(Ops.GetAttr(PyBytes.TypeObj, "hex"), args, k);
        });
        t.AddMethod("release", (a, k) => { ((PyMemoryView)a[0])._released = true; return PyNone.Instance; });
        t.AddMethod("__enter__", (a, k) => { ((PyMemoryView)a[0]).Check(); return a[0]; });
        t.AddMethod("__exit__", (a, k) => { ((PyMemoryView)a[0])._released = true; return PyNone.Instance; });
        t.AddMethod("toreadonly", (a, k) =>
        {
            var m = (PyMemoryView)a[0];
            m.Check();
            return new PyMemoryView(new PyBytes(m.ToBytes()), 0, m._count, m._itemsize, m._format, m._itemsize);
        });
        t.AddMethod("cast", (a, k) =>
        {
            var m = (PyMemoryView)a[0];
            m.Check();
            var fmtObj = Ops.Arg(a, k, 1, "format") ?? throw Ops.TypeError("cast() missing required argument 'format' (pos 1)");
            if (fmtObj is not PyStr fs) throw Ops.TypeError($"cast() argument 'format' must be str, not {fmtObj.Type.Name}");
            if (Ops.Arg(a, k, 2, "shape") is PyObject shape && shape != PyNone.Instance && Ops.ToArray(shape).Length != 1)
                throw Ops.NotImplementedError("memoryview: casts to multi-dimensional shapes are not supported here");
            string fmt = fs.Value.StartsWith('@') ? fs.Value.Substring(1) : fs.Value;
            int size = ItemSize(fmt);
            if (size == 0) throw Ops.ValueError("memoryview: destination format must be a native single character format prefixed with an optional '@'");
            if (m._stride != m._itemsize) throw Ops.TypeError("memoryview: casts are restricted to C-contiguous views");
            bool byteFmt(string f) => f is "B" or "b" or "c";
            if (!byteFmt(fmt) && !byteFmt(m._format)) throw Ops.TypeError("memoryview: cannot cast between two non-byte formats");
            int nbytes = m._count * m._itemsize;
            if (nbytes % size != 0) throw Ops.TypeError("memoryview: length is not a multiple of itemsize");
            return new PyMemoryView(m._obj, m._offset, nbytes / size, size, fmt, size);
        });
    }
}
