using System;
using System.Text;
using Invisible.Abi.Ffi;
using Xunit;

namespace Invisible.Abi.Tests;

/// <summary>Calls into fixtures/ffi_fixture.c with signatures from its DWARF: scalars of every width, enums,
/// floats and long double, strings, structs and unions by value, bitfields, packed structs, variadics.</summary>
public sealed class FfiCallTests : IClassFixture<FfiFixture>
{
    private readonly FfiFixture _f;
    public FfiCallTests(FfiFixture f) { _f = f; }

    [Fact]
    public void IntegersOfEveryWidth()
    {
        Assert.Equal(6, _f.Call("add3", [1, 2, 3]).AsInt64());
        Assert.Equal(-6, _f.Call("add3", [-1, -2, -3]).AsInt64());
        Assert.Equal(-8000000000000000000L, _f.Call("mul_ll", [-4000000000L, 2000000000L]).AsInt64());
        FfiValue u8 = _f.Call("u8_inc", [255]);
        Assert.Equal(FfiValueKind.UInt, u8.Kind);
        Assert.Equal(0UL, u8.AsUInt64());
        Assert.Equal(-127, _f.Call("s8_neg", [127]).AsInt64());
        Assert.Equal(-128, _f.Call("s8_neg", [-128]).AsInt64()); // -(-128) wraps in signed char
        Assert.Equal(-3200000 + 65535, _f.Call("s16_mix", [-32, 65535]).AsInt64());
        Assert.Equal(4294967295UL, _f.Call("u32_max", []).AsUInt64());
        Assert.Equal(ulong.MaxValue, _f.Call("u64_max", []).AsUInt64());
        Assert.Equal(long.MinValue, _f.Call("s64_min", []).AsInt64());
        Assert.Equal(1, _f.Call("is_even", [10]).AsInt64());
        Assert.Equal(0, _f.Call("is_even", [7]).AsInt64());
        Assert.Equal('b', _f.Call("next_char", ['a']).AsInt64());
    }

    [Fact]
    public void Enums()
    {
        Assert.Equal("enum color color_next(enum color c)", _f.Sig("color_next").ToString());
        Assert.Equal(5UL, _f.Call("color_next", [0]).AsUInt64());
        Assert.Equal(9UL, _f.Call("color_next", ["GREEN"]).AsUInt64()); // enumerator names are accepted
        Assert.Equal(-7, _f.Call("sign_times", ["NEG", 7]).AsInt64());
        Assert.Equal(-7, _f.Call("sign_times", [-1, 7]).AsInt64());
        var e = Assert.Throws<FfiException>(() => _f.Call("color_next", ["PURPLE"]));
        Assert.Equal("argument 1 (c): 'PURPLE' is not an enumerator of enum color", e.Message);
    }

    [Fact]
    public void FloatsDoublesLongDouble()
    {
        Assert.Equal(7.5, _f.Call("fmul", [2.5, 3]).AsDouble());
        Assert.Equal(1 + 2.25 + 0.5 + 10, _f.Call("dmix", [1, 2.25, 0.5, 10]).AsDouble());
        Assert.Equal(1.5, _f.Call("ld_half", [3.0]).AsDouble());
        Assert.Equal(-0.25, _f.Call("ld_half", [-0.5]).AsDouble());
        Assert.Equal(1e300, _f.Call("ld_half", [2e300]).AsDouble());
        Assert.Equal(5e-324, _f.Call("ld_sum", [5e-324, 0.0, 0.0]).AsDouble()); // subnormal round trip
        Assert.Equal(double.PositiveInfinity, _f.Call("ld_half", [double.PositiveInfinity]).AsDouble());
        Assert.Equal(6.75, _f.Call("ld_sum", [1.25, 2.5, 3]).AsDouble());
        // 8 ints + 9 doubles + 1 long: registers overflow to the stack on both classes
        Assert.Equal(36 + 40.5 + 100, _f.Call("many", [1, 2, 3, 4, 5, 6, 7, 8, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 100]).AsDouble());
    }

    [Fact]
    public void StringsInAndOut()
    {
        FfiValue p = _f.Call("greet", []);
        Assert.Equal(FfiValueKind.Pointer, p.Kind);
        Assert.True(SafeMemory.TryReadCString(p.Address, out string? s));
        Assert.Equal("hello, world", s);
        Assert.Equal(3UL, _f.Call("count_chars", ["bananas", 'a']).AsUInt64());
        Assert.Equal(2UL, _f.Call("count_chars", ["naïve café", 'a']).AsUInt64()); // UTF-8 encoded
        string longText = new('x', 5000);
        Assert.Equal(5000UL, _f.Call("count_chars", [longText, 'x']).AsUInt64()); // beyond the stack scratch
        byte[] buf = new byte[6];
        Assert.True(_f.Call("fill", [FfiValue.FromBytes(buf), 6, '*']).IsNone);
        Assert.Equal("*****\0", Encoding.ASCII.GetString(buf));
    }

    [Fact]
    public void SmallStructsByValue()
    {
        FfiValue p = _f.Call("pair8_make", [3, 4]);
        Assert.Equal(FfiValueKind.Struct, p.Kind);
        Assert.Equal("struct pair8", p.StructType!.Name);
        Assert.Equal(new Pair8 { A = 3, B = 4 }, FfiFixture.Read<Pair8>(p));
        Assert.Equal(7, _f.Call("pair8_sum", [p]).AsInt64());
        Assert.Equal(-5, _f.Call("pair8_sum", [_f.Struct("struct pair8", new Pair8 { A = -10, B = 5 })]).AsInt64());

        FfiValue v = _f.Call("vec2f_add", [_f.Struct("struct vec2f", new Vec2f { X = 1.5f, Y = 2 }), _f.Struct("struct vec2f", new Vec2f { X = 0.25f, Y = -4 })]);
        Assert.Equal(new Vec2f { X = 1.75f, Y = -2 }, FfiFixture.Read<Vec2f>(v));

        FfiValue m = _f.Call("mixed16_scale", [_f.Struct("struct mixed16", new Mixed16 { D = 1.25, I = -3, F = 0.5f }), 4]);
        Assert.Equal(new Mixed16 { D = 5, I = -12, F = 2 }, FfiFixture.Read<Mixed16>(m));

        FfiValue fp = _f.Call("fpair_swap", [_f.Struct("struct fpair", new FPair { F = 2.5f, D = 8.25 })]);
        Assert.Equal(new FPair { F = 8.25f, D = 2.5 }, FfiFixture.Read<FPair>(fp));

        FfiValue n = _f.Call("nested_make", [1, 2, 0.5, 0.25]);
        Assert.Equal(new Nested { P = new Pair8 { A = 1, B = 2 }, V = new Vec2f { X = 0.5f, Y = 0.25f } }, FfiFixture.Read<Nested>(n));
        Assert.Equal(3.75, _f.Call("nested_total", [n]).AsDouble());

        FfiValue t = _f.Call("tiny_make", ['z', -300]);
        Assert.Equal(4, t.StructType!.Size);
        Assert.Equal(new Tiny { C = (byte)'z', S = -300 }, FfiFixture.Read<Tiny>(t));
        Assert.Equal('z' - 300, _f.Call("tiny_sum", [t]).AsInt64());

        FfiValue o = _f.Call("odd12_make", [1, 20, 300]);
        Assert.Equal(new Odd12 { A0 = 1, A1 = 20, A2 = 300 }, FfiFixture.Read<Odd12>(o));
        Assert.Equal(642, _f.Call("odd12_sum", [o, 2]).AsInt64());
    }

    [Fact]
    public unsafe void LargeStructsByValue()
    {
        FfiValue a = _f.Struct("struct vec3d", new Vec3d { X = 1, Y = 2, Z = 3 });
        FfiValue b = _f.Struct("struct vec3d", new Vec3d { X = 4, Y = 5, Z = 6 });
        Assert.Equal(new Vec3d { X = -3, Y = 6, Z = -3 }, FfiFixture.Read<Vec3d>(_f.Call("vec3d_cross", [a, b])));
        Assert.Equal(32.0, _f.Call("vec3d_dot", [a, b]).AsDouble());

        FfiValue big = _f.Call("big_make", [10]);
        Assert.Equal(48, big.StructType!.Size);
        Big bv = FfiFixture.Read<Big>(big);
        Assert.Equal(50, bv.A[4]);
        Assert.Equal((byte)'b', bv.Tag[0]);
        long tagSum = 0;
        foreach (char c in "bigtag!") tagSum += c;
        Assert.Equal(150 + tagSum, _f.Call("big_sum", [big]).AsInt64());

        FfiValue p(int k) => _f.Struct("struct pair8", new Pair8 { A = k, B = 100 * k });
        Assert.Equal(28 + 2800, _f.Call("pairs_spill", [p(1), p(2), p(3), p(4), p(5), p(6), p(7)]).AsInt64());
    }

    [Fact]
    public void UnionsByValue()
    {
        FfiType num = _f.Type("union num");
        Assert.True(num.IsUnion);
        Assert.True(num.IsClassifiedLayout);
        FfiValue n = _f.Call("num_from_double", [2.75]);
        Assert.Equal(2.75, BitConverter.ToDouble(n.StructBytes));
        Assert.Equal(2.75, _f.Call("num_as_double", [n]).AsDouble());

        FfiValue u = _f.Call("fu_make", [1.5, 2.25]);
        Assert.Equal(3.75, _f.Call("fu_sum", [u]).AsDouble());

        FfiValue t = _f.Call("tagged_int", [-77]);
        Assert.Equal(16, t.StructType!.Size);
        Assert.Equal(-77, FfiFixture.Read<Tagged>(t).I);
        Assert.Equal(-77.0, _f.Call("tagged_value", [t]).AsDouble());
        Assert.Equal(0.125, _f.Call("tagged_value", [_f.Struct("struct tagged", new Tagged { Tag = 2, D = 0.125 })]).AsDouble());
        Assert.Equal(-1.5, _f.Call("tagged_value", [_f.Struct("struct tagged", new Tagged { Tag = 1, F = -1.5f })]).AsDouble());
    }

    [Fact]
    public void BitfieldsAndPacked()
    {
        FfiType flags = _f.Type("struct flags");
        Assert.True(flags.IsClassifiedLayout);
        FfiValue f = _f.Call("flags_make", [5, 17, -3, 200]);
        Assert.Equal(5 + 17 - 3 + 200, _f.Call("flags_sum_val", [f]).AsInt64());
        Assert.Equal(219, _f.Call("flags_sum", [f]).AsInt64());                     // a struct value passed to a pointer parameter
        Assert.Equal(219, _f.Call("flags_sum", [FfiValue.FromPointer(f.Address)]).AsInt64());

        FfiType pk = _f.Type("struct pk");
        Assert.Equal(7, pk.Size);
        Assert.Equal(1, pk.Alignment);
        FfiValue p = _f.Call("pk_make", ['A', 1000000, -2]);
        Assert.Equal(new Pk { C = (byte)'A', I = 1000000, S = -2 }, FfiFixture.Read<Pk>(p));
        Assert.Equal((65 + 1000000 - 2) * 3, _f.Call("pk_sum", [p, 3]).AsInt64());
    }

    [Fact]
    public void VariadicFromFixture()
    {
        FfiSignature s = _f.Sig("sum_longs");
        Assert.True(s.IsVariadic);
        Assert.Equal("long int sum_longs(int n, ...)", s.ToString());
        Assert.Equal(0, _f.Call("sum_longs", [0]).AsInt64());
        Assert.Equal(6000000000L, _f.Call("sum_longs", [3, 1000000000L, 2000000000L, 3000000000L]).AsInt64());
        Assert.Equal(1.5 + 2.25 + 3, _f.Call("sum_doubles", [3, 1.5, 2.25, 3.0]).AsDouble());
        // the same argument-kind list reuses its cif; a different one prepares another
        Assert.Equal(10, _f.Call("sum_longs", [4, 1, 2, 3, 4]).AsInt64());
        byte[] buf = new byte[64];
        long n = _f.Call("format", [FfiValue.FromBytes(buf), 64, "%s=%d (%.2f) %c %s", "x", -5, 0.125, 'q', FfiValue.None]).AsInt64();
        string text = Encoding.UTF8.GetString(buf, 0, (int)n);
        Assert.Equal("x=-5 (0.12) q (null)", text);
    }

    [Fact]
    public void ArityErrorsNameTheFunction()
    {
        var e = Assert.Throws<FfiException>(() => _f.Call("add3", [1, 2]));
        Assert.Equal(FfiErrorKind.Arity, e.Kind);
        Assert.Equal("add3() takes 3 arguments (2 given)", e.Message);
        e = Assert.Throws<FfiException>(() => _f.Call("u32_max", [1]));
        Assert.Equal("u32_max() takes 0 arguments (1 given)", e.Message);
        e = Assert.Throws<FfiException>(() => _f.Call("pair8_sum", []));
        Assert.Equal("pair8_sum() takes 1 argument (0 given)", e.Message);
        e = Assert.Throws<FfiException>(() => _f.Call("format", [FfiValue.None, 1]));
        Assert.Equal("format() takes at least 3 arguments (2 given)", e.Message);
    }

    [Fact]
    public void TypeAndRangeErrorsNameTheParameter()
    {
        void Check(string fn, FfiValue[] args, FfiErrorKind kind, int index, string message)
        {
            var e = Assert.Throws<FfiException>(() => _f.Call(fn, args));
            Assert.Equal(message, e.Message);
            Assert.Equal(kind, e.Kind);
            Assert.Equal(index, e.ArgumentIndex);
        }
        Check("add3", [1, "two", 3], FfiErrorKind.Type, 1, "argument 2 (b): expected an integer, got str");
        Check("add3", [1, 2, 3.5], FfiErrorKind.Type, 2, "argument 3 (c): expected an integer, got float");
        Check("add3", [FfiValue.None, 2, 3], FfiErrorKind.Type, 0, "argument 1 (a): expected an integer, got None");
        Check("add3", [1L << 31, 2, 3], FfiErrorKind.Range, 0, "argument 1 (a): 2147483648 out of range for int");
        Check("u8_inc", [256], FfiErrorKind.Range, 0, "argument 1 (x): 256 out of range for unsigned char");
        Check("u8_inc", [-1], FfiErrorKind.Range, 0, "argument 1 (x): -1 out of range for unsigned char");
        Check("s16_mix", [-32769, 0], FfiErrorKind.Range, 0, "argument 1 (a): -32769 out of range for short int");
        Check("fmul", ["x", 1.0], FfiErrorKind.Type, 0, "argument 1 (a): expected a float, got str");
        Check("fmul", [1e300, 1.0], FfiErrorKind.Range, 0, "argument 1 (a): 1E+300 out of range for float");
        Check("count_chars", [3.5, 'a'], FfiErrorKind.Type, 0, "argument 1 (s): expected str or a pointer, got float");
        Check("count_chars", ["a\0b", 'a'], FfiErrorKind.Value, 0, "argument 1 (s): embedded NUL character in str");
        Check("pair8_sum", [5], FfiErrorKind.Type, 0, "argument 1 (p): expected struct pair8, got int");
        Check("pair8_sum", [_f.Struct("struct vec2f", new Vec2f())], FfiErrorKind.Type, 0, "argument 1 (p): expected struct pair8, got struct vec2f");
        Check("flags_sum", [_f.Struct("struct pair8", new Pair8())], FfiErrorKind.Type, 0, "argument 1 (f): expected const struct flags *, got struct pair8");
        Check("sum_longs", [1, _f.Struct("struct pair8", new Pair8())], FfiErrorKind.Type, 1, "argument 2: cannot pass struct pair8 through '...'");
    }
}
