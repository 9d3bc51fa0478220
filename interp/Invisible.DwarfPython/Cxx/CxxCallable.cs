using System;
using System.Collections.Generic;
using System.Text;
using Invisible.Abi.Dwarf;
using Invisible.Abi.Ffi;
using Invisible.Python.Runtime;

namespace Invisible.DwarfPython;

/// <summary>
/// A C++ function or member function as Python calls it: one overload set (every declaration of the name in the
/// class that declares it, or in the namespace), bound to an object's <c>this</c> for member functions. A call
/// picks the overload whose parameters take the arguments best (exact kinds before conversions: an int for
/// <c>int</c>, a float for <c>double</c>, a pointer to the class or a class derived from it), or refuses with the
/// candidate list. A virtual member function is called through the vtable of the object (its first word at the
/// declaring class's subobject), so the override of the object's dynamic class runs, as in C++.
/// </summary>
public sealed class CxxCallable : PyObject
{
    private static PyType? _type;
    internal static PyType TypeObj => _type ??= new PyType("native_method", PyType.ObjectType, null) { ModuleName = "process" };

    /// <summary>One declaration. <see cref="VtableSlot"/>: -2 static or free function (no <c>this</c>), -1
    /// non-virtual member, else the vtable index.</summary>
    internal readonly struct Candidate
    {
        public Candidate(Function declaration, string? linkage, DwarfModule module, long vtableSlot)
        {
            Declaration = declaration; Linkage = linkage; Module = module; VtableSlot = vtableSlot;
        }
        public readonly Function Declaration;
        public readonly string? Linkage;
        public readonly DwarfModule Module;
        public readonly long VtableSlot;
        public bool HasThis => VtableSlot != -2;
        /// <summary>Parameters a caller passes (without <c>this</c>).</summary>
        public int Arity => Declaration.Type.Parameters.Count - (HasThis ? 1 : 0);
        public CType Parameter(int i) => Declaration.Type.Parameters[i + (HasThis ? 1 : 0)];
        public string Text => CxxSupport.Demangled(Linkage, Declaration.Prototype);
    }

    private readonly string _name;
    private readonly List<Candidate> _candidates;
    private readonly nint _this;
    private readonly Dictionary<(string?, nint), NativeFunction> _functions = new();

    internal CxxCallable(string name, List<Candidate> candidates, nint thisAddress)
    {
        _name = name;
        _candidates = candidates;
        _this = thisAddress;
    }

    public override PyType Type => TypeObj;
    public override bool IsCallable => true;

    public override string Repr()
    {
        var sb = new StringBuilder("<native ");
        sb.Append(_candidates.Exists(c => c.HasThis) ? "method " : "function ");
        for (int i = 0; i < _candidates.Count; i++)
        {
            if (i > 0) sb.Append(" | ");
            sb.Append(_candidates[i].Text);
        }
        if (_this != 0) sb.Append(" of 0x").Append(((ulong)_this).ToString("x"));
        return sb.Append('>').ToString();
    }

    public override PyObject? GetAttrOrNull(PyStr name) => name.Value switch
    {
        "__name__" => PyStr.Of(_name),
        "overloads" => new PyList(_candidates.ConvertAll<PyObject>(c => PyStr.Of(c.Text)).ToArray()),
        _ => Ops.GenericGetAttr(this, name),
    };

    public override PyObject Call(ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
    {
        if (kwnames != null && kwnames.Length > 0) throw Ops.TypeError(_name + "(): C++ parameters are positional");
        Candidate c = Pick(args);
        if (c.HasThis && _this == 0) throw Ops.TypeError(c.Text + " is a member function: call it on an object");
        nint code = Entry(c);
        NativeFunction fn = FunctionFor(c, code);
        if (!c.HasThis) return fn.Call(args, null);
        var full = new PyObject[args.Length + 1];
        full[0] = new NativePointer(_this, VoidType.Instance, false); // `this`: already the declaring class's subobject
        args.CopyTo(full.AsSpan(1));
        return fn.Call(full, null);
    }

    /// <summary>The code to call: the vtable's entry for a virtual member function (read from the object now: the
    /// object decides), else the symbol of the linkage name.</summary>
    private nint Entry(in Candidate c)
    {
        if (c.VtableSlot >= 0)
        {
            nint vptr = Mem.ReadPointer(_this, false);
            if (vptr == 0) throw Ops.ValueError(c.Text + ": the object at 0x" + ((ulong)_this).ToString("x") + " has no vtable (NULL): not constructed?");
            return Mem.ReadPointer(vptr + (nint)(c.VtableSlot * 8), false);
        }
        nint a = CxxSupport.SymbolAddress(c.Module, c.Linkage);
        if (a == 0) throw Ops.TypeError(c.Text + " has no code in the process (inline and never called, or not linked in)");
        return a;
    }

    private NativeFunction FunctionFor(in Candidate c, nint code)
    {
        lock (_functions)
        {
            if (_functions.TryGetValue((c.Linkage, code), out NativeFunction? f)) return f;
            FfiSignature? sig;
            try { sig = FfiSignature.For(c.Declaration.Type); }
            catch (FfiException e) { throw Ops.TypeError(c.Text + ": cannot be called: " + e.Message); }
            f = new NativeFunction(code, _name, sig, c.Declaration.Type);
            _functions[(c.Linkage, code)] = f;
            return f;
        }
    }

    // ------------------------------------------------------------------ overloads

    private Candidate Pick(ReadOnlySpan<PyObject> args)
    {
        int best = -1, bestScore = -1;
        bool tie = false;
        for (int i = 0; i < _candidates.Count; i++)
        {
            int s = Score(_candidates[i], args);
            if (s < 0) continue;
            if (s > bestScore) { best = i; bestScore = s; tie = false; }
            else if (s == bestScore) tie = true;
        }
        if (best >= 0 && !tie) return _candidates[best];
        var sb = new StringBuilder();
        sb.Append(tie ? "ambiguous call to " : "no overload of ").Append(_name).Append(" takes (");
        for (int i = 0; i < args.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(NativeValues.TypeName(args[i]));
        }
        sb.Append("); candidates:");
        foreach (Candidate c in _candidates) sb.Append("\n    ").Append(c.Text);
        throw Ops.TypeError(sb.ToString());
    }

    /// <summary>How well the arguments fit: -1 not at all, else 2 per exact kind and 1 per conversion.</summary>
    private static int Score(in Candidate c, ReadOnlySpan<PyObject> args)
    {
        if (c.Declaration.Type.IsVariadic ? args.Length < c.Arity : args.Length != c.Arity) return -1;
        int total = 0;
        for (int i = 0; i < c.Arity; i++)
        {
            int s = Fit(args[i], c.Parameter(i));
            if (s < 0) return -1;
            total += s;
        }
        return total;
    }

    private static int Fit(PyObject v, CType p)
    {
        CType u = p.Unqualified;
        if (u is PointerType { Kind: CTypeKind.Reference } r) u = r.Target.Unqualified;
        switch (v)
        {
            case PyBool:
                return u is BaseType { Encoding: BaseEncoding.Boolean } ? 2 : u is BaseType { IsFloat: false } or EnumType ? 1 : -1;
            case PyInt:
                return u is BaseType { IsFloat: false, Encoding: not BaseEncoding.Boolean } or EnumType ? 2 : u is BaseType ? 1 : -1;
            case PyFloat:
                return u is BaseType { IsFloat: true } ? 2 : -1;
            case PyStr or PyBytes:
                return u is PointerType sp && CTypes.IsCharLike(sp.Target) ? 2 : u is PointerType { Target: VoidType } ? 1 : -1;
            case PyNone:
                return u is PointerType ? 1 : -1;
            case NativeObject o:
                if (u is StructType && o.IsStruct) return CTypes.PointeeCompatible(u, o.CType) ? 2 : -1;
                if (u is PointerType pt) return PointeeFit(pt.Target, o.IsArray ? o.ElementType : o.CType);
                if (!o.IsArray && !o.IsStruct) return Fit(NativeValues.Read(o.Address, o.CType, o.Owner, false), p);
                return -1;
            case NativePointer np:
                return u is PointerType pp ? PointeeFit(pp.Target, np.Target) : -1;
            case NativeFunction:
                return u is PointerType ? 1 : -1;
            default:
                return v.IsCallable && CTypes.FunctionPointee(u) != null ? 1 : -1;
        }
    }

    private static int PointeeFit(CType want, CType have)
    {
        if (want.Unqualified is VoidType) return 1;
        if (CTypes.PointeeCompatible(want, have)) return 2;
        return CxxSupport.BaseOffset(have, want) >= 0 ? 1 : -1;
    }
}
