using System;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace Invisible.Attach.Tests;

/// <summary>The interactive session spoken directly on the attach socket (what the CLI does at a terminal):
/// prompts, continuation prompts for blocks, tracebacks that stay in the session, exit() and Ctrl-D.</summary>
public sealed class SessionProtocolTests
{
    private sealed class Client : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        private readonly byte[] _buffer = new byte[1 << 16];
        private int _start, _end;

        public Client(int pid)
        {
            _socket.ReceiveTimeout = 30_000;
            _socket.Connect(new UnixDomainSocketEndPoint("\0invisible-" + pid));
        }

        public void Send(string text) => _socket.Send(Encoding.UTF8.GetBytes(text));

        /// <summary>Frames up to the next prompt (or the end): (stdout, stderr, prompt or "ok N").</summary>
        public (string Out, string Err, string Prompt) Until()
        {
            var o = new StringBuilder();
            var e = new StringBuilder();
            while (true)
            {
                string line = ReadLine();
                if (line.StartsWith("ok", StringComparison.Ordinal) || line.StartsWith("error", StringComparison.Ordinal))
                    return (o.ToString(), e.ToString(), line);
                string[] f = line.Split(' ');
                string payload = Encoding.UTF8.GetString(ReadBytes(int.Parse(f[1])));
                if (f[0] == "data") o.Append(payload);
                else if (f[0] == "stderr") e.Append(payload);
                else if (f[0] == "prompt") return (o.ToString(), e.ToString(), payload);
                else throw new InvalidOperationException("unexpected frame " + line);
            }
        }

        public (string Out, string Err, string Prompt) Line(string text)
        {
            Send("line " + text + "\n");
            return Until();
        }

        private bool Fill()
        {
            if (_start > 0) { Array.Copy(_buffer, _start, _buffer, 0, _end - _start); _end -= _start; _start = 0; }
            int n = _socket.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None);
            _end += n;
            return n > 0;
        }

        private string ReadLine()
        {
            while (true)
            {
                int nl = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (nl >= 0) { string s = Encoding.UTF8.GetString(_buffer, _start, nl - _start); _start = nl + 1; return s; }
                if (!Fill()) throw new InvalidOperationException("connection closed");
            }
        }

        private byte[] ReadBytes(int n)
        {
            var r = new byte[n];
            for (int have = 0; have < n;)
            {
                if (_start == _end && !Fill()) throw new InvalidOperationException("connection closed");
                int k = Math.Min(n - have, _end - _start);
                Array.Copy(_buffer, _start, r, have, k);
                _start += k; have += k;
            }
            return r;
        }

        public void Dispose() => _socket.Dispose();
    }

    [Fact]
    public void InteractiveSessionWithBlocksTracebacksAndExit()
    {
        using var target = new AttachTarget();
        Assert.Equal(0, target.Attach("-c", "pass").ExitCode); // the listener is running from now on
        using (var c = new Client(target.Pid))
        {
            c.Send("python\ninteract\n");
            var banner = c.Until();
            Assert.Contains("inside process " + target.Pid + " (attach_target-O0)", banner.Out);
            Assert.Equal(">>> ", banner.Prompt);
            Assert.Equal(("", "", ">>> "), c.Line("x = 6"));
            Assert.Equal(("42\n", "", ">>> "), c.Line("x * 7"));
            Assert.Equal(("", "", "... "), c.Line("for i in range(3):"));   // continuation marker
            Assert.Equal(("", "", "... "), c.Line("    print(i * x)"));
            Assert.Equal(("0\n6\n12\n", "", ">>> "), c.Line(""));
            Assert.Equal(("", "", "... "), c.Line("d = {'a': [1,"));
            Assert.Equal(("", "", ">>> "), c.Line("  2]}"));
            var error = c.Line("d['b']");
            Assert.Equal("Traceback (most recent call last):\n  File \"<stdin>\", line 1, in <module>\n    d['b']\nKeyError: 'b'\n", error.Err);
            Assert.Equal(">>> ", error.Prompt);
            var syntax = c.Line("1 +* 2");
            Assert.Contains("SyntaxError: invalid syntax", syntax.Err);
            Assert.Equal((">>> "), syntax.Prompt);
            Assert.Equal(("{'a': [1, 2]}\n", "", ">>> "), c.Line("d"));    // the namespace survived the errors
            Assert.Equal(("", "", "ok 0"), c.Line("exit()"));
        }
        target.Echo("between sessions");
        using (var c = new Client(target.Pid))
        {
            c.Send("python\ninteract\n");
            c.Until();
            Assert.Equal(("", "", ">>> "), c.Line("import sys"));
            c.Send("eof\n");                                               // Ctrl-D
            Assert.Equal("ok 0", c.Until().Prompt);
        }
        target.Echo("after");
        target.FinishAndCheck();
    }

    [Fact]
    public void ClientVanishingMidSessionLeavesTheProgramRunning()
    {
        using var target = new AttachTarget();
        Assert.Equal(0, target.Attach("-c", "pass").ExitCode);
        using (var c = new Client(target.Pid))
        {
            c.Send("python\ninteract\n");
            c.Until();
            c.Send("line for i in range(200000): print(i)\nline \n");
        } // closed while the loop prints: KeyboardInterrupt in the session, never SIGPIPE in the program
        var next = target.Attach("-c", "print('next')");
        Assert.Equal((0, "next\n"), (next.ExitCode, next.Stdout));
        target.Echo("alive");
        target.FinishAndCheck();
    }
}
