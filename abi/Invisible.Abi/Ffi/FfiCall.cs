using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using NMem = System.Runtime.InteropServices.NativeMemory;

namespace Invisible.Abi.Ffi;

/// <summary>
/// Calls a native function through libffi with a prepared <see cref="FfiSignature"/>. Every argument is checked
/// (count, kind, range) and converted before anything reaches C; a refused call throws <see cref="FfiException"/>
/// naming the argument, e.g. <c>argument 2 (nmemb): expected an integer, got str</c>.
/// </summary>
/// <remarks>
/// Hot path: no managed allocation for scalar calls — the cif is the signature's, argument slots and pointers are
/// <c>stackalloc</c>ed, strings are encoded into a 512-byte stack scratch (larger ones into native memory freed
/// after the call). Allocations happen only for struct results (a <see cref="NativeBlock"/>), for the first call
/// of a new variadic argument-kind list (its cif), and for <c>bytes</c> arguments (a pinning handle).
/// </remarks>
public static unsafe class FfiCall
{
    private const int ScratchBytes = 512;

    /// <summary>Calls <paramref name="function"/> with <paramref name="args"/> as the signature says.</summary>
    [SkipLocalsInit]
    public static FfiValue Invoke(nint function, FfiSignature signature, ReadOnlySpan<FfiValue> args)
    {
        if (function == 0) throw new FfiException(FfiErrorKind.Value, (signature.Name ?? "function") + ": call through a NULL function pointer");
        int nfixed = signature.FixedCount;
        int n = args.Length;
        if (n != nfixed && !(signature.IsVariadic && n > nfixed)) throw ArityError(signature, n);
        if (n > FfiSignature.MaxArguments) throw new FfiException(FfiErrorKind.Arity, (signature.Name ?? "function") + "() called with too many arguments");
        if (n - nfixed > FfiSignature.MaxVariadicArguments)
            throw new FfiException(FfiErrorKind.Arity, (signature.Name ?? "function") + "() called with more than " +
                FfiSignature.MaxVariadicArguments.ToString(CultureInfo.InvariantCulture) + " variadic arguments");

        void** avalue = stackalloc void*[n + 1];
        ulong* slots = stackalloc ulong[2 * n + 2];
        byte* scratch = stackalloc byte[ScratchBytes];
        nint* tempList = stackalloc nint[n + 1];
        var temps = new Temps(scratch, ScratchBytes, tempList);
        ulong* rbuf = stackalloc ulong[4];
        void* rvalue = rbuf;
        NativeBlock? block = null;
        FfiType rt = signature.ReturnType;
        try
        {
            ReadOnlySpan<FfiType> ps = signature.ParameterSpan;
            for (int i = 0; i < nfixed; i++)
                avalue[i] = EncodeArgument(ps[i], in args[i], slots + 2 * i, ref temps, signature, i);
            FfiCif* cif;
            if (signature.IsVariadic)
            {
                int nv = n - nfixed;
                byte* kinds = stackalloc byte[nv + 1];
                for (int i = nfixed; i < n; i++)
                    avalue[i] = EncodeVariadic(in args[i], slots + 2 * i, ref temps, signature, i, out kinds[i - nfixed]);
                cif = signature.VariadicCif(new ReadOnlySpan<byte>(kinds, nv));
            }
            else cif = signature.Cif;
            if (rt.Kind == FfiTypeKind.Struct)
            {
                block = NativeBlock.Allocate(rt.Size, rt);
                rvalue = (void*)block.Address;
            }
            FaultGuard.Call(cif, function, rvalue, avalue, signature);
        }
        finally
        {
            if (temps.Count > 0) temps.Release();
        }
        GC.KeepAlive(signature);
        return DecodeResult(rt, (byte*)rvalue, block);
    }

    /// <summary>
    /// The bare libffi call for callers that converted every argument themselves (a language bridge with its own
    /// per-parameter conversion plan): <paramref name="avalue"/> holds one pointer per fixed parameter, each to a
    /// value of exactly that parameter's type; <paramref name="rvalue"/> points at ≥ 16 bytes (integers narrower
    /// than 64 bits come back widened to a full <c>ffi_arg</c>) or at a block of the struct result's size. Unchecked:
    /// nothing here validates the values. Not for variadic signatures. Like <see cref="Invoke"/>, the call runs under
    /// the <see cref="FaultGuard"/>: a fault in the callee throws <see cref="FfiException"/> (kind Fault).
    /// </summary>
    public static void CallPrepared(nint function, FfiSignature signature, void* rvalue, void** avalue)
    {
        if (function == 0) throw new FfiException(FfiErrorKind.Value, (signature.Name ?? "function") + ": call through a NULL function pointer");
        if (signature.IsVariadic) throw new FfiException(FfiErrorKind.Unsupported, "CallPrepared: variadic signature");
        FaultGuard.Call(signature.Cif, function, rvalue, avalue, signature);
        GC.KeepAlive(signature);
    }

    /// <summary>The value of type <paramref name="t"/> stored at <paramref name="p"/> (a result buffer or a closure
    /// argument); a struct refers to the memory at p (borrowed).</summary>
    public static FfiValue Decode(FfiType t, void* p) => DecodeResult(t, (byte*)p, null);

    /// <summary>
    /// NUL-terminated UTF-8 of <paramref name="s"/> written into <paramref name="dest"/> (room for
    /// <paramref name="capacity"/> bytes). Returns the byte length without the NUL, -1 if it does not fit, -2 if
    /// <paramref name="s"/> contains a NUL character. ASCII text (the common case) is narrowed with the vectorized
    /// <see cref="System.Text.Ascii"/> path, with no <see cref="Encoding"/> call.
    /// </summary>
    public static int EncodeCString(ReadOnlySpan<char> s, byte* dest, int capacity)
    {
        if (s.Length < capacity)
        {
            var d = new Span<byte>(dest, s.Length);
            if (Ascii.FromUtf16(s, d, out int written) == System.Buffers.OperationStatus.Done)
            {
                if (d.IndexOf((byte)0) >= 0) return -2;
                dest[written] = 0;
                return written;
            }
        }
        if (s.Contains('\0')) return -2;
        int max = Encoding.UTF8.GetMaxByteCount(s.Length);
        if (max >= capacity && Encoding.UTF8.GetByteCount(s) >= capacity) return -1;
        int len = Encoding.UTF8.GetBytes(s, new Span<byte>(dest, capacity - 1));
        dest[len] = 0;
        return len;
    }

    /// <summary>The error for a wrong number of arguments: <c>strlen() takes 1 argument (2 given)</c>.</summary>
    internal static FfiException ArityError(FfiSignature s, int given)
    {
        int need = s.FixedCount;
        string fn = (s.Name ?? "function") + "()";
        string msg = fn + " takes " + (s.IsVariadic ? "at least " : "") + need.ToString(CultureInfo.InvariantCulture) +
                     (need == 1 ? " argument (" : " arguments (") + given.ToString(CultureInfo.InvariantCulture) + " given)";
        return new FfiException(FfiErrorKind.Arity, msg);
    }

    // ------------------------------------------------------------------ temporaries of one call

    /// <summary>Strings encoded for a call and pinning handles; released after the call.</summary>
    internal ref struct Temps
    {
        private readonly byte* _scratch;
        private readonly int _scratchLen;
        private int _used;
        private readonly nint* _list; // tagged: bit 0 set = GCHandle, else native allocation
        public int Count;
        public readonly bool Enabled;

        public Temps(byte* scratch, int scratchLen, nint* list)
        {
            _scratch = scratch; _scratchLen = scratchLen; _used = 0; _list = list; Count = 0; Enabled = true;
        }

        /// <summary>NUL-terminated UTF-8 copy of <paramref name="s"/>, valid until <see cref="Release"/>.</summary>
        public byte* Utf8(string s)
        {
            if (!Enabled) throw new InvalidOperationException("no temporaries here");
            byte* dest;
            if (_used + s.Length + 1 <= _scratchLen)
            {
                // ASCII fast path (and any text that fits): straight into the stack scratch
                dest = _scratch + _used;
                int len = EncodeCString(s, dest, _scratchLen - _used);
                if (len >= 0)
                {
                    _used += len + 1;
                    return dest;
                }
            }
            int max = Encoding.UTF8.GetMaxByteCount(s.Length) + 1;
            dest = (byte*)NMem.Alloc((nuint)max);
            _list[Count++] = (nint)dest;
            int l = Encoding.UTF8.GetBytes(s.AsSpan(), new Span<byte>(dest, max));
            dest[l] = 0;
            return dest;
        }

        public byte* Pin(byte[] b)
        {
            GCHandle h = GCHandle.Alloc(b, GCHandleType.Pinned);
            _list[Count++] = GCHandle.ToIntPtr(h) | 1;
            return (byte*)h.AddrOfPinnedObject();
        }

        public void Release()
        {
            for (int i = 0; i < Count; i++)
            {
                nint p = _list[i];
                if ((p & 1) != 0) GCHandle.FromIntPtr(p & ~(nint)1).Free();
                else NMem.Free((void*)p);
            }
            Count = 0;
        }
    }

    // ------------------------------------------------------------------ argument encoding

    private static FfiException TypeError(FfiSignature s, int i, string expected, in FfiValue v) =>
        new(FfiErrorKind.Type, s.ArgLabel(i) + ": expected " + expected + ", got " + v.TypeName, i);

    private static FfiException RangeError(FfiSignature s, int i, in FfiValue v, FfiType t) =>
        new(FfiErrorKind.Range, s.ArgLabel(i) + ": " + v.ToString() + " out of range for " + t.Name, i);

    /// <summary>Converts one fixed argument into <paramref name="slot"/> (16 bytes) and returns the pointer libffi
    /// reads it from (the slot, or the struct's own memory).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void* EncodeArgument(FfiType t, in FfiValue v, ulong* slot, ref Temps temps, FfiSignature s, int i)
    {
        switch (t.Kind)
        {
            case FfiTypeKind.SInt32:
                if (v.Kind == FfiValueKind.Int)
                {
                    long x = (long)v.RawBits;
                    if (x < int.MinValue || x > int.MaxValue) throw RangeError(s, i, v, t);
                    *slot = (ulong)x;
                    return slot;
                }
                break;
            case FfiTypeKind.SInt64:
                if (v.Kind == FfiValueKind.Int) { *slot = v.RawBits; return slot; }
                break;
            case FfiTypeKind.UInt64:
                if (v.Kind == FfiValueKind.UInt || v.Kind == FfiValueKind.Int && (long)v.RawBits >= 0) { *slot = v.RawBits; return slot; }
                break;
            case FfiTypeKind.Double:
                if (v.Kind == FfiValueKind.Double) { *slot = v.RawBits; return slot; }
                break;
            case FfiTypeKind.Pointer:
                if (v.Kind == FfiValueKind.Pointer) { *slot = v.RawBits; return slot; }
                if (v.Kind == FfiValueKind.String && (t.IsCharPointer || t.IsVoidPointer))
                {
                    string str = v.AsString()!;
                    if (str.Contains('\0')) throw new FfiException(FfiErrorKind.Value, s.ArgLabel(i) + ": embedded NUL character in str", i);
                    *(byte**)slot = temps.Utf8(str);
                    return slot;
                }
                break;
        }
        return EncodeSlow(t, in v, slot, ref temps, s, i);
    }

    private static void* EncodeSlow(FfiType t, in FfiValue v, ulong* slot, ref Temps temps, FfiSignature s, int i)
    {
        switch (t.Kind)
        {
            case FfiTypeKind.Bool:
            case FfiTypeKind.SInt8:
            case FfiTypeKind.UInt8:
            case FfiTypeKind.SInt16:
            case FfiTypeKind.UInt16:
            case FfiTypeKind.SInt32:
            case FfiTypeKind.UInt32:
            case FfiTypeKind.SInt64:
            case FfiTypeKind.UInt64:
            {
                t.IntegerRange(out long min, out ulong max);
                if (v.Kind == FfiValueKind.Int)
                {
                    long x = (long)v.RawBits;
                    if (t.Kind == FfiTypeKind.Bool) x = x != 0 ? 1 : 0;
                    else if (x < min || x >= 0 && (ulong)x > max) throw RangeError(s, i, v, t);
                    *slot = (ulong)x;
                    return slot;
                }
                if (v.Kind == FfiValueKind.UInt)
                {
                    ulong x = v.RawBits;
                    if (t.Kind == FfiTypeKind.Bool) x = x != 0 ? 1UL : 0UL;
                    else if (x > max) throw RangeError(s, i, v, t);
                    *slot = x;
                    return slot;
                }
                if (v.Kind == FfiValueKind.String && t.Enum != null)
                {
                    string name = v.AsString()!;
                    if (!t.Enum.TryGetValue(name, out long ev))
                        throw new FfiException(FfiErrorKind.Value, s.ArgLabel(i) + ": '" + name + "' is not an enumerator of " + t.Name, i);
                    *slot = (ulong)ev;
                    return slot;
                }
                throw TypeError(s, i, "an integer", v);
            }
            case FfiTypeKind.Float:
            {
                if (!IsNumber(v)) throw TypeError(s, i, "a float", v);
                double d = v.AsDouble();
                if (double.IsFinite(d) && Math.Abs(d) > float.MaxValue) throw RangeError(s, i, v, t);
                *slot = 0;
                *(float*)slot = (float)d;
                return slot;
            }
            case FfiTypeKind.Double:
                if (!IsNumber(v)) throw TypeError(s, i, "a float", v);
                *(double*)slot = v.AsDouble();
                return slot;
            case FfiTypeKind.LongDouble:
                if (!IsNumber(v)) throw TypeError(s, i, "a float", v);
                FfiValue.WriteLongDouble((byte*)slot, v.AsDouble());
                return slot;
            case FfiTypeKind.Pointer:
                switch (v.Kind)
                {
                    case FfiValueKind.None: *slot = 0; return slot;
                    case FfiValueKind.Pointer: *slot = v.RawBits; return slot;
                    case FfiValueKind.Int:
                        if ((long)v.RawBits < 0) throw RangeError(s, i, v, t);
                        *slot = v.RawBits;
                        return slot;
                    case FfiValueKind.UInt: *slot = v.RawBits; return slot;
                    case FfiValueKind.Bytes:
                        if (!temps.Enabled) break;
                        *(byte**)slot = temps.Pin(v.AsBytes()!);
                        return slot;
                    case FfiValueKind.Struct:
                    {
                        FfiType st = v.StructType!;
                        if (t.IsVoidPointer || t.PointeeAggregate != null && t.PointeeAggregate == st.AggregateKey)
                        {
                            *slot = v.RawBits;
                            return slot;
                        }
                        throw TypeError(s, i, t.Name, v);
                    }
                }
                throw TypeError(s, i, t.IsCharPointer || t.IsVoidPointer ? "str or a pointer" : "a pointer", v);
            case FfiTypeKind.Struct:
            {
                if (v.Kind == FfiValueKind.Struct)
                {
                    FfiType st = v.StructType!;
                    if (ReferenceEquals(st, t) || st.Size == t.Size && st.AggregateKey == t.AggregateKey) return (void*)v.RawBits;
                }
                throw TypeError(s, i, t.Name, v);
            }
        }
        throw new FfiException(FfiErrorKind.Unsupported, s.ArgLabel(i) + ": cannot pass " + t.Name, i);
    }

    private static bool IsNumber(in FfiValue v) => v.Kind is FfiValueKind.Double or FfiValueKind.Int or FfiValueKind.UInt;

    /// <summary>A variadic argument, typed from the value after C default promotions: int → int64, unsigned → uint64,
    /// float → double, str/bytes/None/pointer → pointer.</summary>
    private static void* EncodeVariadic(in FfiValue v, ulong* slot, ref Temps temps, FfiSignature s, int i, out byte kind)
    {
        switch (v.Kind)
        {
            case FfiValueKind.Int: kind = FfiSignature.VarInt64; *slot = v.RawBits; return slot;
            case FfiValueKind.UInt: kind = FfiSignature.VarUInt64; *slot = v.RawBits; return slot;
            case FfiValueKind.Double: kind = FfiSignature.VarDouble; *slot = v.RawBits; return slot;
            case FfiValueKind.Pointer: kind = FfiSignature.VarPointer; *slot = v.RawBits; return slot;
            case FfiValueKind.None: kind = FfiSignature.VarPointer; *slot = 0; return slot;
            case FfiValueKind.String:
            {
                string str = v.AsString()!;
                if (str.Contains('\0')) throw new FfiException(FfiErrorKind.Value, s.ArgLabel(i) + ": embedded NUL character in str", i);
                kind = FfiSignature.VarPointer;
                *(byte**)slot = temps.Utf8(str);
                return slot;
            }
            case FfiValueKind.Bytes:
                kind = FfiSignature.VarPointer;
                *(byte**)slot = temps.Pin(v.AsBytes()!);
                return slot;
            default:
                throw new FfiException(FfiErrorKind.Type, s.ArgLabel(i) + ": cannot pass " + v.TypeName + " through '...'", i);
        }
    }

    // ------------------------------------------------------------------ results

    /// <summary>Decodes a value of type <paramref name="t"/> stored at <paramref name="p"/> (a result buffer or a
    /// closure argument). Structs refer to <paramref name="owner"/> when given, else to the memory at p (borrowed).</summary>
    internal static FfiValue DecodeResult(FfiType t, byte* p, NativeBlock? owner)
    {
        switch (t.Kind)
        {
            case FfiTypeKind.Void: return default;
            case FfiTypeKind.Bool: return FfiValue.FromInt64(*p != 0 ? 1 : 0);
            case FfiTypeKind.SInt8: return FfiValue.FromInt64(*(sbyte*)p);
            case FfiTypeKind.UInt8: return FfiValue.FromUInt64(*p);
            case FfiTypeKind.SInt16: return FfiValue.FromInt64(*(short*)p);
            case FfiTypeKind.UInt16: return FfiValue.FromUInt64(*(ushort*)p);
            case FfiTypeKind.SInt32: return FfiValue.FromInt64(*(int*)p);
            case FfiTypeKind.UInt32: return FfiValue.FromUInt64(*(uint*)p);
            case FfiTypeKind.SInt64: return FfiValue.FromInt64(*(long*)p);
            case FfiTypeKind.UInt64: return FfiValue.FromUInt64(*(ulong*)p);
            case FfiTypeKind.Float: return FfiValue.FromDouble(*(float*)p);
            case FfiTypeKind.Double: return FfiValue.FromDouble(*(double*)p);
            case FfiTypeKind.LongDouble: return FfiValue.FromDouble(FfiValue.ReadLongDouble(p));
            case FfiTypeKind.Pointer: return FfiValue.FromPointer(*(nint*)p);
            case FfiTypeKind.Struct: return owner != null ? FfiValue.FromStruct(owner) : FfiValue.FromStruct((nint)p, t);
            default: return default;
        }
    }
}
