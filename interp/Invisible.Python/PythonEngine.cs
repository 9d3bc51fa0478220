using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using Invisible.Python.Ast;
using Invisible.Python.Compiler;
using Invisible.Python.Lexing;
using Invisible.Python.Modules;
using Invisible.Python.Parsing;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.Python;

/// <summary>Embedding API: one interpreter (<see cref="Interpreter"/>: builtins, sys, modules, lock, thread states)
/// with its <c>__main__</c> module, and the ways a host runs code in it. Every method may be called from any thread:
/// the calling thread enters the interpreter for the duration (<see cref="InterpreterState.Enter"/>). Run deep code on a
/// thread with a large stack (<see cref="PythonThread.Run{T}"/>) so deep recursion is a RecursionError.</summary>
public sealed class PythonEngine
{
    /// <summary>The interpreter object this engine runs.</summary>
    public readonly InterpreterState Interpreter;
    public readonly PyModule Main;
    public readonly TextWriter Out, Err;

    public PythonEngine(TextWriter? stdout = null, TextWriter? stderr = null, TextReader? stdin = null, string[]? argv = null, string? scriptDir = null, PythonOptions? options = null)
    {
        Out = stdout ?? Console.Out;
        Err = stderr ?? Console.Error;
        Interpreter = new InterpreterState(Out, Err, stdin ?? Console.In, argv ?? new[] { "" }, scriptDir ?? "", options);
        Main = new PyModule("__main__");
        Main.ModDict.SetItem("__builtins__", Interpreter.BuiltinsModule);
        Main.ModDict.SetItem("__package__", PyNone.Instance);
        Main.ModDict.SetItem("__spec__", PyNone.Instance);
        Interpreter.Modules.SetItem(PyStr.Of("__main__"), Main);
    }

    /// <summary>Ask the Python code this engine runs (on any thread) to stop: see <see cref="InterpreterState.RequestInterrupt"/>.
    /// Safe to call from any thread; a request made while nothing runs is taken by the next code that runs (hosts that
    /// do not want that call <see cref="ClearInterrupt"/> before running new input).</summary>
    public void RequestInterrupt() => Interpreter.RequestInterrupt();

    /// <summary>Withdraw a pending interrupt request; true if one was pending.</summary>
    public bool ClearInterrupt() => Interpreter.ClearInterrupt();

    /// <summary>True while an interrupt request waits to be taken.</summary>
    public bool InterruptPending => Interpreter.InterruptPending;

    public static PyException MakeSyntaxError(SyntaxErrorException e, string filename, string src)
    {
        var type = e.Indentation ? PyBaseException.IndentationErrorType : PyBaseException.SyntaxErrorType;
        if (e.Msg.StartsWith("unindent does not match", StringComparison.Ordinal)) type = PyBaseException.IndentationErrorType;
        if (e.Msg.StartsWith("inconsistent use of tabs", StringComparison.Ordinal)) type = PyBaseException.All["TabError"];
        var lines = src.Replace("\r\n", "\n").Split('\n');
        string? text = e.Line >= 1 && e.Line <= lines.Length ? lines[e.Line - 1] + "\n" : null;
        int endLine = e.EndLine > 0 ? e.EndLine : e.Line, endCol = e.EndLine > 0 ? e.EndCol : e.Col;
        var details = new PyTuple(new PyObject[] { PyStr.Of(filename), PyInt.Get(e.Line), PyInt.Get(e.Col), text == null ? PyNone.Instance : PyStr.Of(text), PyInt.Get(endLine), PyInt.Get(endCol) });
        var exc = new PyBaseException(type, new PyTuple(new PyObject[] { PyStr.Of(e.Msg), details }));
        exc.Dict!.SetItem("filename", PyStr.Of(filename));
        exc.Dict.SetItem("lineno", PyInt.Get(e.Line));
        exc.Dict.SetItem("offset", PyInt.Get(e.Col));
        exc.Dict.SetItem("text", text == null ? PyNone.Instance : PyStr.Of(text));
        exc.Dict.SetItem("msg", PyStr.Of(e.Msg));
        exc.Dict.SetItem("end_lineno", PyInt.Get(endLine));
        exc.Dict.SetItem("end_offset", PyInt.Get(endCol));
        return new PyException(exc);
    }

    /// <param name="nameOps">Module code to run with locals apart from its globals (exec/eval with a locals mapping):
    /// its names use LOAD_NAME/STORE_NAME, as CPython's module code always does.</param>
    public static CodeObject Compile(string src, string filename, bool eval, bool interactive = false, bool nameOps = false)
    {
        try
        {
            Ast.ModuleNode mod;
            if (eval)
            {
                var text = src.Trim();
                var warnings = new List<SyntaxErrorException>();
                var wrapped = WrapEval(Parser.ParseExpression(text, null, warnings));
                wrapped.Source = text;
                wrapped.TokenizerWarnings = warnings;
                return CodeGen.CompileModule(wrapped, filename, nameOps: nameOps);
            }
            mod = Parser.ParseModule(src);
            return CodeGen.CompileModule(mod, filename, interactive, nameOps);
        }
        catch (SyntaxErrorException e)
        {
            throw MakeSyntaxError(e, filename, src);
        }
    }

    private static ModuleNode WrapEval(Ast.Expr e)
    {
        // compile "expr" as a module whose last statement stores the value in a hidden global
        var m = new ModuleNode { IsEval = true };
        m.Body.Add(new Ast.Assign { Targets = { new Ast.Name { Id = "__eval_result__", Line = e.Line } }, Value = e, Line = e.Line });
        return m;
    }

    public static void CheckSyntax(string src, string filename, bool eval) => Compile(src, filename, eval);

    /// <summary>Run a program as __main__; prints uncaught exceptions CPython-style; returns the exit status.</summary>
    public int RunMain(string src, string filename)
    {
        using ThreadEntry entry = Interpreter.Enter();
        Main.ModDict.SetItem("__file__", PyStr.Of(filename));
        int rc;
        try
        {
            Interpreter.RegisterSource(filename, src);
            var code = Compile(src, filename, false);
            var f = new Frame(code, Main.ModDict, null, Interpreter.Builtins) { Locals = Main.ModDict };
            Vm.Interpreter.Execute(entry.State, f);
            rc = 0;
        }
        catch (PyException e)
        {
            rc = HandleUncaught(e.Value);
        }
        Flush();
        return rc;
    }

    /// <summary>Run module <paramref name="name"/> as __main__ (<c>-m</c>, runpy's <c>_run_module_as_main</c>): a
    /// package runs its <c>__main__</c> submodule; <c>sys.argv[0]</c> becomes the module's file. Errors finding it are
    /// reported as CPython's ("python: No module named x"), status 1.</summary>
    public int RunModule(string name)
    {
        using ThreadEntry entry = Interpreter.Enter();
        PyObject spec;
        CodeObject code;
        try
        {
            (spec, code) = Interpreter.Imports.MainModuleDetails(name);
        }
        catch (PyException e)
        {
            if (!e.Value.Type.IsSubtypeOf(PyBaseException.ImportErrorType)) { int rc = HandleUncaught(e.Value); Flush(); return rc; }
            // runpy's _run_module_as_main: sys.exit("%s: %s" % (sys.executable, exc))
            Interpreter.Sys.WriteStderr($"{Environment.ProcessPath ?? "invisible"}: {Ops.Str(e.Value)}\n");
            Flush();
            return 1;
        }
        int status;
        try
        {
            // runpy's _run_code: the module runs in __main__'s namespace with the spec's attributes
            var d = Main.ModDict;
            var origin = Ops.GetAttrOrNull(spec, PyStr.Intern("origin")) ?? PyNone.Instance;
            if (Interpreter.Sys.Module.ModDict.GetOrNull("argv") is PyList argv && argv.Count > 0) argv.Items[0] = origin;
            d.SetItem("__name__", PyStr.Of("__main__"));
            d.SetItem("__file__", origin);
            d.SetItem("__cached__", Ops.GetAttrOrNull(spec, PyStr.Intern("cached")) ?? PyNone.Instance);
            d.SetItem("__doc__", PyNone.Instance);
            d.SetItem("__loader__", Ops.GetAttrOrNull(spec, PyStr.Intern("loader")) ?? PyNone.Instance);
            d.SetItem("__package__", Ops.GetAttrOrNull(spec, PyStr.Intern("parent")) ?? PyNone.Instance);
            d.SetItem("__spec__", spec);
            var f = new Frame(code, d, null, Interpreter.Builtins) { Locals = d };
            Vm.Interpreter.Execute(entry.State, f);
            status = 0;
        }
        catch (PyException e)
        {
            status = HandleUncaught(e.Value);
        }
        Flush();
        return status;
    }

    /// <summary>The interpreter's end (CPython's <c>Py_FinalizeEx</c>, the part we have): run the <c>atexit</c>
    /// callbacks, flush the streams; returns <paramref name="rc"/>.</summary>
    public int Finish(int rc)
    {
        rc = EndThreads(rc);
        using (Interpreter.Enter()) AtexitModule.RunExitFuncs(Interpreter);
        Interpreter.Signals?.Dispose();
        Flush();
        return rc;
    }

    /// <summary>How long the end of the interpreter waits for its remaining (daemon) threads to stop.</summary>
    private static readonly TimeSpan ThreadStopGrace = TimeSpan.FromSeconds(2);

    /// <summary>The end of the interpreter's threads (CPython's <c>wait_for_thread_shutdown</c>, then more): if the
    /// program used <c>threading</c>, wait for its non-daemon threads (<c>threading._shutdown()</c>; Ctrl-C stops the
    /// wait, as in CPython), then stop every thread still running (daemon threads, raw <c>_thread</c> ones) as
    /// <see cref="Modules.Thread.ThreadRegistry"/> describes. Hosts call it when the interpreter ends (<see cref="Finish"/>,
    /// the end of an attach session); returns <paramref name="rc"/>, or the status of an exception the wait raised.</summary>
    public int EndThreads(int rc)
    {
        using (ThreadEntry entry = Interpreter.Enter())
        {
            if (Interpreter.Modules.GetOrNull(PyStr.Of("threading")) is PyObject threading
                && Ops.GetAttrOrNull(threading, PyStr.Intern("_shutdown")) is { } shutdown)
            {
                try { Ops.Call(shutdown, ReadOnlySpan<PyObject>.Empty); }
                catch (PyException e) { rc = HandleUncaught(e.Value); }
            }
            Interpreter.Workers.StopAll(Interpreter, ThreadStopGrace);
            // What those threads printed is still in sys.stdout's buffer (CPython's finalization flushes the std
            // streams after wait_for_thread_shutdown too): an attach session ends here, with no later flush.
            try { Interpreter.Sys.FlushStdout(); } catch (PyException) { }
            try { Interpreter.Sys.FlushStderr(); } catch (PyException) { }
        }
        return rc;
    }

    public void Flush()
    {
        using (Interpreter.Enter())
        {
            try { Interpreter.Sys.FlushStdout(); } catch (PyException) { }
            try { Interpreter.Sys.FlushStderr(); } catch (PyException) { }
        }
        Out.Flush();
        Err.Flush();
    }

    public int HandleUncaught(PyBaseException exc)
    {
        using ThreadEntry entry = Interpreter.Enter();
        SysModule sys = Interpreter.Sys;
        if (exc.Type.IsSubtypeOf(PyBaseException.SystemExitType))
        {
            var code = exc.Args.Items.Length == 0 ? PyNone.Instance : exc.Args.Items[0];
            if (code == PyNone.Instance) return 0;
            if (code is PyInt ci) return (int)(ci.V & 0xFF);
            try { sys.FlushStdout(); } catch (PyException) { }
            Err.WriteLine(Ops.Str(code));
            return 1;
        }
        try { sys.FlushStdout(); } catch (PyException) { }
        // CPython dies of SIGINT after an uncaught KeyboardInterrupt: the shell sees 128 + 2.
        int status = exc.Type.IsSubtypeOf(PyBaseException.KeyboardInterruptType) ? 130 : 1;
        string text;
        try { text = exc.FormatTraceback(Interpreter.SourceLine); }
        catch (PyException) { text = exc.Type.Name + "\n"; }
        sys.WriteStderr(text);
        return status;
    }

    /// <summary>Convenience for tests and tools: run code in a fresh engine (on a large-stack thread) capturing output;
    /// <paramref name="setup"/> may plug things into the engine first (a module finder, a native bridge).</summary>
    public static (string Stdout, string Stderr, int ExitCode) Execute(string code, string filename = "<string>", string? stdin = null, Action<PythonEngine>? setup = null)
    {
        return PythonThread.Run(() =>
        {
            var o = new StringWriter();
            var e = new StringWriter();
            var eng = new PythonEngine(o, e, new StringReader(stdin ?? ""), new[] { filename });
            setup?.Invoke(eng);
            int rc = eng.RunMain(code, filename);
            return (o.ToString(), e.ToString(), rc);
        });
    }

    /// <summary>Execute one interactive statement (prompt mode): expression values are printed.</summary>
    public void ExecInteractive(string src)
    {
        using (ThreadEntry entry = Interpreter.Enter())
        {
            try
            {
                Interpreter.RegisterSource("<stdin>", src);
                var code = Compile(src, "<stdin>", false, true);
                var f = new Frame(code, Main.ModDict, null, Interpreter.Builtins) { Locals = Main.ModDict };
                Vm.Interpreter.Execute(entry.State, f);
            }
            catch (PyException e)
            {
                if (e.Value.Type.IsSubtypeOf(PyBaseException.SystemExitType)) throw;
                HandleUncaught(e.Value);
            }
            entry.State.CurrentExc = null;
        }
        Flush();
    }
}
