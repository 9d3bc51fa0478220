using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using Invisible.Cli.Target;

namespace Invisible.Cli;

/// <summary>
/// <c>invisible attach PID [-c CODE | SCRIPT | -] [ARGS...]</c>: a Python session inside a running, preloaded
/// process. The listener is found or started exactly as for <c>invisible census PID</c> (see
/// <see cref="TargetProcess"/>); the `python` request turns the
/// connection into a session of the interpreter hosted by libinvisible-runtime.so (protocol in
/// preload/libinvisible/include/invisible.h). Interactive when no code is given and stdin is a terminal; otherwise
/// the code runs as __main__ and the exit status is 0, or 1 when it raised. Attach failures exit 2.
/// </summary>
public static partial class AttachCommand
{
    private const int ExitUsage = 2;
    private const string UsageText = "usage: invisible attach PID [-i | -c CODE | SCRIPT | -] [ARGS...]";

    public static int Execute(ReadOnlySpan<string> args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.Error.WriteLine(UsageText);
            return args.Length == 0 ? ExitUsage : 0;
        }
        if (!int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid <= 0)
            return Fail(UsageText);

        string? code = null, name = null;
        var argv = new List<string>();
        if (args.Length > 1)
        {
            string a = args[1];
            if (a == "-i")
            {
                // The prompt even when stdin is not a terminal (scripts and tests that drive a session line by line).
                if (args.Length > 2) return Fail("attach: -i takes no arguments");
            }
            else if (a == "-c")
            {
                if (args.Length < 3) return Fail("attach: argument expected for -c");
                code = args[2];
                name = "<string>";
                for (int i = 3; i < args.Length; i++) argv.Add(args[i]);
            }
            else if (a == "-")
            {
                code = Console.In.ReadToEnd();
                name = "<stdin>";
                for (int i = 2; i < args.Length; i++) argv.Add(args[i]);
            }
            else if (a.StartsWith('-'))
            {
                return Fail("attach: unknown option '" + a + "'");
            }
            else
            {
                try
                {
                    code = File.ReadAllText(a);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return Fail("attach: cannot read '" + a + "': " + e.Message);
                }
                name = Path.GetFullPath(a);
                for (int i = 2; i < args.Length; i++) argv.Add(args[i]);
            }
        }
        else if (Console.IsInputRedirected)
        {
            code = Console.In.ReadToEnd(); // like `python < file`
            name = "<stdin>";
        }

        TargetProcess? target = TargetProcess.Open(pid, out string problem);
        if (target is null)
            return Fail(problem);
        Socket? socket = target.ConnectListener(out problem);
        if (socket is null)
            return Fail(problem);
        using (socket)
        {
            var session = new Session(socket, target, interactive: code is null);
            return session.Run(code, name ?? "<stdin>", argv);
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("invisible: " + message);
        return ExitUsage;
    }

    /// <summary>The client half of one session: sends input, copies frames to our stdout/stderr.</summary>
    private sealed class Session
    {
        private readonly Socket _socket;
        private readonly TargetProcess _target;
        private readonly int _pid;
        private readonly bool _interactive;
        private readonly ReplyReader _replies;
        private readonly Stream _stdout = Console.OpenStandardOutput();
        private readonly Stream _stderr = Console.OpenStandardError();
        private volatile bool _running;
        private int _interrupts;
        private readonly object _sendGate = new();
        private InputLines? _input;

        public Session(Socket socket, TargetProcess target, bool interactive)
        {
            _socket = socket;
            _target = target;
            _pid = target.Pid;
            _interactive = interactive;
            _replies = new ReplyReader(socket);
        }

        public int Run(string? code, string name, List<string> argv)
        {
            var request = new StringBuilder("python\n");
            byte[] payload = Array.Empty<byte>();
            if (code is null)
            {
                request.Append("interact\n");
            }
            else
            {
                foreach (string a in argv)
                    request.Append("arg ").Append(a.Replace('\n', ' ')).Append('\n');
                payload = Encoding.UTF8.GetBytes(code);
                request.Append("exec ").Append(payload.Length.ToString(CultureInfo.InvariantCulture)).Append(' ')
                       .Append(name.Replace('\n', ' ')).Append('\n');
            }
            Console.CancelKeyPress += OnCancel;
            _running = true;
            if (!Send(Encoding.UTF8.GetBytes(request.ToString())) || !Send(payload))
                return Lost();
            while (true)
            {
                string? line = _replies.ReadLine();
                if (line is null)
                    return _replies.LineTooLong ? Protocol("a line longer than " + ReplyReader.MaxLine + " bytes") : Lost();
                (string kind, string argument) = ReplyReader.Split(line);
                switch (kind)
                {
                    case "data":
                    case "stderr":
                    case "prompt":
                        if (!ReplyReader.TryParseLength(argument, out long length))
                            return Protocol(line);
                        Stream target = kind == "stderr" ? _stderr : _stdout;
                        if (!_replies.Copy(length, target))
                            return Lost();
                        if (kind == "prompt" && !AnswerPrompt())
                            return Lost();
                        break;
                    case "ok":
                        return int.TryParse(argument, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int status) && status is >= 0 and <= 255 ? status : 0;
                    case "error":
                        Console.Error.WriteLine("invisible: " + ReplyReader.Printable(argument));
                        return ExitUsage;
                    default:
                        return Protocol(line);
                }
            }
        }

        /// <summary>The target waits for one line of our stdin (the prompt text was printed already). Ctrl-C while
        /// we wait answers with "interrupt" instead: at the ">>> " prompt the target prints KeyboardInterrupt and
        /// prompts again, in input() the running code gets KeyboardInterrupt, as with CPython.</summary>
        private bool AnswerPrompt()
        {
            _running = false;
            _input ??= new InputLines();
            string? input = _input.Take();
            if (ReferenceEquals(input, InputLines.CtrlC))
            {
                if (_interactive)
                    _stdout.Write("\n"u8); // end the prompt line, as CPython does before "KeyboardInterrupt"
                _stdout.Flush();
                return Send("interrupt\n"u8.ToArray());
            }
            _running = true;
            _interrupts = 0;
            if (input is null && _interactive)
                _stdout.Write("\n"u8); // Ctrl-D: end the prompt line, as CPython does
            string message = input is null ? "eof\n" : "line " + input.Replace("\r", "") + "\n";
            return Send(Encoding.UTF8.GetBytes(message));
        }

        /// <summary>Ctrl-C (SIGINT). At a prompt: handed to <see cref="AnswerPrompt"/>. While code runs: "interrupt",
        /// which the target raises as KeyboardInterrupt at the code's next loop iteration or call; a second Ctrl-C
        /// before the code stopped (stuck in a long native call) detaches, leaving it to finish in the target.</summary>
        private void OnCancel(object? sender, ConsoleCancelEventArgs e)
        {
            e.Cancel = true;
            if (!_running)
            {
                (_input ??= new InputLines()).Add(InputLines.CtrlC);
                return;
            }
            if (++_interrupts >= 2)
            {
                Console.Error.WriteLine("\ninvisible: detached; the statement keeps running in process " + _pid
                                        + " (its listener serves no other request until the statement ends)");
                Environment.Exit(130);
            }
            // At a terminal Ctrl-C also drops what was typed ahead (the line discipline flushes its input queue);
            // our reader thread may have taken those lines already.
            if (!Console.IsInputRedirected) _input?.DropQueued();
            Send("interrupt\n"u8.ToArray());
        }

        private bool Send(byte[] data)
        {
            try
            {
                // The main thread (answers) and the Ctrl-C handler's thread (interrupts) both send: whole messages.
                lock (_sendGate)
                {
                    int sent = 0;
                    while (sent < data.Length)
                        sent += _socket.Send(data, sent, data.Length - sent, SocketFlags.None);
                }
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }

        private int Lost()
        {
            _stdout.Flush();
            // A killed target closes its sockets while it exits, a moment before /proc shows it as a zombie.
            string state = _target.State();
            for (int i = 0; i < 50 && state == "alive"; i++)
            {
                Thread.Sleep(20);
                state = _target.State();
            }
            Console.Error.WriteLine(state is "gone" or "zombie"
                ? "invisible: process " + _pid + " exited during the session"
                : "invisible: process " + _pid + " closed the connection");
            return ExitUsage;
        }

        private static int Protocol(string line)
        {
            Console.Error.WriteLine("invisible: unexpected reply from the target: " + ReplyReader.Printable(line));
            return ExitUsage;
        }
    }

    /// <summary>Our stdin as lines, read on a thread of its own with plain read(2) on descriptor 0: a Ctrl-C can
    /// then answer a prompt in place of a line, and at a terminal the kernel's line discipline edits the line and
    /// drops a half-typed one on Ctrl-C, as at CPython's prompt.</summary>
    private sealed unsafe partial class InputLines
    {
        /// <summary>The item a Ctrl-C puts in the queue (compared by reference).</summary>
        public static readonly string CtrlC = new('\u0003', 1);

        private readonly Queue<string?> _items = new();
        private bool _atEnd;

        public InputLines()
        {
            var reader = new Thread(ReadAll) { IsBackground = true, Name = "invisible-stdin" };
            reader.Start();
        }

        public void Add(string? item)
        {
            lock (_items)
            {
                _items.Enqueue(item);
                Monitor.PulseAll(_items);
            }
        }

        /// <summary>Forget lines read but not yet taken (the end of input stays).</summary>
        public void DropQueued()
        {
            lock (_items)
            {
                bool end = _items.Contains(null);
                _items.Clear();
                if (end) _items.Enqueue(null);
            }
        }

        /// <summary>The next line, <see cref="CtrlC"/>, or null at the end of input (then always null).</summary>
        public string? Take()
        {
            lock (_items)
            {
                while (true)
                {
                    if (_items.Count > 0)
                    {
                        string? item = _items.Dequeue();
                        if (item is null) _atEnd = true;
                        return item;
                    }
                    if (_atEnd) return null;
                    Monitor.Wait(_items);
                }
            }
        }

        private void ReadAll()
        {
            var line = new List<byte>();
            byte[] buffer = new byte[4096];
            while (true)
            {
                nint got;
                fixed (byte* p = buffer)
                    got = read(0, p, (nuint)buffer.Length);
                if (got < 0 && Marshal.GetLastPInvokeError() == 4) continue; // EINTR (our own SIGINT)
                if (got <= 0) break;
                for (int i = 0; i < (int)got; i++)
                {
                    if (buffer[i] != (byte)'\n') { line.Add(buffer[i]); continue; }
                    Add(Encoding.UTF8.GetString(line.ToArray()));
                    line.Clear();
                }
            }
            if (line.Count > 0) Add(Encoding.UTF8.GetString(line.ToArray()));
            Add(null);
        }

        [LibraryImport("libc.so.6", SetLastError = true)]
        private static partial nint read(int fd, byte* buffer, nuint count);
    }
}
