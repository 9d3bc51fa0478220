using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using Invisible.Python.Ast;
using Invisible.Python.Builtins;
using Invisible.Python.Compiler;
using Invisible.Python.Lexing;
using Invisible.Python.Modules;
using Invisible.Python.Parsing;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.Python;

/// <summary>Embedding API: one interpreter state (builtins, sys, modules, __main__).</summary>
public sealed class PythonEngine
{
    private static bool _stdRegistered;
    private static readonly Dictionary<string, string[]> SourceCache = new();
    public readonly PyModule Main;
    public readonly TextWriter Out, Err;

    public PythonEngine(TextWriter? stdout = null, TextWriter? stderr = null, TextReader? stdin = null, string[]? argv = null, string? scriptDir = null)
    {
        BuiltinsModule.InitTypes();
        // This thread runs Python, and Python calls C: a native stack overflow in such a call needs a signal stack
        // for the fault guard to catch it (a no-op without libinvisible.so).
        Invisible.Abi.Ffi.FaultGuard.PrepareThread();
        if (!_stdRegistered) { _stdRegistered = true; StdModules.RegisterAll(); }
        Out = stdout ?? Console.Out;
        Err = stderr ?? Console.Error;
        var builtins = BuiltinsModule.Create();
        Interpreter.BuiltinsDict = builtins.ModDict;
        Interpreter.Depth = 0;
        Interpreter.CurrentExc = null;
        Interpreter.CurrentFrame = null;
        Interpreter.RecursionLimit = 1000;
        SysModule.Reset(Out, Err, stdin ?? Console.In, argv ?? new[] { "" }, scriptDir ?? "");
        SysModule.Modules.SetItem(PyStr.Of("builtins"), builtins);
        Main = new PyModule("__main__");
        Main.ModDict.SetItem("__builtins__", builtins);
        Main.ModDict.SetItem("__package__", PyNone.Instance);
        SysModule.Modules.SetItem(PyStr.Of("__main__"), Main);
        lock (SourceCache) SourceCache.Clear();
    }

    /// <summary>Ask the running Python code (any engine, any thread of this process) to stop: the interpreter raises
    /// KeyboardInterrupt at its next loop back-edge or function entry, where the script may catch it. Safe to call from
    /// any thread and from signal handlers; a request made while nothing runs is taken by the next code that runs
    /// (hosts that do not want that call <see cref="ClearInterrupt"/> before running new input).</summary>
    public static void RequestInterrupt() => Interpreter.RequestInterrupt();

    /// <summary>Withdraw a pending interrupt request; true if one was pending.</summary>
    public static bool ClearInterrupt() => Interpreter.ClearInterrupt();

    /// <summary>True while an interrupt request waits to be taken.</summary>
    public static bool InterruptPending => Interpreter.InterruptPending;

    /// <summary>True while Python code has called into native code (DwarfPython's calls) and it has not returned: a
    /// host that wants Ctrl-C to end such a call early signals the calling thread then.</summary>
    public static bool InNativeCall => Volatile.Read(ref s_nativeDepth) > 0;

    private static int s_nativeDepth;

    /// <summary>Bracket a call into native code (see <see cref="InNativeCall"/>).</summary>
    public static void EnterNative() => Interlocked.Increment(ref s_nativeDepth);
    public static void LeaveNative() => Interlocked.Decrement(ref s_nativeDepth);

    public static void RegisterSource(string filename, string src)
    {
        lock (SourceCache) SourceCache[filename] = src.Replace("\r\n", "\n").Split('\n');
    }

    public static string? SourceLine(string filename, int line)
    {
        string[]? lines;
        lock (SourceCache) SourceCache.TryGetValue(filename, out lines);
        if (lines == null && File.Exists(filename))
        {
            try { lines = File.ReadAllText(filename).Replace("\r\n", "\n").Split('\n'); lock (SourceCache) SourceCache[filename] = lines; }
            catch (IOException) { return null; }
        }
        if (lines == null || line < 1 || line > lines.Length) return null;
        var s = lines[line - 1];
        return s.Trim().Length == 0 ? null : s;
    }

    public static PyException MakeSyntaxError(SyntaxErrorException e, string filename, string src)
    {
        var type = e.Indentation ? PyBaseException.IndentationErrorType : PyBaseException.SyntaxErrorType;
        if (e.Msg.StartsWith("unindent does not match", StringComparison.Ordinal)) type = PyBaseException.IndentationErrorType;
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

    public static CodeObject Compile(string src, string filename, bool eval, bool interactive = false)
    {
        try
        {
            Ast.ModuleNode mod;
            if (eval) return CodeGen.CompileModule(WrapEval(Parser.ParseExpression(src.Trim())), filename);
            mod = Parser.ParseModule(src);
            return CodeGen.CompileModule(mod, filename, interactive);
        }
        catch (SyntaxErrorException e)
        {
            throw MakeSyntaxError(e, filename, src);
        }
    }

    private static ModuleNode WrapEval(Ast.Expr e)
    {
        // compile "expr" as a module whose last statement stores the value in a hidden global
        var m = new ModuleNode();
        m.Body.Add(new Ast.Assign { Targets = { new Ast.Name { Id = "__eval_result__", Line = e.Line } }, Value = e, Line = e.Line });
        return m;
    }

    public static void CheckSyntax(string src, string filename, bool eval) => Compile(src, filename, eval);

    /// <summary>Run source in the given namespace (exec/eval/module import).</summary>
    public static PyObject RunSource(string src, string filename, bool eval, PyDict globals, PyDict? locals)
    {
        RegisterSource(filename, src);
        var code = Compile(src, filename, eval);
        if (locals != null && !ReferenceEquals(locals, globals))
        {
            // run with a separate locals dict: compile names as LOAD_NAME semantics is not available for
            // module code, so merge: execute in a temporary globals that chains to the real one.
            var tmp = globals.Copy();
            foreach (var kv in locals.Items()) tmp.SetItem(kv.Key, kv.Value);
            var fr = new Frame(code, tmp, null);
            Interpreter.Execute(fr);
            foreach (var kv in tmp.Items())
            {
                var orig = globals.GetOrNull(kv.Key);
                if (orig == null || !ReferenceEquals(orig, kv.Value)) { if (kv.Key is PyStr ks && ks.Value == "__eval_result__") continue; locals.SetItem(kv.Key, kv.Value); }
            }
            if (eval) return tmp.GetOrNull("__eval_result__") ?? PyNone.Instance;
            return PyNone.Instance;
        }
        var f = new Frame(code, globals, null) { Locals = globals };
        Interpreter.Execute(f);
        if (eval)
        {
            var r = globals.Pop(PyStr.Intern("__eval_result__"));
            return r ?? PyNone.Instance;
        }
        return PyNone.Instance;
    }

    /// <summary>Run a program as __main__; prints uncaught exceptions CPython-style; returns the exit status.</summary>
    public int RunMain(string src, string filename)
    {
        Main.ModDict.SetItem("__file__", PyStr.Of(filename));
        int rc;
        try
        {
            RegisterSource(filename, src);
            var code = Compile(src, filename, false);
            var f = new Frame(code, Main.ModDict, null) { Locals = Main.ModDict };
            Interpreter.Execute(f);
            rc = 0;
        }
        catch (PyException e)
        {
            rc = HandleUncaught(e.Value);
        }
        Flush();
        return rc;
    }

    public void Flush()
    {
        try { SysModule.FlushStdout(); } catch (PyException) { }
        Out.Flush();
        Err.Flush();
    }

    public int HandleUncaught(PyBaseException exc)
    {
        if (exc.Type.IsSubtypeOf(PyBaseException.SystemExitType))
        {
            var code = exc.Args.Items.Length == 0 ? PyNone.Instance : exc.Args.Items[0];
            if (code == PyNone.Instance) return 0;
            if (code is PyInt ci) return (int)(ci.V & 0xFF);
            try { SysModule.FlushStdout(); } catch (PyException) { }
            Err.WriteLine(Ops.Str(code));
            return 1;
        }
        try { SysModule.FlushStdout(); } catch (PyException) { }
        // CPython dies of SIGINT after an uncaught KeyboardInterrupt: the shell sees 128 + 2.
        int status = exc.Type.IsSubtypeOf(PyBaseException.KeyboardInterruptType) ? 130 : 1;
        string text;
        try { text = exc.FormatTraceback(SourceLine); }
        catch (PyException) { text = exc.Type.Name + "\n"; }
        SysModule.WriteStderr(text);
        return status;
    }

    /// <summary>Convenience for tests and tools: run code in a fresh engine capturing output.</summary>
    public static (string Stdout, string Stderr, int ExitCode) Execute(string code, string filename = "<string>", string? stdin = null)
    {
        return PythonThread.Run(() =>
        {
            var o = new StringWriter();
            var e = new StringWriter();
            var eng = new PythonEngine(o, e, new StringReader(stdin ?? ""), new[] { filename });
            int rc = eng.RunMain(code, filename);
            return (o.ToString(), e.ToString(), rc);
        });
    }

    /// <summary>Execute one interactive statement (prompt mode): expression values are printed.</summary>
    public void ExecInteractive(string src)
    {
        try
        {
            RegisterSource("<stdin>", src);
            var code = Compile(src, "<stdin>", false, true);
            var f = new Frame(code, Main.ModDict, null) { Locals = Main.ModDict };
            Interpreter.Execute(f);
        }
        catch (PyException e)
        {
            if (e.Value.Type.IsSubtypeOf(PyBaseException.SystemExitType)) throw;
            HandleUncaught(e.Value);
        }
        Interpreter.Depth = 0;
        Interpreter.CurrentExc = null;
        Flush();
    }
}
