using System;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>_imp</c> (Python/import.c): what <c>importlib._bootstrap</c> asks the runtime. We have built-in
/// modules (<see cref="BuiltinModules"/>), no frozen modules (our embedded ones are found on <c>sys.path</c>) and no
/// extension modules (C extensions cannot load into a .NET runtime: <c>extension_suffixes()</c> is empty).
/// </summary>
public static class ImpModule
{
    private static readonly ArgParser NameArg = new("is_builtin", "name, /");
    private static readonly ArgParser FrozenArg = new("is_frozen", "name, /");
    private static readonly ArgParser FrozenPkgArg = new("is_frozen_package", "name, /");
    private static readonly ArgParser FindFrozenArg = new("find_frozen", "name, /, *, withdata=False");
    private static readonly ArgParser GetFrozenArg = new("get_frozen_object", "name, data=None, /");
    private static readonly ArgParser SpecArg = new("_imp.create_builtin", "spec, /");
    private static readonly ArgParser ModArg = new("_imp.exec_builtin", "mod, /");
    private static readonly ArgParser FixArg = new("_fix_co_filename", "code, path, /");
    private static readonly ArgParser SourceHashArg = new("source_hash", "key, source");

    public static PyModule Create(InterpreterState interp)
    {
        var m = new PyModule("_imp");
        m.Add("check_hash_based_pycs", PyStr.Of("default"));
        m.Add("_frozen_module_names", PyTuple.Empty);
        m.AddFn("is_builtin", (a, k) =>
        {
            var name = NameArg.Parse(a, k).Str(0);
            // CPython: -1 for sys and builtins (cannot be re-initialised), 1 for the others
            return PyInt.Get(!BuiltinModules.Contains(name) ? 0 : name is "sys" or "builtins" ? -1 : 1);
        });
        m.AddFn("is_frozen", (a, k) => { FrozenArg.Parse(a, k).Str(0); return PyBool.False; });
        m.AddFn("is_frozen_package", (a, k) => { FrozenPkgArg.Parse(a, k).Str(0); return PyBool.False; });
        m.AddFn("find_frozen", (a, k) => { FindFrozenArg.Parse(a, k).Str(0); return PyNone.Instance; });
        m.AddFn("get_frozen_object", (a, k) =>
        {
            var name = GetFrozenArg.Parse(a, k).Str(0);
            throw Ops.ImportError($"No such frozen object named '{name}'");
        });
        m.AddFn("init_frozen", (a, k) => PyNone.Instance);
        m.AddFn("create_builtin", (a, k) =>
        {
            var spec = SpecArg.Parse(a, k)[0]!;
            var name = Ops.Str(Ops.GetAttr(spec, "name"));
            if (interp.Modules.GetOrNull(PyStr.Of(name)) is PyModule existing && BuiltinModules.Contains(name)) return existing;
            var mod = BuiltinModules.Create(interp, name) ?? throw Ops.ImportError($"no built-in module named {name}");
            return mod;
        });
        m.AddFn("exec_builtin", (a, k) => { ModArg.Parse(a, k); return PyInt.Zero; });
        m.AddFn("create_dynamic", (a, k) => throw Ops.ImportError("extension modules cannot be loaded by this interpreter"));
        m.AddFn("exec_dynamic", (a, k) => PyInt.Zero);
        m.AddFn("extension_suffixes", (a, k) => { ArgParser.NoArgs("_imp.extension_suffixes", a, k); return new PyList(); });
        // the import lock: imports run under the interpreter lock, so there is nothing more to hold
        m.AddFn("acquire_lock", (a, k) => { ArgParser.NoArgs("_imp.acquire_lock", a, k); return PyNone.Instance; });
        m.AddFn("release_lock", (a, k) => { ArgParser.NoArgs("_imp.release_lock", a, k); return PyNone.Instance; });
        m.AddFn("lock_held", (a, k) => { ArgParser.NoArgs("_imp.lock_held", a, k); return PyBool.False; });
        m.AddFn("_fix_co_filename", (a, k) => { FixArg.Parse(a, k); return PyNone.Instance; });
        m.AddFn("_override_frozen_modules_for_tests", (a, k) => PyNone.Instance);
        m.AddFn("source_hash", (a, k) => throw Ops.NotImplementedError("_imp.source_hash: hash-based pycs are not used by this interpreter"));
        return m;
    }
}
