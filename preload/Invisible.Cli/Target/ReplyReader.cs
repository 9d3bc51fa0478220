using System;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Text;

namespace Invisible.Cli.Target;

/// <summary>
/// Reads what a listener answers (protocol in preload/libinvisible/include/invisible.h): status lines and "KIND N" frame
/// headers followed by N raw bytes. Nothing the other end sends can crash us: a line longer than
/// <see cref="MaxLine"/>, a frame length that is not a number, or a closed connection each come back as a
/// failure the caller turns into a message.
/// </summary>
internal sealed class ReplyReader
{
    /// <summary>Longest status or frame-header line accepted.</summary>
    public const int MaxLine = 4096;

    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[65536];
    private int _start, _end;

    public ReplyReader(Socket socket) => _socket = socket;

    /// <summary>Why the last <see cref="ReadLine"/> or <see cref="Copy"/> failed: the connection ended, or the
    /// other end sent a line too long to be a reply.</summary>
    public bool LineTooLong { get; private set; }

    /// <summary>The next line without its newline; null when the connection ended or the line is too long.</summary>
    public string? ReadLine()
    {
        int scanned = _start;
        while (true)
        {
            int newline = Array.IndexOf(_buffer, (byte)'\n', scanned, _end - scanned);
            if (newline >= 0)
            {
                string line = Encoding.UTF8.GetString(_buffer, _start, newline - _start);
                _start = newline + 1;
                return line;
            }
            if (_end - _start >= MaxLine)
            {
                LineTooLong = true;
                return null;
            }
            scanned = _end;
            int shift = _start;
            if (!Fill()) return null;
            scanned -= shift;
        }
    }

    /// <summary>Splits "KIND ARGUMENT" at the first space.</summary>
    public static (string Kind, string Argument) Split(string line)
    {
        int space = line.IndexOf(' ');
        return space < 0 ? (line, "") : (line.Substring(0, space), line.Substring(space + 1));
    }

    /// <summary>A frame length: decimal digits only, at most 2^40 (a frame is a report or a chunk of output).</summary>
    public static bool TryParseLength(string text, out long length) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out length) && length <= 1L << 40;

    /// <summary>Copies the next <paramref name="length"/> bytes to <paramref name="target"/>; false if the
    /// connection ended first.</summary>
    public bool Copy(long length, Stream target)
    {
        while (length > 0)
        {
            if (_start == _end && !Fill()) return false;
            int n = (int)Math.Min(length, _end - _start);
            target.Write(_buffer, _start, n);
            _start += n;
            length -= n;
        }
        target.Flush();
        return true;
    }

    /// <summary>Reads more from the socket (compacting first); false on end, error or a full buffer.
    /// Moves unread bytes to the front: callers holding offsets subtract the old <c>_start</c>.</summary>
    private bool Fill()
    {
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) return false;
        int n;
        try
        {
            n = _socket.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
        if (n <= 0) return false;
        _end += n;
        return true;
    }

    /// <summary>At most 200 characters of <paramref name="text"/>, control characters escaped: what the other end
    /// sent is shown, never obeyed by the terminal.</summary>
    public static string Printable(string text)
    {
        var sb = new StringBuilder();
        foreach (char c in text)
        {
            if (sb.Length >= 200) { sb.Append("..."); break; }
            if (c < ' ' || c == '\x7f') sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
