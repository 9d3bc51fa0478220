using System;
using Invisible.Python.Runtime;
using Xunit;

namespace Invisible.Python.Tests;

/// <summary>The argument parser of C-level functions (Runtime/ArgParser.cs): binding and CPython 3.11's messages
/// (each expected text below is what CPython prints for the function named in the comment).</summary>
public class ArgParserTests
{
    private static readonly ArgParser IsClose = new("isclose", "a, b, *, rel_tol=1e-09, abs_tol=0.0");
    private static readonly ArgParser Split = new("split", "sep=None, maxsplit=-1");
    private static readonly ArgParser ToBytes = new("to_bytes", "length=1, byteorder='big', *, signed=False");
    private static readonly ArgParser Pow = new("pow", "x, y, /");
    private static readonly ArgParser Sqrt = new("math.sqrt", "x, /");
    private static readonly ArgParser Clear = new("list.clear", "");
    private static readonly ArgParser GetAttr = new("getattr", "object, name, default=, /");
    private static readonly ArgParser Max = new("max", "*args, key=, default=");
    private static readonly ArgParser Dict = new("dict", "*args, **kwargs");

    // The type objects the parser's conversions read (int, str, ...) are made with the first interpreter: make one,
    // whichever test class runs first.
    static ArgParserTests() => _ = new PythonEngine(System.IO.TextWriter.Null, System.IO.TextWriter.Null);

    private static PyObject I(long v) => PyInt.Get(v);
    private static PyStr[] K(params string[] names) => Array.ConvertAll(names, n => PyStr.Of(n));

    private static string Error(ArgParser p, PyObject[] args, PyStr[]? kw = null)
    {
        var e = Assert.Throws<PyException>(() => { p.Parse(args, kw); });
        Assert.Equal("TypeError", e.Value.Type.Name);
        return Ops.Str(e.Value);
    }

    [Fact]
    public void BindsPositionalAndKeywords()
    {
        var a = IsClose.Parse(new PyObject[] { I(1), I(2), I(3) }, K("abs_tol"));
        Assert.Equal(1, a.Ssize(0));
        Assert.Equal(2, a.Ssize(1));
        Assert.Null(a[2]);
        Assert.Equal(1e-9, a.Double(2, 1e-9));
        Assert.Equal(3.0, a.Double(3));
        var b = IsClose.Parse(new PyObject[] { I(5), I(6) }, K("b", "a"));
        Assert.Equal(6, b.Ssize(0));
        Assert.Equal(5, b.Ssize(1));
        var s = Split.Parse(Array.Empty<PyObject>(), null);
        Assert.Equal(-1, s.Ssize(1, -1));
        Assert.Null(s.StrOrNone(0));
    }

    [Fact]
    public void KeywordStyleMessages()
    {
        Assert.Equal("isclose() missing required argument 'b' (pos 2)", Error(IsClose, new PyObject[] { I(1) }));
        Assert.Equal("isclose() missing required argument 'a' (pos 1)", Error(IsClose, Array.Empty<PyObject>()));
        Assert.Equal("isclose() takes exactly 2 positional arguments (3 given)", Error(IsClose, new PyObject[] { I(1), I(2), I(3) }));
        Assert.Equal("isclose() takes at most 4 arguments (5 given)", Error(IsClose, new PyObject[] { I(1), I(2), I(3), I(4), I(5) }, K("rel_tol", "abs_tol", "x")));
        Assert.Equal("'c' is an invalid keyword argument for isclose()", Error(IsClose, new PyObject[] { I(1), I(2), I(3) }, K("c")));
        Assert.Equal("argument for isclose() given by name ('a') and position (1)", Error(IsClose, new PyObject[] { I(1), I(2), I(3) }, K("a")));
        Assert.Equal("split() takes at most 2 arguments (3 given)", Error(Split, new PyObject[] { I(1), I(2), I(3) }));
        Assert.Equal("split() takes at most 2 keyword arguments (3 given)", Error(Split, new PyObject[] { I(1), I(2), I(3) }, K("sep", "a", "b")));
        Assert.Equal("'sepx' is an invalid keyword argument for split()", Error(Split, new PyObject[] { I(1) }, K("sepx")));
        Assert.Equal("argument for split() given by name ('sep') and position (1)", Error(Split, new PyObject[] { I(1), I(2) }, K("sep")));
        Assert.Equal("to_bytes() takes at most 2 positional arguments (3 given)", Error(ToBytes, new PyObject[] { I(1), PyStr.Of("big"), I(3) }));
    }

    [Fact]
    public void PositionalStyleMessages()
    {
        Assert.Equal("pow expected 2 arguments, got 1", Error(Pow, new PyObject[] { I(1) }));
        Assert.Equal("pow expected 2 arguments, got 3", Error(Pow, new PyObject[] { I(1), I(2), I(3) }));
        Assert.Equal("pow() takes no keyword arguments", Error(Pow, new PyObject[] { I(1), I(2) }, K("y")));
        Assert.Equal("getattr expected at least 2 arguments, got 1", Error(GetAttr, new PyObject[] { I(1) }));
        Assert.Equal("getattr expected at most 3 arguments, got 4", Error(GetAttr, new PyObject[] { I(1), I(2), I(3), I(4) }));
        Assert.Equal("math.sqrt() takes exactly one argument (2 given)", Error(Sqrt, new PyObject[] { I(1), I(2) }));
        Assert.Equal("math.sqrt() takes exactly one argument (0 given)", Error(Sqrt, Array.Empty<PyObject>()));
        Assert.Equal("math.sqrt() takes no keyword arguments", Error(Sqrt, new PyObject[] { I(1) }, K("x")));
        Assert.Equal("list.clear() takes no arguments (1 given)", Error(Clear, new PyObject[] { I(1) }));
    }

    [Fact]
    public void VarArgsAndVarKeywords()
    {
        var m = Max.Parse(new PyObject[] { I(1), I(2), I(3), I(9) }, K("default"));
        Assert.Equal(3, m.VarArgs.Length);
        Assert.Equal(9, m.Ssize(1));
        Assert.Null(m[0]);
        var d = Dict.Parse(new PyObject[] { I(1), I(2), I(3) }, K("x", "y"));
        Assert.Equal(1, d.VarArgs.Length);
        Assert.Equal(2, d.KwArgs!.Count);
        Assert.Equal("'x' is an invalid keyword argument for max()", Error(Max, new PyObject[] { I(1), I(2) }, K("x")));
    }

    [Fact]
    public void ConversionMessages()
    {
        var e = Assert.Throws<PyException>(() => Split.Parse(new PyObject[] { PyStr.Of("x"), new PyFloat(1.5) }, null).Ssize(1));
        Assert.Equal("'float' object cannot be interpreted as an integer", Ops.Str(e.Value));
        var big = PyInt.Get(System.Numerics.BigInteger.Pow(10, 30));
        var o = Assert.Throws<PyException>(() => Split.Parse(new PyObject[] { PyStr.Of("x"), big }, null).Ssize(1));
        Assert.Equal("OverflowError", o.Value.Type.Name);
        Assert.Equal("Python int too large to convert to C ssize_t", Ops.Str(o.Value));
        var s = Assert.Throws<PyException>(() => Split.Parse(new PyObject[] { I(1) }, null).Str(0));
        Assert.Equal("split() argument 'sep' must be str, not int", Ops.Str(s.Value));
        var one = Assert.Throws<PyException>(() => Sqrt.Parse(new PyObject[] { I(1) }, null).Str(0));
        Assert.Equal("sqrt() argument must be str, not int", Ops.Str(one.Value));
        var pos = Assert.Throws<PyException>(() => Pow.Parse(new PyObject[] { I(1), I(2) }, null).Str(1));
        Assert.Equal("pow() argument 2 must be str, not int", Ops.Str(pos.Value));
        var d = Assert.Throws<PyException>(() => IsClose.Parse(new PyObject[] { PyStr.Of("a"), I(2) }, null).Double(0));
        Assert.Equal("must be real number, not str", Ops.Str(d.Value));
    }
}
