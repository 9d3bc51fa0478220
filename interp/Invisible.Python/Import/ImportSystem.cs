using System;
using System.Collections.Generic;
using System.IO;
using Invisible.Python.Modules;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.Python.Importing;

/// <summary>
/// One interpreter's import system (the import statement, <c>__import__</c>, <c>from ... import</c>). A module not in
/// <c>sys.modules</c> comes from the first source that has it, in this order: the built-in (C-level) modules
/// (<see cref="BuiltinModules"/>, top-level names only), then <c>NAME.py</c>, a package <c>NAME/__init__.py</c> or a
/// namespace package on <c>sys.path</c> (or in the parent package's <c>__path__</c>), where the entry
/// <see cref="EmbeddedLib.PathEntry"/> stands for our embedded modules (<see cref="StandIns"/>), and last the finders
/// added with <see cref="AddFinder"/> (a native bridge's <c>import NAME</c>, a host's): they never shadow a Python module.
/// </summary>
public sealed class ImportSystem
{
    private readonly InterpreterState _interp;
    private readonly List<IModuleFinder> _finders = new();

    internal ImportSystem(InterpreterState interp) => _interp = interp;

    private PyDict Modules => _interp.Sys.Modules;

    /// <summary>Consult <paramref name="finder"/> (after the finders added before it) for every import found nowhere
    /// else (not in sys.modules, not a built-in module, not on sys.path).</summary>
    public void AddFinder(IModuleFinder finder) { lock (_finders) _finders.Add(finder); }

    /// <summary><see cref="AddFinder(IModuleFinder)"/> for a function of the module name (hosts, tests).</summary>
    public IModuleFinder AddFinder(Func<string, PyModule?> find)
    {
        var finder = new FunctionFinder(find);
        AddFinder(finder);
        return finder;
    }

    public void RemoveFinder(IModuleFinder finder) { lock (_finders) _finders.Remove(finder); }

    private sealed class FunctionFinder : IModuleFinder
    {
        private readonly Func<string, PyModule?> _find;
        public FunctionFinder(Func<string, PyModule?> find) => _find = find;
        public PyModule? FindModule(InterpreterState interp, string fullname) => _find(fullname);
    }

    /// <summary>The added finders (a native bridge's, a host's): asked last, like finders at the end of
    /// <c>sys.meta_path</c>, so they never shadow a Python module.</summary>
    private PyModule? FromFinders(string name)
    {
        IModuleFinder[] fs;
        lock (_finders) fs = _finders.ToArray();
        foreach (var f in fs)
        {
            var m = f.FindModule(_interp, name);
            if (m != null) { Modules.SetItem(PyStr.Of(name), m); return m; }
        }
        return null;
    }

    public PyObject ImportName(string name, PyDict globals, PyObject fromlist, int level)
    {
        string full = name;
        if (level > 0)
        {
            string pkg = globals.GetOrNull("__package__") is PyStr ps ? ps.Value : "";
            if (pkg.Length == 0)
            {
                var modName = globals.GetOrNull("__name__") is PyStr mn ? mn.Value : "";
                pkg = globals.GetOrNull("__path__") != null ? modName : (modName.Contains('.') ? modName.Substring(0, modName.LastIndexOf('.')) : "");
            }
            for (int i = 1; i < level; i++)
            {
                int dot = pkg.LastIndexOf('.');
                if (dot < 0) throw Ops.ImportError("attempted relative import beyond top-level package");
                pkg = pkg.Substring(0, dot);
            }
            if (pkg.Length == 0) throw Ops.ImportError("attempted relative import with no known parent package");
            full = name.Length == 0 ? pkg : pkg + "." + name;
        }
        var parts = full.Split('.');
        PyModule? top = null, cur = null;
        string path = "";
        for (int i = 0; i < parts.Length; i++)
        {
            path = i == 0 ? parts[0] : path + "." + parts[i];
            var m = Load(path, cur);
            if (cur != null) cur.ModDict.SetItem(PyStr.Intern(parts[i]), m);
            cur = m;
            top ??= m;
        }
        bool hasFrom = fromlist is PyTuple t ? t.Items.Length > 0 : fromlist != PyNone.Instance && Ops.IsTrue(fromlist);
        if (hasFrom || level > 0 && name.Length == 0) return cur!;
        if (level > 0) return cur!;
        return top!;
    }

    private PyModule Load(string fullname, PyModule? parent)
    {
        var existing = Modules.GetOrNull(PyStr.Of(fullname));
        if (existing is PyModule em) return em;
        if (existing != null && existing != PyNone.Instance) return existing as PyModule ?? throw Ops.ImportError("bad module in sys.modules");
        // built-in (C-level) modules: top-level names only, before sys.path (CPython's BuiltinImporter)
        var pm = fullname.Contains('.') ? null : BuiltinModules.Create(_interp, fullname);
        if (pm != null) { Modules.SetItem(PyStr.Of(fullname), pm); return pm; }
        // search files
        IEnumerable<string> dirs;
        if (parent != null && StandIns.CSharp.ContainsKey(fullname) && parent.ModDict.GetOrNull("__file__") is PyStr pf && EmbeddedLib.IsOurs(pf.Value))
            return FromEmbedded(EmbeddedLib.PathEntry, fullname) ?? throw NotFound(fullname, $"No module named '{fullname}'");
        if (parent != null)
        {
            var p = parent.ModDict.GetOrNull("__path__");
            if (p == null) return FromFinders(fullname) ?? throw NotFound(fullname, $"No module named '{fullname}'; '{parent.Name}' is not a package");
            var l = new List<string>();
            foreach (var x in Ops.ToArray(p)) l.Add(Ops.Str(x));
            dirs = l;
        }
        else
        {
            var l = new List<string>();
            if (_interp.Sys.Module.ModDict.GetOrNull("path") is PyObject sp) foreach (var x in Ops.ToArray(sp)) l.Add(Ops.Str(x));
            dirs = l;
        }
        string leaf = fullname.Substring(fullname.LastIndexOf('.') + 1);
        foreach (var d in dirs)
        {
            if (EmbeddedLib.IsOurs(d))
            {
                var found = FromEmbedded(d, fullname);
                if (found != null) return found;
                continue;
            }
            var dir = d.Length == 0 ? "." : d;
            var file = Path.Combine(dir, leaf + ".py");
            var pkgInit = Path.Combine(dir, leaf, "__init__.py");
            if (File.Exists(pkgInit)) return ExecFile(fullname, pkgInit, Path.Combine(dir, leaf));
            if (File.Exists(file)) return ExecFile(fullname, file, null);
            if (Directory.Exists(Path.Combine(dir, leaf)) && !File.Exists(file))
            {
                // namespace package
                var ns = new PyModule(fullname);
                ns.ModDict.SetItem("__path__", new PyList(new PyObject[] { PyStr.Of(Path.Combine(dir, leaf)) }));
                Modules.SetItem(PyStr.Of(fullname), ns);
                return ns;
            }
        }
        return FromFinders(fullname) ?? throw NotFound(fullname, $"No module named '{fullname}'");
    }

    /// <summary>A module at our embedded path entry <paramref name="dir"/>: a C# stand-in or an embedded .py file.</summary>
    private PyModule? FromEmbedded(string dir, string fullname)
    {
        if (dir == EmbeddedLib.PathEntry || fullname.Contains('.'))
        {
            var cs = StandIns.CreateCSharp(_interp, fullname);
            if (cs != null)
            {
                if (cs.ModDict.GetOrNull("__file__") == null) cs.ModDict.SetItem("__file__", PyStr.Of(EmbeddedLib.PathEntry + "/" + fullname.Replace('.', '/') + ".py"));
                Modules.SetItem(PyStr.Of(fullname), cs);
                return cs;
            }
        }
        if (!EmbeddedLib.TryFind(dir, fullname, out var src, out var file, out bool package)) return null;
        return ExecSource(fullname, src, file, package ? EmbeddedLib.PathEntry + "/" + fullname.Replace('.', '/') : null);
    }

    /// <summary>Where module <paramref name="fullname"/>'s source is, without running it (runpy's
    /// <c>_get_module_details</c> for <c>-m</c>): its parent packages are imported first. Null when not found; the source
    /// is null when the module exists but has no Python code (built-in or C# modules).</summary>
    public (string File, string? Source, bool Package)? FindSource(string fullname)
    {
        int dot = fullname.LastIndexOf('.');
        List<string> dirs = new();
        if (dot > 0)
        {
            var parent = ImportName(fullname.Substring(0, dot), new PyDict(), new PyTuple(new PyObject[] { PyStr.Of("*") }), 0);
            var p = parent is PyModule pm ? pm.ModDict.GetOrNull("__path__") : null;
            if (p == null) return null;
            foreach (var x in Ops.ToArray(p)) dirs.Add(Ops.Str(x));
        }
        else
        {
            if (BuiltinModules.Contains(fullname)) return (fullname, null, false);
            if (_interp.Sys.Module.ModDict.GetOrNull("path") is PyObject sp) foreach (var x in Ops.ToArray(sp)) dirs.Add(Ops.Str(x));
        }
        string leaf = fullname.Substring(dot + 1);
        foreach (var d in dirs)
        {
            if (EmbeddedLib.IsOurs(d))
            {
                if (StandIns.CSharp.ContainsKey(fullname) && (d == EmbeddedLib.PathEntry || dot > 0)) return (fullname, null, false);
                if (EmbeddedLib.TryFind(d, fullname, out var src, out var efile, out bool pkg)) return (efile, src, pkg);
                continue;
            }
            var dir = d.Length == 0 ? "." : d;
            var pkgInit = Path.Combine(dir, leaf, "__init__.py");
            if (File.Exists(pkgInit)) return (Path.GetFullPath(pkgInit), File.ReadAllText(pkgInit), true);
            var file = Path.Combine(dir, leaf + ".py");
            if (File.Exists(file)) return (Path.GetFullPath(file), File.ReadAllText(file), false);
            if (Directory.Exists(Path.Combine(dir, leaf))) return (Path.Combine(dir, leaf), null, true);
        }
        return null;
    }

    private static PyException NotFound(string name, string msg)
    {
        var e = PyBaseException.Create(PyBaseException.ModuleNotFoundErrorType, msg);
        e.Dict!.SetItem("name", PyStr.Of(name));
        return new PyException(e);
    }

    public PyModule ExecFile(string fullname, string file, string? pkgDir) => ExecSource(fullname, null, file, pkgDir);

    /// <summary>Run module <paramref name="fullname"/> from <paramref name="src"/> (read from <paramref name="file"/>
    /// when null), registered in sys.modules while it runs as CPython's import does.</summary>
    private PyModule ExecSource(string fullname, string? src, string file, string? pkgDir)
    {
        var m = new PyModule(fullname);
        m.ModDict.SetItem("__file__", PyStr.Of(file));
        m.ModDict.SetItem("__builtins__", _interp.Builtins);
        if (pkgDir != null)
        {
            m.ModDict.SetItem("__path__", new PyList(new PyObject[] { PyStr.Of(pkgDir) }));
            m.ModDict.SetItem("__package__", PyStr.Of(fullname));
        }
        else m.ModDict.SetItem("__package__", PyStr.Of(fullname.Contains('.') ? fullname.Substring(0, fullname.LastIndexOf('.')) : ""));
        Modules.SetItem(PyStr.Of(fullname), m);
        try
        {
            src ??= File.ReadAllText(file);
            _interp.RunSource(src, file, false, m.ModDict, null);
        }
        catch
        {
            Modules.Remove(PyStr.Of(fullname));
            throw;
        }
        return (Modules.GetOrNull(PyStr.Of(fullname)) as PyModule) ?? m;
    }

    /// <summary>A module made from Python source kept in the binary (a frozen module), registered in sys.modules
    /// while it runs as CPython's import does.</summary>
    public PyModule FromSource(string name, string src)
    {
        var m = new PyModule(name);
        m.ModDict.SetItem("__builtins__", _interp.Builtins);
        Modules.SetItem(PyStr.Of(name), m);
        try { _interp.RunSource(src, "<frozen " + name + ">", false, m.ModDict, null); }
        catch { Modules.Remove(PyStr.Of(name)); throw; }
        return m;
    }

    public PyObject ImportFrom(PyObject module, PyStr name)
    {
        var v = Ops.GetAttrOrNull(module, name);
        if (v != null) return v;
        if (module is PyModule pm && pm.ModDict.GetOrNull("__path__") != null)
        {
            try { return Load(pm.Name + "." + name.Value, pm); }
            catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.ModuleNotFoundErrorType)) { }
        }
        var mname = module is PyModule m2 ? m2.Name : "?";
        var file = module is PyModule m3 && m3.ModDict.GetOrNull("__file__") is PyStr f ? f.Value : null;
        throw Ops.ImportError($"cannot import name '{name.Value}' from '{mname}' ({file ?? "unknown location"})");
    }

    public static void ImportStar(PyObject module, PyDict target)
    {
        var d = module is PyModule pm ? pm.ModDict : module.Dict ?? throw Ops.ImportError("from-import-* object has no __dict__");
        var all = d.GetOrNull("__all__");
        if (all != null)
        {
            foreach (var n in Ops.ToArray(all)) target.SetItem(PyStr.Intern(Ops.Str(n)), Ops.GetAttr(module, PyStr.Intern(Ops.Str(n))));
            return;
        }
        foreach (var kv in d.Items())
        {
            var key = Ops.Str(kv.Key);
            if (key.StartsWith('_')) continue;
            target.SetItem(kv.Key, kv.Value);
        }
    }
}
