using System;
using System.Collections.Generic;
using System.Text;

namespace Invisible.Python.Runtime;

/// <summary><c>types.GenericAlias</c> (CPython's Objects/genericaliasobject.c): <c>list[int]</c>, what
/// <c>__class_getitem__</c> of builtin classes returns. Any object may be the origin; the arguments are always a
/// tuple; <c>__parameters__</c> (the type variables among the arguments) is computed on first use; subscripting
/// substitutes them (<c>dict[str, T][int]</c>); attributes other than its own are the origin's; <c>*tuple[int]</c>
/// is the starred form that iterating gives. Heap subclasses (collections.abc's <c>_CallableGenericAlias</c>)
/// are instances of this class with their own type.</summary>
public sealed class PyGenericAlias : PyObject
{
    public static PyType TypeObj = null!, IteratorType = null!;
    public readonly PyObject Origin;
    public readonly PyTuple Args;
    public readonly bool Starred;
    private PyTuple? _parameters;
    private readonly PyType? _type;
    private PyDict? _dict;

    public PyGenericAlias(PyObject origin, PyObject args, bool starred = false, PyType? type = null)
    {
        Origin = origin;
        Args = args as PyTuple ?? new PyTuple(new[] { args });
        Starred = starred;
        if (type != null && type != TypeObj) _type = type;
    }

    public override PyType Type => _type ?? TypeObj;
    public override PyDict? Dict => _type == null || _type.NoInstanceDict ? null : _dict ??= new PyDict();

    public PyTuple Parameters => _parameters ??= TypeParams.MakeParameters(Args);

    // Names that are the alias's own; every other attribute is looked up on the origin (ga_getattro).
    private static readonly HashSet<string> OwnAttributes = new()
    {
        "__class__", "__origin__", "__args__", "__unpacked__", "__parameters__", "__typing_unpacked_tuple_args__",
        "__mro_entries__", "__reduce_ex__", "__reduce__", "__copy__", "__deepcopy__",
    };

    public override PyObject? GetAttrOrNull(PyStr name)
    {
        if (!OwnAttributes.Contains(name.Value)) return Ops.GetAttrOrNull(Origin, name);
        return base.GetAttrOrNull(name);
    }

    public override bool IsCallable => true;

    public override PyObject Call(ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
    {
        var obj = Ops.Call(Origin, args, kwnames);
        try { Ops.SetAttr(obj, PyStr.Intern("__orig_class__"), this); }
        catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.AttributeErrorType) || e.Value.Type.IsSubtypeOf(PyBaseException.TypeErrorType)) { }
        return obj;
    }

    public override string Repr()
    {
        var sb = new StringBuilder();
        if (Starred) sb.Append('*');
        sb.Append(TypeParams.ReprItem(Origin)).Append('[');
        var items = Args.Items;
        if (items.Length == 0) sb.Append("()");
        for (int i = 0; i < items.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            if (items[i] is PyList list)
            {
                // Callable[[int, str], T]: the parameter list keeps its brackets
                sb.Append('[');
                var li = list.ToArray();
                for (int j = 0; j < li.Length; j++) { if (j > 0) sb.Append(", "); sb.Append(TypeParams.ReprItem(li[j])); }
                sb.Append(']');
            }
            else sb.Append(TypeParams.ReprItem(items[i]));
        }
        return sb.Append(']').ToString();
    }

    public override PyObject GetItem(PyObject key)
    {
        var newArgs = TypeParams.SubstituteParameters(this, Args, Parameters, key);
        return new PyGenericAlias(Origin, newArgs, Starred);
    }

    public override PyObject Iter() => new GenericAliasIterator(this);

    public override long Hash() => Ops.Hash(Origin) ^ Ops.Hash(Args);

    public override PyObject? RichCompare(PyObject other, CmpOp op)
    {
        if (other is not PyGenericAlias b || (op != CmpOp.Eq && op != CmpOp.Ne)) return null;
        bool eq = Starred == b.Starred && Ops.Eq(Origin, b.Origin) && Ops.Eq(Args, b.Args);
        return PyBool.Of(op == CmpOp.Eq ? eq : !eq);
    }

    public override PyObject? BinOp(BinOp op, PyObject other) => op == Runtime.BinOp.Or ? PyUnionType.Or(this, other) : null;
    public override PyObject? RBinOp(BinOp op, PyObject other) => op == Runtime.BinOp.Or ? PyUnionType.Or(other, this) : null;

    private static PyGenericAlias Self(ReadOnlySpan<PyObject> a, string method)
        => a.Length > 0 && a[0] is PyGenericAlias g ? g : throw Ops.TypeError($"descriptor '{method}' requires a 'types.GenericAlias' object");

    public static void InitType()
    {
        var t = TypeObj = new PyType("GenericAlias", PyType.ObjectType, New) { ModuleName = "types" };
        t.SetMember("__module__", new PyStr("types"));
        t.SetMember("__doc__", new PyStr("Represent a PEP 585 generic type\n\nE.g. for t = list[int], t.__origin__ is list and t.__args__ is (int,)."));
        t.SetMember("__origin__", Getter("__origin__", g => g.Origin));
        t.SetMember("__args__", Getter("__args__", g => g.Args));
        t.SetMember("__unpacked__", Getter("__unpacked__", g => PyBool.Of(g.Starred)));
        t.SetMember("__parameters__", Getter("__parameters__", g => g.Parameters));
        t.SetMember("__typing_unpacked_tuple_args__", Getter("__typing_unpacked_tuple_args__",
            g => g.Starred && g.Origin == PyTuple.TypeObj ? g.Args : PyNone.Instance));
        t.AddMethod("__mro_entries__", (a, k) => new PyTuple(new[] { Self(a, "__mro_entries__").Origin }));
        t.AddMethod("__instancecheck__", (a, k) => throw Ops.TypeError("isinstance() argument 2 cannot be a parameterized generic"));
        t.AddMethod("__subclasscheck__", (a, k) => throw Ops.TypeError("issubclass() argument 2 cannot be a parameterized generic"));
        t.AddMethod("__reduce__", (a, k) =>
        {
            var g = Self(a, "__reduce__");
            if (g.Starred)
            {
                var it = new GenericAliasIterator(new PyGenericAlias(g.Origin, g.Args));
                return PyTuple.Of(Builtins.Interp.Builtin("next"), PyTuple.Of(it));
            }
            return PyTuple.Of(g.Type, PyTuple.Of(g.Origin, g.Args));
        });
        t.AddMethod("__dir__", (a, k) =>
        {
            var g = Self(a, "__dir__");
            var names = (PyList)Ops.Call1(Builtins.Interp.Builtin("dir"), g.Origin);
            foreach (var n in OwnAttributes)
            {
                var s = new PyStr(n);
                if (!(names.Contains(s) ?? false)) names.Append(s);
            }
            return names;
        });
        t.AddMethod("__getitem__", (a, k) => Self(a, "__getitem__").GetItem(a[1]));
        t.AddMethod("__call__", (a, k) => Self(a, "__call__").Call(a.Slice(1), k));
        t.AddMethod("__iter__", (a, k) => Self(a, "__iter__").Iter());
        t.AddMethod("__repr__", (a, k) => PyStr.Of(Self(a, "__repr__").Repr()));
        t.AddMethod("__hash__", (a, k) => PyInt.Get(Self(a, "__hash__").Hash()));
        t.AddMethod("__eq__", (a, k) => Self(a, "__eq__").RichCompare(a[1], CmpOp.Eq) ?? PyNotImplementedType.Instance);
        t.AddMethod("__ne__", (a, k) => Self(a, "__ne__").RichCompare(a[1], CmpOp.Ne) ?? PyNotImplementedType.Instance);
        t.AddMethod("__or__", (a, k) => PyUnionType.Or(a[0], a[1]) ?? PyNotImplementedType.Instance);
        t.AddMethod("__ror__", (a, k) => PyUnionType.Or(a[1], a[0]) ?? PyNotImplementedType.Instance);

        var it = IteratorType = new PyType("generic_alias_iterator", PyType.ObjectType, null);
        it.AddMethod("__iter__", (a, k) => a[0]);
        it.AddMethod("__next__", (a, k) => a[0].Next() ?? throw Ops.StopIteration());
        it.AddMethod("__reduce__", (a, k) =>
        {
            var self = (GenericAliasIterator)a[0];
            return PyTuple.Of(Builtins.Interp.Builtin("iter"), PyTuple.Of(self.Pending is { } g ? g : PyTuple.Empty));
        });
    }

    private static PyProperty Getter(string name, Func<PyGenericAlias, PyObject> get)
        => new(new PyBuiltinFunction(name, (a, k) => get(Self(a, name))), null, null, PyNone.Instance);

    private static PyObject New(PyType cls, ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
    {
        if (kwnames != null && kwnames.Length > 0) throw Ops.TypeError("GenericAlias() takes no keyword arguments");
        if (args.Length != 2) throw Ops.TypeError($"GenericAlias expected 2 arguments, got {args.Length}");
        return new PyGenericAlias(args[0], args[1], false, cls);
    }
}

/// <summary>What iterating a generic alias gives: its starred form once (<c>[*tuple[int]]</c>).</summary>
public sealed class GenericAliasIterator : PyObject
{
    public PyGenericAlias? Pending;
    public GenericAliasIterator(PyGenericAlias alias) { Pending = alias; }
    public override PyType Type => PyGenericAlias.IteratorType;
    public override PyObject Iter() => this;
    public override PyObject? Next()
    {
        var g = Pending;
        if (g == null) return null;
        Pending = null;
        return new PyGenericAlias(g.Origin, g.Args, true);
    }
}

/// <summary>The type-variable machinery shared by <see cref="PyGenericAlias"/> and <see cref="PyUnionType"/>
/// (CPython's _Py_make_parameters and _Py_subs_parameters): the protocol is typing's <c>__typing_subst__</c>,
/// <c>__typing_prepare_subst__</c>, <c>__typing_is_unpacked_typevartuple__</c> and
/// <c>__typing_unpacked_tuple_args__</c>.</summary>
internal static class TypeParams
{
    private static readonly PyStr SOrigin = PyStr.Intern("__origin__"), SArgs = PyStr.Intern("__args__"),
        SQualname = PyStr.Intern("__qualname__"), SModule = PyStr.Intern("__module__"), SParameters = PyStr.Intern("__parameters__"),
        SSubst = PyStr.Intern("__typing_subst__"), SPrepareSubst = PyStr.Intern("__typing_prepare_subst__"),
        SIsUnpackedTvt = PyStr.Intern("__typing_is_unpacked_typevartuple__"), SUnpackedTupleArgs = PyStr.Intern("__typing_unpacked_tuple_args__");

    /// <summary>The attribute, or null when it is missing (an AttributeError is swallowed, as _PyObject_LookupAttr).</summary>
    public static PyObject? LookupAttr(PyObject o, PyStr name)
    {
        try { return Ops.GetAttrOrNull(o, name); }
        catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.AttributeErrorType)) { return null; }
    }

    /// <summary>How an argument prints inside <c>list[...]</c> or <c>int | str</c> (ga_repr_item).</summary>
    public static string ReprItem(PyObject p)
    {
        if (p == PyEllipsis.Instance) return "...";
        if (LookupAttr(p, SOrigin) != null && LookupAttr(p, SArgs) != null) return Ops.Repr(p);
        var qualname = LookupAttr(p, SQualname);
        if (qualname == null) return Ops.Repr(p);
        var module = LookupAttr(p, SModule);
        if (module == null || module == PyNone.Instance) return Ops.Repr(p);
        if (module is PyStr ms && ms.Value == "builtins") return Ops.Str(qualname);
        return Ops.Str(module) + "." + Ops.Str(qualname);
    }

    private static bool AddUnique(List<PyObject> list, PyObject o)
    {
        foreach (var x in list) if (ReferenceEquals(x, o)) return false;
        list.Add(o);
        return true;
    }

    private static int IndexOf(PyTuple t, PyObject o)
    {
        var items = t.Items;
        for (int i = 0; i < items.Length; i++) if (ReferenceEquals(items[i], o)) return i;
        return -1;
    }

    public static PyTuple MakeParameters(PyTuple args)
    {
        var parameters = new List<PyObject>();
        foreach (var t in args.Items)
        {
            // a bare class's __parameters__ is a descriptor, not its parameters
            if (t is PyType) continue;
            if (LookupAttr(t, SSubst) != null) { AddUnique(parameters, t); continue; }
            if (LookupAttr(t, SParameters) is PyTuple sub)
                foreach (var p in sub.Items) AddUnique(parameters, p);
        }
        return parameters.Count == 0 ? PyTuple.Empty : new PyTuple(parameters.ToArray());
    }

    private static PyObject? UnpackedTupleArgs(PyObject arg)
    {
        if (arg is PyGenericAlias g && g.Starred && g.Origin == PyTuple.TypeObj) return g.Args;
        var r = LookupAttr(arg, SUnpackedTupleArgs);
        return r == PyNone.Instance ? null : r;
    }

    /// <summary>The subscript's items with unpacked fixed-length tuples (<c>*tuple[int, str]</c>) spliced in.</summary>
    private static PyTuple UnpackArgs(PyObject item)
    {
        var items = item is PyTuple t ? t.Items : new[] { item };
        var result = new List<PyObject>(items.Length);
        foreach (var x in items)
        {
            if (x is not PyType && UnpackedTupleArgs(x) is PyTuple sub && !(sub.Items.Length > 0 && sub.Items[^1] == PyEllipsis.Instance))
            {
                result.AddRange(sub.Items);
                continue;
            }
            result.Add(x);
        }
        return new PyTuple(result.ToArray());
    }

    private static bool IsUnpackedTypeVarTuple(PyObject arg)
    {
        if (arg is PyType) return false;
        var r = LookupAttr(arg, SIsUnpackedTvt);
        return r != null && Ops.IsTrue(r);
    }

    /// <summary>Replaces the parameters in <paramref name="args"/> by the subscript's items:
    /// <c>dict[T, list[S]][str, int]</c> gives <c>(str, list[int])</c>.</summary>
    public static PyTuple SubstituteParameters(PyObject self, PyTuple args, PyTuple parameters, PyObject item)
    {
        int nparams = parameters.Items.Length;
        if (nparams == 0) throw Ops.TypeError($"{Ops.Repr(self)} is not a generic class");
        PyObject unpacked = UnpackArgs(item);
        foreach (var param in parameters.Items)
        {
            var prepare = LookupAttr(param, SPrepareSubst);
            if (prepare != null && prepare != PyNone.Instance)
                unpacked = Ops.CallArgs(prepare, self, unpacked is PyTuple ? unpacked : PyTuple.Of(unpacked));
        }
        var argItems = unpacked is PyTuple ut ? ut.Items : new[] { unpacked };
        if (argItems.Length != nparams)
            throw Ops.TypeError($"Too {(argItems.Length > nparams ? "many" : "few")} arguments for {Ops.Repr(self)}; actual {argItems.Length}, expected {nparams}");
        var newArgs = new List<PyObject>(args.Items.Length);
        foreach (var a in args.Items)
        {
            // a bare class stays (its __parameters__, if any, are its own)
            if (a is PyType) { newArgs.Add(a); continue; }
            bool unpack = IsUnpackedTypeVarTuple(a);
            PyObject arg;
            var subst = a is PyType ? null : LookupAttr(a, SSubst);
            if (subst != null) arg = Ops.Call1(subst, argItems[IndexOf(parameters, a)]);
            else arg = SubstituteTypeVars(a, parameters, argItems);
            if (unpack)
            {
                if (arg is not PyTuple at) throw Ops.TypeError($"expected a tuple, not {arg.Type.Name}");
                newArgs.AddRange(at.Items);
            }
            else newArgs.Add(arg);
        }
        return new PyTuple(newArgs.ToArray());
    }

    /// <summary>An argument that is itself generic (<c>list[T]</c>) subscripted with the items for its own parameters.</summary>
    private static PyObject SubstituteTypeVars(PyObject obj, PyTuple parameters, PyObject[] argItems)
    {
        if (LookupAttr(obj, SParameters) is not PyTuple sub || sub.Items.Length == 0) return obj;
        var subArgs = new List<PyObject>(sub.Items.Length);
        foreach (var p in sub.Items)
        {
            var arg = p;
            int i = IndexOf(parameters, p);
            if (i >= 0)
            {
                var param = parameters.Items[i];
                arg = argItems[i];
                // a TypeVarTuple (its type iterates) takes a tuple of items
                if (param.Type.Lookup(PyStr.S___iter__) != null && arg is PyTuple at) { subArgs.AddRange(at.Items); continue; }
            }
            subArgs.Add(arg);
        }
        return Ops.GetItem(obj, new PyTuple(subArgs.ToArray()));
    }
}
