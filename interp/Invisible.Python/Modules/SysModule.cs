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
    /// <summary>The streams the interpreter was made with (<c>sys.__stdout__</c>, ...); the host may redirect their writers.</summary>
    public readonly PyFile Stdout, Stderr, Stdin;
    private static readonly PyStr SStdout = PyStr.Intern("stdout");

    internal SysModule(InterpreterState interp, TextWriter stdout, TextWriter stderr, TextReader stdin, string[] argv, string scriptDir)
    {
        Modules = new PyDict();
        Module = new PyModule("sys");
        var d = Module.ModDict;
        Stdout = new PyFile("<stdout>", "w", stdout, null, null, false, false);
        Stderr = new PyFile("<stderr>", "w", stderr, null, null, false, false);
        Stdin = new PyFile("<stdin>", "r", null, stdin, null, false, false);
        d.SetItem("stdout", Stdout); d.SetItem("stderr", Stderr); d.SetItem("stdin", Stdin);
        d.SetItem("__stdout__", Stdout); d.SetItem("__stderr__", Stderr); d.SetItem("__stdin__", Stdin);
        var av = new PyList();
        foreach (var a in argv) av.Append(PyStr.Of(a));
        d.SetItem("argv", av);
        var path = new PyList();
        path.Append(PyStr.Of(scriptDir));
        var extra = Environment.GetEnvironmentVariable("PYTHONPATH");
        if (!string.IsNullOrEmpty(extra)) foreach (var p in extra.Split(':')) if (p.Length > 0) path.Append(PyStr.Of(p));
        d.SetItem("path", path);
        d.SetItem("modules", Modules);
        d.SetItem("version", PyStr.Of("3.11.7 (invisible) [.NET]"));
        var vi = new PyTuple(new PyObject[] { PyInt.Get(3), PyInt.Get(11), PyInt.Get(7), PyStr.Of("final"), PyInt.Zero });
        d.SetItem("version_info", vi);
        d.SetItem("hexversion", PyInt.Get(0x030B07F0));
        d.SetItem("platform", PyStr.Of("linux"));
        d.SetItem("byteorder", PyStr.Of("little"));
        d.SetItem("maxsize", PyInt.Get(long.MaxValue));
        d.SetItem("maxunicode", PyInt.Get(0x10FFFF));
        d.SetItem("executable", PyStr.Of(Environment.ProcessPath ?? "invisible"));
        d.SetItem("implementation", new PyModule("implementation"));
        ((PyModule)d.GetOrNull("implementation")!).Add("name", PyStr.Of("invisible"));
        d.SetItem("builtin_module_names", new PyTuple(Array.ConvertAll(new System.Collections.Generic.List<string>(BuiltinModules.Names).ToArray(), s => (PyObject)PyStr.Of(s))));
        d.SetItem("dont_write_bytecode", PyBool.True);
        var fi = new PyModule("float_info");
        fi.Add("max", new PyFloat(double.MaxValue)); fi.Add("min", new PyFloat(2.2250738585072014e-308)); fi.Add("epsilon", new PyFloat(double.Epsilon > 0 ? 2.220446049250313e-16 : 0));
        fi.Add("dig", PyInt.Get(15)); fi.Add("mant_dig", PyInt.Get(53));
        d.SetItem("float_info", fi);
        Module.AddFn("exit", (a, k) =>
        {
            var args = ExitArgs.Parse(a, k);
            throw new PyException(PyBaseException.Create(PyBaseException.SystemExitType, args.Has(0) ? new[] { args[0]! } : Array.Empty<PyObject>()));
        });
        Module.AddFn("getrecursionlimit", (a, k) => { ArgParser.NoArgs("sys.getrecursionlimit", a, k); return PyInt.Get(interp.RecursionLimit); });
        Module.AddFn("setrecursionlimit", (a, k) =>
        {
            int n = SetRecursionLimitArgs.Parse(a, k).Int(0);
            if (n < 1) throw Ops.ValueError("recursion limit must be greater or equal than 1");
            // Capped: every thread's stack is checked anyway (PythonThread.StackExhausted), but on the 512 MiB
            // interpreter thread a deeper recursion gets slow to unwind (each GC walks the whole stack).
            interp.RecursionLimit = Math.Min(n, 200000);
            return PyNone.Instance;
        });
        Module.AddFn("exc_info", (a, k) =>
        {
            ArgParser.NoArgs("sys.exc_info", a, k);
            var e = ThreadState.Current.CurrentExc;
            if (e == null) return new PyTuple(new PyObject[] { PyNone.Instance, PyNone.Instance, PyNone.Instance });
            return new PyTuple(new PyObject[] { e.Type, e, PyNone.Instance });
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
        Module.AddFn("_getframe", (a, k) => { GetFrameArgs.Parse(a, k).Int(0); throw Ops.NotImplementedError("sys._getframe"); });
        Modules.SetItem(PyStr.Of("sys"), Module);
    }

    private static readonly ArgParser ExitArgs = new("exit", "status=None, /");
    private static readonly ArgParser SetRecursionLimitArgs = new("sys.setrecursionlimit", "limit, /");
    private static readonly ArgParser GetSizeOfArgs = new("getsizeof", "object, default=");
    private static readonly ArgParser InternArgs = new("sys.intern", "string, /");
    private static readonly ArgParser GetRefCountArgs = new("sys.getrefcount", "object, /");
    private static readonly ArgParser GetFrameArgs = new("_getframe", "depth=0, /");

    public void WriteStdout(string s)
    {
        var so = Module.ModDict.GetOrNull(SStdout);
        if (ReferenceEquals(so, Stdout)) { Stdout.Writer!.Write(s); return; }
        if (so is PyFile pf) { pf.Write(s); return; }
        if (so == null || so == PyNone.Instance) return;
        Ops.CallMethod(so, "write", PyStr.Of(s));
    }

    public void WriteStderr(string s)
    {
        var se = Module.ModDict.GetOrNull("stderr");
        if (se is PyFile pf) { pf.Writer?.Write(s); return; }
        if (se == null || se == PyNone.Instance) return;
        Ops.CallMethod(se, "write", PyStr.Of(s));
    }

    public void FlushStdout()
    {
        var so = Module.ModDict.GetOrNull(SStdout);
        if (so is PyFile pf) pf.Writer?.Flush();
        else if (so != null) { var f = Ops.GetAttrOrNull(so, PyStr.Intern("flush")); if (f != null) Ops.Call0(f); }
    }

    public string? ReadStdinLine()
    {
        var si = Module.ModDict.GetOrNull("stdin");
        if (si is PyFile pf)
        {
            var l = pf.ReadLine();
            if (l.Length == 0) return null;
            return l.EndsWith('\n') ? l.Substring(0, l.Length - 1) : l;
        }
        var r = Ops.CallMethod(si!, "readline");
        var s = Ops.Str(r);
        if (s.Length == 0) return null;
        return s.TrimEnd('\n');
    }
}
