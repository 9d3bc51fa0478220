using System;
using System.Collections.Generic;
using System.Text;

namespace Invisible.Python.Compiler;

/// <summary>
/// Converts a parsed node's column (characters from the start of its line) to what code positions hold: UTF-8 byte
/// offsets, as CPython's col_offset (traceback.py turns them back with <c>_byte_offset_to_character_offset</c>).
/// ASCII source, the common case, needs no table; otherwise the line starts are found once.
/// </summary>
internal sealed class SourceColumns
{
    private readonly string _src;
    private readonly int[]? _lineStarts;

    public SourceColumns(string src)
    {
        _src = src;
        bool ascii = true;
        foreach (char c in src) if (c > 0x7F) { ascii = false; break; }
        if (ascii) return;
        var starts = new List<int> { 0 };
        for (int i = 0; i < src.Length; i++) if (src[i] == '\n') starts.Add(i + 1);
        _lineStarts = starts.ToArray();
    }

    /// <summary>The UTF-8 byte offset of character column <paramref name="col"/> on 1-based line <paramref name="line"/>.</summary>
    public int ToUtf8(int line, int col)
    {
        if (_lineStarts == null || col <= 0 || line < 1 || line > _lineStarts.Length) return col;
        int start = _lineStarts[line - 1];
        int n = Math.Min(col, _src.Length - start);
        return n <= 0 ? col : Encoding.UTF8.GetByteCount(_src.AsSpan(start, n)) + (col - n);
    }
}
