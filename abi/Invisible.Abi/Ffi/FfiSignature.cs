using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Invisible.Abi.Dwarf;
using NMem = System.Runtime.InteropServices.NativeMemory;

namespace Invisible.Abi.Ffi;

/// <summary>
/// A prepared call signature: return and parameter <see cref="FfiType"/>s, parameter names for messages, and the
/// libffi <c>ffi_cif</c> (prepared once, reused by every call and by closures). Variadic signatures keep one cif
/// per distinct list of variadic argument kinds (int64 / uint64 / double / pointer), prepared on first use with
/// <c>ffi_prep_cif_var</c>.
/// Obtain one with <see cref="For(Function)"/> / <see cref="For(FunctionType)"/> (cached per DWARF entity),
/// <see cref="Parse"/> (signature strings, see there) or <see cref="Create"/>.
/// </summary>
public sealed unsafe class FfiSignature
{
    /// <summary>Most variadic arguments one call may pass.</summary>
    public const int MaxVariadicArguments = 32;
    /// <summary>Most arguments in all.</summary>
    public const int MaxArguments = 128;

    private readonly FfiType[] _params;
    private readonly string?[] _names;
    private readonly FfiCif* _cif;               // fixed-argument cif (for variadic: only used by nothing; see VariadicCif)
    private readonly Dictionary<VarKey, nint>? _varCifs;
    private VarEntry? _lastVar;                  // one-entry cache for the hot variadic path

    private FfiSignature(FfiType ret, FfiType[] parameters, string?[] names, bool variadic, string? name, FunctionType? source)
    {
        ReturnType = ret; _params = parameters; _names = names; IsVariadic = variadic; Name = name; Source = source;
        if (parameters.Length > MaxArguments) throw new FfiException(FfiErrorKind.Unsupported, "too many parameters");
        HasStructParameter = false;
        for (int i = 0; i < parameters.Length; i++)
        {
            FfiType p = parameters[i];
            if (p.IsOpaque) throw new FfiException(FfiErrorKind.Unsupported, ArgLabel(i, names.Length > i ? names[i] : null) + ": incomplete type " + p.Name + " cannot be passed by value", i);
            if (p.Kind == FfiTypeKind.Void) throw new FfiException(FfiErrorKind.Signature, "parameter " + (i + 1).ToString(CultureInfo.InvariantCulture) + " has type void");
            if (p.Kind == FfiTypeKind.Struct) HasStructParameter = true;
        }
        if (ret.IsOpaque) throw new FfiException(FfiErrorKind.Unsupported, "return type: incomplete type " + ret.Name + " cannot be returned by value");
        if (variadic) _varCifs = new Dictionary<VarKey, nint>();
        _cif = Prepare(parameters.Length, parameters.Length, variadic, ReadOnlySpan<byte>.Empty);
    }

    ~FfiSignature()
    {
        if (_cif != null) NMem.Free(_cif);
        if (_varCifs != null) foreach (nint p in _varCifs.Values) NMem.Free((void*)p);
    }

    public FfiType ReturnType { get; }
    public IReadOnlyList<FfiType> Parameters => _params;
    /// <summary>Number of fixed (named) parameters.</summary>
    public int FixedCount => _params.Length;
    public bool IsVariadic { get; }
    /// <summary>Function name when known (used in arity messages).</summary>
    public string? Name { get; }
    /// <summary>The DWARF function type it was built from, if any.</summary>
    public FunctionType? Source { get; }
    public bool HasStructParameter { get; }
    /// <summary>Parameter name (DWARF or signature string), or null.</summary>
    public string? ParameterName(int index) => (uint)index < (uint)_names.Length ? _names[index] : null;

    internal ReadOnlySpan<FfiType> ParameterSpan => _params;
    internal FfiCif* Cif => _cif;

    /// <summary>C prototype: <c>int printf(const char *format, ...)</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(ReturnType.Name);
        if (!ReturnType.Name.EndsWith('*')) sb.Append(' ');
        sb.Append(Name ?? "").Append('(');
        for (int i = 0; i < _params.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(_params[i].Name);
            if (_names[i] != null)
            {
                if (!_params[i].Name.EndsWith('*')) sb.Append(' ');
                sb.Append(_names[i]);
            }
        }
        if (IsVariadic) sb.Append(_params.Length > 0 ? ", ..." : "...");
        else if (_params.Length == 0) sb.Append("void");
        sb.Append(')');
        return sb.ToString();
    }

    // ------------------------------------------------------------------ construction

    private static readonly ConditionalWeakTable<FunctionType, FfiSignature> ByType = new();
    private static readonly ConditionalWeakTable<Function, FfiSignature> ByFunction = new();

    /// <summary>The signature of a DWARF function type (cached per type; no parameter names).</summary>
    public static FfiSignature For(FunctionType type)
    {
        if (ByType.TryGetValue(type, out FfiSignature? hit)) return hit;
        FfiSignature made = FromFunctionType(type, null, null);
        return ByType.GetValue(type, _ => made);
    }

    /// <summary>The signature of a DWARF function, with its name and parameter names (cached per function).</summary>
    public static FfiSignature For(Function function)
    {
        if (ByFunction.TryGetValue(function, out FfiSignature? hit)) return hit;
        IReadOnlyList<Variable> ps = function.Parameters;
        var names = new string?[function.Type.Parameters.Count];
        for (int i = 0; i < names.Length && i < ps.Count; i++) names[i] = ps[i].Name;
        FfiSignature made = FromFunctionType(function.Type, names, function.Name);
        return ByFunction.GetValue(function, _ => made);
    }

    /// <summary>The signature of a DWARF function type with a function name and parameter names (not cached: the
    /// caller keeps it; DwarfPython's functions typed from the signature table, see <see cref="SignatureTable"/>).</summary>
    public static FfiSignature For(FunctionType type, string?[] names, string? name)
    {
        var n = new string?[type.Parameters.Count];
        for (int i = 0; i < n.Length && i < names.Length; i++) n[i] = names[i];
        return FromFunctionType(type, n, name);
    }

    private static FfiSignature FromFunctionType(FunctionType type, string?[]? names, string? name)
    {
        IReadOnlyList<CType> ps = type.Parameters;
        var ts = new FfiType[ps.Count];
        names ??= new string?[ps.Count];
        for (int i = 0; i < ts.Length; i++)
        {
            try { ts[i] = FfiType.For(ps[i]); }
            catch (FfiException e)
            {
                throw new FfiException(e.Kind, ArgLabel(i, names[i]) + ": " + e.Message, i);
            }
        }
        FfiType ret;
        try { ret = FfiType.For(type.ReturnType); }
        catch (FfiException e) { throw new FfiException(e.Kind, "return type: " + e.Message); }
        // Unprototyped K&R declarations with no parameters are treated as (void).
        return new FfiSignature(ret, ts, names, type.IsVariadic, name, type);
    }

    /// <summary>A signature from descriptors.</summary>
    public static FfiSignature Create(FfiType returnType, ReadOnlySpan<FfiType> parameters, ReadOnlySpan<string?> names = default,
        bool variadic = false, string? name = null)
    {
        var n = new string?[parameters.Length];
        for (int i = 0; i < n.Length && i < names.Length; i++) n[i] = names[i];
        return new FfiSignature(returnType, parameters.ToArray(), n, variadic, name, null);
    }

    private static readonly Dictionary<string, FfiSignature> Parsed = new(StringComparer.Ordinal);

    /// <summary>
    /// A signature from text, for functions that have only an ELF symbol. Two forms:
    /// <list type="bullet">
    /// <item>C declarations: <c>int(const char*, ...)</c>, <c>size_t strlen(const char *s)</c>,
    /// <c>void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))</c>,
    /// <c>struct point(struct point p, double k)</c>. Function and parameter names are optional; qualifiers are
    /// ignored; array parameters decay to pointers; <c>(void)</c> and <c>()</c> mean no parameters. Built-in names:
    /// the C keywords, <c>bool</c>, <c>size_t ssize_t ptrdiff_t intptr_t uintptr_t off_t time_t pid_t uid_t gid_t
    /// mode_t wchar_t int8_t … uint64_t</c>, and <c>FILE</c>/<c>DIR</c> (opaque, behind a pointer). Other names and
    /// every <c>struct</c>/<c>union</c>/<c>enum</c> tag are looked up with <paramref name="resolveType"/> (e.g.
    /// <see cref="ProcessImage.FindType"/>); an unknown tag is an incomplete type (usable behind a pointer only).</item>
    /// <item>Compact codes <c>RET:ARGS</c>, one letter per type: <c>v</c> void, <c>?</c> _Bool, <c>c</c> char,
    /// <c>b</c>/<c>B</c> signed/unsigned char, <c>h</c>/<c>H</c> short, <c>i</c>/<c>I</c> int, <c>l</c>/<c>L</c> long,
    /// <c>q</c>/<c>Q</c> long long, <c>z</c> size_t, <c>Z</c> ssize_t, <c>f</c> float, <c>d</c> double, <c>g</c> long
    /// double, <c>p</c> void *, <c>s</c> const char *, <c>P</c> function pointer, and a trailing <c>...</c> for
    /// variadic: <c>z:s</c> = strlen, <c>i:s...</c> = printf, <c>v:pzzP</c> = qsort, <c>i:iii</c>.</item>
    /// </list>
    /// Signatures parsed without a resolver are cached by text.
    /// </summary>
    public static FfiSignature Parse(string text, Func<string, CType?>? resolveType = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (resolveType is null)
        {
            lock (Parsed) if (Parsed.TryGetValue(text, out FfiSignature? hit)) return hit;
        }
        FfiSignature sig = SignatureParser.Parse(text, resolveType, out FfiType ret, out FfiType[] ps, out string?[] names, out bool variadic, out string? name)
            ? new FfiSignature(ret, ps, names, variadic, name, null)
            : throw new FfiException(FfiErrorKind.Signature, "bad signature");
        if (resolveType is null)
        {
            lock (Parsed) Parsed.TryAdd(text, sig);
        }
        return sig;
    }

    // ------------------------------------------------------------------ cif preparation

    /// <summary>A cif with its argument-type array in one native block that lives as long as this signature.</summary>
    private FfiCif* Prepare(int nfixed, int ntotal, bool variadic, ReadOnlySpan<byte> varKinds)
    {
        var cif = (FfiCif*)NMem.AllocZeroed((nuint)(sizeof(FfiCif) + Math.Max(1, ntotal) * sizeof(nint)));
        var atypes = (FfiTypeNative**)(cif + 1);
        for (int i = 0; i < nfixed; i++) atypes[i] = _params[i].Native;
        for (int i = nfixed; i < ntotal; i++) atypes[i] = VarType(varKinds[i - nfixed]);
        int st = variadic
            ? LibFfi.ffi_prep_cif_var(cif, LibFfi.DefaultAbi, (uint)nfixed, (uint)ntotal, ReturnType.Native, atypes)
            : LibFfi.ffi_prep_cif(cif, LibFfi.DefaultAbi, (uint)ntotal, ReturnType.Native, atypes);
        if (st != LibFfi.StatusOk)
        {
            NMem.Free(cif);
            throw new FfiException(FfiErrorKind.Unsupported, "libffi rejected the signature " + ToString() + " (" + LibFfi.StatusText(st) + ")");
        }
        return cif;
    }

    // Variadic argument kinds after C default promotions.
    internal const byte VarInt64 = 0, VarUInt64 = 1, VarDouble = 2, VarPointer = 3;

    private static FfiTypeNative* VarType(byte k) => k switch
    {
        VarInt64 => FfiType.SInt64.Native,
        VarUInt64 => FfiType.UInt64.Native,
        VarDouble => FfiType.Double.Native,
        _ => FfiType.Pointer.Native,
    };

    private readonly record struct VarKey(int Count, ulong Kinds);

    private sealed class VarEntry
    {
        public VarEntry(VarKey key, FfiCif* cif) { Key = key; Cif = cif; }
        public readonly VarKey Key;
        public readonly FfiCif* Cif;
    }

    /// <summary>The cif for a call with these variadic argument kinds (2 bits each).</summary>
    internal FfiCif* VariadicCif(ReadOnlySpan<byte> kinds)
    {
        ulong packed = 0;
        for (int i = 0; i < kinds.Length; i++) packed |= (ulong)kinds[i] << (2 * i);
        var key = new VarKey(kinds.Length, packed);
        VarEntry? last = _lastVar;
        if (last != null && last.Key == key) return last.Cif;
        lock (_varCifs!)
        {
            if (!_varCifs.TryGetValue(key, out nint c))
            {
                c = (nint)Prepare(_params.Length, _params.Length + kinds.Length, true, kinds);
                _varCifs[key] = c;
            }
            _lastVar = new VarEntry(key, (FfiCif*)c);
            return (FfiCif*)c;
        }
    }

    internal static string ArgLabel(int index, string? name) =>
        name is null
            ? "argument " + (index + 1).ToString(CultureInfo.InvariantCulture)
            : "argument " + (index + 1).ToString(CultureInfo.InvariantCulture) + " (" + name + ")";

    internal string ArgLabel(int index) => ArgLabel(index, ParameterName(index));
}
