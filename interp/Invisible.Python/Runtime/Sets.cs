using System;
using System.Collections.Generic;
using System.Text;

namespace Invisible.Python.Runtime;

/// <summary>
/// set / frozenset with CPython's table layout, so iteration order (and therefore repr, list(s),
/// pop()) equals CPython's for keys whose hashes are deterministic (ints, floats, tuples of them):
/// open addressing over a power-of-two table, up to <see cref="LinearProbes"/> neighbouring slots
/// per probe, then the perturbed recurrence; deleted slots become dummies; the table is rebuilt when
/// fill*5 >= mask*3. The set algebra follows CPython's algorithms step by step (which operand is
/// iterated, when tables are pre-sized), because those choices decide the resulting order.
/// </summary>
public sealed class PySet : PyObject
{
    public static PyType SetType = null!, FrozenSetType = null!;
    private const int MinSize = 8, LinearProbes = 9, PerturbShift = 5;
    /// <summary>Marks a deleted slot (its hash is -1, which no live key can have).</summary>
    private static readonly PyObject Dummy = new PyTuple(Array.Empty<PyObject>());

    private PyObject?[] _keys = new PyObject?[MinSize];
    private long[] _hashes = new long[MinSize];
    private int _mask = MinSize - 1;
    private int _fill;      // live + dummy slots
    private int _used;      // live slots
    private int _finger;    // where pop() resumes its scan
    public readonly bool Frozen;
    private readonly PyType? _type;

    public PySet(bool frozen) { Frozen = frozen; }
    public PySet(PyType type) { Frozen = type.IsSubtypeOf(FrozenSetType); if (type != SetType && type != FrozenSetType) _type = type; }
    public PySet(bool frozen, PyObject iterable) : this(frozen) { AddAll(iterable); }
    public override PyType Type => _type ?? (Frozen ? FrozenSetType : SetType);
    private PyDict? _dict;
    /// <summary>Instances of a subclass of set/frozenset have a __dict__, as list's and tuple's do.</summary>
    public override PyDict? Dict => _type == null ? null : _dict ??= new PyDict();
    public int Count => _used;
    public override bool HasLen => true;
    public override int Len() => _used;
    public override bool IsTrue() => _used != 0;
    public override bool Hashable => Frozen;
    /// <summary>True for exactly set or frozenset (not a subclass).</summary>
    public bool IsExact => _type == null;

    // ---------------- table primitives ----------------

    private static bool KeyEq(PyObject a, PyObject b) => Ops.Eq(a, b); // exact int/str fast paths first

    /// <summary>Slot of the live entry equal to key, or -1.</summary>
    private int Lookup(PyObject key, long hash)
    {
    restart:
        var keys = _keys; var hashes = _hashes; int mask = _mask;
        ulong perturb = (ulong)hash;
        int i = (int)(hash & mask);
        while (true)
        {
            int probes = i + LinearProbes <= mask ? LinearProbes : 0;
            int j = i;
            while (true)
            {
                var k = keys[j];
                if (k == null) return -1;
                if (hashes[j] == hash)
                {
                    if (ReferenceEquals(k, key)) return j;
                    bool eq = KeyEq(k, key);
                    if (keys != _keys || keys[j] != k) goto restart; // the comparison mutated the set
                    if (eq) return j;
                }
                if (probes-- == 0) break;
                j++;
            }
            perturb >>= PerturbShift;
            i = (int)(((ulong)i * 5 + 1 + perturb) & (ulong)mask);
        }
    }

    /// <summary>Insert unless present; true if inserted. May resize.</summary>
    private bool AddEntry(PyObject key, long hash)
    {
    restart:
        var keys = _keys; var hashes = _hashes; int mask = _mask;
        ulong perturb = (ulong)hash;
        int i = (int)(hash & mask);
        int j, freeSlot = -1;
        while (true)
        {
            int probes = i + LinearProbes <= mask ? LinearProbes : 0;
            j = i;
            while (true)
            {
                var k = keys[j];
                if (k == null) goto unused;
                if (hashes[j] == hash)
                {
                    if (ReferenceEquals(k, key)) return false;
                    bool eq = KeyEq(k, key);
                    if (keys != _keys || keys[j] != k) goto restart;
                    if (eq) return false;
                }
                else if (ReferenceEquals(k, Dummy)) freeSlot = j; // the last dummy on the path, as CPython does
                if (probes-- == 0) break;
                j++;
            }
            perturb >>= PerturbShift;
            i = (int)(((ulong)i * 5 + 1 + perturb) & (ulong)mask);
        }
    unused:
        if (freeSlot >= 0) { keys[freeSlot] = key; hashes[freeSlot] = hash; _used++; return true; } // reuse a dummy
        _fill++; _used++;
        keys[j] = key; hashes[j] = hash;
        if ((long)_fill * 5 >= (long)mask * 3) Resize(_used > 50000 ? _used * 2 : _used * 4);
        return true;
    }

    /// <summary>Place a key known to be absent into a table without dummies.</summary>
    private static void InsertClean(PyObject?[] keys, long[] hashes, int mask, PyObject key, long hash)
    {
        ulong perturb = (ulong)hash;
        int i = (int)(hash & mask);
        while (true)
        {
            if (keys[i] == null) { keys[i] = key; hashes[i] = hash; return; }
            if (i + LinearProbes <= mask)
            {
                for (int j = i + 1; j <= i + LinearProbes; j++)
                    if (keys[j] == null) { keys[j] = key; hashes[j] = hash; return; }
            }
            perturb >>= PerturbShift;
            i = (int)(((ulong)i * 5 + 1 + perturb) & (ulong)mask);
        }
    }

    private void Resize(int minUsed)
    {
        int newSize = MinSize;
        while (newSize <= minUsed) newSize <<= 1;
        if (newSize == MinSize && _mask == MinSize - 1 && _fill == _used) return; // nothing to purge
        var oldKeys = _keys; var oldHashes = _hashes;
        var keys = new PyObject?[newSize]; var hashes = new long[newSize];
        int mask = newSize - 1;
        for (int e = 0; e < oldKeys.Length; e++)
        {
            var k = oldKeys[e];
            if (k != null && !ReferenceEquals(k, Dummy)) InsertClean(keys, hashes, mask, k, oldHashes[e]);
        }
        _keys = keys; _hashes = hashes; _mask = mask; _fill = _used;
    }

    private bool DiscardEntry(PyObject key, long hash)
    {
        int slot = Lookup(key, hash);
        if (slot < 0) return false;
        _keys[slot] = Dummy; _hashes[slot] = -1; _used--;
        return true;
    }

    /// <summary>Index of the next live slot at or after pos, or -1.</summary>
    internal int NextSlot(int pos)
    {
        var keys = _keys;
        for (int i = pos; i < keys.Length; i++)
        {
            var k = keys[i];
            if (k != null && !ReferenceEquals(k, Dummy)) return i;
        }
        return -1;
    }
    internal PyObject KeyAt(int slot) => _keys[slot]!;
    internal long HashAt(int slot) => _hashes[slot];

    // ---------------- public element operations ----------------

    public void Add(PyObject o) => AddEntry(o, Ops.Hash(o));

    /// <summary>True if the key was present. Unhashable sets are looked up as frozensets.</summary>
    public bool Discard(PyObject key) { key = AsKey(key); return DiscardEntry(key, Ops.Hash(key)); }

    /// <summary>A set key is looked up as a frozenset only when it is unhashable (a subclass with its own __hash__ is
    /// itself: CPython retries with a frozenset after the TypeError).</summary>
    private static PyObject AsKey(PyObject key) =>
        key is PySet s && !s.Frozen && (s._type == null || s._type.Lookup(PyStr.Intern("__hash__")) is null or PyNone) ? new PySet(true, s) : key;

    public bool Has(PyObject o) => Lookup(o, Ops.Hash(o)) >= 0;

    public void Clear()
    {
        _keys = new PyObject?[MinSize]; _hashes = new long[MinSize]; _mask = MinSize - 1; _fill = 0; _used = 0;
    }

    public PyObject Pop()
    {
        if (_used == 0) throw Ops.KeyError("pop from an empty set");
        var keys = _keys;
        int i = _finger & _mask;
        while (keys[i] == null || ReferenceEquals(keys[i], Dummy)) { i++; if (i > _mask) i = 0; }
        var key = keys[i]!;
        keys[i] = Dummy; _hashes[i] = -1; _used--;
        _finger = i + 1;
        return key;
    }

    public List<PyObject> Elements()
    {
        var l = new List<PyObject>(_used);
        var keys = _keys;
        for (int i = 0; i < keys.Length; i++)
        {
            var k = keys[i];
            if (k != null && !ReferenceEquals(k, Dummy)) l.Add(k);
        }
        return l;
    }

    /// <summary>set_update_internal: add every element of an iterable.</summary>
    public void AddAll(PyObject iterable)
    {
        if (iterable is PySet s) { Merge(s); return; }
        if (iterable is PyDict d && d.Type == PyDict.TypeObj)
        {
            int n = d.Count;
            if ((long)(_fill + n) * 5 >= (long)_mask * 3) Resize((_used + n) * 2);
            for (int e = 0; e < d.EntryLimit; e++)
            {
                var k = d.Keys[e];
                if (k != null) AddEntry(k, d.HashAtEntry(e)); // the dict's hash: keys are not hashed again
            }
            return;
        }
        var it = Ops.GetIter(iterable);
        PyObject? v;
        while ((v = Ops.Next(it)) != null) Add(v);
    }

    private void Merge(PySet other)
    {
        if (ReferenceEquals(other, this) || other._used == 0) return;
        if ((long)(_fill + other._used) * 5 >= (long)_mask * 3) Resize((_used + other._used) * 2);
        if (_fill == 0 && _mask == other._mask && other._fill == other._used)
        {
            Array.Copy(other._keys, _keys, _keys.Length);
            Array.Copy(other._hashes, _hashes, _hashes.Length);
            _fill = other._fill; _used = other._used;
            return;
        }
        var ok = other._keys; var oh = other._hashes;
        if (_fill == 0)
        {
            for (int e = 0; e < ok.Length; e++)
            {
                var k = ok[e];
                if (k != null && !ReferenceEquals(k, Dummy)) InsertClean(_keys, _hashes, _mask, k, oh[e]);
            }
            _fill = _used = other._used;
            return;
        }
        for (int e = 0; e < ok.Length; e++)
        {
            var k = ok[e];
            if (k != null && !ReferenceEquals(k, Dummy)) AddEntry(k, oh[e]);
        }
    }

    // ---------------- hashing, containment, iteration, repr ----------------

    public override long Hash()
    {
        if (!Frozen) throw Ops.TypeError("unhashable type: 'set'");
        Recursion.CheckStack(); // frozensets of frozensets hash recursively
        ulong h = 0;
        var keys = _keys;
        for (int i = 0; i < keys.Length; i++)
        {
            var k = keys[i];
            if (k == null || ReferenceEquals(k, Dummy)) continue;
            ulong x = (ulong)_hashes[i];
            h ^= ((x ^ 89869747UL) ^ (x << 16)) * 3644798167UL;
        }
        h ^= ((ulong)_used + 1) * 1927868237UL;
        h ^= (h >> 11) ^ (h >> 25);
        h = h * 69069UL + 907133923UL;
        long r = (long)h;
        return r == -1 ? 590923713 : r;
    }

    public override bool? Contains(PyObject item) => Has(AsKey(item));
    public override PyObject Iter() => new PySetIterator(this);

    public override string Repr()
    {
        var name = Type.Name;
        if (_used == 0) return name + "()";
        if (!Ops.ReprEnter(this)) return name + "(...)";
        try
        {
            var sb = new StringBuilder();
            bool plain = !Frozen && _type == null;
            sb.Append(plain ? "{" : name + "({");
            bool first = true;
            foreach (var k in Elements()) { if (!first) sb.Append(", "); first = false; sb.Append(Ops.Repr(k)); }
            sb.Append(plain ? "}" : "})");
            return sb.ToString();
        }
        finally { Ops.ReprLeave(this); }
    }

    // ---------------- set algebra (CPython's algorithms, for CPython's orders) ----------------

    /// <summary>An empty set of this one's base type (set or frozenset).</summary>
    public PySet Make() => new PySet(Frozen);

    /// <summary>set_copy: a new set (of the base type) holding this set's elements.</summary>
    public PySet CopySet() { var r = Make(); r.Merge(this); return r; }

    public PySet Union(PyObject other) { var r = CopySet(); if (!ReferenceEquals(other, this)) r.AddAll(other); return r; }

    public PySet Intersection(PyObject other)
    {
        if (ReferenceEquals(other, this)) return CopySet();
        var r = Make();
        if (other is PySet o)
        {
            PySet big = this, small = o;
            if (o._used > _used) { big = o; small = this; }
            for (int i = small.NextSlot(0); i >= 0; i = small.NextSlot(i + 1))
            {
                var k = small.KeyAt(i); long h = small.HashAt(i);
                if (big.Lookup(k, h) >= 0) r.AddEntry(k, h);
            }
            return r;
        }
        var it = Ops.GetIter(other);
        PyObject? v;
        while ((v = Ops.Next(it)) != null)
        {
            long h = Ops.Hash(v);
            if (Lookup(v, h) >= 0) r.AddEntry(v, h);
        }
        return r;
    }

    public void IntersectionUpdate(PyObject other) => TakeBody(Intersection(other));

    /// <summary>Adopt the table of a freshly built set (set_swap_bodies).</summary>
    public void TakeBody(PySet from)
    {
        _keys = from._keys; _hashes = from._hashes; _mask = from._mask; _fill = from._fill; _used = from._used;
    }

    public void DifferenceUpdate(PyObject other)
    {
        if (ReferenceEquals(other, this)) { Clear(); return; }
        if (other is PySet o)
        {
            for (int i = o.NextSlot(0); i >= 0; i = o.NextSlot(i + 1)) DiscardEntry(o.KeyAt(i), o.HashAt(i));
        }
        else
        {
            var it = Ops.GetIter(other);
            PyObject? v;
            while ((v = Ops.Next(it)) != null) Discard(v);
        }
        if (_fill - _used > _mask / 4) Resize(_used > 50000 ? _used * 2 : _used * 4);
    }

    public PySet Difference(PyObject other)
    {
        int otherSize;
        if (other is PySet os) otherSize = os._used;
        else if (other is PyDict od && od.Type == PyDict.TypeObj) otherSize = od.Count;
        else { var c = CopySet(); c.DifferenceUpdate(other); return c; }
        if ((_used >> 2) > otherSize) { var c = CopySet(); c.DifferenceUpdate(other); return c; }
        var r = Make();
        for (int i = NextSlot(0); i >= 0; i = NextSlot(i + 1))
        {
            var k = KeyAt(i); long h = HashAt(i);
            bool inOther = other is PySet o2 ? o2.Lookup(k, h) >= 0 : ((PyDict)other).ContainsKey(k, h);
            if (!inOther) r.AddEntry(k, h);
        }
        return r;
    }

    public void SymmetricDifferenceUpdate(PyObject other)
    {
        if (ReferenceEquals(other, this)) { Clear(); return; }
        if (other is PyDict d && d.Type == PyDict.TypeObj)
        {
            // a snapshot of the entries with their stored hashes (the keys' __eq__ may change the dict)
            var keys = new PyObject[d.Count];
            var hashes = new long[d.Count];
            int n = 0;
            for (int e = 0; e < d.EntryLimit && n < keys.Length; e++)
                if (d.Keys[e] is { } k) { keys[n] = k; hashes[n++] = d.HashAtEntry(e); }
            for (int j = 0; j < n; j++) if (!DiscardEntry(keys[j], hashes[j])) AddEntry(keys[j], hashes[j]);
            return;
        }
        var o = other as PySet ?? new PySet(Frozen, other);
        for (int i = o.NextSlot(0); i >= 0; i = o.NextSlot(i + 1))
        {
            var k = o.KeyAt(i); long h = o.HashAt(i);
            if (!DiscardEntry(k, h)) AddEntry(k, h);
        }
    }

    public PySet SymDiff(PyObject other)
    {
        var r = new PySet(Frozen, other);
        r.SymmetricDifferenceUpdate(this);
        return r;
    }

    public bool IsSubset(PySet o)
    {
        if (_used > o._used) return false;
        for (int i = NextSlot(0); i >= 0; i = NextSlot(i + 1)) if (o.Lookup(KeyAt(i), HashAt(i)) < 0) return false;
        return true;
    }

    public override PyObject? BinOp(BinOp op, PyObject other)
    {
        if (other is not PySet o) return null;
        return op switch
        {
            Runtime.BinOp.Or => Union(o),
            Runtime.BinOp.And => Intersection(o),
            Runtime.BinOp.Sub => Difference(o),
            Runtime.BinOp.Xor => SymDiff(o),
            _ => null,
        };
    }
    public override PyObject? InplaceOp(BinOp op, PyObject other)
    {
        if (Frozen || other is not PySet o) return null;
        switch (op)
        {
            case Runtime.BinOp.Or: AddAll(o); return this;
            case Runtime.BinOp.And: IntersectionUpdate(o); return this;
            case Runtime.BinOp.Sub: DifferenceUpdate(o); return this;
            case Runtime.BinOp.Xor: SymmetricDifferenceUpdate(o); return this;
        }
        return null;
    }
    public override PyObject? RichCompare(PyObject other, CmpOp op)
    {
        if (other is not PySet o) return null;
        Recursion.Enter(" in comparison"); // frozensets of frozensets compare their members recursively
        try { return Compare(o, op); }
        finally { Recursion.Leave(); }
    }

    private PyObject Compare(PySet o, CmpOp op)
    {
        return PyBool.Of(op switch
        {
            CmpOp.Eq => _used == o._used && IsSubset(o),
            CmpOp.Ne => !(_used == o._used && IsSubset(o)),
            CmpOp.Le => IsSubset(o),
            CmpOp.Lt => _used < o._used && IsSubset(o),
            CmpOp.Ge => o.IsSubset(this),
            _ => _used > o._used && o.IsSubset(this),
        });
    }

}

/// <summary>Iterator over a set's table in slot order; fails if the set's size changes.</summary>
public sealed class PySetIterator : PyObject
{
    public static PyType TypeObj = null!;
    private PySet? _s;
    private int _pos;
    private readonly int _used;
    public PySetIterator(PySet s) { _s = s; _used = s.Count; }
    public override PyType Type => TypeObj;
    public override PyObject Iter() => this;
    public override PyObject? Next()
    {
        var s = _s;
        if (s == null) return null;
        if (s.Count != _used) { _s = null; throw Ops.RuntimeError("Set changed size during iteration"); }
        int i = s.NextSlot(_pos);
        if (i < 0) { _s = null; return null; }
        _pos = i + 1;
        _yielded++;
        return s.KeyAt(i);
    }

    private int _yielded;
    /// <summary>__length_hint__: what is left while the set keeps its size (CPython's si_len), else 0.</summary>
    public int LengthHint => _s != null && _s.Count == _used ? _used - _yielded : 0;

    /// <summary>The keys not yet produced, the iterator left as it is (__reduce__ pickles them as a list).</summary>
    public PyObject[] Rest()
    {
        var rest = new List<PyObject>();
        if (_s == null || _s.Count != _used) return rest.ToArray();
        for (int i = _s.NextSlot(_pos); i >= 0; i = _s.NextSlot(i + 1)) rest.Add(_s.KeyAt(i));
        return rest.ToArray();
    }
}
