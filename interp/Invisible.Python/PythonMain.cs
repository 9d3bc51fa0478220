using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using Invisible.Python.Runtime;

namespace Invisible.Python;

/// <summary>Entry point of <c>invisible python</c>: CPython-style arguments
/// (<c>script.py args</c>, <c>-c CODE</c>, none = interactive prompt). Returns the exit status.</summary>
public static partial class PythonMain
{
    /// <summary>Runs <paramref name="args"/> in a new engine; <paramref name="configure"/> sees the engine before any code
    /// runs (a host plugs its native bridge in there).</summary>
    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null, Action<PythonEngine>? configure = null)
    {
        var console = new ConsoleSession();
        // Owning the process's console (the CLI): Ctrl-C becomes KeyboardInterrupt in the running code.
        using var sigint = stdout == null ? PosixSignalRegistration.Create(PosixSignal.SIGINT, console.OnSigint) : null;
        return Vm.PythonThread.Run(() => RunOnThread(args, stdout, stderr, engine =>
        {
            console.Engine = engine;
            configure?.Invoke(engine);
        }, console));
    }

    [LibraryImport("libc.so.6")]
    private static partial int gettid();
    [LibraryImport("libc.so.6")]
    private static partial int tgkill(int tgid, int tid, int signal);

    /// <summary>The console session of one <see cref="Run"/>: the engine Ctrl-C goes to, the thread running the
    /// program and the prompt's state.</summary>
    private sealed class ConsoleSession
    {
        public volatile PythonEngine? Engine;
        public volatile bool AtPrompt, DiscardLine, WakeSent;
        public volatile TextWriter? PromptOut;
        /// <summary>The thread running the program (kernel tid and managed id), while we own the console.</summary>
        public volatile int InterpreterTid, InterpreterManagedId;

        public void OnSigint(PosixSignalContext ctx)
        {
            // Our own wake-up of the interpreter thread (below), not a second Ctrl-C.
            if (WakeSent)
            {
                WakeSent = false;
                ctx.Cancel = true;
                return;
            }
            PythonEngine? engine = Engine;
            // A second Ctrl-C before the first was taken (code stuck outside the loop, e.g. in a long C call): the default
            // action, so the user can always stop the process.
            if (engine == null || engine.InterruptPending) return;
            ctx.Cancel = true;
            if (AtPrompt && PromptOut is { } o)
            {
                // Waiting for input: like CPython's prompt, report it and start a fresh statement.
                DiscardLine = true;
                try { o.Write("\nKeyboardInterrupt\n>>> "); o.Flush(); } catch (IOException) { } catch (ObjectDisposedException) { }
                return;
            }
            engine.RequestInterrupt();
            // The kernel gave the signal to whichever thread it chose. The interpreter thread may be blocked in a C call
            // (c.sleep, c.pause): send it the signal too, so that call returns early (EINTR) as it does in CPython, whose
            // only thread takes the signal; the KeyboardInterrupt is raised as the call returns (NativeFunction.Call).
            int tid = InterpreterTid;
            if (tid != 0 && engine.Interpreter.InNativeCall(InterpreterManagedId))
            {
                WakeSent = true;
                if (tgkill(Environment.ProcessId, tid, 2 /* SIGINT */) != 0) WakeSent = false;
            }
        }

        /// <summary>Before the SIGINT registration goes: a wake-up still on its way would find the default action and
        /// kill the process. It arrives within microseconds, unless its thread has exited (then it is dropped).</summary>
        public void AwaitWake()
        {
            for (int i = 0; WakeSent && i < 100; i++)
                Thread.Sleep(1);
            WakeSent = false;
        }
    }

    private static int RunOnThread(string[] args, TextWriter? stdout, TextWriter? stderr, Action<PythonEngine> made, ConsoleSession console)
    {
        bool ownConsole = stdout == null;
        if (ownConsole)
        {
            console.InterpreterManagedId = Environment.CurrentManagedThreadId;
            console.InterpreterTid = gettid();
            Builtins.InterruptibleStdin.Enabled = true;
        }
        try { return RunOnThreadOwned(args, stdout, stderr, made, console); }
        finally
        {
            console.InterpreterTid = 0;
            Builtins.InterruptibleStdin.Enabled = false;
            console.AwaitWake();
        }
    }

    private static int RunOnThreadOwned(string[] args, TextWriter? stdout, TextWriter? stderr, Action<PythonEngine> made, ConsoleSession console)
    {
        bool ownOut = stdout == null;
        var o = stdout ?? new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) { AutoFlush = false };
        var e = stderr ?? new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true };
        try
        {
            int i = 0;
            bool interactiveAfter = false;
            while (i < args.Length && args[i].StartsWith('-') && args[i] != "-" && args[i] != "-c" && args[i] != "-m")
            {
                if (args[i] == "-i") interactiveAfter = true;
                else if (args[i] == "-V" || args[i] == "--version") { o.WriteLine("Python 3.11.7"); o.Flush(); return 0; }
                else if (args[i] == "-h" || args[i] == "--help") { o.WriteLine("usage: invisible python [-c cmd | -m mod | file | -] [arg] ..."); o.Flush(); return 0; }
                i++;
            }
            if (i < args.Length && args[i] == "-c")
            {
                if (i + 1 >= args.Length) { e.WriteLine("Argument expected for the -c option"); return 2; }
                var argv = new string[args.Length - i - 1];
                argv[0] = "-c";
                Array.Copy(args, i + 2, argv, 1, args.Length - i - 2);
                var eng = new PythonEngine(o, e, Console.In, argv, "");
                made(eng);
                int rc = eng.RunMain(args[i + 1], "<string>");
                if (interactiveAfter) rc = Repl(eng, o, e, console);
                return rc;
            }
            if (i < args.Length && args[i] == "-m")
            {
                if (i + 1 >= args.Length) { e.WriteLine("Argument expected for the -m option"); return 2; }
                var mod = args[i + 1];
                var argv = new string[args.Length - i - 1];
                Array.Copy(args, i + 1, argv, 0, argv.Length);
                var path = Path.Combine(Directory.GetCurrentDirectory(), mod.Replace('.', '/') + ".py");
                var eng = new PythonEngine(o, e, Console.In, argv, Directory.GetCurrentDirectory());
                made(eng);
                if (!File.Exists(path)) { e.WriteLine($"{Environment.ProcessPath}: No module named {mod}"); return 1; }
                return eng.RunMain(File.ReadAllText(path), path);
            }
            if (i < args.Length && args[i] != "-")
            {
                var file = args[i];
                var argv = new string[args.Length - i];
                Array.Copy(args, i, argv, 0, argv.Length);
                if (!File.Exists(file))
                {
                    e.WriteLine($"{Environment.ProcessPath ?? "invisible"}: can't open file '{Path.GetFullPath(file)}': [Errno 2] No such file or directory");
                    return 2;
                }
                var dir = Path.GetDirectoryName(Path.GetFullPath(file)) ?? "";
                var eng = new PythonEngine(o, e, Console.In, argv, dir);
                made(eng);
                int rc = eng.RunMain(File.ReadAllText(file), file);
                if (interactiveAfter) rc = Repl(eng, o, e, console);
                return rc;
            }
            {
                var eng = new PythonEngine(o, e, Console.In, new[] { "" }, "");
                made(eng);
                if (Console.IsInputRedirected) return eng.RunMain(Console.In.ReadToEnd(), "<stdin>");
                return Repl(eng, o, e, console);
            }
        }
        finally
        {
            o.Flush();
            e.Flush();
            if (ownOut) o.Dispose();
        }
    }

    /// <summary>The interactive prompt.</summary>
    private static int Repl(PythonEngine eng, TextWriter o, TextWriter e, ConsoleSession console)
    {
        o.WriteLine("Python 3.11.7 (invisible) on linux");
        o.WriteLine("Type \"help\", \"copyright\", \"credits\" or \"license\" for more information.");
        var buf = new StringBuilder();
        while (true)
        {
            o.Write(buf.Length == 0 ? ">>> " : "... ");
            o.Flush();
            console.PromptOut = o;
            console.AtPrompt = true;
            var line = Console.In.ReadLine();
            console.AtPrompt = false;
            if (console.DiscardLine) { console.DiscardLine = false; buf.Clear(); }
            if (line == null) { o.WriteLine(); return 0; }
            if (buf.Length == 0 && line.Trim().Length == 0) continue;
            buf.Append(line).Append('\n');
            var src = buf.ToString();
            bool block = src.TrimEnd().EndsWith(':') || (buf.ToString().Split('\n').Length > 2);
            if (block && line.Trim().Length != 0) continue;
            if (!block && IsIncomplete(src)) continue;
            buf.Clear();
            eng.ClearInterrupt();
            try { eng.ExecInteractive(src); }
            catch (PyException ex) when (ex.Value.Type.IsSubtypeOf(PyBaseException.SystemExitType))
            {
                return eng.HandleUncaught(ex.Value);
            }
        }
    }

    private static bool IsIncomplete(string src)
    {
        int depth = 0;
        foreach (var c in src) { if (c == '(' || c == '[' || c == '{') depth++; else if (c == ')' || c == ']' || c == '}') depth--; }
        return depth > 0 || src.TrimEnd().EndsWith('\\');
    }
}
