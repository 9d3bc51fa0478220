using System;
using System.IO;
using System.Text;
using Invisible.Python.Modules.Posix;

namespace Invisible.Python.Modules.Io;

/// <summary>The host's end of one standard stream: the bytes <c>sys.stdout.buffer.raw</c> (a <see cref="FileIO"/> on
/// descriptor 0, 1 or 2, as CPython's) writes go to the host's <see cref="TextWriter"/>, its reads come from the host's
/// <see cref="TextReader"/>. The host may be the CLI (writers over the process's descriptors) or an embedder that
/// captures output in a StringWriter, so the descriptor itself is not written: a writer over a byte stream in UTF-8
/// gets the bytes unchanged (its own buffer flushed first, so what the host wrote keeps its place); any other writer
/// gets them decoded as UTF-8 (a character split across two writes is kept until its end arrives).</summary>
public sealed class HostStdio
{
    public TextWriter? Writer;
    public TextReader? Reader;
    /// <summary>The host's streams are the process's descriptors (the CLI): isatty() asks the descriptor.</summary>
    public readonly bool Console;
    private readonly Decoder _decoder = new UTF8Encoding(false).GetDecoder();
    private readonly Encoder _encoder = new UTF8Encoding(false).GetEncoder();
    private byte[] _readAhead = Array.Empty<byte>();
    private int _readPos;

    public HostStdio(TextWriter? writer, TextReader? reader, bool console)
    {
        Writer = writer; Reader = reader; Console = console;
    }

    public long Write(ReadOnlySpan<byte> data)
    {
        var w = Writer;
        if (w == null) return data.Length;
        try
        {
            if (w is StreamWriter { Encoding.CodePage: 65001 } sw)
            {
                sw.Flush();
                sw.BaseStream.Write(data);
                if (sw.AutoFlush) sw.BaseStream.Flush();
                return data.Length;
            }
        }
        catch (IOException e) { throw WriteError(e); }
        try
        {
            var chars = new char[_decoder.GetCharCount(data, false)];
            int n = _decoder.GetChars(data, chars, false);
            w.Write(chars, 0, n);
        }
        catch (IOException e) { throw WriteError(e); }
        return data.Length;
    }

    /// <summary>EPIPE (BrokenPipeError) when the reader went away, else EIO.</summary>
    private static Runtime.PyException WriteError(IOException e) =>
        Fs.Error(e.Message.Contains("pipe", StringComparison.OrdinalIgnoreCase) ? 32 : 5);

    public void Flush()
    {
        try { Writer?.Flush(); }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
    }

    /// <summary>Bytes of the host's next characters (UTF-8); 0 at the end of input.</summary>
    public int Read(Span<byte> dst)
    {
        if (_readPos >= _readAhead.Length)
        {
            var r = Reader;
            if (r == null || dst.Length == 0) return 0;
            var chars = new char[Math.Max(1, Math.Min(dst.Length, 4096))];
            int n = r.Read(chars, 0, chars.Length);
            if (n <= 0) return 0;
            var bytes = new byte[_encoder.GetByteCount(chars, 0, n, false)];
            int got = _encoder.GetBytes(chars, 0, n, bytes, 0, false);
            _readAhead = got == bytes.Length ? bytes : bytes.AsSpan(0, got).ToArray();
            _readPos = 0;
        }
        int take = Math.Min(dst.Length, _readAhead.Length - _readPos);
        _readAhead.AsSpan(_readPos, take).CopyTo(dst);
        _readPos += take;
        return take;
    }
}
