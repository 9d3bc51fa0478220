using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Invisible.DwarfPython;
using Invisible.Python;
using Invisible.Python.Hosting;
using Invisible.Python.Runtime;

namespace Invisible.Runtime.Python;

/// <summary>
/// One Python session inside the program, on the attach listener's thread (protocol in
/// preload/libinvisible/include/invisible.h). Either interactive ("interact": banner, prompts, one statement at a
/// time) or a whole program ("exec"). Every session gets a fresh interpreter (new __main__, sys, modules);
/// whatever the engine registers at start-up (module providers such as the native bridge's `c` and
/// `process`) is there. Python errors are tracebacks in the session; nothing the code does — exceptions,
/// SystemExit, a broken interpreter — ends the program: every failure ends here with a status.
/// Python threads the session starts (threading, _thread) end with it: at the end of the session its non-daemon
/// threads are waited for (as at the end of a CPython program; Ctrl-C stops the wait), then every thread still
/// running is stopped (PythonEngine.EndThreads). Handlers of the program's signals cannot be installed
/// (PythonOptions.InsideTarget).
/// </summary>
internal sealed class AttachSession
{
    // Interrupts (Ctrl-C). The relay thread calls InterruptArrived for each "interrupt" message before passing it
    // on; while code runs, that sets the interpreter's interrupt flag and counts the message as delivered, so the
    // session ignores the message itself when it reads it (at output, in input(), or back at the prompt) unless
    // the flag is still pending then. One session at a time: static state (the listener's, not an interpreter's);
    // s_engine is the session's interpreter, the one interrupts go to.
    private static readonly object InterruptGate = new();
    private static bool s_running;
    private static int s_delivered;
    private static PythonEngine? s_engine;

    private readonly SessionChannel _channel;
    private readonly SessionWriter _stdout, _stderr;
    private readonly SessionReader _stdin;
    private bool _bridged; // DwarfPython was installed: its session ends with this one

    private AttachSession(int fd, ReadOnlySpan<byte> pending)
    {
        _channel = new SessionChannel(fd, pending);
        _stdout = new SessionWriter(_channel, "data");
        _stderr = new SessionWriter(_channel, "stderr");
        _stdin = new SessionReader(_channel, _stdout, _stderr);
    }

    /// <summary>Serve the session to its end and return its status (the caller sends the final "ok STATUS").</summary>
    public static int Run(int fd, ReadOnlySpan<byte> pending)
    {
        var session = new AttachSession(fd, pending);
        int status;
        try
        {
            status = session.Serve();
        }
        catch (Exception e)
        {
            status = 1;
            session.Internal(e);
        }
        finally
        {
            if (session._bridged)
                Bridge.SessionEnded(); // the record of frees is kept while a session exists
        }
        session.FlushOutput();
        // The final "ok STATUS" is libinvisible.so's to send, once the program's signal dispositions are back: a
        // client that sees it may look at the program at once. As a shell sees an exit status: 0..255.
        return status & 0xff;
    }

    private int Serve()
    {
        var argv = new List<string>();
        while (true)
        {
            string? message = _channel.ReadLine();
            if (message is null || message == "eof")
                return 0;
            if (message == "interact")
                return Interact();
            if (message.StartsWith("arg ", StringComparison.Ordinal))
            {
                argv.Add(message.Substring(4));
                continue;
            }
            if (message.StartsWith("exec ", StringComparison.Ordinal))
                return Exec(message.Substring(5), argv);
            if (message == "interrupt")
                continue; // before any code runs: nothing to stop
            _stderr.Write("invisible: unknown session message '" + message + "'\n");
            return 1;
        }
    }

    /// <summary>The relay saw an "interrupt" message (Ctrl-C): true when code is running and was asked to stop.</summary>
    internal static bool InterruptArrived()
    {
        lock (InterruptGate)
        {
            if (!s_running || s_engine == null) return false;
            s_engine.RequestInterrupt();
            s_delivered++;
            return true;
        }
    }

    /// <summary>The session read an "interrupt" message: true when it must act on it now (raise KeyboardInterrupt in
    /// input() or at output, print it at the prompt); false when the interpreter's flag already took care of it.</summary>
    internal static bool InterruptToHandle()
    {
        lock (InterruptGate)
        {
            if (s_delivered == 0) return true;
            s_delivered--;
            return s_engine?.ClearInterrupt() ?? true; // still pending: handled here instead (and only once)
        }
    }

    private static void Running(bool running)
    {
        lock (InterruptGate)
        {
            s_running = running;
            if (running)
            {
                s_delivered = 0;
                s_engine?.ClearInterrupt();
            }
        }
    }

    /// <summary>"exec N NAME" + N bytes: run as __main__; the status is the program's exit status.</summary>
    private int Exec(string arguments, List<string> argv)
    {
        int space = arguments.IndexOf(' ');
        string countText = space < 0 ? arguments : arguments.Substring(0, space);
        string name = space < 0 ? "<string>" : arguments.Substring(space + 1);
        if (!int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out int count))
        {
            _stderr.Write("invisible: bad exec message\n");
            return 1;
        }
        byte[]? code = _channel.ReadBytes(count);
        if (code is null)
            return 1;
        argv.Insert(0, name == "<string>" ? "-c" : name);
        var engine = NewEngine(argv.ToArray());
        Running(true);
        try
        {
            int status = engine.RunMain(System.Text.Encoding.UTF8.GetString(code), name);
            return engine.EndThreads(status); // no Python thread outlives the session (PythonEngine.EndThreads)
        }
        finally
        {
            Running(false);
        }
    }

    private int Interact()
    {
        var engine = NewEngine(new[] { "" });
        int status = Interact(engine);
        // exit() or Ctrl-D: the threads the session started end with it (PythonEngine.EndThreads); Ctrl-C stops
        // the wait for non-daemon ones.
        Running(true);
        try
        {
            return engine.EndThreads(status);
        }
        finally
        {
            Running(false);
        }
    }

    private int Interact(PythonEngine engine)
    {
        var console = new InteractiveConsole(engine);
        _stdout.Write("Python 3.11.7 (invisible) inside process " + Environment.ProcessId.ToString(CultureInfo.InvariantCulture)
                      + " (" + ProgramName() + ")\n"
                      + "The program keeps running. exit() or Ctrl-D detaches; the program goes on.\n");
        while (true)
        {
            FlushOutput();
            _channel.SendFrame("prompt", System.Text.Encoding.UTF8.GetBytes(console.Prompt));
            string? message = _channel.ReadLine();
            while (message == "interrupt")
            {
                if (InterruptToHandle())
                {
                    // Ctrl-C at a prompt: drop the partial statement, as CPython does.
                    console.Reset();
                    _stderr.Write("KeyboardInterrupt\n");
                    FlushOutput();
                    _channel.SendFrame("prompt", System.Text.Encoding.UTF8.GetBytes(console.Prompt));
                }
                message = _channel.ReadLine();
            }
            if (message is null || message == "eof")
                return 0; // Ctrl-D (the client ends the prompt line)
            if (!message.StartsWith("line", StringComparison.Ordinal))
                continue;
            string line = message.Length > 5 ? message.Substring(5) : "";
            Running(true);
            try
            {
                console.Push(line);
            }
            catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.SystemExitType))
            {
                return engine.HandleUncaught(e.Value); // exit(): the session ends, not the program
            }
            catch (Exception e) when (e is not PyException)
            {
                console.Reset();
                Internal(e);
            }
            catch (PyException e)
            {
                engine.HandleUncaught(e.Value);
            }
            finally
            {
                Running(false);
            }
            if (_channel.Gone)
                return 0;
        }
    }

    /// <summary>A fresh interpreter with DwarfPython plugged in (`import c`, `import process`, `import NAME` for
    /// a loaded library): here they describe this very process. It becomes the one interrupts go to.</summary>
    private PythonEngine NewEngine(string[] argv)
    {
        // InsideTarget: the program's signals and locale stay the program's (signal.signal, setlocale refuse).
        var engine = new PythonEngine(_stdout, _stderr, _stdin, argv, "", new PythonOptions { InsideTarget = true });
        Bridge.Install(engine);
        _bridged = true;
        lock (InterruptGate) s_engine = engine;
        return engine;
    }

    /// <summary>A failure of the interpreter itself (not a Python exception): reported, the session goes on.</summary>
    private void Internal(Exception e)
    {
        try
        {
            _stderr.Write("invisible: internal interpreter error: " + e.GetType().Name + ": " + e.Message + "\n");
        }
        catch (Exception)
        {
            // the client is gone
        }
    }

    private void FlushOutput()
    {
        _stdout.Flush();
        _stderr.Flush();
    }

    private static string ProgramName()
    {
        try
        {
            string? target = new FileInfo("/proc/self/exe").LinkTarget;
            return target is null ? "?" : Path.GetFileName(target);
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
