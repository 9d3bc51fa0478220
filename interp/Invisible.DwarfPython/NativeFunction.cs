using System;
using Volatile = System.Threading.Volatile;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Invisible.Abi.Dwarf;
using Invisible.Abi.Ffi;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.DwarfPython;

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
    // Per-call conversion plan (fixed-arity calls): Python values straight into libffi slots, no FfiValue step.
    private readonly ArgConv[] _conv;
    private readonly RetConv _ret;
    private readonly bool _fast;
    private readonly object?[] _memo; // per parameter: CallbackMemo, PointeeMemo or TextMemo of the last value accepted
    private readonly bool[] _constText; // per parameter: a char/void pointer to const (one C copy per str serves every call)
    /// <summary>Why there is no signature (the library's header lookup), added to the error of a call.</summary>
    internal string? Note;

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
        _conv = new ArgConv[n];
        _memo = new object?[n];
        _constText = new bool[n];
        for (int i = 0; i < n; i++) _constText[i] = PointsToConst(signature!.Parameters[i], _paramTypes[i]);
        _fast = signature != null && !signature.IsVariadic && n <= MaxFastArgs;
        for (int i = 0; i < n; i++)
        {
            _conv[i] = PlanArg(signature!.Parameters[i], _paramTypes[i]);
            if (_conv[i] == ArgConv.Slow) _fast = false;
        }
        _ret = signature != null ? PlanReturn(signature.ReturnType) : RetConv.Slow;
        if (_ret == RetConv.Slow) _fast = false;
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
        if (Name.Length > 0 && Signature?.Name == null)
        {
            // the name goes before the parameter list, once (a function-pointer parameter has parentheses of its own)
            int open = proto.IndexOf('(');
            string head = proto.Substring(0, open).TrimEnd();
            proto = head + (head.EndsWith('*') ? "" : " ") + Name + proto.Substring(open);
        }
        return "<native function " + proto + " at 0x" + ((ulong)Address).ToString("x") + ">";
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

    public override PyObject Call(ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
    {
        // No exception handler in this method nor in TryFastCall (see CallConverted): the native call's own try/finally
        // (the interpreter lock, the thread's native-call count) is in CallConverted and SlowCall.
        ThreadState? ts = ThreadState.CurrentOrNull;
        PyObject result = _fast && kwnames == null && args.Length == _conv.Length && TryFastCall(ts, args, out PyObject? r)
            ? r! : SlowCall(ts, args, kwnames);
        if (PyCallbackTarget.TakeResultError() is PyException callbackError) throw callbackError;
        // A Ctrl-C that arrived while C ran is raised as soon as it returns, as CPython's eval loop does (the loop's
        // own checks come at back-edges and calls of Python code, which may never come again).
        if (ts != null && Volatile.Read(ref ts.Interrupt) != 0 && ts.Interp.ClearInterrupt())
            throw new PyException(PyBaseException.Create(PyBaseException.KeyboardInterruptType));
        return result;
    }

    [SkipLocalsInit]
    private PyObject SlowCall(ThreadState? ts, ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
    {
        FfiSignature sig = Signature ?? throw Ops.TypeError(Name + "() has no DWARF signature" + (Note != null ? " (" + Note + ")" : "") +
            "; give one: " + Name + ".signature(\"int (const char *)\")");
        if (kwnames != null) args = Reorder(args, kwnames);
        int n = args.Length, nfixed = sig.FixedCount;
        if (n != nfixed && !(sig.IsVariadic && n > nfixed))
            throw Ops.TypeError(Name + "() takes " + (sig.IsVariadic ? "at least " : "") + nfixed + (nfixed == 1 ? " argument (" : " arguments (") + n + " given)");
        FfiValueBuffer8 buf = default;
        Span<FfiValue> vals = n <= 8 ? buf : new FfiValue[n];
        for (int i = 0; i < n; i++)
            vals[i] = i < nfixed ? ToFfi(args[i], sig.Parameters[i], _paramTypes[i], sig, i) : ToFfiVariadic(args[i], sig, i);
        if (_flushFirst && ts != null) Bridge.PrepareForExit(ts.Interp);
        FfiValue r;
        EnterNative(ts);
        try { r = FfiCall.Invoke(Address, sig, vals.Slice(0, n)); }
        catch (FfiException e) { throw Map(e); }
        finally { LeaveNative(ts); }
        return FromFfi(r, sig.ReturnType, _returnType, false);
    }

    /// <summary>Around the native call itself: marks the thread as inside C (one store: only this thread writes it), so a
    /// console's Ctrl-C can end a blocking call early by signalling this thread (PythonMain); lends the interpreter lock.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void EnterNative(ThreadState? ts)
    {
        if (ts == null) return;
        Volatile.Write(ref ts.NativeCalls, ts.NativeCalls + 1);
        ts.Lock.BeforeNative(ts);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LeaveNative(ThreadState? ts)
    {
        if (ts == null) return;
        ts.Lock.AfterNative(ts);
        Volatile.Write(ref ts.NativeCalls, ts.NativeCalls - 1);
    }

    // ------------------------------------------------------------------ the fast path

    private const int MaxFastArgs = 12;

    private enum ArgConv : byte { Slow, I8, U8, I16, U16, I32, U32, I64, U64, F32, F64, Text, VoidPtr, TypedPtr, FuncPtr }
    private enum RetConv : byte { Slow, Void, Bool, I8, U8, I16, U16, I32, U32, I64, U64, F32, F64, Pointer }

    private static ArgConv PlanArg(FfiType t, CType? pc) => t.Kind switch
    {
        FfiTypeKind.SInt8 when t.Enum == null => ArgConv.I8,
        FfiTypeKind.UInt8 when t.Enum == null => ArgConv.U8,
        FfiTypeKind.SInt16 when t.Enum == null => ArgConv.I16,
        FfiTypeKind.UInt16 when t.Enum == null => ArgConv.U16,
        FfiTypeKind.SInt32 when t.Enum == null => ArgConv.I32,
        FfiTypeKind.UInt32 when t.Enum == null => ArgConv.U32,
        FfiTypeKind.SInt64 when t.Enum == null => ArgConv.I64,
        FfiTypeKind.UInt64 when t.Enum == null => ArgConv.U64,
        FfiTypeKind.Float => ArgConv.F32,
        FfiTypeKind.Double => ArgConv.F64,
        FfiTypeKind.Pointer when t.IsVoidPointer => ArgConv.VoidPtr,
        FfiTypeKind.Pointer when t.IsCharPointer => ArgConv.Text,
        FfiTypeKind.Pointer when (pc != null && CTypes.FunctionPointee(pc) != null) || t.PointeeSignature != null => ArgConv.FuncPtr,
        FfiTypeKind.Pointer => ArgConv.TypedPtr,
        _ => ArgConv.Slow,
    };

    private static RetConv PlanReturn(FfiType t) => t.Kind switch
    {
        FfiTypeKind.Void => RetConv.Void,
        FfiTypeKind.Bool => RetConv.Bool,
        FfiTypeKind.SInt8 => RetConv.I8,
        FfiTypeKind.UInt8 => RetConv.U8,
        FfiTypeKind.SInt16 => RetConv.I16,
        FfiTypeKind.UInt16 => RetConv.U16,
        FfiTypeKind.SInt32 => RetConv.I32,
        FfiTypeKind.UInt32 => RetConv.U32,
        FfiTypeKind.SInt64 => RetConv.I64,
        FfiTypeKind.UInt64 => RetConv.U64,
        FfiTypeKind.Float => RetConv.F32,
        FfiTypeKind.Double => RetConv.F64,
        FfiTypeKind.Pointer => RetConv.Pointer,
        _ => RetConv.Slow,
    };

    /// <summary>A small int (not a big one), bool included, by exact type (no class-hierarchy walk).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool SmallInt(PyObject v, out long x)
    {
        // `v.GetType() == typeof(T)` written out each time: the compiler folds that exact shape into one method-table
        // compare; through a `Type` local it called Object.GetType (MethodTable.get_WritableData), 6% of an add3 call.
        if (v.GetType() == typeof(PyInt) || v.GetType() == typeof(PyBool))
        {
            PyInt n = Unsafe.As<PyInt>(v);
            x = n.V;
            return n.BigV == null;
        }
        x = 0;
        return false;
    }

    private sealed class CallbackMemo
    {
        public CallbackMemo(PyObject fn, nint entry) { Fn = fn; Entry = entry; }
        public readonly PyObject Fn;
        public readonly nint Entry;
    }

    /// <summary>The last str/bytes passed to a const char pointer and its C copy (<see cref="TextArguments"/>).</summary>
    private sealed class TextMemo
    {
        public TextMemo(PyObject text, nint copy) { Text = text; Copy = copy; }
        public readonly PyObject Text;
        public readonly nint Copy;
    }

    private static bool PointsToConst(FfiType p, CType? pc) =>
        pc?.Unqualified is PointerType pt ? CTypes.IsConst(pt.Target) : p.Name.StartsWith("const ", StringComparison.Ordinal);

    /// <summary>A str (any char/void pointer) or bytes (const char pointer) as a C string that stays valid as long
    /// as the object lives; 0 when it takes the general path.</summary>
    private nint TextArg(int i, PyObject v, bool isBytes)
    {
        if (!_constText[i]) return isBytes ? 0 : TextArguments.Fresh(v);
        if (_memo[i] is TextMemo tm && ReferenceEquals(tm.Text, v)) return tm.Copy;
        nint p = TextArguments.Shared(v);
        if (p != 0) _memo[i] = new TextMemo(v, p);
        return p;
    }

    private sealed class PointeeMemo
    {
        public PointeeMemo(CType type, bool array, nint offset) { Type = type; Array = array; Offset = offset; }
        public readonly CType Type;
        public readonly bool Array;
        public readonly nint Offset;
    }

    /// <summary>Converts every argument by the plan and calls; false (nothing called) when a value needs the general
    /// conversion (which also produces the error messages).</summary>
    [SkipLocalsInit]
    private unsafe bool TryFastCall(ThreadState? ts, ReadOnlySpan<PyObject> args, out PyObject? result)
    {
        result = null;
        int n = args.Length;
        // constant sizes: part of the frame, no probing loop per call
        ulong* slots = stackalloc ulong[MaxFastArgs];
        void** av = stackalloc void*[MaxFastArgs];
        for (int i = 0; i < n; i++)
        {
            PyObject v = args[i];
            ulong* slot = slots + i;
            av[i] = slot;
            long x;
            switch (_conv[i])
            {
                case ArgConv.I32:
                    if (!SmallInt(v, out x) || x < int.MinValue || x > int.MaxValue) return false;
                    *slot = (ulong)x;
                    break;
                case ArgConv.U32:
                    if (!SmallInt(v, out x) || (ulong)x > uint.MaxValue) return false;
                    *slot = (ulong)x;
                    break;
                case ArgConv.I64:
                    if (!SmallInt(v, out x)) return false;
                    *slot = (ulong)x;
                    break;
                case ArgConv.U64:
                    if (!SmallInt(v, out x) || x < 0) return false;
                    *slot = (ulong)x;
                    break;
                case ArgConv.I8:
                    if (!SmallInt(v, out x) || x < sbyte.MinValue || x > sbyte.MaxValue) return false;
                    *slot = (ulong)x;
                    break;
                case ArgConv.U8:
                    if (!SmallInt(v, out x) || (ulong)x > byte.MaxValue) return false;
                    *slot = (ulong)x;
                    break;
                case ArgConv.I16:
                    if (!SmallInt(v, out x) || x < short.MinValue || x > short.MaxValue) return false;
                    *slot = (ulong)x;
                    break;
                case ArgConv.U16:
                    if (!SmallInt(v, out x) || (ulong)x > ushort.MaxValue) return false;
                    *slot = (ulong)x;
                    break;
                case ArgConv.F64:
                    if (v.GetType() == typeof(PyFloat)) *(double*)slot = Unsafe.As<PyFloat>(v).V;
                    else if (SmallInt(v, out x)) *(double*)slot = x;
                    else return false;
                    break;
                case ArgConv.F32:
                {
                    double d;
                    if (v.GetType() == typeof(PyFloat)) d = Unsafe.As<PyFloat>(v).V;
                    else if (SmallInt(v, out x)) d = x;
                    else return false;
                    if (double.IsFinite(d) && Math.Abs(d) > float.MaxValue) return false;
                    *slot = 0;
                    *(float*)slot = (float)d;
                    break;
                }
                case ArgConv.Text:
                case ArgConv.VoidPtr:
                    if (v.GetType() == typeof(PyStr) || v.GetType() == typeof(PyBytes))
                    {
                        nint copy = TextArg(i, v, v.GetType() == typeof(PyBytes));
                        if (copy == 0) return false; // an embedded NUL (the general path words the error), bytes C may write
                        *(nint*)slot = copy;
                    }
                    else if (v == PyNone.Instance) *slot = 0;
                    else if (_conv[i] == ArgConv.VoidPtr && v is NativePointer vp) *slot = (ulong)vp.Value;
                    else if (_conv[i] == ArgConv.VoidPtr && v is NativeObject vo && !vo.IsStruct) *slot = (ulong)vo.Address;
                    else if (!PointerArg(i, v, slot)) return false;
                    break;
                case ArgConv.TypedPtr:
                    if (v == PyNone.Instance) *slot = 0;
                    else if (!PointerArg(i, v, slot)) return false;
                    break;
                case ArgConv.FuncPtr:
                    if (v == PyNone.Instance) *slot = 0;
                    else if (v is NativeFunction nf) *slot = (ulong)nf.Address;
                    else if (_memo[i] is CallbackMemo cm && ReferenceEquals(cm.Fn, v)) *slot = (ulong)cm.Entry;
                    else if (v.IsCallable && v is not NativePointer && v is not NativeObject)
                    {
                        FfiValue fv = ToFfi(v, Signature!.Parameters[i], _paramTypes[i], Signature, i); // makes the closure + entry
                        _memo[i] = new CallbackMemo(v, fv.Address);
                        *slot = (ulong)fv.Address;
                    }
                    else if (!PointerArg(i, v, slot)) return false;
                    break;
                default:
                    return false;
            }
        }
        if (_flushFirst && ts != null) Bridge.PrepareForExit(ts.Interp);
        result = CallConverted(ts, av);
        return true;
    }

    /// <summary>The call of converted arguments (<paramref name="av"/>: one pointer per parameter) and its result as a
    /// Python value. Kept out of <see cref="TryFastCall"/> so that the conversions run in a method with no exception
    /// handler: with this try/finally in it, the JIT kept the argument span in memory and read its two 8-byte halves
    /// back as one 16-byte load (a store-forwarding stall on every call: a third of TryFastCall's samples).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    [SkipLocalsInit]
    private unsafe PyObject CallConverted(ThreadState? ts, void** av)
    {
        ulong* rbuf = stackalloc ulong[2];
        rbuf[0] = 0;
        EnterNative(ts);
        try { FfiCall.CallPrepared(Address, Signature!, rbuf, av); }
        catch (FfiException e) { throw Map(e); }
        finally { LeaveNative(ts); }
        return _ret switch
        {
            RetConv.Void => PyNone.Instance,
            RetConv.I32 => PyInt.Get(*(int*)rbuf),
            RetConv.I64 => PyInt.Get(*(long*)rbuf),
            RetConv.U64 => NativeValues.Unsigned(*rbuf),
            RetConv.U32 => PyInt.Get((long)*(uint*)rbuf),
            RetConv.I8 => PyInt.Get(*(sbyte*)rbuf),
            RetConv.U8 => PyInt.Get(*(byte*)rbuf),
            RetConv.I16 => PyInt.Get(*(short*)rbuf),
            RetConv.U16 => PyInt.Get(*(ushort*)rbuf),
            RetConv.Bool => PyBool.Of(*(byte*)rbuf != 0),
            RetConv.F64 => new PyFloat(*(double*)rbuf),
            RetConv.F32 => new PyFloat(*(float*)rbuf),
            _ => FromFfi(FfiValue.FromPointer(*(nint*)rbuf), Signature!.ReturnType, _returnType, false),
        };
    }

    /// <summary>A native object or pointer for a pointer parameter: the general type check once per pointee type
    /// (remembered per parameter), then only the address.</summary>
    private unsafe bool PointerArg(int i, PyObject v, ulong* slot)
    {
        CType have;
        bool array;
        nint address;
        if (v is NativeObject o)
        {
            if (o.IsStruct && Signature!.Parameters[i].Kind != FfiTypeKind.Pointer) return false;
            have = o.CType; array = o.IsArray; address = o.Address;
        }
        else if (v is NativePointer p) { have = p.Target; array = false; address = p.Value; }
        else return false;
        if (_memo[i] is PointeeMemo pm && ReferenceEquals(pm.Type, have) && pm.Array == array)
        {
            *slot = address == 0 ? 0 : (ulong)(address + pm.Offset);
            return true;
        }
        FfiValue fv = ToFfi(v, Signature!.Parameters[i], _paramTypes[i], Signature, i); // throws the TypeError if incompatible
        if (fv.Kind != FfiValueKind.Pointer) return false;
        _memo[i] = new PointeeMemo(have, array, address == 0 ? 0 : fv.Address - address); // C++ derived → base: the base's offset
        *slot = (ulong)fv.Address;
        return true;
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

    private static string PointerSpelling(FfiType p, CType? pc) => pc != null ? pc.ToCString() : p.Name;

    internal static string Label(FfiSignature s, int i)
    {
        string? n = s.ParameterName(i);
        return "argument " + (i + 1) + (n != null ? " (" + n + ")" : "");
    }

    internal static PyException Map(FfiException e) => e.Kind switch
    {
        FfiErrorKind.Range => Ops.OverflowError(e.Message),
        FfiErrorKind.Value => Ops.ValueError(e.Message),
        FfiErrorKind.Fault => Ops.Exc(Mem.FaultErrorType, e.Message),
        _ => Ops.TypeError(e.Message),
    };

    /// <summary>Python value → argument of a fixed parameter.</summary>
    internal static unsafe FfiValue ToFfi(PyObject v, FfiType p, CType? pc, FfiSignature sig, int i)
    {
        if (p.Kind == FfiTypeKind.Struct && p.CType?.Unqualified is BaseType wide)
        {
            // _Complex and __int128 by value: the scalar's bytes in a block libffi passes as its two eightbytes
            var bytes = new byte[p.Size];
            fixed (byte* bp = bytes) NativeValues.Write((nint)bp, wide, v, PyNone.Instance, Label(sig, i));
            return FfiValue.NewStruct(p, bytes);
        }
        switch (v)
        {
            case PyInt when p.Kind == FfiTypeKind.Pointer:
                // An int is not an address: passing one where C reads through a pointer is how ctypes users crash
                // their process. Wrapping it says it is meant.
                throw Ops.TypeError(Label(sig, i) + ": expected " + p.Name + ", got " + v.Type.Name +
                    " (to pass an address, wrap it: process.pointer(addr, \"" + PointerSpelling(p, pc) + "\"))");
            case PyBool b: return FfiValue.FromInt64(b.V);
            case PyInt n:
                if (!n.IsBig) return FfiValue.FromInt64(n.V);
                if (n.Big.Sign > 0 && n.Big <= ulong.MaxValue) return FfiValue.FromUInt64((ulong)n.Big);
                throw Ops.OverflowError(Label(sig, i) + ": " + n.Repr() + " out of range for " + p.Name);
            case PyFloat f: return FfiValue.FromDouble(f.V);
            case PyStr s:
                if (p.Kind == FfiTypeKind.Pointer && (p.IsCharPointer || p.IsVoidPointer) && !s.Value.Contains('\0'))
                    return FfiValue.FromPointer(PointsToConst(p, pc) ? TextArguments.Shared(s) : TextArguments.Fresh(s));
                return FfiValue.FromString(s.Value);
            case PyBytes by:
                if (p.Kind == FfiTypeKind.Pointer && (p.IsCharPointer || p.IsVoidPointer) && by.GetType() == typeof(PyBytes) && PointsToConst(p, pc))
                    return FfiValue.FromPointer(TextArguments.Shared(by));
                return FfiValue.FromBytes(by.V);
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
                    if (target != null && o.IsStruct && !CTypes.PointeeCompatible(target, o.CType) && CxxSupport.TryUpcast(o.Address, o.CType, target, out nint based))
                        return FfiValue.FromPointer(based); // C++: derived → base
                    if (target != null && !(o.IsArray ? CTypes.PointeeCompatible(target, o.ElementType) || CTypes.PointeeCompatible(target, o.CType)
                                                      : CTypes.PointeeCompatible(target, o.CType)))
                        throw Ops.TypeError(Label(sig, i) + ": expected " + p.Name + ", got " + o.TypeText);
                    return FfiValue.FromPointer(o.Address);
                }
                if (!o.IsArray && !o.IsStruct) return ToFfi(NativeValues.Read(o.Address, o.CType, o.Owner, false), p, pc, sig, i);
                break;
            case NativePointer np:
                if (p.Kind != FfiTypeKind.Pointer) break;
                if (pc?.Unqualified is PointerType upt && !CTypes.PointeeCompatible(upt.Target, np.Target) && CxxSupport.TryUpcast(np.Value, np.Target, upt.Target, out nint npBased))
                    return FfiValue.FromPointer(npBased); // C++: derived → base
                if (pc?.Unqualified is PointerType ppt && !CTypes.PointeeCompatible(ppt.Target, np.Target))
                    throw Ops.TypeError(Label(sig, i) + ": expected " + p.Name + ", got " + CTypes.PointerTo(np.Target));
                return FfiValue.FromPointer(np.Value);
            default:
                if (v.IsCallable && p.Kind == FfiTypeKind.Pointer)
                {
                    FunctionType? ft = pc != null ? CTypes.FunctionPointee(pc) : null;
                    if (ft == null && p.PointeeSignature is FfiSignature proto)
                        return FfiValue.FromPointer(NativeEntry.FfiEntry.EntryFor(v, NativeCallback.For(v, proto)));
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
            case FfiTypeKind.Struct when t.CType?.Unqualified is BaseType wide:
                return NativeValues.Read(r.Address, wide, PyNone.Instance, false); // _Complex, __int128: a value
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
        FfiClosure? c;
        lock (Cache)
        {
            if (Cache.TryGetValue(key, out c)) return c;
            FfiSignature sig;
            try { sig = FfiSignature.For(ft); }
            catch (FfiException e) { throw NativeFunction.Map(e); }
            c = FfiClosure.CreatePermanent(sig, new PyCallbackTarget(fn, ft, sig, ThreadState.Current.Interp));
            Cache[key] = c;
            ByPointer[c.Pointer] = fn;
        }
        Arm(); // C may now call Python on any thread
        return c;
    }

    private static void Arm()
    {
        ThreadState ts = ThreadState.Current;
        ts.Lock.Arm(ts);
    }

    /// <summary>A closure for an explicit signature string (no DWARF type at hand).</summary>
    public static FfiClosure For(PyObject fn, FfiSignature sig)
    {
        FfiClosure c = FfiClosure.CreatePermanent(sig, new PyCallbackTarget(fn, null, sig, ThreadState.Current.Interp));
        lock (Cache) ByPointer[c.Pointer] = fn;
        Arm();
        return c;
    }
}

/// <summary>
/// The Python side of a libffi closure: libffi's raw arguments → Python values by a per-parameter plan (no
/// <see cref="FfiValue"/> step for scalars), the call, the result → libffi's return slot. Runs in the interpreter that
/// made the closure, under its lock (<see cref="InterpreterLock.EnterCallback"/>): nested on the interpreter's own
/// thread, with a fresh thread state of its own on any other. A Python exception is printed as CPython prints an
/// exception in a ctypes callback ("Exception ignored on calling native callback ...") and the call returns zero.
/// </summary>
internal sealed unsafe class PyCallbackTarget : FfiClosureTarget
{
    private readonly PyObject _fn;
    private readonly FunctionType? _ft;
    private readonly FfiSignature _sig;
    private readonly FfiTypeKind[] _kinds;
    private readonly CType?[] _ctypes;
    private readonly FfiTypeKind _rkind;
    private readonly InterpreterState _interp;
    /// <summary>The callable when it is a plain Python function: called straight through the interpreter (no
    /// <see cref="Ops.Call"/> dispatch, no second thread-state lookup).</summary>
    private readonly PyFunction? _function;

    private const int InlineArgs = 8;

    /// <summary>The arguments of one call, on the stack (calls nest and run on any thread: nothing shared).</summary>
    [InlineArray(InlineArgs)]
    private struct ArgBuffer
    {
        private PyObject _element0;
    }

    public PyCallbackTarget(PyObject fn, FunctionType? ft, FfiSignature sig, InterpreterState interp)
    {
        _fn = fn; _ft = ft; _sig = sig; _interp = interp;
        _function = fn as PyFunction;
        int n = sig.FixedCount;
        _kinds = new FfiTypeKind[n];
        _ctypes = new CType?[n];
        for (int i = 0; i < n; i++)
        {
            FfiType p = sig.Parameters[i];
            _kinds[i] = p.Kind;
            _ctypes[i] = ft != null && i < ft.Parameters.Count ? ft.Parameters[i] : null;
        }
        _rkind = sig.ReturnType.Kind;
    }

    public override void Invoke(FfiClosure closure, void* ret, void** args)
    {
        using ThreadEntry te = _interp.Enter();
        InterpreterLock.Entry entry = _interp.Lock.EnterCallback(te.State);
        try { Run(te.State, closure, ret, args); }
        finally
        {
            if (Bridge.Exiting) Bridge.FlushOutput(_interp);
            _interp.Lock.ExitCallback(te.State, entry);
        }
    }

    private PyObject Arg(int i, void* p) => _kinds[i] switch
    {
        FfiTypeKind.SInt32 => PyInt.Get(*(int*)p),
        FfiTypeKind.UInt32 => PyInt.Get((long)*(uint*)p),
        FfiTypeKind.SInt64 => PyInt.Get(*(long*)p),
        FfiTypeKind.UInt64 => NativeValues.Unsigned(*(ulong*)p),
        FfiTypeKind.SInt8 => PyInt.Get(*(sbyte*)p),
        FfiTypeKind.UInt8 => PyInt.Get(*(byte*)p),
        FfiTypeKind.SInt16 => PyInt.Get(*(short*)p),
        FfiTypeKind.UInt16 => PyInt.Get(*(ushort*)p),
        FfiTypeKind.Bool => PyBool.Of(*(byte*)p != 0),
        FfiTypeKind.Double => new PyFloat(*(double*)p),
        FfiTypeKind.Float => new PyFloat(*(float*)p),
        _ => NativeFunction.FromFfi(FfiCall.Decode(_sig.Parameters[i], p), _sig.Parameters[i], _ctypes[i], true),
    };

    private void Run(ThreadState ts, FfiClosure closure, void* ret, void** args)
    {
        int n = _kinds.Length;
        ArgBuffer inline = default;
        Span<PyObject> a = n <= InlineArgs ? ((Span<PyObject>)inline).Slice(0, n) : new PyObject[n];
        try
        {
            for (int i = 0; i < n; i++) a[i] = Arg(i, args[i]);
            PyObject r = _function != null ? Interpreter.CallFunction(ts, _function, a, null) : Ops.Call(_fn, a);
            WriteResult(closure, r, ret);
        }
        catch (PyException e)
        {
            string text;
            try { text = e.Value.FormatTraceback(_interp.SourceLine); }
            catch (PyException) { text = e.Value.Type.Name + "\n"; }
            try { _interp.Sys.WriteStderr("Exception ignored on calling native callback " + Ops.Repr(_fn) + ":\n" + text); }
            catch (PyException) { }
            new Span<byte>(ret, Math.Max(16, _sig.ReturnType.Size)).Clear();
        }
    }

    private void WriteResult(FfiClosure closure, PyObject r, void* ret)
    {
        long x;
        switch (_rkind)
        {
            case FfiTypeKind.Void:
                return;
            case FfiTypeKind.SInt32:
                if (NativeFunction.SmallInt(r, out x) && x >= int.MinValue && x <= int.MaxValue) { *(long*)ret = x; return; }
                break;
            case FfiTypeKind.SInt64:
                if (NativeFunction.SmallInt(r, out x)) { *(long*)ret = x; return; }
                break;
            case FfiTypeKind.UInt32:
                if (NativeFunction.SmallInt(r, out x) && (ulong)x <= uint.MaxValue) { *(long*)ret = x; return; }
                break;
            case FfiTypeKind.Double:
                if (r.GetType() == typeof(PyFloat)) { *(double*)ret = Unsafe.As<PyFloat>(r).V; return; }
                break;
        }
        FfiType rt = _sig.ReturnType;
        bool fits = rt.IsInteger ? r is PyInt || (rt.Enum != null && r is PyStr) || (r is NativeObject no && !no.IsArray && !no.IsStruct)
            : rt.IsFloatingPoint ? r is PyFloat || r is PyInt
            : true;
        if (!fits)
        {
            // ctypes writes whatever the conversion gives (0 for a str) and says nothing; C then acts on a value
            // nobody returned. The error is reported here and raised again where Python called into C.
            var e = new PyException(PyBaseException.Create(PyBaseException.TypeErrorType,
                "callback " + Ops.Repr(_fn) + " returned " + r.Type.Name + ", but C wants " + rt.Name));
            PendingResultError = e;
            Volatile.Write(ref s_pending, 1);
            throw e;
        }
        closure.WriteResult(NativeFunction.ToFfi(r, rt, _ft?.ReturnType, _sig, 0), ret);
    }

    // A callback's wrong return value, kept for the native call that (on this thread) led to the callback.
    [ThreadStatic] private static PyException? PendingResultError;
    private static int s_pending; // nonzero once any callback ever returned a wrong value: the hot path reads only this

    /// <summary>The error of a callback that returned a value C cannot take, made on this thread since the last
    /// call; raised by <see cref="NativeFunction"/> when the native call returns.</summary>
    internal static PyException? TakeResultError()
    {
        if (Volatile.Read(ref s_pending) == 0) return null;
        PyException? e = PendingResultError;
        PendingResultError = null;
        return e;
    }
}
