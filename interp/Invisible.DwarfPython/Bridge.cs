using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using Invisible.DwarfPython.NativeEntry;
using Invisible.Python;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.DwarfPython;

/// <summary>
/// DwarfPython: Python over native code and data described only by DWARF (paper §2), plugged into one interpreter
/// through <see cref="INativeBridge"/> (<see cref="Install"/>): its module finder makes <c>import c</c>,
/// <c>import m</c>, <c>import NAME</c> (a C library), <c>import process</c> and <c>import _nativeentry</c>, and Python
/// functions get named native entry points (<see cref="NativeEntryPoints"/>). <see cref="Main"/> is
/// <c>invisible python</c> with libinvisible.so preloaded (so <c>process.heap</c> works) and C's exit handlers able to
/// call back into Python after the script ends (<c>c.atexit(bye)</c>).
/// </summary>
public sealed partial class Bridge : INativeBridge
{
    private PyModule? _process;

    private Bridge() { }

    /// <summary>True once the process is on its way out (C exit handlers may run Python callbacks).</summary>
    public static bool Exiting { get; private set; }

    /// <summary>Plug DwarfPython into <paramref name="engine"/>'s interpreter (before it runs code), on the thread that
    /// will run it: Python calls C there, and a native stack overflow in such a call needs a signal stack for the fault
    /// guard to catch it (a no-op without libinvisible.so).</summary>
    public static void Install(PythonEngine engine)
    {
        Invisible.Abi.Ffi.FaultGuard.PrepareThread();
        engine.Interpreter.InstallBridge(new Bridge());
        BlockChecks.SessionStarted(); // frees are recorded while a session exists: reads of freed blocks are named
    }

    /// <summary>The session <see cref="Install"/> began has ended (an attach session; <c>invisible python</c> ends with
    /// its process): libinvisible.so stops recording frees when no other session is left.</summary>
    public static void SessionEnded() => BlockChecks.SessionEnded();

    // ------------------------------------------------------------------ INativeBridge

    public PyModule? FindModule(InterpreterState interp, string name)
    {
        if (name == "process") return _process ??= ProcessModule.Create();
        if (name == "_nativeentry") return NativeEntryModule.Create();
        return NativeLibraries.TryImport(interp, name);
    }

    public nint EntryOf(PyFunction function) => NativeEntryPoints.EntryOf(function);

    public PyObject CallThroughEntry(ThreadState ts, PyFunction function, Frame frame, nint entry) =>
        NativeEntryPoints.Execute(ts, frame, entry);

    // ------------------------------------------------------------------ exit

    /// <summary>Flush Python's buffered output and switch it to unbuffered: C is about to exit (exit handlers
    /// written in Python then print in order).</summary>
    public static void PrepareForExit(InterpreterState interp)
    {
        Exiting = true;
        FlushOutput(interp);
        interp.Sys.MakeUnbuffered();
        try
        {
            if (interp.Sys.StdoutWriter is TextWriter w && w is not StreamWriter { AutoFlush: true }) { w.Flush(); }
        }
        catch (ObjectDisposedException) { }
    }

    public static void FlushOutput(InterpreterState interp)
    {
        try { interp.Sys.FlushStdout(); } catch (PyException) { } catch (ObjectDisposedException) { }
        try { interp.Sys.FlushStderr(); } catch (PyException) { } catch (ObjectDisposedException) { }
    }

    [LibraryImport("libc.so.6", EntryPoint = "execve", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int execve(string path, string?[] argv, string?[] envp);

    /// <summary><c>invisible python ARGS</c>: re-executes itself once with libinvisible.so preloaded (leak check
    /// off unless asked for), runs the interpreter with DwarfPython installed, then leaves Python usable for C exit
    /// handlers.</summary>
    public static int Main(string[] args)
    {
        TryPreload();
        PythonEngine? engine = null;
        int rc = PythonMain.Run(args, configure: e => { engine = e; Install(e); });
        // The script is done and its writers are closed; C's atexit handlers (registered from Python) run when
        // Main returns: give them fresh, unbuffered streams.
        Exiting = true;
        if (engine != null)
        {
            var o = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true };
            var e = new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true };
            engine.Interpreter.Sys.SetHostWriters(o, e, flushEachWrite: true);
        }
        return rc;
    }

    private static void TryPreload()
    {
        if (Environment.GetEnvironmentVariable("INVISIBLE_PYTHON_NO_PRELOAD") == "1") return;
        string? exe = Environment.ProcessPath;
        if (exe == null) return;
        string lib = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(exe) ?? ".", "..", "lib", "libinvisible.so"));
        if (!File.Exists(lib)) return;
        string pre = Environment.GetEnvironmentVariable("LD_PRELOAD") ?? "";
        if (pre.Contains("libinvisible.so", StringComparison.Ordinal)) return;
        if (Environment.GetEnvironmentVariable("INVISIBLE_PYTHON_REEXEC") == "1") return; // tried once already
        // .NET keeps its own copy of the environment: build the child's explicitly
        var env = new System.Collections.Generic.Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry kv in Environment.GetEnvironmentVariables())
            env[(string)kv.Key] = (string?)kv.Value ?? "";
        env["INVISIBLE_PYTHON_REEXEC"] = "1";
        env["LD_PRELOAD"] = pre.Length == 0 ? lib : lib + ":" + pre;
        env.TryAdd("INVISIBLE_LEAK_CHECK", "no");
        var envp = new string?[env.Count + 1];
        int k = 0;
        foreach (var kv in env) envp[k++] = kv.Key + "=" + kv.Value;
        string[] cmd = Environment.GetCommandLineArgs();
        var argv = new string?[cmd.Length + 1];
        // started as build/bin/python3: the child must know it by the same argv[0] (CPython's command line)
        argv[0] = Invisible.Python.PythonMain.InvokedAsPython() ? Invisible.Python.PythonMain.Argv0() : exe;
        for (int i = 1; i < cmd.Length; i++) argv[i] = cmd[i];
        argv[cmd.Length] = null;
        Console.Out.Flush();
        execve(exe, argv, envp);
        // exec failed: carry on without the heap view
    }
}
