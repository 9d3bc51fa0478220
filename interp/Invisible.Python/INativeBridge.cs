using Invisible.Python.Importing;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.Python;

/// <summary>
/// The plug of a native bridge into the VM: DwarfPython (<c>interp/Invisible.DwarfPython</c>) implements it; the
/// language itself needs none and runs the same without one. A host installs a bridge on one interpreter with
/// <see cref="InterpreterState.InstallBridge"/> before that interpreter runs code. Everything else a bridge uses is the
/// interpreter's ordinary public API: Python objects and <see cref="Ops"/>, <see cref="InterpreterLock"/> around native
/// calls (<c>BeforeNative</c>/<c>AfterNative</c>) and C → Python callbacks (<c>EnterCallback</c>/<c>ExitCallback</c>,
/// after <see cref="InterpreterState.Enter"/> for the callback's thread), <see cref="ThreadState.Current"/>.
/// <para>Contract:</para>
/// <list type="number">
/// <item><b>Module finder</b> (<see cref="IModuleFinder.FindModule"/>): consulted last for an import of a name that
/// is not in <c>sys.modules</c>, after the built-in modules and <c>sys.path</c> (through the NativeLibraryFinder at the
/// end of <c>sys.meta_path</c>), so it never shadows a Python module; it must return null for every name it does not
/// provide.</item>
/// <item><b>Native entry points</b> (<see cref="EntryOf"/>): on the first call of each Python function object the VM
/// asks for its native entry point: a nonzero handle, kept in <see cref="PyFunction.NativeEntry"/>, means every call of
/// that function runs through <see cref="CallThroughEntry"/>; -1 means the VM always runs it directly. Never 0.</item>
/// <item><b>Call through the entry</b> (<see cref="CallThroughEntry"/>): runs an activation the VM has prepared: it
/// must call <see cref="Interpreter.Execute(ThreadState, Frame)"/> with exactly that thread state (the calling thread's
/// <see cref="ThreadState.Current"/>) and frame, once, on the calling thread, return its result, and rethrow its
/// exception unchanged after any native frames it put on the stack (a managed exception must not unwind through native
/// code: catch it inside, rethrow outside).</item>
/// </list>
/// All three run with the interpreter lock held by the calling thread.
/// </summary>
public interface INativeBridge : IModuleFinder
{
    /// <summary>The native entry point of <paramref name="function"/> (made on its first call), or -1 for none.</summary>
    nint EntryOf(PyFunction function);

    /// <summary>Run <paramref name="frame"/> (an activation of <paramref name="function"/>) through its native entry
    /// point <paramref name="entry"/> (what <see cref="EntryOf"/> returned).</summary>
    PyObject CallThroughEntry(ThreadState ts, PyFunction function, Frame frame, nint entry);
}
