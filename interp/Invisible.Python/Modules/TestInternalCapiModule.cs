using System;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;
using ThreadState = Invisible.Python.Vm.ThreadState;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>_testinternalcapi</c> (Modules/_testinternalcapi.c), the few functions CPython's own test suite needs
/// to decide what it tests: <c>get_config()</c> (the interpreter's configuration as a dict, as CPython's
/// <c>PyConfig</c>: <c>test.support.has_no_debug_ranges()</c> reads <c>code_debug_ranges</c>, which says whether code
/// objects report column positions), <c>get_recursion_depth()</c> (the Python frames of the calling thread, the count
/// <c>sys.getrecursionlimit()</c> limits) and <c>SIZEOF_PYGC_HEAD</c>. The module is a test aid, as in CPython.
/// </summary>
public static class TestInternalCapiModule
{
    public static PyModule Create(InterpreterState interp)
    {
        var m = new PyModule("_testinternalcapi");
        m.Add("SIZEOF_PYGC_HEAD", PyInt.Get(16));
        m.AddFn("get_config", (a, k) => { ArgParser.NoArgs("get_config", a, k); return Config(interp); });
        m.AddFn("get_recursion_depth", (a, k) =>
        {
            ArgParser.NoArgs("get_recursion_depth", a, k);
            return PyInt.Get(ThreadState.Current.Depth);
        });
        return m;
    }

    private static PyObject Sys(InterpreterState interp, string name) =>
        interp.Sys.Module.ModDict.GetOrNull(PyStr.Of(name)) ?? PyNone.Instance;

    private static PyObject ListOf(PyObject o) => o is PyList l ? new PyList(l.Items.AsSpan(0, l.Count).ToArray()) : new PyList();

    /// <summary>CPython's config dict, from the options the interpreter was made with and its current <c>sys</c>.</summary>
    private static PyDict Config(InterpreterState interp)
    {
        var opt = interp.Sys.Options;
        var d = new PyDict();
        void I(string key, long v) => d.SetItem(PyStr.Of(key), PyInt.Get(v));
        void O(string key, PyObject v) => d.SetItem(PyStr.Of(key), v);
        I("_config_init", 2);
        I("isolated", opt.Isolated ? 1 : 0);
        I("use_environment", opt.EffectiveIgnoreEnvironment ? 0 : 1);
        I("dev_mode", 0);
        I("install_signal_handlers", opt.InsideTarget ? 0 : 1);
        I("faulthandler", 0);
        I("tracemalloc", 0);
        I("import_time", 0);
        I("code_debug_ranges", opt.NoDebugRanges ? 0 : 1); // code objects carry columns (PEP 657) unless turned off
        I("show_ref_count", 0);
        I("dump_refs", 0);
        I("malloc_stats", 0);
        O("filesystem_encoding", PyStr.Of("utf-8"));
        O("filesystem_errors", PyStr.Of("surrogateescape"));
        O("pycache_prefix", Sys(interp, "pycache_prefix"));
        O("program_name", Sys(interp, "executable"));
        O("argv", ListOf(Sys(interp, "argv")));
        O("orig_argv", ListOf(Sys(interp, "orig_argv")));
        var xoptions = new PyList();
        foreach (var x in opt.XOptions) xoptions.Append(PyStr.Of(x));
        O("xoptions", xoptions);
        var warnoptions = new PyList();
        foreach (var w in opt.WarnOptions) warnoptions.Append(PyStr.Of(w));
        O("warnoptions", warnoptions);
        O("module_search_paths", ListOf(Sys(interp, "path")));
        I("module_search_paths_set", 1);
        foreach (var name in new[] { "executable", "prefix", "base_prefix", "exec_prefix", "base_exec_prefix", "platlibdir" })
            O(name, Sys(interp, name));
        O("base_executable", Sys(interp, "_base_executable"));
        I("site_import", opt.NoSite ? 0 : 1);
        I("bytes_warning", opt.BytesWarning);
        I("warn_default_encoding", 0);
        I("inspect", opt.Inspect ? 1 : 0);
        I("interactive", 0);
        I("optimization_level", opt.Optimize);
        I("parser_debug", 0);
        I("write_bytecode", opt.DontWriteBytecode ? 0 : 1);
        I("verbose", opt.Verbose);
        I("quiet", opt.Quiet ? 1 : 0);
        I("user_site_directory", opt.EffectiveNoUserSite ? 0 : 1);
        I("buffered_stdio", opt.Unbuffered ? 0 : 1);
        O("stdio_encoding", PyStr.Of("utf-8"));
        O("stdio_errors", PyStr.Of("strict"));
        I("safe_path", opt.EffectiveSafePath ? 1 : 0);
        I("use_frozen_modules", 0);
        I("_is_python_build", 0);
        return d;
    }
}
