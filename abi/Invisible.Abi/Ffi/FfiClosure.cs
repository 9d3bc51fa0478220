using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;
using Invisible.Abi.Dwarf;

namespace Invisible.Abi.Ffi;

/// <summary>A managed implementation of a native function: receives the decoded arguments (struct arguments are
/// borrowed: valid only during the call — use <see cref="FfiValue.CopyStruct"/> to keep one) and returns the result
/// (ignored for void).</summary>
public delegate FfiValue FfiClosureHandler(ReadOnlySpan<FfiValue> args);

/// <summary>
/// A closure implementation that reads the raw libffi arguments itself (a language bridge with a per-parameter
/// conversion plan): no <see cref="FfiValue"/> decoding, no delegate, no per-call allocation by this layer.
/// <see cref="Invoke"/> receives libffi's argument pointers (one per parameter, each to a value of that parameter's
/// type) and must write the result to <c>ret</c> (integers as a full 64-bit <c>ffi_arg</c>; <see cref="FfiClosure.WriteResult"/>
/// does the checked conversion of an <see cref="FfiValue"/>). An exception is recorded like a handler's and the call
/// returns zero.
/// </summary>
public abstract unsafe class FfiClosureTarget
{
    public abstract void Invoke(FfiClosure closure, void* ret, void** args);
}

/// <summary>
/// A real native function pointer (<see cref="Pointer"/>) whose calls arrive at a managed handler: libffi
/// <c>ffi_closure_alloc</c> + <c>ffi_prep_closure_loc</c> with an <c>[UnmanagedCallersOnly]</c> dispatcher.
/// Arguments are decoded per the signature and the handler's result is encoded back (integers as a full
/// <c>ffi_arg</c>). An exception in the handler never unwinds through C: it is caught, recorded
/// (<see cref="LastException"/>, <see cref="ExceptionCount"/>, <see cref="UnhandledException"/>) and the call
/// returns zero.
/// Lifetime is explicit: the closure stays alive (keep-alive registry) until <see cref="Dispose"/>; after that the
/// pointer must not be called. A Dispose during a call in progress frees the code when the last call returns.
/// </summary>
public sealed unsafe class FfiClosure : IDisposable
{
    private static readonly Dictionary<nint, FfiClosure> Live = new();

    private readonly FfiClosureHandler? _handler;
    private readonly FfiClosureTarget? _target;
    /// <summary>Never disposed (<see cref="CreatePermanent"/>): calls skip the in-flight count.</summary>
    private readonly bool _permanent;
    private nint _closure;
    private nint _code;
    private GCHandle _self;
    private int _inFlight;
    private int _disposed;
    private int _exceptions;
    private Exception? _last;

    private FfiClosure(FfiSignature signature, FfiClosureHandler? handler, FfiClosureTarget? target, bool permanent)
    {
        Signature = signature;
        _handler = handler;
        _target = target;
        _permanent = permanent;
    }

    /// <summary>A closure for a prepared signature. Variadic signatures cannot be implemented.</summary>
    public static FfiClosure Create(FfiSignature signature, FfiClosureHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Create(signature, handler, null, false);
    }

    /// <summary>A closure whose calls go straight to <paramref name="target"/> with libffi's raw arguments.</summary>
    public static FfiClosure Create(FfiSignature signature, FfiClosureTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Create(signature, null, target, false);
    }

    /// <summary>
    /// A closure that lives as long as the process (a language bridge's cache of callables handed to C, which may keep
    /// the pointer anywhere: atexit, signal handlers, registries): <see cref="Dispose"/> refuses it, so a call needs no
    /// count of calls in progress (two atomic read-modify-writes per call, ~10% of a C → Python callback here).
    /// </summary>
    public static FfiClosure CreatePermanent(FfiSignature signature, FfiClosureTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Create(signature, null, target, true);
    }

    private static FfiClosure Create(FfiSignature signature, FfiClosureHandler? handler, FfiClosureTarget? target, bool permanent)
    {
        ArgumentNullException.ThrowIfNull(signature);
        if (signature.IsVariadic)
            throw new FfiException(FfiErrorKind.Unsupported, "a closure cannot implement a variadic function (" + signature + ")");
        var c = new FfiClosure(signature, handler, target, permanent);
        nint code;
        void* mem = LibFfi.ffi_closure_alloc(LibFfi.ClosureSize, &code);
        if (mem == null) throw new OutOfMemoryException("ffi_closure_alloc failed");
        c._self = GCHandle.Alloc(c, GCHandleType.Normal);
        int st = LibFfi.ffi_prep_closure_loc(mem, signature.Cif, &Dispatch, (void*)GCHandle.ToIntPtr(c._self), code);
        if (st != LibFfi.StatusOk)
        {
            LibFfi.ffi_closure_free(mem);
            c._self.Free();
            throw new FfiException(FfiErrorKind.Unsupported, "ffi_prep_closure_loc: " + LibFfi.StatusText(st));
        }
        c._closure = (nint)mem;
        c._code = code;
        lock (Live) Live[code] = c;
        return c;
    }

    /// <summary>A closure for a DWARF function type (e.g. the pointee of a callback parameter).</summary>
    public static FfiClosure Create(FunctionType type, FfiClosureHandler handler) => Create(FfiSignature.For(type), handler);

    /// <summary>A closure for a signature string (see <see cref="FfiSignature.Parse"/>).</summary>
    public static FfiClosure Create(string signature, FfiClosureHandler handler) => Create(FfiSignature.Parse(signature), handler);

    /// <summary>The native entry point. Zero after <see cref="Dispose"/>.</summary>
    public nint Pointer => Volatile.Read(ref _disposed) != 0 ? 0 : _code;
    public FfiSignature Signature { get; }
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;
    /// <summary>The last exception a handler threw (the call returned zero).</summary>
    public Exception? LastException => Volatile.Read(ref _last);
    public int ExceptionCount => Volatile.Read(ref _exceptions);

    /// <summary>Called (on the calling thread) for every exception a handler throws, after it was recorded.
    /// Exceptions thrown by this callback are swallowed.</summary>
    public static Action<FfiClosure, Exception>? UnhandledException { get; set; }

    /// <summary>Closures alive (not disposed).</summary>
    public static int LiveCount { get { lock (Live) return Live.Count; } }

    /// <summary>The live closure whose entry point is <paramref name="pointer"/> (maps a C function pointer back to
    /// the managed callable).</summary>
    public static bool TryGet(nint pointer, out FfiClosure? closure)
    {
        lock (Live) return Live.TryGetValue(pointer, out closure);
    }

    /// <summary>An argument carrying this closure's entry point.</summary>
    public FfiValue ToValue() => FfiValue.FromPointer(Pointer);

    /// <summary>True for a closure made by <see cref="CreatePermanent"/> (never disposed).</summary>
    public bool IsPermanent => _permanent;

    public void Dispose()
    {
        if (_permanent) throw new InvalidOperationException("a permanent closure cannot be disposed: C may still hold its pointer");
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        lock (Live) Live.Remove(_code);
        if (Volatile.Read(ref _inFlight) == 0) Free();
    }

    private void Free()
    {
        nint mem = Interlocked.Exchange(ref _closure, 0);
        if (mem == 0) return;
        LibFfi.ffi_closure_free((void*)mem);
        if (_self.IsAllocated) _self.Free();
    }

    [UnmanagedCallersOnly]
    private static void Dispatch(FfiCif* cif, void* ret, void** args, void* userData)
    {
        // Managed code runs now, maybe inside a guarded native call (qsort calling its comparator): the fault guard
        // stands aside, so a fault here reaches the runtime's handler and the guard never unwinds managed frames.
        nint guard = FaultGuard.Suspend();
        FfiClosure? c = null;
        try
        {
            c = GCHandle.FromIntPtr((nint)userData).Target as FfiClosure;
            if (c is null) { Zero(ret, 8); return; }
            if (c._permanent) { c.Run(ret, args); return; } // never freed: nothing to count
            Interlocked.Increment(ref c._inFlight);
            try { c.Run(ret, args); }
            finally
            {
                if (Interlocked.Decrement(ref c._inFlight) == 0 && Volatile.Read(ref c._disposed) != 0) c.Free();
            }
        }
        catch (Exception e)
        {
            // Run already records handler exceptions; this catches failures of the dispatch itself.
            try { Zero(ret, 8); if (c != null) c.Record(e); } catch { }
        }
        finally { FaultGuard.Resume(guard); }
    }

    private void Run(void* ret, void** args)
    {
        FfiSignature sig = Signature;
        FfiType rt = sig.ReturnType;
        if (_target != null)
        {
            try { _target.Invoke(this, ret, args); }
            catch (Exception e)
            {
                Zero(ret, Math.Max(16, rt.Size));
                Record(e);
            }
            return;
        }
        try
        {
            ReadOnlySpan<FfiType> ps = sig.ParameterSpan;
            int n = ps.Length;
            FfiValueBuffer8 inline = default;
            Span<FfiValue> vals = n <= 8 ? ((Span<FfiValue>)inline).Slice(0, n) : new FfiValue[n];
            for (int i = 0; i < n; i++) vals[i] = FfiCall.DecodeResult(ps[i], (byte*)args[i], null);
            FfiValue r = _handler!(vals);
            EncodeReturn(rt, in r, ret);
        }
        catch (Exception e)
        {
            Zero(ret, Math.Max(16, rt.Size));
            Record(e);
        }
    }

    private void Record(Exception e)
    {
        Interlocked.Increment(ref _exceptions);
        Volatile.Write(ref _last, e);
        try { UnhandledException?.Invoke(this, e); } catch { }
    }

    private static void Zero(void* p, int n) => new Span<byte>(p, n).Clear();

    /// <summary>Writes <paramref name="r"/> as this closure's result into libffi's <paramref name="ret"/>, checked and
    /// converted like a handler's result (throws <see cref="FfiException"/> "callback result: ..." when it does not fit).</summary>
    public void WriteResult(in FfiValue r, void* ret) => EncodeReturn(Signature.ReturnType, in r, ret);

    private void EncodeReturn(FfiType t, in FfiValue r, void* ret)
    {
        switch (t.Kind)
        {
            case FfiTypeKind.Void:
                return;
            case FfiTypeKind.Struct:
                if (r.Kind == FfiValueKind.Struct)
                {
                    FfiType st = r.StructType!;
                    if (ReferenceEquals(st, t) || st.Size == t.Size && st.AggregateKey == t.AggregateKey)
                    {
                        Buffer.MemoryCopy((void*)r.Address, ret, t.Size, t.Size);
                        return;
                    }
                }
                throw new FfiException(FfiErrorKind.Type, "callback result: expected " + t.Name + ", got " + r.TypeName);
            case FfiTypeKind.Pointer when r.Kind is FfiValueKind.String or FfiValueKind.Bytes:
                throw new FfiException(FfiErrorKind.Type, "callback result: cannot return " + r.TypeName + " as " + t.Name + " (its memory would not outlive the call)");
        }
        ulong* slot = stackalloc ulong[2];
        var none = default(FfiCall.Temps);
        try { FfiCall.EncodeArgument(t, in r, slot, ref none, ResultSignature, 0); }
        catch (FfiException e) when (e.Message.StartsWith(ResultLabel, StringComparison.Ordinal))
        {
            throw new FfiException(e.Kind, "callback result" + e.Message.Substring(ResultLabel.Length));
        }
        switch (t.Kind)
        {
            // Integers go back as a full ffi_arg (sign- or zero-extended to 64 bits).
            case FfiTypeKind.Bool:
            case FfiTypeKind.UInt8: *(ulong*)ret = *(byte*)slot; return;
            case FfiTypeKind.SInt8: *(long*)ret = *(sbyte*)slot; return;
            case FfiTypeKind.UInt16: *(ulong*)ret = *(ushort*)slot; return;
            case FfiTypeKind.SInt16: *(long*)ret = *(short*)slot; return;
            case FfiTypeKind.UInt32: *(ulong*)ret = *(uint*)slot; return;
            case FfiTypeKind.SInt32: *(long*)ret = *(int*)slot; return;
            case FfiTypeKind.UInt64:
            case FfiTypeKind.SInt64:
            case FfiTypeKind.Pointer: *(ulong*)ret = *slot; return;
            case FfiTypeKind.Float: *(float*)ret = *(float*)slot; return;
            case FfiTypeKind.Double: *(double*)ret = *(double*)slot; return;
            case FfiTypeKind.LongDouble: Buffer.MemoryCopy(slot, ret, 16, 16); return;
        }
    }

    private const string ResultLabel = "argument 1 (result)";

    /// <summary>A one-parameter signature used only to label conversion errors of results.</summary>
    private FfiSignature ResultSignature => _resultSig ??= FfiSignature.Create(FfiType.Void, new[] { Signature.ReturnType }, new string?[] { "result" }, false, "callback");
    private FfiSignature? _resultSig;
}
