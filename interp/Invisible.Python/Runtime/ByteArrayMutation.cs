using System;
using System.Collections.Generic;

namespace Invisible.Python.Runtime;

/// <summary>bytearray's resizing operations (CPython's Objects/bytearrayobject.c): item and slice assignment and
/// deletion (extended slices included), in-place <c>+=</c>/<c>*=</c>, and the export check: while a memoryview holds
/// the buffer, a change of size raises BufferError ("Existing exports of data: object cannot be re-sized"), before
/// anything is changed.</summary>
public sealed partial class PyByteArray
{
    /// <summary>The memoryviews made over this bytearray (weakly held: a view dropped without release() does not pin
    /// the size once the collector has freed it).</summary>
    private List<WeakReference<PyMemoryView>>? _exports;

    private int _pruneExportsAt = 16;

    internal void AddExport(PyMemoryView view)
    {
        var exports = _exports ??= new();
        // views made in a loop over a bytearray that never resizes: drop the released and collected ones now and
        // then, so the list stays proportional to the live views (amortized: the threshold doubles)
        if (exports.Count >= _pruneExportsAt) _pruneExportsAt = Math.Max(16, CountExports() * 2);
        exports.Add(new WeakReference<PyMemoryView>(view));
    }

    /// <summary>Live, unreleased views (CPython's ob_exports).</summary>
    private int CountExports()
    {
        if (_exports == null) return 0;
        _exports.RemoveAll(w => !w.TryGetTarget(out var v) || v.Released);
        return _exports.Count;
    }

    /// <summary>CPython's _canresize: a size change with views alive is a BufferError. A view only our collector still
    /// holds is no export in CPython (its reference count dropped to zero): collect once before refusing.</summary>
    public void CheckResizable()
    {
        if (_exports == null || CountExports() == 0) return;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        if (CountExports() > 0)
            throw Ops.Exc(PyBaseException.All["BufferError"], "Existing exports of data: object cannot be re-sized");
    }

    /// <summary>Replaces the contents (the caller has checked a size change with <see cref="CheckResizable"/>).</summary>
    internal void SetContents(byte[] data, int count) { Buf = data; Count = count; }

    /// <summary>Makes room for <paramref name="size"/> bytes, keeping the contents (over-allocating as CPython's
    /// PyByteArray_Resize: an eighth more, so appends run in amortized constant time).</summary>
    internal void Resize(int size)
    {
        if (size != Count) CheckResizable();
        if (size > Buf.Length)
        {
            long alloc = size + (size >> 3) + (size < 9 ? 3 : 6);
            var nb = new byte[Math.Min(alloc, Array.MaxLength)];
            Buf.AsSpan(0, Count).CopyTo(nb);
            Buf = nb;
        }
        else if (size < Buf.Length / 2)
        {
            // give memory back when the contents shrink to less than half (as CPython's realloc does)
            var nb = new byte[size];
            Buf.AsSpan(0, Math.Min(size, Count)).CopyTo(nb);
            Buf = nb;
        }
        if (size > Count) Array.Clear(Buf, Count, size - Count);
        Count = size;
    }

    /// <summary>__alloc__: the allocated size, the trailing NUL CPython keeps counted (0 for a never-filled one).</summary>
    public int Alloc => Buf.Length == 0 ? 0 : Buf.Length + 1;

    private static byte ByteValue(PyObject o)
    {
        // CPython's _getbytevalue: any __index__, out-of-range (huge included) is a ValueError
        long v = Ops.IndexValueClamped(o);
        if (v < 0 || v > 255) throw Ops.ValueError("byte must be in range(0, 256)");
        return (byte)v;
    }

    private static bool IsIndex(PyObject key) => key is PyInt || (key is not PySlice && key.Type.Lookup(PyStr.S___index__) != null);

    public override PyObject GetItem(PyObject key)
    {
        if (key is PySlice || key is PyInt || IsIndex(key))
        {
            if (key is PySlice) return base.GetItem(key);
            long idx = Ops.IndexValueClamped(key);
            if (idx < 0) idx += Count;
            if (idx < 0 || idx >= Count) throw Ops.IndexError("bytearray index out of range");
            return PyInt.Get(Buf[idx]);
        }
        throw Ops.TypeError($"bytearray indices must be integers or slices, not {key.Type.Name}");
    }

    public override void SetItem(PyObject key, PyObject value) => Assign(key, value);
    public override void DelItem(PyObject key) => Assign(key, null);

    /// <summary>CPython's bytearray_ass_subscript: value null deletes.</summary>
    private void Assign(PyObject key, PyObject? value)
    {
        if (key is not PySlice sl)
        {
            if (!IsIndex(key)) throw Ops.TypeError($"bytearray indices must be integers or slices, not {key.Type.Name}");
            long idx = Ops.IndexValueClamped(key);
            // the value's __index__ may change the size (test_mutating_index): convert it before the bounds check
            byte b = value == null ? (byte)0 : ByteValue(value);
            if (idx < 0) idx += Count;
            if (idx < 0 || idx >= Count) throw Ops.IndexError("bytearray index out of range");
            if (value != null) { Buf[idx] = b; return; }
            CheckResizable();
            Buf.AsSpan((int)idx + 1, Count - (int)idx - 1).CopyTo(Buf.AsSpan((int)idx));
            Resize(Count - 1);
            return;
        }
        ReadOnlySpan<byte> src;
        if (value == null) src = ReadOnlySpan<byte>.Empty;
        else if (value is PyByteArray other && !ReferenceEquals(other, this)) src = other.Span;
        else if (ReferenceEquals(value, this)) src = Span.ToArray(); // the Lambert Meertens trap: copy first
        else
        {
            if (value is PyInt || value is PyFloat || value is PyComplex || value is PyStr || value.Type.Lookup(PyStr.S___index__) != null)
                throw Ops.TypeError("can assign only bytes, buffers, or iterables of ints in range(0, 256)");
            src = FromObject(value);
        }
        sl.Indices(Count, out int start, out int stop, out int step, out int slicelen);
        if (step == 1)
        {
            if (stop < start) stop = start;
            SetSliceLinear(start, stop - start, src);
            return;
        }
        if (value == null || src.Length == 0)
        {
            if (slicelen == 0) return;
            CheckResizable();
            // delete every step-th byte: walk upward whatever the sign of the step
            if (step < 0) { start = start + step * (slicelen - 1); step = -step; }
            int w = start;
            for (int r = start, k = 0; r < Count; r++)
            {
                if (k < slicelen && r == start + k * step) { k++; continue; }
                Buf[w++] = Buf[r];
            }
            Resize(w);
            return;
        }
        if (src.Length != slicelen)
            throw Ops.ValueError($"attempt to assign bytes of size {src.Length} to extended slice of size {slicelen}");
        for (int k = 0, j = start; k < slicelen; k++, j += step) Buf[j] = src[k];
    }

    /// <summary>Replaces <paramref name="len"/> bytes at <paramref name="start"/> with <paramref name="src"/>.</summary>
    private void SetSliceLinear(int start, int len, ReadOnlySpan<byte> src)
    {
        int growth = src.Length - len;
        if (growth != 0) CheckResizable();
        int oldCount = Count;
        if (growth > 0)
        {
            var copy = src.ToArray(); // src may be a view of our own buffer (a memoryview's copy, another bytearray)
            Resize(oldCount + growth);
            Buf.AsSpan(start + len, oldCount - start - len).CopyTo(Buf.AsSpan(start + src.Length));
            copy.CopyTo(Buf.AsSpan(start));
            return;
        }
        src.CopyTo(Buf.AsSpan(start));
        if (growth < 0)
        {
            Buf.AsSpan(start + len, oldCount - start - len).CopyTo(Buf.AsSpan(start + src.Length));
            Resize(oldCount + growth);
        }
    }

    /// <summary>The bytes of a slice assignment's value: a buffer's bytes or an iterable of ints in range(0, 256).</summary>
    private static ReadOnlySpan<byte> FromObject(PyObject value)
    {
        if (Modules.Buffers.TryRead(value, out var bytes)) return bytes;
        var r = new PyByteArray(Array.Empty<byte>());
        var it = Ops.GetIter(value);
        PyObject? item;
        while ((item = Ops.Next(it)) != null) r.Append(ByteValue(item));
        return r.Span;
    }

    public override PyObject? InplaceOp(BinOp op, PyObject other)
    {
        if (op == Runtime.BinOp.Add)
        {
            if (!Modules.Buffers.TryRead(other, out var add))
                throw Ops.TypeError($"can't concat {other.Type.Name} to {Type.Name}");
            if (add.Length == 0) return this;
            var copy = add.ToArray();
            int n = Count;
            Resize(n + copy.Length);
            copy.CopyTo(Buf.AsSpan(n));
            return this;
        }
        if (op == Runtime.BinOp.Mul && (other is PyInt || other.Type.Lookup(PyStr.S___index__) != null) && other is not PyFloat)
        {
            long times = Ops.IndexValueClamped(other);
            int n = Count;
            if (times <= 0 || n == 0) { if (n != 0) Resize(0); return this; }
            if ((long)n * times > Array.MaxLength) throw Ops.Exc(PyBaseException.MemoryErrorType, "");
            Resize((int)(n * times));
            for (int i = 1; i < times; i++) Buf.AsSpan(0, n).CopyTo(Buf.AsSpan(i * n));
            return this;
        }
        return null;
    }
}

/// <summary>bytearray's iterator: reads the bytearray as it is at each step (CPython's bytearrayiterobject), so it
/// sees later changes and pickles as (iter, (bytearray,), index).</summary>
public sealed class PyByteArrayIterator : PyObject
{
    public static PyType TypeObj = null!;
    private PyByteArray? _seq;
    private int _index;
    public PyByteArrayIterator(PyByteArray seq) { _seq = seq; }
    public override PyType Type => TypeObj;
    public override PyObject Iter() => this;
    public override PyObject? Next()
    {
        if (_seq == null) return null;
        if (_index < _seq.Count) return PyInt.Get(_seq.Buf[_index++]);
        _seq = null; // exhausted: it stays so even if the bytearray grows (CPython drops its reference)
        return null;
    }
    public int LengthHint => _seq == null ? 0 : Math.Max(0, _seq.Count - _index);
    public PyObject Reduce()
    {
        var iter = Builtins.Interp.Builtin("iter");
        if (_seq == null) return new PyTuple(new PyObject[] { iter, new PyTuple(new PyObject[] { new PyTuple(Array.Empty<PyObject>()) }) });
        return new PyTuple(new PyObject[] { iter, new PyTuple(new PyObject[] { _seq }), PyInt.Get(_index) });
    }
    public void SetState(PyObject state)
    {
        long i = Ops.IndexValueClamped(state);
        if (_seq == null) return;
        _index = (int)Math.Clamp(i, 0, _seq.Count);
    }
}
