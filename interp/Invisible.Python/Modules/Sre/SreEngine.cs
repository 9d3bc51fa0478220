using System;
using System.Globalization;
using System.Text;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.Python.Modules.Sre;

/// <summary>The opcodes, AT codes and categories of CPython 3.11's <c>Lib/re/_constants.py</c> (MAGIC 20220615):
/// the numbering is the compiler's, so it must not change.</summary>
internal static class Op
{
    public const uint FAILURE = 0, SUCCESS = 1, ANY = 2, ANY_ALL = 3, ASSERT = 4, ASSERT_NOT = 5, AT = 6, BRANCH = 7,
        CATEGORY = 8, CHARSET = 9, BIGCHARSET = 10, GROUPREF = 11, GROUPREF_EXISTS = 12, IN = 13, INFO = 14, JUMP = 15,
        LITERAL = 16, MARK = 17, MAX_UNTIL = 18, MIN_UNTIL = 19, NOT_LITERAL = 20, NEGATE = 21, RANGE = 22, REPEAT = 23,
        REPEAT_ONE = 24, SUBPATTERN = 25, MIN_REPEAT_ONE = 26, ATOMIC_GROUP = 27, POSSESSIVE_REPEAT = 28,
        POSSESSIVE_REPEAT_ONE = 29, GROUPREF_IGNORE = 30, IN_IGNORE = 31, LITERAL_IGNORE = 32, NOT_LITERAL_IGNORE = 33,
        GROUPREF_LOC_IGNORE = 34, IN_LOC_IGNORE = 35, LITERAL_LOC_IGNORE = 36, NOT_LITERAL_LOC_IGNORE = 37,
        GROUPREF_UNI_IGNORE = 38, IN_UNI_IGNORE = 39, LITERAL_UNI_IGNORE = 40, NOT_LITERAL_UNI_IGNORE = 41,
        RANGE_UNI_IGNORE = 42;

    public const uint AT_BEGINNING = 0, AT_BEGINNING_LINE = 1, AT_BEGINNING_STRING = 2, AT_BOUNDARY = 3,
        AT_NON_BOUNDARY = 4, AT_END = 5, AT_END_LINE = 6, AT_END_STRING = 7, AT_LOC_BOUNDARY = 8,
        AT_LOC_NON_BOUNDARY = 9, AT_UNI_BOUNDARY = 10, AT_UNI_NON_BOUNDARY = 11;

    public const uint CAT_DIGIT = 0, CAT_NOT_DIGIT = 1, CAT_SPACE = 2, CAT_NOT_SPACE = 3, CAT_WORD = 4,
        CAT_NOT_WORD = 5, CAT_LINEBREAK = 6, CAT_NOT_LINEBREAK = 7, CAT_LOC_WORD = 8, CAT_LOC_NOT_WORD = 9,
        CAT_UNI_DIGIT = 10, CAT_UNI_NOT_DIGIT = 11, CAT_UNI_SPACE = 12, CAT_UNI_NOT_SPACE = 13, CAT_UNI_WORD = 14,
        CAT_UNI_NOT_WORD = 15, CAT_UNI_LINEBREAK = 16, CAT_UNI_NOT_LINEBREAK = 17;

    public const uint INFO_PREFIX = 1, INFO_LITERAL = 2, INFO_CHARSET = 4;
    public const uint MAXREPEAT = uint.MaxValue;
}

/// <summary>Character classes and case rules as CPython's <c>sre.c</c> defines them: ASCII ones for bytes and
/// <c>re.ASCII</c>, the "C" locale for <c>re.LOCALE</c>, Unicode (str.isdecimal/isspace/isalnum, simple case
/// mappings) otherwise.</summary>
internal static class SreChars
{
    public static bool IsAsciiDigit(int ch) => (uint)(ch - '0') < 10;
    public static bool IsAsciiSpace(int ch) => ch == ' ' || (uint)(ch - 9) <= 4;
    public static bool IsAsciiAlnum(int ch) => ch < 128 && (IsAsciiDigit(ch) || (uint)((ch | 0x20) - 'a') < 26);
    public static bool IsAsciiWord(int ch) => ch < 128 && (IsAsciiAlnum(ch) || ch == '_');
    public static bool IsLinebreak(int ch) => ch == '\n';

    public static bool IsUniDigit(int ch) =>
        ch < 128 ? IsAsciiDigit(ch) : CharUnicodeInfo.GetUnicodeCategory(ch) == UnicodeCategory.DecimalDigitNumber;

    public static bool IsUniSpace(int ch)
    {
        if (ch < 128) return IsAsciiSpace(ch) || (ch >= 0x1c && ch <= 0x1f);
        return ch == 0x85 || ch == 0xa0 || ch == 0x1680 || (ch >= 0x2000 && ch <= 0x200a) || ch == 0x2028 ||
               ch == 0x2029 || ch == 0x202f || ch == 0x205f || ch == 0x3000;
    }

    public static bool IsUniAlnum(int ch)
    {
        if (ch < 128) return IsAsciiAlnum(ch);
        switch (CharUnicodeInfo.GetUnicodeCategory(ch))
        {
            case UnicodeCategory.UppercaseLetter:
            case UnicodeCategory.LowercaseLetter:
            case UnicodeCategory.TitlecaseLetter:
            case UnicodeCategory.ModifierLetter:
            case UnicodeCategory.OtherLetter:
            case UnicodeCategory.DecimalDigitNumber:
            case UnicodeCategory.LetterNumber:
            case UnicodeCategory.OtherNumber:
                return true;
        }
        return false;
    }

    public static bool IsUniWord(int ch) => ch == '_' || IsUniAlnum(ch);

    public static bool IsUniLinebreak(int ch) =>
        ch == '\n' || ch == 0x0b || ch == 0x0c || ch == '\r' || ch == 0x1c || ch == 0x1d || ch == 0x1e ||
        ch == 0x85 || ch == 0x2028 || ch == 0x2029;

    public static int LowerAscii(int ch) => (uint)(ch - 'A') < 26 ? ch + 32 : ch;
    public static int UpperAscii(int ch) => (uint)(ch - 'a') < 26 ? ch - 32 : ch;

    /// <summary>Py_UNICODE_TOLOWER: the simple lowercase mapping (a lone surrogate maps to itself).</summary>
    public static int LowerUnicode(int ch)
    {
        if (ch < 128) return LowerAscii(ch);
        return Runtime.SpecialCasing.SimpleLower(ch);
    }

    public static int UpperUnicode(int ch)
    {
        if (ch < 128) return UpperAscii(ch);
        return Runtime.SpecialCasing.SimpleUpper(ch);
    }

    public static bool Category(uint category, int ch) => category switch
    {
        Op.CAT_DIGIT => IsAsciiDigit(ch),
        Op.CAT_NOT_DIGIT => !IsAsciiDigit(ch),
        Op.CAT_SPACE => IsAsciiSpace(ch),
        Op.CAT_NOT_SPACE => !IsAsciiSpace(ch),
        Op.CAT_WORD => IsAsciiWord(ch),
        Op.CAT_NOT_WORD => !IsAsciiWord(ch),
        Op.CAT_LINEBREAK => ch == '\n',
        Op.CAT_NOT_LINEBREAK => ch != '\n',
        Op.CAT_LOC_WORD => IsAsciiWord(ch),
        Op.CAT_LOC_NOT_WORD => !IsAsciiWord(ch),
        Op.CAT_UNI_DIGIT => IsUniDigit(ch),
        Op.CAT_UNI_NOT_DIGIT => !IsUniDigit(ch),
        Op.CAT_UNI_SPACE => IsUniSpace(ch),
        Op.CAT_UNI_NOT_SPACE => !IsUniSpace(ch),
        Op.CAT_UNI_WORD => IsUniWord(ch),
        Op.CAT_UNI_NOT_WORD => !IsUniWord(ch),
        Op.CAT_UNI_LINEBREAK => IsUniLinebreak(ch),
        Op.CAT_UNI_NOT_LINEBREAK => !IsUniLinebreak(ch),
        _ => false,
    };
}

/// <summary>A REPEAT in progress (CPython's SRE_REPEAT): the iteration count, the REPEAT opcode's position and the
/// position of the last iteration's start (zero-width protection), chained to the enclosing one.</summary>
internal sealed class SreRepeat
{
    public int Count;
    public int Pattern;
    public int LastPtr;
    public SreRepeat? Prev;
}

/// <summary>One backtracking frame of the matcher (CPython's match_context): where it resumes
/// (<see cref="Jump"/>) once the frame it started returns. Frames are pooled per state and reused.</summary>
internal sealed class SreContext
{
    public int Pat, Ptr, Count, LastMark, LastIndex, Jump;
    public uint Chr;
    public bool TopLevel;
    public SreRepeat? Rep;
}

/// <summary>
/// The matching state of one subject (CPython's SRE_STATE) and the matcher over the compiled code: the same
/// opcode semantics as <c>Modules/_sre/sre_lib.h</c>, written as an explicit stack of <see cref="SreContext"/>
/// frames (never C# recursion), so deep patterns and long subjects cannot overflow the stack. It checks for
/// KeyboardInterrupt every few thousand steps, as CPython checks signals.
/// </summary>
internal sealed class SreState
{
    private const int J_NONE = 0, J_BRANCH = 1, J_REPEAT_ONE_1 = 2, J_REPEAT_ONE_2 = 3, J_MIN_REPEAT_ONE = 4,
        J_REPEAT = 5, J_MAX_UNTIL_1 = 6, J_MAX_UNTIL_2 = 7, J_MAX_UNTIL_3 = 8, J_MIN_UNTIL_1 = 9, J_MIN_UNTIL_2 = 10,
        J_MIN_UNTIL_3 = 11, J_ASSERT = 12, J_ASSERT_NOT = 13, J_POSS_REPEAT_1 = 14, J_POSS_REPEAT_2 = 15,
        J_ATOMIC_GROUP = 16;

    public readonly string S;
    public readonly PyObject StringObj;
    public readonly uint[] Code;
    /// <summary>Subject window: the match may look at [0, <see cref="End"/>); it starts at <see cref="Start"/>.</summary>
    public int Start, End, Pos, EndPos;
    public int Ptr;
    public readonly int[] Marks;
    public int LastMark = -1, LastIndex = -1;
    public bool MustAdvance, MatchAll;
    private SreRepeat? _repeat;
    private int[] _data = Array.Empty<int>();
    private int _dsp;
    private SreContext[] _ctx = Array.Empty<SreContext>();
    // Scratch of the running Match: the frame pool and the mark stack are reused from call to call on a thread
    // (Match never runs Python code, so it is never re-entered on one thread; a state used later on another thread
    // takes that thread's scratch).
    [ThreadStatic] private static SreContext[]? t_ctx;
    [ThreadStatic] private static int[]? t_data;
    private int _steps;
    private readonly InterpreterState? _interp;

    /// <summary>Per set (indexed by the set's code position): its members below 256 as four 64-bit words, computed on
    /// first use and shared by every state of the pattern (a racing thread computes the same words).</summary>
    private readonly ulong[]?[] _setTables;

    public SreState(uint[] code, ulong[]?[] setTables, int groups, string s, PyObject stringObj, int pos, int endpos)
    {
        Code = code;
        _setTables = setTables;
        S = s;
        StringObj = stringObj;
        int len = s.Length;
        if (pos < 0) pos = 0; else if (pos > len) pos = len;
        if (endpos < 0) endpos = 0; else if (endpos > len) endpos = len;
        Pos = pos;
        EndPos = endpos;
        Start = pos;
        End = endpos;
        Ptr = pos;
        Marks = groups == 0 ? Array.Empty<int>() : new int[2 * groups];
        _interp = ThreadState.CurrentOrNull?.Interp;
    }

    public void Reset()
    {
        LastMark = -1;
        LastIndex = -1;
        _repeat = null;
        _dsp = 0;
    }

    /// <summary>Start and end of group <paramref name="g"/> (1-based), or (-1, -1) when it did not take part.</summary>
    public (int, int) Span(int g)
    {
        int j = 2 * (g - 1);
        if (j + 1 <= LastMark && Marks[j] >= 0 && Marks[j + 1] >= 0) return (Marks[j], Marks[j + 1]);
        return (-1, -1);
    }

    private void CheckInterrupt()
    {
        _steps = 0;
        if (_interp != null && _interp.InterruptPending && _interp.ClearInterrupt())
            throw new PyException(PyBaseException.Create(PyBaseException.KeyboardInterruptType));
    }

    // ---- the mark stack (CPython's MARK_PUSH / MARK_POP / MARK_POP_KEEP / MARK_POP_DISCARD) ----

    private void DataPush(int v)
    {
        if (_dsp == _data.Length) Array.Resize(ref _data, Math.Max(16, _data.Length * 2));
        _data[_dsp++] = v;
    }

    private int DataPop() => _data[--_dsp];

    private void MarkPush(int lastmark)
    {
        if (lastmark < 0) return;
        int n = lastmark + 1;
        if (_dsp + n > _data.Length) Array.Resize(ref _data, Math.Max(Math.Max(16, _data.Length * 2), _dsp + n));
        Array.Copy(Marks, 0, _data, _dsp, n);
        _dsp += n;
    }

    private void MarkPop(int lastmark)
    {
        if (lastmark < 0) return;
        int n = lastmark + 1;
        _dsp -= n;
        Array.Copy(_data, _dsp, Marks, 0, n);
    }

    private void MarkPopKeep(int lastmark)
    {
        if (lastmark < 0) return;
        int n = lastmark + 1;
        Array.Copy(_data, _dsp - n, Marks, 0, n);
    }

    private void MarkPopDiscard(int lastmark)
    {
        if (lastmark >= 0) _dsp -= lastmark + 1;
    }

    // ---- single characters ----

    /// <summary>Is <paramref name="ch"/> in the set at <paramref name="pc"/>: a table lookup below 256.</summary>
    private bool InSet(int pc, int ch)
    {
        if (ch < 256)
        {
            var t = _setTables[pc] ?? MakeSetTable(pc);
            return ((t[ch >> 6] >> (ch & 63)) & 1) != 0;
        }
        return InCharset(pc, ch);
    }

    private ulong[] MakeSetTable(int pc)
    {
        var t = new ulong[4];
        for (int ch = 0; ch < 256; ch++)
            if (InCharset(pc, ch)) t[ch >> 6] |= 1UL << (ch & 63);
        _setTables[pc] = t;
        return t;
    }

    /// <summary>SRE(charset): is <paramref name="ch"/> in the set starting at <paramref name="pc"/>?</summary>
    public bool InCharset(int pc, int ch)
    {
        var code = Code;
        bool ok = true;
        for (;;)
        {
            switch (code[pc])
            {
                case Op.FAILURE:
                    return !ok;
                case Op.LITERAL:
                    if ((uint)ch == code[pc + 1]) return ok;
                    pc += 2;
                    break;
                case Op.CATEGORY:
                    if (SreChars.Category(code[pc + 1], ch)) return ok;
                    pc += 2;
                    break;
                case Op.CHARSET:
                    if (ch < 256 && (code[pc + 1 + (ch >> 5)] & (1u << (ch & 31))) != 0) return ok;
                    pc += 1 + 8;
                    break;
                case Op.RANGE:
                    if (code[pc + 1] <= (uint)ch && (uint)ch <= code[pc + 2]) return ok;
                    pc += 3;
                    break;
                case Op.RANGE_UNI_IGNORE:
                    {
                        if (code[pc + 1] <= (uint)ch && (uint)ch <= code[pc + 2]) return ok;
                        uint up = (uint)SreChars.UpperUnicode(ch);
                        if (code[pc + 1] <= up && up <= code[pc + 2]) return ok;
                        pc += 3;
                        break;
                    }
                case Op.NEGATE:
                    ok = !ok;
                    pc++;
                    break;
                case Op.BIGCHARSET:
                    {
                        int count = (int)code[pc + 1];
                        pc += 2;
                        if (ch < 65536)
                        {
                            int hi = ch >> 8;
                            int block = (int)((code[pc + (hi >> 2)] >> (8 * (hi & 3))) & 0xff);
                            int bits = pc + 64 + block * 8;
                            if ((code[bits + ((ch & 255) >> 5)] & (1u << (ch & 31))) != 0) return ok;
                        }
                        pc += 64 + count * 8;
                        break;
                    }
                default:
                    throw new SreInternalError("internal error in regular expression charset");
            }
        }
    }

    private bool InCharsetLocIgnore(int pc, int ch)
    {
        if (InCharset(pc, ch)) return true;
        int lo = ch < 256 ? SreChars.LowerAscii(ch) : ch;
        if (lo != ch && InCharset(pc, lo)) return true;
        int up = ch < 256 ? SreChars.UpperAscii(ch) : ch;
        return up != ch && up != lo && InCharset(pc, up);
    }

    private static bool CharLocIgnore(uint pattern, int ch) =>
        (uint)ch == pattern || (uint)SreChars.LowerAscii(ch) == pattern || (uint)SreChars.UpperAscii(ch) == pattern;

    /// <summary>Does the one-character item at <paramref name="pc"/> (an opcode of _compiler's _UNIT_CODES) match
    /// <paramref name="ch"/>?</summary>
    private bool MatchOne(int pc, int ch)
    {
        var code = Code;
        switch (code[pc])
        {
            case Op.ANY: return ch != '\n';
            case Op.ANY_ALL: return true;
            case Op.LITERAL: return (uint)ch == code[pc + 1];
            case Op.NOT_LITERAL: return (uint)ch != code[pc + 1];
            case Op.LITERAL_IGNORE: return (uint)SreChars.LowerAscii(ch) == code[pc + 1];
            case Op.NOT_LITERAL_IGNORE: return (uint)SreChars.LowerAscii(ch) != code[pc + 1];
            case Op.LITERAL_UNI_IGNORE: return (uint)SreChars.LowerUnicode(ch) == code[pc + 1];
            case Op.NOT_LITERAL_UNI_IGNORE: return (uint)SreChars.LowerUnicode(ch) != code[pc + 1];
            case Op.LITERAL_LOC_IGNORE: return CharLocIgnore(code[pc + 1], ch);
            case Op.NOT_LITERAL_LOC_IGNORE: return !CharLocIgnore(code[pc + 1], ch);
            case Op.IN: return InSet(pc + 2, ch);
            case Op.IN_IGNORE: return InSet(pc + 2, SreChars.LowerAscii(ch));
            case Op.IN_UNI_IGNORE: return InSet(pc + 2, SreChars.LowerUnicode(ch));
            case Op.IN_LOC_IGNORE: return InCharsetLocIgnore(pc + 2, ch);
            case Op.CATEGORY: return SreChars.Category(code[pc + 1], ch);
            default: throw new SreInternalError("internal error in regular expression engine");
        }
    }

    /// <summary>SRE(count): how many times (up to <paramref name="maxcount"/>) the one-character item at
    /// <paramref name="pc"/> matches from <see cref="Ptr"/>.</summary>
    private int Count(int pc, uint maxcount)
    {
        string s = S;
        int ptr = Ptr;
        int end = End;
        if (ptr >= end) return 0;
        if (maxcount < (uint)(end - ptr)) end = ptr + (int)maxcount;
        var code = Code;
        switch (code[pc])
        {
            case Op.ANY_ALL:
                return end - ptr;
            case Op.ANY:
                {
                    int i = s.AsSpan(ptr, end - ptr).IndexOf('\n');
                    return i < 0 ? end - ptr : i;
                }
            case Op.LITERAL:
                {
                    uint c = code[pc + 1];
                    if (c > 0xFFFF) return 0;
                    int i = s.AsSpan(ptr, end - ptr).IndexOfAnyExcept((char)c);
                    return i < 0 ? end - ptr : i;
                }
            case Op.NOT_LITERAL:
                {
                    uint c = code[pc + 1];
                    if (c > 0xFFFF) return end - ptr;
                    int i = s.AsSpan(ptr, end - ptr).IndexOf((char)c);
                    return i < 0 ? end - ptr : i;
                }
            case Op.IN:
                {
                    int start = ptr;
                    int set = pc + 2;
                    if (code[set] == Op.CHARSET && code[set + 9] == Op.FAILURE)
                    {
                        // one 256-bit map ([a-z0-9_] and the like): test the bits inline
                        while (ptr < end)
                        {
                            int ch = s[ptr];
                            if (ch >= 256 || (code[set + 1 + (ch >> 5)] & (1u << (ch & 31))) == 0) break;
                            ptr++;
                        }
                    }
                    else if (code[set] == Op.CATEGORY && code[set + 2] == Op.FAILURE)
                    {
                        // one category (\w, \d, \s and their negations)
                        uint cat = code[set + 1];
                        switch (cat)
                        {
                            case Op.CAT_UNI_WORD:
                                while (ptr < end && SreChars.IsUniWord(s[ptr])) ptr++;
                                break;
                            case Op.CAT_UNI_DIGIT:
                                while (ptr < end && SreChars.IsUniDigit(s[ptr])) ptr++;
                                break;
                            case Op.CAT_UNI_SPACE:
                                while (ptr < end && SreChars.IsUniSpace(s[ptr])) ptr++;
                                break;
                            case Op.CAT_UNI_NOT_SPACE:
                                while (ptr < end && !SreChars.IsUniSpace(s[ptr])) ptr++;
                                break;
                            default:
                                while (ptr < end && SreChars.Category(cat, s[ptr])) ptr++;
                                break;
                        }
                    }
                    else
                        while (ptr < end && InSet(set, s[ptr])) ptr++;
                    return ptr - start;
                }
            default:
                {
                    int start = ptr;
                    while (ptr < end && MatchOne(pc, s[ptr])) ptr++;
                    return ptr - start;
                }
        }
    }

    private bool At(uint at, int ptr)
    {
        string s = S;
        int end = End;
        switch (at)
        {
            case Op.AT_BEGINNING:
            case Op.AT_BEGINNING_STRING:
                return ptr == 0;
            case Op.AT_BEGINNING_LINE:
                return ptr == 0 || s[ptr - 1] == '\n';
            case Op.AT_END:
                return (ptr + 1 == end && s[ptr] == '\n') || ptr == end;
            case Op.AT_END_LINE:
                return ptr == end || s[ptr] == '\n';
            case Op.AT_END_STRING:
                return ptr == end;
            case Op.AT_BOUNDARY:
            case Op.AT_LOC_BOUNDARY:
                {
                    if (end == 0) return false;
                    bool that = ptr > 0 && SreChars.IsAsciiWord(s[ptr - 1]);
                    bool @this = ptr < end && SreChars.IsAsciiWord(s[ptr]);
                    return @this != that;
                }
            case Op.AT_NON_BOUNDARY:
            case Op.AT_LOC_NON_BOUNDARY:
                {
                    if (end == 0) return false;
                    bool that = ptr > 0 && SreChars.IsAsciiWord(s[ptr - 1]);
                    bool @this = ptr < end && SreChars.IsAsciiWord(s[ptr]);
                    return @this == that;
                }
            case Op.AT_UNI_BOUNDARY:
                {
                    if (end == 0) return false;
                    bool that = ptr > 0 && SreChars.IsUniWord(s[ptr - 1]);
                    bool @this = ptr < end && SreChars.IsUniWord(s[ptr]);
                    return @this != that;
                }
            case Op.AT_UNI_NON_BOUNDARY:
                {
                    if (end == 0) return false;
                    bool that = ptr > 0 && SreChars.IsUniWord(s[ptr - 1]);
                    bool @this = ptr < end && SreChars.IsUniWord(s[ptr]);
                    return @this == that;
                }
        }
        return false;
    }

    private SreContext NewContext(int depth)
    {
        if (depth == _ctx.Length) Array.Resize(ref _ctx, depth * 2);
        return _ctx[depth] ??= new SreContext();
    }

    private bool GroupRefIgnoreEq(int a, int b, uint op)
    {
        int x = S[a], y = S[b];
        return op switch
        {
            Op.GROUPREF_IGNORE => SreChars.LowerAscii(x) == SreChars.LowerAscii(y),
            Op.GROUPREF_UNI_IGNORE => SreChars.LowerUnicode(x) == SreChars.LowerUnicode(y),
            _ => SreChars.LowerAscii(x) == SreChars.LowerAscii(y),
        };
    }

    /// <summary>SRE(match): match the code at <paramref name="startPc"/> at <see cref="Ptr"/>; on success
    /// <see cref="Ptr"/> is the end of the match and the marks hold the groups.</summary>
    public bool Match(int startPc, bool toplevel)
    {
        uint[] code = Code;
        string s = S;
        int end = End;
        int depth = 0;
        _ctx = t_ctx ??= new SreContext[16];
        _data = t_data ??= new int[64];
        _dsp = 0;
        SreContext c = NewContext(0);
        c.Rep = null;
        c.Pat = startPc;
        c.Ptr = Ptr;
        c.TopLevel = toplevel;
        c.Jump = J_NONE;
        bool ret = false;
        int pat, ptr;
        uint op;

    entrance:
        pat = c.Pat;
        ptr = Ptr;
        if (code[pat] == Op.INFO)
        {
            // <INFO> <1=skip> <2=flags> <3=min> ...: too little text left for the shortest match
            if (code[pat + 3] != 0 && (uint)(end - ptr) < code[pat + 3]) goto fail;
            pat += (int)code[pat + 1] + 1;
        }

    dispatch:
        if (++_steps >= 4096) CheckInterrupt();
        op = code[pat++];
        switch (op)
        {
            case Op.MARK:
                {
                    int i = (int)code[pat];
                    if ((i & 1) != 0) LastIndex = i / 2 + 1;
                    if (i > LastMark)
                    {
                        // marks between the old highest and this one were not reached: unset them
                        int j = LastMark + 1;
                        while (j < i) Marks[j++] = -1;
                        LastMark = i;
                    }
                    Marks[i] = ptr;
                    pat++;
                    goto dispatch;
                }
            case Op.LITERAL:
                if (ptr >= end || s[ptr] != code[pat]) goto fail;
                pat++; ptr++;
                goto dispatch;
            case Op.NOT_LITERAL:
                if (ptr >= end || s[ptr] == code[pat]) goto fail;
                pat++; ptr++;
                goto dispatch;
            case Op.SUCCESS:
                if (c.TopLevel && ((MatchAll && ptr != End) || (MustAdvance && ptr == Start))) goto fail;
                Ptr = ptr;
                goto success;
            case Op.AT:
                if (!At(code[pat], ptr)) goto fail;
                pat++;
                goto dispatch;
            case Op.CATEGORY:
                if (ptr >= end || !SreChars.Category(code[pat], s[ptr])) goto fail;
                pat++; ptr++;
                goto dispatch;
            case Op.ANY:
                if (ptr >= end || s[ptr] == '\n') goto fail;
                ptr++;
                goto dispatch;
            case Op.ANY_ALL:
                if (ptr >= end) goto fail;
                ptr++;
                goto dispatch;
            case Op.IN:
                if (ptr >= end || !InSet(pat + 1, s[ptr])) goto fail;
                pat += (int)code[pat]; ptr++;
                goto dispatch;
            case Op.LITERAL_IGNORE:
            case Op.NOT_LITERAL_IGNORE:
            case Op.LITERAL_UNI_IGNORE:
            case Op.NOT_LITERAL_UNI_IGNORE:
            case Op.LITERAL_LOC_IGNORE:
            case Op.NOT_LITERAL_LOC_IGNORE:
                if (ptr >= end || !MatchOne(pat - 1, s[ptr])) goto fail;
                pat++; ptr++;
                goto dispatch;
            case Op.IN_IGNORE:
            case Op.IN_UNI_IGNORE:
            case Op.IN_LOC_IGNORE:
                if (ptr >= end || !MatchOne(pat - 1, s[ptr])) goto fail;
                pat += (int)code[pat]; ptr++;
                goto dispatch;
            case Op.JUMP:
            case Op.INFO:
                pat += (int)code[pat];
                goto dispatch;
            case Op.BRANCH:
                goto op_branch;
            case Op.REPEAT_ONE:
                goto op_repeat_one;
            case Op.MIN_REPEAT_ONE:
                goto op_min_repeat_one;
            case Op.POSSESSIVE_REPEAT_ONE:
                {
                    // <POSSESSIVE_REPEAT_ONE> <skip> <1=min> <2=max> item <SUCCESS> tail: no backtracking into it
                    if ((long)end - ptr < code[pat + 1]) goto fail;
                    Ptr = ptr;
                    int n = Count(pat + 3, code[pat + 2]);
                    if ((uint)n < code[pat + 1]) goto fail;
                    ptr += n;
                    if (code[pat + (int)code[pat]] == Op.SUCCESS &&
                        !(c.TopLevel && ((MatchAll && ptr != End) || (MustAdvance && ptr == Start))))
                    {
                        Ptr = ptr;
                        goto success;
                    }
                    pat += (int)code[pat];
                    goto dispatch;
                }
            case Op.REPEAT:
                {
                    // <REPEAT> <skip> <1=min> <2=max> item <UNTIL> tail
                    c.Rep = new SreRepeat { Count = -1, Pattern = pat, Prev = _repeat, LastPtr = -1 };
                    _repeat = c.Rep;
                    Ptr = ptr;
                    c.Jump = J_REPEAT; c.Pat = pat; c.Ptr = ptr;
                    c = Push(ref depth, pat + (int)code[pat], c.TopLevel);
                    goto entrance;
                }
            case Op.MAX_UNTIL:
                goto op_max_until;
            case Op.MIN_UNTIL:
                goto op_min_until;
            case Op.POSSESSIVE_REPEAT:
                goto op_possessive_repeat;
            case Op.ATOMIC_GROUP:
                Ptr = ptr;
                c.Jump = J_ATOMIC_GROUP; c.Pat = pat; c.Ptr = ptr;
                c = Push(ref depth, pat + 1, false);
                goto entrance;
            case Op.GROUPREF:
            case Op.GROUPREF_IGNORE:
            case Op.GROUPREF_UNI_IGNORE:
            case Op.GROUPREF_LOC_IGNORE:
                {
                    int g = (int)code[pat] * 2;
                    if (g >= LastMark) goto fail;
                    int p = Marks[g], e = Marks[g + 1];
                    if (p < 0 || e < 0 || e < p) goto fail;
                    if (e - p > end - ptr) goto fail;
                    if (op == Op.GROUPREF)
                    {
                        if (!s.AsSpan(p, e - p).SequenceEqual(s.AsSpan(ptr, e - p))) goto fail;
                        ptr += e - p;
                    }
                    else
                    {
                        for (; p < e; p++, ptr++)
                            if (!GroupRefIgnoreEq(p, ptr, op)) goto fail;
                    }
                    pat++;
                    goto dispatch;
                }
            case Op.GROUPREF_EXISTS:
                {
                    int g = (int)code[pat] * 2;
                    if (g >= LastMark) { pat += (int)code[pat + 1]; goto dispatch; }
                    int p = Marks[g], e = Marks[g + 1];
                    if (p < 0 || e < 0 || e < p) { pat += (int)code[pat + 1]; goto dispatch; }
                    pat += 2;
                    goto dispatch;
                }
            case Op.ASSERT:
                {
                    // <ASSERT> <skip> <back> <pattern>
                    int back = (int)code[pat + 1];
                    if (ptr - back < 0) goto fail;
                    Ptr = ptr - back;
                    c.Jump = J_ASSERT; c.Pat = pat; c.Ptr = ptr;
                    c = Push(ref depth, pat + 2, false);
                    goto entrance;
                }
            case Op.ASSERT_NOT:
                {
                    int back = (int)code[pat + 1];
                    if (ptr - back >= 0)
                    {
                        Ptr = ptr - back;
                        c.LastMark = LastMark; c.LastIndex = LastIndex;
                        if (_repeat != null) MarkPush(c.LastMark);
                        c.Jump = J_ASSERT_NOT; c.Pat = pat; c.Ptr = ptr;
                        c = Push(ref depth, pat + 2, false);
                        goto entrance;
                    }
                    pat += (int)code[pat];
                    goto dispatch;
                }
            case Op.FAILURE:
                goto fail;
            default:
                throw new SreInternalError("internal error in regular expression engine");
        }

    // ---- BRANCH: <BRANCH> <0=skip> code <JUMP> ... <NULL> ----
    op_branch:
        c.LastMark = LastMark; c.LastIndex = LastIndex;
        if (_repeat != null) MarkPush(c.LastMark);
    branch_loop:
        for (; code[pat] != 0; pat += (int)code[pat])
        {
            // an alternative that starts with a one-character item that rejects this character cannot match here
            if (IsCharOp(code[pat + 1]) && (ptr >= end || !MatchOne(pat + 1, s[ptr]))) continue;
            Ptr = ptr;
            c.Jump = J_BRANCH; c.Pat = pat; c.Ptr = ptr;
            c = Push(ref depth, pat + 1, c.TopLevel);
            goto entrance;
        }
        if (_repeat != null) MarkPopDiscard(c.LastMark);
        goto fail;
    jump_branch:
        if (ret)
        {
            if (_repeat != null) MarkPopDiscard(c.LastMark);
            goto success;
        }
        if (_repeat != null) MarkPopKeep(c.LastMark);
        LastMark = c.LastMark; LastIndex = c.LastIndex;
        pat += (int)code[pat];
        goto branch_loop;

    // ---- REPEAT_ONE: <REPEAT_ONE> <skip> <1=min> <2=max> item <SUCCESS> tail (greedy single-character item) ----
    op_repeat_one:
        {
            if ((long)end - ptr < code[pat + 1]) goto fail;
            Ptr = ptr;
            int n = Count(pat + 3, code[pat + 2]);
            if ((uint)n < code[pat + 1]) goto fail;
            c.Count = n;
            ptr += n;
            uint next = code[pat + (int)code[pat]];
            if (next == Op.SUCCESS && ptr == End && !(c.TopLevel && MustAdvance && ptr == Start))
            {
                // the tail is empty: done
                Ptr = ptr;
                goto success;
            }
            c.LastMark = LastMark; c.LastIndex = LastIndex;
            if (_repeat != null) MarkPush(c.LastMark);
            if (next == Op.LITERAL)
            {
                // the tail starts with a literal: skip positions where it cannot match
                c.Chr = code[pat + (int)code[pat] + 1];
                goto repeat_one_1_loop;
            }
            goto repeat_one_2_loop;
        }
    repeat_one_1_loop:
        {
            uint min = code[pat + 1];
            while ((long)c.Count >= min && (ptr >= end || s[ptr] != c.Chr)) { ptr--; c.Count--; }
            if (c.Count < (long)min)
            {
                if (_repeat != null) MarkPopDiscard(c.LastMark);
                goto fail;
            }
            Ptr = ptr;
            c.Jump = J_REPEAT_ONE_1; c.Pat = pat; c.Ptr = ptr;
            c = Push(ref depth, pat + (int)code[pat], c.TopLevel);
            goto entrance;
        }
    jump_repeat_one_1:
        if (ret)
        {
            if (_repeat != null) MarkPopDiscard(c.LastMark);
            goto success;
        }
        if (_repeat != null) MarkPopKeep(c.LastMark);
        LastMark = c.LastMark; LastIndex = c.LastIndex;
        ptr--; c.Count--;
        goto repeat_one_1_loop;
    repeat_one_2_loop:
        if (c.Count >= (long)code[pat + 1])
        {
            Ptr = ptr;
            c.Jump = J_REPEAT_ONE_2; c.Pat = pat; c.Ptr = ptr;
            c = Push(ref depth, pat + (int)code[pat], c.TopLevel);
            goto entrance;
        }
        if (_repeat != null) MarkPopDiscard(c.LastMark);
        goto fail;
    jump_repeat_one_2:
        if (ret)
        {
            if (_repeat != null) MarkPopDiscard(c.LastMark);
            goto success;
        }
        if (_repeat != null) MarkPopKeep(c.LastMark);
        LastMark = c.LastMark; LastIndex = c.LastIndex;
        ptr--; c.Count--;
        goto repeat_one_2_loop;

    // ---- MIN_REPEAT_ONE: <MIN_REPEAT_ONE> <skip> <1=min> <2=max> item <SUCCESS> tail (lazy) ----
    op_min_repeat_one:
        {
            if ((long)end - ptr < code[pat + 1]) goto fail;
            Ptr = ptr;
            int n = 0;
            if (code[pat + 1] != 0)
            {
                n = Count(pat + 3, code[pat + 1]);
                if ((uint)n < code[pat + 1]) goto fail;
                ptr += n;
            }
            c.Count = n;
            if (code[pat + (int)code[pat]] == Op.SUCCESS &&
                !(c.TopLevel && ((MatchAll && ptr != End) || (MustAdvance && ptr == Start))))
            {
                Ptr = ptr;
                goto success;
            }
            c.LastMark = LastMark; c.LastIndex = LastIndex;
            if (_repeat != null) MarkPush(c.LastMark);
        }
    min_repeat_one_loop:
        if (code[pat + 2] == Op.MAXREPEAT || (uint)c.Count <= code[pat + 2])
        {
            Ptr = ptr;
            c.Jump = J_MIN_REPEAT_ONE; c.Pat = pat; c.Ptr = ptr;
            c = Push(ref depth, pat + (int)code[pat], c.TopLevel);
            goto entrance;
        }
        if (_repeat != null) MarkPopDiscard(c.LastMark);
        goto fail;
    jump_min_repeat_one:
        if (ret)
        {
            if (_repeat != null) MarkPopDiscard(c.LastMark);
            goto success;
        }
        if (_repeat != null) MarkPopKeep(c.LastMark);
        LastMark = c.LastMark; LastIndex = c.LastIndex;
        Ptr = ptr;
        if (Count(pat + 3, 1) == 0)
        {
            if (_repeat != null) MarkPopDiscard(c.LastMark);
            goto fail;
        }
        ptr++; c.Count++;
        goto min_repeat_one_loop;

    jump_repeat:
        _repeat = c.Rep!.Prev;
        c.Rep = null;
        if (ret) goto success;
        goto fail;

    // ---- MAX_UNTIL: the end of a greedy REPEAT's item ----
    op_max_until:
        {
            var rep = _repeat;
            if (rep == null) throw new SreInternalError("internal error in regular expression engine");
            c.Rep = rep;
            Ptr = ptr;
            c.Count = rep.Count + 1;
            uint min = code[rep.Pattern + 1], max = code[rep.Pattern + 2];
            if ((uint)c.Count < min)
            {
                // not enough repeats yet: match the item again
                rep.Count = c.Count;
                c.Jump = J_MAX_UNTIL_1; c.Pat = pat; c.Ptr = ptr;
                c = Push(ref depth, rep.Pattern + 3, c.TopLevel);
                goto entrance;
            }
            if (((uint)c.Count < max || max == Op.MAXREPEAT) && Ptr != rep.LastPtr)
            {
                // we may have enough matches, but try one more (zero-width iterations end the loop)
                rep.Count = c.Count;
                c.LastMark = LastMark; c.LastIndex = LastIndex;
                MarkPush(c.LastMark);
                DataPush(rep.LastPtr);
                rep.LastPtr = Ptr;
                c.Jump = J_MAX_UNTIL_2; c.Pat = pat; c.Ptr = ptr;
                c = Push(ref depth, rep.Pattern + 3, c.TopLevel);
                goto entrance;
            }
            goto max_until_tail;
        }
    jump_max_until_1:
        if (ret) goto success;
        c.Rep!.Count = c.Count - 1;
        Ptr = ptr;
        goto fail;
    jump_max_until_2:
        c.Rep!.LastPtr = DataPop();
        if (ret)
        {
            MarkPopDiscard(c.LastMark);
            goto success;
        }
        MarkPop(c.LastMark);
        LastMark = c.LastMark; LastIndex = c.LastIndex;
        c.Rep.Count = c.Count - 1;
        Ptr = ptr;
    max_until_tail:
        // cannot match more repeated items here: match the tail
        _repeat = c.Rep!.Prev;
        c.Jump = J_MAX_UNTIL_3; c.Pat = pat; c.Ptr = ptr;
        c = Push(ref depth, pat, c.TopLevel);
        goto entrance;
    jump_max_until_3:
        _repeat = c.Rep;
        if (ret) goto success;
        Ptr = ptr;
        goto fail;

    // ---- MIN_UNTIL: the end of a lazy REPEAT's item ----
    op_min_until:
        {
            var rep = _repeat;
            if (rep == null) throw new SreInternalError("internal error in regular expression engine");
            c.Rep = rep;
            Ptr = ptr;
            c.Count = rep.Count + 1;
            if ((uint)c.Count < code[rep.Pattern + 1])
            {
                rep.Count = c.Count;
                c.Jump = J_MIN_UNTIL_1; c.Pat = pat; c.Ptr = ptr;
                c = Push(ref depth, rep.Pattern + 3, c.TopLevel);
                goto entrance;
            }
            // see if the tail matches
            _repeat = rep.Prev;
            c.LastMark = LastMark; c.LastIndex = LastIndex;
            MarkPush(c.LastMark);
            c.Jump = J_MIN_UNTIL_2; c.Pat = pat; c.Ptr = ptr;
            c = Push(ref depth, pat, c.TopLevel);
            goto entrance;
        }
    jump_min_until_1:
        if (ret) goto success;
        c.Rep!.Count = c.Count - 1;
        Ptr = ptr;
        goto fail;
    jump_min_until_2:
        {
            var rep = c.Rep!;
            _repeat = rep;
            if (ret)
            {
                MarkPopDiscard(c.LastMark);
                goto success;
            }
            MarkPop(c.LastMark);
            LastMark = c.LastMark; LastIndex = c.LastIndex;
            Ptr = ptr;
            uint max = code[rep.Pattern + 2];
            if (((uint)c.Count >= max && max != Op.MAXREPEAT) || Ptr == rep.LastPtr) goto fail;
            rep.Count = c.Count;
            // zero-width match protection
            DataPush(rep.LastPtr);
            rep.LastPtr = Ptr;
            c.Jump = J_MIN_UNTIL_3; c.Pat = pat; c.Ptr = ptr;
            c = Push(ref depth, rep.Pattern + 3, c.TopLevel);
            goto entrance;
        }
    jump_min_until_3:
        c.Rep!.LastPtr = DataPop();
        if (ret) goto success;
        c.Rep.Count = c.Count - 1;
        Ptr = ptr;
        goto fail;

    // ---- POSSESSIVE_REPEAT: <POSSESSIVE_REPEAT> <skip> <1=min> <2=max> pattern <SUCCESS> tail ----
    op_possessive_repeat:
        Ptr = ptr;
        c.Count = 0;
        // a placeholder repeat, so that alternatives inside restore their marks when they backtrack
        c.Rep = new SreRepeat { Count = -1, Pattern = -1, Prev = _repeat, LastPtr = -1 };
        _repeat = c.Rep;
    poss_repeat_min_loop:
        if ((uint)c.Count < code[pat + 1])
        {
            c.Jump = J_POSS_REPEAT_1; c.Pat = pat; c.Ptr = ptr;
            c = Push(ref depth, pat + 3, false);
            goto entrance;
        }
        goto poss_repeat_more;
    jump_poss_repeat_1:
        if (ret)
        {
            c.Count++;
            goto poss_repeat_min_loop;
        }
        Ptr = ptr;
        _repeat = c.Rep!.Prev;
        goto fail;
    poss_repeat_more:
        // as many more as match; each iteration must consume text
        if ((uint)c.Count < code[pat + 2] || code[pat + 2] == Op.MAXREPEAT)
        {
            c.Chr = (uint)Ptr;  // where this iteration starts
            c.LastMark = LastMark; c.LastIndex = LastIndex;
            MarkPush(c.LastMark);
            c.Jump = J_POSS_REPEAT_2; c.Pat = pat; c.Ptr = ptr;
            c = Push(ref depth, pat + 3, false);
            goto entrance;
        }
        goto poss_repeat_tail;
    jump_poss_repeat_2:
        if (!ret)
        {
            MarkPop(c.LastMark);
            LastMark = c.LastMark; LastIndex = c.LastIndex;
            Ptr = (int)c.Chr;
            goto poss_repeat_tail;
        }
        MarkPopDiscard(c.LastMark);
        if (Ptr == (int)c.Chr) goto poss_repeat_tail;  // zero-width iteration: stop
        c.Count++;
        goto poss_repeat_more;
    poss_repeat_tail:
        _repeat = c.Rep!.Prev;
        ptr = Ptr;
        pat += (int)code[pat] + 1;  // the tail follows the body's SUCCESS
        goto dispatch;

    jump_atomic_group:
        if (!ret) goto fail;
        ptr = Ptr;
        pat += (int)code[pat];
        goto dispatch;

    jump_assert:
        if (!ret) goto fail;
        pat += (int)code[pat];
        goto dispatch;

    jump_assert_not:
        if (ret)
        {
            if (_repeat != null) MarkPopDiscard(c.LastMark);
            goto fail;
        }
        if (_repeat != null) MarkPop(c.LastMark);
        LastMark = c.LastMark; LastIndex = c.LastIndex;
        pat += (int)code[pat];
        goto dispatch;

    success:
        ret = true;
        goto do_return;
    fail:
        ret = false;
    do_return:
        if (depth == 0)
        {
            // keep what the pool and the mark stack grew to for the next call on this thread
            t_ctx = _ctx;
            t_data = _data;
            return ret;
        }
        depth--;
        c = _ctx[depth];
        pat = c.Pat;
        ptr = c.Ptr;
        switch (c.Jump)
        {
            case J_BRANCH: goto jump_branch;
            case J_REPEAT_ONE_1: goto jump_repeat_one_1;
            case J_REPEAT_ONE_2: goto jump_repeat_one_2;
            case J_MIN_REPEAT_ONE: goto jump_min_repeat_one;
            case J_REPEAT: goto jump_repeat;
            case J_MAX_UNTIL_1: goto jump_max_until_1;
            case J_MAX_UNTIL_2: goto jump_max_until_2;
            case J_MAX_UNTIL_3: goto jump_max_until_3;
            case J_MIN_UNTIL_1: goto jump_min_until_1;
            case J_MIN_UNTIL_2: goto jump_min_until_2;
            case J_MIN_UNTIL_3: goto jump_min_until_3;
            case J_ASSERT: goto jump_assert;
            case J_ASSERT_NOT: goto jump_assert_not;
            case J_POSS_REPEAT_1: goto jump_poss_repeat_1;
            case J_POSS_REPEAT_2: goto jump_poss_repeat_2;
            case J_ATOMIC_GROUP: goto jump_atomic_group;
        }
        throw new SreInternalError("internal error in regular expression engine");
    }

    private SreContext Push(ref int depth, int pc, bool toplevel)
    {
        depth++;
        var n = NewContext(depth);
        n.Pat = pc;
        n.TopLevel = toplevel;
        n.Jump = J_NONE;
        n.Rep = null;
        return n;
    }

    /// <summary>SRE(search): the first position from <see cref="Start"/> where the pattern matches, using the INFO
    /// block's literal prefix or first-character set to skip positions that cannot start a match.</summary>
    public bool Search()
    {
        uint[] code = Code;
        string s = S;
        int ptr = Start, end = End;
        if (ptr > end) return false;
        int pc = 0;
        uint flags = 0;
        int prefixLen = 0, prefixStart = 0, charsetPc = -1;
        if (code[0] == Op.INFO)
        {
            flags = code[2];
            uint min = code[3];
            if (min != 0)
            {
                if ((uint)(end - ptr) < min) return false;
                // the last position where a match can start
                end -= (int)min - 1;
            }
            if ((flags & Op.INFO_PREFIX) != 0)
            {
                prefixLen = (int)code[5];
                prefixStart = 7;
            }
            else if ((flags & Op.INFO_CHARSET) != 0)
                charsetPc = 5;
            pc = (int)code[1] + 1;
        }
        if (MustAdvance)
        {
            // an empty match at Start was found before (finditer, sub, split): the first try must advance
            Ptr = ptr;
            Reset();
            if (TryAt(ptr, pc, true)) return true;
            if (ptr >= end) return false;
            ptr++;
            MustAdvance = false;
        }
        if (prefixLen > 0)
        {
            // find the literal prefix with a vectorised search, then match from there
            int plen = prefixLen;
            Span<char> prefix = plen <= 256 ? stackalloc char[plen] : new char[plen];
            bool bmp = true;
            for (int i = 0; i < plen; i++)
            {
                uint ch = code[prefixStart + i];
                if (ch > 0xFFFF) { bmp = false; break; }
                prefix[i] = (char)ch;
            }
            if (bmp)
            {
                int limit = End;  // the whole prefix must fit in the subject
                while (ptr <= end)
                {
                    int window = Math.Min(limit, end + plen - 1) - ptr;
                    if (window < plen) return false;
                    int i = s.AsSpan(ptr, window).IndexOf(prefix);
                    if (i < 0) return false;
                    ptr += i;
                    if ((flags & Op.INFO_LITERAL) != 0)
                    {
                        Reset();
                        Start = ptr;
                        Ptr = ptr + plen;
                        return true;
                    }
                    if (TryAt(ptr, pc, false)) return true;
                    ptr++;
                }
                return false;
            }
        }
        if (charsetPc >= 0)
        {
            for (; ptr <= end; ptr++)
            {
                if (ptr < End && !InSet(charsetPc, s[ptr])) continue;
                if (ptr >= End) return false;
                if (TryAt(ptr, pc, false)) return true;
            }
            return false;
        }
        // the general case; a pattern anchored at the beginning can only match there
        bool anchored = code[pc] == Op.AT && (code[pc + 1] == Op.AT_BEGINNING || code[pc + 1] == Op.AT_BEGINNING_STRING);
        if (HasStartFilter(pc, 0))
        {
            // every match starts with a character CanStart accepts: skip the positions it rejects
            int stop = Math.Min(end, End - 1);
            for (; ptr <= stop; ptr++)
            {
                if (!CanStart(pc, s[ptr])) continue;
                if (TryAt(ptr, pc, false)) return true;
                if (anchored) return false;
                if (++_steps >= 4096) CheckInterrupt();
            }
            return false;
        }
        for (; ptr <= end; ptr++)
        {
            if (TryAt(ptr, pc, false)) return true;
            if (anchored) return false;
            if (++_steps >= 4096) CheckInterrupt();
        }
        return false;
    }

    private static bool IsCharOp(uint op) => op switch
    {
        Op.LITERAL or Op.NOT_LITERAL or Op.LITERAL_IGNORE or Op.NOT_LITERAL_IGNORE or Op.LITERAL_UNI_IGNORE or
        Op.NOT_LITERAL_UNI_IGNORE or Op.LITERAL_LOC_IGNORE or Op.NOT_LITERAL_LOC_IGNORE or Op.IN or Op.IN_IGNORE or
        Op.IN_UNI_IGNORE or Op.IN_LOC_IGNORE or Op.ANY or Op.CATEGORY => true,
        _ => false,
    };

    /// <summary>True when every match of the code at <paramref name="pc"/> starts with one character that
    /// <see cref="CanStart"/> can test: a leading one-character item, a single-character repeat with a minimum of at
    /// least one, or a branch whose alternatives all do (groups' marks in front are skipped).</summary>
    private bool HasStartFilter(int pc, int depth)
    {
        var code = Code;
        while (code[pc] == Op.MARK) pc += 2;
        uint op = code[pc];
        if (IsCharOp(op)) return true;
        if (op == Op.REPEAT_ONE || op == Op.MIN_REPEAT_ONE || op == Op.POSSESSIVE_REPEAT_ONE)
            return code[pc + 2] >= 1 && IsCharOp(code[pc + 4]);
        if (op == Op.BRANCH && depth < 8)
        {
            for (int alt = pc + 1; code[alt] != 0; alt += (int)code[alt])
                if (!HasStartFilter(alt + 1, depth + 1)) return false;
            return true;
        }
        return false;
    }

    /// <summary>Can a match of the code at <paramref name="pc"/> (one with <see cref="HasStartFilter"/>) start with
    /// <paramref name="ch"/>?</summary>
    private bool CanStart(int pc, int ch)
    {
        var code = Code;
        while (code[pc] == Op.MARK) pc += 2;
        uint op = code[pc];
        if (op == Op.REPEAT_ONE || op == Op.MIN_REPEAT_ONE || op == Op.POSSESSIVE_REPEAT_ONE) return MatchOne(pc + 4, ch);
        if (op == Op.BRANCH)
        {
            for (int alt = pc + 1; code[alt] != 0; alt += (int)code[alt])
                if (CanStart(alt + 1, ch)) return true;
            return false;
        }
        return MatchOne(pc, ch);
    }

    private bool TryAt(int ptr, int pc, bool toplevel)
    {
        Reset();
        Start = ptr;
        Ptr = ptr;
        return Match(pc, toplevel);
    }
}

/// <summary>A broken code sequence handed to <c>_sre.compile</c> (CPython raises RuntimeError "invalid SRE code"
/// or "internal error in regular expression engine").</summary>
internal sealed class SreInternalError : Exception
{
    public SreInternalError(string message) : base(message) { }
}
