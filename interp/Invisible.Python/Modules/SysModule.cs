using System;
using System.IO;
using Invisible.Python.Builtins;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.Python.Modules;

/// <summary>One interpreter's <c>sys</c> module (<see cref="InterpreterState.Sys"/>): its streams, argv, path and
/// <c>sys.modules</c>, and the writes the interpreter itself makes to <c>sys.stdout</c>/<c>sys.stderr</c>.</summary>
public sealed class SysModule
{
    public readonly PyModule Module;
    /// <summary><c>sys.modules</c>.</summary>
    public readonly PyDict Modules;
    /// <summary>The streams the interpreter was made with (<c>sys.__stdout__</c>, ...): <c>_io.TextIOWrapper</c>s over
    /// BufferedWriter/BufferedReader over FileIO(0/1/2) as CPython's, whose bytes go to the host's writers
    /// (<see cref="Io.HostStdio"/>; <see cref="SetHostWriters"/> redirects them).</summary>
    public readonly Io.TextIOWrapper Stdout, Stderr, Stdin;
    private readonly Io.HostStdio _hostOut, _hostErr, _hostIn;
    private static readonly PyStr SStdout = PyStr.Intern("stdout");

    /// <summary>Where CPython's pure-Python standard library is (Debian's libpython3.11-stdlib).</summary>
    public const string DefaultPrefix = "/usr";
    public const string StdlibVersion = "python3.11";
    /// <summary>Our <c>sys.implementation.cache_tag</c> (compiled-code cache files are ours, never CPython's .pyc).</summary>
    public static readonly string CacheTag = "invisible-311-c" + MarshalModule.CodeFormatVersion;

    private static readonly StructSeq FlagsType = new("sys.flags", "debug", "inspect", "interactive", "optimize", "dont_write_bytecode",
        "no_user_site", "no_site", "ignore_environment", "verbose", "bytes_warning", "quiet", "hash_randomization", "isolated",
        "dev_mode", "utf8_mode", "warn_default_encoding", "safe_path", "int_max_str_digits");
    private static readonly StructSeq VersionInfoType = new("sys.version_info", "major", "minor", "micro", "releaselevel", "serial");
    private static readonly StructSeq FloatInfoType = new("sys.float_info", "max", "max_exp", "max_10_exp", "min", "min_exp",
        "min_10_exp", "dig", "mant_dig", "epsilon", "radix", "rounds");
    private static readonly StructSeq IntInfoType = new("sys.int_info", "bits_per_digit", "sizeof_digit", "default_max_str_digits", "str_digits_check_threshold");
    private static readonly StructSeq HashInfoType = new("sys.hash_info", "width", "modulus", "inf", "nan", "imag", "algorithm", "hash_bits", "seed_bits", "cutoff");
    private static readonly StructSeq AsyncGenHooksType = new("", "asyncgen_hooks", new[] { "firstiter", "finalizer" }, 2);
    private static readonly ArgParser SetAsyncGenHooksArgs = new("sys.set_asyncgen_hooks", "firstiter=None, finalizer=None");
    private static readonly StructSeq ThreadInfoType = new("sys.thread_info", "name", "lock", "version");

    /// <summary>The default <c>sys.path</c> (CPython's, see <c>Modules/getpath.py</c> and <c>site</c>): the script's
    /// directory (or '' for -c and the prompt) unless -P/-I; PYTHONPATH then INVISIBLE_PYTHONPATH unless -E/-I; our
    /// embedded modules; CPython's Lib (<c>PREFIX/lib/python3.11</c>); the site-packages directories that exist unless
    /// -S (the user's unless -s/-I).</summary>
    public static PyList DefaultPath(PythonOptions o, string scriptDir, string prefix)
    {
        var path = new PyList();
        if (!o.EffectiveSafePath) path.Append(PyStr.Of(scriptDir));
        if (!o.EffectiveIgnoreEnvironment)
            foreach (var variable in new[] { "PYTHONPATH", "INVISIBLE_PYTHONPATH" })
            {
                var extra = Environment.GetEnvironmentVariable(variable);
                if (!string.IsNullOrEmpty(extra)) foreach (var p in extra.Split(':')) if (p.Length > 0) path.Append(PyStr.Of(p));
            }
        path.Append(PyStr.Of(Importing.EmbeddedLib.PathEntry));
        path.Append(PyStr.Of(prefix + "/lib/" + StdlibVersion));
        if (!o.NoSite)
        {
            var sites = new System.Collections.Generic.List<string>();
            var home = Environment.GetEnvironmentVariable("HOME");
            if (!o.EffectiveNoUserSite && !string.IsNullOrEmpty(home)) sites.Add(home + "/.local/lib/" + StdlibVersion + "/site-packages");
            // Debian's site.getsitepackages()
            sites.Add("/usr/local/lib/" + StdlibVersion + "/dist-packages");
            sites.Add("/usr/lib/python3/dist-packages");
            sites.Add("/usr/lib/" + StdlibVersion + "/dist-packages");
            foreach (var s in sites) if (Directory.Exists(s)) path.Append(PyStr.Of(s));
        }
        return path;
    }

    /// <summary>The options this interpreter was made with.</summary>
    public PythonOptions Options { get; }

    internal SysModule(InterpreterState interp, TextWriter stdout, TextWriter stderr, TextReader stdin, string[] argv, string scriptDir, PythonOptions? options = null)
    {
        var opt = options ?? new PythonOptions();
        Options = opt;
        string prefix = DefaultPrefix;
        if (!opt.EffectiveIgnoreEnvironment && Environment.GetEnvironmentVariable("PYTHONHOME") is { Length: > 0 } home) prefix = home.Split(':')[0];
        Modules = new PyDict();
        Module = new PyModule("sys");
        var d = Module.ModDict;
        Io.IoModule.EnsureTypes();
        _hostOut = new Io.HostStdio(stdout, null, opt.OwnsConsole);
        _hostErr = new Io.HostStdio(stderr, null, opt.OwnsConsole);
        _hostIn = new Io.HostStdio(null, stdin, opt.OwnsConsole);
        Stdin = MakeStdio(0, "<stdin>", _hostIn, false, opt.Unbuffered, "strict");
        Stdout = MakeStdio(1, "<stdout>", _hostOut, true, opt.Unbuffered, "strict");
        Stderr = MakeStdio(2, "<stderr>", _hostErr, true, opt.Unbuffered, "backslashreplace");
        d.SetItem("stdout", Stdout); d.SetItem("stderr", Stderr); d.SetItem("stdin", Stdin);
        d.SetItem("__stdout__", Stdout); d.SetItem("__stderr__", Stderr); d.SetItem("__stdin__", Stdin);
        var av = new PyList();
        foreach (var a in argv) av.Append(PyStr.Of(a));
        d.SetItem("argv", av);
        d.SetItem("path", DefaultPath(opt, scriptDir, prefix));
        d.SetItem("modules", Modules);
        d.SetItem("meta_path", new PyList());
        d.SetItem("path_hooks", new PyList());
        d.SetItem("path_importer_cache", new PyDict());
        var vi = VersionInfoType.Make(PyInt.Get(3), PyInt.Get(11), PyInt.Get(7), PyStr.Of("final"), PyInt.Zero);
        d.SetItem("version", PyStr.Of("3.11.7 (invisible) [.NET]"));
        d.SetItem("version_info", vi);
        d.SetItem("hexversion", PyInt.Get(0x030B07F0));
        d.SetItem("api_version", PyInt.Get(1013));
        d.SetItem("platform", PyStr.Of("linux"));
        d.SetItem("byteorder", PyStr.Of("little"));
        d.SetItem("maxsize", PyInt.Get(long.MaxValue));
        d.SetItem("maxunicode", PyInt.Get(0x10FFFF));
        d.SetItem("executable", PyStr.Of(opt.Executable ?? Environment.ProcessPath ?? "invisible"));
        d.SetItem("_base_executable", PyStr.Of(opt.Executable ?? Environment.ProcessPath ?? "invisible"));
        foreach (var name in new[] { "prefix", "base_prefix", "exec_prefix", "base_exec_prefix" }) d.SetItem(name, PyStr.Of(prefix));
        d.SetItem("platlibdir", PyStr.Of("lib"));
        d.SetItem("pycache_prefix", PyNone.Instance);
        var impl = new PyModule("implementation");
        impl.ModDict.Remove(PyStr.S___name__); impl.ModDict.Remove(PyStr.S___doc__);
        impl.Add("name", PyStr.Of("invisible"));
        impl.Add("cache_tag", PyStr.Of(CacheTag));
        impl.Add("version", vi);
        impl.Add("hexversion", PyInt.Get(0x030B07F0));
        impl.Add("_multiarch", PyStr.Of("x86_64-linux-gnu"));
        d.SetItem("implementation", impl);
        d.SetItem("builtin_module_names", new PyTuple(Array.ConvertAll(new System.Collections.Generic.List<string>(BuiltinModules.Names).ToArray(), s => (PyObject)PyStr.Of(s))));
        d.SetItem("dont_write_bytecode", PyBool.Of(opt.DontWriteBytecode));
        PyObject I(int v) => PyInt.Get(v);
        d.SetItem("flags", FlagsType.Make(I(0), I(opt.Inspect ? 1 : 0), I(opt.Inspect ? 1 : 0), I(opt.Optimize), I(opt.DontWriteBytecode ? 1 : 0),
            I(opt.EffectiveNoUserSite ? 1 : 0), I(opt.NoSite ? 1 : 0), I(opt.EffectiveIgnoreEnvironment ? 1 : 0), I(opt.Verbose), I(opt.BytesWarning),
            I(opt.Quiet ? 1 : 0), I(1), I(opt.Isolated ? 1 : 0), PyBool.Of(opt.XOptions.Contains("dev")),
            I(opt.XOptions.Contains("utf8") || opt.XOptions.Contains("utf8=1") ? 1 : 0), I(0), PyBool.Of(opt.EffectiveSafePath), I(opt.IntMaxStrDigits)));
        var warn = new PyList();
        foreach (var w in opt.WarnOptions) warn.Append(PyStr.Of(w));
        d.SetItem("warnoptions", warn);
        var xo = new PyDict();
        foreach (var x in opt.XOptions)
        {
            int eq = x.IndexOf('=');
            if (eq < 0) xo.SetItem(PyStr.Of(x), PyBool.True); else xo.SetItem(PyStr.Of(x.Substring(0, eq)), PyStr.Of(x.Substring(eq + 1)));
        }
        d.SetItem("_xoptions", xo);
        var orig = new PyList();
        foreach (var a in opt.OrigArgv) orig.Append(PyStr.Of(a));
        d.SetItem("orig_argv", orig);
        d.SetItem("float_info", FloatInfoType.Make(new PyFloat(double.MaxValue), I(1024), I(308), new PyFloat(2.2250738585072014e-308), I(-1021), I(-307),
            I(15), I(53), new PyFloat(2.220446049250313e-16), I(2), I(1)));
        d.SetItem("int_info", IntInfoType.Make(I(30), I(4), I(PyInt.DefaultMaxStrDigits), I(PyInt.MaxStrDigitsThreshold)));
        d.SetItem("hash_info", HashInfoType.Make(I(64), PyInt.Get(2305843009213693951L), I(314159), I(0), I(1000003), PyStr.Of("siphash13"), I(64), I(128), I(0)));
        d.SetItem("thread_info", ThreadInfoType.Make(PyStr.Of("pthread"), PyStr.Of("semaphore"), PyNone.Instance));
        d.SetItem("float_repr_style", PyStr.Of("short"));
        d.SetItem("abiflags", PyStr.Of(""));
        d.SetItem("copyright", PyStr.Of("Copyright (c) 2001-2023 Python Software Foundation.\nAll Rights Reserved."));
        Module.AddFn("exit", (a, k) =>
        {
            var args = ExitArgs.Parse(a, k);
            throw new PyException(PyBaseException.Create(PyBaseException.SystemExitType, args.Has(0) ? new[] { args[0]! } : Array.Empty<PyObject>()));
        });
        Module.AddFn("set_asyncgen_hooks", (a, k) =>
        {
            var args = SetAsyncGenHooksArgs.Parse(a, k);
            PyObject? first = args.Has(0) ? args.Get(0) : null, fin = args.Has(1) ? args.Get(1) : null;
            if (fin != null && fin != PyNone.Instance && !fin.IsCallable) throw Ops.TypeError($"callable finalizer expected, got {fin.Type.Name}");
            if (first != null && first != PyNone.Instance && !first.IsCallable) throw Ops.TypeError($"callable firstiter expected, got {first.Type.Name}");
            if (fin != null) interp.AsyncGenFinalizer = fin == PyNone.Instance ? null : fin;
            if (first != null) interp.AsyncGenFirstIter = first == PyNone.Instance ? null : first;
            return PyNone.Instance;
        });
        Module.AddFn("get_asyncgen_hooks", (a, k) =>
        {
            ArgParser.NoArgs("sys.get_asyncgen_hooks", a, k);
            return AsyncGenHooksType.Make(interp.AsyncGenFirstIter ?? PyNone.Instance, interp.AsyncGenFinalizer ?? PyNone.Instance);
        });
        Module.AddFn("getrecursionlimit", (a, k) => { ArgParser.NoArgs("sys.getrecursionlimit", a, k); return PyInt.Get(interp.RecursionLimit); });
        Module.AddFn("setrecursionlimit", (a, k) =>
        {
            int n = SetRecursionLimitArgs.Parse(a, k).Int(0);
            if (n < 1) throw Ops.ValueError("recursion limit must be greater or equal than 1");
            // as CPython: a limit at or below the current depth would fail at once, so it is refused
            int depth = ThreadState.Current.Depth;
            if (depth >= n)
                throw Ops.Exc(PyBaseException.RecursionErrorType, $"cannot set the recursion limit to {n} at the recursion depth {depth}: the limit is too low");
            // Capped: every thread's stack is checked anyway (PythonThread.StackExhausted), but on the 512 MiB
            // interpreter thread a deeper recursion gets slow to unwind (each GC walks the whole stack).
            interp.RecursionLimit = Math.Min(n, 200000);
            return PyNone.Instance;
        });
        Module.AddFn("get_int_max_str_digits", (a, k) => { ArgParser.NoArgs("sys.get_int_max_str_digits", a, k); return PyInt.Get(interp.IntMaxStrDigits); });
        Module.AddFn("set_int_max_str_digits", (a, k) =>
        {
            int n = SetIntMaxStrDigitsArgs.Parse(a, k).Int(0);
            if (n != 0 && n < PyInt.MaxStrDigitsThreshold) throw Ops.ValueError($"maxdigits must be 0 or larger than {PyInt.MaxStrDigitsThreshold}");
            interp.IntMaxStrDigits = n;
            return PyNone.Instance;
        });
        Module.AddFn("exc_info", (a, k) =>
        {
            ArgParser.NoArgs("sys.exc_info", a, k);
            var e = ThreadState.Current.CurrentExc;
            if (e == null) return new PyTuple(new PyObject[] { PyNone.Instance, PyNone.Instance, PyNone.Instance });
            return new PyTuple(new PyObject[] { e.Type, e, e.TracebackObject() });
        });
        Module.AddFn("exception", (a, k) => { ArgParser.NoArgs("sys.exception", a, k); return (PyObject?)ThreadState.Current.CurrentExc ?? PyNone.Instance; });
        Module.AddFn("getsizeof", (a, k) =>
        {
            var o = GetSizeOfArgs.Parse(a, k)[0]!;
            return PyInt.Get(o is PyStr s ? 49 + s.Value.Length : o is PyList l ? 56 + 8 * l.Count : 28);
        });
        Module.AddFn("intern", (a, k) => PyStr.Intern(InternArgs.Parse(a, k).Str(0)));
        Module.AddFn("getdefaultencoding", (a, k) => { ArgParser.NoArgs("sys.getdefaultencoding", a, k); return PyStr.Of("utf-8"); });
        Module.AddFn("getrefcount", (a, k) => { GetRefCountArgs.Parse(a, k); return PyInt.Get(2); });
        Module.AddFn("_getframe", (a, k) =>
        {
            long depth = GetFrameArgs.Parse(a, k).Int(0);
            var f = ThreadState.Current.CurrentFrame;
            for (; depth > 0 && f != null; depth--) f = f.Back;
            if (f == null) throw Ops.ValueError("call stack is not deep enough");
            return PyFrameObject.Of(f);
        });
        AddHooksAndQueries(interp, d);
        Modules.SetItem(PyStr.Of("sys"), Module);
    }

    private static readonly ArgParser ExitArgs = new("exit", "status=None, /");
    private static readonly ArgParser SetIntMaxStrDigitsArgs = new("set_int_max_str_digits", "maxdigits");
    private static readonly ArgParser SetRecursionLimitArgs = new("sys.setrecursionlimit", "limit, /");
    private static readonly ArgParser GetSizeOfArgs = new("getsizeof", "object, default=");
    private static readonly ArgParser InternArgs = new("sys.intern", "string, /");
    private static readonly ArgParser GetRefCountArgs = new("sys.getrefcount", "object, /");
    private static readonly ArgParser GetFrameArgs = new("_getframe", "depth=0, /");

    private static readonly string[] StdlibModuleNames = { "__future__", "_abc", "_aix_support", "_ast", "_asyncio", "_bisect", "_blake2", "_bootsubprocess", "_bz2", "_codecs", "_codecs_cn", "_codecs_hk", "_codecs_iso2022", "_codecs_jp", "_codecs_kr", "_codecs_tw", "_collections", "_collections_abc", "_compat_pickle", "_compression", "_contextvars", "_crypt", "_csv", "_ctypes", "_curses", "_curses_panel", "_datetime", "_dbm", "_decimal", "_elementtree", "_frozen_importlib", "_frozen_importlib_external", "_functools", "_gdbm", "_hashlib", "_heapq", "_imp", "_io", "_json", "_locale", "_lsprof", "_lzma", "_markupbase", "_md5", "_msi", "_multibytecodec", "_multiprocessing", "_opcode", "_operator", "_osx_support", "_overlapped", "_pickle", "_posixshmem", "_posixsubprocess", "_py_abc", "_pydecimal", "_pyio", "_queue", "_random", "_scproxy", "_sha1", "_sha256", "_sha3", "_sha512", "_signal", "_sitebuiltins", "_socket", "_sqlite3", "_sre", "_ssl", "_stat", "_statistics", "_string", "_strptime", "_struct", "_symtable", "_thread", "_threading_local", "_tkinter", "_tokenize", "_tracemalloc", "_typing", "_uuid", "_warnings", "_weakref", "_weakrefset", "_winapi", "_zoneinfo", "abc", "aifc", "antigravity", "argparse", "array", "ast", "asynchat", "asyncio", "asyncore", "atexit", "audioop", "base64", "bdb", "binascii", "bisect", "builtins", "bz2", "cProfile", "calendar", "cgi", "cgitb", "chunk", "cmath", "cmd", "code", "codecs", "codeop", "collections", "colorsys", "compileall", "concurrent", "configparser", "contextlib", "contextvars", "copy", "copyreg", "crypt", "csv", "ctypes", "curses", "dataclasses", "datetime", "dbm", "decimal", "difflib", "dis", "distutils", "doctest", "email", "encodings", "ensurepip", "enum", "errno", "faulthandler", "fcntl", "filecmp", "fileinput", "fnmatch", "fractions", "ftplib", "functools", "gc", "genericpath", "getopt", "getpass", "gettext", "glob", "graphlib", "grp", "gzip", "hashlib", "heapq", "hmac", "html", "http", "idlelib", "imaplib", "imghdr", "imp", "importlib", "inspect", "io", "ipaddress", "itertools", "json", "keyword", "lib2to3", "linecache", "locale", "logging", "lzma", "mailbox", "mailcap", "marshal", "math", "mimetypes", "mmap", "modulefinder", "msilib", "msvcrt", "multiprocessing", "netrc", "nis", "nntplib", "nt", "ntpath", "nturl2path", "numbers", "opcode", "operator", "optparse", "os", "ossaudiodev", "pathlib", "pdb", "pickle", "pickletools", "pipes", "pkgutil", "platform", "plistlib", "poplib", "posix", "posixpath", "pprint", "profile", "pstats", "pty", "pwd", "py_compile", "pyclbr", "pydoc", "pydoc_data", "pyexpat", "queue", "quopri", "random", "re", "readline", "reprlib", "resource", "rlcompleter", "runpy", "sched", "secrets", "select", "selectors", "shelve", "shlex", "shutil", "signal", "site", "smtpd", "smtplib", "sndhdr", "socket", "socketserver", "spwd", "sqlite3", "sre_compile", "sre_constants", "sre_parse", "ssl", "stat", "statistics", "string", "stringprep", "struct", "subprocess", "sunau", "symtable", "sys", "sysconfig", "syslog", "tabnanny", "tarfile", "telnetlib", "tempfile", "termios", "textwrap", "this", "threading", "time", "timeit", "tkinter", "token", "tokenize", "tomllib", "trace", "traceback", "tracemalloc", "tty", "turtle", "turtledemo", "types", "typing", "unicodedata", "unittest", "urllib", "uu", "uuid", "venv", "warnings", "wave", "weakref", "webbrowser", "winreg", "winsound", "wsgiref", "xdrlib", "xml", "xmlrpc", "zipapp", "zipfile", "zipimport", "zlib", "zoneinfo" };
    private static readonly ArgParser CallTracingArgs = new("call_tracing", "func, args, /");
    private static readonly ArgParser SetSwitchArgs = new("setswitchinterval", "interval, /");
    private static readonly ArgParser DisplayHookArgs = new("sys.displayhook", "object, /");
    private static readonly ArgParser ExceptHookArgs = new("excepthook", "exctype, value, traceback, /");
    private static readonly ArgParser UnraisableArgs = new("sys.unraisablehook", "unraisable, /");
    private static readonly ArgParser AddAuditHookArgs = new("addaudithook", "hook");
    private static readonly ArgParser SetTraceArgs = new("sys.settrace", "function, /");
    private static readonly ArgParser SetProfileArgs = new("sys.setprofile", "function, /");

    /// <summary>The hooks (displayhook, excepthook, unraisablehook, audit) and the queries pure-Python code reads
    /// (filesystem encoding, switch interval, stdlib_module_names, ...). Their state is this interpreter's.</summary>
    private void AddHooksAndQueries(InterpreterState interp, PyDict d)
    {
        var names = new PyObject[StdlibModuleNames.Length];
        for (int i = 0; i < names.Length; i++) names[i] = PyStr.Intern(StdlibModuleNames[i]);
        d.SetItem("stdlib_module_names", Ops.Call(PyFrozenSetType(), new PyObject[] { new PyTuple(names) }));
        Module.AddFn("getfilesystemencoding", (a, k) => { ArgParser.NoArgs("sys.getfilesystemencoding", a, k); return PyStr.Of("utf-8"); });
        Module.AddFn("getfilesystemencodeerrors", (a, k) => { ArgParser.NoArgs("sys.getfilesystemencodeerrors", a, k); return PyStr.Of("surrogateescape"); });
        Module.AddFn("is_finalizing", (a, k) => { ArgParser.NoArgs("sys.is_finalizing", a, k); return PyBool.False; });
        Module.AddFn("getdlopenflags", (a, k) => { ArgParser.NoArgs("sys.getdlopenflags", a, k); return PyInt.Get(2); });
        Module.AddFn("getallocatedblocks", (a, k) => { ArgParser.NoArgs("sys.getallocatedblocks", a, k); return PyInt.Zero; });
        Module.AddFn("_clear_type_cache", (a, k) => { ArgParser.NoArgs("sys._clear_type_cache", a, k); return PyNone.Instance; });
        Module.AddFn("call_tracing", (a, k) =>
        {
            var args = CallTracingArgs.Parse(a, k);
            if (args[1] is not PyTuple t) throw args.BadArgument(1, "tuple", args[1]!);
            return Ops.Call(args[0]!, t.Items);
        });
        // the interpreter lock's: how long a thread runs Python while another one waits for the lock
        Module.AddFn("getswitchinterval", (a, k) => { ArgParser.NoArgs("sys.getswitchinterval", a, k); return new PyFloat(interp.Lock.SwitchInterval); });
        Module.AddFn("setswitchinterval", (a, k) =>
        {
            double v = SetSwitchArgs.Parse(a, k).Double(0);
            if (!(v > 0)) throw Ops.ValueError("switch interval must be strictly positive");
            interp.Lock.SwitchInterval = v;
            return PyNone.Instance;
        });
        var displayhook = new PyBuiltinFunction("displayhook", (a, k) =>
        {
            var o = DisplayHookArgs.Parse(a, k)[0]!;
            if (o == PyNone.Instance) return PyNone.Instance;
            var underscore = PyStr.Intern("_");
            interp.Builtins.SetItem(underscore, PyNone.Instance);
            WriteStdout(Ops.Repr(o) + "\n");
            interp.Builtins.SetItem(underscore, o);
            return PyNone.Instance;
        });
        d.SetItem("displayhook", displayhook); d.SetItem("__displayhook__", displayhook);
        var excepthook = new PyBuiltinFunction("excepthook", (a, k) =>
        {
            var args = ExceptHookArgs.Parse(a, k);
            if (args[1] is PyBaseException e)
            {
                string text;
                try { text = e.FormatTraceback(interp.SourceLine); } catch (PyException) { text = e.Type.Name + "\n"; }
                WriteStderr(text);
            }
            else WriteStderr("TypeError: print_exception(): Exception expected for value, " + args[1]!.Type.Name + " found\n");
            return PyNone.Instance;
        });
        d.SetItem("excepthook", excepthook); d.SetItem("__excepthook__", excepthook);
        var unraisable = new PyBuiltinFunction("unraisablehook", (a, k) =>
        {
            var u = UnraisableArgs.Parse(a, k)[0]!;
            var msg = Ops.GetAttrOrNull(u, PyStr.Intern("err_msg")) is PyStr m ? m.Value : "Exception ignored in";
            var obj = Ops.GetAttrOrNull(u, PyStr.Intern("object"));
            WriteStderr(obj != null && obj != PyNone.Instance ? msg + ": " + Ops.Repr(obj) + "\n" : msg + "\n");
            if (Ops.GetAttrOrNull(u, PyStr.Intern("exc_value")) is PyBaseException e)
            {
                string text;
                try { text = e.FormatTraceback(interp.SourceLine); } catch (PyException) { text = e.Type.Name + "\n"; }
                WriteStderr(text);
            }
            return PyNone.Instance;
        });
        d.SetItem("unraisablehook", unraisable); d.SetItem("__unraisablehook__", unraisable);
        var auditHooks = new System.Collections.Generic.List<PyObject>();
        Module.AddFn("addaudithook", (a, k) => { auditHooks.Add(AddAuditHookArgs.Parse(a, k)[0]!); return PyNone.Instance; });
        Module.AddFn("audit", (a, k) =>
        {
            ArgParser.NoKeywords("audit", k);
            if (a.Length == 0) throw Ops.TypeError("audit() missing 1 required positional argument: 'event'");
            if (a[0] is not PyStr) throw Ops.TypeError($"expected str for argument 'event', not {a[0].Type.Name}");
            if (auditHooks.Count == 0) return PyNone.Instance;
            var eventArgs = new PyTuple(a.Slice(1).ToArray());
            foreach (var h in auditHooks.ToArray()) Ops.CallArgs(h, a[0], eventArgs);
            return PyNone.Instance;
        });
        // settrace/setprofile: kept and returned; the VM does not call them yet (frames and line events are WP4's)
        PyObject trace = PyNone.Instance, profile = PyNone.Instance;
        Module.AddFn("settrace", (a, k) => { trace = SetTraceArgs.Parse(a, k)[0]!; return PyNone.Instance; });
        Module.AddFn("gettrace", (a, k) => { ArgParser.NoArgs("sys.gettrace", a, k); return trace; });
        Module.AddFn("setprofile", (a, k) => { profile = SetProfileArgs.Parse(a, k)[0]!; return PyNone.Instance; });
        Module.AddFn("getprofile", (a, k) => { ArgParser.NoArgs("sys.getprofile", a, k); return profile; });
    }

    private static PyObject PyFrozenSetType() => PySet.FrozenSetType;

    /// <summary>CPython's create_stdio: stdin is always buffered (TextIOWrapper wants read1); with -u the writers'
    /// buffer is the raw FileIO and the text layer writes through; stdout is line-buffered on a terminal, stderr
    /// always.</summary>
    private static Io.TextIOWrapper MakeStdio(int fd, string name, Io.HostStdio host, bool write, bool unbuffered, string errors)
    {
        var raw = Io.FileIO.ForHost(fd, name, host, write);
        bool buffered = !(unbuffered && write);
        PyObject buffer = buffered ? Io.Buffered.Over(raw, write) : raw;
        bool lineBuffering = buffered && write && (fd == 2 || raw.IsATty);
        return Io.TextIOWrapper.ForStdio(buffer, errors, lineBuffering, !buffered, write ? "w" : "r");
    }

    /// <summary>Sends what the standard streams write to new host writers from now on (what is buffered is flushed to
    /// the old ones first); <paramref name="flushEachWrite"/>: no buffering from now on (C exit handlers run next).</summary>
    public void SetHostWriters(TextWriter stdout, TextWriter stderr, bool flushEachWrite)
    {
        try { Stdout.FlushAll(); } catch (PyException) { }
        try { Stderr.FlushAll(); } catch (PyException) { }
        _hostOut.Writer = stdout;
        _hostErr.Writer = stderr;
        Stdout.FlushEachWrite = Stderr.FlushEachWrite = flushEachWrite;
    }

    /// <summary>From now on the standard streams flush every write (C is about to exit: its handlers print in order).</summary>
    public void MakeUnbuffered() => Stdout.FlushEachWrite = Stderr.FlushEachWrite = true;

    /// <summary>The host's writer under sys.__stdout__.</summary>
    public TextWriter? StdoutWriter => _hostOut.Writer;

    /// <summary>Flush sys.stderr (the object in sys now) and the host's writer under sys.__stderr__.</summary>
    public void FlushStderr()
    {
        var se = Module.ModDict.GetOrNull("stderr");
        if (se is Io.TextIOWrapper tw && !tw.Type.IsHeap) { if (!tw.IsClosedStream) tw.FlushAll(); }
        else if (se != null && se != PyNone.Instance) { var f = Ops.GetAttrOrNull(se, PyStr.Intern("flush")); if (f != null) Ops.Call0(f); }
        _hostErr.Flush();
    }

    public void WriteStdout(string s)
    {
        var so = Module.ModDict.GetOrNull(SStdout);
        if (ReferenceEquals(so, Stdout)) { Stdout.Write(s); return; }
        if (so == null || so == PyNone.Instance) return;
        Ops.CallMethod(so, "write", PyStr.Of(s));
    }

    public void WriteStderr(string s)
    {
        var se = Module.ModDict.GetOrNull("stderr");
        if (ReferenceEquals(se, Stderr)) { Stderr.Write(s); return; }
        if (se == null || se == PyNone.Instance) return;
        Ops.CallMethod(se, "write", PyStr.Of(s));
    }

    public void FlushStdout()
    {
        var so = Module.ModDict.GetOrNull(SStdout);
        if (so is Io.TextIOWrapper tw && !tw.Type.IsHeap) { if (!tw.IsClosedStream) tw.FlushAll(); }
        else if (so != null && so != PyNone.Instance) { var f = Ops.GetAttrOrNull(so, PyStr.Intern("flush")); if (f != null) Ops.Call0(f); }
        _hostOut.Flush();
    }

    public string? ReadStdinLine()
    {
        var si = Module.ModDict.GetOrNull("stdin");
        if (si is Io.TextIOWrapper tw && !tw.Type.IsHeap)
        {
            var l = tw.ReadLine(-1);
            if (l.Length == 0) return null;
            return l.EndsWith('\n') ? l.Substring(0, l.Length - 1) : l;
        }
        var r = Ops.CallMethod(si!, "readline");
        var s = Ops.Str(r);
        if (s.Length == 0) return null;
        return s.TrimEnd('\n');
    }
}
