using System.IO;
using Invisible.Python.Runtime;

namespace Invisible.Runtime.Python;

/// <summary>
/// sys.stdin of an attach session (input(), sys.stdin.readline()): each line is asked of the client with an
/// empty "prompt" frame (input()'s own prompt text was already written to stdout) and arrives as a "line"
/// message; "eof" is end of file. Never the program's own stdin.
/// </summary>
internal sealed class SessionReader : TextReader
{
    private readonly SessionChannel _channel;
    private readonly TextWriter _stdout, _stderr;
    private string _pending = "";
    private int _position;
    private bool _atEnd;

    public SessionReader(SessionChannel channel, TextWriter stdout, TextWriter stderr)
    {
        _channel = channel;
        _stdout = stdout;
        _stderr = stderr;
    }

    public override int Peek() => Available() ? _pending[_position] : -1;

    public override int Read() => Available() ? _pending[_position++] : -1;

    private bool Available()
    {
        if (_position < _pending.Length) return true;
        if (_atEnd) return false;
        _stdout.Flush();
        _stderr.Flush();
        _channel.SendFrame("prompt", default);
        while (true)
        {
            string? message = _channel.ReadLine();
            if (message is null || message == "eof")
            {
                _atEnd = true;
                return false;
            }
            if (message.StartsWith("line ", System.StringComparison.Ordinal) || message == "line")
            {
                _pending = (message.Length > 5 ? message.Substring(5) : "") + "\n";
                _position = 0;
                return true;
            }
            // Ctrl-C while input() waits: KeyboardInterrupt from input(), as in CPython (unless the interpreter's
            // flag already raised it for this message).
            if (message == "interrupt" && AttachSession.InterruptToHandle())
                throw new PyException(PyBaseException.Create(PyBaseException.KeyboardInterruptType, System.Array.Empty<PyObject>()));
        }
    }
}
