using Invisible.Abi.Ffi;
using Invisible.Python.Runtime;

namespace Invisible.DwarfPython.NativeEntry;

/// <summary>The native bridge's side of <see cref="NativeEntryPoints.EntryFor(PyFunction, nint, int, string?)"/>:
/// the C-callable pointer to give C for a Python callable converted to a libffi closure.</summary>
public static class FfiEntry
{
    /// <summary>
    /// What C should get for <paramref name="callable"/> implemented by <paramref name="closure"/>: for a Python function
    /// (or a bound method of one) its named C entry point "name$c$N" forwarding to the closure, otherwise (builtins,
    /// callable objects, no loader extension) the closure's own pointer. Call this wherever a Python callable becomes a C
    /// function pointer (Native/: NativeFunction argument conversion, NativeValues stores, NativeModule casts).
    /// </summary>
    public static nint EntryFor(PyObject callable, FfiClosure closure)
    {
        nint code = closure.Pointer;
        PyFunction? f = callable as PyFunction ?? (callable as PyBoundMethod)?.Func as PyFunction;
        return f == null ? code : NativeEntryPoints.EntryFor(f, code, StackArgBytes(closure.Signature));
    }

    /// <summary>
    /// Bytes of stack arguments of a (non-variadic) SysV x86-64 call with this signature, or -1 when that depends on
    /// aggregate classification (struct/union or long double parameters): the entry is then a frameless tail jump,
    /// correct for any layout. Integers and pointers take rdi..r9, float/double xmm0..7, each further one 8 bytes of
    /// stack; a struct returned in memory takes rdi for its hidden pointer.
    /// </summary>
    public static int StackArgBytes(FfiSignature sig)
    {
        if (sig.IsVariadic) return -1;
        int gpr = sig.ReturnType.IsStruct && sig.ReturnType.Size > 16 ? 1 : 0, sse = 0, stack = 0;
        var ps = sig.Parameters;
        for (int i = 0; i < ps.Count; i++)
        {
            FfiType p = ps[i];
            if (p.IsInteger || p.Kind == FfiTypeKind.Pointer) { if (gpr < 6) gpr++; else stack += 8; }
            else if (p.Kind == FfiTypeKind.Float || p.Kind == FfiTypeKind.Double) { if (sse < 8) sse++; else stack += 8; }
            else return -1;
        }
        return stack;
    }
}
