using System;
using Invisible.Abi.Dwarf;
using Invisible.Abi.Ffi;
using Xunit;

namespace Invisible.Abi.Tests;

/// <summary>Signatures from DWARF (cached) and from text (C declarations and compact codes).</summary>
public sealed class FfiSignatureTests : IClassFixture<FfiFixture>
{
    private readonly FfiFixture _f;
    public FfiSignatureTests(FfiFixture f) { _f = f; }

    [Fact]
    public void DwarfSignaturesAreCached()
    {
        Function add3 = _f.Fn("add3");
        FfiSignature a = FfiSignature.For(add3);
        Assert.Same(a, FfiSignature.For(add3));
        Assert.Same(FfiSignature.For(add3.Type), FfiSignature.For(add3.Type));
        Assert.Equal("int add3(int a, int b, int c)", a.ToString());
        Assert.Equal("b", a.ParameterName(1));
        Assert.Equal(FfiTypeKind.SInt32, a.Parameters[2].Kind);
        Assert.Same(_f.Type("struct pair8"), _f.Type("struct pair8"));
    }

    [Fact]
    public void StructDescriptors()
    {
        FfiType big = _f.Type("struct big");
        Assert.Equal(48, big.Size);
        Assert.Equal(8, big.Alignment);
        Assert.False(big.IsClassifiedLayout); // mirrored: long[5] + char[8] expanded
        FfiType nested = _f.Type("struct nested");
        Assert.Equal(16, nested.Size);
        Assert.False(nested.IsClassifiedLayout);
        FfiType tagged = _f.Type("struct tagged");
        Assert.Equal(16, tagged.Size);
        Assert.Equal(8, tagged.Alignment);
    }

    [Theory]
    [InlineData("int(const char*, ...)", "int (const char *, ...)", 1, true)]
    [InlineData("size_t strlen(const char *s)", "size_t strlen(const char *s)", 1, false)]
    [InlineData("void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))",
        "void qsort(void *base, size_t n, size_t size, int (*)(const void *, const void *) cmp)", 4, false)]
    [InlineData("unsigned long long f(signed char, unsigned short, long double, _Bool)", "unsigned long long f(signed char, unsigned short, long double, _Bool)", 4, false)]
    [InlineData("double(void)", "double (void)", 0, false)]
    [InlineData("long()", "long (void)", 0, false)]
    [InlineData("char *strcpy(char *restrict d, const char *restrict s)", "char *strcpy(char *d, const char *s)", 2, false)]
    [InlineData("int main(int argc, char *argv[])", "int main(int argc, char **argv)", 2, false)]
    [InlineData("FILE *fopen(const char *, const char *)", "FILE *fopen(const char *, const char *)", 2, false)]
    [InlineData("i:iii", "int (int, int, int)", 3, false)]
    [InlineData("z:s", "size_t (const char *)", 1, false)]
    [InlineData("i:s...", "int (const char *, ...)", 1, true)]
    [InlineData("v:pzzP", "void (void *, size_t, size_t, void (*)())", 4, false)]
    [InlineData("g:gdf?", "long double (long double, double, float, _Bool)", 4, false)]
    public void ParsedSignatures(string text, string shown, int count, bool variadic)
    {
        FfiSignature s = FfiSignature.Parse(text);
        Assert.Equal(shown, s.ToString());
        Assert.Equal(count, s.FixedCount);
        Assert.Equal(variadic, s.IsVariadic);
    }

    [Theory]
    [InlineData("int(", "bad signature 'int(': missing type")]
    [InlineData("int f(int) x", "bad signature 'int f(int) x': unexpected 'x' after the parameter list")]
    [InlineData("frob(int)", "bad signature 'frob(int)': unknown type name 'frob'")]
    [InlineData("int f(int a b)", "bad signature 'int f(int a b)': expected ',' or ')', got 'b'")]
    [InlineData("int(struct point)", "argument 1: incomplete type struct point cannot be passed by value")]
    [InlineData("int(widget_t)", "bad signature 'int(widget_t)': unknown type name 'widget_t'")]
    [InlineData("int(void, int)", "bad signature 'int(void, int)': parameter of type void")]
    [InlineData("i:ix", "bad signature 'i:ix': unknown type code 'x'")]
    [InlineData("int(FILE)", "argument 1: incomplete type FILE cannot be passed by value")]
    public void BadSignatures(string text, string message)
    {
        var e = Assert.Throws<FfiException>(() => FfiSignature.Parse(text));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void ParsedSignaturesResolveDwarfTypes()
    {
        FfiSignature s = FfiSignature.Parse("struct pair8 mk(int a, int b)", _f.Dwarf.FindType);
        Assert.Equal(FfiTypeKind.Struct, s.ReturnType.Kind);
        FfiValue p = FfiCall.Invoke(_f.Addr("pair8_make"), s, [5, 6]);
        Assert.Equal(new Pair8 { A = 5, B = 6 }, FfiFixture.Read<Pair8>(p));
        FfiSignature sum = FfiSignature.Parse("int(struct pair8 p)", _f.Dwarf.FindType);
        Assert.Equal(11, FfiCall.Invoke(_f.Addr("pair8_sum"), sum, [p]).AsInt64());
        // a value built from a DWARF type of another unit/lookup is accepted by name and size
        FfiSignature byPtr = FfiSignature.Parse("int(const struct flags *f)", _f.Dwarf.FindType);
        Assert.Equal("struct flags", byPtr.Parameters[0].PointeeAggregate);
        // opaque struct behind a pointer is fine
        FfiSignature opaque = FfiSignature.Parse("void(struct nowhere *)");
        Assert.Equal("struct nowhere *", opaque.Parameters[0].Name);
        Assert.Equal("struct nowhere", opaque.Parameters[0].PointeeAggregate);
    }

    [Fact]
    public void CompactAndDeclarationCallsAgree()
    {
        nint add3 = _f.Addr("add3");
        Assert.Equal(60, FfiCall.Invoke(add3, FfiSignature.Parse("i:iii"), [10, 20, 30]).AsInt64());
        Assert.Equal(60, FfiCall.Invoke(add3, FfiSignature.Parse("int add3(int, int, int)"), [10, 20, 30]).AsInt64());
        var e = Assert.Throws<FfiException>(() => FfiCall.Invoke(add3, FfiSignature.Parse("i:iii"), [10, "x", 30]));
        Assert.Equal("argument 2: expected an integer, got str", e.Message);
        e = Assert.Throws<FfiException>(() => FfiCall.Invoke(add3, FfiSignature.Parse("int add3(int, int, int)"), [1]));
        Assert.Equal("add3() takes 3 arguments (1 given)", e.Message);
        e = Assert.Throws<FfiException>(() => FfiCall.Invoke(0, FfiSignature.Parse("i:iii"), [1, 2, 3]));
        Assert.Equal("function: call through a NULL function pointer", e.Message);
    }
}
