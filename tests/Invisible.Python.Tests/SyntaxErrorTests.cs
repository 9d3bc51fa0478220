using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace Invisible.Python.Tests;

/// <summary>Syntax errors print exactly as CPython 3.11 prints them (message, line, caret range).
/// The corpus compares only the last stderr line; these compare the whole report. Expected texts were
/// produced by CPython 3.11 for a file named p.py.</summary>
public class SyntaxErrorTests
{
    public static IEnumerable<object[]> Cases() => new[]
    {
        new object[] { "f(1 2)\n", "  File \"p.py\", line 1\n    f(1 2)\n      ^^^\nSyntaxError: invalid syntax. Perhaps you forgot a comma?\n" },
        new object[] { "print(1, 2 3)\n", "  File \"p.py\", line 1\n    print(1, 2 3)\n             ^^^\nSyntaxError: invalid syntax. Perhaps you forgot a comma?\n" },
        new object[] { "x = [1, 2\n     3 4]\n", "  File \"p.py\", line 1\n    x = [1, 2\n            ^\nSyntaxError: invalid syntax. Perhaps you forgot a comma?\n" },
        new object[] { "d = {\"a\" 1}\n", "  File \"p.py\", line 1\n    d = {\"a\" 1}\n         ^^^^^\nSyntaxError: invalid syntax. Perhaps you forgot a comma?\n" },
        new object[] { "f(a + b c)\n", "  File \"p.py\", line 1\n    f(a + b c)\n      ^^^^^^^\nSyntaxError: invalid syntax. Perhaps you forgot a comma?\n" },
        new object[] { "f(x=1 2)\n", "  File \"p.py\", line 1\n    f(x=1 2)\n        ^^^\nSyntaxError: invalid syntax. Perhaps you forgot a comma?\n" },
        new object[] { "f(*a b)\n", "  File \"p.py\", line 1\n    f(*a b)\n       ^^^\nSyntaxError: invalid syntax. Perhaps you forgot a comma?\n" },
        new object[] { "f(1 if x else 2 3)\n", "  File \"p.py\", line 1\n    f(1 if x else 2 3)\n                  ^^^\nSyntaxError: invalid syntax. Perhaps you forgot a comma?\n" },
        new object[] { "f(x \"y\")\n", "  File \"p.py\", line 1\n    f(x \"y\")\n        ^^^\nSyntaxError: invalid syntax\n" },
        new object[] { "f(match 1)\n", "  File \"p.py\", line 1\n    f(match 1)\n            ^\nSyntaxError: invalid syntax\n" },
        new object[] { "[x for x in y z]\n", "  File \"p.py\", line 1\n    [x for x in y z]\n                  ^\nSyntaxError: invalid syntax\n" },
        new object[] { "def f(\n  a b):\n  pass\n", "  File \"p.py\", line 2\n    a b):\n      ^\nSyntaxError: invalid syntax\n" },
        new object[] { "print \"hello\"\n", "  File \"p.py\", line 1\n    print \"hello\"\n    ^^^^^^^^^^^^^\nSyntaxError: Missing parentheses in call to 'print'. Did you mean print(...)?\n" },
        new object[] { "exec \"x\"\n", "  File \"p.py\", line 1\n    exec \"x\"\n    ^^^^^^^^\nSyntaxError: Missing parentheses in call to 'exec'. Did you mean exec(...)?\n" },
        new object[] { "if x = 3:\n  pass\n", "  File \"p.py\", line 1\n    if x = 3:\n       ^^^^^\nSyntaxError: invalid syntax. Maybe you meant '==' or ':=' instead of '='?\n" },
        new object[] { "[x = 1]\n", "  File \"p.py\", line 1\n    [x = 1]\n     ^^^^^\nSyntaxError: invalid syntax. Maybe you meant '==' or ':=' instead of '='?\n" },
        new object[] { "while True print(1)\n", "  File \"p.py\", line 1\n    while True print(1)\n               ^^^^^\nSyntaxError: invalid syntax\n" },
        new object[] { "if True\n    pass\n", "  File \"p.py\", line 1\n    if True\n           ^\nSyntaxError: expected ':'\n" },
        new object[] { "try x:\n  pass\n", "  File \"p.py\", line 1\n    try x:\n        ^\nSyntaxError: expected ':'\n" },
        new object[] { "x = {1: 2, 3}\n", "  File \"p.py\", line 1\n    x = {1: 2, 3}\n               ^\nSyntaxError: ':' expected after dictionary key\n" },
        new object[] { "x = 1 if y\n", "  File \"p.py\", line 1\n    x = 1 if y\n        ^^^^^^\nSyntaxError: expected 'else' after 'if' expression\n" },
        new object[] { "x := 5\n", "  File \"p.py\", line 1\n    x := 5\n      ^^\nSyntaxError: invalid syntax\n" },
        new object[] { "True = 1\n", "  File \"p.py\", line 1\n    True = 1\n    ^^^^\nSyntaxError: cannot assign to True\n" },
        new object[] { "f(a=1, 2)\n", "  File \"p.py\", line 1\n    f(a=1, 2)\n            ^\nSyntaxError: positional argument follows keyword argument\n" },
        new object[] { "f(**x, *y)\n", "  File \"p.py\", line 1\n    f(**x, *y)\n           ^\nSyntaxError: iterable argument unpacking follows keyword argument unpacking\n" },
        new object[] { "x = (1, 2\ny = 3\n", "  File \"p.py\", line 1\n    x = (1, 2\n        ^\nSyntaxError: '(' was never closed\n" },
        new object[] { "foo(a, b\nbar = 1\n", "  File \"p.py\", line 1\n    foo(a, b\n       ^\nSyntaxError: '(' was never closed\n" },
        new object[] { "x = )\n", "  File \"p.py\", line 1\n    x = )\n        ^\nSyntaxError: unmatched ')'\n" },
        // CPython's tokenizer limits: the 201st open bracket, the 100th level of indentation
        new object[] { "x = " + new string('(', 201) + "1" + new string(')', 201) + "\n",
                       "  File \"p.py\", line 1\n    x = " + new string('(', 201) + "1" + new string(')', 201) + "\n" + new string(' ', 208) +
                       "^\nSyntaxError: too many nested parentheses\n" },
        new object[] { string.Concat(Enumerable.Range(0, 100).Select(i => new string(' ', i) + "if x:\n")) + new string(' ', 100) + "pass\n",
                       "  File \"p.py\", line 101\n    pass\nIndentationError: too many levels of indentation\n" },
        new object[] { "x = 1\n  y = 2\n", "  File \"p.py\", line 2\n    y = 2\nIndentationError: unexpected indent\n" },
        new object[] { "if x:\n  a\n b\n", "  File \"p.py\", line 3\n    b\n     ^\nIndentationError: unindent does not match any outer indentation level\n" },
        new object[] { "return 1 2\n", "  File \"p.py\", line 1\n    return 1 2\n             ^\nSyntaxError: invalid syntax\n" },
        new object[] { "else:\n  pass\n", "  File \"p.py\", line 1\n    else:\n    ^^^^\nSyntaxError: invalid syntax\n" },
        new object[] { "def f(x):\n    return x\nf(x for x in range(3), 1)\n", "  File \"p.py\", line 3\n    f(x for x in range(3), 1)\n      ^^^^^^^^^^^^^^^^^^^\nSyntaxError: Generator expression must be parenthesized\n" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReportMatchesCPython(string source, string expected)
    {
        var (o, e, rc) = PythonEngine.Execute(source, "p.py");
        Assert.Equal("", o);
        Assert.Equal(1, rc);
        Assert.Equal(expected, e);
    }

    [Fact]
    public void SyntaxErrorCarriesTheRange()
    {
        var (o, e, rc) = PythonEngine.Execute("try:\n    compile('f(1 2)\\n', 'm', 'exec')\nexcept SyntaxError as x:\n    print(x.msg, x.lineno, x.offset, x.end_lineno, x.end_offset)\n", "q.py");
        Assert.Equal("invalid syntax. Perhaps you forgot a comma? 1 3 1 6\n", o);
        Assert.Equal(0, rc);
    }
}
