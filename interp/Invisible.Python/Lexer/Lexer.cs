using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using System.Text;
using Invisible.Python.Runtime;

namespace Invisible.Python.Lexing;

public enum TokKind { Name, Number, String, Op, Newline, Indent, Dedent, EOF }

public sealed class Token
{
    public TokKind Kind;
    public string Text = "";
    public object? Value;        // number value, or decoded string
    public bool IsBytes, IsFString, IsRaw;
    /// <summary>A u-prefixed string (ast's Constant.kind 'u').</summary>
    public bool IsU;
    public int Line, Col, EndLine;
    /// <summary>0-based column just past the token on <see cref="EndLine"/>.</summary>
    public int EndCol;
    public override string ToString() => $"{Kind}:{Text}@{Line}:{Col}";
}

public sealed class SyntaxErrorException : Exception
{
    public readonly int Line, Col;
    public readonly string Msg;
    public readonly bool Indentation;
    /// <summary>End of the highlighted range (line, 1-based exclusive column); 0 = a single caret.</summary>
    public int EndLine, EndCol;
    /// <summary>A hint from CPython's second, error-reporting pass: an unclosed bracket is reported instead.</summary>
    public bool Custom;
    /// <summary>Raised by the tokenizer (not the parser): in an f-string's expression CPython gives it no "f-string: " prefix.</summary>
    public bool FromTokenizer;
    /// <summary>A tokenizer warning of category DeprecationWarning (an invalid escape sequence), not SyntaxWarning.</summary>
    public bool Deprecation;
    public SyntaxErrorException(string msg, int line, int col, bool indentation = false) : base(msg) { Msg = msg; Line = line; Col = col; Indentation = indentation; }
}

public sealed class Lexer
{
    private readonly string _src;
    private int _pos, _line = 1, _lineStart;
    private int _paren;
    /// <summary>CPython 3.11's tokenizer limits (MAXLEVEL, MAXINDENT): "too many nested parentheses" at the 201st open
    /// bracket, IndentationError "too many levels of indentation" at the 100th indentation level.</summary>
    private const int MaxParenLevel = 200, MaxIndentLevel = 100;
    private readonly List<int> _indents = new() { 0 };
    /// <summary>The same indentation levels counting a tab as one column: CPython's altindstack, which finds tabs and
    /// spaces mixed so that the meaning depends on the tab size (TabError).</summary>
    private readonly List<int> _altIndents = new() { 0 };
    private readonly List<(char, int, int)> _open = new();
    private readonly List<Token> _out = new();

    /// <summary>The "'(' was never closed" error, if a bracket was still open at the end.</summary>
    public SyntaxErrorException? Unclosed { get; private set; }
    /// <summary>The tokenizer's SyntaxWarnings (a number followed by a keyword, "1if"), for the compiler to issue
    /// through the warnings module (it knows the file name); an error filter makes them the SyntaxError.</summary>
    public List<SyntaxErrorException>? Warnings;
    private bool _atLineStart = true;

    public Lexer(string src) { _src = src.Replace("\r\n", "\n").Replace('\r', '\n'); }

    private SyntaxErrorException Err(string msg) => new(msg, _line, _pos - _lineStart + 1);
    /// <summary>An error whose caret is under the character at index <paramref name="pos"/> plus one (the column CPython's
    /// tokenizer reports for a bad number).</summary>
    private SyntaxErrorException ErrAt(string msg, int pos) => new(msg, _line, pos - _lineStart + 1);

    public List<Token> Tokenize()
    {
        while (true)
        {
            if (_atLineStart && _paren == 0)
            {
                if (!HandleIndent()) break;
            }
            if (_pos >= _src.Length) break;
            char c = _src[_pos];
            if (c == ' ' || c == '\t' || c == '\f') { _pos++; continue; }
            if (c == '#') { while (_pos < _src.Length && _src[_pos] != '\n') _pos++; continue; }
            if (c == '\\' && _pos + 1 < _src.Length && _src[_pos + 1] == '\n') { _pos += 2; _line++; _lineStart = _pos; continue; }
            if (c == '\n')
            {
                if (_paren == 0) Add(TokKind.Newline, "\n", _pos);
                _pos++; _line++; _lineStart = _pos;
                _atLineStart = _paren == 0;
                continue;
            }
            if (char.IsLetter(c) || c == '_' || c > 127)
            {
                int st = _pos;
                while (_pos < _src.Length && (char.IsLetterOrDigit(_src[_pos]) || _src[_pos] == '_' || _src[_pos] > 127)) _pos++;
                string word = _src.Substring(st, _pos - st);
                if (!IsAsciiWord(word)) VerifyIdentifier(word, st);
                if (_pos < _src.Length && (_src[_pos] == '\'' || _src[_pos] == '"') && IsStrPrefix(word))
                {
                    ReadString(word.ToLowerInvariant(), st);
                    continue;
                }
                Add(TokKind.Name, word, st);
                continue;
            }
            if (char.IsDigit(c) || (c == '.' && _pos + 1 < _src.Length && char.IsDigit(_src[_pos + 1]))) { ReadNumber(); continue; }
            if (c == '\'' || c == '"') { ReadString("", _pos); continue; }
            ReadOp();
        }
        // Like CPython, an unclosed bracket is reported only if the parser fails at the end of
        // the input; an error earlier on (`def f(:`) is reported as that error.
        if (_open.Count > 0) { var (oc, ol, ocol) = _open[^1]; Unclosed = new SyntaxErrorException($"'{oc}' was never closed", ol, ocol + 1); }
        if (_out.Count > 0 && _out[^1].Kind != TokKind.Newline && _out[^1].Kind != TokKind.Dedent) Add(TokKind.Newline, "", _pos);
        while (_indents.Count > 1) { _indents.RemoveAt(_indents.Count - 1); _altIndents.RemoveAt(_altIndents.Count - 1); Add(TokKind.Dedent, "", _pos); }
        Add(TokKind.EOF, "", _pos);
        return _out;
    }

    private static bool IsStrPrefix(string w)
    {
        switch (w.ToLowerInvariant())
        {
            case "r": case "u": case "b": case "f": case "br": case "rb": case "fr": case "rf": return true;
        }
        return false;
    }

    private bool HandleIndent()
    {
        while (true)
        {
            int col = 0, altcol = 0; int p = _pos;
            while (p < _src.Length && (_src[p] == ' ' || _src[p] == '\t' || _src[p] == '\f'))
            {
                if (_src[p] == '\t') { col = (col / 8 + 1) * 8; altcol++; } else if (_src[p] == ' ') { col++; altcol++; } else col = altcol = 0;
                p++;
            }
            if (p >= _src.Length) { _pos = p; _atLineStart = false; return false; }
            char c = _src[p];
            if (c == '\n') { _pos = p + 1; _line++; _lineStart = _pos; continue; }
            if (c == '#') { while (p < _src.Length && _src[p] != '\n') p++; _pos = p; if (p >= _src.Length) return false; _pos++; _line++; _lineStart = _pos; continue; }
            if (c == '\\' && p + 1 < _src.Length && _src[p + 1] == '\n') { _pos = p + 2; _line++; _lineStart = _pos; continue; }
            _pos = p;
            _atLineStart = false;
            int cur = _indents[^1];
            if (col == cur)
            {
                if (altcol != _altIndents[^1]) throw TabError();
            }
            else if (col > cur)
            {
                if (altcol <= _altIndents[^1]) throw TabError();
                if (_out.Count == 0 || _out[^1].Kind != TokKind.Newline) throw new SyntaxErrorException("unexpected indent", _line, col, true);
                if (_indents.Count >= MaxIndentLevel) throw new SyntaxErrorException("too many levels of indentation", _line, 0, true); // CPython's MAXINDENT
                _indents.Add(col);
                _altIndents.Add(altcol);
                Add(TokKind.Indent, "", _pos);
            }
            else if (col < cur)
            {
                while (_indents[^1] > col) { _indents.RemoveAt(_indents.Count - 1); _altIndents.RemoveAt(_altIndents.Count - 1); Add(TokKind.Dedent, "", _pos); }
                if (_indents[^1] != col)
                {
                    // CPython's offset: just past the line's text; end offset -1
                    int lineEnd = _src.IndexOf('\n', _lineStart);
                    if (lineEnd < 0) lineEnd = _src.Length;
                    if (lineEnd > _lineStart && _src[lineEnd - 1] == '\r') lineEnd--;
                    throw new SyntaxErrorException("unindent does not match any outer indentation level", _line, lineEnd - _lineStart + 1, true) { EndLine = _line, EndCol = -1 };
                }
                if (altcol != _altIndents[^1]) throw TabError();
            }
            return true;
        }
    }

    private SyntaxErrorException TabError() => new("inconsistent use of tabs and spaces in indentation", _line, 1, true) { EndLine = _line, EndCol = 0 }; // CPython's offsets

    private void Add(TokKind k, string text, int start, object? value = null)
    {
        _out.Add(new Token { Kind = k, Text = text, Line = _line, Col = start - _lineStart, Value = value, EndLine = _line, EndCol = Math.Max(start - _lineStart + 1, _pos - _lineStart) });
    }

    private static readonly string[] Ops3 = { "**=", "//=", ">>=", "<<=", "...", "!=" };
    private static readonly string[] Ops2 = { "**", "//", ">>", "<<", "<=", ">=", "==", "!=", "->", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", ":=" };

    private void ReadOp()
    {
        int st = _pos;
        foreach (var o in Ops3) if (string.CompareOrdinal(_src, _pos, o, 0, o.Length) == 0 && o.Length == 3) { _pos += 3; Add(TokKind.Op, o, st); return; }
        foreach (var o in Ops2) if (string.CompareOrdinal(_src, _pos, o, 0, 2) == 0) { _pos += 2; Add(TokKind.Op, o, st); return; }
        char c = _src[_pos];
        if ("+-*/%@&|^~<>()[]{},:;.=".IndexOf(c) < 0)
        {
            if (c == '!' || c == '$' || c == '?' || c == '`') throw Err("invalid syntax");
            throw Err($"invalid character '{c}' (U+{(int)c:X4})");
        }
        _pos++;
        if (c == '(' || c == '[' || c == '{')
        {
            // CPython's tokenizer limit (MAXLEVEL): the parser below recurses once per level.
            if (_paren >= MaxParenLevel) throw new SyntaxErrorException("too many nested parentheses", _line, st - _lineStart + 1);
            _paren++;
            _open.Add((c, _line, st - _lineStart));
        }
        else if (c == ')' || c == ']' || c == '}')
        {
            if (_paren > 0) { _paren--; _open.RemoveAt(_open.Count - 1); }
            else throw new SyntaxErrorException($"unmatched '{c}'", _line, st - _lineStart + 1);
        }
        Add(TokKind.Op, c.ToString(), st);
    }

    private static bool IsAsciiDigit(char c) => c >= '0' && c <= '9';
    private static bool IsAsciiWord(string w) { foreach (char ch in w) if (ch > 127) return false; return true; }

    /// <summary>CPython's verify_identifier: a word with non-ASCII characters must be an identifier (XID_Start then
    /// XID_Continue, approximated by Unicode categories); else "invalid character" at the first one that is not.</summary>
    private void VerifyIdentifier(string word, int st)
    {
        for (int i = 0; i < word.Length;)
        {
            int cp = char.IsSurrogatePair(word, i) ? char.ConvertToUtf32(word, i) : word[i];
            var cat = System.Globalization.CharUnicodeInfo.GetUnicodeCategory(cp);
            bool start = cp == '_' || cat is System.Globalization.UnicodeCategory.UppercaseLetter or System.Globalization.UnicodeCategory.LowercaseLetter
                or System.Globalization.UnicodeCategory.TitlecaseLetter or System.Globalization.UnicodeCategory.ModifierLetter
                or System.Globalization.UnicodeCategory.OtherLetter or System.Globalization.UnicodeCategory.LetterNumber
                || cp is 0x2118 or 0x212E or 0x309B or 0x309C;
            bool cont = start || cat is System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.SpacingCombiningMark
                or System.Globalization.UnicodeCategory.DecimalDigitNumber or System.Globalization.UnicodeCategory.ConnectorPunctuation
                || cp is 0xB7 or 0x387 or (>= 0x1369 and <= 0x1371) or 0x19DA;
            if (i == 0 ? !start : !cont)
                throw ErrAt($"invalid character '{(cp is >= 0xD800 and <= 0xDFFF ? ((char)cp).ToString() : char.ConvertFromUtf32(cp))}' (U+{cp:X4})", st + i); // a lone surrogate is its own char
            i += cp > 0xFFFF ? 2 : 1;
        }
    }

    private static bool IsPotentialIdentifierChar(char c) => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_' || c >= 128;
    private char Peek(int ahead = 0) => _pos + ahead < _src.Length ? _src[_pos + ahead] : '\0';

    /// <summary>Digits with single underscores between them (CPython's tok_decimal_tail): an underscore not followed
    /// by a digit is "invalid decimal literal".</summary>
    private void DecimalTail()
    {
        while (true)
        {
            while (IsAsciiDigit(Peek())) _pos++;
            if (Peek() != '_') return;
            _pos++;
            if (!IsAsciiDigit(Peek())) throw ErrAt("invalid decimal literal", _pos - 1);
        }
    }

    /// <summary>What may follow a number (CPython's verify_end_of_number): one of the keywords that can follow a
    /// number in valid code ("and", "else", "for", "if", "in", "is", "not", "or") ends it (CPython 3.11 also warns,
    /// a deprecation); another letter, digit or underscore is "invalid KIND literal".</summary>
    private void VerifyEndOfNumber(string kind)
    {
        char c = Peek();
        bool keyword = c switch
        {
            'a' => Peek(1) == 'n' && Peek(2) == 'd',
            'e' => Peek(1) == 'l' && Peek(2) == 's' && Peek(3) == 'e',
            'f' => Peek(1) == 'o' && Peek(2) == 'r',
            'i' => Peek(1) is 'f' or 'n' or 's',
            'o' => Peek(1) == 'r',
            'n' => Peek(1) == 'o' && Peek(2) == 't',
            _ => false,
        };
        if (!keyword && IsPotentialIdentifierChar(c)) throw ErrAt($"invalid {kind} literal", _pos - 1);
        if (keyword) (Warnings ??= new()).Add(ErrAt($"invalid {kind} literal", _pos - 1));
    }

    private void ReadNumber()
    {
        int st = _pos;
        string s = _src;
        if (s[_pos] == '0' && "xXoObB".IndexOf(Peek(1)) >= 0)
        {
            char k = char.ToLowerInvariant(s[_pos + 1]);
            _pos += 2;
            int b = k == 'x' ? 16 : k == 'o' ? 8 : 2;
            string kind = b == 16 ? "hexadecimal" : b == 8 ? "octal" : "binary";
            int ds = _pos;
            // groups of digits, each after an optional single underscore (CPython's tokenizer)
            while (true)
            {
                if (Peek() == '_') _pos++;
                if (DigitValue(Peek()) >= b || DigitValue(Peek()) < 0)
                {
                    if (b != 16 && IsAsciiDigit(Peek())) throw Err($"invalid digit '{s[_pos]}' in {kind} literal");
                    throw ErrAt($"invalid {kind} literal", _pos - 1);
                }
                while (DigitValue(Peek()) is int d && d >= 0 && d < b) _pos++;
                if (Peek() != '_') break;
            }
            if (b != 16 && IsAsciiDigit(Peek())) throw Err($"invalid digit '{s[_pos]}' in {kind} literal");
            VerifyEndOfNumber(kind);
            string digits = s.Substring(ds, _pos - ds).Replace("_", "");
            BigInteger v = BigInteger.Zero;
            foreach (char ch in digits) v = v * b + DigitValue(ch);
            Add(TokKind.Number, s.Substring(st, _pos - st), st, v);
            return;
        }
        bool isFloat = false;
        if (s[_pos] != '.') DecimalTail();
        int intEnd = _pos;
        if (Peek() == '.')
        {
            isFloat = true;
            _pos++;
            if (IsAsciiDigit(Peek())) DecimalTail();
        }
        if (Peek() is 'e' or 'E')
        {
            int save = _pos;
            _pos++;
            bool sign = Peek() is '+' or '-';
            if (sign) _pos++;
            if (IsAsciiDigit(Peek())) { isFloat = true; DecimalTail(); }
            else if (sign) throw ErrAt("invalid decimal literal", _pos - 1);
            else _pos = save; // 'e' starts a name or keyword ("1else"): checked below
        }
        string text = s.Substring(st, _pos - st).Replace("_", "");
        if (Peek() is 'j' or 'J')
        {
            _pos++;
            VerifyEndOfNumber("imaginary");
            Add(TokKind.Number, text + "j", st, new Complex(0, double.Parse(text, CultureInfo.InvariantCulture)));
            return;
        }
        if (!isFloat)
        {
            string intText = s.Substring(st, intEnd - st).Replace("_", "");
            if (intText.Length > 1 && intText[0] == '0' && intText.Trim('0').Length > 0)
                throw new SyntaxErrorException("leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers", _line, st - _lineStart + 1);
            // 3.11's limit on decimal int conversion applies to literals too (a SyntaxError, CPython's text)
            if (Runtime.PyInt.CheckDecimalDigits(intText.Length) is { } tooMany)
                throw Err(tooMany + " - Consider hexadecimal for huge integer literals to avoid decimal conversion limits.");
        }
        VerifyEndOfNumber("decimal");
        if (isFloat) Add(TokKind.Number, text, st, double.Parse(text, CultureInfo.InvariantCulture));
        else Add(TokKind.Number, text, st, BigInteger.Parse(text, CultureInfo.InvariantCulture));
    }

    private static int DigitValue(char ch) =>
        ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;

    private void ReadString(string prefix, int st)
    {
        bool raw = prefix.Contains('r'), bytes = prefix.Contains('b'), f = prefix.Contains('f');
        char q = _src[_pos];
        bool triple = _pos + 2 < _src.Length && _src[_pos + 1] == q && _src[_pos + 2] == q;
        int startLine = _line;
        int startCol = st - _lineStart;
        _pos += triple ? 3 : 1;
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _src.Length)
                throw new SyntaxErrorException(triple ? "unterminated triple-quoted string literal (detected at line " + _line + ")" : "unterminated string literal (detected at line " + startLine + ")", startLine, startCol + 1);
            char c = _src[_pos];
            if (c == q)
            {
                if (!triple) { _pos++; break; }
                if (_pos + 2 < _src.Length && _src[_pos + 1] == q && _src[_pos + 2] == q) { _pos += 3; break; }
            }
            if (c == '\n')
            {
                if (!triple) throw new SyntaxErrorException($"unterminated string literal (detected at line {startLine})", startLine, startCol + 1);
                _line++; _lineStart = _pos + 1;
            }
            if (c == '\\' && _pos + 1 < _src.Length)
            {
                sb.Append(c).Append(_src[_pos + 1]);
                if (_src[_pos + 1] == '\n') { _line++; _lineStart = _pos + 2; }
                _pos += 2;
                continue;
            }
            sb.Append(c);
            _pos++;
        }
        string body = sb.ToString();
        var tok = new Token { Kind = TokKind.String, Text = body, Line = startLine, Col = startCol, IsBytes = bytes, IsFString = f, IsRaw = raw, IsU = prefix == "u", EndLine = _line, EndCol = _pos - _lineStart };
        if (!f) tok.Value = raw ? body : Unescape(body, bytes, startLine, this, startCol + 1);
        _out.Add(tok);
    }

    /// <summary>The value of a literal's body. The first invalid escape (an unknown letter, or an octal escape above
    /// 0o377) is kept as written and, when <paramref name="lexer"/> is given, recorded as CPython 3.11's
    /// DeprecationWarning at the literal's start; in bytes an octal escape keeps its low 8 bits.</summary>
    public static string Unescape(string s, bool bytes, int line, Lexer? lexer = null, int col = 0)
    {
        if (s.IndexOf('\\') < 0) return s;
        bool warned = false;
        void Invalid(string msg)
        {
            if (warned || lexer == null) return;
            warned = true;
            (lexer.Warnings ??= new()).Add(new SyntaxErrorException(msg, line, col) { Deprecation = true });
        }
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c != '\\' || i + 1 >= s.Length) { sb.Append(c); continue; }
            char n = s[++i];
            switch (n)
            {
                case '\n': break;
                case '\\': sb.Append('\\'); break;
                case '\'': sb.Append('\''); break;
                case '"': sb.Append('"'); break;
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'v': sb.Append('\v'); break;
                case 'x':
                    {
                        if (i + 2 >= s.Length + 0 && i + 2 > s.Length - 0) { }
                        if (i + 2 >= s.Length + 1) throw new SyntaxErrorException("(unicode error) 'unicodeescape' codec can't decode bytes: truncated \\xXX escape", line, 0);
                        var hex = s.Substring(i + 1, Math.Min(2, s.Length - i - 1));
                        if (hex.Length < 2 || !int.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int v))
                            throw new SyntaxErrorException("(unicode error) 'unicodeescape' codec can't decode bytes: truncated \\xXX escape", line, 0);
                        sb.Append((char)v); i += 2; break;
                    }
                case 'u' when !bytes:
                case 'U' when !bytes:
                    {
                        int len = n == 'u' ? 4 : 8;
                        int digits = 0; // i is the 'u'/'U', i - 1 the backslash
                        while (digits < len && i + 1 + digits < s.Length && char.IsAsciiHexDigit(s[i + 1 + digits])) digits++;
                        if (digits < len)
                            throw new SyntaxErrorException($"(unicode error) 'unicodeescape' codec can't decode bytes in position {i - 1}-{i + digits}: truncated \\{(n == 'u' ? "uXXXX" : "UXXXXXXXX")} escape", line, 0);
                        long v = long.Parse(s.AsSpan(i + 1, len), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                        if (v > 0x10FFFF)
                            throw new SyntaxErrorException($"(unicode error) 'unicodeescape' codec can't decode bytes in position {i - 1}-{i + len}: illegal Unicode character", line, 0);
                        sb.Append(PyStr.CodePointText((int)v)); i += len; break;
                    }
                case 'N' when !bytes:
                    {
                        int close = s.IndexOf('}', i);
                        if (i + 1 >= s.Length || s[i + 1] != '{' || close < 0)
                            throw new SyntaxErrorException($"(unicode error) 'unicodeescape' codec can't decode bytes in position {i - 1}-{i}: malformed \\N character escape", line, 0);
                        var name = s.Substring(i + 2, close - i - 2);
                        sb.Append(UnicodeName(name) ?? throw new SyntaxErrorException(
                            $"(unicode error) 'unicodeescape' codec can't decode bytes in position {i - 1}-{close}: unknown Unicode character name", line, 0));
                        i = close; break;
                    }
                default:
                    if (n >= '0' && n <= '7')
                    {
                        int v = n - '0'; int k = 1;
                        while (k < 3 && i + 1 < s.Length && s[i + 1] >= '0' && s[i + 1] <= '7') { v = v * 8 + (s[++i] - '0'); k++; }
                        if (v > 0xFF) Invalid($"invalid octal escape sequence '\\{s.Substring(i - 2, 3)}'");
                        sb.Append((char)(bytes ? v & 0xFF : v));
                    }
                    else
                    {
                        Invalid($"invalid escape sequence '\\{n}'");
                        sb.Append('\\').Append(n);
                    }
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>The character named <paramref name="name"/> (any case; unicodedata's database), or null.</summary>
    private static string? UnicodeName(string name)
    {
        int cp = Modules.Unicodedata.UnicodeDatabase.Instance.Lookup(name);
        return cp < 0 ? null : PyStr.CodePointText(cp);
    }
}
