using System;
using System.Globalization;
using System.Text;

namespace Invisible.Abi.Symbolization;

/// <summary>
/// Rust's v0 symbol mangling (<c>_R...</c>, RFC 2603, rustc's <c>-C symbol-mangling-version=v0</c>) decoded into the
/// names rustc-demangle prints in its alternate form (<c>{:#}</c>): crate disambiguators (hashes) dropped, as the
/// legacy decoder drops its hash, so <c>_RNvCs1234_7mycrate4main</c> is <c>mycrate::main</c>. Written from the RFC's
/// grammar: paths (crate roots, nested paths with closures and shims, inherent and trait impls, generic arguments),
/// types (basic, references, pointers, arrays, slices, tuples, fn pointers with their ABI, dyn traits with bound
/// lifetimes), constants (integers, bool, char, str, references, arrays, tuples), back-references and Punycode
/// identifiers. A symbol it cannot decode whole gives null (the caller shows it mangled), never a partial name.
/// </summary>
public sealed class RustV0Demangler
{
    private const int MaxDepth = 300;

    private readonly string _sym;   // the symbol after "_R" (back-references count from here)
    private int _pos;
    private readonly StringBuilder _out = new();
    private int _skip;              // > 0: parsing without printing (an impl's own path)
    private int _depth;
    private uint _boundLifetimes;

    private RustV0Demangler(string sym) => _sym = sym;

    private sealed class Invalid : Exception
    {
    }

    /// <summary>The demangled name, or null when <paramref name="name"/> is not a well-formed v0 symbol.</summary>
    public static string? Demangle(string name)
    {
        if (!name.StartsWith("_R", StringComparison.Ordinal)) return null;
        string inner = name[2..];
        // A vendor suffix (".llvm.123", "$...") is dropped, as rustc-demangle's alternate form does.
        int suffix = inner.IndexOfAny(new[] { '.', '$' });
        if (suffix >= 0) inner = inner[..suffix];
        if (inner.Length == 0 || !char.IsAsciiLetterUpper(inner[0])) return null; // a version number, or not a path
        foreach (char c in inner)
            if (c > 0x7f) return null;
        var d = new RustV0Demangler(inner);
        try
        {
            d.PrintPath(inValue: true);
            // The instantiating crate, when there is one, is not printed.
            if (d._pos < inner.Length && char.IsAsciiLetterUpper(inner[d._pos]))
            {
                d._skip++;
                d.PrintPath(inValue: false);
                d._skip--;
            }
            return d._pos == inner.Length ? d._out.ToString() : null;
        }
        catch (Invalid)
        {
            return null;
        }
        catch (OverflowException)
        {
            return null; // a number too large for any real symbol
        }
    }

    // ---- reading ----

    private char Peek() => _pos < _sym.Length ? _sym[_pos] : '\0';

    private char Next()
    {
        if (_pos >= _sym.Length) throw new Invalid();
        return _sym[_pos++];
    }

    private bool Eat(char c)
    {
        if (Peek() != c) return false;
        _pos++;
        return true;
    }

    private void Print(string text)
    {
        if (_skip == 0) _out.Append(text);
    }

    private void Print(char c)
    {
        if (_skip == 0) _out.Append(c);
    }

    /// <summary>base-62-number: "_" is 0, digits then "_" are the value + 1.</summary>
    private ulong Base62()
    {
        if (Eat('_')) return 0;
        ulong x = 0;
        for (;;)
        {
            char c = Next();
            if (c == '_') break;
            uint digit = c >= '0' && c <= '9' ? (uint)(c - '0')
                : c >= 'a' && c <= 'z' ? 10u + (uint)(c - 'a')
                : c >= 'A' && c <= 'Z' ? 36u + (uint)(c - 'A')
                : throw new Invalid();
            x = checked(x * 62 + digit);
        }
        return checked(x + 1);
    }

    /// <summary>An optional number after <paramref name="tag"/>: 0 when absent, else the base-62 number + 1.</summary>
    private ulong OptBase62(char tag) => Eat(tag) ? checked(Base62() + 1) : 0;

    private ulong Disambiguator() => OptBase62('s');

    private ulong Decimal()
    {
        char first = Next();
        if (first == '0') return 0;
        if (first < '1' || first > '9') throw new Invalid();
        ulong x = (ulong)(first - '0');
        while (char.IsAsciiDigit(Peek()))
            x = checked(x * 10 + (ulong)(Next() - '0'));
        return x;
    }

    /// <summary>undisambiguated-identifier: ["u"] length ["_"] bytes; "u" marks Punycode (its '-' written '_').</summary>
    private string Identifier()
    {
        bool punycode = Eat('u');
        ulong length = Decimal();
        Eat('_');
        if (length > (ulong)(_sym.Length - _pos)) throw new Invalid();
        string bytes = _sym.Substring(_pos, (int)length);
        _pos += (int)length;
        return punycode ? Punycode(bytes) : bytes;
    }

    /// <summary>RFC 3492's decoder (bootstring, Punycode's parameters), the basic code points before the last '_'.</summary>
    private static string Punycode(string encoded)
    {
        int split = encoded.LastIndexOf('_');
        var output = new StringBuilder();
        var code = new System.Collections.Generic.List<int>();
        if (split >= 0)
            foreach (char c in encoded[..split]) code.Add(c);
        string digits = split >= 0 ? encoded[(split + 1)..] : encoded;
        if (digits.Length == 0) throw new Invalid();
        const int tMin = 1, tMax = 26, skew = 38, damp = 700;
        int n = 128, bias = 72, i = 0, p = 0;
        bool first = true;
        while (p < digits.Length)
        {
            int oldI = i, w = 1;
            for (int k = 36; ; k += 36)
            {
                if (p >= digits.Length) throw new Invalid();
                char c = digits[p++];
                int digit = c >= 'a' && c <= 'z' ? c - 'a' : c >= '0' && c <= '9' ? 26 + (c - '0') : throw new Invalid();
                i = checked(i + digit * w);
                int t = k <= bias ? tMin : k >= bias + tMax ? tMax : k - bias;
                if (digit < t) break;
                w = checked(w * (36 - t));
            }
            int count = code.Count + 1;
            int delta = first ? (i - oldI) / damp : (i - oldI) / 2;
            first = false;
            delta += delta / count;
            int kk = 0;
            while (delta > ((36 - tMin) * tMax) / 2)
            {
                delta /= 36 - tMin;
                kk += 36;
            }
            bias = kk + (36 - tMin + 1) * delta / (delta + skew);
            n = checked(n + i / count);
            i %= count;
            if (n > 0x10FFFF || (n >= 0xD800 && n <= 0xDFFF)) throw new Invalid();
            code.Insert(i, n);
            i++;
        }
        foreach (int cp in code) output.Append(char.ConvertFromUtf32(cp));
        return output.ToString();
    }

    private void Enter()
    {
        if (++_depth > MaxDepth) throw new Invalid();
    }

    /// <summary>Parse (and print) again from the back-referenced position, then continue after the reference.</summary>
    private void Backref(Action print)
    {
        int start = _pos - 1;
        ulong target = Base62();
        if (target >= (ulong)start) throw new Invalid();
        int resume = _pos;
        _pos = (int)target;
        print();
        _pos = resume;
    }

    // ---- printing ----

    private void PrintPath(bool inValue)
    {
        Enter();
        char tag = Next();
        switch (tag)
        {
            case 'C':
                Disambiguator();
                Print(Identifier());
                break;
            case 'N':
            {
                char ns = Next();
                if (!char.IsAsciiLetter(ns)) throw new Invalid();
                PrintPath(inValue);
                ulong dis = Disambiguator();
                string name = Identifier();
                if (char.IsAsciiLetterUpper(ns))
                {
                    Print("::{");
                    Print(ns == 'C' ? "closure" : ns == 'S' ? "shim" : ns.ToString());
                    if (name.Length > 0)
                    {
                        Print(':');
                        Print(name);
                    }
                    Print('#');
                    Print(dis.ToString(CultureInfo.InvariantCulture));
                    Print('}');
                }
                else if (name.Length > 0)
                {
                    Print("::");
                    Print(name);
                }
                break;
            }
            case 'M':
            case 'X':
            case 'Y':
                if (tag != 'Y')
                {
                    Disambiguator();
                    _skip++;
                    PrintPath(inValue: false); // the impl's own path is not shown
                    _skip--;
                }
                Print('<');
                PrintType();
                if (tag != 'M')
                {
                    Print(" as ");
                    PrintPath(inValue: false);
                }
                Print('>');
                break;
            case 'I':
                PrintPath(inValue);
                if (inValue) Print("::");
                Print('<');
                PrintList(PrintGenericArg, ", ");
                Print('>');
                break;
            case 'B':
                Backref(() => PrintPath(inValue));
                break;
            default:
                throw new Invalid();
        }
        _depth--;
    }

    /// <summary>Items until "E", separated; returns how many.</summary>
    private int PrintList(Action item, string separator)
    {
        int count = 0;
        while (!Eat('E'))
        {
            if (count > 0) Print(separator);
            item();
            count++;
        }
        return count;
    }

    private void PrintGenericArg()
    {
        if (Eat('L'))
            PrintLifetime(Base62());
        else if (Eat('K'))
            PrintConst(inValue: false);
        else
            PrintType();
    }

    private void PrintLifetime(ulong index)
    {
        if (index == 0)
        {
            Print("'_");
            return;
        }
        if (index > _boundLifetimes) throw new Invalid();
        ulong depth = _boundLifetimes - index;
        if (depth < 26)
        {
            Print('\'');
            Print((char)('a' + (int)depth));
        }
        else
        {
            Print("'_");
            Print(depth.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>An optional binder ("G" count) around <paramref name="body"/>: <c>for&lt;'a, 'b&gt; </c>.</summary>
    private void InBinder(Action body)
    {
        ulong bound = OptBase62('G');
        if (bound > 1000) throw new Invalid();
        if (bound > 0)
        {
            Print("for<");
            for (ulong i = 0; i < bound; i++)
            {
                if (i > 0) Print(", ");
                _boundLifetimes++;
                PrintLifetime(1);
            }
            Print("> ");
        }
        body();
        _boundLifetimes -= (uint)bound;
    }

    private static string? BasicType(char tag) => tag switch
    {
        'a' => "i8", 'b' => "bool", 'c' => "char", 'd' => "f64", 'e' => "str", 'f' => "f32", 'h' => "u8",
        'i' => "isize", 'j' => "usize", 'l' => "i32", 'm' => "u32", 'n' => "i128", 'o' => "u128", 's' => "i16",
        't' => "u16", 'u' => "()", 'v' => "...", 'x' => "i64", 'y' => "u64", 'z' => "!", 'p' => "_",
        _ => null,
    };

    private void PrintType()
    {
        Enter();
        char tag = Next();
        string? basic = BasicType(tag);
        if (basic is not null)
        {
            Print(basic);
            _depth--;
            return;
        }
        switch (tag)
        {
            case 'R':
            case 'Q':
                Print('&');
                if (Eat('L'))
                {
                    ulong lifetime = Base62();
                    if (lifetime != 0)
                    {
                        PrintLifetime(lifetime);
                        Print(' ');
                    }
                }
                if (tag == 'Q') Print("mut ");
                PrintType();
                break;
            case 'P':
                Print("*const ");
                PrintType();
                break;
            case 'O':
                Print("*mut ");
                PrintType();
                break;
            case 'A':
            case 'S':
                Print('[');
                PrintType();
                if (tag == 'A')
                {
                    Print("; ");
                    PrintConst(inValue: true);
                }
                Print(']');
                break;
            case 'T':
            {
                Print('(');
                int count = PrintList(PrintType, ", ");
                if (count == 1) Print(',');
                Print(')');
                break;
            }
            case 'F':
                InBinder(() =>
                {
                    bool isUnsafe = Eat('U');
                    string? abi = null;
                    if (Eat('K'))
                        abi = Eat('C') ? "C" : Identifier().Replace('_', '-');
                    if (isUnsafe) Print("unsafe ");
                    if (abi is not null)
                    {
                        Print("extern \"");
                        Print(abi);
                        Print("\" ");
                    }
                    Print("fn(");
                    PrintList(PrintType, ", ");
                    Print(')');
                    if (!Eat('u'))
                    {
                        Print(" -> ");
                        PrintType();
                    }
                });
                break;
            case 'D':
                Print("dyn ");
                InBinder(() => PrintList(PrintDynTrait, " + "));
                if (!Eat('L')) throw new Invalid();
                ulong bound = Base62();
                if (bound != 0)
                {
                    Print(" + ");
                    PrintLifetime(bound);
                }
                break;
            case 'B':
                Backref(PrintType);
                break;
            default:
                _pos--;
                PrintPath(inValue: false);
                break;
        }
        _depth--;
    }

    private void PrintDynTrait()
    {
        bool open = PrintPathMaybeOpenGenerics();
        while (Eat('p'))
        {
            Print(open ? ", " : "<");
            open = true;
            Print(Identifier());
            Print(" = ");
            PrintType();
        }
        if (open) Print('>');
    }

    /// <summary>A trait's path; when it has generic arguments the closing '&gt;' is left for the associated types.</summary>
    private bool PrintPathMaybeOpenGenerics()
    {
        if (Eat('B'))
        {
            bool open = false;
            Backref(() => open = PrintPathMaybeOpenGenerics());
            return open;
        }
        if (Eat('I'))
        {
            PrintPath(inValue: false);
            Print('<');
            PrintList(PrintGenericArg, ", ");
            return true;
        }
        PrintPath(inValue: false);
        return false;
    }

    /// <summary>Hex digits up to "_".</summary>
    private string HexNibbles()
    {
        int start = _pos;
        while (Peek() != '_')
        {
            char c = Next();
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c)) throw new Invalid();
        }
        string hex = _sym[start.._pos];
        _pos++;
        return hex;
    }

    private void PrintConstUnsigned()
    {
        string hex = HexNibbles().TrimStart('0');
        if (hex.Length > 16)
        {
            Print("0x");
            Print(hex);
        }
        else
        {
            Print((hex.Length == 0 ? 0 : ulong.Parse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture))
                  .ToString(CultureInfo.InvariantCulture));
        }
    }

    private static string Quoted(string text, char quote)
    {
        var sb = new StringBuilder();
        sb.Append(quote);
        foreach (Rune r in text.EnumerateRunes())
        {
            int v = r.Value;
            if (v == quote || v == '\\') sb.Append('\\').Append((char)v);
            else if (v == '\n') sb.Append("\\n");
            else if (v == '\r') sb.Append("\\r");
            else if (v == '\t') sb.Append("\\t");
            else if (v == 0) sb.Append("\\0");
            else if (v < 0x20 || v == 0x7f) sb.Append("\\u{").Append(v.ToString("x", CultureInfo.InvariantCulture)).Append('}');
            else sb.Append(r.ToString());
        }
        sb.Append(quote);
        return sb.ToString();
    }

    private string HexBytesAsUtf8()
    {
        string hex = HexNibbles();
        if (hex.Length % 2 != 0) throw new Invalid();
        byte[] bytes = Convert.FromHexString(hex);
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (ArgumentException)
        {
            throw new Invalid();
        }
    }

    private void PrintConst(bool inValue)
    {
        Enter();
        char tag = Next();
        switch (tag)
        {
            case 'p':
                Print('_');
                break;
            case 'a': case 's': case 'l': case 'x': case 'n': case 'i':
            case 'h': case 't': case 'm': case 'y': case 'o': case 'j':
                if ("aslxni".IndexOf(tag) >= 0 && Eat('n')) Print('-');
                PrintConstUnsigned();
                // A generic argument names its type, as binutils' demangler (c++filt) prints it: <10: usize>.
                if (!inValue)
                {
                    Print(": ");
                    Print(BasicType(tag)!);
                }
                break;
            case 'b':
            {
                string hex = HexNibbles();
                Print(hex == "0" ? "false" : hex == "1" ? "true" : throw new Invalid());
                if (!inValue) Print(": bool");
                break;
            }
            case 'c':
            {
                string hex = HexNibbles();
                if (hex.Length > 8) throw new Invalid();
                uint v = uint.Parse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
                if (!Rune.IsValid(v)) throw new Invalid();
                Print(Quoted(new Rune(v).ToString(), '\''));
                if (!inValue) Print(": char");
                break;
            }
            case 'e':
                Print(Quoted(HexBytesAsUtf8(), '"'));
                break;
            case 'R':
            case 'Q':
                if (tag == 'R' && Eat('e'))
                {
                    Print(Quoted(HexBytesAsUtf8(), '"'));
                    break;
                }
                Print('&');
                if (tag == 'Q') Print("mut ");
                PrintConst(inValue: true);
                break;
            case 'A':
                Print('[');
                PrintList(() => PrintConst(inValue: true), ", ");
                Print(']');
                break;
            case 'T':
            {
                Print('(');
                int count = PrintList(() => PrintConst(inValue: true), ", ");
                if (count == 1) Print(',');
                Print(')');
                break;
            }
            case 'B':
                Backref(() => PrintConst(inValue));
                break;
            default:
                throw new Invalid(); // struct and enum values ('V'): not decoded
        }
        _depth--;
    }
}
