using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.Python.Importing;

/// <summary>
/// A source of modules that the import system asks for names it has not imported yet (what CPython's
/// <c>sys.meta_path</c> finders are, reduced to one call). Finders added with <see cref="ImportSystem.AddFinder"/> are
/// consulted in order after the built-in (C-level) modules and <c>sys.path</c>: at the end of the meta path, so they
/// never shadow a Python module.
/// </summary>
public interface IModuleFinder
{
    /// <summary>
    /// The module named <paramref name="fullname"/> (a dotted name, e.g. <c>os.path</c>), made for
    /// <paramref name="interp"/>, or null when this finder does not provide it (the next source is asked). Called on a
    /// thread running <paramref name="interp"/>'s code, holding its lock, only for names not in <c>sys.modules</c>; the
    /// import system stores the result there. A <see cref="PyException"/> propagates to the import statement.
    /// </summary>
    PyModule? FindModule(InterpreterState interp, string fullname);
}
