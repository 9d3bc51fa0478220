using Xunit;

namespace Invisible.DwarfPython.Tests;

/// <summary>DwarfPython against a fixture library described only by its DWARF (no wrapper code).</summary>
public class FixtureLibraryTests
{
    [Fact]
    public void GlobalsReadWriteInPlace()
    {
        Assert.Equal("7 100 0.5 fixture {x = 1, y = 2} 2\n8 9\n",
            Fixture.Out("fx.counter = 7\nprint(fx.counter, fx.limit, fx.ratio, str(fx.label), fx.origin, fx.favourite)\nfx.counter += 1\nfx.origin.x = 9\nprint(fx.counter, fx.origin.x)"));
        Assert.Equal("TypeError: cannot assign to 'limit': it is const", Fixture.Error("fx.limit = 3"));
    }

    [Fact]
    public void StructsByValueAndByPointer()
    {
        Assert.Equal("{x = 3, y = 4} 7\n{x = 6, y = 8} 6\n",
            Fixture.Out("p = fx.make_point(3, 4)\nprint(p, fx.point_sum(p))\nfx.point_scale(p, 2)\nprint(p, p.x)"));
        Assert.Equal("{a = 5, b = 2}\n", Fixture.Out("q = fx.struct.pair(2.5, 5)\nprint(fx.swap_pair(q))"));
        Assert.Equal("24 {lo = {x = 1, y = 2}, hi = {x = 5, y = 8}, name = 0x0}\n",
            Fixture.Out("r = fx.struct.rect()\nr.lo.x = 1; r.lo.y = 2\nr.hi = {'x': 5, 'y': 8}\nprint(fx.area(r), r)"));
    }

    [Fact]
    public void NestedStructIsALiveReference()
    {
        Assert.Equal("7 7\n", Fixture.Out("r = fx.struct.rect()\nlo = r.lo\nlo.y = 7\nprint(r.lo.y, lo.y)"));
    }

    [Fact]
    public void UnionsAndBitfields()
    {
        Assert.Equal("1065353216 {i = 1065353216, f = 1, bytes = \"\\000\\000\\200?\"}\n",
            Fixture.Out("u = fx.union.number()\nu.f = 1.0\nprint(fx.union_int(u), u)"));
        Assert.Equal("1 5 -3 BLUE True {ready = 1, mode = 5, delta = -3, col = BLUE} 1243\n",
            Fixture.Out("f = fx.struct.flags()\nf.ready = 1\nf.mode = 5\nf.delta = -3\nf.col = 'BLUE'\nprint(f.ready, f.mode, f.delta, fx.enum.color.BLUE == f.col and 'BLUE', f.col == 4, f, fx.flags_word(f))"));
        Assert.Equal("OverflowError: struct flags.delta: 8 out of range for int", Fixture.Error("f = fx.struct.flags()\nf.delta = 8"));
        Assert.Equal("0\n", Fixture.Out("f = fx.struct.flags()\nf.mode = 8\nprint(f.mode)"));
    }

    [Fact]
    public void IntegersConvertAsC()
    {
        Assert.Equal("255 -1 4294967295\n", Fixture.Out("a = fx.struct.flags()\nu = c.unsigned_char(255) if False else None\nx = process.cast(process.string('ab'), 'unsigned char')\nx.value = 511\nfx.counter = -1\nimport c\nl = c.struct.stat()\nl.st_uid = -1\nprint(x.value, fx.counter, l.st_uid)"));
        Assert.Equal("OverflowError: int.counter: 2147483648 out of range for int", Fixture.Error("fx.counter = 2**31").Replace("dpfix.", "int."));
    }

    [Fact]
    public void EnumsByNameOrValue()
    {
        Assert.Equal("green blue 4 2\n", Fixture.Out("print(str(fx.color_name(2)), str(fx.color_name('BLUE')), fx.BLUE, fx.enum.color.GREEN)"));
    }

    [Fact]
    public void FunctionPointersAndCallbacks()
    {
        Assert.Equal("12 35 42\n", Fixture.Out("print(fx.apply(fx.add, 5, 7), fx.apply(fx.mul, 5, 7), fx.apply(lambda a, b: a * 10 + b, 4, 2))"));
        Assert.Equal("[3, 4] 2\n", Fixture.Out("seen = []\nn = fx.call_twice(seen.append, 3)\nprint(seen, n)"));
    }

    [Fact]
    public void LinkedStructuresFollowPointers()
    {
        Assert.Equal("6 3 2 1 None\n(struct node *) 0x",
            Fixture.Out("fx.push(1); fx.push(2); fx.push(3)\nh = fx.list_head\nprint(fx.list_sum(h), h.value, h.next.value, h.next.next.value, h.next.next.next)\nprint(repr(h)[:18], end='')"));
    }

    [Fact]
    public void OutputParametersArraysAndStrings()
    {
        Assert.Equal("3 2 2.5 3 [1.0, 2.0, 4.5]\n",
            Fixture.Out("q = process.typeof(fx.origin.x)\nqq = fx.int()\nr = fx.int()\nfx.divide(17, 5, qq, r)\nxs = fx.double[3]([1, 2, 4.5])\nprint(qq.value, r.value, fx.average(xs, 2) + 1, len(xs), list(xs))"));
        Assert.Equal("fixture b'fixture' 16\n", Fixture.Out("print(str(fx.label), bytes(fx.color_name(0)).replace(b'red', b'fixture'), len(fx.label))"));
    }

    [Fact]
    public void WrongArgumentsRaiseTypeErrorNamingTheParameter()
    {
        Assert.Equal("TypeError: add() takes 2 arguments (1 given)", Fixture.Error("fx.add(1)"));
        Assert.Equal("TypeError: argument 2 (b): expected an integer, got str", Fixture.Error("fx.add(1, 'x')"));
        Assert.Equal("TypeError: argument 1 (p): expected struct point *, got struct pair", Fixture.Error("fx.point_scale(fx.struct.pair(), 2)"));
    }

    [Fact]
    public void TiedAttributesOnNativeObjects()
    {
        Assert.Equal("hello {x = 1, y = 2}\n", Fixture.Out("p = fx.struct.point(1, 2)\np.note = 'hello'\nprint(p.note, p)"));
    }

    [Fact]
    public void BadAddressesRaiseInsteadOfCrashing()
    {
        Assert.Equal("process.FaultError: Cannot access memory at address 0x18 (8 bytes)".Replace("process.", ""),
            Fixture.Error("p = process.cast(16, 'struct node *')\nprint(p.next)").Replace("process.", ""));
        Assert.Equal("FaultError: Cannot write memory at address 0x10 (4 bytes)",
            Fixture.Error("p = process.cast(16, 'struct node *')\np.value = 1").Replace("process.", ""));
    }

    [Fact]
    public void ConstWritesRefusedUnlessForced()
    {
        Assert.Equal("TypeError: cannot assign through a pointer to const (use process.force(ptr))",
            Fixture.Error("import c\ns = process.cast(process.string('abc'), 'const char *')\ns[0] = 65"));
        Assert.Equal("Abc\n", Fixture.Out("s = process.string('abc')\np = process.cast(s, 'const char *')\nprocess.force(p)[0] = 65\nprint(str(s))"));
    }

    [Fact]
    public void LibcVariadicAndQsort()
    {
        Assert.Equal("[1, 2, 5, 9]\n",
            Fixture.Out("import c\nxs = fx.int[4]([5, 1, 9, 2])\ndef cmp(a, b):\n    x = process.cast(a, 'int *')[0]; y = process.cast(b, 'int *')[0]\n    return (x > y) - (x < y)\nc.qsort(xs, 4, 4, cmp)\nprint(list(xs))"));
        Assert.Equal("7\n", Fixture.Out("import c\nbuf = c.char[32]()\nn = c.snprintf(buf, 32, '%d-%s', 42, 'abcd')\nprint(n)"));
    }

    [Fact]
    public void ElfOnlyFunctionWithSignatureString()
    {
        Assert.Equal("5\n", Fixture.Out("import c\nf = process.cfunc(c.strlen, 'size_t(const char *)')\nprint(f('hello'))"));
    }
}
