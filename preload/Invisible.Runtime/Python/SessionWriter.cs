using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using Invisible.Python.Runtime;

namespace Invisible.Runtime.Python;

/// <summary>
/// sys.stdout / sys.stderr of an attach session: text goes to the client as "data" or "stderr" frames,
/// never to the program's own descriptors. Buffered; sent when the buffer fills, at a newline once
/// <see cref="LineLatencyMs"/> passed since the last send (a loop that prints shows progress without a
/// syscall per line), and on Flush (the engine flushes after every statement).
/// While output is written, the client's disappearance raises KeyboardInterrupt in the running code, once, and so
/// does an "interrupt" (Ctrl-C) that the interpreter's flag did not deliver; output to a vanished client is dropped.
/// </summary>
internal sealed class SessionWriter : TextWriter
{
    private const int Capacity = 16 * 1024;
    private const long LineLatencyMs = 30;

    private readonly SessionChannel _channel;
    private readonly string _kind;
    private readonly StringBuilder _buffer = new();
    private long _lastSend = Stopwatch.GetTimestamp();
    private bool _goneRaised;

    public SessionWriter(SessionChannel channel, string kind)
    {
        _channel = channel;
        _kind = kind;
    }

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        _buffer.Append(value);
        if (value == '\n' || _buffer.Length >= Capacity) MaybeSend(value == '\n');
    }

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        _buffer.Append(value);
        if (_buffer.Length >= Capacity || value.Contains('\n')) MaybeSend(true);
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void Flush()
    {
        if (_buffer.Length == 0) return;
        _channel.SendFrame(_kind, Encoding.UTF8.GetBytes(_buffer.ToString()));
        _buffer.Clear();
        _lastSend = Stopwatch.GetTimestamp();
    }

    private void MaybeSend(bool atNewline)
    {
        if (_buffer.Length < Capacity && atNewline && Stopwatch.GetElapsedTime(_lastSend).TotalMilliseconds < LineLatencyMs)
            return;
        Flush();
        bool interrupt;
        if (_channel.Gone)
        {
            interrupt = !_goneRaised; // the client went away: stop the running code, once
            _goneRaised = true;
        }
        else
        {
            // Ctrl-C messages read here were normally delivered already through the interpreter's flag.
            interrupt = false;
            for (int n = _channel.PollInterrupts(); n > 0; n--)
                interrupt |= AttachSession.InterruptToHandle();
        }
        if (interrupt)
            throw new PyException(PyBaseException.Create(PyBaseException.KeyboardInterruptType, Array.Empty<PyObject>()));
    }
}
