using System;
using System.Collections.Generic;
using Invisible.Abi.Dwarf;

namespace Invisible.Abi.Ffi;

/// <summary>Parser for <see cref="FfiSignature.Parse"/>: C declarations (a practical subset) and the compact
/// letter codes.</summary>
internal static class SignatureParser
{
    internal static bool Parse(string text, Func<string, CType?>? resolve, out FfiType ret, out FfiType[] ps, out string?[] names,
        out bool variadic, out string? name)
    {
        string t = text.Trim();
        if (t.IndexOf('(') < 0 && t.IndexOf(':') >= 0) return ParseCompact(t, out ret, out ps, out names, out variadic, out name);
        var p = new Parser(t, resolve);
        p.ParseFunction(out ret, out ps, out names, out variadic, out name);
        return true;
    }

    private static FfiException Error(string text, string why) => new(FfiErrorKind.Signature, "bad signature '" + text + "': " + why);

    // ------------------------------------------------------------------ compact

    private static FfiType Code(char c, string text) => c switch
    {
        'v' => FfiType.Void,
        '?' => FfiType.Bool,
        'c' => FfiType.Char,
        'b' => FfiType.SInt8,
        'B' => FfiType.UInt8,
        'h' => FfiType.SInt16,
        'H' => FfiType.UInt16,
        'i' => FfiType.SInt32,
        'I' => FfiType.UInt32,
        'l' => FfiType.SInt64,
        'L' => FfiType.UInt64,
        'q' => Named("long long", FfiType.SInt64),
        'Q' => Named("unsigned long long", FfiType.UInt64),
        'z' => Named("size_t", FfiType.UInt64),
        'Z' => Named("ssize_t", FfiType.SInt64),
        'f' => FfiType.Float,
        'd' => FfiType.Double,
        'g' => FfiType.LongDouble,
        'p' => FfiType.Pointer,
        's' => FfiType.CharPointer,
        'P' => FfiType.FunctionPointer,
        _ => throw Error(text, "unknown type code '" + c + "'"),
    };

    private static bool ParseCompact(string t, out FfiType ret, out FfiType[] ps, out string?[] names, out bool variadic, out string? name)
    {
        int colon = t.IndexOf(':');
        string r = t.Substring(0, colon).Trim();
        string a = t.Substring(colon + 1).Trim();
        if (r.Length != 1) throw Error(t, "the return type must be one code");
        ret = Code(r[0], t);
        variadic = a.EndsWith("...", StringComparison.Ordinal);
        if (variadic) a = a.Substring(0, a.Length - 3);
        var list = new List<FfiType>();
        foreach (char c in a)
        {
            if (c == ' ') continue;
            FfiType ft = Code(c, t);
            if (ft.Kind == FfiTypeKind.Void) throw Error(t, "void parameter");
            list.Add(ft);
        }
        ps = list.ToArray();
        names = new string?[ps.Length];
        name = null;
        return true;
    }

    // ------------------------------------------------------------------ named typedefs known without DWARF

    private static readonly Dictionary<string, FfiType> Typedefs = new(StringComparer.Ordinal)
    {
        ["size_t"] = Named("size_t", FfiType.UInt64),
        ["ssize_t"] = Named("ssize_t", FfiType.SInt64),
        ["ptrdiff_t"] = Named("ptrdiff_t", FfiType.SInt64),
        ["intptr_t"] = Named("intptr_t", FfiType.SInt64),
        ["uintptr_t"] = Named("uintptr_t", FfiType.UInt64),
        ["off_t"] = Named("off_t", FfiType.SInt64),
        ["time_t"] = Named("time_t", FfiType.SInt64),
        ["pid_t"] = Named("pid_t", FfiType.SInt32),
        ["uid_t"] = Named("uid_t", FfiType.UInt32),
        ["gid_t"] = Named("gid_t", FfiType.UInt32),
        ["mode_t"] = Named("mode_t", FfiType.UInt32),
        ["wchar_t"] = Named("wchar_t", FfiType.SInt32),
        ["int8_t"] = Named("int8_t", FfiType.SInt8),
        ["uint8_t"] = Named("uint8_t", FfiType.UInt8),
        ["int16_t"] = Named("int16_t", FfiType.SInt16),
        ["uint16_t"] = Named("uint16_t", FfiType.UInt16),
        ["int32_t"] = Named("int32_t", FfiType.SInt32),
        ["uint32_t"] = Named("uint32_t", FfiType.UInt32),
        ["int64_t"] = Named("int64_t", FfiType.SInt64),
        ["uint64_t"] = Named("uint64_t", FfiType.UInt64),
        ["bool"] = Named("bool", FfiType.Bool),
    };

    private static FfiType Named(string name, FfiType basic) => FfiType.WithName(basic, name);

    // ------------------------------------------------------------------ C declarations

    private sealed class Parser
    {
        private readonly string _text;
        private readonly Func<string, CType?>? _resolve;
        private readonly List<string> _tokens = new();
        private int _pos;

        public Parser(string text, Func<string, CType?>? resolve)
        {
            _text = text;
            _resolve = resolve;
            Tokenize();
        }

        private void Tokenize()
        {
            string s = _text;
            int i = 0;
            while (i < s.Length)
            {
                char c = s[i];
                if (char.IsWhiteSpace(c)) { i++; continue; }
                if (char.IsLetter(c) || c == '_')
                {
                    int st = i;
                    while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '_')) i++;
                    _tokens.Add(s.Substring(st, i - st));
                    continue;
                }
                if (char.IsDigit(c))
                {
                    int st = i;
                    while (i < s.Length && char.IsLetterOrDigit(s[i])) i++;
                    _tokens.Add(s.Substring(st, i - st));
                    continue;
                }
                if (c == '.' && i + 2 < s.Length && s[i + 1] == '.' && s[i + 2] == '.') { _tokens.Add("..."); i += 3; continue; }
                if (c is '(' or ')' or '*' or ',' or '[' or ']' or '&') { _tokens.Add(c.ToString()); i++; continue; }
                throw Error(_text, "unexpected character '" + c + "'");
            }
        }

        private string? Peek => _pos < _tokens.Count ? _tokens[_pos] : null;
        private string Next() => _pos < _tokens.Count ? _tokens[_pos++] : throw Error(_text, "unexpected end");
        private void Expect(string tok)
        {
            string got = Next();
            if (got != tok) throw Error(_text, "expected '" + tok + "', got '" + got + "'");
        }

        private static bool IsIdent(string? t) => t != null && (char.IsLetter(t[0]) || t[0] == '_');
        private static bool IsQualifier(string t) => t is "const" or "volatile" or "restrict" or "__restrict" or "__restrict__" or "_Atomic" or "__const";
        private static bool IsTypeWord(string t) => t is "void" or "char" or "short" or "int" or "long" or "float" or "double" or "signed"
            or "unsigned" or "_Bool" or "__int64";

        public void ParseFunction(out FfiType ret, out FfiType[] ps, out string?[] names, out bool variadic, out string? name)
        {
            ret = ParseSpecifiers(out bool retConst);
            if (retConst) ret = FfiType.WithName(ret, "const " + ret.Name);
            ret = ParsePointers(ret);
            name = null;
            if (IsIdent(Peek)) name = Next();
            Expect("(");
            ParseParameters(out ps, out names, out variadic);
            if (Peek != null) throw Error(_text, "unexpected '" + Peek + "' after the parameter list");
        }

        private void ParseParameters(out FfiType[] ps, out string?[] names, out bool variadic)
        {
            var types = new List<FfiType>();
            var ns = new List<string?>();
            variadic = false;
            if (Peek == ")") { Next(); ps = Array.Empty<FfiType>(); names = Array.Empty<string?>(); return; }
            if (Peek == "void" && _pos + 1 < _tokens.Count && _tokens[_pos + 1] == ")") { _pos += 2; ps = Array.Empty<FfiType>(); names = Array.Empty<string?>(); return; }
            while (true)
            {
                if (Peek == "...")
                {
                    Next();
                    variadic = true;
                    Expect(")");
                    break;
                }
                FfiType t = ParseSpecifiers(out bool isConst);
                if (isConst) t = FfiType.WithName(t, "const " + t.Name);
                t = ParsePointers(t);
                string? pname = null;
                if (Peek == "(")
                {
                    // function pointer: T (*name)(params)
                    Next();
                    Expect("*");
                    while (Peek != null && IsQualifier(Peek)) Next();
                    if (IsIdent(Peek)) pname = Next();
                    Expect(")");
                    Expect("(");
                    // The pointee's prototype is kept: a Python callable passed here gets an entry point taking and
                    // returning these types (sqlite3_exec's int (*)(void *, int, char **, char **)).
                    ParseParameters(out FfiType[] fps, out string?[] fnames, out bool fvariadic);
                    FfiSignature proto;
                    try { proto = FfiSignature.Create(t, fps, fnames, fvariadic); }
                    catch (FfiException e) { throw Error(_text, "function pointer parameter: " + e.Message); }
                    t = FfiType.FunctionPointerTo(proto);
                }
                else
                {
                    if (IsIdent(Peek)) pname = Next();
                    bool array = false;
                    while (Peek == "[")
                    {
                        Next();
                        while (Peek != null && Peek != "]") Next();
                        Expect("]");
                        array = true;
                    }
                    if (array) t = FfiType.PointerTo(t);
                }
                if (t.Kind == FfiTypeKind.Void && !t.IsOpaque) throw Error(_text, "parameter of type void");
                types.Add(t);
                ns.Add(pname);
                string sep = Next();
                if (sep == ")") break;
                if (sep != ",") throw Error(_text, "expected ',' or ')', got '" + sep + "'");
            }
            ps = types.ToArray();
            names = ns.ToArray();
        }

        private FfiType ParsePointers(FfiType t)
        {
            while (Peek == "*" || Peek == "&")
            {
                Next();
                t = FfiType.PointerTo(t);
                while (Peek != null && IsQualifier(Peek)) Next();
            }
            return t;
        }

        /// <summary>Declaration specifiers: qualifiers, type keywords, a typedef name, or struct/union/enum TAG.</summary>
        private FfiType ParseSpecifiers(out bool sawConst)
        {
            sawConst = false;
            int sign = 0; // -1 signed, +1 unsigned
            int longs = 0;
            string? basic = null; // void char short int float double _Bool
            FfiType? named = null;
            bool any = false;
            while (Peek != null)
            {
                string tok = Peek;
                if (IsQualifier(tok)) { if (tok is "const" or "__const") sawConst = true; Next(); continue; }
                if (tok is "struct" or "union" or "enum")
                {
                    if (any) throw Error(_text, "unexpected '" + tok + "'");
                    Next();
                    string tag = Next();
                    if (!IsIdent(tag)) throw Error(_text, "expected a tag after '" + tok + "'");
                    named = Resolve(tok + " " + tag);
                    any = true;
                    continue;
                }
                if (IsTypeWord(tok))
                {
                    if (named != null) break;
                    Next();
                    any = true;
                    switch (tok)
                    {
                        case "signed": sign = -1; break;
                        case "unsigned": sign = 1; break;
                        case "long": longs++; break;
                        case "__int64": longs = 2; break;
                        default:
                            if (basic != null && !(basic == "int" || tok == "int")) throw Error(_text, "two types in one declaration ('" + basic + "' and '" + tok + "')");
                            if (basic is null || basic == "int") basic = tok;
                            break;
                    }
                    continue;
                }
                if (IsIdent(tok) && !any)
                {
                    Next();
                    named = tok is "FILE" or "DIR" ? FfiType.Opaque(tok, tok, null) : ResolveTypedef(tok);
                    any = true;
                    continue;
                }
                break;
            }
            if (!any) throw Error(_text, Peek is null ? "missing type" : "expected a type, got '" + Peek + "'");
            if (named != null) return named;
            return Basic(basic, sign, longs);
        }

        private FfiType Basic(string? basic, int sign, int longs)
        {
            switch (basic)
            {
                case "void": return FfiType.Void;
                case "_Bool": return FfiType.Bool;
                case "float": return FfiType.Float;
                case "double": return longs > 0 ? FfiType.LongDouble : FfiType.Double;
                case "char": return sign == 0 ? FfiType.Char : sign < 0 ? FfiType.SInt8 : FfiType.UInt8;
                case "short": return sign > 0 ? FfiType.UInt16 : FfiType.SInt16;
                default:
                    if (longs >= 2) return sign > 0 ? Named("unsigned long long", FfiType.UInt64) : Named("long long", FfiType.SInt64);
                    if (longs == 1) return sign > 0 ? FfiType.UInt64 : FfiType.SInt64;
                    return sign > 0 ? FfiType.UInt32 : FfiType.SInt32;
            }
        }

        private FfiType ResolveTypedef(string name)
        {
            if (_resolve != null)
            {
                CType? c = _resolve(name);
                if (c != null) return FfiType.ForDeclaration(c);
            }
            if (Typedefs.TryGetValue(name, out FfiType? t)) return t;
            throw Error(_text, "unknown type name '" + name + "'");
        }

        private FfiType Resolve(string name)
        {
            CType? c = _resolve?.Invoke(name);
            // An unknown tag is an incomplete type, as in C: fine behind a pointer, refused by value.
            return c is null ? FfiType.Opaque(name, name, null) : FfiType.ForDeclaration(c);
        }
    }
}
