using System;
using System.Runtime.InteropServices;
using System.Text;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;
using ThreadState = Invisible.Python.Vm.ThreadState;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>faulthandler</c> (Modules/faulthandler.c), as far as it is meaningful here: <c>dump_traceback</c>
/// (CPython's format: "Stack (most recent call first):", "  File ..., line N in NAME"; all threads of the interpreter
/// with <c>all_threads</c>), <c>dump_traceback_later</c>/<c>cancel_dump_traceback_later</c> (a timer thread writes the
/// dump; <c>exit=True</c> then ends the process, refused inside another program), <c>enable</c>/<c>disable</c>/
/// <c>is_enabled</c>. Not here: a handler of fatal signals (SIGSEGV, SIGFPE...): the .NET runtime owns them and turns
/// a fault in managed code into an exception, and a fault in native code is the Invisible runtime's to report —
/// <c>enable()</c> records the file and the wish, <c>is_enabled()</c> reports it. <c>register</c>/<c>unregister</c>
/// (a dump on a user signal) are absent: handlers of signals go through the <c>signal</c> module.
/// </summary>
public static partial class FaulthandlerModule
{
    [LibraryImport("libc.so.6")]
    private static unsafe partial nint write(int fd, byte* buf, nint count);
    [LibraryImport("libc.so.6")]
    private static partial void _exit(int status);
    [LibraryImport("libc.so.6")]
    private static partial nint pthread_self();

    private static readonly ArgParser EnableArgs = new("enable", "file=None, all_threads=True");
    private static readonly ArgParser DumpArgs = new("dump_traceback", "file=None, all_threads=True");
    private static readonly ArgParser LaterArgs = new("dump_traceback_later", "timeout, repeat=False, file=None, exit=False");

    private sealed class State
    {
        public bool Enabled;
        public int Fd = 2;
        public System.Threading.Timer? Later;
    }

    public static PyModule Create(InterpreterState interp)
    {
        var m = new PyModule("faulthandler");
        var state = new State();
        m.AddFn("enable", (a, k) =>
        {
            var args = EnableArgs.Parse(a, k);
            state.Fd = FileDescriptor(interp, args[0]);
            state.Enabled = true;
            return PyNone.Instance;
        });
        m.AddFn("disable", (a, k) =>
        {
            ArgParser.NoArgs("disable", a, k);
            bool was = state.Enabled;
            state.Enabled = false;
            return PyBool.Of(was);
        });
        m.AddFn("is_enabled", (a, k) => { ArgParser.NoArgs("is_enabled", a, k); return PyBool.Of(state.Enabled); });
        m.AddFn("dump_traceback", (a, k) =>
        {
            var args = DumpArgs.Parse(a, k);
            int fd = FileDescriptor(interp, args[0]);
            interp.Sys.FlushStdout();
            Write(fd, Dump(interp, args.Bool(1, true), ThreadState.Current));
            return PyNone.Instance;
        });
        m.AddFn("dump_traceback_later", (a, k) =>
        {
            var args = LaterArgs.Parse(a, k);
            double timeout = args.Double(0);
            if (!(timeout > 0)) throw Ops.ValueError("timeout must be greater than 0");
            if (timeout > int.MaxValue / 1000.0) throw Ops.OverflowError("timeout value is too large");
            bool repeat = args.Bool(1), exit = args.Bool(3);
            int fd = FileDescriptor(interp, args[2]);
            if (exit && interp.Sys.Options.InsideTarget)
                throw Ops.ValueError("dump_traceback_later(exit=True) is refused in an attach session: it would end the program");
            string header = $"Timeout ({TimeSpan.FromSeconds(timeout):h\\:mm\\:ss})!\n";
            state.Later?.Dispose();
            int ms = (int)(timeout * 1000);
            state.Later = new System.Threading.Timer(_ =>
            {
                // On a timer thread, without the interpreter lock: frames are read as they are (CPython's dump does
                // the same from its watchdog thread).
                try { Write(fd, header + Dump(interp, true, null)); } catch (Exception) { /* best effort, as CPython */ }
                if (exit) _exit(1);
            }, null, ms, repeat ? ms : System.Threading.Timeout.Infinite);
            return PyNone.Instance;
        });
        m.AddFn("cancel_dump_traceback_later", (a, k) =>
        {
            ArgParser.NoArgs("cancel_dump_traceback_later", a, k);
            state.Later?.Dispose();
            state.Later = null;
            return PyNone.Instance;
        });
        return m;
    }

    /// <summary>The descriptor of <c>file</c>: an int, an object with <c>fileno()</c>, or sys.stderr (None).</summary>
    private static int FileDescriptor(InterpreterState interp, PyObject? file)
    {
        if (file is PyInt i)
        {
            if (i.V < 0) throw Ops.ValueError("file is not a valid file descriptor");
            return (int)i.V;
        }
        if (file == null || file == PyNone.Instance)
        {
            file = interp.Sys.Module.ModDict.GetOrNull("stderr");
            if (file == null || file == PyNone.Instance) throw Ops.RuntimeError("sys.stderr is None");
        }
        var fileno = Ops.CallMethod(file, "fileno");
        long fd = Ops.IndexValue(fileno);
        if (fd < 0) throw Ops.RuntimeError("file.fileno() is not a valid file descriptor");
        if (Ops.GetAttrOrNull(file, PyStr.Intern("flush")) is { } flush) Ops.Call(flush, ReadOnlySpan<PyObject>.Empty);
        return (int)fd;
    }

    private static string Dump(InterpreterState interp, bool allThreads, ThreadState? current)
    {
        var sb = new StringBuilder();
        if (!allThreads)
        {
            sb.Append("Stack (most recent call first):\n");
            if (current != null) Frames(sb, current.CurrentFrame);
            return sb.ToString();
        }
        bool first = true;
        foreach (ThreadState ts in interp.ThreadStates())
        {
            if (!first) sb.Append('\n');
            first = false;
            bool isCurrent = ReferenceEquals(ts, current);
            sb.Append(isCurrent ? "Current thread 0x" : "Thread 0x")
              .Append((isCurrent ? (long)pthread_self() : ts.ManagedThreadId).ToString("x16"))
              .Append(" (most recent call first):\n");
            Frames(sb, ts.CurrentFrame);
        }
        return sb.ToString();
    }

    private static void Frames(StringBuilder sb, Frame? f)
    {
        for (int depth = 0; f != null && depth < 100; f = f.Back, depth++)
        {
            var code = f.Code;
            int line = code.Lines.Length > 0 ? code.Lines[Math.Clamp(f.Ip - 1, 0, code.Lines.Length - 1)] : 0;
            sb.Append("  File \"").Append(code.Filename).Append("\", line ").Append(line).Append(" in ").Append(code.Name).Append('\n');
        }
        if (f != null) sb.Append("  ...\n");
    }

    private static unsafe void Write(int fd, string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        fixed (byte* p = bytes)
        {
            nint done = 0;
            while (done < bytes.Length)
            {
                nint n = write(fd, p + done, bytes.Length - done);
                if (n <= 0) return;
                done += n;
            }
        }
    }
}
