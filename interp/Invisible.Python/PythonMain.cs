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

    /// <summary>-X int_max_str_digits=N, else PYTHONINTMAXSTRDIGITS (CPython's config_init_int_max_str_digits): a bad
    /// value is CPython's fatal error (exit status 1) before the interpreter starts.</summary>
    private static int? IntMaxStrDigitsOption(PythonOptions options, TextWriter e)
    {
        string? source = null, value = null;
        foreach (var x in options.XOptions)
            if (x == "int_max_str_digits" || x.StartsWith("int_max_str_digits=", StringComparison.Ordinal))
            {
                source = "-X int_max_str_digits";
                value = x.Length > "int_max_str_digits".Length ? x.Substring("int_max_str_digits=".Length) : "";
            }
        if (source == null && !options.EffectiveIgnoreEnvironment && Environment.GetEnvironmentVariable("PYTHONINTMAXSTRDIGITS") is { Length: > 0 } env)
        {
            source = "PYTHONINTMAXSTRDIGITS";
            value = env;
        }
        if (source == null) return null;
        if (int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n)
            && (n == 0 || n >= Runtime.PyInt.MaxStrDigitsThreshold))
        {
            options.IntMaxStrDigits = n;
            return null;
        }
        e.WriteLine($"Fatal Python error: config_init_int_max_str_digits: {source}: invalid limit; must be >= {Runtime.PyInt.MaxStrDigitsThreshold} or 0 for unlimited.");
        e.WriteLine("Python runtime state: preinitialized");
        e.WriteLine();
        return 1;
    }

    /// <summary>Descriptor 1 for sys.stdout's bytes. A pipe or terminal is written through a FileStream, whose write
    /// fails with EPIPE when the reader has gone (`invisible python prog.py | head -1`): BrokenPipeError and exit 1, as
    /// CPython. .NET's console stream drops EPIPE silently, and the program ran on to its end and exited 0. A regular
    /// file keeps the console stream: a FileStream writes a seekable file with pwrite at its own position, which would
    /// overwrite what child processes sharing the descriptor write there.</summary>
    private static Stream StandardOutput()
    {
        var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(1, ownsHandle: false);
        try
        {
            var stream = new FileStream(handle, FileAccess.Write, 0);
            if (!stream.CanSeek) return stream;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        catch (ArgumentException) { }
        return Console.OpenStandardOutput();
    }

    private static int RunOnThreadOwned(string[] args, TextWriter? stdout, TextWriter? stderr, Action<PythonEngine> made, ConsoleSession console)
    {
        bool ownOut = stdout == null;
        var o = stdout ?? new StreamWriter(StandardOutput(), new UTF8Encoding(false), 1 << 16) { AutoFlush = false };
        var e = stderr ?? new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true };
        try
        {
            string exe = PythonExecutable();
            var options = new PythonOptions { OrigArgv = BuildOrigArgv(args), Executable = exe, OwnsConsole = ownOut };
            if (ownOut && InvokedAsPython()) options.OrigArgv[0] = Argv0();
            int i = 0;
            string? command = null, module = null;
            int Usage(string message)
            {
                e.WriteLine(message);
                e.WriteLine($"usage: {exe} [option] ... [-c cmd | -m mod | file | -] [arg] ...");
                e.WriteLine("Try `python -h' for more information.");
                return 2;
            }
            // CPython's option syntax: single-letter options may be grouped (-SEc code); -c, -m, -W, -X take the rest
            // of the group or the next argument; the first non-option (or -c/-m) ends the interpreter's options.
            while (i < args.Length && command == null && module == null)
            {
                string a = args[i];
                if (a == "-" || !a.StartsWith('-')) break;
                i++;
                if (a == "--") break;
                if (a.StartsWith("--", StringComparison.Ordinal))
                {
                    if (a == "--version") { o.WriteLine("Python 3.11.7"); o.Flush(); return 0; }
                    if (a == "--check-hash-based-pycs")
                    {
                        // our compiled-code cache is not CPython's .pyc: the mode is checked and has no other effect
                        string? mode = i < args.Length ? args[i++] : null;
                        if (mode is not ("default" or "always" or "never")) return Usage("--check-hash-based-pycs must be one of 'default', 'always', or 'never'");
                        continue;
                    }
                    if (a == "--help") { o.WriteLine($"usage: {exe} [option] ... [-c cmd | -m mod | file | -] [arg] ..."); o.Flush(); return 0; }
                    return Usage($"unknown option {a}");
                }
                for (int j = 1; j < a.Length; j++)
                {
                    char c = a[j];
                    if (c is 'c' or 'm' or 'W' or 'X')
                    {
                        string? value = j + 1 < a.Length ? a.Substring(j + 1) : i < args.Length ? args[i++] : null;
                        if (value == null) return Usage($"Argument expected for the -{c} option");
                        if (c == 'c') command = value;
                        else if (c == 'm') module = value;
                        else if (c == 'W') options.WarnOptions.Add(value);
                        else options.XOptions.Add(value);
                        break;
                    }
                    switch (c)
                    {
                        case 'i': options.Inspect = true; break;
                        case 'E': options.IgnoreEnvironment = true; break;
                        case 'I': options.Isolated = true; break;
                        case 'S': options.NoSite = true; break;
                        case 's': options.NoUserSite = true; break;
                        case 'P': options.SafePath = true; break;
                        case 'B': options.DontWriteBytecode = true; break;
                        case 'u': options.Unbuffered = true; break;
                        case 'v': options.Verbose++; break;
                        case 'O': options.Optimize++; break;
                        case 'q': options.Quiet = true; break;
                        case 'b': options.BytesWarning++; break;
                        case 'x': options.SkipFirstLine = true; break;
                        case 'd': case 'R': break;   // debug parser output, hash randomization (always on): accepted
                        case 'V': o.WriteLine("Python 3.11.7"); o.Flush(); return 0;
                        case 'h': case '?': o.WriteLine($"usage: {exe} [option] ... [-c cmd | -m mod | file | -] [arg] ..."); o.Flush(); return 0;
                        default: return Usage($"Unknown option: -{c}");
                    }
                }
            }
            if (!options.EffectiveIgnoreEnvironment && Environment.GetEnvironmentVariable("PYTHONDONTWRITEBYTECODE") is { Length: > 0 }) options.DontWriteBytecode = true;
            if (!options.EffectiveIgnoreEnvironment && Environment.GetEnvironmentVariable("PYTHONUNBUFFERED") is { Length: > 0 }) options.Unbuffered = true;
            if (!options.EffectiveIgnoreEnvironment && Environment.GetEnvironmentVariable("PYTHONINSPECT") is { Length: > 0 }) options.Inspect = true;
            if (options.Unbuffered && o is StreamWriter sw) sw.AutoFlush = true;
            if (IntMaxStrDigitsOption(options, e) is { } fatal) return fatal;
            bool interactiveAfter = options.Inspect;
            if (command != null)
            {
                var argv = new string[args.Length - i + 1];
                argv[0] = "-c";
                Array.Copy(args, i, argv, 1, args.Length - i);
                var eng = new PythonEngine(o, e, Console.In, argv, "", options);
                made(eng);
                int rc = eng.RunMain(command, "<string>");
                if (interactiveAfter) rc = Repl(eng, o, e, console, banner: false);
                return eng.Finish(rc);
            }
            if (module != null)
            {
                // runpy: sys.argv[0] is "-m" while the module is looked for, then its file; sys.path[0] is the cwd
                var argv = new string[args.Length - i + 1];
                argv[0] = "-m";
                Array.Copy(args, i, argv, 1, args.Length - i);
                var eng = new PythonEngine(o, e, Console.In, argv, Directory.GetCurrentDirectory(), options);
                made(eng);
                int rc = eng.RunModule(module);
                if (interactiveAfter) rc = Repl(eng, o, e, console, banner: false);
                return eng.Finish(rc);
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
                var eng = new PythonEngine(o, e, Console.In, argv, dir, options);
                made(eng);
                string source = File.ReadAllText(file);
                // -x: the first line is not Python; it stays a (blank) line so the line numbers are the file's
                if (options.SkipFirstLine) { int nl = source.IndexOf('\n'); source = nl < 0 ? "" : source.Substring(nl); }
                int rc = eng.RunMain(source, file);
                if (interactiveAfter) rc = Repl(eng, o, e, console, banner: false);
                return eng.Finish(rc);
            }
            {
                // `-` (the program on stdin) or nothing: sys.argv is ['-', ARGS...] or ['']
                string[] argv;
                if (i < args.Length) { argv = new string[args.Length - i]; Array.Copy(args, i, argv, 0, argv.Length); }
                else argv = new[] { "" };
                var eng = new PythonEngine(o, e, Console.In, argv, "", options);
                made(eng);
                // a program on a pipe runs as a whole, unless -i asks for the prompt (which then reads the pipe's lines)
                if (Console.IsInputRedirected && !options.Inspect) return eng.Finish(eng.RunMain(Console.In.ReadToEnd(), "<stdin>"));
                return eng.Finish(Repl(eng, o, e, console, banner: !options.Quiet));
            }
        }
        finally
        {
            o.Flush();
            e.Flush();
            if (ownOut) o.Dispose();
        }
    }

    /// <summary>The name of the CPython-compatible entry: a link to the CLI (build/bin/python3 -> invisible) that
    /// runs as <c>invisible python</c> (<see cref="InvokedAsPython"/>).</summary>
    public const string PythonEntryName = "python3";

    /// <summary>This process was started as the python entry (argv[0] names python...), not as <c>invisible</c>.</summary>
    public static bool InvokedAsPython() => Path.GetFileName(Argv0()).StartsWith("python", StringComparison.Ordinal);

    /// <summary>argv[0] as the process was given it (/proc/self/cmdline: .NET's GetCommandLineArgs()[0] is the
    /// assembly under the JIT host, and ProcessPath has the links resolved).</summary>
    public static string Argv0()
    {
        try
        {
            byte[] cmdline = File.ReadAllBytes("/proc/self/cmdline");
            int end = Array.IndexOf(cmdline, (byte)0);
            return Encoding.UTF8.GetString(cmdline, 0, end < 0 ? cmdline.Length : end);
        }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }

    /// <summary>sys.executable: a program that takes CPython's command line, so Lib's subprocess users
    /// (test.support.script_helper, multiprocessing, venv...) can start another interpreter: the python entry
    /// we were started as, else the one installed beside the CLI (build/bin/python3 for build/libexec/invisible-cli,
    /// or next to it), else the CLI itself.</summary>
    private static string PythonExecutable()
    {
        string self = Environment.ProcessPath ?? "invisible";
        if (InvokedAsPython())
        {
            string a0 = Argv0();
            if (a0.Contains('/')) return Path.GetFullPath(a0);
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
                if (dir.Length > 0 && File.Exists(Path.Combine(dir, a0))) return Path.GetFullPath(Path.Combine(dir, a0));
        }
        string? own = Path.GetDirectoryName(self);
        if (own != null)
        {
            foreach (var candidate in new[] { Path.Combine(own, "..", "bin", PythonEntryName), Path.Combine(own, PythonEntryName) })
                if (IsLinkToUs(candidate)) return Path.GetFullPath(candidate);
        }
        return self;
    }

    /// <summary>A python3 that is ours: a link to the launcher or the CLI (not, say, /usr/bin/python3 beside a dotnet
    /// host running us in-process).</summary>
    private static bool IsLinkToUs(string path)
    {
        try
        {
            return File.Exists(path) && new FileInfo(path).LinkTarget is { } target
                && Path.GetFileName(target) is "invisible" or "invisible-cli";
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    private static string[] BuildOrigArgv(string[] args)
    {
        var r = new string[args.Length + 1];
        r[0] = Environment.ProcessPath ?? "invisible";
        Array.Copy(args, 0, r, 1, args.Length);
        return r;
    }

    /// <summary>The interactive prompt.</summary>
    private static int Repl(PythonEngine eng, TextWriter stdout, TextWriter e, ConsoleSession console, bool banner = true)
    {
        // CPython writes the banner and prompts to stderr when stdin is not a terminal (`python -i < file`): stdout
        // then holds only the program's output
        var o = Console.IsInputRedirected ? e : stdout;
        if (banner)
        {
            o.WriteLine("Python 3.11.7 (invisible) on linux");
            o.WriteLine("Type \"help\", \"copyright\", \"credits\" or \"license\" for more information.");
        }
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
