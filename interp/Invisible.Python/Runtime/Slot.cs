using System.Runtime.CompilerServices;

namespace Invisible.Python.Runtime;

/// <summary>
/// One element of a <c>PyObject[]</c> seen as a struct. Storing a <c>PyFloat</c> into a <c>PyObject[]</c> makes the runtime
/// check array covariance (the array could be a <c>PyStr[]</c>); through <c>Unsafe.As&lt;Slot[]&gt;(array)[i].V = x</c> the
/// store keeps its bounds check and GC write barrier but skips that type check. Only for arrays created as exactly
/// <c>PyObject[]</c>: frame slots, and list storage (<see cref="PyList"/> never keeps a covariant array).
/// </summary>
public struct Slot
{
    public PyObject V;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Slot[] Of(PyObject[] exact) => Unsafe.As<Slot[]>(exact);
}
