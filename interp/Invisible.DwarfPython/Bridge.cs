using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using Invisible.Python.Modules;
using Invisible.Python.Runtime;

namespace Invisible.Python.Native;

/// <summary>
/// DwarfPython: Python over native code and data described only by DWARF (paper §2). <see cref="Install"/>
/// registers the module provider (<c>import c</c>, <c>import m</c>, <c>import NAME</c>, <c>import process</c>);
/// <see cref="Main"/> is <c>invisible python</c> with libinvisible.so preloaded (so <c>process.heap</c> works)
/// and C's exit handlers able to call back into Python after the script ends (<c>c.atexit(bye)</c>).
/// </summary>
public static partial class DwarfPython
{
    private static bool _installed;
    private static PyModule? _process;

    /// <summary>True once the process is on its way out (C exit handlers may run Python callbacks).</summary>
    public static bool Exiting { get; private set; }

    public static void Install()
    {
        if (_installed) return;
        _installed = true;
        ModuleRegistry.AddProvider(Provide);
    }

    private static PyModule? Provide(string name)
    {
        if (name == "process") return _process ??= ProcessModule.Create();
        return NativeLibraries.TryImport(name);
    }

    /// <summary>Flush Python's buffered output and switch it to unbuffered: C is about to exit (exit handlers
    /// written in Python then print in order).</summary>
    public static void PrepareForExit()
    {
        Exiting = true;
        FlushOutput();
        try
        {
            if (SysModule.Stdout?.Writer is TextWriter w && w is not StreamWriter { AutoFlush: true }) { w.Flush(); }
        }
        catch (ObjectDisposedException) { }
    }

    public static void FlushOutput()
    {
        try { SysModule.FlushStdout(); } catch (PyException) { } catch (ObjectDisposedException) { }
        try { SysModule.Stderr?.Writer?.Flush(); } catch (ObjectDisposedException) { }
    }

    [LibraryImport("libc.so.6", EntryPoint = "execve", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int execve(string path, string?[] argv, string?[] envp);

    /// <summary><c>invisible python ARGS</c>: re-executes itself once with libinvisible.so preloaded (leak check
    /// off unless asked for), runs the interpreter, then leaves Python usable for C exit handlers.</summary>
    public static int Main(string[] args)
    {
        Install();
        TryPreload();
        int rc = PythonMain.Run(args);
        // The script is done and its writers are closed; C's atexit handlers (registered from Python) run when
        // Main returns: give them fresh, unbuffered streams.
        Exiting = true;
        if (NativeCallback.Count > 0 || SysModule.Stdout != null)
        {
            var o = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true };
            var e = new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true };
            if (SysModule.Stdout != null) SysModule.Stdout.Writer = o;
            if (SysModule.Stderr != null) SysModule.Stderr.Writer = e;
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
        argv[0] = exe;
        for (int i = 1; i < cmd.Length; i++) argv[i] = cmd[i];
        argv[cmd.Length] = null;
        Console.Out.Flush();
        execve(exe, argv, envp);
        // exec failed: carry on without the heap view
    }
}
