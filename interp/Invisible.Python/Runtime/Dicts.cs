using System;
using System.Collections.Generic;
using System.Text;

namespace Invisible.Python.Runtime;

/// <summary>Insertion-ordered hash table (CPython's compact dict layout).</summary>
public sealed class PyDict : PyObject
{
    public static PyType TypeObj = null!;
    private int[] _index;
    private long[] _hashes;
    public PyObject?[] Keys;
    public PyObject?[] Values;
    private int _used;      // entries used (incl. deleted)
    private int _count;
    public int Version;
    private PyType? _type;
    private PyDict? _dict;
    /// <summary>collections.defaultdict's default_factory (CPython keeps it in the defaultdict struct, a dict
    /// subclass): used only by instances of <see cref="Modules.DefaultDict"/>'s type and its subclasses.</summary>
    internal PyObject? DefaultFactory;
    /// <summary>Non-null while this dict is one instance's attributes sharing its class's key table (CPython 3.11's
    /// split dict): <see cref="_index"/>, <see cref="_hashes"/> and <see cref="Keys"/> are then the shared table's
    /// arrays (entries below <see cref="_used"/> are this dict's, later ones other instances'), only
    /// <see cref="Values"/> is this dict's own. Anything but appending the class's next key converts it (Unshare).</summary>
    private SharedDictKeys? _shared;

    public PyDict() { _index = NewIndex(8); _hashes = new long[5]; Keys = new PyObject?[5]; Values = new PyObject?[5]; }
    public PyDict(PyType type) : this() { if (type != TypeObj) _type = type; }
    /// <summary>An instance's attribute dict on its class's shared keys: one object and a values array instead of
    /// five arrays per instance.</summary>
    internal PyDict(SharedDictKeys shared)
    {
        _shared = shared; _index = shared.Index; _hashes = shared.Hashes; Keys = shared.Keys;
        Values = new PyObject?[Math.Max(shared.Used, 1)];
    }
    public override PyType Type => _type ?? TypeObj;
    public override PyDict? Dict => _type == null || !_type.IsHeap ? null : _dict ??= new PyDict(); // built-in subclasses (defaultdict) have none
    public int Count => _count;
    public int EntryLimit => _used;
    public override bool HasLen => true;
    public override int Len() => _count;
    public override bool IsTrue() => _count != 0;
    public override bool Hashable => false;
    public override long Hash() => throw Ops.TypeError("unhashable type: 'dict'");

    private static int[] NewIndex(int n) { var a = new int[n]; Array.Fill(a, -1); return a; }

    private int Find(PyObject key, long hash, out int slot)
    {
    restart:
        var index = _index;
        int mask = index.Length - 1;
        ulong perturb = (ulong)hash;
        int i = (int)(hash & mask);
        int firstDummy = -1;
        var ks = key.GetType() == typeof(PyStr) ? System.Runtime.CompilerServices.Unsafe.As<PyStr>(key) : null; // str subclasses compare through Ops.Eq
        while (true)
        {
            int ix = index[i];
            if (ix == -1) { slot = firstDummy >= 0 ? firstDummy : i; return -1; }
            if (ix >= 0)
            {
                var k = Keys[ix]!;
                if (ReferenceEquals(k, key)) { slot = i; return ix < _used ? ix : -1; } // past _used: a shared key this dict lacks
                if (_hashes[ix] == hash)
                {
                    if (ks != null && k.GetType() == typeof(PyStr)) { if (System.Runtime.CompilerServices.Unsafe.As<PyStr>(k).Value == ks.Value) { slot = i; return ix < _used ? ix : -1; } }
                    else
                    {
                        var keys = Keys;
                        bool eq = Ops.Eq(k, key);
                        // the key's __eq__ may have changed the table: look up again (CPython's lookdict restarts)
                        if (!ReferenceEquals(index, _index) || !ReferenceEquals(keys, Keys) || !ReferenceEquals(keys[ix], k)) goto restart;
                        if (eq) { slot = i; return ix; }
                    }
                }
            }
            else if (firstDummy < 0) firstDummy = i;
            perturb >>= 5;
            i = (int)((i * 5 + 1 + (long)perturb) & mask);
        }
    }

    /// <summary>Entry index of a key, or -1 (stable while <see cref="Version"/> is unchanged).</summary>
    public int FindEntry(PyObject key) => Find(key, Ops.Hash(key), out _);

    public PyObject? GetOrNull(PyObject key)
    {
        long h = Ops.Hash(key);
        int ix = Find(key, h, out _);
        return ix >= 0 ? Values[ix] : null;
    }

    public PyObject? GetOrNull(string key) => GetOrNull(PyStr.Intern(key));

    public bool ContainsKey(PyObject key) => Find(key, Ops.Hash(key), out _) >= 0;

    // a key with its hash already known (a set's or another dict's entry): CPython does not hash such keys again
    internal long HashAtEntry(int e) => _hashes[e];
    internal bool ContainsKey(PyObject key, long hash) => Find(key, hash, out _) >= 0;
    internal void SetItem(PyObject key, long hash, PyObject value)
    {
        int ix = Find(key, hash, out int slot);
        if (ix >= 0) { Values[ix] = value; return; }
        Insert(key, hash, slot, value);
    }

    public override void SetItem(PyObject key, PyObject value)
    {
        long h = Ops.Hash(key);
        int ix = Find(key, h, out int slot);
        if (ix >= 0) { Values[ix] = value; return; }
        Insert(key, h, slot, value);
    }

    /// <summary>Adds a key known to be absent, <paramref name="slot"/> being where <see cref="Find"/> stopped; after
    /// a resize the free slot is found again without comparing keys (CPython's find_empty_slot: each key's __eq__
    /// runs once per store).</summary>
    private void Insert(PyObject key, long h, int slot, PyObject value)
    {
        if (_shared != null)
        {
            if (InsertShared(key, h, value)) return;
            Unshare();
            slot = FindEmptySlot(h);
        }
        if (_used == Keys.Length) { Grow(); slot = FindEmptySlot(h); }
        _index[slot] = _used;
        _hashes[_used] = h; Keys[_used] = key; Values[_used] = value;
        _used++; _count++; Version++;
        if (_used * 3 >= _index.Length * 2) Rebuild(_index.Length * 2);
    }

    public void SetItem(string key, PyObject value) => SetItem(PyStr.Intern(key), value);

    /// <summary>Shared mode: appends <paramref name="key"/> if it is the class's next key (or a new str key the
    /// shared table can take); false when this dict must convert to its own table instead.</summary>
    private bool InsertShared(PyObject key, long h, PyObject value)
    {
        var s = _shared!;
        if (_used < s.Used)
        {
            var next = s.Keys[_used]!;
            if (s.Hashes[_used] != h || !(ReferenceEquals(next, key)
                || (key.GetType() == typeof(PyStr) && ((PyStr)next).Value == ((PyStr)key).Value))) return false;
        }
        else if (_used != s.Used || key.GetType() != typeof(PyStr) || !s.Append((PyStr)key, h)) return false;
        // the shared arrays may have been replaced since this dict last looked: they hold every entry below s.Used
        _index = s.Index; _hashes = s.Hashes; Keys = s.Keys;
        if (_used == Values.Length) Array.Resize(ref Values, Math.Max(4, Values.Length * 2));
        Values[_used] = value;
        _used++; _count++; Version++;
        return true;
    }

    /// <summary>STORE_ATTR's short cut for a new attribute: true when <paramref name="name"/> is the next key of
    /// the shared table (as in every <c>__init__</c> after the first instance's), stored without hashing.</summary>
    internal bool TryAppendShared(PyStr name, PyObject value)
    {
        var s = _shared;
        if (s == null || _used >= s.Used || !ReferenceEquals(s.Keys[_used], name)) return false;
        _index = s.Index; _hashes = s.Hashes; Keys = s.Keys;
        if (_used == Values.Length) Array.Resize(ref Values, Math.Max(4, Values.Length * 2));
        Values[_used] = value;
        _used++; _count++; Version++;
        return true;
    }

    /// <summary>Leaves the shared keys: this dict gets its own index, hashes and keys (before a deletion, a key out
    /// of the class's order, a non-str key).</summary>
    private void Unshare()
    {
        _shared = null;
        Grow();
    }

    private int FindEmptySlot(long hash)
    {
        var index = _index;
        int mask = index.Length - 1;
        ulong perturb = (ulong)hash;
        int i = (int)(hash & mask);
        while (index[i] >= 0) { perturb >>= 5; i = (int)((i * 5 + 1 + (long)perturb) & mask); }
        return i;
    }

    /// <summary>dict.setdefault: the key hashed once, looked up once (CPython's PyDict_SetDefault).</summary>
    public PyObject SetDefault(PyObject key, PyObject value)
    {
        long h = Ops.Hash(key);
        int ix = Find(key, h, out int slot);
        if (ix >= 0) return Values[ix]!;
        Insert(key, h, slot, value);
        return value;
    }

    private void Grow()
    {
        int n = Math.Max(5, _count * 2 + 1);
        if (n < _used) n = _used;
        Compact(n);
        int isz = 8; while (isz * 2 < n * 3 + 3) isz *= 2;
        Rebuild(isz);
    }

    private void Compact(int capacity)
    {
        var nh = new long[capacity]; var nk = new PyObject?[capacity]; var nv = new PyObject?[capacity];
        int w = 0;
        for (int r = 0; r < _used; r++)
        {
            if (Keys[r] == null) continue;
            nh[w] = _hashes[r]; nk[w] = Keys[r]; nv[w] = Values[r]; w++;
        }
        _hashes = nh; Keys = nk; Values = nv; _used = w;
    }

    private void Rebuild(int isz)
    {
        if (Keys.Length < isz) { Compact(Math.Max(_count * 2 + 1, isz * 2 / 3 + 1)); }
        _index = NewIndex(isz);
        int mask = isz - 1;
        for (int e = 0; e < _used; e++)
        {
            if (Keys[e] == null) continue;
            long h = _hashes[e];
            ulong perturb = (ulong)h;
            int i = (int)(h & mask);
            while (_index[i] != -1) { perturb >>= 5; i = (int)((i * 5 + 1 + (long)perturb) & mask); }
            _index[i] = e;
        }
    }

    public bool Remove(PyObject key)
    {
        long h = Ops.Hash(key);
        int ix = Find(key, h, out int slot);
        if (ix < 0) return false;
        if (_shared != null) { Unshare(); ix = Find(key, h, out slot); }
        _index[slot] = -2;
        Keys[ix] = null; Values[ix] = null;
        _count--; Version++;
        return true;
    }

    public PyObject? Pop(PyObject key)
    {
        long h = Ops.Hash(key);
        int ix = Find(key, h, out int slot);
        if (ix < 0) return null;
        if (_shared != null) { Unshare(); ix = Find(key, h, out slot); }
        var v = Values[ix];
        _index[slot] = -2;
        Keys[ix] = null; Values[ix] = null;
        _count--; Version++;
        return v;
    }

    public void Clear()
    {
        _shared = null;
        _index = NewIndex(8); _hashes = new long[5]; Keys = new PyObject?[5]; Values = new PyObject?[5];
        _used = 0; _count = 0; Version++;
    }

    public (PyObject, PyObject) PopItem()
    {
        for (int e = _used - 1; e >= 0; e--)
        {
            if (Keys[e] == null) continue;
            var k = Keys[e]!; var v = Values[e]!;
            Remove(k);
            _used = e;
            return (k, v);
        }
        throw Ops.KeyError("popitem(): dictionary is empty");
    }

    public IEnumerable<KeyValuePair<PyObject, PyObject>> Items()
    {
        int ver = Version;
        for (int e = 0; e < _used; e++)
        {
            var k = Keys[e];
            if (k == null) continue;
            yield return new KeyValuePair<PyObject, PyObject>(k, Values[e]!);
            if (ver != Version) throw Ops.RuntimeError("dictionary changed size during iteration");
        }
    }

    /// <summary>Iterating this dict walks its entries: a plain dict, or a subclass that keeps dict's __iter__
    /// (CPython's dict_merge fast path; OrderedDict, which defines its own, is read through keys()).</summary>
    internal bool IteratesAsDict => _type == null || ReferenceEquals(_type.Lookup(PyStr.S___iter__), TypeObj.TypeDict.GetOrNull(PyStr.S___iter__));

    public List<PyObject> KeyList()
    {
        var l = new List<PyObject>(_count);
        for (int e = 0; e < _used; e++) if (Keys[e] != null) l.Add(Keys[e]!);
        return l;
    }

    public PyDict Copy()
    {
        var d = new PyDict();
        for (int e = 0; e < _used; e++) if (Keys[e] != null) d.SetItem(Keys[e]!, Values[e]!);
        return d;
    }

    public void Update(PyObject other)
    {
        if (other is PyDict od && od.IteratesAsDict)
        {
            if (ReferenceEquals(od, this)) return;
            int entries = od._used;
            for (int e = 0; e < entries; e++)
            {
                var key = od.Keys[e];
                if (key == null) continue;
                SetItem(key, od.Values[e]!);
                // a key's __eq__ or __hash__ may change the other dict (CPython's dict_merge checks dk_nentries)
                if (entries != od._used) throw Ops.RuntimeError("dict mutated during update");
            }
            return;
        }
        if (Ops.HasAttr(other, "keys"))
        {
            var keys = Ops.CallMethod(other, "keys");
            var it = Ops.GetIter(keys);
            PyObject? k;
            while ((k = Ops.Next(it)) != null) SetItem(k, Ops.GetItem(other, k));
            return;
        }
        var it2 = Ops.GetIter(other);
        PyObject? item;
        int n = 0;
        while ((item = Ops.Next(it2)) != null)
        {
            PyObject[] pair;
            try { pair = Ops.ToArray(item); }
            catch (PyException e) when (e.Value.Type == PyBaseException.TypeErrorType) { throw Ops.TypeError($"cannot convert dictionary update sequence element #{n} to a sequence"); }
            if (pair.Length != 2) throw Ops.ValueError($"dictionary update sequence element #{n} has length {pair.Length}; 2 is required");
            SetItem(pair[0], pair[1]);
            n++;
        }
    }

    public override PyObject GetItem(PyObject key)
    {
        var v = GetOrNull(key);
        if (v != null) return v;
        if (_type != null)
        {
            var missing = _type.Lookup(PyStr.S___missing__); // heap or built-in (defaultdict) subclasses
            if (missing != null) return Ops.CallArgs(missing, this, key);
        }
        throw new PyException(PyBaseException.Create(PyBaseException.KeyErrorType, key));
    }
    public override void DelItem(PyObject key)
    {
        if (!Remove(key)) throw new PyException(PyBaseException.Create(PyBaseException.KeyErrorType, key));
    }
    public override bool? Contains(PyObject item) => ContainsKey(item);
    public override PyObject Iter() => new PyDictIterator(this, 0);

    public override string Repr() =>
        _type != null && Modules.DefaultDict.Is(_type) ? Modules.DefaultDict.Repr(this, DictRepr()) : DictRepr();

    private string DictRepr()
    {
        if (_count == 0) return "{}";
        if (!Ops.ReprEnter(this)) return "{...}";
        try
        {
            var sb = new StringBuilder("{");
            bool first = true;
            for (int e = 0; e < _used; e++)
            {
                if (Keys[e] == null) continue;
                if (!first) sb.Append(", ");
                first = false;
                sb.Append(Ops.Repr(Keys[e]!)).Append(": ").Append(Ops.Repr(Values[e]!));
            }
            return sb.Append('}').ToString();
        }
        finally { Ops.ReprLeave(this); }
    }

    public override PyObject? RichCompare(PyObject other, CmpOp op)
    {
        if (other is not PyDict d || (op != CmpOp.Eq && op != CmpOp.Ne)) return null;
        bool eq;
        Recursion.Enter(" in comparison");
        try { eq = DictEq(d); }
        finally { Recursion.Leave(); }
        return PyBool.Of(op == CmpOp.Eq ? eq : !eq);
    }
    private bool DictEq(PyDict d)
    {
        if (d._count != _count) return false;
        // entries re-read on every step: a key's or value's __eq__ may change either dict (CPython's dict_equal)
        for (int e = 0; e < _used; e++)
        {
            var key = Keys[e];
            if (key == null) continue;
            var value = Values[e]!;
            var ov = d.GetOrNull(key);
            if (ov == null) return false;
            if (!ReferenceEquals(value, ov) && !Ops.Eq(value, ov)) return false; // identity first, as CPython's RichCompareBool
        }
        return true;
    }
    public override PyObject? BinOp(BinOp op, PyObject other)
    {
        if (op == Runtime.BinOp.Or && other is PyDict d)
        {
            var r = _type != null && Modules.DefaultDict.Is(_type) ? Modules.DefaultDict.Copy(this) : Copy();
            r.Update(d);
            return r;
        }
        return null;
    }
    public override PyObject? RBinOp(BinOp op, PyObject other)
    {
        if (op == Runtime.BinOp.Or && other is PyDict d) { var r = d.Copy(); r.Update(this); return r; }
        return null;
    }
    public override PyObject? InplaceOp(BinOp op, PyObject other)
    {
        if (op == Runtime.BinOp.Or) { Update(other); return this; }
        return null;
    }
}

/// <summary>The attribute names of one class's instances, shared by their dicts (CPython 3.11's shared keys): the
/// keys in the order the first instance got them, with their hashes and an index. Only appended to (never changed
/// below <see cref="Used"/>), so a dict that saw fewer keys still reads its entries correctly; arrays outgrown are
/// replaced, never resized in place (a dict keeps reading the arrays it last synchronised with).</summary>
internal sealed class SharedDictKeys
{
    /// <summary>CPython's SHARED_KEYS_MAX_SIZE: past it instances keep their own tables.</summary>
    private const int MaxKeys = 30;
    public int[] Index = NewIndex(8);
    public long[] Hashes = new long[5];
    public PyObject?[] Keys = new PyObject?[5];
    public int Used;

    private static int[] NewIndex(int n) { var a = new int[n]; Array.Fill(a, -1); return a; }

    public bool Append(PyStr key, long h)
    {
        if (Used == MaxKeys) return false;
        if (Used == Keys.Length)
        {
            // new arrays and a new index together: an old index must never name entries its keys array lacks
            Array.Resize(ref Keys, Math.Min(MaxKeys, Keys.Length * 2));
            Array.Resize(ref Hashes, Keys.Length);
            Reindex(Index.Length * 2);
        }
        int[] index = Index;
        int mask = index.Length - 1;
        ulong perturb = (ulong)h;
        int i = (int)(h & mask);
        while (index[i] >= 0) { perturb >>= 5; i = (int)((i * 5 + 1 + (long)perturb) & mask); }
        // entry first, index last: a dict reading the same arrays never meets an index entry without its key
        Hashes[Used] = h; Keys[Used] = key;
        index[i] = Used;
        Used++;
        if (Used * 3 >= index.Length * 2) Reindex(index.Length * 2);
        return true;
    }

    private void Reindex(int size)
    {
        var index = NewIndex(size);
        int mask = size - 1;
        for (int e = 0; e < Used; e++)
        {
            long h = Hashes[e];
            ulong perturb = (ulong)h;
            int i = (int)(h & mask);
            while (index[i] != -1) { perturb >>= 5; i = (int)((i * 5 + 1 + (long)perturb) & mask); }
            index[i] = e;
        }
        Index = index;
    }
}

/// <summary>Iterator over a dict: kind 0 = keys, 1 = values, 2 = items.</summary>
public sealed class PyDictIterator : PyObject
{
    public static PyType TypeObj = null!;
    /// <summary>What an exhausted iterator holds instead of its dict (never changed).</summary>
    private static readonly PyDict Released = new();
    private PyDict _d;
    private readonly int _kind;
    private int _e;
    private readonly int _count;
    public PyDictIterator(PyDict d, int kind) { _d = d; _kind = kind; _count = d.Count; }
    public override PyType Type => TypeObj;
    public override PyObject Iter() => this;
    public override PyObject? Next()
    {
        if (_exhausted) return null;
        if (_broken) throw Ops.RuntimeError("dictionary changed size during iteration");
        if (_d.Count != _count) { _broken = true; throw Ops.RuntimeError("dictionary changed size during iteration"); }
        while (_e < _d.EntryLimit)
        {
            int e = _e++;
            var k = _d.Keys[e];
            if (k == null) continue;
            // as many entries seen as the dict had, yet one more: keys were deleted and others added (CPython's di_len)
            if (_yielded == _count) { _exhausted = true; throw Ops.RuntimeError("dictionary keys changed during iteration"); }
            _yielded++;
            return _kind switch { 0 => k, 1 => _d.Values[e]!, _ => new PyTuple(new[] { k, _d.Values[e]! }) };
        }
        _exhausted = true; // CPython drops its dict (Py_CLEAR(di->di_dict)): exhausted stays exhausted
        _d = Released;
        return null;
    }

    private bool _exhausted;

    /// <summary>CPython makes "changed size" sticky (di_used = -1): every later next() raises it again.</summary>
    private bool _broken;

    private int _yielded;
    /// <summary>__length_hint__: what is left while the dict keeps its size (CPython's di_len), else 0.</summary>
    public int LengthHint => !_exhausted && _d.Count == _count ? _count - _yielded : 0;

    /// <summary>The items not yet produced, the iterator left as it is (__reduce__ pickles them as a list).</summary>
    public PyObject[] Rest()
    {
        var rest = new List<PyObject>();
        if (_exhausted || _d.Count != _count) return rest.ToArray();
        for (int e = _e; e < _d.EntryLimit && _yielded + rest.Count < _count; e++)
        {
            var k = _d.Keys[e];
            if (k == null) continue;
            rest.Add(_kind switch { 0 => k, 1 => _d.Values[e]!, _ => new PyTuple(new[] { k, _d.Values[e]! }) });
        }
        return rest.ToArray();
    }
}

/// <summary>dict_keys / dict_values / dict_items views.</summary>
public sealed class PyDictView : PyObject
{
    public static PyType KeysType = null!, ValuesType = null!, ItemsType = null!;
    public readonly PyDict D;
    public readonly int Kind;
    public PyDictView(PyDict d, int kind) { D = d; Kind = kind; }
    public override PyType Type => Kind == 0 ? KeysType : Kind == 1 ? ValuesType : ItemsType;
    public override bool HasLen => true;
    public override int Len() => D.Count;
    public override PyObject Iter() => new PyDictIterator(D, Kind);
    public override bool? Contains(PyObject item)
    {
        if (Kind == 0) return D.ContainsKey(item);
        if (Kind == 2 && item is PyTuple t && t.Items.Length == 2)
        {
            var v = D.GetOrNull(t.Items[0]);
            return v != null && Ops.Eq(v, t.Items[1]);
        }
        return null;
    }
    public override string Repr()
    {
        var name = Kind == 0 ? "dict_keys" : Kind == 1 ? "dict_values" : "dict_items";
        return name + "(" + new PyList(Ops.ToArray(this)).Repr() + ")";
    }
    public override PyObject? BinOp(BinOp op, PyObject other) => Kind == 1 ? null : SetOp(this, other, op);
    public override PyObject? RBinOp(BinOp op, PyObject other) => Kind == 1 ? null : SetOp(other, this, op);

    /// <summary>A keys view becomes a set built from its dict (pre-sized, like CPython's dictviews_to_set).</summary>
    private static PySet ToSet(PyObject x) => x is PyDictView { Kind: 0 } v ? new PySet(false, v.D) : new PySet(false, x);

    /// <summary>Set operators of keys/items views, with CPython's choice of which operand is copied or iterated.</summary>
    private static PyObject? SetOp(PyObject left, PyObject right, BinOp op)
    {
        PySet r;
        switch (op)
        {
            case Runtime.BinOp.Sub: r = ToSet(left); r.DifferenceUpdate(right); return r;
            case Runtime.BinOp.Or: r = ToSet(left); r.AddAll(right); return r;
            case Runtime.BinOp.Xor: r = ToSet(left); r.SymmetricDifferenceUpdate(right); return r;
            case Runtime.BinOp.And:
                {
                    var view = left as PyDictView ?? (PyDictView)right;
                    var other = ReferenceEquals(view, left) ? right : left;
                    if (other is PySet { Frozen: false, IsExact: true } s && view.Len() <= s.Count) return s.Intersection(view);
                    if (other is PyDictView ov && ov.Kind != 1 && ov.Len() > view.Len()) (view, other) = (ov, view);
                    r = new PySet(false);
                    var it = Ops.GetIter(other);
                    PyObject? x;
                    while ((x = Ops.Next(it)) != null) if (view.Contains(x) == true) r.Add(x);
                    return r;
                }
        }
        return null;
    }
    public override PyObject? RichCompare(PyObject other, CmpOp op)
    {
        // CPython's dictview_richcompare: sizes, then membership tests through the other's __contains__ (no set is
        // built, so unhashable values in an items view compare)
        if (Kind == 1 || !(other is PySet || other is PyDictView { Kind: not 1 })) return null;
        int lenSelf = Len(), lenOther = Ops.Len(other);
        bool ok = op switch
        {
            CmpOp.Eq or CmpOp.Ne => lenSelf == lenOther && AllContainedIn(this, other),
            CmpOp.Lt => lenSelf < lenOther && AllContainedIn(this, other),
            CmpOp.Le => lenSelf <= lenOther && AllContainedIn(this, other),
            CmpOp.Gt => lenSelf > lenOther && AllContainedIn(other, this),
            _ => lenSelf >= lenOther && AllContainedIn(other, this),
        };
        return PyBool.Of(op == CmpOp.Ne ? !ok : ok);
    }

    private static bool AllContainedIn(PyObject self, PyObject other)
    {
        var it = Ops.GetIter(self);
        PyObject? x;
        while ((x = Ops.Next(it)) != null) if (!Ops.Contains(other, x)) return false;
        return true;
    }
}
