using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Invisible.Abi.Dwarf;
using Invisible.Abi.Ffi;
using Invisible.Python.Modules;
using Invisible.Python.Runtime;

namespace Invisible.Python.Native;

/// <summary>A native function: a real entry point called through libffi with the signature its DWARF gives
/// (or an explicit signature string for functions known only by an ELF symbol). Python values are converted by
/// the parameter types; a wrong count or type raises TypeError naming the parameter before anything reaches C.</summary>
public sealed class NativeFunction : PyObject
{
    private static PyType? _type;
    internal static PyType TypeObj => _type ??= new PyType("native_function", PyType.ObjectType, null) { ModuleName = "process" };

    public readonly nint Address;
    public readonly string Name;
    internal readonly FfiSignature? Signature;
    internal readonly FunctionType? FType;
    private readonly CType?[] _paramTypes;
    private readonly CType? _returnType;
    private readonly bool _flushFirst;

    private static readonly HashSet<string> ExitLike = new(StringComparer.Ordinal)
    {
        "exit", "_exit", "_Exit", "quick_exit", "abort", "execv", "execve", "execvp", "execvpe", "execl", "execlp", "execle", "fexecve", "fork",
    };

    internal NativeFunction(nint address, string name, FfiSignature? signature, FunctionType? ftype)
    {
        Address = address;
        Name = name;
        Signature = signature;
        FType = ftype;
        int n = signature?.FixedCount ?? 0;
        _paramTypes = new CType?[n];
        for (int i = 0; i < n; i++)
            _paramTypes[i] = ftype != null && i < ftype.Parameters.Count ? ftype.Parameters[i] : signature!.Parameters[i].CType;
        _returnType = ftype?.ReturnType ?? signature?.ReturnType.CType;
        _flushFirst = ExitLike.Contains(name);
    }

    internal static NativeFunction FromPointer(nint address, FunctionType ft, string? name)
    {
        if (name == null && Dl.Addr(address, out _, out string? sym, out nint sa) && sym != null && sa == address) name = sym;
        if (NativeCallback.TryGetPython(address, out PyObject? _)) name ??= "<python callback>";
        FfiSignature? sig;
        try { sig = FfiSignature.For(ft); }
        catch (FfiException) { sig = null; }
        return new NativeFunction(address, name ?? "0x" + ((ulong)address).ToString("x"), sig, ft);
    }

    public override PyType Type => TypeObj;
    public override bool IsCallable => true;

    public override string Repr()
    {
        string proto = Signature != null ? Signature.ToString() : "(no signature)";
        return "<native function " + proto.Replace("(" , Name.Length > 0 && Signature?.Name == null ? " " + Name + "(" : "(", StringComparison.Ordinal) +
               " at 0x" + ((ulong)Address).ToString("x") + ">";
    }

    public override PyObject? GetAttrOrNull(PyStr name)
    {
        switch (name.Value)
        {
            case "__name__": return PyStr.Of(Name);
            case "signature":
                return new PyBuiltinFunction("signature", (a, k) =>
                {
                    if (a.Length != 1 || a[0] is not PyStr s) throw Ops.TypeError("signature() takes one str: a C declaration or compact codes");
                    return WithSignature(Address, Name, s.Value);
                });
        }
        return Ops.GenericGetAttr(this, name);
    }

    internal static NativeFunction WithSignature(nint address, string name, string text)
    {
        FfiSignature sig;
        try { sig = FfiSignature.Parse(text, NativeLibraries.FindAnyType); }
        catch (FfiException e) { throw Ops.TypeError("bad signature '" + text + "': " + e.Message); }
        return new NativeFunction(address, name, sig, null);
    }

    // ------------------------------------------------------------------ calls

    [SkipLocalsInit]
    public override PyObject Call(ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
    {
        FfiSignature sig = Signature ?? throw Ops.TypeError(Name + "() has no DWARF signature; give one: " + Name + ".signature(\"int (const char *)\")");
        if (kwnames != null) args = Reorder(args, kwnames);
        int n = args.Length, nfixed = sig.FixedCount;
        if (n != nfixed && !(sig.IsVariadic && n > nfixed))
            throw Ops.TypeError(Name + "() takes " + (sig.IsVariadic ? "at least " : "") + nfixed + (nfixed == 1 ? " argument (" : " arguments (") + n + " given)");
        FfiValueBuffer8 buf = default;
        Span<FfiValue> vals = n <= 8 ? buf : new FfiValue[n];
        for (int i = 0; i < n; i++)
            vals[i] = i < nfixed ? ToFfi(args[i], sig.Parameters[i], _paramTypes[i], sig, i) : ToFfiVariadic(args[i], sig, i);
        if (_flushFirst) DwarfPython.PrepareForExit();
        FfiValue r;
        try { r = FfiCall.Invoke(Address, sig, vals.Slice(0, n)); }
        catch (FfiException e) { throw Map(e); }
        return FromFfi(r, sig.ReturnType, _returnType, false);
    }

    private ReadOnlySpan<PyObject> Reorder(ReadOnlySpan<PyObject> args, PyStr[] kwnames)
    {
        int npos = args.Length - kwnames.Length;
        int total = Math.Max(Signature!.FixedCount, npos);
        var r = new PyObject?[total];
        for (int i = 0; i < npos; i++) r[i] = args[i];
        for (int k = 0; k < kwnames.Length; k++)
        {
            int idx = -1;
            for (int i = 0; i < Signature.FixedCount; i++) if (Signature.ParameterName(i) == kwnames[k].Value) { idx = i; break; }
            if (idx < 0) throw Ops.TypeError(Name + "() got an unexpected keyword argument '" + kwnames[k].Value + "'");
            if (r[idx] != null) throw Ops.TypeError(Name + "() got multiple values for argument '" + kwnames[k].Value + "'");
            r[idx] = args[npos + k];
        }
        for (int i = 0; i < total; i++)
            if (r[i] == null) throw Ops.TypeError(Name + "() missing argument " + Label(Signature, i));
        return r!;
    }

    internal static string Label(FfiSignature s, int i)
    {
        string? n = s.ParameterName(i);
        return "argument " + (i + 1) + (n != null ? " (" + n + ")" : "");
    }

    internal static PyException Map(FfiException e) => e.Kind switch
    {
        FfiErrorKind.Range => Ops.OverflowError(e.Message),
        FfiErrorKind.Value => Ops.ValueError(e.Message),
        _ => Ops.TypeError(e.Message),
    };

    /// <summary>Python value → argument of a fixed parameter.</summary>
    internal static FfiValue ToFfi(PyObject v, FfiType p, CType? pc, FfiSignature sig, int i)
    {
        switch (v)
        {
            case PyBool b: return FfiValue.FromInt64(b.V);
            case PyInt n:
                if (!n.IsBig) return FfiValue.FromInt64(n.V);
                if (n.Big.Sign > 0 && n.Big <= ulong.MaxValue) return FfiValue.FromUInt64((ulong)n.Big);
                throw Ops.OverflowError(Label(sig, i) + ": " + n.Repr() + " out of range for " + p.Name);
            case PyFloat f: return FfiValue.FromDouble(f.V);
            case PyStr s: return FfiValue.FromString(s.Value);
            case PyBytes by: return FfiValue.FromBytes(by.V);
            case PyNone: return FfiValue.None;
            case NativeFunction fn:
                if (p.Kind != FfiTypeKind.Pointer) break;
                return FfiValue.FromPointer(fn.Address);
            case NativeObject o:
                if (p.Kind == FfiTypeKind.Struct)
                {
                    if (!o.IsStruct) break;
                    FfiType ot;
                    try { ot = FfiType.For(o.CType); }
                    catch (FfiException e) { throw Map(e); }
                    return FfiValue.FromStruct(o.Address, ot);
                }
                if (p.Kind == FfiTypeKind.Pointer)
                {
                    CType? target = pc?.Unqualified is PointerType pt ? pt.Target : null;
                    if (target != null && !(o.IsArray ? CTypes.PointeeCompatible(target, o.ElementType) || CTypes.PointeeCompatible(target, o.CType)
                                                      : CTypes.PointeeCompatible(target, o.CType)))
                        throw Ops.TypeError(Label(sig, i) + ": expected " + p.Name + ", got " + o.TypeText);
                    return FfiValue.FromPointer(o.Address);
                }
                if (!o.IsArray && !o.IsStruct) return ToFfi(NativeValues.Read(o.Address, o.CType, o.Owner, false), p, pc, sig, i);
                break;
            case NativePointer np:
                if (p.Kind != FfiTypeKind.Pointer) break;
                if (pc?.Unqualified is PointerType ppt && !CTypes.PointeeCompatible(ppt.Target, np.Target))
                    throw Ops.TypeError(Label(sig, i) + ": expected " + p.Name + ", got " + CTypes.PointerTo(np.Target));
                return FfiValue.FromPointer(np.Value);
            default:
                if (v.IsCallable && p.Kind == FfiTypeKind.Pointer)
                {
                    FunctionType? ft = pc != null ? CTypes.FunctionPointee(pc) : null;
                    if (ft == null) throw Ops.TypeError(Label(sig, i) + ": a Python callable needs a function-pointer parameter with a prototype, not " + p.Name);
                    return FfiValue.FromPointer(NativeEntry.FfiEntry.EntryFor(v, NativeCallback.For(v, ft))); // named C entry (NativeEntry/)
                }
                break;
        }
        throw Ops.TypeError(Label(sig, i) + ": expected " + p.Name + ", got " + NativeValues.TypeName(v));
    }

    /// <summary>Python value → variadic argument (typed by the value, after C's default promotions).</summary>
    private static FfiValue ToFfiVariadic(PyObject v, FfiSignature sig, int i) => v switch
    {
        PyBool b => FfiValue.FromInt64(b.V),
        PyInt n when !n.IsBig => FfiValue.FromInt64(n.V),
        PyInt n when n.Big.Sign > 0 && n.Big <= ulong.MaxValue => FfiValue.FromUInt64((ulong)n.Big),
        PyFloat f => FfiValue.FromDouble(f.V),
        PyStr s => FfiValue.FromString(s.Value),
        PyBytes by => FfiValue.FromBytes(by.V),
        PyNone => FfiValue.None,
        NativePointer p => FfiValue.FromPointer(p.Value),
        NativeFunction f => FfiValue.FromPointer(f.Address),
        NativeObject o when o.IsArray || o.IsStruct => FfiValue.FromPointer(o.Address),
        NativeObject o => ToFfiVariadic(NativeValues.Read(o.Address, o.CType, o.Owner, false), sig, i),
        _ => throw Ops.TypeError(Label(sig, i) + ": cannot pass " + NativeValues.TypeName(v) + " through '...'"),
    };

    /// <summary>Result or callback argument → Python value.</summary>
    internal static PyObject FromFfi(in FfiValue r, FfiType t, CType? ct, bool copyStruct)
    {
        switch (t.Kind)
        {
            case FfiTypeKind.Void: return PyNone.Instance;
            case FfiTypeKind.Bool: return PyBool.Of(r.RawBits != 0);
            case FfiTypeKind.Float:
            case FfiTypeKind.Double:
            case FfiTypeKind.LongDouble:
                return new PyFloat(r.AsDouble());
            case FfiTypeKind.Pointer:
            {
                nint a = r.Address;
                if (a == 0) return PyNone.Instance;
                CType? target = ct?.Unqualified is PointerType pt ? pt.Target : null;
                if (target == null)
                {
                    if (t.IsCharPointer && NativeLibraries.FindAnyType("char") is CType ch) return new NativePointer(a, ch, false);
                    if (t.IsFunctionPointer) return PyInt.Get((long)a);
                    return NativeLibraries.VoidPointer(a);
                }
                if (target.Unqualified is FunctionType ft) return FromPointer(a, ft, null);
                return new NativePointer(a, target, CTypes.IsConst(target));
            }
            case FfiTypeKind.Struct:
            {
                FfiValue v = copyStruct && r.Block == null ? r.CopyStruct() : r;
                CType st = ct ?? t.CType ?? throw Ops.TypeError("struct result without a DWARF type");
                return new NativeObject(v.Address, st, -1, (object?)v.Block ?? PyNone.Instance, false);
            }
            default:
                if (r.Kind == FfiValueKind.UInt) return NativeValues.Unsigned(r.RawBits);
                return PyInt.Get((long)r.RawBits);
        }
    }

    public override long Hash() => (long)Address >> 3;
    public override PyObject? RichCompare(PyObject other, CmpOp op)
    {
        if (op != CmpOp.Eq && op != CmpOp.Ne) return null;
        bool eq = other is NativeFunction f && f.Address == Address;
        return PyBool.Of(op == CmpOp.Eq ? eq : !eq);
    }
}

/// <summary>Python callables passed where C expects a function pointer: a libffi closure typed by the
/// parameter's DWARF function type. One closure per (callable, type), kept alive for the life of the process
/// (C may keep the pointer: atexit, signal handlers, registries).</summary>
internal static class NativeCallback
{
    private readonly struct Key : IEquatable<Key>
    {
        public Key(PyObject fn, FunctionType ft) { Fn = fn; Ft = ft; }
        public readonly PyObject Fn;
        public readonly FunctionType Ft;
        public bool Equals(Key o) => ReferenceEquals(Fn, o.Fn) && ReferenceEquals(Ft, o.Ft);
        public override bool Equals(object? obj) => obj is Key k && Equals(k);
        public override int GetHashCode() => RuntimeHelpers.GetHashCode(Fn) ^ RuntimeHelpers.GetHashCode(Ft);
    }

    private static readonly Dictionary<Key, FfiClosure> Cache = new();
    private static readonly Dictionary<nint, PyObject> ByPointer = new();

    public static int Count { get { lock (Cache) return Cache.Count; } }

    public static bool TryGetPython(nint pointer, out PyObject? fn)
    {
        lock (Cache) return ByPointer.TryGetValue(pointer, out fn);
    }

    public static FfiClosure For(PyObject fn, FunctionType ft)
    {
        var key = new Key(fn, ft);
        lock (Cache)
        {
            if (Cache.TryGetValue(key, out FfiClosure? c)) return c;
            FfiSignature sig;
            try { sig = FfiSignature.For(ft); }
            catch (FfiException e) { throw NativeFunction.Map(e); }
            c = FfiClosure.Create(sig, args => Invoke(fn, ft, sig, args));
            Cache[key] = c;
            ByPointer[c.Pointer] = fn;
            return c;
        }
    }

    /// <summary>A closure for an explicit signature string (no DWARF type at hand).</summary>
    public static FfiClosure For(PyObject fn, FfiSignature sig)
    {
        FfiClosure c = FfiClosure.Create(sig, args => Invoke(fn, null, sig, args));
        lock (Cache) ByPointer[c.Pointer] = fn;
        return c;
    }

    private static FfiValue Invoke(PyObject fn, FunctionType? ft, FfiSignature sig, ReadOnlySpan<FfiValue> args)
    {
        try
        {
            var pargs = new PyObject[args.Length];
            for (int i = 0; i < args.Length; i++)
                pargs[i] = NativeFunction.FromFfi(args[i], sig.Parameters[i], ft != null && i < ft.Parameters.Count ? ft.Parameters[i] : null, true);
            PyObject r = Ops.Call(fn, pargs);
            if (sig.ReturnType.Kind == FfiTypeKind.Void) return FfiValue.None;
            return NativeFunction.ToFfi(r, sig.ReturnType, ft?.ReturnType, sig, 0);
        }
        catch (PyException e)
        {
            string text;
            try { text = e.Value.FormatTraceback(PythonEngine.SourceLine); }
            catch (PyException) { text = e.Value.Type.Name + "\n"; }
            try { SysModule.WriteStderr("Exception ignored on calling native callback " + Ops.Repr(fn) + ":\n" + text); }
            catch (PyException) { }
            FfiType rt = sig.ReturnType;
            return rt.IsFloatingPoint ? FfiValue.FromDouble(0) : rt.IsInteger ? FfiValue.FromInt64(0) : FfiValue.None;
        }
        finally
        {
            if (DwarfPython.Exiting) DwarfPython.FlushOutput();
        }
    }
}
