using System;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using Xunit;

namespace Invisible.Attach.Tests;

/// <summary>Ctrl-C in an attach session: code that never prints or waits (<c>while True: pass</c>) gets
/// KeyboardInterrupt through libinvisible.so's session relay, which hands each "interrupt" message to the runtime
/// at once; at the prompt Ctrl-C behaves like CPython's; the program itself never notices.</summary>
public sealed class InterruptTests
{
    private const int Sigint = 2;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private const string SilentLoop = "print('go', flush=True)\ni = 0\nwhile True: i += 1\n";

    /// <summary>The protocol itself: an "interrupt" message while the loop runs ends it with a CPython traceback
    /// and status 130 (CPython's for an uncaught KeyboardInterrupt).</summary>
    [Fact]
    public void InterruptMessageStopsASilentLoop()
    {
        using var target = new AttachTarget();
        Assert.Equal(0, target.Attach("-c", "pass").ExitCode); // the listener is up
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { ReceiveTimeout = 30_000 };
        socket.Connect(new UnixDomainSocketEndPoint("\0invisible-" + target.Pid));
        byte[] code = Encoding.UTF8.GetBytes(SilentLoop);
        socket.Send(Encoding.UTF8.GetBytes("python\nexec " + code.Length + " <string>\n"));
        socket.Send(code);
        var frames = new FrameReader(socket);
        Assert.Equal(("data", "go\n"), frames.Next());
        Thread.Sleep(200); // the loop runs: no frame comes
        Assert.False(socket.Poll(0, SelectMode.SelectRead));
        socket.Send("interrupt\n"u8.ToArray());
        var err = new StringBuilder();
        (string Kind, string Text) f;
        while ((f = frames.Next()).Kind == "stderr") err.Append(f.Text);
        Assert.Equal(("ok 130", ""), f);
        Assert.Equal("Traceback (most recent call last):\n  File \"<string>\", line 3, in <module>\n    while True: i += 1\nKeyboardInterrupt\n",
                     err.ToString());
        target.Echo("after the interrupt");
        target.FinishAndCheck();
    }

    /// <summary>A line "interrupt" inside exec'd code is code, not a message (the relay skips exec payloads).</summary>
    [Fact]
    public void InterruptInsideCodeIsNotAMessage()
    {
        using var target = new AttachTarget();
        var run = target.Attach("-c", "s = '''\ninterrupt\n'''\nfor k in range(3000): pass\nprint(len(s), k)");
        Assert.Equal((0, "11 2999\n", ""), (run.ExitCode, run.Stdout, run.Stderr));
        target.FinishAndCheck();
    }

    /// <summary>SIGINT to `invisible attach PID -c CODE` (Ctrl-C at a terminal) while the code loops silently.</summary>
    [Fact]
    public void CtrlCStopsTheCodeOfAttachDashC()
    {
        using var target = new AttachTarget("O2");
        using var cli = new DrivenCli(target.Pid, "-c", SilentLoop);
        cli.WaitStdout("go\n");
        Thread.Sleep(200);
        cli.Interrupt();
        Assert.Equal(130, cli.Exit());
        Assert.Equal("go\n", cli.Stdout);
        Assert.Equal("Traceback (most recent call last):\n  File \"<string>\", line 3, in <module>\n    while True: i += 1\nKeyboardInterrupt\n",
                     cli.Stderr);
        target.Echo("the program did not see it");
        target.FinishAndCheck();
    }

    /// <summary>The interactive prompt (-i: prompts on a pipe): Ctrl-C in a silent loop gives a traceback and a new
    /// prompt; Ctrl-C at the idle prompt prints KeyboardInterrupt and prompts again; Ctrl-C in input() raises
    /// there; the session goes on, and quit() ends it without touching the program.</summary>
    [Fact]
    public void CtrlCAtThePromptBehavesLikeCPython()
    {
        using var target = new AttachTarget();
        using var cli = new DrivenCli(target.Pid, "-i");
        cli.WaitStdout(">>> ");
        cli.Write("def spin():\n    print('go', flush=True)\n    while True: pass\n\n");
        cli.WaitStdout("... ... ... >>> ");
        cli.Write("spin()\n");
        cli.WaitStdout("go\n");
        Thread.Sleep(200);
        cli.Interrupt();                        // in the loop
        cli.WaitStdout(">>> ");
        cli.WaitStderr("KeyboardInterrupt\n");
        cli.Interrupt();                        // idle at the prompt
        cli.WaitStdout("\n>>> ");
        cli.WaitStderr("KeyboardInterrupt\nKeyboardInterrupt\n");
        cli.Write("x = input('name? ')\n");
        cli.WaitStdout("name? ");
        Thread.Sleep(100);
        cli.Interrupt();                        // in input()
        cli.WaitStdout("\n>>> ");
        cli.Write("print(6 * 7)\n");
        cli.WaitStdout("42\n>>> ");
        cli.Write("quit()\n");
        Assert.Equal(0, cli.Exit());
        string banner = "Python 3.11.7 (invisible) inside process " + target.Pid + " (attach_target-O0)\n" +
                        "The program keeps running. exit() or Ctrl-D detaches; the program goes on.\n";
        Assert.Equal(banner + ">>> ... ... ... >>> go\n>>> \n>>> name? \n>>> 42\n>>> ", cli.Stdout);
        Assert.Equal("Traceback (most recent call last):\n  File \"<stdin>\", line 1, in <module>\n    spin()\n" +
                     "  File \"<stdin>\", line 3, in spin\nKeyboardInterrupt\n" +
                     "KeyboardInterrupt\n" +
                     "Traceback (most recent call last):\n  File \"<stdin>\", line 1, in <module>\n    x = input('name? ')\nKeyboardInterrupt\n",
                     cli.Stderr);
        target.Echo("after quit()");
        target.FinishAndCheck();
    }

    /// <summary>Frames of the session protocol read straight from the socket.</summary>
    private sealed class FrameReader
    {
        private readonly Socket _socket;
        private readonly byte[] _buffer = new byte[1 << 16];
        private int _start, _end;

        public FrameReader(Socket socket) => _socket = socket;

        public (string Kind, string Text) Next()
        {
            string line = ReadLine();
            if (line.StartsWith("ok", StringComparison.Ordinal) || line.StartsWith("error", StringComparison.Ordinal)) return (line, "");
            string[] f = line.Split(' ');
            int n = int.Parse(f[1]);
            while (_end - _start < n) Fill();
            string text = Encoding.UTF8.GetString(_buffer, _start, n);
            _start += n;
            return (f[0], text);
        }

        private void Fill()
        {
            if (_start > 0) { Array.Copy(_buffer, _start, _buffer, 0, _end - _start); _end -= _start; _start = 0; }
            int got = _socket.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None);
            if (got <= 0) throw new InvalidOperationException("connection closed");
            _end += got;
        }

        private string ReadLine()
        {
            while (true)
            {
                int nl = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (nl >= 0)
                {
                    string line = Encoding.UTF8.GetString(_buffer, _start, nl - _start);
                    _start = nl + 1;
                    return line;
                }
                Fill();
            }
        }
    }

    /// <summary>`invisible attach PID ARGS` with its stdin written and its output watched as it comes.</summary>
    private sealed class DrivenCli : IDisposable
    {
        private readonly Process _p;
        private readonly StringBuilder _out = new(), _err = new();
        private readonly Thread _outReader, _errReader;

        public DrivenCli(int pid, params string[] args)
        {
            // SIGINT at its default action in the client whatever the test runner inherited: a runner started in the
            // background of a non-interactive shell ignores SIGINT, and an ignored SIGINT stays ignored across exec
            // (and .NET then leaves it ignored).
            var all = new System.Collections.Generic.List<string> { "--default-signal=INT", AttachTarget.Cli, "attach", pid.ToString() };
            all.AddRange(args);
            _p = Process.Start(AttachTarget.StartInfo("/usr/bin/env", all, null))!;
            _outReader = Pump(_p.StandardOutput, _out);
            _errReader = Pump(_p.StandardError, _err);
        }

        private static Thread Pump(System.IO.StreamReader from, StringBuilder into)
        {
            var t = new Thread(() =>
            {
                var buffer = new char[4096];
                int n;
                while ((n = from.Read(buffer, 0, buffer.Length)) > 0)
                    lock (into) into.Append(buffer, 0, n);
            }) { IsBackground = true };
            t.Start();
            return t;
        }

        public string Stdout { get { lock (_out) return _out.ToString(); } }
        public string Stderr { get { lock (_err) return _err.ToString(); } }

        public void Write(string text)
        {
            _p.StandardInput.Write(text);
            _p.StandardInput.Flush();
        }

        public void WaitStdout(string suffix) => Wait(_out, suffix, "stdout");
        public void WaitStderr(string suffix) => Wait(_err, suffix, "stderr");

        private void Wait(StringBuilder sb, string suffix, string what)
        {
            var clock = Stopwatch.StartNew();
            while (clock.ElapsedMilliseconds < 30_000)
            {
                lock (sb)
                    if (sb.ToString().EndsWith(suffix, StringComparison.Ordinal)) return;
                Thread.Sleep(10);
            }
            throw new TimeoutException("no " + what + " ending with " + suffix.Replace("\n", "\\n") +
                                       "; stdout: " + Stdout + "; stderr: " + Stderr);
        }

        /// <summary>Ctrl-C at a terminal: SIGINT to the client.</summary>
        public void Interrupt() => Assert.Equal(0, kill(_p.Id, Sigint));

        public int Exit()
        {
            Assert.True(_p.WaitForExit(30_000), "the client did not exit; stdout: " + Stdout + "; stderr: " + Stderr);
            _outReader.Join();
            _errReader.Join();
            return _p.ExitCode;
        }

        public void Dispose()
        {
            if (!_p.HasExited) _p.Kill();
            _p.Dispose();
        }
    }
}
