using System;
using System.Collections.Generic;
using System.IO;
using Invisible.Python.Compiler;
using Invisible.Python.Modules;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.Python.Importing;

/// <summary>
/// One interpreter's import system, with CPython's semantics (<c>importlib._bootstrap</c>'s <c>__import__</c>,
/// <c>_find_and_load</c>, <c>_handle_fromlist</c>) written in C#: a name not in <c>sys.modules</c> is looked for by
/// each finder of <c>sys.meta_path</c> in turn (<c>find_spec(name, path, target)</c>), the module made from the spec
/// (<c>create_module</c>/<c>exec_module</c>, <c>__spec__</c>, <c>__loader__</c>, <c>__file__</c>, <c>__cached__</c>,
/// <c>__path__</c>, <c>__package__</c>) and bound in its parent package. <c>sys.meta_path</c> starts as
/// <c>[BuiltinImporter, PathFinder, NativeLibraryFinder]</c>: the built-in (C-level) modules
/// (<see cref="BuiltinModules"/>), then <c>sys.path</c> (or the parent's <c>__path__</c>) through
/// <c>sys.path_importer_cache</c> and <c>sys.path_hooks</c> (whose entry makes our <c>FileFinder</c>s: packages,
/// modules, namespace packages; the entry <see cref="EmbeddedLib.PathEntry"/> stands for our embedded modules), and
/// last the finders added with <see cref="AddFinder"/> (a native bridge's <c>import NAME</c>, a host's), which so never
/// shadow a Python module. Our own finders, loaders and hooks are recognised and run directly (the fast path); any
/// other object in those lists is called through the protocol, as CPython does. Source is compiled through
/// <see cref="CodeCache"/>.
/// </summary>
public sealed class ImportSystem
{
    private readonly InterpreterState _interp;
    private readonly List<IModuleFinder> _finders = new();
    private readonly PyObject _builtinImporter = new PyInstance(ImportTypes.BuiltinImporter);
    private readonly PyObject _pathFinder = new PyInstance(ImportTypes.PathFinder);
    private readonly PyObject _nativeFinder = new PyInstance(ImportTypes.NativeFinder);
    private readonly PyObject _pathHook;
    private readonly PyObject _builtinsImport;

    /// <summary>Compiled-code cache hits and misses (compilations) of this interpreter (tests, measurements).</summary>
    public int CacheHits, CacheMisses;

    private static readonly PyStr S__spec__ = PyStr.Intern("__spec__"), S__loader__ = PyStr.Intern("__loader__"),
        S__package__ = PyStr.Intern("__package__"), S__path__ = PyStr.Intern("__path__"), S__file__ = PyStr.Intern("__file__"),
        S__cached__ = PyStr.Intern("__cached__"), S__all__ = PyStr.Intern("__all__"), S__import__ = PyStr.Intern("__import__"),
        SFindSpec = PyStr.Intern("find_spec"), SFindModule = PyStr.Intern("find_module"), SCreateModule = PyStr.Intern("create_module"),
        SExecModule = PyStr.Intern("exec_module"), SLoadModule = PyStr.Intern("load_module"), SMetaPath = PyStr.Intern("meta_path"),
        SPath = PyStr.Intern("path"), SPathHooks = PyStr.Intern("path_hooks"), SPathImporterCache = PyStr.Intern("path_importer_cache"),
        SName = PyStr.Intern("name");

    internal ImportSystem(InterpreterState interp)
    {
        _interp = interp;
        _pathHook = new PyBuiltinFunction("path_hook_for_FileFinder", (a, k) =>
        {
            if (a.Length != 1 || k != null && k.Length != 0) throw Ops.TypeError("path_hook_for_FileFinder() takes exactly one argument");
            return MakeFileFinder(Ops.Str(a[0])) ?? throw ImportErrorWithPath("only directories are supported", a[0]);
        });
        _builtinsImport = interp.BuiltinsModule.ModDict.GetOrNull(S__import__) ?? PyNone.Instance;
    }

    private PyDict Modules => _interp.Sys.Modules;
    private PyDict SysDict => _interp.Sys.Module.ModDict;

    /// <summary>Fill <c>sys.meta_path</c>, <c>sys.path_hooks</c> and <c>sys.pycache_prefix</c> (start-up) and give the
    /// modules made before the import system (sys, builtins) their specs.</summary>
    internal void Install()
    {
        SysDict.SetItem(SMetaPath, new PyList(new[] { _builtinImporter, _pathFinder, _nativeFinder }));
        SysDict.SetItem(SPathHooks, new PyList(new PyObject[] { _pathHook }));
        if (SysDict.GetOrNull(SPathImporterCache) is not PyDict) SysDict.SetItem(SPathImporterCache, new PyDict());
        // CPython's order: -X pycache_prefix=PATH, then PYTHONPYCACHEPREFIX (unless -E/-I); ours: then the default
        string? prefix = null;
        if (SysDict.GetOrNull("_xoptions") is PyDict xo && xo.GetOrNull(PyStr.Of("pycache_prefix")) is PyStr xp) prefix = xp.Value;
        bool ignoreEnv = SysDict.GetOrNull("flags") is PyObject flags && Ops.GetAttrOrNull(flags, PyStr.Intern("ignore_environment")) is PyObject ie && Ops.IsTrue(ie);
        if (prefix == null && !ignoreEnv && Environment.GetEnvironmentVariable("PYTHONPYCACHEPREFIX") is { Length: > 0 } ep) prefix = ep;
        prefix ??= CodeCache.DefaultPrefix();
        if (prefix != null && SysDict.GetOrNull("pycache_prefix") is null or PyNone)
            SysDict.SetItem("pycache_prefix", PyStr.Of(Path.GetFullPath(prefix)));
        foreach (var name in new[] { "sys", "builtins" })
            if (Modules.GetOrNull(PyStr.Of(name)) is PyModule m) InitBuiltinAttrs(m);
    }

    // ------------------------------------------------------------------ host finders

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

    /// <summary>The spec of <paramref name="name"/> from the added finders (the NativeLibraryFinder at the end of
    /// <c>sys.meta_path</c>): the module they make is its loader_state.</summary>
    internal PyObject? NativeFind(string name)
    {
        if (IsCPythonExtensionModule(name)) return null;
        IModuleFinder[] fs;
        lock (_finders) fs = _finders.ToArray();
        foreach (var f in fs)
        {
            var m = f.FindModule(_interp, name);
            if (m != null) return ImportTypes.NewSpec(name, _nativeFinder, m.ModDict.GetOrNull(S__file__) is PyStr file ? file.Value : null, m.ModDict.GetOrNull(S__path__), false, null, m);
        }
        return null;
    }

    /// <summary>Whether CPython's own library has a C extension module <paramref name="name"/> (Debian's
    /// <c>lib-dynload/NAME.cpython-311-x86_64-linux-gnu.so</c> beside a <c>sys.path</c> entry): a Python module by
    /// that name exists, one we cannot load, so the import fails as in a CPython built without it (pdb's and
    /// rlcompleter's <c>try: import readline</c>) instead of the C library libreadline.so being taken for it.</summary>
    private bool IsCPythonExtensionModule(string name)
    {
        if (name.Contains('.')) return false;
        var path = SysDict.GetOrNull(SPath);
        if (path is null || path == PyNone.Instance) return false;
        foreach (var entry in Ops.ToArray(path))
        {
            if (entry is not PyStr dir || dir.Value.Length == 0 || dir.Value[0] != '/') continue;
            string file = name + ".cpython-311-x86_64-linux-gnu.so";
            if (System.IO.File.Exists(System.IO.Path.Combine(dir.Value, "lib-dynload", file))
                || System.IO.File.Exists(System.IO.Path.Combine(dir.Value, file)))
                return true;
        }
        return false;
    }

    // ------------------------------------------------------------------ __import__

    /// <summary>The import statement: <c>builtins.__import__</c> when it has been replaced, else ours.</summary>
    public PyObject ImportStatement(string name, PyDict globals, PyObject? locals, PyObject fromlist, int level)
    {
        var imp = _interp.BuiltinsModule.ModDict.GetOrNull(S__import__);
        if (imp == null) throw Ops.ImportError("__import__ not found");
        if (!ReferenceEquals(imp, _builtinsImport))
            return Ops.Call(imp, new PyObject[] { PyStr.Of(name), globals, (PyObject?)locals ?? PyNone.Instance, fromlist, PyInt.Get(level) });
        return ImportName(name, globals, fromlist, level);
    }

    /// <summary>CPython's <c>__import__(name, globals, locals, fromlist, level)</c>.</summary>
    public PyObject ImportName(string name, PyDict globals, PyObject fromlist, int level)
    {
        if (level < 0) throw Ops.ValueError("level must be >= 0");
        string full = name;
        if (level > 0)
        {
            string package = CalcPackage(globals);
            if (package.Length == 0) throw Ops.ImportError("attempted relative import with no known parent package");
            full = ResolveName(name, package, level);
        }
        else if (name.Length == 0) throw Ops.ValueError("Empty module name");
        var module = GcdImport(full);
        bool hasFrom = fromlist is PyTuple t ? t.Items.Length > 0 : fromlist != PyNone.Instance && Ops.IsTrue(fromlist);
        if (!hasFrom)
        {
            if (level == 0)
            {
                int dot = name.IndexOf('.');
                return dot < 0 ? module : GcdImport(name.Substring(0, dot));
            }
            if (name.Length == 0) return module;
            int cut = name.Length - (name.IndexOf('.') is int d2 && d2 >= 0 ? d2 : name.Length);
            string modName = ModuleName(module);
            return Modules.GetOrNull(PyStr.Of(modName.Substring(0, modName.Length - cut))) ?? throw KeyErr(modName.Substring(0, modName.Length - cut));
        }
        if (Attr(module, S__path__) != null) HandleFromlist(module, fromlist, false);
        return module;
    }

    private static PyException KeyErr(string k) => new(PyBaseException.Create(PyBaseException.KeyErrorType, PyStr.Of(k)));

    private static string ModuleName(PyObject module) =>
        module is PyModule pm ? pm.Name : Ops.Str(Ops.GetAttr(module, PyStr.S___name__));

    /// <summary>CPython's <c>_calc___package__</c>: <c>__package__</c>, else <c>__spec__.parent</c>, else from
    /// <c>__name__</c>.</summary>
    private static string CalcPackage(PyDict globals)
    {
        var package = globals.GetOrNull(S__package__);
        var spec = globals.GetOrNull(S__spec__);
        if (package != null && package != PyNone.Instance)
        {
            if (package is not PyStr ps) throw Ops.TypeError("package must be a string");
            return ps.Value;
        }
        if (spec != null && spec != PyNone.Instance) return Ops.Str(Ops.GetAttr(spec, "parent"));
        var nameObj = globals.GetOrNull(PyStr.S___name__) ?? throw KeyErr("'__name__' not in globals");
        if (nameObj is not PyStr n) throw Ops.TypeError("__name__ must be a string");
        if (globals.GetOrNull(S__path__) != null) return n.Value;
        int dot = n.Value.LastIndexOf('.');
        return dot < 0 ? "" : n.Value.Substring(0, dot);
    }

    private static string ResolveName(string name, string package, int level)
    {
        string baseName = package;
        for (int i = 1; i < level; i++)
        {
            int dot = baseName.LastIndexOf('.');
            if (dot < 0) throw Ops.ImportError("attempted relative import beyond top-level package");
            baseName = baseName.Substring(0, dot);
        }
        return name.Length == 0 ? baseName : baseName + "." + name;
    }

    /// <summary><c>importlib.import_module(name)</c> for an absolute name: the module itself (not the top package).</summary>
    public PyObject ImportModule(string fullname) => GcdImport(fullname);

    /// <summary>CPython's <c>_gcd_import</c>: the module <paramref name="name"/> (absolute), from sys.modules or loaded.</summary>
    private PyObject GcdImport(string name)
    {
        var key = PyStr.Of(name);
        var m = Modules.GetOrNull(key);
        if (m != null && m != PyNone.Instance)
        {
            // a module still initialising (another thread's import): CPython waits on its lock; we hold the
            // interpreter lock for the whole import, so it is either ours (circular) or complete
            return m;
        }
        if (m == PyNone.Instance) throw NotFound(name, $"import of {name} halted; None in sys.modules");
        return FindAndLoad(name);
    }

    /// <summary>CPython's <c>_find_and_load_unlocked</c>.</summary>
    private PyObject FindAndLoad(string name)
    {
        PyObject? path = null;
        PyObject? parentModule = null;
        int dot = name.LastIndexOf('.');
        if (dot > 0)
        {
            string parent = name.Substring(0, dot);
            if (Modules.GetOrNull(PyStr.Of(parent)) == null) GcdImport(parent);
            // the parent's import may have imported this module already
            if (Modules.GetOrNull(PyStr.Of(name)) is PyObject done && done != PyNone.Instance) return done;
            parentModule = Modules.GetOrNull(PyStr.Of(parent)) ?? throw NotFound(name, $"No module named '{name}'");
            path = Attr(parentModule, S__path__);
            if (path == null) throw NotFound(name, $"No module named '{name}'; '{parent}' is not a package");
        }
        var spec = FindSpec(name, path) ?? throw NotFound(name, $"No module named '{name}'");
        var module = LoadFromSpec(spec, name);
        if (parentModule != null)
        {
            try { Ops.SetAttr(parentModule, PyStr.Intern(name.Substring(dot + 1)), module); }
            catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.AttributeErrorType)) { }
        }
        return module;
    }

    /// <summary>CPython's <c>_find_spec</c>: ask each finder of sys.meta_path.</summary>
    public PyObject? FindSpec(string name, PyObject? path)
    {
        var metaPath = SysDict.GetOrNull(SMetaPath);
        if (metaPath == null || metaPath == PyNone.Instance) throw Ops.ImportError("sys.meta_path is None, Python is likely shutting down");
        var finders = Ops.ToArray(metaPath);
        foreach (var finder in finders)
        {
            PyObject? spec;
            if (ReferenceEquals(finder, _builtinImporter))
                spec = path == null && BuiltinModules.Contains(name) ? BuiltinSpec(name) : null;
            else if (ReferenceEquals(finder, _pathFinder))
                spec = PathFind(name, path);
            else if (ReferenceEquals(finder, _nativeFinder))
                spec = NativeFind(name);
            else
            {
                var findSpec = Ops.GetAttrOrNull(finder, SFindSpec);
                if (findSpec != null) spec = Ops.Call(findSpec, new PyObject[] { PyStr.Of(name), path ?? PyNone.Instance, PyNone.Instance });
                else
                {
                    // a legacy finder (PEP 302): find_module gives a loader
                    var findModule = Ops.GetAttrOrNull(finder, SFindModule);
                    if (findModule == null) continue;
                    var loader = Ops.Call(findModule, new PyObject[] { PyStr.Of(name), path ?? PyNone.Instance });
                    spec = loader == PyNone.Instance ? null : ImportTypes.NewSpec(name, loader, null, null, false, null);
                }
                if (spec == PyNone.Instance) spec = null;
            }
            if (spec != null) return spec;
        }
        return null;
    }

    /// <summary>The spec of built-in module <paramref name="name"/> (origin "built-in").</summary>
    internal PyObject BuiltinSpec(string name) => ImportTypes.NewSpec(name, _builtinImporter, "built-in", null, false, null);

    internal PyObject? CreateBuiltin(string name)
    {
        if (name is "sys" or "builtins" && Modules.GetOrNull(PyStr.Of(name)) is PyModule existing) return existing;
        return BuiltinModules.Create(_interp, name);
    }

    private void InitBuiltinAttrs(PyModule m)
    {
        var spec = BuiltinSpec(m.Name);
        m.ModDict.SetItem(S__spec__, spec);
        m.ModDict.SetItem(S__loader__, _builtinImporter);
        if (m.ModDict.GetOrNull(S__package__) is null or PyNone) m.ModDict.SetItem(S__package__, PyStr.Empty);
    }

    /// <summary>CPython's <c>module_from_spec</c> + <c>_load_unlocked</c>: make the module, set its attributes,
    /// register it in sys.modules, execute it (removing it again when that fails) and return what sys.modules holds
    /// then.</summary>
    private PyObject LoadFromSpec(PyObject spec, string name)
    {
        var loader = ImportTypes.SpecLoader(spec);
        var key = PyStr.Of(name);
        if (loader != PyNone.Instance && loader.Type == ImportTypes.BuiltinImporter)
        {
            var bm = CreateBuiltin(name) ?? throw Ops.ImportError($"no built-in module named {name}");
            if (bm is PyModule pbm) InitModuleAttrs(spec, pbm.ModDict, loader);
            Modules.SetItem(key, bm);
            return bm;
        }
        if (loader != PyNone.Instance && Ops.GetAttrOrNull(loader, SExecModule) == null)
        {
            // a legacy loader (PEP 302): load_module does everything
            var lm = Ops.GetAttrOrNull(loader, SLoadModule) ?? throw Ops.ImportError("loader has no exec_module() or load_module()");
            var legacy = Ops.Call1(lm, key);
            return Modules.GetOrNull(key) ?? legacy;
        }
        PyObject module = PyNone.Instance;
        bool ours = loader.Type == ImportTypes.SourceFileLoader || loader.Type == ImportTypes.NamespaceLoader;
        if (loader != PyNone.Instance && !ours)
        {
            var create = Ops.GetAttrOrNull(loader, SCreateModule);
            if (create == null) throw Ops.ImportError("loaders that define exec_module() must also define create_module()");
            module = Ops.Call1(create, spec);
        }
        if (module == PyNone.Instance) module = new PyModule(name);
        var dict = module is PyModule mm ? mm.ModDict : module.Dict;
        if (dict != null) InitModuleAttrs(spec, dict, loader);
        if (loader == PyNone.Instance)
        {
            if (ImportTypes.SpecLocations(spec) == PyNone.Instance) throw Ops.ImportError("missing loader");
            Modules.SetItem(key, module);
            return module;
        }
        Modules.SetItem(key, module);
        ImportTypes.SetInitializing(spec, true);
        try
        {
            if (loader.Type == ImportTypes.SourceFileLoader) ExecSourceModule(module, Ops.Str(Ops.GetAttr(loader, SPath)));
            else if (loader.Type == ImportTypes.NamespaceLoader) { }
            else Ops.Call1(Ops.GetAttr(loader, SExecModule), module);
        }
        catch
        {
            Modules.Remove(key);
            throw;
        }
        finally { ImportTypes.SetInitializing(spec, false); }
        var loaded = Modules.GetOrNull(key) ?? throw KeyErr(name);
        return loaded;
    }

    /// <summary>CPython's <c>_init_module_attrs</c> for a new module.</summary>
    private void InitModuleAttrs(PyObject spec, PyDict d, PyObject loader)
    {
        var locations = ImportTypes.SpecLocations(spec);
        if (loader == PyNone.Instance && locations != PyNone.Instance)
        {
            loader = new PyInstance(ImportTypes.NamespaceLoader);
            try { Ops.SetAttr(spec, PyStr.Intern("loader"), loader); } catch (PyException) { }
            // CPython 3.11 (bpo-32305): a namespace package's __file__ is None, as its spec's origin
            d.SetItem(S__file__, PyNone.Instance);
        }
        d.SetItem(S__loader__, loader);
        d.SetItem(S__package__, Ops.GetAttrOrNull(spec, PyStr.Intern("parent")) ?? PyNone.Instance);
        d.SetItem(S__spec__, spec);
        if (locations != PyNone.Instance) d.SetItem(S__path__, locations);
        if (Ops.GetAttrOrNull(spec, PyStr.Intern("has_location")) is PyObject hl && Ops.IsTrue(hl))
        {
            d.SetItem(S__file__, Ops.GetAttr(spec, PyStr.Intern("origin")));
            var cached = Ops.GetAttrOrNull(spec, PyStr.Intern("cached"));
            if (cached != null && cached != PyNone.Instance) d.SetItem(S__cached__, cached);
        }
    }

    /// <summary>Execute source file (or embedded module) <paramref name="path"/> in <paramref name="module"/>: our
    /// SourceFileLoader's exec_module, through the compiled-code cache.</summary>
    internal void ExecSourceModule(PyObject module, string path)
    {
        var dict = module is PyModule pm ? pm.ModDict : module.Dict ?? throw Ops.TypeError("module has no __dict__");
        CodeObject code;
        if (EmbeddedLib.IsOurs(path))
        {
            if (!EmbeddedLib.TryRead(path, out var text))
                throw Ops.ImportError($"{path} is a module of the interpreter and has no source to execute");
            code = CodeCache.Get(_interp, path, text);
        }
        else code = CodeCache.Get(_interp, path, null);
        if (dict.GetOrNull(PyStr.Intern("__builtins__")) == null) dict.SetItem(PyStr.Intern("__builtins__"), _interp.Builtins);
        var f = new Frame(code, dict, null, _interp.Builtins) { Locals = dict };
        Interpreter.Execute(ThreadState.Current, f);
    }

    // ------------------------------------------------------------------ PathFinder and FileFinder

    /// <summary>CPython's <c>PathFinder.find_spec</c>: each entry of <paramref name="path"/> (sys.path when null)
    /// through its path-entry finder; namespace portions are collected and make a namespace package when nothing
    /// else has the name.</summary>
    internal PyObject? PathFind(string name, PyObject? path)
    {
        path ??= SysDict.GetOrNull(SPath);
        if (path == null || path == PyNone.Instance) return null;
        List<PyObject>? namespacePath = null;
        foreach (var entry in Ops.ToArray(path))
        {
            if (entry is not PyStr es) continue;
            var finder = PathEntryFinder(es.Value);
            if (finder == null) continue;
            PyObject? spec;
            if (finder is ImportTypes.FileFinderObject ff) spec = FileFind(ff, name);
            else
            {
                var fs = Ops.GetAttrOrNull(finder, SFindSpec);
                if (fs != null) spec = Ops.Call(fs, new PyObject[] { PyStr.Of(name), PyNone.Instance });
                else
                {
                    var fm = Ops.GetAttrOrNull(finder, SFindModule);
                    if (fm == null) continue;
                    var loader = Ops.Call1(fm, PyStr.Of(name));
                    spec = loader == PyNone.Instance ? null : ImportTypes.NewSpec(name, loader, null, null, false, null);
                }
                if (spec == PyNone.Instance) spec = null;
            }
            if (spec == null) continue;
            if (ImportTypes.SpecLoader(spec) != PyNone.Instance) return spec;
            var portions = ImportTypes.SpecLocations(spec);
            if (portions == PyNone.Instance) throw Ops.ImportError("spec missing loader");
            namespacePath ??= new List<PyObject>();
            namespacePath.AddRange(Ops.ToArray(portions));
        }
        if (namespacePath == null) return null;
        // CPython: a spec without loader; module creation gives it a NamespaceLoader
        return ImportTypes.NewSpec(name, PyNone.Instance, null, new PyList(namespacePath.ToArray()), false, null);
    }

    /// <summary>CPython's <c>PathFinder._path_importer_cache</c>: the finder of one path entry, made by the first
    /// <c>sys.path_hooks</c> entry that accepts it and remembered in <c>sys.path_importer_cache</c>.</summary>
    private PyObject? PathEntryFinder(string entry)
    {
        if (entry.Length == 0)
        {
            try { entry = Directory.GetCurrentDirectory(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        }
        var cache = SysDict.GetOrNull(SPathImporterCache) as PyDict;
        var key = PyStr.Of(entry);
        if (cache != null && cache.GetOrNull(key) is PyObject cached) return cached == PyNone.Instance ? null : cached;
        PyObject? finder = null;
        if (SysDict.GetOrNull(SPathHooks) is PyObject hooks && hooks != PyNone.Instance)
        {
            foreach (var hook in Ops.ToArray(hooks))
            {
                if (ReferenceEquals(hook, _pathHook))
                {
                    finder = MakeFileFinder(entry);
                    if (finder != null) break;
                    continue;
                }
                try { finder = Ops.Call1(hook, key); break; }
                catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.ImportErrorType)) { }
            }
        }
        cache?.SetItem(key, finder ?? PyNone.Instance);
        return finder;
    }

    private static PyObject? MakeFileFinder(string entry)
    {
        if (EmbeddedLib.IsOurs(entry)) return new ImportTypes.FileFinderObject(entry);
        return Directory.Exists(entry.Length == 0 ? "." : entry) ? new ImportTypes.FileFinderObject(entry) : null;
    }

    /// <summary>CPython's <c>FileFinder.find_spec</c> over one directory: a regular package (<c>NAME/__init__.py</c>),
    /// then a module (<c>NAME.py</c>), then a namespace portion (a directory <c>NAME</c>); at our embedded entry the
    /// embedded modules.</summary>
    internal PyObject? FileFind(ImportTypes.FileFinderObject finder, string fullname)
    {
        string dir = finder.Path;
        string tail = fullname.Substring(fullname.LastIndexOf('.') + 1);
        if (EmbeddedLib.IsOurs(dir))
        {
            if (!EmbeddedLib.TryLocate(dir, fullname, out var efile, out bool epkg)) return null;
            return ImportTypes.NewSpec(fullname, ImportTypes.NewSourceLoader(fullname, efile), efile,
                epkg ? new PyList(new PyObject[] { PyStr.Of(EmbeddedLib.PathEntry + "/" + fullname.Replace('.', '/')) }) : null, true, null);
        }
        string baseDir = dir.Length == 0 ? "." : dir;
        bool isNamespace = false;
        string basePath = Path.Combine(baseDir, tail);
        if (finder.Has(tail))
        {
            string init = Path.Combine(basePath, "__init__.py");
            if (File.Exists(init)) return SourceSpec(fullname, init, basePath);
            isNamespace = Directory.Exists(basePath);
        }
        if (finder.Has(tail + ".py"))
        {
            string file = Path.Combine(baseDir, tail + ".py");
            if (File.Exists(file)) return SourceSpec(fullname, file, null);
        }
        if (isNamespace)
            return ImportTypes.NewSpec(fullname, PyNone.Instance, null, new PyList(new PyObject[] { PyStr.Of(basePath) }), false, null);
        return null;
    }

    private PyObject SourceSpec(string fullname, string file, string? packageDir)
    {
        // CPython's spec_from_file_location keeps the path as found (relative when the sys.path entry is '')
        return ImportTypes.NewSpec(fullname, ImportTypes.NewSourceLoader(fullname, file), file,
            packageDir == null ? null : new PyList(new PyObject[] { PyStr.Of(packageDir) }), true, CodeCache.CachePath(_interp, file));
    }

    /// <summary><c>importlib.invalidate_caches()</c> for our finders.</summary>
    internal void InvalidateCaches()
    {
        if (SysDict.GetOrNull(SPathImporterCache) is not PyDict cache) return;
        foreach (var kv in cache.Items())
        {
            if (kv.Value is ImportTypes.FileFinderObject ff) ff.Invalidate();
            else if (kv.Value != PyNone.Instance && Ops.GetAttrOrNull(kv.Value, PyStr.Intern("invalidate_caches")) is PyObject ic) Ops.Call(ic, ReadOnlySpan<PyObject>.Empty);
        }
    }

    // ------------------------------------------------------------------ -m

    /// <summary>runpy's <c>_get_module_details</c> for <c>-m NAME</c>: the spec of the module to run (its parent
    /// packages imported), the <c>__main__</c> submodule's for a package. Errors are ImportErrors with runpy's texts.</summary>
    public (PyObject Spec, CodeObject Code) MainModuleDetails(string name)
    {
        if (name.StartsWith('.')) throw Ops.ImportError("Relative module names not supported");
        int dot = name.LastIndexOf('.');
        if (dot > 0)
        {
            string pkg = name.Substring(0, dot);
            try { GcdImport(pkg); }
            catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.ImportErrorType))
            {
                // runpy: a missing parent (or ancestor) is reported as not finding the module's spec; other errors
                // of the parent's initialisation propagate
                if (e.Value.Dict?.GetOrNull(SName) is not PyStr en || en.Value != pkg && !pkg.StartsWith(en.Value + ".", StringComparison.Ordinal)) throw;
                throw Ops.ImportError($"Error while finding module specification for '{name}' ({e.Value.Type.Name}: {Ops.Str(e.Value)})");
            }
        }
        PyObject? spec;
        try
        {
            PyObject? path = null;
            if (dot > 0) path = Ops.GetAttrOrNull(Modules.GetOrNull(PyStr.Of(name.Substring(0, dot)))!, S__path__);
            spec = Modules.GetOrNull(PyStr.Of(name)) is PyObject existing && existing != PyNone.Instance && Ops.GetAttrOrNull(existing, S__spec__) is PyObject es && es != PyNone.Instance
                ? es : FindSpec(name, path);
        }
        catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.ImportErrorType))
        {
            throw Ops.ImportError($"Error while finding module specification for '{name}' ({e.Value.Type.Name}: {Ops.Str(e.Value)})");
        }
        if (spec == null) throw NotFound(name, $"No module named {name}");
        if (ImportTypes.SpecLocations(spec) != PyNone.Instance)
        {
            if (name == "__main__" || name.EndsWith(".__main__", StringComparison.Ordinal))
                throw Ops.ImportError("Cannot use package as __main__ module");
            try
            {
                GcdImport(name);
                return MainModuleDetails(name + ".__main__");
            }
            catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.ImportErrorType))
            {
                throw Ops.ImportError($"{Ops.Str(e.Value)}; '{name}' is a package and cannot be directly executed");
            }
        }
        var loader = ImportTypes.SpecLoader(spec);
        if (loader == PyNone.Instance) throw Ops.ImportError($"No code object available for {name}");
        CodeObject? code = null;
        if (loader.Type == ImportTypes.SourceFileLoader)
        {
            string path = Ops.Str(Ops.GetAttr(loader, SPath));
            if (EmbeddedLib.TryRead(path, out var text)) code = CodeCache.Get(_interp, path, text);
            else if (!EmbeddedLib.IsOurs(path)) code = CodeCache.Get(_interp, path, null);
        }
        else if (Ops.GetAttrOrNull(loader, PyStr.Intern("get_code")) is PyObject gc && Ops.Call1(gc, PyStr.Of(name)) is PyCodeWrapper w)
            code = w.Code;
        if (code == null) throw Ops.ImportError($"No code object available for {name}");
        return (spec, code);
    }

    // ------------------------------------------------------------------ from ... import

    /// <summary>CPython's <c>_handle_fromlist</c>: import the submodules named in the fromlist that are not
    /// attributes yet (a missing one is not an error here: IMPORT_FROM reports it).</summary>
    private void HandleFromlist(PyObject module, PyObject fromlist, bool recursive)
    {
        foreach (var x in Ops.ToArray(fromlist))
        {
            if (x is not PyStr xs)
            {
                string where = recursive ? ModuleName(module) + ".__all__" : "``from list''";
                throw Ops.TypeError($"Item in {where} must be str, not {x.Type.Name}");
            }
            if (xs.Value == "*")
            {
                if (!recursive && Attr(module, S__all__) is PyObject all) HandleFromlist(module, all, true);
                continue;
            }
            if (Attr(module, xs) != null) continue;
            string fromName = ModuleName(module) + "." + xs.Value;
            try { GcdImport(fromName); }
            catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.ModuleNotFoundErrorType)
                && e.Value.Dict?.GetOrNull(SName) is PyStr en && en.Value == fromName
                && Modules.GetOrNull(PyStr.Of(fromName)) != PyNone.Instance) { }
        }
    }

    /// <summary>The IMPORT_FROM instruction (CPython's <c>import_from</c>): the attribute, else the submodule in
    /// sys.modules, else CPython's ImportError.</summary>
    public PyObject ImportFrom(PyObject module, PyStr name)
    {
        var v = Attr(module, name);
        if (v != null) return v;
        string? pkgName = Attr(module, PyStr.S___name__) is PyStr pn ? pn.Value : null;
        if (pkgName != null && Modules.GetOrNull(PyStr.Of(pkgName + "." + name.Value)) is PyObject sub && sub != PyNone.Instance) return sub;
        string mname = pkgName ?? "<unknown module name>";
        var spec = Attr(module, S__spec__);
        bool initializing = spec != null && spec != PyNone.Instance && Ops.GetAttrOrNull(spec, PyStr.Intern("_initializing")) is PyObject init && Ops.IsTrue(init);
        var file = Attr(module, S__file__) is PyStr f ? f.Value : null;
        string msg = initializing
            ? $"cannot import name '{name.Value}' from partially initialized module '{mname}' (most likely due to a circular import) ({file ?? "unknown location"})"
            : $"cannot import name '{name.Value}' from '{mname}' ({file ?? "unknown location"})";
        var e = PyBaseException.Create(PyBaseException.ImportErrorType, msg);
        e.Dict!.SetItem(SName, PyStr.Of(mname));
        e.Dict!.SetItem(SPath, file == null ? PyNone.Instance : PyStr.Of(file));
        throw new PyException(e);
    }

    public static void ImportStar(PyObject module, PyObject target)
    {
        // a dict subclass or another mapping (exec's locals) is written through its __setitem__, as CPython's import_all_from
        if (target is not PyDict { Type.IsHeap: false } plain)
        {
            var names = new PyDict();
            ImportStar(module, names);
            foreach (var kv in names.Items()) Ops.SetItem(target, kv.Key, kv.Value);
            return;
        }
        var d = module is PyModule pm ? pm.ModDict : module.Dict ?? throw Ops.ImportError("from-import-* object has no __dict__");
        var all = d.GetOrNull(S__all__);
        if (all != null)
        {
            foreach (var n in Ops.ToArray(all))
            {
                if (n is not PyStr ns) throw Ops.TypeError($"Item in {ModuleName(module)}.__all__ must be str, not {n.Type.Name}");
                plain.SetItem(PyStr.Intern(ns.Value), Ops.GetAttr(module, PyStr.Intern(ns.Value)));
            }
            return;
        }
        foreach (var kv in d.Items())
        {
            var key = Ops.Str(kv.Key);
            if (key.StartsWith('_')) continue;
            plain.SetItem(kv.Key, kv.Value);
        }
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>getattr(o, name, None): a module's <c>__getattr__</c> raising AttributeError means absent.</summary>
    private static PyObject? Attr(PyObject o, PyStr name)
    {
        try { return Ops.GetAttrOrNull(o, name); }
        catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.AttributeErrorType)) { return null; }
    }

    private static PyException NotFound(string name, string msg)
    {
        var e = PyBaseException.Create(PyBaseException.ModuleNotFoundErrorType, msg);
        e.Dict!.SetItem(SName, PyStr.Of(name));
        return new PyException(e);
    }

    private static PyException ImportErrorWithPath(string msg, PyObject path)
    {
        var e = PyBaseException.Create(PyBaseException.ImportErrorType, msg);
        e.Dict!.SetItem(SPath, path);
        return new PyException(e);
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
}
