using System;
using System.Text;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>_operator</c> (Modules/_operator.c): the functions of the operator module as built-in functions
/// (positional-only, CPython's argument errors), and the attrgetter, itemgetter and methodcaller types (module
/// "operator", not subclassable, picklable through __reduce__). <c>operator.py</c> imports everything from here.
/// The types are made once for the process (immutable); the objects hold no interpreter state.
/// </summary>
public static class OperatorModule
{
    private static Types? s_types;
    private static readonly object TypesGate = new();

    private static Types T
    {
        get
        {
            if (s_types is { } t) return t;
            lock (TypesGate) return s_types ??= new Types();
        }
    }

    private static readonly PyStr LengthHintName = PyStr.Intern("__length_hint__");
    private static readonly PyStr LenName = PyStr.Intern("__len__");
    private static readonly PyStr GetItemName = PyStr.Intern("__getitem__");

    public static PyModule Create(InterpreterState interp)
    {
        var m = new PyModule("_operator");
        m.Add("__doc__", new PyStr("Operator interface.\n\nThis module exports a set of functions implemented in C corresponding\nto the intrinsic operators of Python.  For example, operator.add(x, y)\nis equivalent to the expression x+y.  The function names are those\nused for special methods; variants without leading and trailing\n'__' are also provided for convenience."));
        var t = T;
        m.Add("attrgetter", t.AttrGetter);
        m.Add("itemgetter", t.ItemGetter);
        m.Add("methodcaller", t.MethodCaller);

        void Two(string name, Func<PyObject, PyObject, PyObject> f) =>
            m.AddFn(name, (a, k) => { ArgParser.CheckPositional(name, a, k, 2, 2); return f(a[0], a[1]); });
        void One(string name, Func<PyObject, PyObject> f) =>
            m.AddFn(name, (a, k) =>
            {
                ArgParser.NoKeywords(name, k);
                if (a.Length != 1) throw Ops.TypeError($"{name}() takes exactly one argument ({a.Length} given)");
                return f(a[0]);
            });

        Two("lt", (a, b) => Ops.RichCompare(a, b, CmpOp.Lt));
        Two("le", (a, b) => Ops.RichCompare(a, b, CmpOp.Le));
        Two("eq", (a, b) => Ops.RichCompare(a, b, CmpOp.Eq));
        Two("ne", (a, b) => Ops.RichCompare(a, b, CmpOp.Ne));
        Two("ge", (a, b) => Ops.RichCompare(a, b, CmpOp.Ge));
        Two("gt", (a, b) => Ops.RichCompare(a, b, CmpOp.Gt));
        One("not_", a => PyBool.Of(!Ops.IsTrue(a)));
        One("truth", a => PyBool.Of(Ops.IsTrue(a)));
        Two("is_", (a, b) => PyBool.Of(ReferenceEquals(a, b)));
        Two("is_not", (a, b) => PyBool.Of(!ReferenceEquals(a, b)));

        var absFn = interp.BuiltinsModule.ModDict.GetOrNull("abs")!;
        One("abs", a => Ops.Call1(absFn, a));
        One("index", Ops.Index);
        One("inv", a => Ops.UnaryOp(a, UnOp.Invert));
        One("invert", a => Ops.UnaryOp(a, UnOp.Invert));
        One("neg", a => Ops.UnaryOp(a, UnOp.Neg));
        One("pos", a => Ops.UnaryOp(a, UnOp.Pos));
        foreach (var (name, op) in new (string, BinOp)[]
        {
            ("add", BinOp.Add), ("and_", BinOp.And), ("floordiv", BinOp.FloorDiv), ("lshift", BinOp.LShift),
            ("mod", BinOp.Mod), ("mul", BinOp.Mul), ("matmul", BinOp.MatMul), ("or_", BinOp.Or), ("pow", BinOp.Pow),
            ("rshift", BinOp.RShift), ("sub", BinOp.Sub), ("truediv", BinOp.TrueDiv), ("xor", BinOp.Xor),
        })
        {
            var o = op;
            Two(name, (a, b) => Ops.BinaryOp(a, b, o));
            Two("i" + name.TrimEnd('_'), (a, b) => Ops.InplaceOp(a, b, o));
        }
        Two("concat", (a, b) => Concat(a, b, inplace: false));
        Two("iconcat", (a, b) => Concat(a, b, inplace: true));
        Two("contains", (a, b) => PyBool.Of(Ops.Contains(a, b)));
        Two("countOf", (a, b) =>
        {
            long n = 0;
            var it = Ops.GetIter(a);
            while (Ops.Next(it) is { } x) if (ReferenceEquals(x, b) || Ops.Eq(x, b)) n++;
            return PyInt.Get(n);
        });
        Two("indexOf", (a, b) =>
        {
            long i = 0;
            var it = Ops.GetIter(a);
            while (Ops.Next(it) is { } x)
            {
                if (ReferenceEquals(x, b) || Ops.Eq(x, b)) return PyInt.Get(i);
                i++;
            }
            throw Ops.ValueError("sequence.index(x): x not in sequence");
        });
        Two("getitem", Ops.GetItem);
        Two("delitem", (a, b) => { Ops.DelItem(a, b); return PyNone.Instance; });
        m.AddFn("setitem", (a, k) =>
        {
            ArgParser.CheckPositional("setitem", a, k, 3, 3);
            Ops.SetItem(a[0], a[1], a[2]);
            return PyNone.Instance;
        });
        m.AddFn("length_hint", (a, k) =>
        {
            ArgParser.CheckPositional("length_hint", a, k, 1, 2);
            PyObject dflt = a.Length > 1 ? a[1] : PyInt.Zero;
            if (dflt is not PyInt di || dflt is PyBool || di.Type != PyInt.TypeObj)
                throw Ops.TypeError($"'{dflt.Type.Name}' object cannot be interpreted as an integer");
            return LengthHint(a[0], di);
        });
        m.AddFn("call", (a, k) =>
        {
            int npos = a.Length - (k?.Length ?? 0);
            if (npos < 1) throw Ops.TypeError($"call() missing required argument 'obj' (pos 1)");
            return Ops.Call(a[0], a.Slice(1), k);
        });
        m.AddFn("_compare_digest", (a, k) =>
        {
            ArgParser.CheckPositional("_compare_digest", a, k, 2, 2);
            return PyBool.Of(CompareDigest(a[0], a[1]));
        });
        return m;
    }

    /// <summary>PySequence_Concat / PySequence_InPlaceConcat: the built-in sequences concatenate (with their own
    /// errors); other objects only when both look like sequences and + (or +=) works.</summary>
    private static PyObject Concat(PyObject a, PyObject b, bool inplace)
    {
        if (a is PyStr || a is PyBytes || a is PyList || a is PyTuple || (IsSequence(a) && IsSequence(b)))
        {
            if (a is PyStr || a is PyBytes || a is PyList || a is PyTuple) return inplace ? Ops.InplaceOp(a, b, BinOp.Add) : Ops.BinaryOp(a, b, BinOp.Add);
            try { return inplace ? Ops.InplaceOp(a, b, BinOp.Add) : Ops.BinaryOp(a, b, BinOp.Add); }
            catch (PyException e) when (e.Value.Type == PyBaseException.TypeErrorType && e.Value.Str().StartsWith("unsupported operand", StringComparison.Ordinal)) { }
        }
        throw Ops.TypeError($"'{a.Type.Name}' object can't be concatenated");
    }

    /// <summary>PySequence_Check: has __getitem__ and is not a dict.</summary>
    private static bool IsSequence(PyObject o) => o is not PyDict && o.Type.Lookup(GetItemName) != null;

    /// <summary>PyObject_LengthHint: len() if the object has one, else __length_hint__ (NotImplemented or a TypeError
    /// from it means the default).</summary>
    private static PyObject LengthHint(PyObject o, PyInt dflt)
    {
        if (o.Type.Lookup(LenName) != null || (!o.Type.IsHeap && o.HasLen))
        {
            try { return PyInt.Get(Ops.LenLong(o)); }
            catch (PyException e) when (e.Value.Type == PyBaseException.TypeErrorType) { }
        }
        var hint = o.Type.Lookup(LengthHintName);
        if (hint == null) return dflt;
        PyObject r;
        try { r = Ops.CallSlot(hint, o); }
        catch (PyException e) when (e.Value.Type == PyBaseException.TypeErrorType) { return dflt; }
        if (r == PyNotImplementedType.Instance) return dflt;
        if (r is not PyInt ri) throw Ops.TypeError($"__length_hint__ must be an integer, not {r.Type.Name}");
        if (ri.Sign < 0) throw Ops.ValueError("__length_hint__() should return >= 0");
        if (ri.IsBig) throw Ops.OverflowError("Python int too large to convert to C ssize_t");
        return PyInt.Get(ri.V);
    }

    /// <summary>_tscmp: compares in time that depends on the length of <paramref name="b"/> only.</summary>
    private static bool CompareDigest(PyObject a, PyObject b)
    {
        byte[] x, y;
        if (a is PyStr sa && b is PyStr sb)
        {
            foreach (char c in sa.Value) if (c > 127) throw Ops.TypeError("comparing strings with non-ASCII characters is not supported");
            foreach (char c in sb.Value) if (c > 127) throw Ops.TypeError("comparing strings with non-ASCII characters is not supported");
            x = Encoding.ASCII.GetBytes(sa.Value); y = Encoding.ASCII.GetBytes(sb.Value);
        }
        else
        {
            // otherwise both through the buffer protocol (bytes and bytearray here)
            if (a is not PyBytes ba) throw Ops.TypeError($"a bytes-like object is required, not '{a.Type.Name}'");
            if (b is not PyBytes bb) throw Ops.TypeError($"a bytes-like object is required, not '{b.Type.Name}'");
            x = ba.Span.ToArray(); y = bb.Span.ToArray();
        }
        // the loop runs over b whatever the lengths: the time reveals len(b), which the caller knows anyway
        var left = x.Length == y.Length ? x : y;
        int result = x.Length == y.Length ? 0 : 1;
        for (int i = 0; i < y.Length; i++) result |= left[i] ^ y[i];
        return result == 0;
    }

    private sealed class Types
    {
        public readonly PyType AttrGetter, ItemGetter, MethodCaller;

        public Types()
        {
            AttrGetter = Make("attrgetter", "attrgetter(attr, ...) --> attrgetter object\n\nReturn a callable object that fetches the given attribute(s) from its operand.\nAfter f = attrgetter('name'), the call f(r) returns r.name.\nAfter g = attrgetter('name', 'date'), the call g(r) returns (r.name, r.date).\nAfter h = attrgetter('name.first', 'name.last'), the call h(r) returns\n(r.name.first, r.name.last).", (cls, a, k) =>
            {
                ArgParser.NoKeywords("attrgetter", k);
                if (a.Length < 1) throw Ops.TypeError("attrgetter expected 1 argument, got 0");
                var names = new PyStr[a.Length][];
                for (int i = 0; i < a.Length; i++)
                {
                    if (a[i] is not PyStr s) throw Ops.TypeError("attribute name must be a string");
                    var parts = s.Value.Split('.');
                    names[i] = new PyStr[parts.Length];
                    for (int j = 0; j < parts.Length; j++) names[i][j] = PyStr.Intern(parts[j]);
                }
                return new AttrGetterObject(cls, a.ToArray(), names);
            });
            ItemGetter = Make("itemgetter", "itemgetter(item, ...) --> itemgetter object\n\nReturn a callable object that fetches the given item(s) from its operand.\nAfter f = itemgetter(2), the call f(r) returns r[2].\nAfter g = itemgetter(2, 5, 3), the call g(r) returns (r[2], r[5], r[3])", (cls, a, k) =>
            {
                ArgParser.NoKeywords("itemgetter", k);
                if (a.Length < 1) throw Ops.TypeError("itemgetter expected 1 argument, got 0");
                return new ItemGetterObject(cls, a.ToArray());
            });
            MethodCaller = Make("methodcaller", "methodcaller(name, ...) --> methodcaller object\n\nReturn a callable object that calls the given method on its operand.\nAfter f = methodcaller('name'), the call f(r) returns r.name().\nAfter g = methodcaller('name', 'date', foo=1), the call g(r) returns\nr.name('date', foo=1).", (cls, a, k) =>
            {
                int nkw = k?.Length ?? 0;
                int npos = a.Length - nkw;
                if (npos < 1) throw Ops.TypeError("methodcaller needs at least one argument, the method name");
                if (a[0] is not PyStr name) throw Ops.TypeError("method name must be a string");
                return new MethodCallerObject(cls, PyStr.Intern(name.Value), a.Slice(1, npos - 1).ToArray(),
                    k ?? Array.Empty<PyStr>(), a.Slice(npos).ToArray());
            });
            AttrGetter.AddMethod("__reduce__", (a, k) =>
            {
                var g = a[0] as AttrGetterObject ?? throw Descriptor("__reduce__", "attrgetter", a[0]);
                return new PyTuple(new PyObject[] { g.Type, new PyTuple(g.Attrs) });
            });
            ItemGetter.AddMethod("__reduce__", (a, k) =>
            {
                var g = a[0] as ItemGetterObject ?? throw Descriptor("__reduce__", "itemgetter", a[0]);
                return new PyTuple(new PyObject[] { g.Type, new PyTuple(g.Items) });
            });
            MethodCaller.AddMethod("__reduce__", (a, k) =>
            {
                var mc = a[0] as MethodCallerObject ?? throw Descriptor("__reduce__", "methodcaller", a[0]);
                if (mc.KwNames.Length == 0)
                {
                    var args = new PyObject[mc.Args.Length + 1];
                    args[0] = mc.Name;
                    mc.Args.CopyTo(args, 1);
                    return new PyTuple(new PyObject[] { mc.Type, new PyTuple(args) });
                }
                // partial(methodcaller, name, **kwargs) rebuilt with the positional arguments, as CPython's
                var functools = ThreadState.Current.Interp.Imports.ImportModule("functools");
                var pargs = new PyObject[2 + mc.KwValues.Length];
                pargs[0] = mc.Type; pargs[1] = mc.Name;
                mc.KwValues.CopyTo(pargs, 2);
                var ctor = Ops.Call(Ops.GetAttr(functools, "partial"), pargs, mc.KwNames);
                return new PyTuple(new PyObject[] { ctor, new PyTuple(mc.Args) });
            });
        }

        private static PyException Descriptor(string method, string typeName, PyObject o) =>
            Ops.TypeError($"descriptor '{method}' for 'operator.{typeName}' objects doesn't apply to a '{o.Type.Name}' object");

        private static PyType Make(string name, string doc, NewFn newFn)
        {
            var t = new PyType(name, PyType.ObjectType, newFn) { ModuleName = "operator" };
            t.SetMember("__doc__", new PyStr(doc));
            return t;
        }
    }

    /// <summary>The single operand of a getter or caller: "attrgetter expected 1 argument, got 2", no keywords.</summary>
    private static PyObject Operand(string name, ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        ArgParser.NoKeywords(name, k);
        if (a.Length != 1) throw Ops.TypeError($"{name} expected 1 argument, got {a.Length}");
        return a[0];
    }

    private sealed class AttrGetterObject : PyObject
    {
        private readonly PyType _type;
        public readonly PyObject[] Attrs;
        private readonly PyStr[][] _names;
        public AttrGetterObject(PyType type, PyObject[] attrs, PyStr[][] names) { _type = type; Attrs = attrs; _names = names; }
        public override PyType Type => _type;
        public override bool IsCallable => true;

        public override PyObject Call(ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
        {
            var obj = Operand("attrgetter", args, kwnames);
            if (_names.Length == 1) return Get(obj, _names[0]);
            var r = new PyObject[_names.Length];
            for (int i = 0; i < r.Length; i++) r[i] = Get(obj, _names[i]);
            return new PyTuple(r);
        }

        private static PyObject Get(PyObject obj, PyStr[] path)
        {
            foreach (var n in path) obj = Ops.GetAttr(obj, n);
            return obj;
        }

        public override string Repr()
        {
            var sb = new StringBuilder("operator.attrgetter(");
            for (int i = 0; i < Attrs.Length; i++) { if (i > 0) sb.Append(", "); sb.Append(Ops.Repr(Attrs[i])); }
            return sb.Append(')').ToString();
        }
    }

    private sealed class ItemGetterObject : PyObject
    {
        private readonly PyType _type;
        public readonly PyObject[] Items;
        public ItemGetterObject(PyType type, PyObject[] items) { _type = type; Items = items; }
        public override PyType Type => _type;
        public override bool IsCallable => true;

        public override PyObject Call(ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
        {
            var obj = Operand("itemgetter", args, kwnames);
            if (Items.Length == 1) return Ops.GetItem(obj, Items[0]);
            var r = new PyObject[Items.Length];
            for (int i = 0; i < r.Length; i++) r[i] = Ops.GetItem(obj, Items[i]);
            return new PyTuple(r);
        }

        public override string Repr()
        {
            var sb = new StringBuilder("operator.itemgetter(");
            for (int i = 0; i < Items.Length; i++) { if (i > 0) sb.Append(", "); sb.Append(Ops.Repr(Items[i])); }
            return sb.Append(')').ToString();
        }
    }

    private sealed class MethodCallerObject : PyObject
    {
        private readonly PyType _type;
        public readonly PyStr Name;
        public readonly PyObject[] Args, KwValues;
        public readonly PyStr[] KwNames;
        private readonly PyObject[] _callArgs;  // Args then KwValues: the call's argument vector

        public MethodCallerObject(PyType type, PyStr name, PyObject[] args, PyStr[] kwNames, PyObject[] kwValues)
        {
            _type = type; Name = name; Args = args; KwNames = kwNames; KwValues = kwValues;
            _callArgs = new PyObject[args.Length + kwValues.Length];
            args.CopyTo(_callArgs, 0);
            kwValues.CopyTo(_callArgs, args.Length);
        }

        public override PyType Type => _type;
        public override bool IsCallable => true;

        public override PyObject Call(ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
        {
            var obj = Operand("methodcaller", args, kwnames);
            var method = Ops.GetAttr(obj, Name);
            return Ops.Call(method, _callArgs, KwNames.Length == 0 ? null : KwNames);
        }

        public override string Repr()
        {
            var sb = new StringBuilder("operator.methodcaller(").Append(Ops.Repr(Name));
            foreach (var a in Args) sb.Append(", ").Append(Ops.Repr(a));
            for (int i = 0; i < KwNames.Length; i++) sb.Append(", ").Append(KwNames[i].Value).Append('=').Append(Ops.Repr(KwValues[i]));
            return sb.Append(')').ToString();
        }
    }
}
