using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.Python.Modules;

/// <summary>Registers the builtin standard modules (C# ones and Python-source ones).</summary>
public static class StdModules
{
    public static PyModule FromSource(string name, string src)
    {
        var m = new PyModule(name);
        m.ModDict.SetItem("__builtins__", Interpreter.BuiltinsDict);
        SysModule.Modules.SetItem(PyStr.Of(name), m);
        try { PythonEngine.RunSource(src, "<frozen " + name + ">", false, m.ModDict, null); }
        catch { SysModule.Modules.Remove(PyStr.Of(name)); throw; }
        return m;
    }

    private static void Src(string name, string src) => ModuleRegistry.RegisterBuiltin(name, () => FromSource(name, src));

    public static void RegisterAll()
    {
        ModuleRegistry.RegisterBuiltin("sys", () => SysModule.Module);
        ModuleRegistry.RegisterBuiltin("math", MathModule.Create);
        ModuleRegistry.RegisterBuiltin("time", TimeModule.Create);
        ModuleRegistry.RegisterBuiltin("re", ReModule.Create);
        ModuleRegistry.RegisterBuiltin("json", JsonModule.Create);
        ModuleRegistry.RegisterBuiltin("_random", MersenneTwister.CreateModule);
        ModuleRegistry.RegisterBuiltin("os", () => OsModule.Create(OsModule.CreatePath()));
        ModuleRegistry.RegisterBuiltin("os.path", () => (PyModule)Ops.GetAttr(Importer.ImportName("os", new PyDict(), PyNone.Instance, 0), "path"));
        ModuleRegistry.RegisterBuiltin("posixpath", () => (PyModule)Ops.GetAttr(Importer.ImportName("os", new PyDict(), PyNone.Instance, 0), "path"));
        ModuleRegistry.RegisterBuiltin("_collections", () =>
        {
            var m = new PyModule("_collections");
            m.Add("deque", PyDeque.CreateType());
            return m;
        });
        NativeEntry.NativeEntryModule.Register();
        ModuleRegistry.RegisterBuiltin("builtins", () => (PyModule)SysModule.Modules.GetOrNull(PyStr.Of("builtins"))!);
        ModuleRegistry.RegisterBuiltin("tempfile", () =>
        {
            var m = new PyModule("tempfile");
            m.AddFn("gettempdir", (a, k) => PyStr.Of(System.IO.Path.GetTempPath().TrimEnd('/')));
            m.AddFn("mkdtemp", (a, k) => PyStr.Of(System.IO.Directory.CreateTempSubdirectory("tmp").FullName));
            m.AddFn("mkstemp", (a, k) => { var p = System.IO.Path.GetTempFileName(); return new PyTuple(new PyObject[] { PyInt.Get(3), PyStr.Of(p) }); });
            return m;
        });
        Src("random", PySources.Random);
        Src("bisect", PySources.Bisect);
        Src("heapq", PySources.Heapq);
        Src("string", PySources.String);
        Src("itertools", PySources.Itertools);
        Src("functools", PySources.Functools);
        Src("collections", PySources.Collections);
        Src("operator", PySources.Operator);
        Src("copy", PySources.Copy);
        Src("types", PySources.Types);
        Src("typing", PySources.Typing);
        Src("abc", PySources.Abc);
        Src("contextlib", PySources.Contextlib);
        Src("io", PySources.Io);
        Src("dataclasses", PySources.Dataclasses);
        Src("enum", PySources.Enum);
        Src("textwrap", PySources.Textwrap);
        Src("warnings", PySources.Warnings);
        Src("keyword", PySources.Keyword);
        Src("statistics", PySources.Statistics);
        Src("collections.abc", "from typing import *\nIterable = Iterator = Sequence = Mapping = MutableMapping = Hashable = Sized = Callable = object\n");
    }
}
