using System;
using System.Collections.Generic;
using Invisible.Python.Builtins;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>_string</c> (Objects/stringlib/unicode_format.h, exposed by Objects/unicodeobject.c): the parser of
/// format strings that Lib's <c>string.Formatter</c> uses. Both functions return lazy iterators, as CPython's do
/// (a malformed string raises ValueError while iterating).
/// </summary>
public static class StringModule
{
    private static readonly ArgParser ParserArgs = new("formatter_parser", "string, /");
    private static readonly ArgParser SplitArgs = new("formatter_field_name_split", "string, /");
    private static readonly PyType FormatterIterType = new("formatteriterator", PyType.ObjectType, null) { ModuleName = "_string" };
    private static readonly PyType FieldNameIterType = new("fieldnameiterator", PyType.ObjectType, null) { ModuleName = "_string" };

    public static PyModule Create()
    {
        var m = new PyModule("_string");
        m.AddFn("formatter_parser", (a, k) =>
        {
            var args = ParserArgs.Parse(a, k);
            if (args[0] is not PyStr s) throw Ops.TypeError($"descriptor 'formatter_parser' requires a 'str' object but received a '{args[0]!.Type.Name}'");
            return new PyIterWrapper(FormatterIterType, Parse(s.Value));
        });
        m.AddFn("formatter_field_name_split", (a, k) =>
        {
            var args = SplitArgs.Parse(a, k);
            if (args[0] is not PyStr s) throw Ops.TypeError($"descriptor 'formatter_field_name_split' requires a 'str' object but received a '{args[0]!.Type.Name}'");
            var (first, rest) = SplitFieldName(s.Value);
            return new PyTuple(new PyObject[] { first, new PyIterWrapper(FieldNameIterType, rest) });
        });
        return m;
    }

    private static PyException Error(string msg) => Ops.ValueError(msg);

    /// <summary>(literal, field_name, format_spec, conversion) tuples; field_name etc. None after a bare literal.</summary>
    private static IEnumerable<PyObject> Parse(string s)
    {
        int pos = 0, n = s.Length;
        while (pos < n)
        {
            // literal text up to a single brace; a doubled brace ends the chunk with one brace in it
            int start = pos;
            bool markup = false;
            string literal;
            while (true)
            {
                if (pos >= n) { literal = s.Substring(start, pos - start); break; }
                char c = s[pos];
                if (c != '{' && c != '}') { pos++; continue; }
                if (pos + 1 < n && s[pos + 1] == c) { literal = s.Substring(start, pos + 1 - start); pos += 2; break; }
                if (c == '}') throw Error("Single '}' encountered in format string");
                if (pos + 1 >= n) throw Error("Single '{' encountered in format string");
                literal = s.Substring(start, pos - start);
                pos++;
                markup = true;
                break;
            }
            if (!markup)
            {
                yield return new PyTuple(new PyObject[] { PyStr.Of(literal), PyNone.Instance, PyNone.Instance, PyNone.Instance });
                continue;
            }
            // field name: up to '!', ':' or '}' outside [...]
            int fieldStart = pos;
            while (pos < n)
            {
                char c = s[pos];
                if (c == '[') { while (pos < n && s[pos] != ']') pos++; if (pos < n) pos++; continue; }
                if (c == '!' || c == ':' || c == '}' || c == '{') break;
                pos++;
            }
            if (pos >= n) throw Error("expected '}' before end of string");
            if (s[pos] == '{') throw Error("unexpected '{' in field name");
            string field = s.Substring(fieldStart, pos - fieldStart);
            PyObject conversion = PyNone.Instance;
            if (s[pos] == '!')
            {
                pos++;
                if (pos >= n) throw Error("end of string while looking for conversion specifier");
                if (s[pos] == '}') throw Error("unmatched '{' in format spec");
                conversion = PyStr.Of(s[pos].ToString());
                pos++;
                if (pos >= n) throw Error("expected '}' before end of string");
                if (s[pos] != ':' && s[pos] != '}') throw Error("expected ':' after conversion specifier");
            }
            string spec = "";
            if (s[pos] == ':')
            {
                pos++;
                int specStart = pos, depth = 1;
                while (pos < n)
                {
                    if (s[pos] == '{') depth++;
                    else if (s[pos] == '}' && --depth == 0) break;
                    pos++;
                }
                if (pos >= n) throw Error("expected '}' before end of string");
                spec = s.Substring(specStart, pos - specStart);
            }
            pos++;   // the closing '}'
            yield return new PyTuple(new PyObject[] { PyStr.Of(literal), PyStr.Of(field), PyStr.Of(spec), conversion });
        }
    }

    /// <summary>The first part of a field name (an int when all digits) and (is_attribute, key) for the rest.</summary>
    private static (PyObject First, IEnumerable<PyObject> Tail) SplitFieldName(string s)
    {
        int i = 0;
        while (i < s.Length && s[i] != '.' && s[i] != '[') i++;
        return (Key(s.Substring(0, i)), Rest(s, i));
    }

    private static PyObject Key(string k)
    {
        if (k.Length > 0 && long.TryParse(k, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long v)) return PyInt.Get(v);
        return PyStr.Of(k);
    }

    private static IEnumerable<PyObject> Rest(string s, int i)
    {
        while (i < s.Length)
        {
            char c = s[i++];
            int start = i;
            if (c == '.')
            {
                while (i < s.Length && s[i] != '.' && s[i] != '[') i++;
                if (i == start) throw Error("Empty attribute in format string");
                yield return new PyTuple(new PyObject[] { PyBool.True, PyStr.Of(s.Substring(start, i - start)) });
            }
            else if (c == '[')
            {
                while (i < s.Length && s[i] != ']') i++;
                if (i >= s.Length) throw Error("Missing ']' in format string");
                if (i == start) throw Error("Empty attribute in format string");
                var key = Key(s.Substring(start, i - start));
                i++;
                if (i < s.Length && s[i] != '.' && s[i] != '[') throw Error("Only '.' or '[' may follow ']' in format field specifier");
                yield return new PyTuple(new PyObject[] { PyBool.False, key });
            }
            else throw Error("Only '.' or '[' may follow ']' in format field specifier");
        }
    }
}
