using System;
using System.Collections.Generic;
using System.IO;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.Python.Importing;

/// <summary>
/// The objects of our import machinery that Python code sees, with CPython's protocols (PEP 451): module specs
/// (<c>__spec__</c>: name, loader, origin, submodule_search_locations, loader_state, cached, parent, has_location),
/// the meta-path finders (<c>BuiltinImporter</c>, <c>PathFinder</c>, the native bridge's finder: <c>find_spec</c>),
/// the path-entry finder made by our <c>sys.path_hooks</c> entry (<c>FileFinder</c>) and the loaders
/// (<c>create_module</c>/<c>exec_module</c>, <c>get_source</c>, <c>get_code</c>, <c>is_package</c>...). They are ours,
/// written in C# so imports stay fast; <c>importlib._bootstrap</c>'s functions accept them as they accept CPython's.
/// </summary>
internal static class ImportTypes
{
    private const string Module = "_frozen_importlib";
    private const string ExternalModule = "_frozen_importlib_external";

    // declared before the types: the type initialisers below use them
    private static readonly PyStr SName = PyStr.Intern("name"), SLoader = PyStr.Intern("loader"), SOrigin = PyStr.Intern("origin"),
        SLocations = PyStr.Intern("submodule_search_locations"), SLoaderState = PyStr.Intern("loader_state"),
        SCached = PyStr.Intern("cached"), SParent = PyStr.Intern("parent"), SHasLocation = PyStr.Intern("has_location"),
        SPath = PyStr.Intern("path"), SInitializing = PyStr.Intern("_initializing");

    public static readonly PyType ModuleSpec = MakeSpecType();
    public static readonly PyType BuiltinImporter = MakeBuiltinImporterType();
    public static readonly PyType PathFinder = MakePathFinderType();
    public static readonly PyType FileFinder = MakeFileFinderType();
    public static readonly PyType SourceFileLoader = MakeSourceLoaderType();
    public static readonly PyType NamespaceLoader = MakeNamespaceLoaderType();
    public static readonly PyType NativeFinder = MakeNativeFinderType();


    // ------------------------------------------------------------------ ModuleSpec

    /// <summary>A new spec (CPython's <c>ModuleSpec(name, loader, origin=..., is_package=...)</c>).</summary>
    public static PyInstance NewSpec(string name, PyObject loader, string? origin, PyObject? locations, bool hasLocation, string? cached, PyObject? loaderState = null)
    {
        var s = new PyInstance(ModuleSpec);
        var d = s.Dict!;
        d.SetItem(SName, PyStr.Of(name));
        d.SetItem(SLoader, loader);
        d.SetItem(SOrigin, origin == null ? PyNone.Instance : PyStr.Of(origin));
        d.SetItem(SLoaderState, loaderState ?? PyNone.Instance);
        d.SetItem(SLocations, locations ?? PyNone.Instance);
        d.SetItem(PyStr.Intern("_set_fileattr"), PyBool.Of(hasLocation));
        d.SetItem(PyStr.Intern("_cached"), cached == null ? PyNone.Instance : PyStr.Of(cached));
        // as importlib's ModuleSpec.__init__: _find_and_load_unlocked tracks a parent's submodules being imported there
        d.SetItem(PyStr.Intern("_uninitialized_submodules"), new PyList());
        return s;
    }

    public static string SpecName(PyObject spec) => Ops.Str(Ops.GetAttr(spec, SName));
    public static PyObject SpecLoader(PyObject spec) => Ops.GetAttrOrNull(spec, SLoader) ?? PyNone.Instance;
    public static PyObject SpecLocations(PyObject spec) => Ops.GetAttrOrNull(spec, SLocations) ?? PyNone.Instance;
    public static void SetInitializing(PyObject spec, bool on)
    {
        try { Ops.SetAttr(spec, SInitializing, PyBool.Of(on)); } catch (PyException) { }
    }

    private static PyType MakeSpecType()
    {
        var t = new PyType("ModuleSpec", PyType.ObjectType, null) { ModuleName = Module };
        t.SetMember(SParent.Value, new PyProperty(new PyBuiltinFunction("parent", (a, k) =>
        {
            var d = a[0].Dict!;
            string name = Ops.Str(d.GetOrNull(SName) ?? PyStr.Empty);
            if (d.GetOrNull(SLocations) is PyObject l && l != PyNone.Instance) return PyStr.Of(name);
            int dot = name.LastIndexOf('.');
            return PyStr.Of(dot < 0 ? "" : name.Substring(0, dot));
        }), null, null, null));
        t.SetMember(SHasLocation.Value, new PyProperty(new PyBuiltinFunction("has_location", (a, k) =>
            a[0].Dict!.GetOrNull(PyStr.Intern("_set_fileattr")) ?? PyBool.False), null, null, null));
        t.SetMember(SCached.Value, new PyProperty(
            new PyBuiltinFunction("cached", (a, k) => a[0].Dict!.GetOrNull(PyStr.Intern("_cached")) ?? PyNone.Instance),
            new PyBuiltinFunction("cached", (a, k) => { a[0].Dict!.SetItem(PyStr.Intern("_cached"), a[1]); return PyNone.Instance; }), null, null));
        t.AddMethod("__repr__", (a, k) =>
        {
            var d = a[0].Dict!;
            var parts = new List<string> { "name=" + Ops.Repr(d.GetOrNull(SName) ?? PyNone.Instance), "loader=" + Ops.Repr(d.GetOrNull(SLoader) ?? PyNone.Instance) };
            if (d.GetOrNull(SOrigin) is PyObject o && o != PyNone.Instance) parts.Add("origin=" + Ops.Repr(o));
            if (d.GetOrNull(SLocations) is PyObject l && l != PyNone.Instance) parts.Add("submodule_search_locations=" + Ops.Repr(l));
            return PyStr.Of("ModuleSpec(" + string.Join(", ", parts) + ")");
        });
        t.AddMethod("__eq__", (a, k) =>
        {
            if (a[1].Type != ModuleSpec) return PyNotImplementedType.Instance;
            foreach (var n in new[] { SName, SLoader, SOrigin, SLocations, SCached, SHasLocation })
                if (!Ops.Eq(Ops.GetAttrOrNull(a[0], n) ?? PyNone.Instance, Ops.GetAttrOrNull(a[1], n) ?? PyNone.Instance)) return PyBool.False;
            return PyBool.True;
        });
        return t;
    }

    // ------------------------------------------------------------------ finders and loaders

    private static readonly ArgParser FindSpecArgs = new("find_spec", "self, fullname, path=None, target=None");
    private static readonly ArgParser EntryFindSpecArgs = new("find_spec", "self, fullname, target=None");
    private static readonly ArgParser SpecArg = new("create_module", "self, spec");
    private static readonly ArgParser ModuleArg = new("exec_module", "self, module");
    private static readonly ArgParser NameArg = new("get_source", "self, fullname");
    private static readonly ArgParser OptNameArg = new("get_filename", "self, fullname=None");
    private static readonly ArgParser PathArg = new("get_data", "self, path");
    private static readonly ArgParser LoaderInit = new("SourceFileLoader", "self, fullname, path");

    private static InterpreterState Interp => ThreadState.Current.Interp;

    private static PyType MakeBuiltinImporterType()
    {
        var t = new PyType("BuiltinImporter", PyType.ObjectType, null) { ModuleName = Module };
        t.AddMethod("__repr__", (a, k) => PyStr.Of("<class '_frozen_importlib.BuiltinImporter'>"));
        t.AddMethod("find_spec", (a, k) =>
        {
            var args = FindSpecArgs.Parse(a, k);
            string name = args.Str(1);
            if (args[2] is PyObject p && p != PyNone.Instance) return PyNone.Instance;
            return Modules.BuiltinModules.Contains(name) ? Interp.Imports.BuiltinSpec(name) : PyNone.Instance;
        });
        t.AddMethod("find_module", (a, k) =>
        {
            var args = FindSpecArgs.Parse(a, k);
            return Modules.BuiltinModules.Contains(args.Str(1)) && args[2] is null or PyNone ? a[0] : PyNone.Instance;
        });
        t.AddMethod("create_module", (a, k) =>
        {
            var spec = SpecArg.Parse(a, k)[1]!;
            string name = SpecName(spec);
            return Interp.Imports.CreateBuiltin(name) ?? throw Ops.ImportError($"no built-in module named {name}");
        });
        t.AddMethod("exec_module", (a, k) => { ModuleArg.Parse(a, k); return PyNone.Instance; });
        t.AddMethod("get_code", (a, k) => { NameArg.Parse(a, k); return PyNone.Instance; });
        t.AddMethod("get_source", (a, k) => { NameArg.Parse(a, k); return PyNone.Instance; });
        t.AddMethod("is_package", (a, k) => { NameArg.Parse(a, k); return PyBool.False; });
        t.AddMethod("load_module", (a, k) => Interp.Imports.ImportModule(NameArg.Parse(a, k).Str(1)));
        return t;
    }

    private static PyType MakePathFinderType()
    {
        var t = new PyType("PathFinder", PyType.ObjectType, null) { ModuleName = ExternalModule };
        t.AddMethod("__repr__", (a, k) => PyStr.Of("<class '_frozen_importlib_external.PathFinder'>"));
        t.AddMethod("find_spec", (a, k) =>
        {
            var args = FindSpecArgs.Parse(a, k);
            var path = args[2] is PyObject p && p != PyNone.Instance ? p : null;
            return Interp.Imports.PathFind(args.Str(1), path) ?? (PyObject)PyNone.Instance;
        });
        t.AddMethod("invalidate_caches", (a, k) => { Interp.Imports.InvalidateCaches(); return PyNone.Instance; });
        t.AddMethod("find_distributions", (a, k) =>
        {
            // CPython's PathFinder.find_distributions: importlib.metadata's MetadataPathFinder does the work
            var md = Interp.Imports.ImportModule("importlib.metadata");
            var f = Ops.GetAttr(Ops.GetAttr(md, "MetadataPathFinder"), "find_distributions");
            return Ops.Call(f, a.Slice(1), k);
        });
        return t;
    }

    /// <summary>Our path-entry finder: one directory of <c>sys.path</c> (or a package's <c>__path__</c>), or our
    /// embedded modules' entry. CPython's FileFinder (a cached listing, refreshed when the directory's mtime moves).</summary>
    internal sealed class FileFinderObject : PyObject
    {
        public readonly string Path;
        private readonly PyDict _dict = new();
        private HashSet<string>? _entries;
        private DateTime _mtime;

        public FileFinderObject(string path)
        {
            Path = path;
            _dict.SetItem(SPath, PyStr.Of(path));
        }

        public override PyType Type => FileFinder;
        public override PyDict? Dict => _dict;
        public override string Repr() => $"FileFinder('{Path}')";

        public void Invalidate() => _entries = null;

        /// <summary>Whether the directory has an entry named <paramref name="name"/> (from its cached listing).</summary>
        public bool Has(string name)
        {
            DateTime mt;
            try { mt = Directory.GetLastWriteTimeUtc(Path.Length == 0 ? "." : Path); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
            if (_entries == null || mt != _mtime)
            {
                var set = new HashSet<string>(StringComparer.Ordinal);
                try
                {
                    foreach (var e in Directory.EnumerateFileSystemEntries(Path.Length == 0 ? "." : Path))
                        set.Add(System.IO.Path.GetFileName(e));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
                _entries = set;
                _mtime = mt;
            }
            return _entries.Contains(name);
        }
    }

    private static PyType MakeFileFinderType()
    {
        var t = new PyType("FileFinder", PyType.ObjectType, null) { ModuleName = ExternalModule };
        t.AddMethod("find_spec", (a, k) =>
        {
            var args = EntryFindSpecArgs.Parse(a, k);
            return Interp.Imports.FileFind((FileFinderObject)a[0], args.Str(1)) ?? (PyObject)PyNone.Instance;
        });
        t.AddMethod("invalidate_caches", (a, k) => { ((FileFinderObject)a[0]).Invalidate(); return PyNone.Instance; });
        return t;
    }

    /// <summary>A loader for one module (name, path): our source files and embedded modules (CPython's
    /// SourceFileLoader: get_source, get_code, get_data, get_filename, is_package, exec_module).</summary>
    public static PyInstance NewSourceLoader(string name, string path)
    {
        var l = new PyInstance(SourceFileLoader);
        l.Dict!.SetItem(SName, PyStr.Of(name));
        l.Dict!.SetItem(SPath, PyStr.Of(path));
        return l;
    }

    private static string LoaderPath(PyObject self) => Ops.Str(self.Dict!.GetOrNull(SPath) ?? PyStr.Empty);

    private static PyType MakeSourceLoaderType()
    {
        var t = new PyType("SourceFileLoader", PyType.ObjectType, (cls, a, k) => new PyInstance(cls)) { ModuleName = ExternalModule };
        t.AddMethod("__init__", (a, k) =>
        {
            var args = LoaderInit.Parse(a, k);
            a[0].Dict!.SetItem(SName, args[1]!);
            a[0].Dict!.SetItem(SPath, args[2]!);
            return PyNone.Instance;
        });
        t.AddMethod("__repr__", (a, k) => PyStr.Of($"<_frozen_importlib_external.SourceFileLoader object at 0x{Ops.Id(a[0]):x}>"));
        t.AddMethod("create_module", (a, k) => { SpecArg.Parse(a, k); return PyNone.Instance; });
        t.AddMethod("exec_module", (a, k) =>
        {
            var module = ModuleArg.Parse(a, k)[1]!;
            Interp.Imports.ExecSourceModule(module, LoaderPath(a[0]));
            return PyNone.Instance;
        });
        t.AddMethod("get_filename", (a, k) => { OptNameArg.Parse(a, k); return PyStr.Of(LoaderPath(a[0])); });
        t.AddMethod("get_source", (a, k) =>
        {
            NameArg.Parse(a, k);
            string path = LoaderPath(a[0]);
            if (EmbeddedLib.TryRead(path, out var text)) return PyStr.Of(text);
            try { return PyStr.Of(SourceText.Read(path)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Ops.ImportError("source not available through get_data()");
            }
        });
        t.AddMethod("get_data", (a, k) =>
        {
            string path = Ops.Str(PathArg.Parse(a, k)[1]!);
            if (EmbeddedLib.TryRead(path, out var text)) return new PyBytes(System.Text.Encoding.UTF8.GetBytes(text));
            try { return new PyBytes(File.ReadAllBytes(path)); }
            catch (FileNotFoundException) { throw Modules.Posix.Fs.Error(2, PyStr.Of(path)); }
            catch (DirectoryNotFoundException) { throw Modules.Posix.Fs.Error(2, PyStr.Of(path)); }
            catch (UnauthorizedAccessException) { throw Modules.Posix.Fs.Error(13, PyStr.Of(path)); }
        });
        t.AddMethod("get_code", (a, k) =>
        {
            NameArg.Parse(a, k);
            string path = LoaderPath(a[0]);
            EmbeddedLib.TryRead(path, out var text);
            return PyCodeWrapper.Of(CodeCache.Get(Interp, path, text));
        });
        t.AddMethod("is_package", (a, k) =>
        {
            NameArg.Parse(a, k);
            return PyBool.Of(System.IO.Path.GetFileNameWithoutExtension(LoaderPath(a[0])) == "__init__");
        });
        t.AddMethod("load_module", (a, k) => Interp.Imports.ImportModule(OptNameArg.Parse(a, k).Str(1, Ops.Str(a[0].Dict!.GetOrNull(SName)!))));
        t.AddMethod("get_resource_reader", (a, k) =>
        {
            NameArg.Parse(a, k);
            var readers = Interp.Imports.ImportModule("importlib.readers");
            return Ops.Call1(Ops.GetAttr(readers, "FileReader"), a[0]);
        });
        return t;
    }

    private static PyType MakeNamespaceLoaderType()
    {
        var t = new PyType("NamespaceLoader", PyType.ObjectType, null) { ModuleName = ExternalModule };
        t.AddMethod("create_module", (a, k) => { SpecArg.Parse(a, k); return PyNone.Instance; });
        t.AddMethod("exec_module", (a, k) => { ModuleArg.Parse(a, k); return PyNone.Instance; });
        t.AddMethod("is_package", (a, k) => { NameArg.Parse(a, k); return PyBool.True; });
        t.AddMethod("get_source", (a, k) => { NameArg.Parse(a, k); return PyStr.Empty; });
        t.AddMethod("get_code", (a, k) =>
        {
            NameArg.Parse(a, k);
            return PyCodeWrapper.Of(PythonEngine.Compile("", "<string>", false));
        });
        t.AddMethod("load_module", (a, k) => Interp.Imports.ImportModule(NameArg.Parse(a, k).Str(1)));
        return t;
    }

    /// <summary>The finder at the end of <c>sys.meta_path</c> that asks the host's finders (a native bridge's
    /// <c>import NAME</c>): reached only when no built-in module and nothing on the path has the name.</summary>
    private static PyType MakeNativeFinderType()
    {
        var t = new PyType("NativeLibraryFinder", PyType.ObjectType, null) { ModuleName = "invisible" };
        t.AddMethod("__repr__", (a, k) => PyStr.Of("<invisible.NativeLibraryFinder>"));
        t.AddMethod("find_spec", (a, k) =>
        {
            var args = FindSpecArgs.Parse(a, k);
            return Interp.Imports.NativeFind(args.Str(1)) ?? (PyObject)PyNone.Instance;
        });
        t.AddMethod("create_module", (a, k) =>
        {
            var spec = SpecArg.Parse(a, k)[1]!;
            return Ops.GetAttrOrNull(spec, SLoaderState) ?? PyNone.Instance;
        });
        t.AddMethod("exec_module", (a, k) => { ModuleArg.Parse(a, k); return PyNone.Instance; });
        t.AddMethod("invalidate_caches", (a, k) => PyNone.Instance);
        return t;
    }
}
