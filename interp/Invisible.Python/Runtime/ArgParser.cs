using System;
using Invisible.Python.Builtins;

namespace Invisible.Python.Runtime;

/// <summary>
/// Argument parsing for C-level functions and methods (what CPython's <c>Python/getargs.c</c> and Argument Clinic's
/// generated code do): positional-only, positional-or-keyword and keyword-only parameters, optional ones,
/// <c>*args</c> and <c>**kwargs</c>, and CPython 3.11's exact TypeError texts.
///
/// A parser is built once per function from a signature written as in a <c>def</c> (parsed at start-up, never per
/// call) and kept in a <c>static readonly</c> field: it is immutable and shared by every interpreter. A trailing
/// <c>=</c> marks an optional parameter; the caller supplies the default where it reads the value (the text after
/// <c>=</c>, if any, is documentation only and is not evaluated).
/// <code>
/// static readonly ArgParser IsClose = new("isclose", "a, b, /, *, rel_tol=1e-09, abs_tol=0.0");
/// m.AddFn("isclose", (a, k) =>
/// {
///     var args = IsClose.Parse(a, k);                   // TypeError with CPython's text on a bad call
///     double x = args.Double(0), y = args.Double(1);    // "must be real number, not str"
///     double rel = args.Double(2, 1e-9), abs = args.Double(3, 0.0);
///     ...
/// });
/// // a method: the bound self is args[0], parse the rest (keyword values stay at the end of the span)
/// var args = Split.Parse(a.Slice(1), k);
/// </code>
/// Calling conventions and their messages (the style is chosen from the signature, as CPython's METH_ flags are):
/// <list type="bullet">
/// <item><c>""</c> (no parameters, METH_NOARGS): "math.f() takes no arguments (1 given)" — name as given, e.g.
/// <c>"list.clear"</c>.</item>
/// <item><c>"x, /"</c> (one positional-only, METH_O): "math.sqrt() takes exactly one argument (2 given)".</item>
/// <item>only positional-only parameters otherwise (<c>_PyArg_CheckPositional</c>): "pow expected 2 arguments, got 1",
/// "getattr expected at least 2 arguments, got 1"; keywords given: "divmod() takes no keyword arguments".</item>
/// <item>any keyword-capable parameter (<c>_PyArg_UnpackKeywords</c>): "split() takes at most 2 arguments (3 given)",
/// "isclose() takes exactly 2 positional arguments (3 given)", "isclose() missing required argument 'b' (pos 2)",
/// "'x' is an invalid keyword argument for split()", "argument for split() given by name ('sep') and position (1)".</item>
/// </list>
/// The fast path (positional arguments only, count in range, no <c>*args</c>) allocates nothing: the parsed
/// <see cref="Args"/> reads the caller's span directly.
/// </summary>
public sealed class ArgParser
{
    /// <summary>The name in messages of the keyword and positional styles (the part after the last dot).</summary>
    public readonly string Name;
    /// <summary>The name as given (e.g. "math.sqrt", "list.append"): messages of the no-argument and one-argument styles.</summary>
    public readonly string QualName;
    private readonly PyStr[] _names;      // every named parameter, in order (positional first, then keyword-only)
    private readonly int _posOnly;        // parameters before '/'
    private readonly int _maxPos;         // parameters that may be given by position
    private readonly int _minPos;         // required positional parameters (they precede the optional ones)
    private readonly int _minKw;          // required keyword-only parameters
    private readonly bool _varArgs, _varKw;
    private readonly bool[] _required;
    private readonly Style _style;

    private enum Style : byte { NoArgs, One, Positional, Keywords }

    public ArgParser(string name, string signature)
    {
        QualName = name;
        int dot = name.LastIndexOf('.');
        Name = dot >= 0 ? name.Substring(dot + 1) : name;
        var names = new System.Collections.Generic.List<PyStr>();
        var required = new System.Collections.Generic.List<bool>();
        int posOnly = 0;
        bool kwOnly = false, seenOptional = false;
        foreach (var raw in signature.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (raw == "/")
            {
                if (kwOnly || posOnly > 0) throw new ArgumentException($"{name}: misplaced '/' in signature");
                posOnly = names.Count;
                continue;
            }
            if (raw == "*") { kwOnly = true; continue; }
            if (raw.StartsWith("**", StringComparison.Ordinal)) { _varKw = true; continue; }
            if (raw[0] == '*') { _varArgs = true; kwOnly = true; continue; }
            if (_varKw) throw new ArgumentException($"{name}: parameter after **kwargs");
            int eq = raw.IndexOf('=');
            bool optional = eq >= 0;
            string pname = optional ? raw.Substring(0, eq).Trim() : raw;
            if (!kwOnly)
            {
                if (!optional && seenOptional) throw new ArgumentException($"{name}: required parameter '{pname}' after an optional one");
                seenOptional |= optional;
                _maxPos++;
                if (!optional) _minPos++;
            }
            else if (!optional) _minKw++;
            names.Add(PyStr.Intern(pname));
            required.Add(!optional);
        }
        _names = names.ToArray();
        _required = required.ToArray();
        _posOnly = posOnly;
        if (_names.Length == _posOnly && !_varKw)
            _style = _names.Length == 0 && !_varArgs ? Style.NoArgs
                   : _names.Length == 1 && _minPos == 1 && !_varArgs ? Style.One
                   : Style.Positional;
        else _style = Style.Keywords;
    }

    /// <summary>Bind <paramref name="args"/> (keyword values last, named by <paramref name="kwnames"/>) to the
    /// parameters, or throw CPython's TypeError.</summary>
    public Args Parse(ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
    {
        int nkw = kwnames?.Length ?? 0;
        int nargs = args.Length - nkw;
        if (nkw == 0 && _minKw == 0 && nargs >= _minPos && nargs <= _maxPos)
            return new Args(this, args, null, nargs, default, null);   // fast path: nothing to move
        return _style switch
        {
            Style.Keywords => ParseKeywords(args, kwnames, nargs),
            _ => ParsePositional(args, nkw, nargs),
        };
    }

    private Args ParsePositional(ReadOnlySpan<PyObject> args, int nkw, int nargs)
    {
        if (_style == Style.NoArgs)
        {
            if (nkw > 0) throw Ops.TypeError($"{QualName}() takes no keyword arguments");
            throw Ops.TypeError($"{QualName}() takes no arguments ({nargs} given)");
        }
        if (_style == Style.One)
        {
            if (nkw > 0) throw Ops.TypeError($"{QualName}() takes no keyword arguments");
            throw Ops.TypeError($"{QualName}() takes exactly one argument ({nargs} given)");
        }
        if (nkw > 0) throw Ops.TypeError($"{Name}() takes no keyword arguments");
        int max = _varArgs ? int.MaxValue : _maxPos;
        if (nargs < _minPos)
            throw Ops.TypeError($"{Name} expected {(_minPos == max ? "" : "at least ")}{_minPos} argument{(_minPos == 1 ? "" : "s")}, got {nargs}");
        if (nargs > max)
            throw Ops.TypeError($"{Name} expected {(_minPos == max ? "" : "at most ")}{max} argument{(max == 1 ? "" : "s")}, got {nargs}");
        // *args with enough positionals (the fast path above excludes it only because nargs > _maxPos)
        return new Args(this, args, null, Math.Min(nargs, _maxPos), args.Slice(_maxPos, nargs - _maxPos), null);
    }

    private Args ParseKeywords(ReadOnlySpan<PyObject> args, PyStr[]? kwnames, int nargs)
    {
        int nkw = kwnames?.Length ?? 0;
        int maxArgs = _names.Length;
        if (!_varArgs && !_varKw && nargs + nkw > maxArgs)
            throw Ops.TypeError($"{Name}() takes at most {maxArgs} {(nargs == 0 ? "keyword " : "")}argument{(maxArgs == 1 ? "" : "s")} ({nargs + nkw} given)");
        if (nargs > _maxPos && !_varArgs)
        {
            if (_maxPos == 0) throw Ops.TypeError($"{Name}() takes no positional arguments");
            throw Ops.TypeError($"{Name}() takes {(_minPos < _maxPos ? "at most" : "exactly")} {_maxPos} positional argument{(_maxPos == 1 ? "" : "s")} ({nargs} given)");
        }
        int minPosOnly = Math.Min(_posOnly, _minPos);
        if (nargs < minPosOnly)
            throw Ops.TypeError($"{Name}() takes {(_varArgs || minPosOnly < _maxPos ? "at least" : "exactly")} {minPosOnly} positional argument{(minPosOnly == 1 ? "" : "s")} ({nargs} given)");

        var buf = new PyObject?[maxArgs];
        int npos = Math.Min(nargs, _maxPos);
        for (int i = 0; i < npos; i++) buf[i] = args[i];
        ReadOnlySpan<PyObject> varArgs = nargs > _maxPos ? args.Slice(_maxPos, nargs - _maxPos) : default;
        PyDict? kwargs = _varKw ? new PyDict() : null;
        int dupIdx = int.MaxValue, unknown = -1;   // reported after missing arguments, in CPython's order
        for (int j = 0; j < nkw; j++)
        {
            var key = kwnames![j];
            int idx = IndexOfKeyword(key);
            if (idx < 0)
            {
                if (kwargs != null) kwargs.SetItem(key, args[nargs + j]);
                else if (unknown < 0) unknown = j;
                continue;
            }
            if (idx < npos) { dupIdx = Math.Min(dupIdx, idx); continue; }
            buf[idx] = args[nargs + j];
        }
        for (int i = npos; i < maxArgs; i++)
            if (buf[i] == null && _required[i])
                throw Ops.TypeError($"{Name}() missing required argument '{_names[i].Value}' (pos {i + 1})");
        if (dupIdx != int.MaxValue)
            throw Ops.TypeError($"argument for {Name}() given by name ('{_names[dupIdx].Value}') and position ({dupIdx + 1})");
        if (unknown >= 0)
        {
            // CPython says "invalid keyword" for the name of a positional-only parameter too
            var key = kwnames![unknown];
            throw Ops.TypeError($"'{key.Value}' is an invalid keyword argument for {Name}()");
        }
        return new Args(this, default, buf, npos, varArgs, kwargs);
    }

    private int IndexOfKeyword(PyStr key)
    {
        var names = _names;
        for (int i = _posOnly; i < names.Length; i++)
            if (ReferenceEquals(names[i], key)) return i;
        for (int i = _posOnly; i < names.Length; i++)
            if (names[i].Value == key.Value) return i;
        return -1;
    }

    /// <summary>How parameter <paramref name="i"/> is named in a "must be str, not int" message: CPython's
    /// "argument 'name'" when it may be given by keyword, else "argument N".</summary>
    internal string DisplayName(int i) =>
        _style == Style.One ? "argument" : i < _posOnly || i >= _names.Length ? $"argument {i + 1}" : $"argument '{_names[i].Value}'";

    // ---------------- one-off checks for hand-written functions (no parser object) ----------------

    /// <summary>CPython's <c>_PyArg_NoKwnames</c>: "f() takes no keyword arguments".</summary>
    public static void NoKeywords(string name, PyStr[]? kwnames)
    {
        if (kwnames != null && kwnames.Length > 0) throw Ops.TypeError($"{name}() takes no keyword arguments");
    }

    /// <summary>METH_NOARGS: "sys.exc_info() takes no arguments (1 given)" (keywords: "... takes no keyword arguments").</summary>
    public static void NoArgs(string qualName, ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
    {
        if (args.Length == 0) return;
        if (kwnames != null && kwnames.Length > 0) throw Ops.TypeError($"{qualName}() takes no keyword arguments");
        throw Ops.TypeError($"{qualName}() takes no arguments ({args.Length} given)");
    }

    /// <summary>CPython's <c>_PyArg_CheckPositional</c>: "f expected 2 arguments, got 1" (keywords refused first).</summary>
    public static void CheckPositional(string name, ReadOnlySpan<PyObject> args, PyStr[]? kwnames, int min, int max)
    {
        NoKeywords(name, kwnames);
        int n = args.Length;
        if (n < min)
            throw Ops.TypeError($"{name} expected {(min == max ? "" : "at least ")}{min} argument{(min == 1 ? "" : "s")}, got {n}");
        if (n > max)
            throw Ops.TypeError($"{name} expected {(min == max ? "" : "at most ")}{max} argument{(max == 1 ? "" : "s")}, got {n}");
    }

    // ---------------- conversions with CPython's messages (getargs.c's format units) ----------------

    /// <summary>Format 'n' (Py_ssize_t) and 'i' through <c>__index__</c>: "'float' object cannot be interpreted as an
    /// integer"; too big: "Python int too large to convert to C ssize_t".</summary>
    public static long ToSsize(PyObject o)
    {
        var i = o as PyInt ?? (PyInt)Ops.Index(o);
        if (i.IsBig) throw Ops.OverflowError("Python int too large to convert to C ssize_t");
        return i.V;
    }

    /// <summary>Argument Clinic's int converter (<c>_PyLong_AsInt</c>): "Python int too large to convert to C int".</summary>
    public static int ToCInt(PyObject o)
    {
        if (o is PyFloat) throw Ops.TypeError("'float' object cannot be interpreted as an integer");
        var i = o as PyInt ?? (PyInt)Ops.Index(o);
        if (i.IsBig || i.V > int.MaxValue || i.V < int.MinValue) throw Ops.OverflowError("Python int too large to convert to C int");
        return (int)i.V;
    }

    /// <summary>Format 'd': "must be real number, not str".</summary>
    public static double ToDouble(PyObject o) => o is PyFloat f ? f.V : TypeMethods.ToDouble(o);
}

/// <summary>The arguments of one call as bound by an <see cref="ArgParser"/>: <c>args[i]</c> is parameter i (null
/// when an optional one was not given), with typed readers that raise CPython's conversion errors.</summary>
public readonly ref struct Args
{
    private readonly ArgParser _parser;
    private readonly ReadOnlySpan<PyObject> _direct;   // fast path: the caller's positional arguments
    private readonly PyObject?[]? _slots;               // slow path: one slot per parameter
    /// <summary>How many parameters were given by position (not counting <see cref="VarArgs"/>).</summary>
    public readonly int PositionalCount;
    /// <summary>Extra positional arguments (<c>*args</c>); empty when none or the signature has no <c>*args</c>.</summary>
    public readonly ReadOnlySpan<PyObject> VarArgs;
    /// <summary>Unknown keywords (<c>**kwargs</c>); null when the signature has none or no keyword was given.</summary>
    public readonly PyDict? KwArgs;

    internal Args(ArgParser parser, ReadOnlySpan<PyObject> direct, PyObject?[]? slots, int npos, ReadOnlySpan<PyObject> varArgs, PyDict? kwArgs)
    {
        _parser = parser; _direct = direct; _slots = slots; PositionalCount = npos; VarArgs = varArgs; KwArgs = kwArgs;
    }

    /// <summary>Parameter <paramref name="i"/>, or null when it was optional and not given.</summary>
    public PyObject? this[int i] => _slots != null ? (i < _slots.Length ? _slots[i] : null) : (i < PositionalCount ? _direct[i] : null);

    public bool Has(int i) => this[i] != null;

    /// <summary>Parameter <paramref name="i"/> (required, or given), else <paramref name="dflt"/>.</summary>
    public PyObject Get(int i, PyObject dflt) => this[i] ?? dflt;
    public PyObject Get(int i) => this[i] ?? PyNone.Instance;

    /// <summary>Format 'n': an index-sized integer through <c>__index__</c>.</summary>
    public long Ssize(int i, long dflt = 0) => this[i] is { } o ? ArgParser.ToSsize(o) : dflt;

    /// <summary>Format 'i': a C int.</summary>
    public int Int(int i, int dflt = 0) => this[i] is { } o ? ArgParser.ToCInt(o) : dflt;

    /// <summary>Format 'd': a C double through <c>__float__</c>/<c>__index__</c>.</summary>
    public double Double(int i, double dflt = 0) => this[i] is { } o ? ArgParser.ToDouble(o) : dflt;

    /// <summary>Format 'p': the truth value.</summary>
    public bool Bool(int i, bool dflt = false) => this[i] is { } o ? Ops.IsTrue(o) : dflt;

    /// <summary>Format 'U': a str, else "f() argument 'name' must be str, not int".</summary>
    public string Str(int i, string? dflt = null)
    {
        var o = this[i];
        if (o == null) return dflt ?? throw new InvalidOperationException("required str parameter not bound");
        if (o is PyStr s) return s.Value;
        throw BadArgument(i, "str", o);
    }

    /// <summary>Like <see cref="Str"/> but None gives null (format 'z').</summary>
    public string? StrOrNone(int i)
    {
        var o = this[i];
        if (o == null || o == PyNone.Instance) return null;
        if (o is PyStr s) return s.Value;
        throw BadArgument(i, "str or None", o);
    }

    /// <summary>CPython's <c>_PyArg_BadArgument</c>: "f() argument 'name' must be EXPECTED, not TYPE".</summary>
    public PyException BadArgument(int i, string expected, PyObject got) =>
        Ops.TypeError($"{_parser.Name}() {_parser.DisplayName(i)} must be {expected}, not {(got == PyNone.Instance ? "None" : got.Type.Name)}");
}
