using System.Collections.Generic;
using Invisible.Python.Ast;
using Invisible.Python.Runtime;
using Attribute = Invisible.Python.Ast.Attribute;

namespace Invisible.Python.Modules.Ast;

/// <summary>
/// An <c>_ast</c> tree (made by <see cref="AstToPython"/> or by hand) back into the parser's tree, for
/// <c>compile(tree, ...)</c>. Missing fields raise CPython's TypeError ("required field "x" missing from Y"), a node
/// of the wrong kind "expected some sort of expr, but got ..."; missing positions count as line 1, column 0
/// (CPython requires them; <c>ast.fix_missing_locations</c> fills them).
/// </summary>
public sealed class AstFromPython
{
    // ---------------------------------------------------------------- field access

    private static PyObject? Get(PyObject node, string field)
    {
        var v = node.Dict?.GetOrNull(PyStr.Intern(field)) ?? node.Type.Lookup(PyStr.Intern(field));
        return v;
    }

    private static PyObject Req(PyObject node, string field)
    {
        var v = Get(node, field);
        if (v == null || (v is PyNone && !Optional(node, field)))
            throw Ops.TypeError($"required field \"{field}\" missing from {node.Type.Name}");
        return v;
    }

    /// <summary>A field the class declares optional (its class attribute is None).</summary>
    private static bool Optional(PyObject node, string field) => node.Type.Lookup(PyStr.Intern(field)) is PyNone;

    private static PyObject? OptField(PyObject node, string field)
    {
        var v = Get(node, field);
        return v is null or PyNone ? null : v;
    }

    private static List<PyObject> Seq(PyObject node, string field)
    {
        var v = Get(node, field);
        if (v == null) throw Ops.TypeError($"required field \"{field}\" missing from {node.Type.Name}");
        if (v is not PyList l) throw Ops.TypeError($"{node.Type.Name} field \"{field}\" must be a list, not a {v.Type.Name}");
        var r = new List<PyObject>(l.Count);
        for (int i = 0; i < l.Count; i++) r.Add(l.Items[i]);
        return r;
    }

    private static string Identifier(PyObject node, string field)
    {
        var v = Req(node, field);
        return v is PyStr s ? s.Value : throw Ops.TypeError($"AST identifier must be of type str");
    }

    private static string? OptIdentifier(PyObject node, string field) => OptField(node, field) is { } v
        ? (v is PyStr s ? s.Value : throw Ops.TypeError("AST identifier must be of type str")) : null;

    private static int Int(PyObject node, string field) => (int)Ops.IndexValue(Req(node, field));

    private static bool Is(PyObject o, string type) => o.Type.IsSubtypeOf(AstModule.T(type));

    private static T At<T>(T n, PyObject src) where T : Node
    {
        n.Line = Get(src, "lineno") is PyInt l ? (int)l.V : 1;
        n.Col = Get(src, "col_offset") is PyInt c ? (int)c.V : 0;
        if (Get(src, "end_lineno") is PyInt el && Get(src, "end_col_offset") is PyInt ec) { n.EndLine = (int)el.V; n.EndCol = (int)ec.V; }
        return n;
    }

    /// <summary>CPython reads a stmt's or expr's position before its kind: a node without one is refused first.</summary>
    private static void RequirePosition(PyObject o, string kind)
    {
        foreach (var f in new[] { "lineno", "col_offset" })
            if (Get(o, f) is null or PyNone) throw Ops.TypeError($"required field \"{f}\" missing from {kind}");
    }

    private static string KindName(PyObject o) => o.Type.IsSubtypeOf(AstModule.AstType) ? o.Type.Name : Ops.Repr(o);

    // ---------------------------------------------------------------- statements

    public List<Stmt> Stmts(PyObject list, string owner)
    {
        if (list is not PyList l) throw Ops.TypeError($"{owner} field \"body\" must be a list, not a {list.Type.Name}");
        var r = new List<Stmt>(l.Count);
        for (int i = 0; i < l.Count; i++) r.Add(Stmt(l.Items[i]));
        return r;
    }

    private List<Stmt> Body(PyObject node, string field)
    {
        var r = new List<Stmt>();
        foreach (var s in Seq(node, field)) r.Add(Stmt(s));
        return r;
    }

    private List<Expr> Exprs(PyObject node, string field)
    {
        var r = new List<Expr>();
        foreach (var e in Seq(node, field)) r.Add(Expr(e, node.Type.Name));
        return r;
    }

    private Expr? OptExpr(PyObject node, string field) => OptField(node, field) is { } v ? Expr(v, node.Type.Name) : null;

    private Expr ReqExpr(PyObject node, string field) => Expr(Req(node, field), node.Type.Name);

    private static BinOp Op(PyObject o) => o.Type.Name switch
    {
        "Add" => BinOp.Add, "Sub" => BinOp.Sub, "Mult" => BinOp.Mul, "MatMult" => BinOp.MatMul, "Div" => BinOp.TrueDiv,
        "FloorDiv" => BinOp.FloorDiv, "Mod" => BinOp.Mod, "Pow" => BinOp.Pow, "LShift" => BinOp.LShift,
        "RShift" => BinOp.RShift, "BitAnd" => BinOp.And, "BitOr" => BinOp.Or, "BitXor" => BinOp.Xor,
        _ => throw Ops.TypeError($"expected some sort of operator, but got {KindName(o)}"),
    };

    public Stmt Stmt(PyObject o)
    {
        if (o.Type.IsSubtypeOf(AstModule.AstType)) RequirePosition(o, "stmt");
        if (!Is(o, "stmt")) throw Ops.TypeError($"expected some sort of stmt, but got {KindName(o)}");
        switch (o.Type.Name)
        {
            case "Expr": return At(new ExprStmt { Value = ReqExpr(o, "value") }, o);
            case "Assign": return At(new Assign { Targets = Exprs(o, "targets"), Value = ReqExpr(o, "value") }, o);
            case "AugAssign": return At(new AugAssign { Target = ReqExpr(o, "target"), Op = Op(Req(o, "op")), Value = ReqExpr(o, "value") }, o);
            case "AnnAssign":
                return At(new AnnAssign { Target = ReqExpr(o, "target"), Annotation = ReqExpr(o, "annotation"), Value = OptExpr(o, "value"),
                    Simple = Int(o, "simple") != 0 }, o);
            case "If": return At(new If { Test = ReqExpr(o, "test"), Body = Body(o, "body"), OrElse = Body(o, "orelse") }, o);
            case "While": return At(new While { Test = ReqExpr(o, "test"), Body = Body(o, "body"), OrElse = Body(o, "orelse") }, o);
            case "For":
            case "AsyncFor":
                return At(new For { Target = ReqExpr(o, "target"), Iter = ReqExpr(o, "iter"), Body = Body(o, "body"), OrElse = Body(o, "orelse"),
                    IsAsync = o.Type.Name == "AsyncFor" }, o);
            case "Break": return At(new Break(), o);
            case "Continue": return At(new Continue(), o);
            case "Pass": return At(new Pass(), o);
            case "Return": return At(new Return { Value = OptExpr(o, "value") }, o);
            case "FunctionDef":
            case "AsyncFunctionDef":
                return At(new FunctionDef { Name = Identifier(o, "name"), Args = Arguments(Req(o, "args")), Body = Body(o, "body"),
                    Decorators = Exprs(o, "decorator_list"), Returns = OptExpr(o, "returns"), IsAsync = o.Type.Name == "AsyncFunctionDef" }, o);
            case "ClassDef":
                return At(new ClassDef { Name = Identifier(o, "name"), Bases = Exprs(o, "bases"), Keywords = Keywords(o),
                    Body = Body(o, "body"), Decorators = Exprs(o, "decorator_list") }, o);
            case "Try":
            case "TryStar":
            {
                var t = At(new Try { Body = Body(o, "body"), OrElse = Body(o, "orelse"), FinalBody = Body(o, "finalbody"), IsStar = o.Type.Name == "TryStar" }, o);
                foreach (var h in Seq(o, "handlers"))
                {
                    if (!Is(h, "excepthandler")) throw Ops.TypeError($"expected some sort of excepthandler, but got {KindName(h)}");
                    t.Handlers.Add(new ExceptHandler { Type = OptExpr(h, "type"), Name = OptIdentifier(h, "name"), Body = Body(h, "body"),
                        Line = Get(h, "lineno") is PyInt l ? (int)l.V : t.Line });
                }
                return t;
            }
            case "Raise": return At(new Raise { Exc = OptExpr(o, "exc"), Cause = OptExpr(o, "cause") }, o);
            case "With":
            case "AsyncWith":
            {
                var w = At(new With { Body = Body(o, "body"), IsAsync = o.Type.Name == "AsyncWith" }, o);
                foreach (var it in Seq(o, "items"))
                    w.Items.Add(new WithItem { Context = ReqExpr(it, "context_expr"), Vars = OptExpr(it, "optional_vars") });
                return w;
            }
            case "Assert": return At(new Assert { Test = ReqExpr(o, "test"), Msg = OptExpr(o, "msg") }, o);
            case "Delete": return At(new Delete { Targets = Exprs(o, "targets") }, o);
            case "Global": return At(new Global { Names = Identifiers(o, "names") }, o);
            case "Nonlocal": return At(new Nonlocal { Names = Identifiers(o, "names") }, o);
            case "Import": return At(new Import { Names = Aliases(o) }, o);
            case "ImportFrom":
                return At(new ImportFrom { Module = OptIdentifier(o, "module"), Names = Aliases(o),
                    Level = OptField(o, "level") is { } lv ? (int)Ops.IndexValue(lv) : 0 }, o);
            case "Match":
            {
                var m = At(new Match { Subject = ReqExpr(o, "subject") }, o);
                foreach (var c in Seq(o, "cases"))
                    m.Cases.Add(new MatchCase { Pattern = Pattern(Req(c, "pattern")), Guard = OptExpr(c, "guard"), Body = Body(c, "body") });
                return m;
            }
        }
        throw Ops.TypeError($"expected some sort of stmt, but got {KindName(o)}");
    }

    private static List<string> Identifiers(PyObject o, string field)
    {
        var r = new List<string>();
        foreach (var n in Seq(o, field)) r.Add(n is PyStr s ? s.Value : throw Ops.TypeError("AST identifier must be of type str"));
        return r;
    }

    private static List<Alias> Aliases(PyObject o)
    {
        var r = new List<Alias>();
        foreach (var a in Seq(o, "names")) r.Add(new Alias { Name = Identifier(a, "name"), AsName = OptIdentifier(a, "asname") });
        return r;
    }

    private List<Keyword> Keywords(PyObject o)
    {
        var r = new List<Keyword>();
        foreach (var k in Seq(o, "keywords")) r.Add(new Keyword { Name = OptIdentifier(k, "arg"), Value = ReqExpr(k, "value") });
        return r;
    }

    private Arg Arg(PyObject a) => new() { Name = Identifier(a, "arg"), Annotation = OptExpr(a, "annotation") };

    private Arguments Arguments(PyObject o)
    {
        var r = new Arguments();
        foreach (var a in Seq(o, "posonlyargs")) r.PosOnly.Add(Arg(a));
        foreach (var a in Seq(o, "args")) r.Args.Add(Arg(a));
        foreach (var a in Seq(o, "kwonlyargs")) r.KwOnly.Add(Arg(a));
        r.Defaults = Exprs(o, "defaults");
        foreach (var d in Seq(o, "kw_defaults")) r.KwDefaults.Add(d is PyNone ? null : Expr(d, "arguments"));
        if (OptField(o, "vararg") is { } va) r.VarArg = Arg(va);
        if (OptField(o, "kwarg") is { } ka) r.KwArg = Arg(ka);
        return r;
    }

    // ---------------------------------------------------------------- expressions

    public Expr Expr(PyObject o, string owner)
    {
        if (o.Type.IsSubtypeOf(AstModule.AstType)) RequirePosition(o, "expr");
        if (!Is(o, "expr")) throw Ops.TypeError($"expected some sort of expr, but got {KindName(o)}");
        switch (o.Type.Name)
        {
            case "Name": return At(new Name { Id = Identifier(o, "id") }, o);
            case "Constant": return At(new Constant { Value = Req(o, "value") }, o);
            case "JoinedStr":
            {
                var j = At(new JoinedStr(), o);
                foreach (var v in Seq(o, "values")) j.Parts.Add(Expr(v, "JoinedStr"));
                return j;
            }
            case "FormattedValue":
            {
                int conv = OptField(o, "conversion") is { } c ? (int)Ops.IndexValue(c) : -1;
                return At(new FormattedValue { Value = ReqExpr(o, "value"), Conv = conv < 0 ? '\0' : (char)conv, Spec = OptExpr(o, "format_spec") }, o);
            }
            case "BinOp": return At(new BinOpE { Left = ReqExpr(o, "left"), Op = Op(Req(o, "op")), Right = ReqExpr(o, "right") }, o);
            case "UnaryOp":
            {
                var op = Req(o, "op");
                var kind = op.Type.Name switch
                {
                    "USub" => UnaryKind.Neg, "UAdd" => UnaryKind.Pos, "Invert" => UnaryKind.Invert, "Not" => UnaryKind.Not,
                    _ => throw Ops.TypeError($"expected some sort of unaryop, but got {KindName(op)}"),
                };
                return At(new UnaryE { Op = kind, Operand = ReqExpr(o, "operand") }, o);
            }
            case "BoolOp":
            {
                var op = Req(o, "op");
                if (!Is(op, "boolop")) throw Ops.TypeError($"expected some sort of boolop, but got {KindName(op)}");
                var values = Exprs(o, "values");
                if (values.Count < 2) throw Ops.ValueError("BoolOp with less than 2 values");
                return At(new BoolOpE { IsAnd = op.Type.Name == "And", Values = values }, o);
            }
            case "Compare":
            {
                var c = At(new Compare { Left = ReqExpr(o, "left"), Comparators = Exprs(o, "comparators") }, o);
                foreach (var op in Seq(o, "ops"))
                    c.Ops.Add(op.Type.Name switch
                    {
                        "Lt" => CmpKind.Lt, "LtE" => CmpKind.Le, "Eq" => CmpKind.Eq, "NotEq" => CmpKind.Ne, "Gt" => CmpKind.Gt,
                        "GtE" => CmpKind.Ge, "Is" => CmpKind.Is, "IsNot" => CmpKind.IsNot, "In" => CmpKind.In, "NotIn" => CmpKind.NotIn,
                        _ => throw Ops.TypeError($"expected some sort of cmpop, but got {KindName(op)}"),
                    });
                if (c.Ops.Count == 0) throw Ops.ValueError("Compare with no comparators");
                if (c.Ops.Count != c.Comparators.Count) throw Ops.ValueError("Compare has a different number of comparators and operands");
                return c;
            }
            case "IfExp": return At(new IfExp { Test = ReqExpr(o, "test"), Body = ReqExpr(o, "body"), OrElse = ReqExpr(o, "orelse") }, o);
            case "Lambda": return At(new Lambda { Args = Arguments(Req(o, "args")), Body = ReqExpr(o, "body") }, o);
            case "NamedExpr":
            {
                var target = ReqExpr(o, "target") as Name ?? throw Ops.TypeError("NamedExpr target must be a Name");
                return At(new NamedExpr { Target = target, Value = ReqExpr(o, "value") }, o);
            }
            case "Call": return At(new Call { Func = ReqExpr(o, "func"), Args = Exprs(o, "args"), Keywords = Keywords(o) }, o);
            case "Attribute": return At(new Attribute { Value = ReqExpr(o, "value"), Attr = Identifier(o, "attr") }, o);
            case "Subscript": return At(new Subscript { Value = ReqExpr(o, "value"), Index = ReqExpr(o, "slice") }, o);
            case "Slice": return At(new SliceE { Lower = OptExpr(o, "lower"), Upper = OptExpr(o, "upper"), Step = OptExpr(o, "step") }, o);
            case "Starred": return At(new Starred { Value = ReqExpr(o, "value") }, o);
            case "List": return At(new ListE { Elts = Exprs(o, "elts") }, o);
            case "Tuple": return At(new TupleE { Elts = Exprs(o, "elts") }, o);
            case "Set": return At(new SetE { Elts = Exprs(o, "elts") }, o);
            case "Dict":
            {
                var d = At(new DictE { Values = Exprs(o, "values") }, o);
                foreach (var k in Seq(o, "keys")) d.Keys.Add(k is PyNone ? null : Expr(k, "Dict"));
                if (d.Keys.Count != d.Values.Count) throw Ops.ValueError("Dict doesn't have the same number of keys as values");
                return d;
            }
            case "ListComp": return Comp(o, CompKind.List, "elt");
            case "SetComp": return Comp(o, CompKind.Set, "elt");
            case "GeneratorExp": return Comp(o, CompKind.Gen, "elt");
            case "DictComp":
            {
                var c = Comp(o, CompKind.Dict, "key");
                c.Value = ReqExpr(o, "value");
                return c;
            }
            case "Yield": return At(new Yield { Value = OptExpr(o, "value") }, o);
            case "YieldFrom": return At(new YieldFrom { Value = ReqExpr(o, "value") }, o);
            case "Await": return At(new Await { Value = ReqExpr(o, "value") }, o);
        }
        throw Ops.TypeError($"expected some sort of expr, but got {KindName(o)}");
    }

    private Comp Comp(PyObject o, CompKind kind, string eltField)
    {
        var c = At(new Comp { Kind = kind, Elt = ReqExpr(o, eltField) }, o);
        foreach (var g in Seq(o, "generators"))
        {
            var ifs = new List<Expr>();
            foreach (var i in Seq(g, "ifs")) ifs.Add(Expr(i, "comprehension"));
            c.Gens.Add(new Comprehension { Target = ReqExpr(g, "target"), Iter = ReqExpr(g, "iter"), Ifs = ifs,
                IsAsync = OptField(g, "is_async") is { } a && Ops.IndexValue(a) != 0 });
        }
        if (c.Gens.Count == 0) throw Ops.ValueError("comprehension with no generators");
        return c;
    }

    // ---------------------------------------------------------------- patterns

    private List<Pattern> Patterns(PyObject o, string field)
    {
        var r = new List<Pattern>();
        foreach (var p in Seq(o, field)) r.Add(Pattern(p));
        return r;
    }

    private Pattern Pattern(PyObject o)
    {
        if (o.Type.IsSubtypeOf(AstModule.AstType)) RequirePosition(o, "pattern");
        if (!Is(o, "pattern")) throw Ops.TypeError($"expected some sort of pattern, but got {KindName(o)}");
        switch (o.Type.Name)
        {
            case "MatchValue": return At(new MatchValue { Value = ReqExpr(o, "value") }, o);
            case "MatchSingleton": return At(new MatchSingleton { Value = Req(o, "value") }, o);
            case "MatchAs":
                return At(new MatchCapture { Name = OptIdentifier(o, "name"), Inner = OptField(o, "pattern") is { } inner ? Pattern(inner) : null }, o);
            case "MatchSequence":
            {
                var seq = At(new MatchSequence(), o);
                foreach (var p in Seq(o, "patterns"))
                {
                    if (p.Type.Name == "MatchStar") { seq.StarIndex = seq.Items.Count; seq.StarName = OptIdentifier(p, "name"); }
                    else seq.Items.Add(Pattern(p));
                }
                return seq;
            }
            case "MatchMapping":
                return At(new MatchMapping { Keys = Exprs(o, "keys"), Values = Patterns(o, "patterns"), Rest = OptIdentifier(o, "rest") }, o);
            case "MatchClass":
                return At(new MatchClass { Cls = ReqExpr(o, "cls"), Args = Patterns(o, "patterns"), KwNames = Identifiers(o, "kwd_attrs"),
                    KwValues = Patterns(o, "kwd_patterns") }, o);
            case "MatchOr": return At(new MatchOr { Alts = Patterns(o, "patterns") }, o);
        }
        throw Ops.TypeError($"expected some sort of pattern, but got {KindName(o)}");
    }
}
