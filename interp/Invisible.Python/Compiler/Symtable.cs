using System.Collections.Generic;
using Invisible.Python.Ast;
using Invisible.Python.Lexing;
using Attribute = Invisible.Python.Ast.Attribute;

namespace Invisible.Python.Compiler;

public enum ScopeKind { Module, Class, Function }
public enum NameKind { Fast, Deref, Global, Name, ClassDeref }

public sealed class Scope
{
    public ScopeKind Kind;
    public string Name = "";
    public Scope? Parent;
    public bool IsComprehension, IsGenerator, IsLambda;
    /// <summary>An <c>async def</c>, or a comprehension with <c>async for</c> or <c>await</c> (PEP 530).</summary>
    public bool IsAsync;
    public bool HasAwait;
    public readonly List<string> Params = new();
    public readonly HashSet<string> Bound = new(), Used = new(), Globals = new(), Nonlocals = new();
    /// <summary>The global or nonlocal statement that first declared a name (where CPython reports a conflict).</summary>
    public readonly Dictionary<string, Node> DeclaredAt = new();
    /// <summary>A comprehension's iteration variables and assignment-expression targets so far (they may not rebind
    /// each other).</summary>
    public HashSet<string>? IterVars, WalrusTargets;
    /// <summary>Names with a simple annotation (`x: int`): they cannot be declared global or nonlocal afterwards.</summary>
    public HashSet<string>? Annotated;
    public readonly List<string> CellVars = new(), FreeVars = new();
    public readonly List<string> Locals = new();
    public string? ClassName;   // for name mangling
    public bool NeedsClassCell;  // class scope: some method uses super()/__class__
    public readonly List<Scope> Children = new();

    public void AddBound(string n) { if (Bound.Add(n) && Kind == ScopeKind.Function && !Params.Contains(n)) Locals.Add(n); }

    public bool IsCell(string n) => CellVars.Contains(n);

    public NameKind Resolve(string n)
    {
        if (Kind == ScopeKind.Module) return NameKind.Global;
        if (Globals.Contains(n)) return NameKind.Global;
        if (Kind == ScopeKind.Class)
        {
            if (n == "__class__" && NeedsClassCell) return NameKind.Deref;
            if (Nonlocals.Contains(n)) return NameKind.Deref;
            if (Bound.Contains(n)) return NameKind.Name;
            if (FreeVars.Contains(n)) return NameKind.ClassDeref;
            return NameKind.Name;
        }
        if (CellVars.Contains(n) || FreeVars.Contains(n)) return NameKind.Deref;
        if (Bound.Contains(n)) return NameKind.Fast;
        return NameKind.Global;
    }
}

/// <summary>Scope analysis: which names are locals, cells, free or global.</summary>
public sealed class Symtable
{
    /// <summary>The module has <c>from __future__ import annotations</c> (PEP 563): annotations compile to strings.</summary>
    public bool FutureAnnotations;
    public readonly Dictionary<object, Scope> Scopes = new(ReferenceEqualityComparer.Instance);
    public Scope Top = null!;
    /// <summary>Every name some scope declares global: CPython's symtable marks it DEF_GLOBAL in the module's table
    /// too, so module code compiled with name operations stores and loads it as a global.</summary>
    public readonly HashSet<string> DeclaredGlobal = new();
    private Scope _cur = null!;

    public static Symtable Build(ModuleNode m)
    {
        var st = new Symtable();
        st.Top = new Scope { Kind = ScopeKind.Module, Name = "<module>" };
        st._cur = st.Top;
        st.Scopes[m] = st.Top;
        foreach (var s in m.Body) st.VisitStmt(s);
        st.ResolveAll(st.Top);
        return st;
    }

    public static string Mangle(string? cls, string name)
    {
        if (cls == null || !name.StartsWith("__") || name.EndsWith("__") || name.Contains('.')) return name;
        var c = cls.TrimStart('_');
        if (c.Length == 0) return name;
        return "_" + c + name;
    }

    private string M(string n) => Mangle(_cur.ClassName, n);

    private Scope Push(object node, ScopeKind kind, string name)
    {
        var s = new Scope { Kind = kind, Name = name, Parent = _cur, ClassName = kind == ScopeKind.Class ? name : _cur.ClassName };
        _cur.Children.Add(s);
        Scopes[node] = s;
        _cur = s;
        return s;
    }

    private void Pop() => _cur = _cur.Parent!;

    private void Bind(string n) => _cur.AddBound(M(n));
    private void Use(string n) => _cur.Used.Add(M(n));

    private void VisitBody(List<Stmt> body) { foreach (var s in body) VisitStmt(s); }

    private void VisitArgsDefaults(Arguments a)
    {
        foreach (var d in a.Defaults) VisitExpr(d);
        foreach (var d in a.KwDefaults) if (d != null) VisitExpr(d);
        foreach (var p in a.PosOnly) if (p.Annotation != null) VisitExpr(p.Annotation);
        foreach (var p in a.Args) if (p.Annotation != null) VisitExpr(p.Annotation);
        foreach (var p in a.KwOnly) if (p.Annotation != null) VisitExpr(p.Annotation);
        if (a.VarArg?.Annotation != null) VisitExpr(a.VarArg.Annotation);
        if (a.KwArg?.Annotation != null) VisitExpr(a.KwArg.Annotation);
    }

    private void AddParams(Arguments a)
    {
        foreach (var p in a.PosOnly) AddParam(p);
        foreach (var p in a.Args) AddParam(p);
        foreach (var p in a.KwOnly) AddParam(p);
        if (a.VarArg != null) AddParam(a.VarArg);
        if (a.KwArg != null) AddParam(a.KwArg);
    }

    private void AddParam(Arg p)
    {
        var n = p.Name;
        if (_cur.Params.Contains(n))
            throw new SyntaxErrorException($"duplicate argument '{n}' in function definition", p.Line, p.Line > 0 ? p.Col + 1 : 0)
            { EndLine = p.EndLine, EndCol = p.EndLine > 0 ? p.EndCol + 1 : 0 };
        _cur.Params.Add(n); _cur.Bound.Add(n);
    }

    private void VisitStmt(Stmt s)
    {
        Enter();
        try { VisitStmtCore(s); }
        finally { _depth--; }
    }

    private void VisitStmtCore(Stmt s)
    {
        switch (s)
        {
            case ExprStmt e: VisitExpr(e.Value); break;
            case Assign a: VisitExpr(a.Value); foreach (var t in a.Targets) VisitTarget(t); break;
            case AugAssign a: VisitExpr(a.Value); VisitTarget(a.Target); if (a.Target is Name n0) Use(n0.Id); else VisitExpr(a.Target is Attribute at ? at.Value : ((Subscript)a.Target).Value); break;
            case AnnAssign a:
                if (a.Value != null) VisitExpr(a.Value);
                // CPython's symtable: `(x): int` (not simple) without a value does not make x local
                if (a.Target is Ast.Name an && a.Simple)
                {
                    if (_cur.Kind != ScopeKind.Module && (_cur.Globals.Contains(an.Id) || _cur.Nonlocals.Contains(an.Id)))
                        throw new SyntaxErrorException($"annotated name '{an.Id}' can't be {(_cur.Globals.Contains(an.Id) ? "global" : "nonlocal")}", a.Line, a.Col + 1);
                    (_cur.Annotated ??= new()).Add(an.Id);
                }
                if (a.Target is not Ast.Name || a.Simple || a.Value != null) VisitTarget(a.Target);
                if (_cur.Kind != ScopeKind.Function) VisitExpr(a.Annotation); break;
            case If i: VisitExpr(i.Test); VisitBody(i.Body); VisitBody(i.OrElse); break;
            case While w: VisitExpr(w.Test); VisitBody(w.Body); VisitBody(w.OrElse); break;
            case For f: VisitExpr(f.Iter); VisitTarget(f.Target); VisitBody(f.Body); VisitBody(f.OrElse); break;
            case Return r: if (r.Value != null) VisitExpr(r.Value); break;
            case FunctionDef fd:
                {
                    foreach (var d in fd.Decorators) VisitExpr(d);
                    VisitArgsDefaults(fd.Args);
                    if (fd.Returns != null) VisitExpr(fd.Returns);
                    Bind(fd.Name);
                    Push(fd, ScopeKind.Function, fd.Name).IsAsync = fd.IsAsync;
                    AddParams(fd.Args);
                    VisitBody(fd.Body);
                    Pop();
                    break;
                }
            case ClassDef cd:
                {
                    foreach (var d in cd.Decorators) VisitExpr(d);
                    foreach (var b in cd.Bases) VisitExpr(b);
                    foreach (var k in cd.Keywords) VisitExpr(k.Value);
                    Bind(cd.Name);
                    Push(cd, ScopeKind.Class, cd.Name);
                    VisitBody(cd.Body);
                    Pop();
                    break;
                }
            case Try t:
                VisitBody(t.Body);
                foreach (var h in t.Handlers) { if (h.Type != null) VisitExpr(h.Type); if (h.Name != null) Bind(h.Name); VisitBody(h.Body); }
                VisitBody(t.OrElse); VisitBody(t.FinalBody);
                break;
            case Raise r: if (r.Exc != null) VisitExpr(r.Exc); if (r.Cause != null) VisitExpr(r.Cause); break;
            case With w: foreach (var it in w.Items) { VisitExpr(it.Context); if (it.Vars != null) VisitTarget(it.Vars); } VisitBody(w.Body); break;
            case Assert a: VisitExpr(a.Test); if (a.Msg != null) VisitExpr(a.Msg); break;
            case Delete d: foreach (var t in d.Targets) VisitTarget(t); break;
            case Global g:
                foreach (var n in g.Names)
                {
                    if (_cur.Params.Contains(n)) throw new SyntaxErrorException($"name '{n}' is parameter and global", g.Line, g.Col + 1);
                    if (!_cur.Used.Contains(n) && _cur.Annotated?.Contains(n) == true) throw new SyntaxErrorException($"annotated name '{n}' can't be global", g.Line, g.Col + 1);
                    if (_cur.Used.Contains(n) || _cur.Bound.Contains(n)) throw new SyntaxErrorException($"name '{n}' is {(_cur.Used.Contains(n) ? "used prior to" : "assigned to before")} global declaration", g.Line, g.Col + 1);
                    if (_cur.Nonlocals.Contains(n)) throw AtNode($"name '{n}' is nonlocal and global", _cur.DeclaredAt[n]);
                    _cur.Globals.Add(n);
                    DeclaredGlobal.Add(n);
                    _cur.DeclaredAt.TryAdd(n, g);
                }
                break;
            case Nonlocal nl:
                foreach (var n in nl.Names)
                {
                    if (_cur.Kind == ScopeKind.Module) throw new SyntaxErrorException("nonlocal declaration not allowed at module level", nl.Line, nl.Col + 1);
                    if (_cur.Params.Contains(n)) throw new SyntaxErrorException($"name '{n}' is parameter and nonlocal", nl.Line, nl.Col + 1);
                    if (!_cur.Used.Contains(n) && _cur.Annotated?.Contains(n) == true) throw new SyntaxErrorException($"annotated name '{n}' can't be nonlocal", nl.Line, nl.Col + 1);
                    if (_cur.Used.Contains(n) || _cur.Bound.Contains(n)) throw new SyntaxErrorException($"name '{n}' is {(_cur.Used.Contains(n) ? "used prior to" : "assigned to before")} nonlocal declaration", nl.Line, nl.Col + 1);
                    if (_cur.Globals.Contains(n)) throw AtNode($"name '{n}' is nonlocal and global", _cur.DeclaredAt[n]);
                    _cur.Nonlocals.Add(n);
                    _cur.DeclaredAt.TryAdd(n, nl);
                }
                break;
            case Import im:
                foreach (var a in im.Names) Bind(a.AsName ?? a.Name.Split('.')[0]);
                break;
            case ImportFrom imf:
                foreach (var a in imf.Names) if (a.Name != "*") Bind(a.AsName ?? a.Name);
                break;
            case Match m:
                VisitExpr(m.Subject);
                foreach (var c in m.Cases) { VisitPattern(c.Pattern); if (c.Guard != null) VisitExpr(c.Guard); VisitBody(c.Body); }
                break;
        }
    }

    private void VisitPattern(Pattern p)
    {
        switch (p)
        {
            case MatchValue v: VisitExpr(v.Value); break;
            case MatchCapture c: if (c.Name != null) Bind(c.Name); if (c.Inner != null) VisitPattern(c.Inner); break;
            case MatchSequence s: foreach (var x in s.Items) VisitPattern(x); if (s.StarName != null) Bind(s.StarName); break;
            case MatchMapping m: foreach (var k in m.Keys) VisitExpr(k); foreach (var v in m.Values) VisitPattern(v); if (m.Rest != null) Bind(m.Rest); break;
            case MatchClass c: VisitExpr(c.Cls); foreach (var a in c.Args) VisitPattern(a); foreach (var a in c.KwValues) VisitPattern(a); break;
            case MatchOr o: foreach (var a in o.Alts) VisitPattern(a); break;
        }
    }

    /// <summary>CPython's symtable refuses yield in a comprehension's own scope (it would make the comprehension a generator).</summary>
    private void CheckYieldPlace(Expr y)
    {
        if (!_cur.IsComprehension) return;
        string what = _cur.Name switch
        {
            "<listcomp>" => "list comprehension", "<setcomp>" => "set comprehension", "<dictcomp>" => "dict comprehension", _ => "generator expression",
        };
        throw new SyntaxErrorException($"'yield' inside {what}", y.Line, y.Col + 1);
    }

    private void VisitTarget(Expr t)
    {
        switch (t)
        {
            case Name n: Bind(n.Id); break;
            case Attribute a: VisitExpr(a.Value); break;
            case Subscript s: VisitExpr(s.Value); VisitExpr(s.Index); break;
            case Starred st: VisitTarget(st.Value); break;
            case TupleE tu: foreach (var e in tu.Elts) VisitTarget(e); break;
            case ListE l: foreach (var e in l.Elts) VisitTarget(e); break;
        }
    }

    /// <summary>CPython's symtable limit: 3 × the recursion limit, less 3 × the depth of the Python code compiling;
    /// past it (or near the end of the thread's stack) RecursionError "... during compilation".</summary>
    private long _depth = (Vm.ThreadState.CurrentOrNull?.Depth ?? 0) * 3L;
    private readonly long _limit = (Vm.ThreadState.CurrentOrNull?.RecursionLimit ?? Vm.InterpreterState.DefaultRecursionLimit) * 3L;

    private void Enter()
    {
        if (++_depth > _limit || Vm.PythonThread.StackExhausted()) throw Parsing.Parser.CompileRecursionError();
    }

    private void VisitExpr(Expr e)
    {
        Enter();
        try { VisitExprCore(e); }
        finally { _depth--; }
    }

    private void VisitExprCore(Expr e)
    {
        switch (e)
        {
            case Name n:
                Use(n.Id);
                if (n.Id == "super" || n.Id == "__class__") UseClassCell();
                break;
            case Constant: break;
            case JoinedStr j: foreach (var p in j.Parts) VisitExpr(p); break;
            case FormattedValue f: VisitExpr(f.Value); if (f.Spec != null) VisitExpr(f.Spec); break;
            case BinOpE b: VisitExpr(b.Left); VisitExpr(b.Right); break;
            case UnaryE u: VisitExpr(u.Operand); break;
            case BoolOpE bo: foreach (var v in bo.Values) VisitExpr(v); break;
            case Compare c: VisitExpr(c.Left); foreach (var v in c.Comparators) VisitExpr(v); break;
            case IfExp i: VisitExpr(i.Test); VisitExpr(i.Body); VisitExpr(i.OrElse); break;
            case Lambda l:
                VisitArgsDefaults(l.Args);
                Push(l, ScopeKind.Function, "<lambda>").IsLambda = true;
                AddParams(l.Args);
                VisitExpr(l.Body);
                Pop();
                break;
            case NamedExpr ne:
                {
                    VisitExpr(ne.Value);
                    var s = _cur;
                    if (s.IsComprehension)
                    {
                        var target = s;
                        while (target.IsComprehension)
                        {
                            if (target.IterVars?.Contains(ne.Target.Id) == true)
                                throw AtNode($"assignment expression cannot rebind comprehension iteration variable '{ne.Target.Id}'", ne.Target);
                            (target.WalrusTargets ??= new()).Add(ne.Target.Id);
                            target = target.Parent!;
                        }
                        if (target.Kind == ScopeKind.Class) throw new SyntaxErrorException("assignment expression within a comprehension cannot be used in a class body", ne.Line, ne.Col + 1);
                        target.AddBound(ne.Target.Id);
                        for (var c = s; c != target; c = c.Parent!)
                        {
                            if (target.Kind == ScopeKind.Module) c.Globals.Add(ne.Target.Id);
                            else c.Nonlocals.Add(ne.Target.Id);
                        }
                    }
                    else Bind(ne.Target.Id);
                    break;
                }
            case Call c:
                VisitExpr(c.Func);
                foreach (var a in c.Args) VisitExpr(a);
                foreach (var k in c.Keywords) VisitExpr(k.Value);
                break;
            case Attribute a: VisitExpr(a.Value); break;
            case Subscript s: VisitExpr(s.Value); VisitExpr(s.Index); break;
            case SliceE sl: if (sl.Lower != null) VisitExpr(sl.Lower); if (sl.Upper != null) VisitExpr(sl.Upper); if (sl.Step != null) VisitExpr(sl.Step); break;
            case Starred st: VisitExpr(st.Value); break;
            case ListE l: foreach (var x in l.Elts) VisitExpr(x); break;
            case TupleE t: foreach (var x in t.Elts) VisitExpr(x); break;
            case SetE se: foreach (var x in se.Elts) VisitExpr(x); break;
            case DictE d: foreach (var k in d.Keys) if (k != null) VisitExpr(k); foreach (var v in d.Values) VisitExpr(v); break;
            case Comp comp:
                {
                    VisitExpr(comp.Gens[0].Iter);
                    var sc = Push(comp, ScopeKind.Function, comp.Kind switch { CompKind.List => "<listcomp>", CompKind.Set => "<setcomp>", CompKind.Dict => "<dictcomp>", _ => "<genexpr>" });
                    sc.IsComprehension = true;
                    sc.IsGenerator = comp.Kind == CompKind.Gen;
                    AddParam(new Arg { Name = ".0" });
                    for (int i = 0; i < comp.Gens.Count; i++)
                    {
                        var g = comp.Gens[i];
                        if (i > 0) VisitExpr(g.Iter);
                        AddIterVars(sc, g.Target);
                        VisitTarget(g.Target);
                        foreach (var cond in g.Ifs) VisitExpr(cond);
                    }
                    VisitExpr(comp.Elt);
                    if (comp.Value != null) VisitExpr(comp.Value);
                    foreach (var g in comp.Gens) if (g.IsAsync) sc.IsAsync = true;
                    if (sc.HasAwait) sc.IsAsync = true;
                    Pop();
                    // an async list/set/dict comprehension is awaited where it stands (an async genexpr is not)
                    if (sc.IsAsync && comp.Kind != CompKind.Gen) _cur.HasAwait = true;
                    break;
                }
            case Yield y:
                CheckYieldPlace(y);
                _cur.IsGenerator = true;
                if (y.Value != null) VisitExpr(y.Value);
                break;
            case YieldFrom yf: CheckYieldPlace(yf); _cur.IsGenerator = true; VisitExpr(yf.Value); break;
            case Await aw: _cur.HasAwait = true; VisitExpr(aw.Value); break;
        }
    }

    private void UseClassCell()
    {
        if (_cur.Kind != ScopeKind.Function) return;
        for (var s = _cur.Parent; s != null; s = s.Parent)
            if (s.Kind == ScopeKind.Class) { _cur.Used.Add("__class__"); return; }
    }

    private static void AddIterVars(Scope sc, Expr target)
    {
        switch (target)
        {
            case Name n:
                if (sc.WalrusTargets?.Contains(n.Id) == true)
                    throw AtNode($"comprehension inner loop cannot rebind assignment expression target '{n.Id}'", n);
                (sc.IterVars ??= new()).Add(n.Id);
                break;
            case TupleE t: foreach (var e in t.Elts) AddIterVars(sc, e); break;
            case ListE l: foreach (var e in l.Elts) AddIterVars(sc, e); break;
            case Starred st: AddIterVars(sc, st.Value); break;
        }
    }

    /// <summary>An error over a node's range.</summary>
    private static SyntaxErrorException AtNode(string msg, Node n) =>
        new(msg, n.Line, n.Col + 1) { EndLine = n.EndLine, EndCol = n.EndLine > 0 ? n.EndCol + 1 : 0 };

    private void ResolveAll(Scope s)
    {
        foreach (var n in s.Used) ResolveFree(s, n);
        foreach (var n in s.Nonlocals)
        {
            if (!ResolveFree(s, n, true))
                throw s.DeclaredAt.TryGetValue(n, out var at) ? AtNode($"no binding for nonlocal '{n}' found", at)
                    : new SyntaxErrorException($"no binding for nonlocal '{n}' found", 0, 0);
        }
        foreach (var c in s.Children) ResolveAll(c);
    }

    /// <summary>If name n used in s refers to an enclosing function binding, make it free here and a cell there.</summary>
    private bool ResolveFree(Scope s, string n, bool isNonlocal = false)
    {
        if (s.Kind == ScopeKind.Module) return false;
        if (s.Globals.Contains(n)) return false;
        if (!isNonlocal && s.Bound.Contains(n) && !s.Nonlocals.Contains(n)) return false;
        if (s.FreeVars.Contains(n)) return true;
        // class cell
        if (n == "__class__")
        {
            for (var p = s.Parent; p != null; p = p.Parent)
            {
                if (p.Kind == ScopeKind.Class)
                {
                    p.NeedsClassCell = true;
                    if (!p.CellVars.Contains(n)) p.CellVars.Add(n);
                    for (var q = s; q != p; q = q.Parent!) if (!q.FreeVars.Contains(n)) q.FreeVars.Add(n);
                    return true;
                }
            }
            return false;
        }
        for (var p = s.Parent; p != null; p = p.Parent)
        {
            if (p.Kind == ScopeKind.Module) return false;
            if (p.Kind == ScopeKind.Class) continue;
            if (p.Globals.Contains(n)) return false;
            if (p.Bound.Contains(n) && !p.Nonlocals.Contains(n))
            {
                if (!p.CellVars.Contains(n)) p.CellVars.Add(n);
                for (var q = s; q != p; q = q.Parent!) if (!q.FreeVars.Contains(n)) q.FreeVars.Add(n);
                return true;
            }
            if (p.Nonlocals.Contains(n) || p.FreeVars.Contains(n))
            {
                for (var q = s; q != p; q = q.Parent!) if (!q.FreeVars.Contains(n)) q.FreeVars.Add(n);
                return true;
            }
        }
        return false;
    }
}
