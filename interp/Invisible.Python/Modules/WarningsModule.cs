using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>_warnings</c> (Python/_warnings.c), as far as the rest of the interpreter needs it: importlib's
/// bootstrap takes it from the built-in modules and calls <c>_warnings.warn</c>. The warning machinery itself is
/// Lib's <c>warnings</c>: this module has no <c>filters</c>, so <c>warnings</c> takes its pure-Python path (as it does
/// when CPython is built without the C accelerator), and <c>warn</c> hands over to <c>warnings.warn</c>.
/// </summary>
public static class WarningsModule
{
    private static readonly ArgParser WarnArgs = new("warn", "message, category=None, stacklevel=1, source=None");

    public static PyModule Create(InterpreterState interp)
    {
        var m = new PyModule("_warnings");
        m.AddFn("warn", (a, k) =>
        {
            var args = WarnArgs.Parse(a, k);
            var warnings = interp.Imports.ImportModule("warnings");
            var warn = Ops.GetAttr(warnings, "warn");
            // no Python frame is added by this call: the caller's stacklevel means the same frame to Lib's warn
            return Ops.Call(warn, new[] { args[0]!, args[1] ?? PyNone.Instance, args[2] ?? PyInt.Get(1), args[3] ?? PyNone.Instance });
        });
        return m;
    }
}
