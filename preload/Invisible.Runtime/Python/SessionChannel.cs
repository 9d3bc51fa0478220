using System;
using System.Runtime.InteropServices;
using System.Text;

namespace Invisible.Runtime.Python;

/// <summary>
/// The connected attach socket of a Python session (protocol in preload/libinvisible/include/invisible.h):
/// line messages in, framed output ("KIND N\n" + N bytes) out. Plain read/send on the descriptor, no .NET
/// Socket: System.Native's networking and Console install process-wide signal handling (SIGPIPE ignored, handlers
/// for SIGINT/SIGQUIT/SIGCONT, a thread), which would change the program's own signal state;
/// sends use MSG_NOSIGNAL so a vanished client is EPIPE, never a SIGPIPE that kills the program.
/// </summary>
internal sealed unsafe partial class SessionChannel
{
    private const int MsgNoSignal = 0x4000, MsgDontWait = 0x40;
    private const int Eintr = 4, Eagain = 11;

    private readonly int _fd;
    private byte[] _input = new byte[65536];
    private int _start, _end;
    private bool _peerClosed;

    public SessionChannel(int fd, ReadOnlySpan<byte> pending)
    {
        _fd = fd;
        if (pending.Length > _input.Length) _input = new byte[pending.Length * 2];
        pending.CopyTo(_input);
        _end = pending.Length;
    }

    /// <summary>A send failed: the client is gone; later output is dropped.</summary>
    public bool Broken { get; private set; }

    /// <summary>The client closed its end or a send failed.</summary>
    public bool Gone => Broken || (_peerClosed && _start == _end);

    /// <summary>The next message line (without its newline); null when the client closed the connection.</summary>
    public string? ReadLine()
    {
        while (true)
        {
            int newline = Array.IndexOf(_input, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                string line = Encoding.UTF8.GetString(_input, _start, newline - _start);
                _start = newline + 1;
                return line;
            }
            if (!Fill(blocking: true)) return null;
        }
    }

    /// <summary>Exactly <paramref name="count"/> bytes (a payload after a message line); null on end of input.</summary>
    public byte[]? ReadBytes(int count)
    {
        var result = new byte[count];
        int have = 0;
        while (have < count)
        {
            if (_start == _end && !Fill(blocking: true)) return null;
            int n = Math.Min(count - have, _end - _start);
            Array.Copy(_input, _start, result, have, n);
            _start += n;
            have += n;
        }
        return result;
    }

    /// <summary>Without blocking: how many "interrupt" messages (Ctrl-C) the client sent at the head of the input
    /// while code runs. Consumes them.</summary>
    public int PollInterrupts()
    {
        if (!_peerClosed) Fill(blocking: false);
        int count = 0;
        ReadOnlySpan<byte> marker = "interrupt\n"u8;
        while (_end - _start >= marker.Length && _input.AsSpan(_start, marker.Length).SequenceEqual(marker))
        {
            _start += marker.Length;
            count++;
        }
        return count;
    }

    /// <summary>Read more input; false at end of input (or on an error).</summary>
    private bool Fill(bool blocking)
    {
        if (_start > 0)
        {
            Array.Copy(_input, _start, _input, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _input.Length) Array.Resize(ref _input, _input.Length * 2);
        while (true)
        {
            nint got;
            fixed (byte* p = &_input[_end])
                got = recv(_fd, p, (nuint)(_input.Length - _end), blocking ? 0 : MsgDontWait);
            if (got > 0)
            {
                _end += (int)got;
                return true;
            }
            if (got < 0)
            {
                int error = Marshal.GetLastPInvokeError();
                if (error == Eintr) continue;
                if (error == Eagain && !blocking) return false;
            }
            _peerClosed = true;
            return false;
        }
    }

    public void SendLine(string text) => SendRaw(Encoding.UTF8.GetBytes(text + "\n"));

    /// <summary>One frame: "KIND N\n" followed by the N bytes.</summary>
    public void SendFrame(string kind, ReadOnlySpan<byte> payload)
    {
        if (Broken) return;
        byte[] header = Encoding.ASCII.GetBytes(kind + " " + payload.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
        var frame = new byte[header.Length + payload.Length];
        header.CopyTo(frame, 0);
        payload.CopyTo(frame.AsSpan(header.Length));
        SendRaw(frame);
    }

    private void SendRaw(ReadOnlySpan<byte> data)
    {
        while (data.Length > 0 && !Broken)
        {
            nint sent;
            fixed (byte* p = data)
                sent = send(_fd, p, (nuint)data.Length, MsgNoSignal);
            if (sent < 0 && Marshal.GetLastPInvokeError() == Eintr) continue;
            if (sent <= 0)
            {
                Broken = true;
                return;
            }
            data = data.Slice((int)sent);
        }
    }

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial nint recv(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial nint send(int fd, byte* buffer, nuint length, int flags);
}
