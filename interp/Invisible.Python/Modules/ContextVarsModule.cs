using System;
using System.Collections.Generic;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>_contextvars</c> (Python/context.c, PEP 567): <c>ContextVar</c>, <c>Token</c>, <c>Context</c>,
/// <c>copy_context()</c>. A context is an immutable mapping from variables to values (CPython's HAMT; here a
/// dictionary copied on write: contexts hold few variables); each thread of an interpreter has a current context,
/// which <c>Context.run</c> switches. asyncio runs every task's steps in the task's own context.
/// </summary>
public static class ContextVarsModule
{
    private static readonly ArgParser ContextVarArgs = new("ContextVar", "name, /, *, default=None");
    private static readonly ArgParser GetArgs = new("get", "default=None, /");

    public static PyModule Create()
    {
        InitTypes();
        var m = new PyModule("_contextvars");
        m.Add("ContextVar", PyContextVar.TypeObj);
        m.Add("Token", PyContextToken.TypeObj);
        m.Add("Context", PyContext.TypeObj);
        m.AddFn("copy_context", (a, k) => { ArgParser.NoArgs("copy_context", a, k); return Current().Copy(); });
        return m;
    }

    /// <summary>The calling thread's current context (made empty on first use).</summary>
    internal static PyContext Current()
    {
        var ts = ThreadState.Current;
        var contexts = ts.Interp.Contexts;
        lock (contexts)
        {
            if (!contexts.TryGetValue(ts.ManagedThreadId, out var c)) contexts[ts.ManagedThreadId] = c = new PyContext(new Dictionary<PyContextVar, PyObject>(ReferenceEqualityComparer.Instance));
            return c;
        }
    }

    private static void SetCurrent(PyContext c)
    {
        var ts = ThreadState.Current;
        lock (ts.Interp.Contexts) ts.Interp.Contexts[ts.ManagedThreadId] = c;
    }

    private static readonly object TypesGate = new();

    private static void InitTypes()
    {
        lock (TypesGate) InitTypesOnce();
    }

    private static void InitTypesOnce()
    {
        if (PyContextVar.TypeObj != null) return;
        var varType = new PyType("ContextVar", PyType.ObjectType, (cls, a, k) =>
        {
            var args = ContextVarArgs.Parse(a, k);
            if (args[0] is not PyStr name) throw Ops.TypeError("context variable name must be a str");
            return new PyContextVar(name.Value, args.Has(1) ? args[1] : null);
        }) { ModuleName = "_contextvars" };
        varType.AddMethod("get", (a, k) =>
        {
            var self = (PyContextVar)a[0];
            var args = GetArgs.Parse(a.Slice(1), k);
            if (Current().Vars.TryGetValue(self, out var v)) return v;
            if (args.Has(0)) return args[0]!;
            if (self.Default != null) return self.Default;
            throw new PyException(PyBaseException.Create(PyBaseException.LookupErrorType, self));
        });
        varType.AddMethod("set", (a, k) =>
        {
            if (a.Length != 2 || (k?.Length ?? 0) != 0) throw Ops.TypeError($"ContextVar.set() takes exactly one argument ({a.Length - 1} given)");
            var self = (PyContextVar)a[0];
            var ctx = Current();
            var old = ctx.Vars.TryGetValue(self, out var o) ? o : null;
            ctx.Vars = PyContext.With(ctx.Vars, self, a[1]);
            return new PyContextToken(ctx, self, old);
        });
        varType.AddMethod("reset", (a, k) =>
        {
            if (a.Length != 2 || (k?.Length ?? 0) != 0) throw Ops.TypeError($"ContextVar.reset() takes exactly one argument ({a.Length - 1} given)");
            var self = (PyContextVar)a[0];
            if (a[1] is not PyContextToken tok) throw Ops.TypeError($"expected an instance of Token, got '{a[1].Type.Name}'");
            if (tok.Used) throw Ops.RuntimeError($"{tok.Repr()} has already been used once");
            if (!ReferenceEquals(tok.Var, self)) throw Ops.ValueError($"{tok.Repr()} was created by a different ContextVar");
            var ctx = Current();
            if (!ReferenceEquals(tok.Context, ctx)) throw Ops.ValueError($"{tok.Repr()} was created in a different Context");
            tok.Used = true;
            var vars = new Dictionary<PyContextVar, PyObject>(ctx.Vars, ReferenceEqualityComparer.Instance);
            if (tok.OldValue == null) vars.Remove(self); else vars[self] = tok.OldValue;
            ctx.Vars = vars;
            return PyNone.Instance;
        });
        varType.SetMember("__class_getitem__", new PyClassMethod(new PyBuiltinFunction("__class_getitem__", (a, k) => new PyGenericAlias((PyType)a[0], a[1]))));
        PyContextVar.TypeObj = varType;

        var tokType = new PyType("Token", PyType.ObjectType, (cls, a, k) => throw Ops.RuntimeError("Tokens can only be created by ContextVars")) { ModuleName = "_contextvars" };
        tokType.TypeDict.SetItem(PyStr.Intern("MISSING"), PyTokenMissing.Instance);
        tokType.SetMember("__class_getitem__", new PyClassMethod(new PyBuiltinFunction("__class_getitem__", (a, k) => new PyGenericAlias((PyType)a[0], a[1]))));
        PyContextToken.TypeObj = tokType;
        PyTokenMissing.TypeObj = new PyType("Token.MISSING", PyType.ObjectType, null) { ModuleName = "_contextvars" };

        var ctxType = new PyType("Context", PyType.ObjectType, (cls, a, k) =>
        {
            if (a.Length > 0) throw Ops.TypeError("Context() does not accept any arguments");
            return new PyContext(new Dictionary<PyContextVar, PyObject>(ReferenceEqualityComparer.Instance));
        }) { ModuleName = "_contextvars" };
        ctxType.AddMethod("run", (a, k) =>
        {
            int nk = k?.Length ?? 0;
            if (a.Length - nk < 2) throw Ops.TypeError("run() missing 1 required positional argument");
            var self = (PyContext)a[0];
            if (self.Entered) throw Ops.RuntimeError($"cannot enter context: {self.Repr()} is already entered");
            var prev = Current();
            self.Entered = true;
            SetCurrent(self);
            try { return Ops.Call(a[1], a.Slice(2), k); }
            finally { self.Entered = false; SetCurrent(prev); }
        });
        ctxType.AddMethod("copy", (a, k) => ((PyContext)a[0]).Copy());
        ctxType.AddMethod("get", (a, k) =>
        {
            if (a.Length < 2 || a.Length > 3) throw Ops.TypeError($"get expected at least 1 argument, got {a.Length - 1}");
            var key = PyContext.Key(a[1]);
            return ((PyContext)a[0]).Vars.TryGetValue(key, out var v) ? v : a.Length > 2 ? a[2] : PyNone.Instance;
        });
        ctxType.AddMethod("__getitem__", (a, k) => a[0].GetItem(a[1]));
        ctxType.AddMethod("__contains__", (a, k) => PyBool.Of(a[0].Contains(a[1]) == true));
        ctxType.AddMethod("__len__", (a, k) => PyInt.Get(a[0].Len()));
        ctxType.AddMethod("__iter__", (a, k) => a[0].Iter());
        ctxType.AddMethod("keys", (a, k) => new PyList(((PyContext)a[0]).KeysArray()));
        ctxType.AddMethod("values", (a, k) =>
        {
            var vars = ((PyContext)a[0]).Vars;
            var list = new List<PyObject>(vars.Count);
            foreach (var kv in vars) list.Add(kv.Value);
            return new PyList(list.ToArray());
        });
        ctxType.AddMethod("items", (a, k) =>
        {
            var vars = ((PyContext)a[0]).Vars;
            var list = new List<PyObject>(vars.Count);
            foreach (var kv in vars) list.Add(new PyTuple(new PyObject[] { kv.Key, kv.Value }));
            return new PyList(list.ToArray());
        });
        ctxType.AddMethod("__eq__", (a, k) => a[0].RichCompare(a[1], CmpOp.Eq) ?? PyNotImplementedType.Instance);
        PyContext.TypeObj = ctxType;
    }
}

/// <summary>A context variable: identity-hashed key of contexts, with an optional default.</summary>
internal sealed class PyContextVar : PyObject
{
    public static PyType TypeObj = null!;
    public readonly string Name;
    public readonly PyObject? Default;
    public PyContextVar(string name, PyObject? dflt) { Name = name; Default = dflt; }
    public override PyType Type => TypeObj;
    public override string Repr()
    {
        var d = Default == null ? "" : $" default={Ops.Repr(Default)}";
        return $"<ContextVar name={Ops.Repr(PyStr.Of(Name))}{d} at 0x{Ops.Id(this):x}>";
    }
    public override PyObject? GetAttrOrNull(PyStr name) => name.Value == "name" ? PyStr.Of(Name) : base.GetAttrOrNull(name);
}

/// <summary>What ContextVar.set returns: reset() puts the old value back (once, in the same context).</summary>
internal sealed class PyContextToken : PyObject
{
    public static PyType TypeObj = null!;
    public readonly PyContext Context;
    public readonly PyContextVar Var;
    public readonly PyObject? OldValue;
    public bool Used;
    public PyContextToken(PyContext ctx, PyContextVar v, PyObject? old) { Context = ctx; Var = v; OldValue = old; }
    public override PyType Type => TypeObj;
    public override string Repr() => $"<Token{(Used ? " used" : "")} var={Var.Repr()} at 0x{Ops.Id(this):x}>";
    public override PyObject? GetAttrOrNull(PyStr name) => name.Value switch
    {
        "var" => Var,
        "old_value" => OldValue ?? PyTokenMissing.Instance,
        _ => base.GetAttrOrNull(name),
    };
}

/// <summary>Token.MISSING: the old_value of a token whose variable had no value.</summary>
internal sealed class PyTokenMissing : PyObject
{
    public static PyType TypeObj = null!;
    public static readonly PyTokenMissing Instance = new();
    public override PyType Type => TypeObj;
    public override string Repr() => "<Token.MISSING>";
}

/// <summary>A context: variables to values, replaced (never changed in place) by ContextVar.set/reset.</summary>
internal sealed class PyContext : PyObject
{
    public static PyType TypeObj = null!;
    public Dictionary<PyContextVar, PyObject> Vars;
    public bool Entered;
    public PyContext(Dictionary<PyContextVar, PyObject> vars) { Vars = vars; }
    public override PyType Type => TypeObj;
    public PyContext Copy() => new(Vars);
    /// <summary>A copy of <paramref name="vars"/> with one variable set (variables are keys by identity).</summary>
    internal static Dictionary<PyContextVar, PyObject> With(Dictionary<PyContextVar, PyObject> vars, PyContextVar v, PyObject value)
        => new(vars, ReferenceEqualityComparer.Instance) { [v] = value };
    public PyObject[] KeysArray()
    {
        var keys = new PyObject[Vars.Count];
        int i = 0;
        foreach (var kv in Vars) keys[i++] = kv.Key;
        return keys;
    }
    internal static PyContextVar Key(PyObject o) => o as PyContextVar ?? throw Ops.TypeError($"a ContextVar key was expected, got {Ops.Repr(o)}");
    public override PyObject GetItem(PyObject key)
    {
        var k = Key(key);
        return Vars.TryGetValue(k, out var v) ? v : throw new PyException(PyBaseException.Create(PyBaseException.KeyErrorType, k));
    }
    public override bool? Contains(PyObject item) => Vars.ContainsKey(Key(item));
    public override PyObject Iter() => Ops.GetIter(new PyList(KeysArray()));
    public override bool HasLen => true;
    public override int Len() => Vars.Count;
    public override PyObject? RichCompare(PyObject other, CmpOp op)
    {
        if (other is not PyContext o || (op != CmpOp.Eq && op != CmpOp.Ne)) return base.RichCompare(other, op);
        bool eq = Vars.Count == o.Vars.Count;
        if (eq)
            foreach (var kv in Vars)
                if (!o.Vars.TryGetValue(kv.Key, out var ov) || !Ops.IsTrue(Ops.RichCompare(kv.Value, ov, CmpOp.Eq))) { eq = false; break; }
        return PyBool.Of(op == CmpOp.Eq ? eq : !eq);
    }
    public override bool Hashable => false;
    public override string Repr() => $"<_contextvars.Context object at 0x{Ops.Id(this):x}>";
}
