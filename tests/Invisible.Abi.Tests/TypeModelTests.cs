using System;
using System.Collections.Generic;
using System.Linq;
using Invisible.Abi.Dwarf;
using Xunit;

namespace Invisible.Abi.Tests;

/// <summary>One opened module per optimization level, shared by the tests of a class.</summary>
public sealed class TypesFixture : IDisposable
{
    public DwarfModule O0 { get; } = DwarfModule.Open(Fixtures.Library("libtypes-o0.so"));
    public DwarfModule O2 { get; } = DwarfModule.Open(Fixtures.Library("libtypes-o2.so"));
    public void Dispose() { O0.Dispose(); O2.Dispose(); }
}

public sealed class TypeModelTests : IClassFixture<TypesFixture>
{
    private readonly TypesFixture _f;
    public TypeModelTests(TypesFixture f) { _f = f; }

    private static string Layout(StructType s) => string.Join("; ", s.Members.Select(m => m.ToString()));

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void StructNodeLayout(int opt)
    {
        DwarfModule m = opt == 0 ? _f.O0 : _f.O2;
        Assert.Null(m.Error);
        var node = Assert.IsType<StructType>(m.FindType("struct node"));
        Assert.Equal(56, node.Size);
        Assert.Equal("struct node", node.ToCString());
        Assert.Equal("+0 struct node *next; +8 struct point3 pos; +20 char name[20]; +40 double weight; +48 const char *label", Layout(node));
        Assert.True(node.TryGetMember("weight", out Member w));
        Assert.Equal(40, w.Offset);
        var next = Assert.IsType<PointerType>(node.Members[0].Type);
        Assert.Same(node, next.Target); // recursive type, same cached object
    }

    [Fact]
    public void Bitfields()
    {
        var s = Assert.IsType<StructType>(_f.O0.FindType("struct flags"));
        Assert.Equal(8, s.Size);
        Assert.Equal("+0 unsigned int a : 3; +0 unsigned int b : 5; +1 int c : 7; +2 unsigned char tail; +3 long long unsigned int wide : 40", Layout(s));
        Assert.Equal(new long[] { 0, 3, 8, 16, 24 }, s.Members.Select(m => m.BitOffset).ToArray());
        Assert.Equal(new[] { 3, 5, 7, 0, 40 }, s.Members.Select(m => m.BitSize).ToArray());
    }

    [Fact]
    public void ArraysAndFlexibleArray()
    {
        var vec = Assert.IsType<StructType>(_f.O0.FindType("struct vec"));
        Assert.Equal(8, vec.Size);
        Member items = vec.Members[1];
        var arr = Assert.IsType<ArrayType>(items.Type);
        Assert.True(arr.IsFlexible);
        Assert.Equal(-1, arr.Size);
        Assert.Equal("int[]", arr.ToCString());
        Assert.Equal(8, items.Offset);
        Variable grid = _f.O0.FindGlobal("global_grid")!;
        Assert.Equal("int[16]", grid.Type.ToCString());
        Assert.Equal(64, grid.Type.Size);
        Variable rows = _f.O0.FindGlobal("global_rows")!;
        Assert.Equal("char (*)[4]", rows.Type.ToCString());
        Assert.Equal("char (*global_rows)[4]", rows.ToString());
    }

    [Fact]
    public void TableDeclaratorsInCSyntax()
    {
        var t = Assert.IsType<StructType>(_f.O0.FindType("struct table"));
        Assert.Equal(136, t.Size);
        Assert.Equal(
            "+0 char (*rows)[4]; +8 int matrix[3][5]; +72 binop_fn op; +80 void (*cb)(const char *, ...); +88 volatile int *vp; " +
            "+96 char *const cp; +104 const struct node *cnodes[2]; +120 enum color col; +124 union number num; +132 struct {...} pair",
            Layout(t));
        var op = Assert.IsType<TypedefType>(t.Members[2].Type);
        Assert.Equal("int (*)(int, int)", op.Target.ToCString());
        var fn = Assert.IsType<FunctionType>(((PointerType)op.Target).Target);
        Assert.Equal(2, fn.Parameters.Count);
        Assert.False(fn.IsVariadic);
        var matrix = Assert.IsType<ArrayType>(t.Members[1].Type);
        Assert.Equal(new long[] { 3, 5 }, matrix.Dimensions.ToArray());
        Assert.Equal(60, matrix.Size);
        Assert.Equal("int[5]", matrix.Inner.ToCString());
        var pair = Assert.IsType<StructType>(t.Members[9].Type);
        Assert.Null(pair.Tag);
        Assert.Equal("+0 short int lo; +2 short int hi", Layout(pair));
        var num = Assert.IsType<StructType>(t.Members[8].Type);
        Assert.Equal(CTypeKind.Union, num.Kind);
        Assert.Equal(8, num.Size);
        Assert.Equal("+0 int i; +0 float f; +0 unsigned char bytes[8]", Layout(num));
    }

    [Fact]
    public void EnumValues()
    {
        var e = Assert.IsType<EnumType>(_f.O0.FindType("enum color"));
        Assert.Equal(4, e.Size);
        Assert.Equal("RED = 0, GREEN = 5, BLUE = -2, BIG = 100000", string.Join(", ", e.Values.Select(v => v.ToString())));
        Assert.True(e.TryGetValue("BLUE", out long blue));
        Assert.Equal(-2, blue);
    }

    [Fact]
    public void TypedefsAndBaseTypes()
    {
        var nt = Assert.IsType<TypedefType>(_f.O0.FindType("node_t"));
        Assert.Equal("struct node", nt.Target.ToCString());
        Assert.Equal(56, nt.Size);
        Assert.Equal("node_t *", _f.O0.FindGlobal("global_list")!.Type.ToCString());
        var i = Assert.IsType<BaseType>(_f.O0.FindType("int"));
        Assert.Equal(4, i.Size);
        Assert.True(i.IsSigned);
        Assert.Equal(8, _f.O0.FindType("size_t")!.Size);
        Assert.Null(_f.O0.FindType("struct does_not_exist"));
    }

    [Fact]
    public void GlobalsWithStaticAddresses()
    {
        Variable g = _f.O0.FindGlobal("global_counter")!;
        Assert.Equal("int global_counter", g.ToString());
        Assert.True(g.IsExternal);
        ElfSymbol sym = _f.O0.FindSymbol("global_counter")!.Value;
        Assert.Equal(sym.Address, g.Location.StaticAddress);
        Variable fs = _f.O0.FindGlobal("file_static")!;
        Assert.False(fs.IsExternal);
        Assert.NotNull(fs.Location.StaticAddress);
    }

    [Fact]
    public void FunctionsParametersLocalsAndLines()
    {
        Function walk = _f.O0.FindFunction("walk")!;
        Assert.Equal("long int walk(struct node *head, int limit)", walk.Prototype);
        Assert.Equal(Fixtures.Mark("types.c", "walk_decl"), walk.DeclLine);
        Assert.Equal(new[] { "head", "limit" }, walk.Parameters.Select(p => p.Name).ToArray());
        Assert.Equal(new[] { "total", "count", "n" }, walk.Locals.Select(p => p.Name).ToArray());
        Assert.Equal(new[] { 0, 0, 1 }, walk.Locals.Select(p => p.ScopeDepth).ToArray());
        // -O0: every parameter lives at a frame-base offset.
        Assert.All(walk.Parameters, p => Assert.Equal(0x91, p.Location.Ranges[0].Ops[0].Op));
        Assert.Same(walk, _f.O0.FunctionAt(walk.LowPc + 4));
        Assert.True(_f.O0.TryGetLine(walk.LowPc, out string? file, out int line));
        Assert.Equal(Fixtures.Source("types.c"), file);
        Assert.Equal(Fixtures.Mark("types.c", "walk_decl") + 1, line);

        Function v = _f.O0.FindFunction("variadic_sum")!;
        Assert.True(v.Type.IsVariadic);
        Assert.Equal("int variadic_sum(int n, ...)", v.Prototype);
        Assert.Equal("size_t sizes(void)", _f.O0.FindFunction("sizes")!.Prototype);
    }

    [Fact]
    public void OptimizedLocationLists()
    {
        Function walk = _f.O2.FindFunction("walk")!;
        Assert.Equal("long int walk(struct node *head, int limit)", walk.Prototype);
        // At -O2 the parameters move between registers: location lists with several ranges.
        Variable head = walk.Parameters[0];
        Assert.True(head.Location.IsList, head.Location.ToString());
        Assert.True(head.Location.TryAt(walk.EntryPc, out LocationRange r0));
        Assert.Equal("DW_OP_reg5", r0.Ops[0].ToString()); // rdi at entry (SysV)
    }

    [Fact]
    public void CompileUnitTypesBySize()
    {
        CompileUnit cu = _f.O0.Units.Single(u => u.Name != null && u.Name.EndsWith("types.c", StringComparison.Ordinal));
        Assert.Equal(new[] { "struct node" }, cu.TypesOfSize(56).Select(t => t.ToCString()).ToArray());
        Assert.Same(_f.O0.FindType("struct table"), cu.FindType("struct table"));
    }

    [Fact]
    public void IndexCounts()
    {
        TypeIndex idx = _f.O0.Index;
        Assert.Equal(1, idx.UnitCount);
        Assert.Single(idx.Lookup("walk", IndexKind.Function));
        Assert.Single(idx.Lookup("node", IndexKind.Tag));
    }
}
