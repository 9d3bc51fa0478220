using System;
using System.Collections.Generic;
using System.Numerics;
using System.Text;
using Invisible.Python.Runtime;

namespace Invisible.Python.Builtins;

public static partial class TypeMethods
{
    private static string S(PyObject o) => o is PyStr s ? s.Value : throw Ops.TypeError($"must be str, not {o.Type.Name}");
    private static PyObject? A(ReadOnlySpan<PyObject> a, PyStr[]? k, int i, string name) => Ops.Arg(a, k, i, name);

    private static void Slots(PyType t, params string[] names)
    {
        foreach (var n in names)
        {
            NativeFn fn = n switch
            {
                "__getitem__" => (a, k) => a[0].GetItem(a[1]),
                "__setitem__" => (a, k) => { a[0].SetItem(a[1], a[2]); return PyNone.Instance; },
                "__delitem__" => (a, k) => { a[0].DelItem(a[1]); return PyNone.Instance; },
                "__len__" => (a, k) => PyInt.Get(a[0].Len()),
                "__contains__" => (a, k) => PyBool.Of(a[0].Contains(a[1]) ?? false),
                "__iter__" => (a, k) => a[0].Iter(),
                "__repr__" => (a, k) => PyStr.Of(a[0].Repr()),
                "__str__" => (a, k) => PyStr.Of(a[0].Str()),
                "__hash__" => (a, k) => PyInt.Get(a[0].Hash()),
                "__bool__" => (a, k) => PyBool.Of(a[0].IsTrue()),
                "__eq__" => (a, k) => a[0].RichCompare(a[1], CmpOp.Eq) ?? PyNotImplementedType.Instance,
                "__ne__" => (a, k) => a[0].RichCompare(a[1], CmpOp.Ne) ?? PyNotImplementedType.Instance,
                "__lt__" => (a, k) => a[0].RichCompare(a[1], CmpOp.Lt) ?? PyNotImplementedType.Instance,
                "__le__" => (a, k) => a[0].RichCompare(a[1], CmpOp.Le) ?? PyNotImplementedType.Instance,
                "__gt__" => (a, k) => a[0].RichCompare(a[1], CmpOp.Gt) ?? PyNotImplementedType.Instance,
                "__ge__" => (a, k) => a[0].RichCompare(a[1], CmpOp.Ge) ?? PyNotImplementedType.Instance,
                "__add__" => (a, k) => a[0].BinOp(BinOp.Add, a[1]) ?? PyNotImplementedType.Instance,
                "__sub__" => (a, k) => a[0].BinOp(BinOp.Sub, a[1]) ?? PyNotImplementedType.Instance,
                "__mul__" => (a, k) => a[0].BinOp(BinOp.Mul, a[1]) ?? PyNotImplementedType.Instance,
                "__truediv__" => (a, k) => a[0].BinOp(BinOp.TrueDiv, a[1]) ?? PyNotImplementedType.Instance,
                "__floordiv__" => (a, k) => a[0].BinOp(BinOp.FloorDiv, a[1]) ?? PyNotImplementedType.Instance,
                "__mod__" => (a, k) => a[0].BinOp(BinOp.Mod, a[1]) ?? PyNotImplementedType.Instance,
                "__pow__" => (a, k) => a[0].BinOp(BinOp.Pow, a[1]) ?? PyNotImplementedType.Instance,
                "__and__" => (a, k) => a[0].BinOp(BinOp.And, a[1]) ?? PyNotImplementedType.Instance,
                "__or__" => (a, k) => a[0].BinOp(BinOp.Or, a[1]) ?? PyNotImplementedType.Instance,
                "__xor__" => (a, k) => a[0].BinOp(BinOp.Xor, a[1]) ?? PyNotImplementedType.Instance,
                "__lshift__" => (a, k) => a[0].BinOp(BinOp.LShift, a[1]) ?? PyNotImplementedType.Instance,
                "__rshift__" => (a, k) => a[0].BinOp(BinOp.RShift, a[1]) ?? PyNotImplementedType.Instance,
                "__radd__" => (a, k) => a[0].RBinOp(BinOp.Add, a[1]) ?? PyNotImplementedType.Instance,
                "__rsub__" => (a, k) => a[0].RBinOp(BinOp.Sub, a[1]) ?? PyNotImplementedType.Instance,
                "__rmul__" => (a, k) => a[0].RBinOp(BinOp.Mul, a[1]) ?? PyNotImplementedType.Instance,
                "__rtruediv__" => (a, k) => a[0].RBinOp(BinOp.TrueDiv, a[1]) ?? PyNotImplementedType.Instance,
                "__neg__" => (a, k) => a[0].UnaryOp(UnOp.Neg) ?? PyNotImplementedType.Instance,
                "__pos__" => (a, k) => a[0].UnaryOp(UnOp.Pos) ?? PyNotImplementedType.Instance,
                "__abs__" => (a, k) => Ops.Call1(Interp.Builtin("abs"), a[0]),
                "__int__" => (a, k) => a[0] is PyInt ? ExactInt(a[0]) : a[0] is PyFloat f ? FloatToInt(f.V) : ToInt(a[0]),
                "__float__" => (a, k) => new PyFloat(ToDouble(a[0])),
                "__index__" => (a, k) => ExactInt(a[0]),
                "__iadd__" => (a, k) => a[0].InplaceOp(BinOp.Add, a[1]) ?? PyNotImplementedType.Instance,
                "__ior__" => (a, k) => a[0].InplaceOp(BinOp.Or, a[1]) ?? PyNotImplementedType.Instance,
                "__ror__" => (a, k) => a[0].RBinOp(BinOp.Or, a[1]) ?? PyNotImplementedType.Instance,
                _ => throw new InvalidOperationException(n),
            };
            var f = new PyBuiltinFunction(n, fn, true) { Owner = t };
            int arity = SlotWrapperArity(n);
            if (arity >= 0) { f.Arity = MethodArity.Wrapper; f.MinArgs = f.MaxArgs = (short)arity; }
            t.TypeDict.SetItem(PyStr.Intern(n), f);
        }
    }

    /// <summary>How many arguments (self not counted) CPython's slot wrapper of this name takes, or -1 when the
    /// function checks its own (<c>__pow__</c>'s optional modulus).</summary>
    private static int SlotWrapperArity(string name) => name switch
    {
        "__len__" or "__iter__" or "__repr__" or "__str__" or "__hash__" or "__bool__" or "__neg__" or "__pos__"
            or "__abs__" or "__int__" or "__float__" or "__index__" => 0,
        "__setitem__" => 2,
        "__pow__" => -1,
        _ => 1,
    };

    internal static void Init()
    {
        InitObject();
        InitStr();
        InitList();
        InitTuple();
        InitDict();
        InitSet();
        InitSetProtocol();
        InitNumbers();
        InitBytes();
        InitBytesMore();
        InitBytesSearch();
        InitByteArray();
        InitMisc();
        ApplyArities();
    }

    /// <summary>CPython's <c>type-&gt;tp_new != object_new</c>: a class (or a base) defines <c>__new__</c>, or is a
    /// built-in type with its own constructor.</summary>
    internal static bool OverridesNew(PyType t)
        => !ReferenceEquals(t.New, PyType.ObjectType.New) || t.LookupHeap(PyStr.S___new__) != null // slot_tp_new, whatever it holds
            || !ReferenceEquals(t.Lookup(PyStr.S___new__), PyType.ObjectType.TypeDict.GetOrNull(PyStr.S___new__));

    /// <summary>CPython's tp_new_wrapper check: <c>owner.__new__(cls)</c> must be the constructor of cls's nearest
    /// base not written in Python ("int.__new__(bool) is not safe, use bool.__new__()").</summary>
    internal static void CheckNewIsSafe(PyType owner, PyType cls)
    {
        if (ReferenceEquals(cls.New, owner.New)) return;
        PyType staticBase = cls;
        foreach (var t in cls.Mro)
        {
            if (t.IsHeap && t.TypeDict.GetOrNull(PyStr.S___new__) != null) continue;
            staticBase = t;
            break;
        }
        throw Ops.TypeError($"{owner.Name}.__new__({cls.Name}) is not safe, use {staticBase.Name}.__new__()");
    }

    /// <summary>Whether the built-in type whose constructor cls inherits shows it as <c>__new__</c> in its dict.</summary>
    private static bool NewIsInADict(PyType cls)
    {
        foreach (var t in cls.Mro)
            if (!t.IsHeap && ReferenceEquals(t.New, cls.New)) return t.TypeDict.GetOrNull(PyStr.S___new__) != null;
        return false;
    }

    private static void InitObject()
    {
        var o = PyType.ObjectType;
        o.AddMethod("__init__", (a, k) =>
        {
            // CPython's object_init: extra arguments are an error unless __new__ is overridden and __init__ is not
            if (a.Length > 1)
            {
                var t = a[0].Type;
                if (!ReferenceEquals(t.Lookup(PyStr.S___init__), PyType.ObjectInit))
                    throw Ops.TypeError("object.__init__() takes exactly one argument (the instance to initialize)");
                if (!OverridesNew(t)) throw Ops.TypeError($"{t.Name}.__init__() takes exactly one argument (the instance to initialize)");
            }
            return PyNone.Instance;
        });
        PyType.ObjectInit = o.TypeDict.GetOrNull("__init__")!;
        o.SetMember("__new__", new PyBuiltinFunction("__new__", (a, k) =>
        {
            if (a.Length == 0 || k != null && a.Length == k.Length) throw Ops.TypeError("object.__new__(): not enough arguments");
            var cls = a[0] as PyType ?? throw Ops.TypeError($"object.__new__(X): X is not a type object ({a[0].Type.Name})");
            // a built-in base without a __new__ of its own in its dict here (weakref.ref, GenericAlias...): super().__new__
            // found object's, its constructor does the work (CPython would have found the base's tp_new wrapper)
            if (!ReferenceEquals(cls.New, o.New) && cls.New != null && !NewIsInADict(cls))
            {
                var inherited = cls.New(cls, a.Slice(1), k);
                Vm.Finalization.OnNew(cls, inherited);
                return inherited;
            }
            CheckNewIsSafe(o, cls);
            // CPython's object_new: extra arguments are an error unless __init__ is overridden and __new__ is not
            if (a.Length > 1)
            {
                if (OverridesNew(cls)) throw Ops.TypeError("object.__new__() takes exactly one argument (the type to instantiate)");
                if (ReferenceEquals(cls.Lookup(PyStr.S___init__), PyType.ObjectInit)) throw Ops.TypeError($"{cls.Name}() takes no arguments");
            }
            var made = cls.New!(cls, ReadOnlySpan<PyObject>.Empty, null);
            Vm.Finalization.OnNew(cls, made);
            return made;
        }) { Self = o });
        o.AddMethod("__setattr__", (a, k) => { a[0].SetAttr((PyStr)a[1], a[2]); return PyNone.Instance; });
        o.AddMethod("__delattr__", (a, k) => { a[0].DelAttr((PyStr)a[1]); return PyNone.Instance; });
        o.AddMethod("__getattribute__", (a, k) => a[0].GetAttrOrNull((PyStr)a[1]) ?? throw Ops.AttrError(a[0], (PyStr)a[1]));
        o.AddMethod("__repr__", (a, k) => PyStr.Of(a[0].Repr()));
        o.AddMethod("__str__", (a, k) => PyStr.Of(Ops.Repr(a[0])));
        o.AddMethod("__hash__", (a, k) => PyInt.Get(a[0].Hash()));
        o.AddMethod("__eq__", (a, k) => ReferenceEquals(a[0], a[1]) ? PyBool.True : PyNotImplementedType.Instance);
        o.AddMethod("__ne__", (a, k) =>
        {
            var r = Ops.RichCompare(a[0], a[1], CmpOp.Eq);
            return r == PyNotImplementedType.Instance ? r : PyBool.Of(!Ops.IsTrue(r));
        });
        o.AddMethod("__format__", (a, k) =>
        {
            var spec = S(a[1]);
            if (spec.Length > 0) throw Ops.TypeError($"unsupported format string passed to {a[0].Type.Name}.__format__");
            return PyStr.Of(Ops.Str(a[0]));
        });
        o.AddMethod("__dir__", (a, k) => BuiltinsModule.DefaultDir(a[0]));
        ObjectReduce.Install(o);
        o.SetMember("__init_subclass__", new PyClassMethod(new PyBuiltinFunction("__init_subclass__", (a, k) =>
        {
            // object.__init_subclass__ takes no keyword arguments: one left over from a subclass hook is an error
            if (k != null && k.Length > 0 || a.Length > 1)
                throw Ops.TypeError($"{(a.Length > 0 && a[0] is PyType c ? c.Name : "object")}.__init_subclass__() takes no keyword arguments");
            return PyNone.Instance;
        })));
        o.SetMember("__subclasshook__", new PyClassMethod(new PyBuiltinFunction("__subclasshook__", (a, k) => PyNotImplementedType.Instance)));
        o.SetMember("__doc__", new PyStr("The base class of the class hierarchy."));
        var t = PyType.TypeType;
        t.SetMember("__new__", new PyBuiltinFunction("__new__", (a, k) =>
        {
            var mcs = (PyType)a[0];
            if (a.Length == 2) return a[1].Type;
            int n = Ops.PosCount(a, k);
            PyDict? kwd = null;
            if (k != null) { kwd = new PyDict(); for (int i = 0; i < k.Length; i++) kwd.SetItem(k[i], a[n + i]); }
            return BuiltinsModule.MakeClass(S(a[1]), a[2], (PyDict)a[3], kwd, mcs);
        }));
        t.AddMethod("__init__", (a, k) => PyNone.Instance);
        t.AddMethod("__dir__", (a, k) => BuiltinsModule.DefaultDir(a[0]));
        t.AddMethod("__call__", (a, k) => ((PyType)a[0]).CallDefault(a.Slice(1), k));
        t.AddMethod("__repr__", (a, k) => PyStr.Of(a[0].Repr()));
        t.AddMethod("__subclasscheck__", (a, k) => PyBool.Of(Ops.RealIsSubclass(a[1], a[0])));
        t.AddMethod("__instancecheck__", (a, k) => PyBool.Of(Ops.RealIsInstance(a[1], a[0])));
        t.SetMember("__prepare__", new PyBuiltinFunction("__prepare__", (a, k) => new PyDict()));
        t.AddMethod("__or__", (a, k) => PyUnionType.Or(a[0], a[1]) ?? PyNotImplementedType.Instance);
        t.AddMethod("__ror__", (a, k) => PyUnionType.Or(a[1], a[0]) ?? PyNotImplementedType.Instance);
    }

    // ---------------- str ----------------
    private static void InitStr()
    {
        var t = PyStr.TypeObj;
        Slots(t, "__getitem__", "__len__", "__contains__", "__iter__", "__repr__", "__str__", "__hash__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__add__", "__mul__", "__mod__", "__rmul__");
        t.AddMethod("join", (a, k) =>
        {
            var sep = S(a[0]);
            var items = Ops.ToArray(a[1]);
            var parts = new string[items.Length];
            for (int i = 0; i < items.Length; i++)
                parts[i] = items[i] is PyStr s ? s.Value : throw Ops.TypeError($"sequence item {i}: expected str instance, {items[i].Type.Name} found");
            return PyStr.Of(string.Join(sep, parts));
        });
        t.AddMethod("split", (a, k) => StrSplit(S(a[0]), A(a, k, 1, "sep"), A(a, k, 2, "maxsplit"), false));
        t.AddMethod("rsplit", (a, k) => StrSplit(S(a[0]), A(a, k, 1, "sep"), A(a, k, 2, "maxsplit"), true));
        t.AddMethod("strip", (a, k) => PyStr.Of(StripChars(S(a[0]), A(a, k, 1, "chars"), true, true)));
        t.AddMethod("lstrip", (a, k) => PyStr.Of(StripChars(S(a[0]), A(a, k, 1, "chars"), true, false)));
        t.AddMethod("rstrip", (a, k) => PyStr.Of(StripChars(S(a[0]), A(a, k, 1, "chars"), false, true)));
        t.AddMethod("startswith", (a, k) => PyBool.Of(StartsEnds(S(a[0]), a[1], a.Length > 2 ? a[2] : null, a.Length > 3 ? a[3] : null, true)));
        t.AddMethod("endswith", (a, k) => PyBool.Of(StartsEnds(S(a[0]), a[1], a.Length > 2 ? a[2] : null, a.Length > 3 ? a[3] : null, false)));
        t.AddMethod("find", (a, k) => PyInt.Get(Find(S(a[0]), S(a[1]), a, false)));
        t.AddMethod("rfind", (a, k) => PyInt.Get(Find(S(a[0]), S(a[1]), a, true)));
        t.AddMethod("index", (a, k) => { var r = Find(S(a[0]), S(a[1]), a, false); if (r < 0) throw Ops.ValueError("substring not found"); return PyInt.Get(r); });
        t.AddMethod("rindex", (a, k) => { var r = Find(S(a[0]), S(a[1]), a, true); if (r < 0) throw Ops.ValueError("substring not found"); return PyInt.Get(r); });
        t.AddMethod("count", (a, k) =>
        {
            var s = S(a[0]); var sub = S(a[1]);
            Bounds(s.Length, a, 2, out int st, out int en);
            if (en < st) return PyInt.Zero;
            s = s.Substring(st, en - st);
            if (sub.Length == 0) return PyInt.Get(s.Length + 1);
            int c = 0, i = 0;
            while ((i = s.IndexOf(sub, i, StringComparison.Ordinal)) >= 0) { c++; i += sub.Length; }
            return PyInt.Get(c);
        });
        t.AddMethod("replace", (a, k) =>
        {
            var s = S(a[0]); var old = S(a[1]); var nw = S(a[2]);
            long count = a.Length > 3 ? Ops.IndexValue(a[3]) : -1;
            if (count < 0 && old.Length > 0)
            {
                var replaced = s.Replace(old, nw, StringComparison.Ordinal);
                // nothing replaced: an exact str is returned itself, as CPython (pickle memoizes the result by id)
                return ReferenceEquals(replaced, s) && a[0].GetType() == typeof(PyStr) ? a[0] : PyStr.Of(replaced);
            }
            var sb = new StringBuilder();
            int i = 0, done = 0;
            if (old.Length == 0)
            {
                for (; i <= s.Length; i++)
                {
                    if (count < 0 || done < count) { sb.Append(nw); done++; }
                    if (i < s.Length) sb.Append(s[i]);
                }
                return PyStr.Of(sb.ToString());
            }
            while (count < 0 || done < count)
            {
                int j = s.IndexOf(old, i, StringComparison.Ordinal);
                if (j < 0) break;
                sb.Append(s, i, j - i).Append(nw);
                i = j + old.Length; done++;
            }
            sb.Append(s, i, s.Length - i);
            return PyStr.Of(sb.ToString());
        });
        t.AddMethod("upper", (a, k) => PyStr.Of(SpecialCasing.ToUpper(S(a[0]))));
        t.AddMethod("lower", (a, k) => PyStr.Of(SpecialCasing.ToLower(S(a[0]))));
        t.AddMethod("casefold", (a, k) => PyStr.Of(SpecialCasing.CaseFold(S(a[0]))));
        t.AddMethod("swapcase", (a, k) =>
        {
            var s = S(a[0]).ToCharArray();
            for (int i = 0; i < s.Length; i++) s[i] = char.IsUpper(s[i]) ? char.ToLowerInvariant(s[i]) : char.ToUpperInvariant(s[i]);
            return PyStr.Of(new string(s));
        });
        t.AddMethod("capitalize", (a, k) => { var s = S(a[0]); return PyStr.Of(s.Length == 0 ? s : SpecialCasing.TitleOf(s[0]) + SpecialCasing.ToLower(s.Substring(1))); });
        t.AddMethod("title", (a, k) =>
        {
            var s = S(a[0]); var sb = new StringBuilder(s.Length); bool prev = false;
            foreach (var c in s)
            {
                if (prev) sb.Append(c == '\u0130' ? "i\u0307" : char.ToLowerInvariant(c).ToString());
                else sb.Append(SpecialCasing.TitleOf(c));
                prev = char.IsUpper(c) || char.IsLower(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.TitlecaseLetter;
            }
            return PyStr.Of(sb.ToString());
        });
        t.AddMethod("istitle", (a, k) =>
        {
            var s = S(a[0]); bool prev = false, any = false;
            foreach (var c in s)
            {
                if (char.IsUpper(c)) { if (prev) return PyBool.False; prev = true; any = true; }
                else if (char.IsLower(c)) { if (!prev) return PyBool.False; prev = true; }
                else prev = false;
            }
            return PyBool.Of(any);
        });
        t.AddMethod("isdigit", (a, k) => PyBool.Of(All(S(a[0]), char.IsDigit)));
        t.AddMethod("isdecimal", (a, k) => PyBool.Of(All(S(a[0]), char.IsDigit)));
        t.AddMethod("isnumeric", (a, k) => PyBool.Of(All(S(a[0]), char.IsNumber)));
        t.AddMethod("isalpha", (a, k) => PyBool.Of(All(S(a[0]), char.IsLetter)));
        t.AddMethod("isalnum", (a, k) => PyBool.Of(All(S(a[0]), char.IsLetterOrDigit)));
        t.AddMethod("isspace", (a, k) => PyBool.Of(All(S(a[0]), char.IsWhiteSpace)));
        t.AddMethod("isascii", (a, k) => { foreach (var c in S(a[0])) if (c > 127) return PyBool.False; return PyBool.True; });
        t.AddMethod("isprintable", (a, k) => { foreach (var c in S(a[0])) if (char.IsControl(c)) return PyBool.False; return PyBool.True; });
        t.AddMethod("isupper", (a, k) => { var s = S(a[0]); bool any = false; foreach (var c in s) { if (char.IsLower(c)) return PyBool.False; if (char.IsUpper(c)) any = true; } return PyBool.Of(any); });
        t.AddMethod("islower", (a, k) => { var s = S(a[0]); bool any = false; foreach (var c in s) { if (char.IsUpper(c)) return PyBool.False; if (char.IsLower(c)) any = true; } return PyBool.Of(any); });
        t.AddMethod("isidentifier", (a, k) =>
        {
            var s = S(a[0]);
            if (s.Length == 0 || !(char.IsLetter(s[0]) || s[0] == '_')) return PyBool.False;
            foreach (var c in s) if (!(char.IsLetterOrDigit(c) || c == '_')) return PyBool.False;
            return PyBool.True;
        });
        t.AddMethod("center", (a, k) => PyStr.Of(Justify(S(a[0]), a, 0)));
        t.AddMethod("ljust", (a, k) => PyStr.Of(Justify(S(a[0]), a, -1)));
        t.AddMethod("rjust", (a, k) => PyStr.Of(Justify(S(a[0]), a, 1)));
        t.AddMethod("zfill", (a, k) =>
        {
            var s = S(a[0]); int w = (int)Ops.IndexValue(a[1]);
            if (s.Length >= w) return PyStr.Of(s);
            int sign = s.Length > 0 && (s[0] == '-' || s[0] == '+') ? 1 : 0;
            return PyStr.Of(s.Substring(0, sign) + new string('0', w - s.Length) + s.Substring(sign));
        });
        t.AddMethod("format", (a, k) => PyStr.Of(Formatting.StrFormat(S(a[0]), a.Slice(1), k)));
        t.AddMethod("format_map", (a, k) =>
        {
            if (a.Length != 2) throw Ops.TypeError($"str.format_map() takes exactly one argument ({a.Length - 1} given)");
            return PyStr.Of(Formatting.StrFormatMap(S(a[0]), a[1]));
        });
        t.AddMethod("encode", (a, k) => new PyBytes(Encode(S(a[0]), A(a, k, 1, "encoding") is PyStr e ? e.Value : "utf-8", A(a, k, 2, "errors") is PyStr er ? er.Value : "strict")));
        t.AddMethod("partition", (a, k) =>
        {
            var s = S(a[0]); var sep = S(a[1]);
            if (sep.Length == 0) throw Ops.ValueError("empty separator");
            int i = s.IndexOf(sep, StringComparison.Ordinal);
            if (i < 0) return new PyTuple(new PyObject[] { PyStr.Of(s), PyStr.Empty, PyStr.Empty });
            return new PyTuple(new PyObject[] { PyStr.Of(s.Substring(0, i)), PyStr.Of(sep), PyStr.Of(s.Substring(i + sep.Length)) });
        });
        t.AddMethod("rpartition", (a, k) =>
        {
            var s = S(a[0]); var sep = S(a[1]);
            if (sep.Length == 0) throw Ops.ValueError("empty separator");
            int i = s.LastIndexOf(sep, StringComparison.Ordinal);
            if (i < 0) return new PyTuple(new PyObject[] { PyStr.Empty, PyStr.Empty, PyStr.Of(s) });
            return new PyTuple(new PyObject[] { PyStr.Of(s.Substring(0, i)), PyStr.Of(sep), PyStr.Of(s.Substring(i + sep.Length)) });
        });
        t.AddMethod("splitlines", (a, k) =>
        {
            var s = S(a[0]); bool keep = A(a, k, 1, "keepends") is PyObject ke && Ops.IsTrue(ke);
            var l = new PyList(); int st = 0;
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                if (c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == '\x1c' || c == '\x1d' || c == '\x1e' || c == '\x85' || c == '\u2028' || c == '\u2029')
                {
                    int e = i;
                    if (c == '\r' && i + 1 < s.Length && s[i + 1] == '\n') i++;
                    l.Append(PyStr.Of(s.Substring(st, (keep ? i + 1 : e) - st)));
                    st = i + 1;
                }
            }
            if (st < s.Length) l.Append(PyStr.Of(s.Substring(st)));
            return l;
        });
        t.AddMethod("expandtabs", (a, k) =>
        {
            var s = S(a[0]); int ts = a.Length > 1 ? (int)Ops.IndexValue(a[1]) : 8;
            var sb = new StringBuilder(); int col = 0;
            foreach (var c in s)
            {
                if (c == '\t') { int n = ts > 0 ? ts - col % ts : 0; sb.Append(' ', n); col += n; }
                else if (c == '\n' || c == '\r') { sb.Append(c); col = 0; }
                else { sb.Append(c); col++; }
            }
            return PyStr.Of(sb.ToString());
        });
        t.AddMethod("removeprefix", (a, k) => { var s = S(a[0]); var p = S(a[1]); return PyStr.Of(s.StartsWith(p, StringComparison.Ordinal) ? s.Substring(p.Length) : s); });
        t.AddMethod("removesuffix", (a, k) => { var s = S(a[0]); var p = S(a[1]); return PyStr.Of(p.Length > 0 && s.EndsWith(p, StringComparison.Ordinal) ? s.Substring(0, s.Length - p.Length) : s); });
        t.AddMethod("translate", (a, k) =>
        {
            var s = S(a[0]); var table = a[1]; var sb = new StringBuilder();
            foreach (var c in s)
            {
                PyObject? r;
                try { r = Ops.GetItem(table, PyInt.Get(c)); }
                catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.LookupErrorType)) { sb.Append(c); continue; }
                if (r == PyNone.Instance) continue;
                if (r is PyInt ri)
                {
                    if (ri.V < 0 || ri.V > 0x10FFFF) throw Ops.ValueError("character mapping must be in range(0x110000)");
                    sb.Append(PyStr.CodePointText((int)ri.V));
                }
                else sb.Append(Ops.Str(r));
            }
            return PyStr.Of(sb.ToString());
        });
        t.SetMember("maketrans", new PyStaticMethod(new PyBuiltinFunction("maketrans", (a, k) =>
        {
            var d = new PyDict();
            if (a.Length == 1) { foreach (var kv in ((PyDict)a[0]).Items()) d.SetItem(kv.Key is PyStr ks ? PyInt.Get(ks.Value[0]) : kv.Key, kv.Value); return d; }
            var x = S(a[0]); var y = S(a[1]);
            if (x.Length != y.Length) throw Ops.ValueError("the first two maketrans arguments must have equal length");
            for (int i = 0; i < x.Length; i++) d.SetItem(PyInt.Get(x[i]), PyInt.Get(y[i]));
            if (a.Length > 2) foreach (var c in S(a[2])) d.SetItem(PyInt.Get(c), PyNone.Instance);
            return d;
        })));
        t.AddMethod("__format__", (a, k) => PyStr.Of(Formatting.FormatBuiltin(a[0], S(a[1]))));
        t.AddMethod("__getnewargs__", (a, k) => new PyTuple(new[] { a[0] }));
    }

    private static bool All(string s, Func<char, bool> p)
    {
        if (s.Length == 0) return false;
        foreach (var c in s) if (!p(c)) return false;
        return true;
    }

    private static string Justify(string s, ReadOnlySpan<PyObject> a, int dir)
    {
        int w = (int)Ops.IndexValue(a[1]);
        char fill = a.Length > 2 ? S(a[2])[0] : ' ';
        if (a.Length > 2 && S(a[2]).Length != 1) throw Ops.TypeError("The fill character must be exactly one character long");
        if (s.Length >= w) return s;
        int pad = w - s.Length;
        if (dir < 0) return s + new string(fill, pad);
        if (dir > 0) return new string(fill, pad) + s;
        int left = pad / 2 + (pad & w & 1);
        return new string(fill, left) + s + new string(fill, pad - left);
    }

    private static void Bounds(int len, ReadOnlySpan<PyObject> a, int from, out int st, out int en)
    {
        st = 0; en = len;
        // clamped as CPython's _PyEval_SliceIndex: index(x, -4*sys.maxsize) is not an overflow
        if (a.Length > from && a[from] != PyNone.Instance) { long v = Ops.IndexValueClamped(a[from]); if (v < 0) v = Math.Max(0, v + len); st = (int)Math.Min(v, len); }
        if (a.Length > from + 1 && a[from + 1] != PyNone.Instance) { long v = Ops.IndexValueClamped(a[from + 1]); if (v < 0) v = Math.Max(0, v + len); en = (int)Math.Min(v, len); }
    }

    private static int Find(string s, string sub, ReadOnlySpan<PyObject> a, bool rev)
    {
        Bounds(s.Length, a, 2, out int st, out int en);
        if (en < st) return -1;
        if (sub.Length > en - st) return -1;
        if (!rev) { int r = s.IndexOf(sub, st, en - st, StringComparison.Ordinal); return r; }
        if (sub.Length == 0) return en;
        return s.LastIndexOf(sub, en - 1, en - st, StringComparison.Ordinal);
    }

    private static bool StartsEnds(string s, PyObject prefix, PyObject? start, PyObject? end, bool starts)
    {
        var a = new PyObject[] { PyNone.Instance, PyNone.Instance, start ?? PyNone.Instance, end ?? PyNone.Instance };
        Bounds(s.Length, a, 2, out int st, out int en);
        if (en < st) return false;
        var sub = s.Substring(st, en - st);
        if (prefix is PyTuple t)
        {
            foreach (var p in t.Items) if (starts ? sub.StartsWith(S(p), StringComparison.Ordinal) : sub.EndsWith(S(p), StringComparison.Ordinal)) return true;
            return false;
        }
        if (prefix is not PyStr) throw Ops.TypeError($"{(starts ? "startswith" : "endswith")} first arg must be str or a tuple of str, not {prefix.Type.Name}");
        return starts ? sub.StartsWith(S(prefix), StringComparison.Ordinal) : sub.EndsWith(S(prefix), StringComparison.Ordinal);
    }

    private static string StripChars(string s, PyObject? chars, bool left, bool right)
    {
        if (chars == null || chars == PyNone.Instance)
        {
            if (left && right) return s.Trim();
            return left ? s.TrimStart() : s.TrimEnd();
        }
        var cs = S(chars).ToCharArray();
        if (left && right) return s.Trim(cs);
        return left ? s.TrimStart(cs) : s.TrimEnd(cs);
    }

    private static PyObject StrSplit(string s, PyObject? sep, PyObject? maxsplitO, bool rev)
    {
        long maxsplit = maxsplitO == null ? -1 : Ops.IndexValue(maxsplitO);
        var l = new PyList();
        if (sep == null || sep == PyNone.Instance)
        {
            var parts = new List<string>();
            if (!rev)
            {
                int i = 0, n = s.Length;
                while (true)
                {
                    while (i < n && char.IsWhiteSpace(s[i])) i++;
                    if (i >= n) break;
                    if (maxsplit >= 0 && parts.Count >= maxsplit) { parts.Add(s.Substring(i).TrimEnd()); break; }
                    int j = i;
                    while (j < n && !char.IsWhiteSpace(s[j])) j++;
                    parts.Add(s.Substring(i, j - i));
                    i = j;
                }
            }
            else
            {
                int i = s.Length - 1;
                while (true)
                {
                    while (i >= 0 && char.IsWhiteSpace(s[i])) i--;
                    if (i < 0) break;
                    if (maxsplit >= 0 && parts.Count >= maxsplit) { parts.Add(s.Substring(0, i + 1).TrimStart()); break; }
                    int j = i;
                    while (j >= 0 && !char.IsWhiteSpace(s[j])) j--;
                    parts.Add(s.Substring(j + 1, i - j));
                    i = j;
                }
                parts.Reverse();
            }
            foreach (var p in parts) l.Append(PyStr.Of(p));
            return l;
        }
        var sp = S(sep);
        if (sp.Length == 0) throw Ops.ValueError("empty separator");
        if (!rev)
        {
            int i = 0, count = 0;
            while (maxsplit < 0 || count < maxsplit)
            {
                int j = s.IndexOf(sp, i, StringComparison.Ordinal);
                if (j < 0) break;
                l.Append(PyStr.Of(s.Substring(i, j - i)));
                i = j + sp.Length; count++;
            }
            l.Append(PyStr.Of(s.Substring(i)));
            return l;
        }
        var res = new List<string>();
        int end = s.Length, cnt = 0;
        while (maxsplit < 0 || cnt < maxsplit)
        {
            int j = end - sp.Length < 0 ? -1 : s.LastIndexOf(sp, end - 1, end, StringComparison.Ordinal);
            if (j < 0) break;
            res.Add(s.Substring(j + sp.Length, end - j - sp.Length));
            end = j; cnt++;
        }
        res.Add(s.Substring(0, end));
        res.Reverse();
        foreach (var p in res) l.Append(PyStr.Of(p));
        return l;
    }

    // ---------------- list ----------------
    private static PyList L(PyObject o) => o as PyList ?? throw Ops.TypeError($"descriptor requires a 'list' object but received a '{o.Type.Name}'");

    private static void InitList()
    {
        var t = PyList.TypeObj;
        Slots(t, "__getitem__", "__setitem__", "__delitem__", "__len__", "__contains__", "__iter__", "__repr__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__add__", "__mul__", "__iadd__", "__rmul__");
        t.SetMember("__hash__", PyNone.Instance);
        t.AddMethod("__init__", (a, k) =>
        {
            var l = L(a[0]);
            int n = Ops.PosCount(a, k) - 1;
            // keywords are refused unless a subclass's own __new__ takes them (CPython's list___init__)
            if (k is { Length: > 0 } && (l.IsExact || l.Type.LookupHeap(PyStr.S___new__) == null))
                throw Ops.TypeError("list() takes no keyword arguments");
            if (n > 1) throw Ops.TypeError($"list expected at most 1 argument, got {n}");
            l.Count = 0; l.Items = Array.Empty<PyObject>();
            if (n == 1) l.Extend(a[1]);
            return PyNone.Instance;
        });
        t.AddMethod("append", (a, k) => { if (a.Length != 2) throw Ops.TypeError($"list.append() takes exactly one argument ({a.Length - 1} given)"); L(a[0]).Append(a[1]); return PyNone.Instance; });
        t.AddMethod("extend", (a, k) => { L(a[0]).Extend(a[1]); return PyNone.Instance; });
        t.AddMethod("insert", (a, k) => { L(a[0]).Insert(Ops.IndexValue(a[1]), a[2]); return PyNone.Instance; });
        t.AddMethod("pop", (a, k) => L(a[0]).Pop(a.Length > 1 ? Ops.IndexValue(a[1]) : -1));
        t.AddMethod("remove", (a, k) =>
        {
            var l = L(a[0]);
            for (int i = 0; i < l.Count; i++) if (ReferenceEquals(l.Items[i], a[1]) || Ops.Eq(l.Items[i], a[1])) { l.RemoveAt(i); return PyNone.Instance; }
            throw Ops.ValueError("list.remove(x): x not in list");
        });
        t.AddMethod("index", (a, k) =>
        {
            var l = L(a[0]);
            Bounds(l.Count, a, 2, out int st, out int en);
            for (int i = st; i < Math.Min(en, l.Count); i++) if (ReferenceEquals(l.Items[i], a[1]) || Ops.Eq(l.Items[i], a[1])) return PyInt.Get(i);
            throw Ops.ValueError($"{Ops.Repr(a[1])} is not in list");
        });
        t.AddMethod("count", (a, k) =>
        {
            var l = L(a[0]); int c = 0;
            for (int i = 0; i < l.Count; i++) if (ReferenceEquals(l.Items[i], a[1]) || Ops.Eq(l.Items[i], a[1])) c++;
            return PyInt.Get(c);
        });
        t.AddMethod("sort", (a, k) =>
        {
            if (Ops.PosCount(a, k) > 1) throw Ops.TypeError("sort() takes no positional arguments");
            var rev = A(a, k, 99, "reverse");
            L(a[0]).Sort(A(a, k, 99, "key"), rev != null && Ops.IsTrue(rev));
            return PyNone.Instance;
        });
        t.AddMethod("reverse", (a, k) => { var l = L(a[0]); Array.Reverse(l.Items, 0, l.Count); return PyNone.Instance; });
        t.AddMethod("clear", (a, k) => { var l = L(a[0]); l.Items = Array.Empty<PyObject>(); l.Count = 0; return PyNone.Instance; });
        t.AddMethod("copy", (a, k) => new PyList(L(a[0]).ToArray()));
        t.AddMethod("__reversed__", (a, k) => new PyListIterator(L(a[0]), true));
        t.SetMember("__class_getitem__", new PyClassMethod(new PyBuiltinFunction("__class_getitem__", (a, k) => new PyGenericAlias((PyType)a[0], a[1]))));
    }

    private static void InitTuple()
    {
        var t = PyTuple.TypeObj;
        Slots(t, "__getitem__", "__len__", "__contains__", "__iter__", "__repr__", "__hash__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__add__", "__mul__", "__rmul__");
        t.AddMethod("index", (a, k) =>
        {
            var items = ((PyTuple)a[0]).Items;
            Bounds(items.Length, a, 2, out int st, out int en);
            for (int i = st; i < en; i++) if (ReferenceEquals(items[i], a[1]) || Ops.Eq(items[i], a[1])) return PyInt.Get(i);
            throw Ops.ValueError("tuple.index(x): x not in tuple");
        });
        t.AddMethod("count", (a, k) => { int c = 0; foreach (var x in ((PyTuple)a[0]).Items) if (ReferenceEquals(x, a[1]) || Ops.Eq(x, a[1])) c++; return PyInt.Get(c); });
        t.AddMethod("__getnewargs__", (a, k) => new PyTuple(new[] { a[0] }));
        t.SetMember("__class_getitem__", new PyClassMethod(new PyBuiltinFunction("__class_getitem__", (a, k) => new PyGenericAlias((PyType)a[0], a[1]))));
    }

    // ---------------- dict ----------------
    private static PyDict D(PyObject o) => o as PyDict ?? throw Ops.TypeError($"descriptor requires a 'dict' object but received a '{o.Type.Name}'");

    private static void InitDict()
    {
        var t = PyDict.TypeObj;
        Slots(t, "__getitem__", "__setitem__", "__delitem__", "__len__", "__contains__", "__iter__", "__repr__", "__eq__", "__ne__", "__or__", "__ror__", "__ior__");
        t.SetMember("__hash__", PyNone.Instance);
        t.AddMethod("__init__", (a, k) =>
        {
            var d = D(a[0]);
            int n = Ops.PosCount(a, k);
            if (n > 2) throw Ops.TypeError($"dict expected at most 1 argument, got {n - 1}");
            if (n > 1) d.Update(a[1]);
            if (k != null) for (int i = 0; i < k.Length; i++) d.SetItem(k[i], a[n + i]);
            return PyNone.Instance;
        });
        t.AddMethod("keys", (a, k) => new PyDictView(D(a[0]), 0));
        t.AddMethod("values", (a, k) => new PyDictView(D(a[0]), 1));
        t.AddMethod("items", (a, k) => new PyDictView(D(a[0]), 2));
        t.AddMethod("get", (a, k) => D(a[0]).GetOrNull(a[1]) ?? (a.Length > 2 ? a[2] : PyNone.Instance));
        t.AddMethod("pop", (a, k) =>
        {
            var v = D(a[0]).Pop(a[1]);
            if (v != null) return v;
            if (a.Length > 2) return a[2];
            throw new PyException(PyBaseException.Create(PyBaseException.KeyErrorType, a[1]));
        });
        t.AddMethod("popitem", (a, k) => { var (kk, v) = D(a[0]).PopItem(); return new PyTuple(new[] { kk, v }); });
        t.AddMethod("setdefault", (a, k) =>
        {
            return D(a[0]).SetDefault(a[1], a.Length > 2 ? a[2] : PyNone.Instance);
        });
        t.AddMethod("update", (a, k) =>
        {
            var d = D(a[0]);
            int n = Ops.PosCount(a, k);
            if (n > 1) d.Update(a[1]);
            if (k != null) for (int i = 0; i < k.Length; i++) d.SetItem(k[i], a[n + i]);
            return PyNone.Instance;
        });
        t.AddMethod("clear", (a, k) => { D(a[0]).Clear(); return PyNone.Instance; });
        t.AddMethod("copy", (a, k) => D(a[0]).Copy());
        t.AddMethod("__reversed__", (a, k) => { var keys = D(a[0]).KeyList(); keys.Reverse(); return new PySeqIterator(keys.ToArray(), keys.Count); });
        t.SetMember("fromkeys", new PyClassMethod(new PyBuiltinFunction("fromkeys", (a, k) =>
        {
            // cls() may build any mapping (a subclass's __new__ may return a UserDict): keys go in through __setitem__
            if (a.Length < 2 || a.Length > 3) throw Ops.TypeError(a.Length < 2 ? $"fromkeys expected at least 1 argument, got {a.Length - 1}" : $"fromkeys expected at most 2 arguments, got {a.Length - 1}");
            var d = Ops.Call0(a[0]);
            var v = a.Length > 2 ? a[2] : PyNone.Instance;
            if (d is PyDict exact && exact.Type == PyDict.TypeObj && a[1] is PySet keySet)
            {
                // the set's stored hashes: keys are not hashed again (CPython's dict_fromkeys fast path)
                for (int i = keySet.NextSlot(0); i >= 0; i = keySet.NextSlot(i + 1)) exact.SetItem(keySet.KeyAt(i), keySet.HashAt(i), v);
                return d;
            }
            var it = Ops.GetIter(a[1]);
            PyObject? key;
            while ((key = Ops.Next(it)) != null) Ops.SetItem(d, key, v);
            return d;
        })));
        t.SetMember("__class_getitem__", new PyClassMethod(new PyBuiltinFunction("__class_getitem__", (a, k) => new PyGenericAlias((PyType)a[0], a[1]))));
        foreach (var vt in new[] { PyDictView.KeysType, PyDictView.ValuesType, PyDictView.ItemsType })
        {
            Slots(vt, "__len__", "__iter__", "__contains__", "__repr__");
            vt.AddMethod("isdisjoint", (a, k) => { foreach (var x in Ops.ToArray(a[1])) if (Ops.Contains(a[0], x)) return PyBool.False; return PyBool.True; });
        }
    }

    // ---------------- set ----------------
    private static PySet St(PyObject o) => o as PySet ?? throw Ops.TypeError($"descriptor requires a 'set' object but received a '{o.Type.Name}'");

    private static void InitSet()
    {
        foreach (var t in new[] { PySet.SetType, PySet.FrozenSetType })
        {
            Slots(t, "__len__", "__contains__", "__iter__", "__repr__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__or__", "__and__", "__sub__", "__xor__");
            t.AddMethod("union", (a, k) => { var s = St(a[0]); var r = s.CopySet(); for (int i = 1; i < a.Length; i++) if (a[i] != s) r.AddAll(a[i]); return r; });
            t.AddMethod("intersection", (a, k) => { var r = St(a[0]); if (a.Length == 1) return r.CopySet(); for (int i = 1; i < a.Length; i++) r = r.Intersection(a[i]); return r; });
            t.AddMethod("difference", (a, k) =>
            {
                var s = St(a[0]);
                if (a.Length == 1) return s.CopySet();
                var r = s.Difference(a[1]);
                for (int i = 2; i < a.Length; i++) r.DifferenceUpdate(a[i]);
                return r;
            });
            t.AddMethod("symmetric_difference", (a, k) => St(a[0]).SymDiff(a[1]));
            t.AddMethod("issubset", (a, k) => PyBool.Of(St(a[0]).IsSubset(a[1] as PySet ?? new PySet(false, a[1]))));
            t.AddMethod("issuperset", (a, k) => PyBool.Of((a[1] as PySet ?? new PySet(false, a[1])).IsSubset(St(a[0]))));
            t.AddMethod("isdisjoint", (a, k) => { var s = St(a[0]); foreach (var x in Ops.ToArray(a[1])) if (s.Has(x)) return PyBool.False; return PyBool.True; });
        }
        PySet.SetType.AddMethod("copy", (a, k) => St(a[0]).CopySet());
        PySet.FrozenSetType.AddMethod("copy", (a, k) => St(a[0]) is { IsExact: true } f ? f : St(a[0]).CopySet());
        PySet.FrozenSetType.AddMethod("__hash__", (a, k) => PyInt.Get(a[0].Hash()));
        var st = PySet.SetType;
        st.SetMember("__hash__", PyNone.Instance);
        st.AddMethod("__init__", (a, k) => { var s = St(a[0]); s.Clear(); if (a.Length > 1) s.AddAll(a[1]); return PyNone.Instance; });
        st.AddMethod("add", (a, k) => { St(a[0]).Add(a[1]); return PyNone.Instance; });
        st.AddMethod("remove", (a, k) =>
        {
            if (!St(a[0]).Discard(a[1])) throw new PyException(PyBaseException.Create(PyBaseException.KeyErrorType, a[1]));
            return PyNone.Instance;
        });
        st.AddMethod("discard", (a, k) => { St(a[0]).Discard(a[1]); return PyNone.Instance; });
        st.AddMethod("pop", (a, k) => St(a[0]).Pop());
        st.AddMethod("clear", (a, k) => { St(a[0]).Clear(); return PyNone.Instance; });
        st.AddMethod("update", (a, k) => { var s = St(a[0]); for (int i = 1; i < a.Length; i++) s.AddAll(a[i]); return PyNone.Instance; });
        st.AddMethod("intersection_update", (a, k) =>
        {
            var s = St(a[0]);
            var r = s;
            for (int i = 1; i < a.Length; i++) r = r.Intersection(a[i]);
            if (a.Length > 1) s.TakeBody(r);
            return PyNone.Instance;
        });
        st.AddMethod("difference_update", (a, k) => { var s = St(a[0]); for (int i = 1; i < a.Length; i++) s.DifferenceUpdate(a[i]); return PyNone.Instance; });
        st.AddMethod("symmetric_difference_update", (a, k) => { St(a[0]).SymmetricDifferenceUpdate(a[1]); return PyNone.Instance; });
        st.SetMember("__class_getitem__", new PyClassMethod(new PyBuiltinFunction("__class_getitem__", (a, k) => new PyGenericAlias((PyType)a[0], a[1]))));
    }

    /// <summary>The value as an exact int (bool and int subclasses give a plain int, like CPython).</summary>
    private static PyObject ExactInt(PyObject o) => o.GetType() == typeof(PyInt) ? o : PyInt.Get(((PyInt)o).Big);

    // ---------------- numbers ----------------
    private static void InitNumbers()
    {
        var it = PyInt.TypeObj;
        Slots(it, "__repr__", "__hash__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__add__", "__sub__", "__mul__", "__truediv__", "__floordiv__", "__mod__", "__pow__",
            "__and__", "__or__", "__xor__", "__lshift__", "__rshift__", "__radd__", "__rsub__", "__rmul__", "__neg__", "__pos__", "__abs__", "__int__", "__float__", "__index__", "__bool__");
        it.AddMethod("bit_length", (a, k) => PyInt.Get((long)BigInteger.Abs(((PyInt)a[0]).Big).GetBitLength()));
        it.AddMethod("bit_count", (a, k) =>
        {
            // a population count over the magnitude's bytes: linear (shifting a big int bit by bit was quadratic)
            var self = (PyInt)a[0];
            if (!self.IsBig) return PyInt.Get(System.Numerics.BitOperations.PopCount(self.V < 0 ? (ulong)(-(self.V + 1)) + 1 : (ulong)self.V));
            long c = 0;
            foreach (byte b in BigInteger.Abs(self.Big).ToByteArray(isUnsigned: true)) c += System.Numerics.BitOperations.PopCount(b);
            return PyInt.Get(c);
        });
        it.AddMethod("conjugate", (a, k) => ExactInt(a[0]));
        it.AddMethod("__format__", (a, k) => PyStr.Of(Formatting.FormatBuiltin(a[0], S(a[1]))));
        it.AddMethod("__round__", (a, k) =>
        {
            // int.__round__(ndigits): a negative ndigits rounds to a multiple of 10**-ndigits, half to even
            if (a.Length < 2 || a[1] == PyNone.Instance) return ExactInt(a[0]);
            var nd = ((PyInt)Ops.Index(a[1])).Big;
            if (nd >= 0) return ExactInt(a[0]);
            if (nd < -10000) return PyInt.Get(0);
            var x = ((PyInt)a[0]).Big;
            var pow = BigInteger.Pow(10, (int)-nd);
            var q = BigInteger.DivRem(x, pow, out var r);
            if (r.Sign < 0) { q -= 1; r += pow; } // floor division, as Python's divmod
            int c = (r * 2).CompareTo(pow);
            if (c > 0 || c == 0 && !q.IsEven) q += 1;
            return PyInt.Get(q * pow);
        });
        it.AddMethod("__trunc__", (a, k) => ExactInt(a[0]));
        it.AddMethod("__floor__", (a, k) => ExactInt(a[0]));
        it.AddMethod("__ceil__", (a, k) => ExactInt(a[0]));
        it.AddMethod("__getnewargs__", (a, k) => new PyTuple(new[] { a[0] }));
        it.AddMethod("as_integer_ratio", (a, k) => new PyTuple(new[] { ExactInt(a[0]), PyInt.One }));
        it.AddMethod("is_integer", (a, k) => PyBool.True);
        it.AddMethod("to_bytes", (a, k) =>
        {
            var v = ((PyInt)a[0]).Big;
            int len = (int)Ops.IndexValue(A(a, k, 1, "length") ?? PyInt.One);
            var order = ByteOrder(A(a, k, 2, "byteorder"), "to_bytes");
            bool signed = A(a, k, 99, "signed") is PyObject so && Ops.IsTrue(so);
            if (!signed && v.Sign < 0) throw Ops.OverflowError("can't convert negative int to unsigned");
            var bytes = v.ToByteArray(!signed, order == "big");
            if (bytes.Length > len)
            {
                if (!signed && bytes.Length == len + 1 && (order == "big" ? bytes[0] == 0 : bytes[^1] == 0)) bytes = order == "big" ? bytes[1..] : bytes[..^1];
                else throw Ops.OverflowError("int too big to convert");
            }
            var r = new byte[len];
            byte pad = (byte)(v.Sign < 0 ? 0xFF : 0);
            Array.Fill(r, pad);
            if (order == "big") Array.Copy(bytes, 0, r, len - bytes.Length, bytes.Length);
            else Array.Copy(bytes, 0, r, 0, bytes.Length);
            return new PyBytes(r);
        });
        it.SetMember("from_bytes", new PyClassMethod(new PyBuiltinFunction("from_bytes", (a, k) =>
        {
            var src = A(a, k, 1, "bytes") ?? throw Ops.TypeError("from_bytes() missing required argument 'bytes' (pos 1)");
            // PyObject_Bytes: an int is no length here
            if (src is PyInt) throw Ops.TypeError($"cannot convert '{src.Type.Name}' object to bytes");
            var b = FromBytesMethod(new[] { src }, null) ?? ToBytes(new[] { src }, null);
            var order = ByteOrder(A(a, k, 2, "byteorder"), "from_bytes");
            bool signed = A(a, k, 99, "signed") is PyObject so && Ops.IsTrue(so);
            var r = PyInt.Get(new BigInteger(b, !signed, order == "big"));
            // int.from_bytes is a classmethod: a subclass (bool too) gets cls(value), as CPython's int_from_bytes_impl
            return a[0] is PyType cls && cls != PyInt.TypeObj ? Ops.Call1(cls, r) : r;
        })));
        it.SetMember("real", new PyProperty(new PyBuiltinFunction("real", (a, k) => ExactInt(a[0])), null, null, null));
        it.SetMember("imag", new PyProperty(new PyBuiltinFunction("imag", (a, k) => PyInt.Zero), null, null, null));
        it.SetMember("numerator", new PyProperty(new PyBuiltinFunction("numerator", (a, k) => ExactInt(a[0])), null, null, null));
        it.SetMember("denominator", new PyProperty(new PyBuiltinFunction("denominator", (a, k) => PyInt.One), null, null, null));

        var ft = PyFloat.TypeObj;
        Slots(ft, "__repr__", "__hash__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__add__", "__sub__", "__mul__", "__truediv__", "__floordiv__", "__mod__", "__pow__",
            "__radd__", "__rsub__", "__rmul__", "__rtruediv__", "__neg__", "__pos__", "__abs__", "__int__", "__float__", "__bool__");
        ft.AddMethod("is_integer", (a, k) => { var d = ((PyFloat)a[0]).V; return PyBool.Of(!double.IsInfinity(d) && Math.Floor(d) == d); });
        ft.AddMethod("conjugate", (a, k) => a[0].GetType() == typeof(PyFloat) ? a[0] : new PyFloat(((PyFloat)a[0]).V));
        ft.AddMethod("__format__", (a, k) => PyStr.Of(Formatting.FormatBuiltin(a[0], S(a[1]))));
        ft.AddMethod("__round__", (a, k) => Round(a, k));
        // float.__getformat__ (test.support asks at import): the formats of C double and float, IEEE on x86-64
        ft.SetMember("__getformat__", new PyClassMethod(new PyBuiltinFunction("__getformat__", (a, k) =>
        {
            if (a.Length != 2) throw Ops.TypeError($"float.__getformat__() takes exactly one argument ({a.Length - 1} given)");
            if (a[1] is not PyStr ts) throw Ops.TypeError($"__getformat__() argument must be str, not {a[1].Type.Name}");
            if (ts.Value != "double" && ts.Value != "float") throw Ops.ValueError("__getformat__() argument 1 must be 'double' or 'float'");
            return PyStr.Of("IEEE, little-endian");
        })));
        ft.AddMethod("__trunc__", (a, k) => FloatToInt(((PyFloat)a[0]).V));
        ft.AddMethod("as_integer_ratio", (a, k) =>
        {
            double d = ((PyFloat)a[0]).V;
            if (double.IsInfinity(d)) throw Ops.OverflowError("cannot convert Infinity to integer ratio");
            if (double.IsNaN(d)) throw Ops.ValueError("cannot convert NaN to integer ratio");
            double m = PyFloat.Frexp(d, out int e);
            for (int i = 0; i < 300 && m != Math.Floor(m); i++) { m *= 2; e--; }
            BigInteger num = new BigInteger(m), den = BigInteger.One;
            if (e > 0) num <<= e; else den <<= -e;
            var g = BigInteger.GreatestCommonDivisor(num, den);
            return new PyTuple(new PyObject[] { PyInt.Get(num / g), PyInt.Get(den / g) });
        });
        ft.AddMethod("hex", (a, k) =>
        {
            // CPython's float.hex: all 13 hex digits of the mantissa; subnormals as 0x0.<digits>p-1022
            double d = ((PyFloat)a[0]).V;
            if (double.IsNaN(d)) return PyStr.Of("nan");
            if (double.IsInfinity(d)) return PyStr.Of(d > 0 ? "inf" : "-inf");
            string sign = double.IsNegative(d) ? "-" : "";
            if (d == 0) return PyStr.Of(sign + "0x0.0p+0");
            long bits = BitConverter.DoubleToInt64Bits(d);
            int exp = (int)((bits >> 52) & 0x7ff);
            long mant = bits & ((1L << 52) - 1);
            if (exp == 0) return PyStr.Of(sign + "0x0." + mant.ToString("x13") + "p-1022");
            int e = exp - 1023;
            return PyStr.Of(sign + "0x1." + mant.ToString("x13") + "p" + (e >= 0 ? "+" : "") + e);
        });
        InitFloatMethods(ft);   // fromhex, __floor__, __ceil__: FloatConstructor.cs
        ft.SetMember("real", new PyProperty(new PyBuiltinFunction("real", (a, k) => a[0].GetType() == typeof(PyFloat) ? a[0] : new PyFloat(((PyFloat)a[0]).V)), null, null, null));
        ft.SetMember("imag", new PyProperty(new PyBuiltinFunction("imag", (a, k) => new PyFloat(0)), null, null, null));

        var ct = PyComplex.TypeObj;
        Slots(ct, "__repr__", "__hash__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__add__", "__sub__", "__mul__", "__truediv__", "__pow__", "__radd__", "__rsub__", "__rmul__", "__rtruediv__", "__neg__", "__pos__", "__abs__", "__bool__");
        ct.SetMember("real", new PyProperty(new PyBuiltinFunction("real", (a, k) => new PyFloat(((PyComplex)a[0]).V.Real)), null, null, null));
        ct.SetMember("imag", new PyProperty(new PyBuiltinFunction("imag", (a, k) => new PyFloat(((PyComplex)a[0]).V.Imaginary)), null, null, null));
        ct.AddMethod("conjugate", (a, k) => new PyComplex(Complex.Conjugate(((PyComplex)a[0]).V)));
        InitComplexMethods(ct);
        PyBool.TypeObj.AddMethod("__repr__", (a, k) => PyStr.Of(a[0].Repr()));
    }

    /// <summary>int.to_bytes/from_bytes' byteorder: 'big' (the default) or 'little', CPython's errors otherwise.</summary>
    private static string ByteOrder(PyObject? o, string fn)
    {
        if (o == null) return "big";
        if (o is not PyStr s) throw Ops.TypeError($"{fn}() argument 'byteorder' must be str, not {o.Type.Name}");
        if (s.Value != "big" && s.Value != "little") throw Ops.ValueError("byteorder must be either 'little' or 'big'");
        return s.Value;
    }

    // ---------------- bytes ----------------
    private static PyBytes B(PyObject o) => o as PyBytes ?? throw Ops.TypeError($"a bytes-like object is required, not '{o.Type.Name}'");

    /// <summary>bytes.find/index(sub[, start[, end]]): sub is a byte value or a bytes-like object; start and end are
    /// slice indices (Lib/re's compiler scans its charmaps with find(1, q)).</summary>
    private static int BytesFind(ReadOnlySpan<PyObject> a)
    {
        var s = B(a[0]).Span;
        int n = s.Length;
        int start = a.Length > 2 && a[2] is not PyNone ? (int)Math.Clamp(Ops.IndexValueClamped(a[2]), int.MinValue, int.MaxValue) : 0;
        int end = a.Length > 3 && a[3] is not PyNone ? (int)Math.Clamp(Ops.IndexValueClamped(a[3]), int.MinValue, int.MaxValue) : n;
        if (start < 0) start = Math.Max(0, start + n);
        if (end < 0) end = Math.Max(0, end + n);
        if (end > n) end = n;
        if (start > end) return -1;
        var window = s.Slice(start, end - start);
        int r;
        if (a[1] is PyInt bi)
        {
            if (bi.IsBig || bi.V < 0 || bi.V > 255) throw Ops.ValueError("byte must be in range(0, 256)");
            r = window.IndexOf((byte)bi.V);
        }
        else r = window.IndexOf(B(a[1]).Span);
        return r < 0 ? -1 : r + start;
    }

    /// <summary>bytes.translate(table, /, delete=b''): table is None or 256 bytes.</summary>
    private static byte[] BytesTranslate(ReadOnlySpan<byte> s, PyObject table, PyObject? delete)
    {
        ReadOnlySpan<byte> map = default;
        bool identity = table is PyNone;
        if (!identity)
        {
            map = B(table).Span;
            if (map.Length != 256) throw Ops.ValueError("translation table must be 256 characters long");
        }
        var del = new bool[256];
        if (delete != null) foreach (var d in B(delete).Span) del[d] = true;
        var r = new byte[s.Length];
        int j = 0;
        foreach (var c in s)
            if (!del[c]) r[j++] = identity ? c : map[c];
        if (j != r.Length) Array.Resize(ref r, j);
        return r;
    }

    private static void InitBytes()
    {
        foreach (var t in new[] { PyBytes.TypeObj, PyByteArray.TypeObj })
        {
            bool isBA = t == PyByteArray.TypeObj;
            PyObject Mk(byte[] d) => isBA ? new PyByteArray(d) : new PyBytes(d);
            Slots(t, "__getitem__", "__len__", "__contains__", "__iter__", "__repr__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__add__", "__mul__");
            t.AddMethod("decode", (a, k) => PyStr.Of(Decode(B(a[0]).Span, A(a, k, 1, "encoding") is PyStr e ? e.Value : "utf-8", A(a, k, 2, "errors") is PyStr er ? er.Value : "strict")));
            t.AddMethod("hex", (a, k) => PyStr.Of(Convert.ToHexString(B(a[0]).Span).ToLowerInvariant()));
            t.AddMethod("join", (a, k) =>
            {
                var sep = B(a[0]).Span.ToArray(); var r = new List<byte>(); bool first = true;
                foreach (var x in Ops.ToArray(a[1])) { if (!first) r.AddRange(sep); first = false; r.AddRange(B(x).Span.ToArray()); }
                return Mk(r.ToArray());
            });
            // ASCII letters only, as CPython's bytes methods (b"\xe9".upper() stays b"\xe9")
            t.AddMethod("upper", (a, k) => { var r = B(a[0]).Span.ToArray(); for (int i = 0; i < r.Length; i++) if (r[i] >= 'a' && r[i] <= 'z') r[i] -= 32; return Mk(r); });
            t.AddMethod("lower", (a, k) => { var r = B(a[0]).Span.ToArray(); for (int i = 0; i < r.Length; i++) if (r[i] >= 'A' && r[i] <= 'Z') r[i] += 32; return Mk(r); });
            t.AddMethod("strip", (a, k) => Mk(Encoding.Latin1.GetBytes(StripChars(Encoding.Latin1.GetString(B(a[0]).Span), a.Length > 1 && a[1] != PyNone.Instance ? PyStr.Of(Encoding.Latin1.GetString(B(a[1]).Span)) : null, true, true))));
            t.AddMethod("split", (a, k) =>
            {
                var s = Encoding.Latin1.GetString(B(a[0]).Span);
                var sep = A(a, k, 1, "sep");
                var r = (PyList)StrSplit(s, sep == null || sep == PyNone.Instance ? null : PyStr.Of(Encoding.Latin1.GetString(B(sep).Span)), A(a, k, 2, "maxsplit"), false);
                var l = new PyList();
                for (int i = 0; i < r.Count; i++) l.Append(Mk(Encoding.Latin1.GetBytes(((PyStr)r.Items[i]).Value)));
                return l;
            });
            t.AddMethod("startswith", (a, k) => PyBool.Of(B(a[0]).Span.StartsWith(B(a[1]).Span)));
            t.AddMethod("endswith", (a, k) => PyBool.Of(B(a[0]).Span.EndsWith(B(a[1]).Span)));
            t.AddMethod("find", (a, k) => { BytesSubArgCheck("find", a, k); return PyInt.Get(BytesFind(a)); });
            t.AddMethod("index", (a, k) => { BytesSubArgCheck("index", a, k); int r = BytesFind(a); if (r < 0) throw Ops.ValueError("subsection not found"); return PyInt.Get(r); });
            t.AddMethod("translate", (a, k) => Mk(BytesTranslate(B(a[0]).Span, Ops.Arg(a, k, 1, "table") ?? throw Ops.TypeError("translate() missing required argument 'table' (pos 1)"), Ops.Arg(a, k, 2, "delete"))));
            t.AddMethod("count", (a, k) => { var s = B(a[0]).Span; int c = 0; if (a[1] is PyInt bi) { foreach (var x in s) if (x == bi.V) c++; } else { var sub = B(a[1]).Span; int i = 0; while (true) { int j = s.Slice(i).IndexOf(sub); if (j < 0 || sub.Length == 0) break; c++; i += j + sub.Length; } } return PyInt.Get(c); });
            t.AddMethod("replace", (a, k) => Mk(BytesReplace(a, k)));
            t.AddMethod("isdigit", (a, k) => PyBool.Of(All(Encoding.Latin1.GetString(B(a[0]).Span), c => c >= '0' && c <= '9')));
            t.AddMethod("isalpha", (a, k) => PyBool.Of(All(Encoding.Latin1.GetString(B(a[0]).Span), c => c < 128 && char.IsLetter(c))));
            // a subclass gets cls(result), as CPython's bytes_fromhex_impl
            t.SetMember("fromhex", new PyClassMethod(new PyBuiltinFunction("fromhex", (a, k) =>
            {
                if (a.Length != 2 || k is { Length: > 0 }) throw Ops.TypeError(k is { Length: > 0 } ? "fromhex() takes no keyword arguments" : $"{t.Name}.fromhex() takes exactly one argument ({a.Length - 1} given)");
                var r = Mk(FromHex(a[1] is PyStr hs ? hs.Value : throw Ops.TypeError($"fromhex() argument must be str, not {a[1].Type.Name}")));
                return ReferenceEquals(a[0], t) ? r : Ops.Call1(a[0], r);
            })));
        }
        PyBytes.TypeObj.AddMethod("__hash__", (a, k) => PyInt.Get(a[0].Hash()));
        var bt = PyByteArray.TypeObj;
        bt.AddMethod("append", (a, k) => { long v = Ops.IndexValue(a[1]); if (v < 0 || v > 255) throw Ops.ValueError("byte must be in range(0, 256)"); ((PyByteArray)a[0]).Append((byte)v); return PyNone.Instance; });
        bt.AddMethod("extend", (a, k) => { var ba = (PyByteArray)a[0]; foreach (var b in ToBytes(new[] { a[1] }, null)) ba.Append(b); return PyNone.Instance; });
        bt.AddMethod("__setitem__", (a, k) => { a[0].SetItem(a[1], a[2]); return PyNone.Instance; });
        // the rest of CPython's bytearray mutators (Lib's copy takes bytearray.copy at import)
        static PyByteArray BA(PyObject o) => o as PyByteArray ?? throw Ops.TypeError($"descriptor requires a 'bytearray' object but received a '{o.Type.Name}'");
        static byte ByteValue(PyObject o)
        {
            long v = Ops.IndexValue(o);
            if (v < 0 || v > 255) throw Ops.ValueError("byte must be in range(0, 256)");
            return (byte)v;
        }
        static void SetContent(PyByteArray ba, byte[] data) { if (data.Length != ba.Count) ba.CheckResizable(); ba.Buf = data; ba.Count = data.Length; }
        bt.AddMethod("copy", (a, k) => new PyByteArray(BA(a[0]).Span.ToArray()));
        bt.AddMethod("clear", (a, k) => { SetContent(BA(a[0]), Array.Empty<byte>()); return PyNone.Instance; });
        bt.AddMethod("reverse", (a, k) => { var ba = BA(a[0]); Array.Reverse(ba.Buf, 0, ba.Count); return PyNone.Instance; });
        bt.AddMethod("insert", (a, k) =>
        {
            if (a.Length != 3) throw Ops.TypeError($"insert expected 2 arguments, got {a.Length - 1}");
            var ba = BA(a[0]);
            long i = Ops.IndexValue(a[1]);
            byte v = ByteValue(a[2]);
            if (i < 0) i = Math.Max(0, i + ba.Count);
            if (i > ba.Count) i = ba.Count;
            var data = new byte[ba.Count + 1];
            ba.Span.Slice(0, (int)i).CopyTo(data);
            data[i] = v;
            ba.Span.Slice((int)i).CopyTo(data.AsSpan((int)i + 1));
            SetContent(ba, data);
            return PyNone.Instance;
        });
        bt.AddMethod("remove", (a, k) =>
        {
            var ba = BA(a[0]);
            byte v = ByteValue(a[1]);
            int i = ba.Span.IndexOf(v);
            if (i < 0) throw Ops.ValueError("value not found in bytearray");
            var data = new byte[ba.Count - 1];
            ba.Span.Slice(0, i).CopyTo(data);
            ba.Span.Slice(i + 1).CopyTo(data.AsSpan(i));
            SetContent(ba, data);
            return PyNone.Instance;
        });
        bt.AddMethod("pop", (a, k) =>
        {
            var ba = BA(a[0]);
            if (ba.Count == 0) throw Ops.IndexError("pop from empty bytearray");
            long i = a.Length > 1 ? Ops.IndexValue(a[1]) : -1;
            if (i < 0) i += ba.Count;
            if (i < 0 || i >= ba.Count) throw Ops.IndexError("pop index out of range");
            byte v = ba.Buf[i];
            var data = new byte[ba.Count - 1];
            ba.Span.Slice(0, (int)i).CopyTo(data);
            ba.Span.Slice((int)i + 1).CopyTo(data.AsSpan((int)i));
            SetContent(ba, data);
            return PyInt.Get(v);
        });
    }

    private static void InitMisc()
    {
        PyRange.TypeObj.AddMethod("index", (a, k) =>
        {
            var r = (PyRange)a[0];
            if (r.Contains(a[1]) != true) throw Ops.ValueError($"{Ops.Repr(a[1])} is not in range");
            if (r.Big is { } b) return PyInt.Get((((PyInt)a[1]).Big - b.Start) / b.Step);
            return PyInt.Get((((PyInt)a[1]).V - r.Start) / r.Step);
        });
        PyRange.TypeObj.AddMethod("count", (a, k) => PyInt.Get(((PyRange)a[0]).Contains(a[1]) == true ? 1 : 0));
        Slots(PyRange.TypeObj, "__getitem__", "__len__", "__contains__", "__iter__", "__repr__", "__eq__", "__hash__");
        PyRange.TypeObj.SetMember("start", new PyProperty(new PyBuiltinFunction("start", (a, k) => ((PyRange)a[0]).StartObj), null, null, null));
        PyRange.TypeObj.SetMember("stop", new PyProperty(new PyBuiltinFunction("stop", (a, k) => ((PyRange)a[0]).StopObj), null, null, null));
        PyRange.TypeObj.SetMember("step", new PyProperty(new PyBuiltinFunction("step", (a, k) => ((PyRange)a[0]).StepObj), null, null, null));
        PySlice.TypeObj.SetMember("start", new PyProperty(new PyBuiltinFunction("start", (a, k) => ((PySlice)a[0]).Start), null, null, null));
        PySlice.TypeObj.SetMember("stop", new PyProperty(new PyBuiltinFunction("stop", (a, k) => ((PySlice)a[0]).Stop), null, null, null));
        PySlice.TypeObj.SetMember("step", new PyProperty(new PyBuiltinFunction("step", (a, k) => ((PySlice)a[0]).Step), null, null, null));
        PySlice.TypeObj.AddMethod("indices", (a, k) =>
        {
            ((PySlice)a[0]).Indices((int)Ops.IndexValue(a[1]), out int s, out int e, out int st, out _);
            return new PyTuple(new PyObject[] { PyInt.Get(s), PyInt.Get(e), PyInt.Get(st) });
        });
        foreach (var t in new[] { PyStrIterator.TypeObj, PySeqIterator.TypeObj, PyListIterator.TypeObj, PyListIterator.ReverseTypeObj, PyRangeIterator.TypeObj, PyLongRangeIterator.TypeObj, PyDictIterator.TypeObj, PySetIterator.TypeObj, PySeqGetItemIterator.TypeObj,
            BuiltinsModule.EnumerateType, BuiltinsModule.ZipType, BuiltinsModule.MapType, BuiltinsModule.FilterType, BuiltinsModule.ReversedType, BuiltinsModule.IteratorType })
        {
            t.AddMethod("__next__", (a, k) => a[0].Next() ?? throw Ops.StopIteration());
            t.AddMethod("__iter__", (a, k) => a[0]);
        }
        // CPython's dictiter/setiter __length_hint__ and __reduce__ (iter, (list of what is left,))
        PySetIterator.TypeObj.AddMethod("__length_hint__", (a, k) => PyInt.Get(((PySetIterator)a[0]).LengthHint));
        PySetIterator.TypeObj.AddMethod("__reduce__", (a, k) => new PyTuple(new PyObject[] { Interp.Builtin("iter"), new PyTuple(new PyObject[] { new PyList(((PySetIterator)a[0]).Rest()) }) }));
        PyDictIterator.TypeObj.AddMethod("__length_hint__", (a, k) => PyInt.Get(((PyDictIterator)a[0]).LengthHint));
        PyDictIterator.TypeObj.AddMethod("__reduce__", (a, k) => new PyTuple(new PyObject[] { Interp.Builtin("iter"), new PyTuple(new PyObject[] { new PyList(((PyDictIterator)a[0]).Rest()) }) }));
        PySeqIterator.TypeObj.AddMethod("__length_hint__", (a, k) => PyInt.Get(((PySeqIterator)a[0]).LengthHint));
        PySeqIterator.TypeObj.AddMethod("__reduce__", (a, k) => new PyTuple(new PyObject[] { Interp.Builtin("iter"), new PyTuple(new PyObject[] { new PyTuple(((PySeqIterator)a[0]).Rest()) }) }));
        // CPython's listiter/listreviter: pickled with their list and position, (iter, (list,), index) or
        // (reversed, (list,), index), which __setstate__ restores; an exhausted one as iter([])
        foreach (var t in new[] { PyListIterator.TypeObj, PyListIterator.ReverseTypeObj })
        {
            t.AddMethod("__length_hint__", (a, k) => PyInt.Get(((PyListIterator)a[0]).LengthHint));
            t.AddMethod("__reduce__", (a, k) =>
            {
                var it = (PyListIterator)a[0];
                if (it.Exhausted) return new PyTuple(new PyObject[] { Interp.Builtin("iter"), new PyTuple(new PyObject[] { new PyList() }) });
                return new PyTuple(new PyObject[] { Interp.Builtin(it.Reversed ? "reversed" : "iter"), new PyTuple(new PyObject[] { it.List }), PyInt.Get(it.Index) });
            });
            t.AddMethod("__setstate__", (a, k) => { ((PyListIterator)a[0]).SetState(Ops.IndexValueClamped(a[1])); return PyNone.Instance; });
        }
        var rt = BuiltinsModule.ReversedType;
        rt.AddMethod("__length_hint__", (a, k) => PyInt.Get(a[0] is PyReversedIterator r ? r.LengthHint() : 0));
        rt.AddMethod("__reduce__", (a, k) => a[0] is PyReversedIterator r ? r.Reduce() : throw Ops.TypeError("cannot pickle 'reversed' object"));
        rt.AddMethod("__setstate__", (a, k) => { (a[0] as PyReversedIterator)?.SetState(a[1]); return PyNone.Instance; });
        IteratorStateMethods.Install();
        // CPython's meth_reduce: a module-level built-in pickles as its name (a global), a bound one as getattr(self, name)
        PyBuiltinFunction.TypeObj.AddMethod("__reduce__", (a, k) => a[0] switch
        {
            PyBoundMethod { Func: PyBuiltinFunction bf } bm => new PyTuple(new PyObject[] { Interp.Builtin("getattr"), new PyTuple(new PyObject[] { bm.Self, new PyStr(bf.Name) }) }),
            PyBuiltinFunction { Self: not null and not PyModule } bf => new PyTuple(new PyObject[] { Interp.Builtin("getattr"), new PyTuple(new PyObject[] { bf.Self, new PyStr(bf.Name) }) }),
            PyBuiltinFunction bf => new PyStr(bf.Name),
            _ => throw Ops.TypeError($"cannot pickle '{a[0].Type.Name}' object"),
        });
        PyFunction.TypeObj.AddMethod("__get__", (a, k) => a[1] == PyNone.Instance ? a[0] : new PyBoundMethod(a[1], a[0]));
        PyFunction.TypeObj.AddMethod("__call__", (a, k) => a[0].Call(a.Slice(1), k));
        PyProperty.TypeObj.AddMethod("__get__", (a, k) => a[1] == PyNone.Instance ? a[0] : Ops.CallArgs(((PyProperty)a[0]).Get!, a[1]));
        PyProperty.TypeObj.AddMethod("__set__", (a, k) => { Ops.CallArgs(((PyProperty)a[0]).Set!, a[1], a[2]); return PyNone.Instance; });
        PyProperty.TypeObj.AddMethod("getter", (a, k) => new PyProperty(a[1], ((PyProperty)a[0]).Set, ((PyProperty)a[0]).Del, null));
        PyProperty.TypeObj.AddMethod("setter", (a, k) => { var p = (PyProperty)a[0]; return new PyProperty(p.Get, a[1], p.Del, p.Doc); });
        PyProperty.TypeObj.AddMethod("deleter", (a, k) => { var p = (PyProperty)a[0]; return new PyProperty(p.Get, p.Set, a[1], p.Doc); });
        PyClassMethod.TypeObj.AddMethod("__get__", (a, k) => new PyBoundMethod(a.Length > 2 && a[2] != PyNone.Instance ? a[2] : a[1].Type, ((PyClassMethod)a[0]).Func));
        PyStaticMethod.TypeObj.AddMethod("__get__", (a, k) => ((PyStaticMethod)a[0]).Func);
        Slots(PyModule.TypeObj, "__repr__");
        PyBaseException.BaseExceptionType.TypeDict.GetOrNull("__init__");
    }
}

internal static class IteratorStateMethods
{
    /// <summary>range's __reduce__, and __reduce__/__setstate__ of the str and range iterators (the list iterators' are above)
    /// (CPython's (iter, (sequence,), index) form, so pickles made by CPython load: itertools' tests hold them).</summary>
    public static void Install()
    {
        PyRange.TypeObj.AddMethod("__reduce__", (a, k) =>
        {
            var r = Self<PyRange>(a, k, 0);
            return new PyTuple(new PyObject[] { r.Type, new PyTuple(new[] { r.StartObj, r.StopObj, r.StepObj }) });
        });
        PyStrIterator.TypeObj.AddMethod("__reduce__", (a, k) =>
        {
            var (s, i) = Self<PyStrIterator>(a, k, 0).State;
            return new PyTuple(new PyObject[] { Interp.Builtin("iter"), new PyTuple(new PyObject[] { PyStr.Of(s) }), PyInt.Get(i) });
        });
        PyStrIterator.TypeObj.AddMethod("__setstate__", (a, k) => { Self<PyStrIterator>(a, k).SetState(Ops.IndexValueClamped(a[1])); return PyNone.Instance; });
        PyRangeIterator.TypeObj.AddMethod("__reduce__", (a, k) => RangeReduce(Self<PyRangeIterator>(a, k, 0).State));
        PyRangeIterator.TypeObj.AddMethod("__setstate__", (a, k) => { Self<PyRangeIterator>(a, k).SetState(Ops.IndexValueClamped(a[1])); return PyNone.Instance; });
        PyLongRangeIterator.TypeObj.AddMethod("__reduce__", (a, k) => RangeReduce(Self<PyLongRangeIterator>(a, k, 0).State));
        PyLongRangeIterator.TypeObj.AddMethod("__setstate__", (a, k) =>
        {
            var it = Self<PyLongRangeIterator>(a, k);
            it.SetState(((PyInt)Ops.Index(a[1])).Big);
            return PyNone.Instance;
        });
    }

    private static PyObject RangeReduce((PyObject Start, PyObject Stop, PyObject Step, PyObject Index) s)
    {
        var range = Ops.Call(Interp.Builtin("range"), new[] { s.Start, s.Stop, s.Step });
        return new PyTuple(new PyObject[] { Interp.Builtin("iter"), new PyTuple(new[] { range }), s.Index });
    }

    /// <summary>The iterator a method was called on, with METH_O (one argument) or METH_NOARGS (<paramref name="args"/> 0) checks.</summary>
    private static T Self<T>(ReadOnlySpan<PyObject> a, PyStr[]? k, int args = 1) where T : PyObject
    {
        var self = a[0] as T ?? throw Ops.TypeError($"descriptor requires a '{a[0].Type.Name}' object");
        if (args == 0) ArgParser.NoArgs("__reduce__", a.Slice(1), k);
        else
        {
            ArgParser.NoKeywords("__setstate__", k);
            if (a.Length != 2) throw Ops.TypeError($"{self.Type.Name}.__setstate__() takes exactly one argument ({a.Length - 1} given)");
        }
        return self;
    }
}

internal static class Interp
{
    public static PyObject Builtin(string name) => Vm.ThreadState.Current.Interp.Builtins.GetOrNull(name)!;
}
