using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Text;
using Invisible.Python.Builtins;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>_csv</c> (Modules/_csv.c): the <c>Dialect</c> type with CPython's validation and messages, the
/// reader (CPython's character state machine: quoting, doublequote, escapechar, skipinitialspace, strict, newlines
/// inside quoted fields, QUOTE_NONNUMERIC's floats, the field size limit) and the writer (CPython's quoting and
/// escaping rules), and the dialect registry, which belongs to the module object (one per interpreter) as
/// CPython's module state does.
/// </summary>
public static class CsvModule
{
    private const int QuoteMinimal = 0, QuoteAll = 1, QuoteNonNumeric = 2, QuoteNone = 3;
    private const int NotSet = -1;   // a char parameter set to None
    private const int Eol = -2;      // end of a line handed to the parser

    private static readonly string[] AttrNames = { "delimiter", "doublequote", "escapechar", "lineterminator", "quotechar", "quoting", "skipinitialspace", "strict" };
    private static readonly ArgParser FieldSizeLimitArgs = new("field_size_limit", "new_limit=");

    private static PyType? s_error, s_dialect, s_reader, s_writer;
    private static readonly object TypesGate = new();

    private static PyType ErrorType { get { lock (TypesGate) return s_error ??= new PyType("Error", PyBaseException.ExceptionType, null) { ModuleName = "_csv" }; } }
    private static PyType DialectType { get { lock (TypesGate) return s_dialect ??= MakeDialectType(); } }
    private static PyType ReaderType { get { lock (TypesGate) return s_reader ??= MakeReaderType(); } }
    private static PyType WriterType { get { lock (TypesGate) return s_writer ??= MakeWriterType(); } }

    private static PyException Error(string msg) => Ops.Exc(ErrorType, msg);

    /// <summary>The module's state (CPython's _csvstate): the registry and the field size limit.</summary>
    private sealed class State
    {
        public readonly PyDict Dialects = new();
        public long FieldLimit = 128 * 1024;
    }
    private static readonly ConditionalWeakTable<PyModule, State> States = new();

    public static PyModule Create()
    {
        var m = new PyModule("_csv");
        var st = new State();
        States.Add(m, st);
        m.Add("__version__", PyStr.Of("1.0"));
        m.Add("QUOTE_MINIMAL", PyInt.Get(QuoteMinimal));
        m.Add("QUOTE_ALL", PyInt.Get(QuoteAll));
        m.Add("QUOTE_NONNUMERIC", PyInt.Get(QuoteNonNumeric));
        m.Add("QUOTE_NONE", PyInt.Get(QuoteNone));
        m.Add("Error", ErrorType);
        m.Add("Dialect", DialectType);
        m.Add("Reader", ReaderType);
        m.Add("Writer", WriterType);
        m.Add("_dialects", st.Dialects);
        m.AddFn("register_dialect", (a, k) =>
        {
            int npos = Ops.PosCount(a, k);
            if (npos < 1) throw Ops.TypeError("register_dialect() expected at least 1 argument, got 0");
            if (npos > 2) throw Ops.TypeError($"register_dialect() expected at most 2 arguments, got {npos}");
            if (a[0] is not PyStr) throw Ops.TypeError("dialect name must be a string");
            var d = NewDialect(st, npos > 1 ? a[1] : null, a.Slice(npos), k);
            st.Dialects.SetItem(a[0], d);
            return PyNone.Instance;
        });
        m.AddFn("unregister_dialect", (a, k) =>
        {
            ArgParser.CheckPositional("unregister_dialect", a, k, 1, 1);
            if (st.Dialects.GetOrNull(a[0]) == null) throw Error("unknown dialect");
            st.Dialects.DelItem(a[0]);
            return PyNone.Instance;
        });
        m.AddFn("get_dialect", (a, k) =>
        {
            ArgParser.CheckPositional("get_dialect", a, k, 1, 1);
            return Lookup(st, a[0]);
        });
        m.AddFn("list_dialects", (a, k) =>
        {
            ArgParser.NoArgs("list_dialects", a, k);
            var names = new PyList();
            foreach (var kv in st.Dialects.Items()) names.Append(kv.Key);
            return names;
        });
        m.AddFn("field_size_limit", (a, k) =>
        {
            var args = FieldSizeLimitArgs.Parse(a, k);
            long old = st.FieldLimit;
            if (args[0] is { } n)
            {
                if (n is not PyInt) throw Ops.TypeError("limit must be an integer");
                st.FieldLimit = Ops.IndexValue(n);
            }
            return PyInt.Get(old);
        });
        m.AddFn("reader", (a, k) =>
        {
            int npos = Ops.PosCount(a, k);
            if (npos < 1) throw Ops.TypeError("expected at least 1 argument, got 0");
            if (npos > 2) throw Ops.TypeError($"expected at most 2 arguments, got {npos}");
            var it = Ops.GetIter(a[0]);
            return new Reader(it, NewDialect(st, npos > 1 ? a[1] : null, a.Slice(npos), k), st);
        });
        m.AddFn("writer", (a, k) =>
        {
            int npos = Ops.PosCount(a, k);
            if (npos < 1) throw Ops.TypeError("expected at least 1 argument, got 0");
            if (npos > 2) throw Ops.TypeError($"expected at most 2 arguments, got {npos}");
            var write = Ops.GetAttrOrNull(a[0], PyStr.Intern("write"));
            if (write == null || !write.IsCallable) throw Ops.TypeError("argument 1 must have a \"write\" method");
            return new Writer(write, NewDialect(st, npos > 1 ? a[1] : null, a.Slice(npos), k));
        });
        return m;
    }

    private static PyObject Lookup(State st, PyObject name) =>
        st.Dialects.GetOrNull(name) ?? throw Error("unknown dialect");

    // ---------------- Dialect ----------------

    private sealed class Dialect : PyObject
    {
        private readonly PyType _type;
        private PyDict? _dict;
        public int Delimiter = ',', QuoteChar = '"', EscapeChar = NotSet;
        public bool DoubleQuote = true, SkipInitialSpace, Strict;
        public int Quoting = QuoteMinimal;
        public string LineTerminator = "\r\n";

        public Dialect(PyType type) { _type = type; }
        public override PyType Type => _type;
        public override PyDict? Dict => _type == DialectType ? null : _dict ??= new PyDict();
    }

    private static Dialect NewDialect(State? st, PyObject? dialect, ReadOnlySpan<PyObject> kwValues, PyStr[]? kwNames)
    {
        // a 'dialect' keyword names the base dialect, as the positional argument does
        int nkw = kwNames?.Length ?? 0;
        for (int j = 0; j < nkw; j++)
            if (kwNames![j].Value == "dialect")
            {
                if (dialect != null) throw Ops.TypeError("argument for reader() given by name ('dialect') and position (2)");
                var names = new List<PyStr>(); var vals = new List<PyObject>();
                for (int i = 0; i < nkw; i++) if (i != j) { names.Add(kwNames[i]); vals.Add(kwValues[kwValues.Length - nkw + i]); }
                return NewDialect(DialectType, st, kwValues[kwValues.Length - nkw + j], vals.ToArray(), names.Count == 0 ? null : names.ToArray());
            }
        return NewDialect(DialectType, st, dialect, kwValues, kwNames);
    }

    /// <summary>CPython's dialect_new: a dialect from a registered name or an object's attributes, then keywords.</summary>
    private static Dialect NewDialect(PyType cls, State? st, PyObject? dialect, ReadOnlySpan<PyObject> kwValues, PyStr[]? kwNames)
    {
        int nkw = kwNames?.Length ?? 0;
        if (dialect is PyStr && st != null) dialect = Lookup(st, dialect);
        if (dialect is Dialect exact && exact.Type == DialectType && cls == DialectType && nkw == 0) return exact;
        var values = new PyObject?[AttrNames.Length];
        for (int j = 0; j < nkw; j++)
        {
            int idx = Array.IndexOf(AttrNames, kwNames![j].Value);
            if (idx < 0) throw Ops.TypeError($"'{kwNames[j].Value}' is an invalid keyword argument for this function");
            values[idx] = kwValues[kwValues.Length - nkw + j];
        }
        if (dialect != null)
            for (int i = 0; i < AttrNames.Length; i++)
                values[i] ??= Ops.GetAttrOrNull(dialect, PyStr.Intern(AttrNames[i]));
        var d = new Dialect(cls);
        d.Delimiter = CharArg("delimiter", values[0], ',', false);
        d.DoubleQuote = values[1] == null || Ops.IsTrue(values[1]!);
        d.EscapeChar = CharArg("escapechar", values[2], NotSet, true);
        if (values[3] is { } lt)
        {
            if (lt == PyNone.Instance) throw Ops.TypeError("lineterminator must be set");
            if (lt is not PyStr lts) throw Ops.TypeError("\"lineterminator\" must be a string");
            d.LineTerminator = lts.Value;
        }
        d.QuoteChar = CharArg("quotechar", values[4], '"', true);
        if (values[5] is { } q)
        {
            if (q is not PyInt) throw Ops.TypeError("\"quoting\" must be an integer");
            long qv = Ops.IndexValue(q);
            if (qv < QuoteMinimal || qv > QuoteNone) throw Ops.TypeError("bad \"quoting\" value");
            d.Quoting = (int)qv;
        }
        else if (values[4] == PyNone.Instance) d.Quoting = QuoteNone;
        d.SkipInitialSpace = values[6] != null && Ops.IsTrue(values[6]!);
        d.Strict = values[7] != null && Ops.IsTrue(values[7]!);
        if (d.Quoting != QuoteNone && d.QuoteChar == NotSet) throw Ops.TypeError("quotechar must be set if quoting enabled");
        return d;
    }

    private static int CharArg(string name, PyObject? o, int dflt, bool noneOk)
    {
        if (o == null) return dflt;
        if (o == PyNone.Instance && noneOk) return NotSet;
        if (o is not PyStr s) throw Ops.TypeError(noneOk ? $"\"{name}\" must be string or None, not {o.Type.Name}" : $"\"{name}\" must be string, not {o.Type.Name}");
        var v = s.Value;
        if (v.Length == 1) return v[0];
        if (v.Length == 2 && char.IsSurrogatePair(v[0], v[1])) return char.ConvertToUtf32(v[0], v[1]);
        throw Ops.TypeError($"\"{name}\" must be a 1-character string");
    }

    private static PyObject CharValue(int c) => c == NotSet ? PyNone.Instance : PyStr.Of(char.ConvertFromUtf32(c));

    private static PyType MakeDialectType()
    {
        var t = new PyType("Dialect", PyType.ObjectType, (cls, a, k) =>
        {
            int npos = Ops.PosCount(a, k);
            if (npos > 1) throw Ops.TypeError($"Dialect() takes at most 1 positional argument ({npos} given)");
            PyObject? dialect = npos > 0 ? a[0] : null;
            int nkw = k?.Length ?? 0;
            // the 'dialect' keyword names the base dialect, as the positional argument
            if (nkw > 0)
                for (int j = 0; j < nkw; j++)
                    if (k![j].Value == "dialect")
                    {
                        dialect = a[npos + j];
                        var names = new List<PyStr>(); var vals = new List<PyObject>();
                        for (int i = 0; i < nkw; i++) if (i != j) { names.Add(k[i]); vals.Add(a[npos + i]); }
                        return NewDialect(cls, null, dialect, vals.ToArray(), names.ToArray());
                    }
            return NewDialect(cls, null, dialect, a.Slice(npos), k);
        }) { ModuleName = "_csv" };
        static Dialect D(PyObject o) => (Dialect)o;
        void Ro(string name, Func<Dialect, PyObject> get) =>
            t.SetMember(name, new PyProperty(new PyBuiltinFunction(name, (a, k) => get(D(a[0]))), null, null, null));
        Ro("delimiter", d => CharValue(d.Delimiter));
        Ro("doublequote", d => PyBool.Of(d.DoubleQuote));
        Ro("escapechar", d => CharValue(d.EscapeChar));
        Ro("lineterminator", d => PyStr.Of(d.LineTerminator));
        Ro("quotechar", d => CharValue(d.QuoteChar));
        Ro("quoting", d => PyInt.Get(d.Quoting));
        Ro("skipinitialspace", d => PyBool.Of(d.SkipInitialSpace));
        Ro("strict", d => PyBool.Of(d.Strict));
        t.AddMethod("__reduce_ex__", (a, k) => throw Ops.TypeError("cannot pickle '_csv.Dialect' instances"));
        return t;
    }

    // ---------------- reader ----------------

    private enum PState : byte { StartRecord, StartField, EscapedChar, InField, InQuotedField, EscapeInQuotedField, QuoteInQuotedField, EatCrnl, AfterEscapedCrnl }

    private sealed class Reader : PyObject
    {
        private readonly PyObject _input;
        public readonly Dialect D;
        private readonly State _st;
        private PState _state = PState.StartRecord;
        private readonly StringBuilder _field = new();
        private PyList _fields = new();
        private bool _numeric;
        public long LineNum;

        public Reader(PyObject input, Dialect d, State st) { _input = input; D = d; _st = st; }
        public override PyType Type => ReaderType;
        public override PyObject Iter() => this;

        public override PyObject? Next()
        {
            _fields = new PyList();
            _state = PState.StartRecord;
            _field.Clear();
            _numeric = false;
            do
            {
                var line = Ops.Next(_input);
                if (line == null)
                {
                    if (_field.Length != 0 || _state == PState.InQuotedField)
                    {
                        if (D.Strict) throw Error("unexpected end of data");
                        SaveField();
                        break;
                    }
                    return null;
                }
                if (line is not PyStr ls)
                    throw Error($"iterator should return strings, not {line.Type.Name} (the file should be opened in text mode)");
                LineNum++;
                var s = ls.Value;
                for (int i = 0; i < s.Length; i++)
                {
                    int c = s[i];
                    if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { c = char.ConvertToUtf32(s[i], s[i + 1]); i++; }
                    Process(c);
                }
                Process(Eol);
            } while (_state != PState.StartRecord);
            var r = _fields;
            _fields = new PyList();
            return r;
        }

        private void Add(int c)
        {
            if (_field.Length >= _st.FieldLimit) throw Error($"field larger than field limit ({_st.FieldLimit})");
            if (c > 0xffff) _field.Append(char.ConvertFromUtf32(c)); else _field.Append((char)c);
        }

        private void SaveField()
        {
            var text = _field.ToString();
            _field.Clear();
            if (_numeric)
            {
                _numeric = false;
                _fields.Append(new PyFloat(TypeMethods.ParseFloat(text)));
            }
            else _fields.Append(PyStr.Of(text));
        }

        private static bool IsNl(int c) => c == '\n' || c == '\r';

        private void Process(int c)
        {
            var d = D;
            switch (_state)
            {
                case PState.StartRecord:
                    if (c == Eol) return;
                    if (IsNl(c)) { _state = PState.EatCrnl; return; }
                    _state = PState.StartField;
                    goto case PState.StartField;
                case PState.StartField:
                    if (IsNl(c) || c == Eol) { SaveField(); _state = c == Eol ? PState.StartRecord : PState.EatCrnl; }
                    else if (c == d.QuoteChar && d.Quoting != QuoteNone) _state = PState.InQuotedField;
                    else if (c == d.EscapeChar) _state = PState.EscapedChar;
                    else if (c == ' ' && d.SkipInitialSpace) { }
                    else if (c == d.Delimiter) SaveField();
                    else
                    {
                        if (d.Quoting == QuoteNonNumeric) _numeric = true;
                        Add(c);
                        _state = PState.InField;
                    }
                    return;
                case PState.EscapedChar:
                    if (IsNl(c)) { Add(c); _state = PState.AfterEscapedCrnl; return; }
                    if (c == Eol) c = '\n';
                    Add(c);
                    _state = PState.InField;
                    return;
                case PState.AfterEscapedCrnl:
                    if (c == Eol) return;
                    goto case PState.InField;
                case PState.InField:
                    if (IsNl(c) || c == Eol) { SaveField(); _state = c == Eol ? PState.StartRecord : PState.EatCrnl; }
                    else if (c == d.EscapeChar) _state = PState.EscapedChar;
                    else if (c == d.Delimiter) { SaveField(); _state = PState.StartField; }
                    else Add(c);
                    return;
                case PState.InQuotedField:
                    if (c == Eol) { }
                    else if (c == d.EscapeChar) _state = PState.EscapeInQuotedField;
                    else if (c == d.QuoteChar && d.Quoting != QuoteNone) _state = d.DoubleQuote ? PState.QuoteInQuotedField : PState.InField;
                    else Add(c);
                    return;
                case PState.EscapeInQuotedField:
                    if (c == Eol) c = '\n';
                    Add(c);
                    _state = PState.InQuotedField;
                    return;
                case PState.QuoteInQuotedField:
                    if (d.Quoting != QuoteNone && c == d.QuoteChar) { Add(c); _state = PState.InQuotedField; }
                    else if (c == d.Delimiter) { SaveField(); _state = PState.StartField; }
                    else if (IsNl(c) || c == Eol) { SaveField(); _state = c == Eol ? PState.StartRecord : PState.EatCrnl; }
                    else if (!d.Strict) { Add(c); _state = PState.InField; }
                    else throw Error($"'{char.ConvertFromUtf32(d.Delimiter)}' expected after '{char.ConvertFromUtf32(d.QuoteChar)}'");
                    return;
                case PState.EatCrnl:
                    if (IsNl(c)) { }
                    else if (c == Eol) _state = PState.StartRecord;
                    else throw Error("new-line character seen in unquoted field - do you need to open the file with newline=''?");
                    return;
            }
        }
    }

    private static PyType MakeReaderType()
    {
        var t = new PyType("reader", PyType.ObjectType, (cls, a, k) => throw Ops.TypeError("cannot create '_csv.reader' instances")) { ModuleName = "_csv" };
        t.SetMember("dialect", new PyProperty(new PyBuiltinFunction("dialect", (a, k) => ((Reader)a[0]).D), null, null, null));
        t.AddMethod("__iter__", (a, k) => a[0]);
        t.AddMethod("__next__", (a, k) => a[0].Next() ?? throw Ops.StopIteration());
        t.SetMember("line_num", new PyProperty(new PyBuiltinFunction("line_num", (a, k) => PyInt.Get(((Reader)a[0]).LineNum)), null, null, null));
        return t;
    }

    // ---------------- writer ----------------

    private sealed class Writer : PyObject
    {
        private readonly PyObject _write;
        public readonly Dialect D;
        private readonly StringBuilder _rec = new();

        public Writer(PyObject write, Dialect d) { _write = write; D = d; }
        public override PyType Type => WriterType;

        public PyObject WriteRow(PyObject row)
        {
            var d = D;
            PyObject it;
            try { it = Ops.GetIter(row); }
            catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.TypeErrorType))
            {
                throw Error($"iterable expected, not {row.Type.Name}");
            }
            _rec.Clear();
            int nfields = 0;
            while (Ops.Next(it) is { } field)
            {
                bool quoted = d.Quoting switch
                {
                    QuoteNonNumeric => !IsNumber(field),
                    QuoteAll => true,
                    _ => false,
                };
                string? text = field switch
                {
                    PyStr s => s.Value,
                    PyNone => null,
                    _ => Ops.Str(field),
                };
                Append(text, quoted, nfields++ == 0);
            }
            if (nfields > 0 && _rec.Length == 0)
            {
                if (d.Quoting == QuoteNone) throw Error("single empty field record must be quoted");
                Append(null, true, true);
            }
            _rec.Append(d.LineTerminator);
            return Ops.Call1(_write, PyStr.Of(_rec.ToString()));
        }

        private static bool IsNumber(PyObject o) =>
            o is PyInt or PyFloat or PyComplex || o.Type.Lookup(PyStr.S___index__) != null || o.Type.Lookup(PyStr.Intern("__float__")) != null;

        /// <summary>CPython's join_append: the field, escaped or quoted as the dialect says.</summary>
        private void Append(string? field, bool quoted, bool first)
        {
            var d = D;
            if (!first) AppendChar(d.Delimiter);
            int start = _rec.Length;
            if (field != null)
                for (int i = 0; i < field.Length; i++)
                {
                    int c = field[i];
                    if (char.IsHighSurrogate(field[i]) && i + 1 < field.Length && char.IsLowSurrogate(field[i + 1])) { c = char.ConvertToUtf32(field[i], field[i + 1]); i++; }
                    bool wantEscape = false;
                    if (c == d.Delimiter || c == d.EscapeChar || c == d.QuoteChar || (c <= 0xffff && d.LineTerminator.IndexOf((char)c) >= 0))
                    {
                        if (d.Quoting == QuoteNone) wantEscape = true;
                        else
                        {
                            if (c == d.QuoteChar)
                            {
                                if (d.DoubleQuote) AppendChar(d.QuoteChar);
                                else wantEscape = true;
                            }
                            else if (c == d.EscapeChar) wantEscape = true;
                            if (!wantEscape) quoted = true;
                        }
                        if (wantEscape)
                        {
                            if (d.EscapeChar == NotSet) throw Error("need to escape, but no escapechar set");
                            AppendChar(d.EscapeChar);
                        }
                    }
                    AppendChar(c);
                }
            if (quoted)
            {
                _rec.Insert(start, char.ConvertFromUtf32(d.QuoteChar));
                AppendChar(d.QuoteChar);
            }
        }

        private void AppendChar(int c)
        {
            if (c > 0xffff) _rec.Append(char.ConvertFromUtf32(c)); else _rec.Append((char)c);
        }
    }

    private static PyType MakeWriterType()
    {
        var t = new PyType("writer", PyType.ObjectType, (cls, a, k) => throw Ops.TypeError("cannot create '_csv.writer' instances")) { ModuleName = "_csv" };
        t.SetMember("dialect", new PyProperty(new PyBuiltinFunction("dialect", (a, k) => ((Writer)a[0]).D), null, null, null));
        t.AddMethod("writerow", (a, k) =>
        {
            ArgParser.CheckPositional("writerow", a.Slice(1), k, 1, 1);
            return ((Writer)a[0]).WriteRow(a[1]);
        });
        t.AddMethod("writerows", (a, k) =>
        {
            ArgParser.CheckPositional("writerows", a.Slice(1), k, 1, 1);
            var w = (Writer)a[0];
            var it = Ops.GetIter(a[1]);
            while (Ops.Next(it) is { } row) w.WriteRow(row);
            return PyNone.Instance;
        });
        return t;
    }
}
