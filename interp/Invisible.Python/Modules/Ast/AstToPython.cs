using System;
using System.Collections.Generic;
using Invisible.Python.Ast;
using Invisible.Python.Runtime;
using Attribute = Invisible.Python.Ast.Attribute;

namespace Invisible.Python.Modules.Ast;

/// <summary>
/// The parser's tree (<see cref="Invisible.Python.Ast"/>) as <c>_ast</c> objects, shaped as CPython's parser makes
/// them: expression contexts (Load/Store/Del) from where an expression stands, comprehensions split by kind,
/// <c>MatchAs</c>/<c>MatchStar</c> for captures, and a negated number literal (which our parser folds) unfolded
/// back into <c>UnaryOp(USub(), Constant(n))</c>. Positions: <c>lineno</c>, <c>col_offset</c>, <c>end_lineno</c>,
/// <c>end_col_offset</c> (columns 0-based, in UTF-8 bytes as CPython's when the source is known; traceback.py's
/// caret anchors read them).
/// </summary>
public sealed class AstToPython
{
    private enum Ctx { Load, Store, Del }

    private readonly PyObject _load, _store, _del;
    private readonly Dictionary<string, PyObject> _singletons = new(StringComparer.Ordinal);

    private readonly Compiler.SourceColumns? _columns;

    private AstToPython(string? source = null)
    {
        if (source != null) _columns = new Compiler.SourceColumns(source);
        _load = Singleton("Load");
        _store = Singleton("Store");
        _del = Singleton("Del");
    }

    public static PyObject Module(ModuleNode m)
    {
        var c = new AstToPython(m.Source);
        return c.Make("Module", null, ("body", c.Stmts(m.Body)), ("type_ignores", new PyList()));
    }

    public static PyObject Interactive(ModuleNode m)
    {
        var c = new AstToPython(m.Source);
        return c.Make("Interactive", null, ("body", c.Stmts(m.Body)));
    }

    public static PyObject Expression(Expr e, string? source = null)
    {
        var c = new AstToPython(source);
        return c.Make("Expression", null, ("body", c.E(e)));
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>Operators and contexts are field-less; CPython hands out one instance of each per interpreter, we
    /// one per converted tree.</summary>
    private PyObject Singleton(string name)
    {
        if (!_singletons.TryGetValue(name, out var o)) _singletons[name] = o = new PyInstance(AstModule.T(name));
        return o;
    }

    private PyObject Make(string type, Node? at, params (string Field, PyObject? Value)[] fields)
    {
        var o = new PyInstance(AstModule.T(type));
        var d = o.Dict!;
        foreach (var (f, v) in fields) d.SetItem(PyStr.Intern(f), v ?? PyNone.Instance);
        if (at != null)
        {
            Position(d, at.Line, at.Col);
            if (at.EndLine > 0)
            {
                d.SetItem(PyStr.Intern("end_lineno"), PyInt.Get(at.EndLine));
                d.SetItem(PyStr.Intern("end_col_offset"), PyInt.Get(_columns?.ToUtf8(at.EndLine, at.EndCol) ?? at.EndCol));
            }
        }
        return o;
    }

    private void Position(PyDict d, int line, int col)
    {
        d.SetItem(PyStr.Intern("lineno"), PyInt.Get(line));
        d.SetItem(PyStr.Intern("col_offset"), PyInt.Get(_columns?.ToUtf8(line, col) ?? col));
    }

    private static PyObject Str(string? s) => s == null ? PyNone.Instance : PyStr.Of(s);

    private PyList Stmts(List<Stmt> body)
    {
        var l = new PyList(body.Count);
        foreach (var s in body) l.Append(S(s));
        return l;
    }

    private PyList Exprs(List<Expr> es, Ctx ctx = Ctx.Load)
    {
        var l = new PyList(es.Count);
        foreach (var e in es) l.Append(E(e, ctx));
        return l;
    }

    private PyObject? Opt(Expr? e) => e == null ? null : E(e);

    private static PyList StrList(List<string> names)
    {
        var l = new PyList(names.Count);
        foreach (var n in names) l.Append(PyStr.Of(n));
        return l;
    }

    private PyObject CtxObj(Ctx c) => c == Ctx.Load ? _load : c == Ctx.Store ? _store : _del;

    private static string OpName(BinOp op) => op switch
    {
        BinOp.Add => "Add", BinOp.Sub => "Sub", BinOp.Mul => "Mult", BinOp.MatMul => "MatMult", BinOp.TrueDiv => "Div",
        BinOp.FloorDiv => "FloorDiv", BinOp.Mod => "Mod", BinOp.Pow => "Pow", BinOp.LShift => "LShift",
        BinOp.RShift => "RShift", BinOp.And => "BitAnd", BinOp.Or => "BitOr", _ => "BitXor",
    };

    private static string CmpName(CmpKind k) => k switch
    {
        CmpKind.Lt => "Lt", CmpKind.Le => "LtE", CmpKind.Eq => "Eq", CmpKind.Ne => "NotEq", CmpKind.Gt => "Gt",
        CmpKind.Ge => "GtE", CmpKind.Is => "Is", CmpKind.IsNot => "IsNot", CmpKind.In => "In", _ => "NotIn",
    };

    // ---------------------------------------------------------------- statements

    private PyObject S(Stmt s)
    {
        switch (s)
        {
            case ExprStmt x: return Make("Expr", s, ("value", E(x.Value)));
            case Assign x: return Make("Assign", s, ("targets", Exprs(x.Targets, Ctx.Store)), ("value", E(x.Value)), ("type_comment", null));
            case AugAssign x: return Make("AugAssign", s, ("target", E(x.Target, Ctx.Store)), ("op", Singleton(OpName(x.Op))), ("value", E(x.Value)));
            case AnnAssign x:
                return Make("AnnAssign", s, ("target", E(x.Target, Ctx.Store)), ("annotation", E(x.Annotation)), ("value", Opt(x.Value)),
                    ("simple", PyInt.Get(x.Simple ? 1 : 0)));
            case If x: return Make("If", s, ("test", E(x.Test)), ("body", Stmts(x.Body)), ("orelse", Stmts(x.OrElse)));
            case While x: return Make("While", s, ("test", E(x.Test)), ("body", Stmts(x.Body)), ("orelse", Stmts(x.OrElse)));
            case For x:
                return Make(x.IsAsync ? "AsyncFor" : "For", s, ("target", E(x.Target, Ctx.Store)), ("iter", E(x.Iter)),
                    ("body", Stmts(x.Body)), ("orelse", Stmts(x.OrElse)), ("type_comment", null));
            case Break: return Make("Break", s);
            case Continue: return Make("Continue", s);
            case Pass: return Make("Pass", s);
            case Return x: return Make("Return", s, ("value", Opt(x.Value)));
            case FunctionDef x:
                return Make(x.IsAsync ? "AsyncFunctionDef" : "FunctionDef", s, ("name", PyStr.Of(x.Name)), ("args", Arguments(x.Args)),
                    ("body", Stmts(x.Body)), ("decorator_list", Exprs(x.Decorators)), ("returns", Opt(x.Returns)), ("type_comment", null));
            case ClassDef x:
                return Make("ClassDef", s, ("name", PyStr.Of(x.Name)), ("bases", Exprs(x.Bases)), ("keywords", Keywords(x.Keywords)),
                    ("body", Stmts(x.Body)), ("decorator_list", Exprs(x.Decorators)));
            case Try x:
            {
                var handlers = new PyList(x.Handlers.Count);
                foreach (var h in x.Handlers)
                {
                    var ho = Make("ExceptHandler", null, ("type", Opt(h.Type)), ("name", Str(h.Name)), ("body", Stmts(h.Body)));
                    Position(ho.Dict!, h.Line, s.Col);
                    handlers.Append(ho);
                }
                return Make(x.IsStar ? "TryStar" : "Try", s, ("body", Stmts(x.Body)), ("handlers", handlers), ("orelse", Stmts(x.OrElse)),
                    ("finalbody", Stmts(x.FinalBody)));
            }
            case Raise x: return Make("Raise", s, ("exc", Opt(x.Exc)), ("cause", Opt(x.Cause)));
            case With x:
            {
                var items = new PyList(x.Items.Count);
                foreach (var it in x.Items)
                    items.Append(Make("withitem", null, ("context_expr", E(it.Context)), ("optional_vars", it.Vars == null ? null : E(it.Vars, Ctx.Store))));
                return Make(x.IsAsync ? "AsyncWith" : "With", s, ("items", items), ("body", Stmts(x.Body)), ("type_comment", null));
            }
            case Assert x: return Make("Assert", s, ("test", E(x.Test)), ("msg", Opt(x.Msg)));
            case Delete x: return Make("Delete", s, ("targets", Exprs(x.Targets, Ctx.Del)));
            case Global x: return Make("Global", s, ("names", StrList(x.Names)));
            case Nonlocal x: return Make("Nonlocal", s, ("names", StrList(x.Names)));
            case Import x: return Make("Import", s, ("names", Aliases(x.Names, s)));
            case ImportFrom x:
                return Make("ImportFrom", s, ("module", Str(x.Module)), ("names", Aliases(x.Names, s)), ("level", PyInt.Get(x.Level)));
            case Match x:
            {
                var cases = new PyList(x.Cases.Count);
                foreach (var c in x.Cases)
                    cases.Append(Make("match_case", null, ("pattern", P(c.Pattern)), ("guard", Opt(c.Guard)), ("body", Stmts(c.Body))));
                return Make("Match", s, ("subject", E(x.Subject)), ("cases", cases));
            }
        }
        throw Ops.Exc(PyBaseException.All["SystemError"], $"AST conversion: unknown statement {s.GetType().Name}");
    }

    private PyList Aliases(List<Alias> names, Node at)
    {
        var l = new PyList(names.Count);
        foreach (var a in names) l.Append(Make("alias", at, ("name", PyStr.Of(a.Name)), ("asname", Str(a.AsName))));
        return l;
    }

    private PyList Keywords(List<Keyword> kws)
    {
        var l = new PyList(kws.Count);
        foreach (var k in kws) l.Append(Make("keyword", k.Value, ("arg", Str(k.Name)), ("value", E(k.Value))));
        return l;
    }

    private PyObject Arg(Arg a, Node? at) => Make("arg", a.Line > 0 ? a : at, ("arg", PyStr.Of(a.Name)), ("annotation", Opt(a.Annotation)), ("type_comment", null));

    private PyObject Arguments(Arguments a)
    {
        PyList Args(List<Arg> l)
        {
            var r = new PyList(l.Count);
            foreach (var x in l) r.Append(Arg(x, null));
            return r;
        }
        var kwDefaults = new PyList(a.KwDefaults.Count);
        foreach (var d in a.KwDefaults) kwDefaults.Append(d == null ? PyNone.Instance : E(d));
        return Make("arguments", null, ("posonlyargs", Args(a.PosOnly)), ("args", Args(a.Args)),
            ("vararg", a.VarArg == null ? null : Arg(a.VarArg, null)), ("kwonlyargs", Args(a.KwOnly)), ("kw_defaults", kwDefaults),
            ("kwarg", a.KwArg == null ? null : Arg(a.KwArg, null)), ("defaults", Exprs(a.Defaults)));
    }

    // ---------------------------------------------------------------- expressions

    private PyObject E(Expr e, Ctx ctx = Ctx.Load)
    {
        switch (e)
        {
            case Name x: return Make("Name", e, ("id", PyStr.Of(x.Id)), ("ctx", CtxObj(ctx)));
            case Constant x: return ConstantNode(x);
            case JoinedStr x: return Make("JoinedStr", e, ("values", FStringParts(x.Parts, x)));
            case FormattedValue x:
                return Make("FormattedValue", e, ("value", E(x.Value)), ("conversion", PyInt.Get(x.Conv == '\0' ? -1 : x.Conv)),
                    ("format_spec", x.Spec == null ? null : x.Spec is JoinedStr ? E(x.Spec)
                        : Make("JoinedStr", x.Spec, ("values", new PyList(new[] { E(x.Spec) })))));
            case BinOpE x: return Make("BinOp", e, ("left", E(x.Left)), ("op", Singleton(OpName(x.Op))), ("right", E(x.Right)));
            case UnaryE x:
            {
                var op = x.Op switch { UnaryKind.Neg => "USub", UnaryKind.Pos => "UAdd", UnaryKind.Invert => "Invert", _ => "Not" };
                return Make("UnaryOp", e, ("op", Singleton(op)), ("operand", E(x.Operand)));
            }
            case BoolOpE x: return Make("BoolOp", e, ("op", Singleton(x.IsAnd ? "And" : "Or")), ("values", Exprs(x.Values)));
            case Compare x:
            {
                var ops = new PyList(x.Ops.Count);
                foreach (var o in x.Ops) ops.Append(Singleton(CmpName(o)));
                return Make("Compare", e, ("left", E(x.Left)), ("ops", ops), ("comparators", Exprs(x.Comparators)));
            }
            case IfExp x: return Make("IfExp", e, ("test", E(x.Test)), ("body", E(x.Body)), ("orelse", E(x.OrElse)));
            case Lambda x: return Make("Lambda", e, ("args", Arguments(x.Args)), ("body", E(x.Body)));
            case NamedExpr x: return Make("NamedExpr", e, ("target", E(x.Target, Ctx.Store)), ("value", E(x.Value)));
            case Call x: return Make("Call", e, ("func", E(x.Func)), ("args", Exprs(x.Args)), ("keywords", Keywords(x.Keywords)));
            case Attribute x: return Make("Attribute", e, ("value", E(x.Value)), ("attr", PyStr.Of(x.Attr)), ("ctx", CtxObj(ctx)));
            case Subscript x: return Make("Subscript", e, ("value", E(x.Value)), ("slice", E(x.Index)), ("ctx", CtxObj(ctx)));
            case SliceE x: return Make("Slice", e, ("lower", Opt(x.Lower)), ("upper", Opt(x.Upper)), ("step", Opt(x.Step)));
            case Starred x: return Make("Starred", e, ("value", E(x.Value, ctx)), ("ctx", CtxObj(ctx)));
            case ListE x: return Make("List", e, ("elts", Exprs(x.Elts, ctx)), ("ctx", CtxObj(ctx)));
            case TupleE x: return Make("Tuple", e, ("elts", Exprs(x.Elts, ctx)), ("ctx", CtxObj(ctx)));
            case SetE x: return Make("Set", e, ("elts", Exprs(x.Elts)));
            case DictE x:
            {
                var keys = new PyList(x.Keys.Count);
                foreach (var k in x.Keys) keys.Append(k == null ? PyNone.Instance : E(k));
                return Make("Dict", e, ("keys", keys), ("values", Exprs(x.Values)));
            }
            case Comp x:
            {
                var gens = new PyList(x.Gens.Count);
                foreach (var g in x.Gens)
                    gens.Append(Make("comprehension", null, ("target", E(g.Target, Ctx.Store)), ("iter", E(g.Iter)), ("ifs", Exprs(g.Ifs)),
                        ("is_async", PyInt.Get(g.IsAsync ? 1 : 0))));
                return x.Kind switch
                {
                    CompKind.List => Make("ListComp", e, ("elt", E(x.Elt)), ("generators", gens)),
                    CompKind.Set => Make("SetComp", e, ("elt", E(x.Elt)), ("generators", gens)),
                    CompKind.Dict => Make("DictComp", e, ("key", E(x.Elt)), ("value", E(x.Value!)), ("generators", gens)),
                    _ => Make("GeneratorExp", e, ("elt", E(x.Elt)), ("generators", gens)),
                };
            }
            case Yield x: return Make("Yield", e, ("value", Opt(x.Value)));
            case YieldFrom x: return Make("YieldFrom", e, ("value", E(x.Value)));
            case Await x: return Make("Await", e, ("value", E(x.Value)));
        }
        throw Ops.Exc(PyBaseException.All["SystemError"], $"AST conversion: unknown expression {e.GetType().Name}");
    }

    /// <summary>The parts of an f-string: string pieces as Constant nodes at the f-string's position (as CPython 3.11).</summary>
    private PyList FStringParts(List<Expr> parts, Node at)
    {
        var l = new PyList(parts.Count);
        foreach (var p in parts)
        {
            if (p is Constant c) { var o = Make("Constant", at, ("value", c.Value), ("kind", null)); l.Append(o); }
            else l.Append(E(p));
        }
        return l;
    }

    /// <summary>A Constant, or for a negated number literal (our parser folds <c>-1</c> into one constant) the
    /// <c>UnaryOp(USub(), Constant(1))</c> CPython's parser makes.</summary>
    private PyObject ConstantNode(Constant c)
    {
        if (!c.Negated) return Make("Constant", c, ("value", c.Value), ("kind", c.Kind == null ? null : PyStr.Of(c.Kind)));
        var inner = Make("Constant", null, ("value", Ops.UnaryOp(c.Value, UnOp.Neg)), ("kind", null));
        Position(inner.Dict!, c.Line, c.Col + 1);
        return Make("UnaryOp", c, ("op", Singleton("USub")), ("operand", inner));
    }

    // ---------------------------------------------------------------- patterns

    private PyList Patterns(List<Pattern> ps)
    {
        var l = new PyList(ps.Count);
        foreach (var p in ps) l.Append(P(p));
        return l;
    }

    private PyObject P(Pattern p)
    {
        switch (p)
        {
            case MatchValue x: return Make("MatchValue", p, ("value", E(x.Value)));
            case MatchSingleton x: return Make("MatchSingleton", p, ("value", x.Value));
            case MatchCapture x: return Make("MatchAs", p, ("pattern", x.Inner == null ? null : P(x.Inner)), ("name", Str(x.Name)));
            case MatchSequence x:
            {
                var items = Patterns(x.Items);
                if (x.StarIndex >= 0)
                {
                    var star = Make("MatchStar", p, ("name", Str(x.StarName)));
                    var all = new PyList(items.Count + 1);
                    for (int i = 0; i < items.Count; i++) { if (i == x.StarIndex) all.Append(star); all.Append(items.Items[i]); }
                    if (x.StarIndex >= items.Count) all.Append(star);
                    items = all;
                }
                return Make("MatchSequence", p, ("patterns", items));
            }
            case MatchMapping x: return Make("MatchMapping", p, ("keys", Exprs(x.Keys)), ("patterns", Patterns(x.Values)), ("rest", Str(x.Rest)));
            case MatchClass x:
                return Make("MatchClass", p, ("cls", E(x.Cls)), ("patterns", Patterns(x.Args)), ("kwd_attrs", StrList(x.KwNames)),
                    ("kwd_patterns", Patterns(x.KwValues)));
            case MatchOr x: return Make("MatchOr", p, ("patterns", Patterns(x.Alts)));
        }
        throw Ops.Exc(PyBaseException.All["SystemError"], $"AST conversion: unknown pattern {p.GetType().Name}");
    }
}
