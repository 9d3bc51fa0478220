using System;
using System.Collections.Generic;
using Invisible.Python.Ast;
using Invisible.Python.Lexing;
using Invisible.Python.Runtime;

namespace Invisible.Python.Compiler;

public sealed class Label { public int Pos = -1; public readonly List<int> Patches = new(); }

/// <summary>Compiles an AST (with its symbol table) to CodeObjects.</summary>
public sealed class CodeGen
{
    private enum FKind { WhileLoop, ForLoop, TryExcept, Finally, FinallyEnd, HandlerBody, With, ExceptStarBody, PopValue }
    private sealed class FBlock
    {
        public FKind Kind; public Label? Continue, Break; public List<Stmt>? FinalBody; public string? HandlerName; public bool IsAsync;
    }

    private readonly Symtable _st;
    private readonly Scope _scope;
    private readonly string _filename;
    private readonly string _qualPrefix;
    private readonly List<int> _code = new();
    private readonly List<int> _lines = new();
    /// <summary>Each instruction's end line and packed columns (<see cref="CodeObject.Cols"/>), with <see cref="_lines"/>
    /// its source range (PEP 657: traceback's carets).</summary>
    private readonly List<int> _endLines = new(), _cols = new();
    private readonly List<PyObject> _consts = new();
    private readonly Dictionary<object, int> _constIdx = new();
    private readonly List<PyStr> _names = new();
    private readonly Dictionary<string, int> _nameIdx = new();
    private readonly List<PyStr[]> _kwTables = new();
    private readonly List<string> _varnames = new();
    private readonly List<FBlock> _fblocks = new();
    private int _line = 1, _endLine = 1, _packedCols;
    /// <summary>The module's source for UTF-8 column offsets (null: columns are already bytes, or unknown).</summary>
    private SourceColumns? _columns;
    private readonly bool _interactive;

    private CodeGen(Symtable st, Scope scope, string filename, string qualPrefix, bool interactive = false)
    {
        _st = st; _scope = scope; _filename = filename; _qualPrefix = qualPrefix; _interactive = interactive;
        if (scope.Kind == ScopeKind.Function)
        {
            _varnames.AddRange(scope.Params);
            foreach (var l in scope.Locals) if (!_varnames.Contains(l)) _varnames.Add(l);
        }
    }

    public static CodeObject CompileModule(ModuleNode m, string filename, bool interactive = false, bool nameOps = false)
    {
        var st = Symtable.Build(m);
        st.FutureAnnotations = HasFutureAnnotations(m.Body);
        var g = new CodeGen(st, st.Top, filename, "", interactive) { _moduleNameOps = nameOps };
        if (m.Source != null) g._columns = new SourceColumns(m.Source);
        if (m.Body.Count > 0) g.SetLine(m.Body[0].Line);
        if (m.TokenizerWarnings != null) foreach (var w in m.TokenizerWarnings) g.CompilerWarning(w.Msg, w.Line, w.Col, w.Deprecation ? "DeprecationWarning" : "SyntaxWarning");
        var doc = DocString(m.Body);
        if (doc != null && !interactive) { g.EmitConst(doc); g.StoreName("__doc__"); }
        if (HasAnnotations(m.Body)) g.Emit(Op.SetupAnnotations);
        if (m.IsEval && m.Body is [Assign { Value: var value } ev])
        {
            // eval: the expression's value is the code's return value
            g.SetPos(ev);
            g.CompileExpr(value);
            g.Emit(Op.ReturnValue);
        }
        else
        {
            g.CompileBody(m.Body);
            g.EmitConst(PyNone.Instance);
            g.Emit(Op.ReturnValue);
        }
        var c = g.Finish("<module>", "<module>");
        c.IsModule = true;
        c.UsesNameOps = nameOps;
        c.FirstLine = 1;
        return c;
    }

    /// <summary>PEP 563: <c>from __future__ import annotations</c> among the future imports that open the module
    /// (after its docstring).</summary>
    private static bool HasFutureAnnotations(List<Stmt> body)
    {
        int i = DocString(body) != null ? 1 : 0;
        for (; i < body.Count && body[i] is ImportFrom imp && imp.Module == "__future__" && imp.Level == 0; i++)
            foreach (var a in imp.Names) if (a.Name == "annotations") return true;
        return false;
    }

    /// <summary>An annotation's value: evaluated, or its source text under PEP 563.</summary>
    private void CompileAnnotation(Expr annotation)
    {
        if (_st.FutureAnnotations) EmitConst(new PyStr(Unparse.Annotation(annotation)));
        else if (annotation is Starred star)
        {
            // *args: *Ts (PEP 646): CPython's compiler_visit_argannotation unpacks the value into exactly one item
            CompileExpr(star.Value);
            Emit(Op.UnpackSequence, 1);
        }
        else CompileExpr(annotation);
    }

    private static bool HasAnnotations(List<Stmt> body)
    {
        foreach (var s in body)
        {
            switch (s)
            {
                case AnnAssign: return true;
                case If i: if (HasAnnotations(i.Body) || HasAnnotations(i.OrElse)) return true; break;
                case For f: if (HasAnnotations(f.Body) || HasAnnotations(f.OrElse)) return true; break;
                case While w: if (HasAnnotations(w.Body) || HasAnnotations(w.OrElse)) return true; break;
                case Try t: if (HasAnnotations(t.Body) || HasAnnotations(t.OrElse) || HasAnnotations(t.FinalBody)) return true; break;
                case With w2: if (HasAnnotations(w2.Body)) return true; break;
            }
        }
        return false;
    }

    private static PyObject? DocString(List<Stmt> body)
        => body.Count > 0 && body[0] is ExprStmt { Value: Constant { Value: PyStr s } } ? s : null;

    // ---------------- emission ----------------
    private int Emit(Op op, int arg = 0)
    {
        _code.Add((int)op | (arg << 8));
        _lines.Add(_line);
        _endLines.Add(_endLine);
        _cols.Add(_packedCols);
        return _code.Count - 1;
    }

    /// <summary>The instructions emitted next come from node <paramref name="n"/> (its whole range), as CPython's
    /// SET_LOC; a node without a position (made by the compiler) leaves the current one.</summary>
    private void SetPos(Node n)
    {
        if (n.Line <= 0) return;
        _line = n.Line;
        if (n.EndLine < n.Line) { _endLine = n.Line; _packedCols = 0; return; }
        _endLine = n.EndLine;
        int col = _columns?.ToUtf8(n.Line, n.Col) ?? n.Col, endCol = _columns?.ToUtf8(n.EndLine, n.EndCol) ?? n.EndCol;
        _packedCols = CodeObject.PackCols(col, endCol);
    }

    /// <summary>An attribute spanning lines is reported from its name on (CPython's update_start_location_to_match_attr).</summary>
    private void StartAtAttrName(Ast.Attribute a)
    {
        if (a.EndLine <= 0 || a.Line == a.EndLine) return;
        int endCol = _packedCols == 0 ? -1 : (int)((uint)_packedCols >> 16) - 1;
        int col = a.EndCol - a.Attr.Length;
        _line = a.EndLine; _endLine = a.EndLine;
        _packedCols = col < 0 || endCol < 0 ? 0 : CodeObject.PackCols(_columns?.ToUtf8(a.EndLine, col) ?? col, endCol);
    }

    /// <summary>The instructions emitted next belong to a line, columns unknown.</summary>
    private void SetLine(int line) { _line = line; _endLine = line; _packedCols = 0; }

    private (int, int, int) SavePos() => (_line, _endLine, _packedCols);
    private void RestorePos((int Line, int EndLine, int Cols) p) { _line = p.Line; _endLine = p.EndLine; _packedCols = p.Cols; }

    private void EmitJump(Op op, Label l)
    {
        int at = Emit(op, 0);
        if (l.Pos >= 0) _code[at] = (int)op | (l.Pos << 8);
        else l.Patches.Add(at);
    }

    private void Mark(Label l)
    {
        l.Pos = _code.Count;
        foreach (var p in l.Patches) _code[p] = (_code[p] & 0xFF) | (l.Pos << 8);
        l.Patches.Clear();
    }

    private int Const(PyObject v)
    {
        object key = v switch
        {
            PyStr s => "s:" + s.Value,
            PyBool b => b,
            PyInt i => "i:" + i.Repr(),
            _ => v,
        };
        if (_constIdx.TryGetValue(key, out int idx)) return idx;
        _consts.Add(v);
        _constIdx[key] = _consts.Count - 1;
        return _consts.Count - 1;
    }

    private void EmitConst(PyObject v) => Emit(Op.LoadConst, Const(v));

    private int Name(string n)
    {
        if (_nameIdx.TryGetValue(n, out int i)) return i;
        _names.Add(PyStr.Intern(n));
        _nameIdx[n] = _names.Count - 1;
        return _names.Count - 1;
    }

    private int VarIndex(string n)
    {
        int i = _varnames.IndexOf(n);
        if (i < 0) { _varnames.Add(n); i = _varnames.Count - 1; }
        return i;
    }

    private int CellIndex(string n)
    {
        int i = _scope.CellVars.IndexOf(n);
        if (i >= 0) return i;
        i = _scope.FreeVars.IndexOf(n);
        if (i < 0) throw new InvalidOperationException("no cell " + n);
        return _scope.CellVars.Count + i;
    }

    private string Mangle(string n) => Symtable.Mangle(_scope.ClassName, n);

    private CodeObject Finish(string name, string qualname)
    {
        var c = new CodeObject
        {
            Name = name, QualName = qualname, Filename = _filename,
            Code = _code.ToArray(), Lines = _lines.ToArray(), EndLines = _endLines.ToArray(), Cols = _cols.ToArray(), Consts = _consts.ToArray(), Names = _names.ToArray(),
            KwNameTable = _kwTables.ToArray(),
            VarNames = _varnames.ToArray(),
            CellVars = _scope.CellVars.ToArray(), FreeVars = _scope.FreeVars.ToArray(),
            IsGenerator = (_scope.IsGenerator || _scope.IsAsync) && _scope.Kind == ScopeKind.Function,
            IsCoroutine = _scope.IsAsync && !_scope.IsGenerator && _scope.Kind == ScopeKind.Function,
            IsAsyncGenerator = _scope.IsAsync && _scope.IsGenerator && _scope.Kind == ScopeKind.Function,
            IsClassBody = _scope.Kind == ScopeKind.Class,
        };
        c.VarNameStrs = Array.ConvertAll(c.VarNames, s => PyStr.Intern(s));
        c.Cell2Arg = new int[c.CellVars.Length];
        for (int i = 0; i < c.CellVars.Length; i++) c.Cell2Arg[i] = _scope.Kind == ScopeKind.Function ? _scope.Params.IndexOf(c.CellVars[i]) : -1;
        c.Caches = new object?[c.Code.Length];
        c.StackSize = StackDepth.Compute(c.Code) + 2;
        return c;
    }

    // ---------------- names ----------------
    /// <summary>Module code compiled for exec/eval with separate locals: its names are LOAD_NAME/STORE_NAME (locals
    /// first), except those declared global.</summary>
    private bool _moduleNameOps;

    private NameKind ResolveName(string n) =>
        _moduleNameOps && _scope.Kind == ScopeKind.Module && !_st.DeclaredGlobal.Contains(n) ? NameKind.Name : _scope.Resolve(n);

    private void LoadName(string raw)
    {
        var n = Mangle(raw);
        switch (ResolveName(n))
        {
            case NameKind.Fast: Emit(Op.LoadFast, VarIndex(n)); break;
            case NameKind.Deref: Emit(Op.LoadDeref, CellIndex(n)); break;
            case NameKind.Global: Emit(Op.LoadGlobal, Name(n)); break;
            case NameKind.Name: Emit(Op.LoadName, Name(n)); break;
            case NameKind.ClassDeref: Emit(Op.LoadClassDeref, (CellIndex(n) << 12) | Name(n)); break;
        }
    }

    private void StoreName(string raw)
    {
        var n = Mangle(raw);
        switch (ResolveName(n))
        {
            case NameKind.Fast: Emit(Op.StoreFast, VarIndex(n)); break;
            case NameKind.Deref: Emit(Op.StoreDeref, CellIndex(n)); break;
            case NameKind.Global: Emit(Op.StoreGlobal, Name(n)); break;
            default: Emit(Op.StoreName, Name(n)); break;
        }
    }

    private void DeleteName(string raw)
    {
        var n = Mangle(raw);
        switch (ResolveName(n))
        {
            case NameKind.Fast: Emit(Op.DeleteFast, VarIndex(n)); break;
            case NameKind.Deref: Emit(Op.DeleteDeref, CellIndex(n)); break;
            case NameKind.Global: Emit(Op.DeleteGlobal, Name(n)); break;
            default: Emit(Op.DeleteName, Name(n)); break;
        }
    }

    // ---------------- statements ----------------
    private void CompileBody(List<Stmt> body) { foreach (var s in body) CompileStmt(s); }

    private SyntaxErrorException Err(string msg, Node n) => new(msg, n.Line, n.Col + 1);

    private void CompileStmt(Stmt s)
    {
        // The symtable pass bounded the nesting; this guards the stack of a thread that has little of it.
        if (Vm.PythonThread.StackExhausted()) throw Parsing.Parser.CompileRecursionError();
        SetPos(s);
        switch (s)
        {
            case ExprStmt e:
                if (e.Value is Constant && !_interactive) return;
                CompileExpr(e.Value);
                Emit(_interactive && _scope.Kind == ScopeKind.Module ? Op.PrintExpr : Op.PopTop);
                break;
            case Assign a:
                CompileExpr(a.Value);
                for (int i = 0; i < a.Targets.Count; i++)
                {
                    if (i < a.Targets.Count - 1) Emit(Op.DupTop);
                    CompileStore(a.Targets[i]);
                }
                break;
            case AugAssign aug: CompileAugAssign(aug); break;
            case AnnAssign an:
                if (an.Value != null) { CompileExpr(an.Value); CompileStore(an.Target); }
                if (an.Simple && _scope.Kind != ScopeKind.Function && an.Target is Ast.Name an2)
                {
                    CompileAnnotation(an.Annotation);
                    LoadName("__annotations__");
                    EmitConst(PyStr.Intern(Mangle(an2.Id)));
                    Emit(Op.StoreSubscr);
                }
                break;
            case If i: CompileIf(i); break;
            case While w: CompileWhile(w); break;
            case For f: CompileFor(f); break;
            case Break b: CompileBreakContinue(true, b); break;
            case Continue c: CompileBreakContinue(false, c); break;
            case Pass: break;
            case Return r:
                if (_scope.Kind != ScopeKind.Function) throw Err("'return' outside function", r);
                if (r.Value != null && _scope.IsAsync && _scope.IsGenerator) throw Err("'return' with value in async generator", r);
                foreach (var fb in _fblocks)
                    if (fb.Kind == FKind.ExceptStarBody) throw Err("'break', 'continue' and 'return' cannot appear in an except* block", r);
                if (r.Value != null) CompileExpr(r.Value); else EmitConst(PyNone.Instance);
                UnwindAll(true);
                Emit(Op.ReturnValue);
                break;
            case FunctionDef fd: CompileFunctionDef(fd); break;
            case ClassDef cd: CompileClassDef(cd); break;
            case Try t: CompileTry(t); break;
            case Raise r:
                if (r.Exc == null) Emit(Op.Raise, 0);
                else
                {
                    CompileExpr(r.Exc);
                    if (r.Cause != null) { CompileExpr(r.Cause); Emit(Op.Raise, 2); }
                    else Emit(Op.Raise, 1);
                }
                break;
            case With w: CompileWith(w, 0); break;
            case Assert a:
                {
                    if (a.Test is TupleE { Elts.Count: > 0 }) CompilerWarning("assertion is always true, perhaps remove parentheses?", a);
                    var ok = new Label();
                    CompileJumpIf(a.Test, true, ok);
                    Emit(Op.LoadAssertionError);
                    if (a.Msg != null) { CompileExpr(a.Msg); Emit(Op.Call, 1); }
                    Emit(Op.Raise, 1);
                    Mark(ok);
                    break;
                }
            case Delete d: foreach (var t in d.Targets) CompileDelete(t); break;
            case Global: case Nonlocal: break;
            case Import im:
                foreach (var a in im.Names)
                {
                    EmitConst(PyInt.Zero);
                    EmitConst(PyNone.Instance);
                    Emit(Op.ImportName, Name(a.Name));
                    if (a.AsName != null)
                    {
                        var parts = a.Name.Split('.');
                        for (int k = 1; k < parts.Length; k++) Emit(Op.LoadAttr, Name(parts[k]));
                        StoreName(a.AsName);
                    }
                    else StoreName(a.Name.Split('.')[0]);
                }
                break;
            case ImportFrom imf:
                {
                    EmitConst(PyInt.Get(imf.Level));
                    var fl = new PyObject[imf.Names.Count];
                    for (int k = 0; k < fl.Length; k++) fl[k] = new PyStr(imf.Names[k].Name);
                    EmitConst(new PyTuple(fl));
                    Emit(Op.ImportName, Name(imf.Module ?? ""));
                    if (imf.Names.Count == 1 && imf.Names[0].Name == "*")
                    {
                        if (_scope.Kind == ScopeKind.Function)
                            throw imf.Names[0].Line > 0
                                ? new SyntaxErrorException("import * only allowed at module level", imf.Names[0].Line, imf.Names[0].Col + 1) { EndLine = imf.Names[0].Line, EndCol = imf.Names[0].Col + 2 }
                                : Err("import * only allowed at module level", imf);
                        Emit(Op.ImportStar);
                        break;
                    }
                    foreach (var a in imf.Names)
                    {
                        Emit(Op.ImportFrom, Name(a.Name));
                        StoreName(a.AsName ?? a.Name);
                    }
                    Emit(Op.PopTop);
                    break;
                }
            case Match m: CompileMatch(m); break;
            default: throw Err("unsupported statement", s);
        }
    }

    private void CompileAugAssign(AugAssign a)
    {
        switch (a.Target)
        {
            case Ast.Name n:
                LoadName(n.Id); CompileExpr(a.Value); Emit(Op.Inplace, (int)a.Op); StoreName(n.Id);
                break;
            case Ast.Attribute at:
                CompileExpr(at.Value); Emit(Op.DupTop); Emit(Op.LoadAttr, Name(Mangle(at.Attr)));
                CompileExpr(a.Value); Emit(Op.Inplace, (int)a.Op);
                Emit(Op.RotTwo); Emit(Op.StoreAttr, Name(Mangle(at.Attr)));
                break;
            case Subscript sub:
                CompileExpr(sub.Value); CompileExpr(sub.Index); Emit(Op.DupTopTwo); Emit(Op.BinarySubscr);
                CompileExpr(a.Value); Emit(Op.Inplace, (int)a.Op);
                Emit(Op.RotThree); Emit(Op.StoreSubscr);
                break;
        }
    }

    private void CompileStore(Expr t)
    {
        switch (t)
        {
            case Ast.Name n: StoreName(n.Id); break;
            case Ast.Attribute a: CompileExpr(a.Value); Emit(Op.StoreAttr, Name(Mangle(a.Attr))); break;
            case Subscript s: CompileExpr(s.Value); CompileExpr(s.Index); Emit(Op.StoreSubscr); break;
            case TupleE tu: CompileUnpack(tu.Elts, t); break;
            case ListE l: CompileUnpack(l.Elts, t); break;
            case Starred st: throw Err("starred assignment target must be in a list or tuple", st);
            default: throw Err("cannot assign to expression", t);
        }
    }

    private void CompileUnpack(List<Expr> elts, Node at)
    {
        int star = -1;
        for (int i = 0; i < elts.Count; i++)
            if (elts[i] is Starred) { if (star >= 0) throw Err("multiple starred expressions in assignment", at); star = i; }
        if (star < 0) Emit(Op.UnpackSequence, elts.Count);
        else Emit(Op.UnpackEx, star | ((elts.Count - star - 1) << 8));
        foreach (var e in elts) CompileStore(e is Starred s ? s.Value : e);
    }

    private void CompileDelete(Expr t)
    {
        switch (t)
        {
            case Ast.Name n: DeleteName(n.Id); break;
            case Ast.Attribute a: CompileExpr(a.Value); Emit(Op.DeleteAttr, Name(Mangle(a.Attr))); break;
            case Subscript s: CompileExpr(s.Value); CompileExpr(s.Index); Emit(Op.DeleteSubscr); break;
            case TupleE tu: foreach (var e in tu.Elts) CompileDelete(e); break;
            case ListE l: foreach (var e in l.Elts) CompileDelete(e); break;
        }
    }

    private void CompileIf(If i)
    {
        var end = new Label();
        var orelse = new Label();
        CompileJumpIf(i.Test, false, i.OrElse.Count > 0 ? orelse : end);
        CompileBody(i.Body);
        if (i.OrElse.Count > 0)
        {
            EmitJump(Op.Jump, end);
            Mark(orelse);
            CompileBody(i.OrElse);
        }
        Mark(end);
    }

    private void CompileWhile(While w)
    {
        var top = new Label(); var end = new Label(); var orelse = new Label();
        Mark(top);
        CompileJumpIf(w.Test, false, orelse);
        _fblocks.Add(new FBlock { Kind = FKind.WhileLoop, Continue = top, Break = end });
        CompileBody(w.Body);
        _fblocks.RemoveAt(_fblocks.Count - 1);
        EmitJump(Op.Jump, top);
        Mark(orelse);
        CompileBody(w.OrElse);
        Mark(end);
    }

    /// <summary>An all-constant set display as the frozenset CPython's optimizer folds it into (else null).</summary>
    /// <remarks>CPython's constant merging then rebuilds the frozenset from its own iteration order.</remarks>
    private static PySet? ConstSet(SetE se)
    {
        var fs = new PySet(true);
        foreach (var x in se.Elts)
        {
            var v = ConstValue(x);
            if (v == null) return null;
            fs.Add(v);
        }
        var merged = new PySet(true);
        foreach (var v in fs.Elements()) merged.Add(v);
        return merged;
    }
    /// <summary>The value of an expression CPython's AST optimizer folds to a constant (numbers only), else null.</summary>
    private static PyObject? ConstValue(Expr e)
    {
        switch (e)
        {
            case Constant c: return c.Value;
            case TupleE t:
                {
                    var items = new PyObject[t.Elts.Count];
                    for (int i = 0; i < items.Length; i++) { var v = ConstValue(t.Elts[i]); if (v == null) return null; items[i] = v; }
                    return new PyTuple(items);
                }
            case UnaryE u when u.Op != UnaryKind.Not && ConstValue(u.Operand) is PyObject o && IsNumber(o):
                try { return Ops.UnaryOp(o, u.Op == UnaryKind.Neg ? UnOp.Neg : u.Op == UnaryKind.Pos ? UnOp.Pos : UnOp.Invert); }
                catch (PyException) { return null; }
            case BinOpE b when b.Op != BinOp.MatMul && ConstValue(b.Left) is PyObject l && IsNumber(l) && ConstValue(b.Right) is PyObject r && IsNumber(r):
                if (l is PyInt li && r is PyInt ri)
                {
                    // the optimizer's size limits: no folded int wider than 128 bits
                    long lb = (long)System.Numerics.BigInteger.Abs(li.Big).GetBitLength(), rb = (long)System.Numerics.BigInteger.Abs(ri.Big).GetBitLength();
                    if (b.Op == BinOp.Mul && lb > 0 && rb > 0 && lb + rb > 128) return null;
                    if (b.Op == BinOp.Pow && ri.Sign >= 0 && lb > 0 && (rb > 8 || lb * (long)ri.Big > 128)) return null;
                    if (b.Op == BinOp.LShift && (ri.Sign < 0 || rb > 8 || (long)ri.Big > 128 || lb > 128 - (long)ri.Big)) return null;
                }
                try { return Ops.BinaryOp(l, r, b.Op); }
                catch (PyException) { return null; }
            default: return null;
        }
    }
    private static bool IsNumber(PyObject o) => o is PyInt || o is PyFloat || o is PyComplex;
    /// <summary>An iterable of a for loop or comprehension: an all-constant set display iterates as a frozenset.</summary>
    private void CompileIterable(Expr e)
    {
        if (e is SetE se && ConstSet(se) is PySet folded) EmitConst(folded);
        else CompileExpr(e);
    }

    /// <summary>await TOS: its awaitable (GET_AWAITABLE's <paramref name="where"/>: 0 await, 1 after __aenter__,
    /// 2 after __aexit__, for the error text), then delegate to it until it returns.</summary>
    private void EmitAwait(int where)
    {
        Emit(Op.GetAwaitable, where);
        EmitConst(PyNone.Instance);
        Emit(Op.YieldFrom);
    }

    private void CheckAsyncAllowed(Node at, string what)
    {
        if (_scope.Kind != ScopeKind.Function || !_scope.IsAsync) throw Err($"{what} outside async function", at);
    }

    /// <summary>The head of an async for loop (TOS: the async iterator): the next item awaited, or a jump to
    /// <paramref name="exhausted"/> with the iterator popped once __anext__ raised StopAsyncIteration.</summary>
    private void EmitAsyncForNext(Label exhausted)
    {
        var handler = new Label(); var got = new Label();
        EmitJump(Op.SetupExcept, handler);
        Emit(Op.GetANext);
        EmitAwait(0);
        Emit(Op.PopBlock);
        EmitJump(Op.Jump, got);
        Mark(handler);
        Emit(Op.EndAsyncFor); // StopAsyncIteration: pops it and the iterator; anything else is re-raised
        EmitJump(Op.Jump, exhausted);
        Mark(got);
    }

    private void CompileFor(For f)
    {
        if (f.IsAsync) { CompileAsyncFor(f); return; }
        var top = new Label(); var end = new Label(); var orelse = new Label();
        CompileIterable(f.Iter);
        Emit(Op.GetIter);
        Mark(top);
        SetPos(f);
        EmitJump(Op.ForIter, orelse);
        CompileForBody(f, top, orelse, end);
    }

    /// <summary>for and async for after the next item is fetched: the target, the body as a loop block, the jump back,
    /// then the else clause.</summary>
    private void CompileForBody(For f, Label top, Label orelse, Label end)
    {
        CompileStore(f.Target);
        _fblocks.Add(new FBlock { Kind = FKind.ForLoop, Continue = top, Break = end });
        CompileBody(f.Body);
        _fblocks.RemoveAt(_fblocks.Count - 1);
        EmitJump(Op.Jump, top);
        Mark(orelse);
        CompileBody(f.OrElse);
        Mark(end);
    }

    private void CompileAsyncFor(For f)
    {
        CheckAsyncAllowed(f, "'async for'");
        var top = new Label(); var end = new Label(); var orelse = new Label();
        CompileIterable(f.Iter);
        Emit(Op.GetAIter);
        Mark(top);
        SetPos(f);
        EmitAsyncForNext(orelse);
        CompileForBody(f, top, orelse, end);
    }

    private void CompileBreakContinue(bool isBreak, Stmt s)
    {
        int loop = -1;
        for (int i = _fblocks.Count - 1; i >= 0; i--)
            if (_fblocks[i].Kind == FKind.WhileLoop || _fblocks[i].Kind == FKind.ForLoop) { loop = i; break; }
        if (loop < 0) throw Err(isBreak ? "'break' outside loop" : "'continue' not properly in loop", s);
        for (int i = _fblocks.Count - 1; i > loop; i--)
            if (_fblocks[i].Kind == FKind.ExceptStarBody) throw Err("'break', 'continue' and 'return' cannot appear in an except* block", s);
        for (int i = _fblocks.Count - 1; i > loop; i--) UnwindBlock(i, false);
        var lb = _fblocks[loop];
        if (isBreak)
        {
            if (lb.Kind == FKind.ForLoop) Emit(Op.PopTop);
            EmitJump(Op.Jump, lb.Break!);
        }
        else EmitJump(Op.Jump, lb.Continue!);
    }

    private void UnwindAll(bool preserveTos)
    {
        for (int i = _fblocks.Count - 1; i >= 0; i--) UnwindBlock(i, preserveTos);
    }

    private void UnwindBlock(int i, bool preserveTos)
    {
        var b = _fblocks[i];
        switch (b.Kind)
        {
            case FKind.WhileLoop: break;
            case FKind.PopValue:
                if (preserveTos) Emit(Op.RotTwo);
                Emit(Op.PopTop);
                break;
            case FKind.ForLoop:
                if (preserveTos) { Emit(Op.RotTwo); Emit(Op.PopTop); }
                break;
            case FKind.TryExcept: Emit(Op.PopBlock); break;
            case FKind.Finally:
                {
                    Emit(Op.PopBlock);
                    // compile the finally body with this block (and inner ones) removed
                    var saved = _fblocks.GetRange(i, _fblocks.Count - i);
                    _fblocks.RemoveRange(i, _fblocks.Count - i);
                    // a return's value waits under the finally body: a break, continue or return there drops it
                    // (CPython's POP_VALUE block)
                    if (preserveTos) _fblocks.Add(new FBlock { Kind = FKind.PopValue });
                    CompileBody(b.FinalBody!);
                    if (preserveTos) _fblocks.RemoveAt(_fblocks.Count - 1);
                    _fblocks.AddRange(saved);
                    break;
                }
            case FKind.FinallyEnd:
            case FKind.HandlerBody:
                if (preserveTos) { Emit(Op.RotTwo); }
                Emit(Op.PopTop);
                Emit(Op.PopExcept);
                if (b.HandlerName != null) { EmitConst(PyNone.Instance); StoreName(b.HandlerName); DeleteName(b.HandlerName); }
                break;
            case FKind.With:
                if (preserveTos) Emit(Op.RotTwo);
                Emit(Op.PopBlock);
                if (b.IsAsync)
                {
                    Emit(Op.WithExitNormal, 1);
                    EmitAwait(2);
                    Emit(Op.PopTop);
                }
                else Emit(Op.WithExitNormal);
                break;
        }
    }

    private void CompileTry(Try t)
    {
        if (t.FinalBody.Count > 0)
        {
            var fin = new Label(); var end = new Label();
            EmitJump(Op.SetupExcept, fin);
            _fblocks.Add(new FBlock { Kind = FKind.Finally, FinalBody = t.FinalBody });
            if (t.Handlers.Count > 0) CompileTryExcept(t);
            else CompileBody(t.Body);
            _fblocks.RemoveAt(_fblocks.Count - 1);
            Emit(Op.PopBlock);
            CompileBody(t.FinalBody);
            EmitJump(Op.Jump, end);
            Mark(fin);
            _fblocks.Add(new FBlock { Kind = FKind.FinallyEnd });
            CompileBody(t.FinalBody);
            _fblocks.RemoveAt(_fblocks.Count - 1);
            Emit(Op.Reraise); // the frame's line stays the finally block's last (only a with block's re-raise restores it)
            Mark(end);
            return;
        }
        CompileTryExcept(t);
    }

    /// <summary>The part of try/except and try/except* before the handlers: the body under an except block, the
    /// else clause, the jump past the handlers, and the handler label.</summary>
    private void CompileTryBodyAndElse(Try t, Label handler, Label end)
    {
        EmitJump(Op.SetupExcept, handler);
        _fblocks.Add(new FBlock { Kind = FKind.TryExcept });
        CompileBody(t.Body);
        _fblocks.RemoveAt(_fblocks.Count - 1);
        Emit(Op.PopBlock);
        CompileBody(t.OrElse);
        EmitJump(Op.Jump, end);
        Mark(handler);
    }

    private void CompileTryExcept(Try t)
    {
        if (t.IsStar) { CompileTryExceptStar(t); return; }
        var handler = new Label(); var end = new Label(); var orelse = new Label();
        CompileTryBodyAndElse(t, handler, end);
        for (int i = 0; i < t.Handlers.Count; i++)
        {
            var h = t.Handlers[i];
            SetLine(h.Line);
            if (h.Type == null && i < t.Handlers.Count - 1) throw new SyntaxErrorException("default 'except:' must be last", h.Line, 1);
            var next = new Label();
            if (h.Type != null)
            {
                CompileExpr(h.Type);
                Emit(Op.CheckExcMatch);
                EmitJump(Op.PopJumpIfFalse, next);
            }
            if (h.Name != null) { Emit(Op.DupTop); StoreName(h.Name); }
            _fblocks.Add(new FBlock { Kind = FKind.HandlerBody, HandlerName = h.Name });
            CompileBody(h.Body);
            _fblocks.RemoveAt(_fblocks.Count - 1);
            Emit(Op.PopTop);
            Emit(Op.PopExcept);
            if (h.Name != null) { EmitConst(PyNone.Instance); StoreName(h.Name); DeleteName(h.Name); }
            EmitJump(Op.Jump, end);
            Mark(next);
        }
        if (t.Handlers.Count > 0) SetLine(t.Handlers[^1].Line); // no handler matched: CPython re-raises at the last one
        Emit(Op.Reraise);
        Mark(end);
    }

    /// <summary>try/except* (PEP 654). Stack in the handlers: [orig, raised list, rest]; each clause splits the rest
    /// (CheckEgMatch), runs with the match bound, and what its body raises is appended to the list; then
    /// PrepReraiseStar makes what is left to re-raise (unmatched rest and raised exceptions) or None.</summary>
    private void CompileTryExceptStar(Try t)
    {
        var handler = new Label(); var end = new Label(); var reraise = new Label();
        CompileTryBodyAndElse(t, handler, end);
        Emit(Op.DupTop);
        Emit(Op.BuildList, 0);
        Emit(Op.RotTwo);
        foreach (var h in t.Handlers)
        {
            SetLine(h.Line);
            var noMatch = new Label(); var next = new Label(); var raised = new Label(); var done = new Label();
            CompileExpr(h.Type!);
            Emit(Op.CheckEgMatch);
            Emit(Op.DupTop);
            EmitConst(PyNone.Instance);
            Emit(Op.Is);
            EmitJump(Op.PopJumpIfTrue, noMatch);
            if (h.Name != null) StoreName(h.Name); else Emit(Op.PopTop);
            EmitJump(Op.SetupExcept, raised);
            _fblocks.Add(new FBlock { Kind = FKind.ExceptStarBody, HandlerName = h.Name });
            CompileBody(h.Body);
            _fblocks.RemoveAt(_fblocks.Count - 1);
            Emit(Op.PopBlock);
            EmitJump(Op.Jump, done);
            Mark(raised);
            Emit(Op.ListAppend, 2); // [orig, raised, rest, exc] -> exc appended to the raised list
            Emit(Op.PopExcept);
            Mark(done);
            if (h.Name != null) { EmitConst(PyNone.Instance); StoreName(h.Name); DeleteName(h.Name); }
            EmitJump(Op.Jump, next);
            Mark(noMatch);
            Emit(Op.PopTop);
            Mark(next);
        }
        Emit(Op.ListAppend, 1); // the unmatched rest (or None)
        Emit(Op.PrepReraiseStar);
        Emit(Op.DupTop);
        EmitConst(PyNone.Instance);
        Emit(Op.Is);
        EmitJump(Op.PopJumpIfFalse, reraise);
        Emit(Op.PopTop);
        Emit(Op.PopExcept);
        EmitJump(Op.Jump, end);
        Mark(reraise);
        Emit(Op.Reraise);
        Mark(end);
    }

    private void CompileWith(With w, int idx)
    {
        if (idx >= w.Items.Count) { CompileBody(w.Body); return; }
        var item = w.Items[idx];
        var handler = new Label(); var end = new Label(); var suppress = new Label();
        if (w.IsAsync && idx == 0) CheckAsyncAllowed(w, "'async with'");
        CompileExpr(item.Context);
        if (w.IsAsync) { Emit(Op.BeforeAsyncWith); EmitAwait(1); }
        else Emit(Op.BeforeWith);
        EmitJump(Op.SetupWith, handler);
        if (item.Vars != null) CompileStore(item.Vars); else Emit(Op.PopTop);
        _fblocks.Add(new FBlock { Kind = FKind.With, IsAsync = w.IsAsync });
        CompileWith(w, idx + 1);
        _fblocks.RemoveAt(_fblocks.Count - 1);
        SetPos(w); // __exit__ is called at the with statement (CPython: an error in it points there)
        Emit(Op.PopBlock);
        if (w.IsAsync)
        {
            // arg 1: push what __aexit__ returned (an awaitable) instead of dropping it
            Emit(Op.WithExitNormal, 1);
            EmitAwait(2);
            Emit(Op.PopTop);
        }
        else Emit(Op.WithExitNormal);
        EmitJump(Op.Jump, end);
        Mark(handler);
        if (w.IsAsync) { Emit(Op.WithExcept, 1); EmitAwait(2); }
        else Emit(Op.WithExcept);
        EmitJump(Op.PopJumpIfTrue, suppress);
        Emit(Op.Reraise, 1);
        Mark(suppress);
        Emit(Op.PopExcept);
        Emit(Op.PopTop);
        Emit(Op.PopTop);
        Mark(end);
    }

    // ---------------- functions and classes ----------------
    /// <summary>The __qualname__ prefix of a function or class named <paramref name="childName"/> defined here: none
    /// at module level, and none when this function or class declares the name `global` (CPython's
    /// compiler_set_qualname: pickle then finds the object as a module global).</summary>
    private string ChildQualPrefix(string childName)
    {
        if (_scope.Kind == ScopeKind.Module || _scope.Globals.Contains(childName)) return "";
        if (_scope.Kind == ScopeKind.Class) return _qualPrefix + _scope.Name + ".";
        return _qualPrefix + _scope.Name + ".<locals>.";
    }

    private CodeObject CompileFunctionBody(object node, string name, Arguments args, List<Stmt>? body, Expr? exprBody)
    {
        var scope = _st.Scopes[node];
        var g = new CodeGen(_st, scope, _filename, ChildQualPrefix(name));
        g._line = _line; g._endLine = _endLine; g._packedCols = _packedCols; g._columns = _columns;
        PyObject? doc = null;
        if (body != null)
        {
            doc = DocString(body);
            g.CompileBody(body);
            g.EmitConst(PyNone.Instance);
            g.Emit(Op.ReturnValue);
        }
        else
        {
            g.CompileExpr(exprBody!);
            g.Emit(Op.ReturnValue);
        }
        var code = g.Finish(name, ChildQualPrefix(name) + name);
        code.FirstLine = _line;
        code.ArgCount = args.PosOnly.Count + args.Args.Count;
        code.PosOnlyCount = args.PosOnly.Count;
        code.KwOnlyCount = args.KwOnly.Count;
        code.HasVarArgs = args.VarArg != null;
        code.HasVarKw = args.KwArg != null;
        code.Doc = doc;
        return code;
    }

    private void EmitMakeFunction(CodeObject code, Arguments args, Scope childScope, Expr? returns = null)
    {
        int flags = 0;
        if (args.Defaults.Count > 0)
        {
            foreach (var d in args.Defaults) CompileExpr(d);
            Emit(Op.BuildTuple, args.Defaults.Count);
            flags |= 1;
        }
        bool anyKw = false;
        foreach (var d in args.KwDefaults) if (d != null) anyKw = true;
        if (anyKw)
        {
            int n = 0;
            for (int i = 0; i < args.KwOnly.Count; i++)
            {
                if (args.KwDefaults[i] == null) continue;
                EmitConst(PyStr.Intern(args.KwOnly[i].Name));
                CompileExpr(args.KwDefaults[i]!);
                n++;
            }
            Emit(Op.BuildMap, n);
            flags |= 2;
        }
        // __annotations__: {name: value} evaluated at definition time, "return" last, as CPython
        int nann = 0;
        void Ann(Arg? a)
        {
            if (a?.Annotation == null) return;
            EmitConst(PyStr.Intern(Mangle(a.Name))); // a private name is mangled, as CPython's compiler_visit_argannotation
            CompileAnnotation(a.Annotation);
            nann++;
        }
        foreach (var a in args.Args) Ann(a); // before the positional-only ones, as CPython's compiler_visit_annotations
        foreach (var a in args.PosOnly) Ann(a);
        Ann(args.VarArg);
        foreach (var a in args.KwOnly) Ann(a);
        Ann(args.KwArg);
        if (returns != null) { EmitConst(PyStr.Intern("return")); CompileAnnotation(returns); nann++; }
        if (nann > 0) { Emit(Op.BuildMap, nann); flags |= 8; }
        if (childScope.FreeVars.Count > 0)
        {
            foreach (var fv in childScope.FreeVars) Emit(Op.LoadClosure, CellIndex(fv));
            Emit(Op.BuildTuple, childScope.FreeVars.Count);
            flags |= 4;
        }
        EmitConst(PyCodeWrapper.Of(code));
        Emit(Op.MakeFunction, flags);
    }

    private void CompileFunctionDef(FunctionDef fd)
    {
        foreach (var d in fd.Decorators) CompileExpr(d);
        SetPos(fd);
        var code = CompileFunctionBody(fd, fd.Name, fd.Args, fd.Body, null);
        EmitMakeFunction(code, fd.Args, _st.Scopes[fd], fd.Returns);
        EmitDecoratorCalls(fd.Decorators, fd);
        StoreName(fd.Name);
    }

    /// <summary>Applies the decorators, innermost first, each call at its decorator's position (CPython's traceback
    /// points at the decorator that raised).</summary>
    private void EmitDecoratorCalls(List<Expr> decorators, Stmt def)
    {
        for (int i = decorators.Count - 1; i >= 0; i--)
        {
            SetPos(decorators[i]);
            Emit(Op.Call, 1);
        }
        SetPos(def);
    }

    private void CompileClassDef(ClassDef cd)
    {
        foreach (var d in cd.Decorators) CompileExpr(d);
        SetPos(cd);
        var scope = _st.Scopes[cd];
        var g = new CodeGen(_st, scope, _filename, ChildQualPrefix(cd.Name));
        g.SetPos(cd);
        g._columns = _columns;
        g.Emit(Op.LoadName, g.Name("__name__"));
        g.Emit(Op.StoreName, g.Name("__module__"));
        g.EmitConst(new PyStr(ChildQualPrefix(cd.Name) + cd.Name));
        g.Emit(Op.StoreName, g.Name("__qualname__"));
        var doc = DocString(cd.Body);
        if (doc != null) { g.EmitConst(doc); g.Emit(Op.StoreName, g.Name("__doc__")); }
        if (HasAnnotations(cd.Body)) g.Emit(Op.SetupAnnotations);
        g.CompileBody(cd.Body);
        if (scope.NeedsClassCell) { g.Emit(Op.LoadClosure, g.CellIndex("__class__")); g.Emit(Op.ReturnValue); }
        else { g.EmitConst(PyNone.Instance); g.Emit(Op.ReturnValue); }
        var code = g.Finish(cd.Name, ChildQualPrefix(cd.Name) + cd.Name);
        code.FirstLine = cd.Line;
        EmitMakeFunction(code, new Arguments(), scope);
        EmitConst(new PyStr(cd.Name));
        CompileSequenceAsTuple(cd.Bases);
        int nk = 0;
        foreach (var k in cd.Keywords)
        {
            if (k.Name == null) { if (nk == 0) Emit(Op.BuildMap, 0); CompileExpr(k.Value); Emit(Op.DictUpdate, 1); nk = -1; continue; }
            if (nk < 0) { EmitConst(new PyStr(k.Name)); CompileExpr(k.Value); Emit(Op.MapAdd, 1); continue; }
            EmitConst(new PyStr(k.Name)); CompileExpr(k.Value); nk++;
        }
        if (nk >= 0) Emit(Op.BuildMap, nk);
        Emit(Op.BuildClass);
        EmitDecoratorCalls(cd.Decorators, cd);
        StoreName(cd.Name);
    }

    private void CompileSequenceAsTuple(List<Expr> elts)
    {
        bool star = elts.Exists(e => e is Starred);
        if (!star)
        {
            foreach (var e in elts) CompileExpr(e);
            Emit(Op.BuildTuple, elts.Count);
            return;
        }
        CompileStarredList(elts);
        Emit(Op.ListToTuple);
    }

    private void CompileStarredList(List<Expr> elts)
    {
        int pending = 0;
        bool built = false;
        foreach (var e in elts)
        {
            if (e is Starred s)
            {
                if (!built) { Emit(Op.BuildList, pending); built = true; }
                else if (pending > 0) { Emit(Op.BuildList, pending); Emit(Op.ListExtend, 1); }
                pending = 0;
                CompileExpr(s.Value);
                Emit(Op.ListExtend, 1);
            }
            else { CompileExpr(e); pending++; }
        }
        if (!built) Emit(Op.BuildList, pending);
        else if (pending > 0) { Emit(Op.BuildList, pending); Emit(Op.ListExtend, 1); }
    }

    // ---------------- expressions ----------------
    private void CompileJumpIf(Expr e, bool jumpIfTrue, Label target)
    {
        switch (e)
        {
            case UnaryE { Op: UnaryKind.Not } u:
                CompileJumpIf(u.Operand, !jumpIfTrue, target);
                return;
            case BoolOpE b:
                {
                    if (b.IsAnd != jumpIfTrue)
                    {
                        // and + jumpIfFalse / or + jumpIfTrue: any operand short-circuits to target
                        foreach (var v in b.Values) CompileJumpIf(v, jumpIfTrue, target);
                    }
                    else
                    {
                        var skip = new Label();
                        for (int i = 0; i < b.Values.Count - 1; i++) CompileJumpIf(b.Values[i], !jumpIfTrue, skip);
                        CompileJumpIf(b.Values[^1], jumpIfTrue, target);
                        Mark(skip);
                    }
                    return;
                }
        }
        CompileExpr(e);
        EmitJump(jumpIfTrue ? Op.PopJumpIfTrue : Op.PopJumpIfFalse, target);
    }

    private void CompileExpr(Expr e)
    {
        if (e.Line <= 0) { CompileExprAt(e); return; }
        var saved = SavePos();
        SetPos(e);
        CompileExprAt(e);
        RestorePos(saved);
    }

    /// <summary>Compiles an expression at the current position (<see cref="CompileExpr"/> sets it).</summary>
    private void CompileExprAt(Expr e)
    {
        if (Vm.PythonThread.StackExhausted()) throw Parsing.Parser.CompileRecursionError();
        switch (e)
        {
            case Constant c: EmitConst(c.Value); break;
            case Ast.Name n: LoadName(n.Id); break;
            case BinOpE b:
                CompileExpr(b.Left); CompileExpr(b.Right);
                Emit(Op.Binary, (int)b.Op);
                break;
            case UnaryE u:
                CompileExpr(u.Operand);
                Emit(u.Op switch { UnaryKind.Neg => Op.UnaryNeg, UnaryKind.Pos => Op.UnaryPos, UnaryKind.Invert => Op.UnaryInvert, _ => Op.UnaryNot });
                break;
            case BoolOpE bo:
                {
                    var end = new Label();
                    for (int i = 0; i < bo.Values.Count; i++)
                    {
                        CompileExpr(bo.Values[i]);
                        if (i < bo.Values.Count - 1) EmitJump(bo.IsAnd ? Op.JumpIfFalseOrPop : Op.JumpIfTrueOrPop, end);
                    }
                    Mark(end);
                    break;
                }
            case Compare cmp: CompileCompare(cmp); break;
            case IfExp ie:
                {
                    var orelse = new Label(); var end = new Label();
                    CompileJumpIf(ie.Test, false, orelse);
                    CompileExpr(ie.Body);
                    EmitJump(Op.Jump, end);
                    Mark(orelse);
                    CompileExpr(ie.OrElse);
                    Mark(end);
                    break;
                }
            case Lambda l:
                {
                    var code = CompileFunctionBody(l, "<lambda>", l.Args, null, l.Body);
                    EmitMakeFunction(code, l.Args, _st.Scopes[l]);
                    break;
                }
            case NamedExpr ne:
                CompileExpr(ne.Value);
                Emit(Op.DupTop);
                StoreName(ne.Target.Id);
                break;
            case Call call: CompileCall(call); break;
            case Ast.Attribute a:
                CompileExpr(a.Value);
                SetPos(a);
                StartAtAttrName(a);
                Emit(Op.LoadAttr, Name(Mangle(a.Attr)));
                break;
            case Subscript s:
                CheckSubscript(s);
                CompileExpr(s.Value);
                CompileExpr(s.Index);
                Emit(Op.BinarySubscr);
                break;
            case SliceE sl:
                if (sl.Lower != null) CompileExpr(sl.Lower); else EmitConst(PyNone.Instance);
                if (sl.Upper != null) CompileExpr(sl.Upper); else EmitConst(PyNone.Instance);
                if (sl.Step != null) { CompileExpr(sl.Step); Emit(Op.BuildSlice, 3); }
                else Emit(Op.BuildSlice, 2);
                break;
            case Starred st: throw Err("can't use starred expression here", st);
            case TupleE t:
                {
                    bool allConst = t.Elts.Count > 0 && t.Elts.TrueForAll(x => x is Constant);
                    if (allConst)
                    {
                        var items = new PyObject[t.Elts.Count];
                        for (int i = 0; i < items.Length; i++) items[i] = ((Constant)t.Elts[i]).Value;
                        EmitConst(new PyTuple(items));
                    }
                    else CompileSequenceAsTuple(t.Elts);
                    break;
                }
            case ListE l:
                if (l.Elts.Exists(x => x is Starred)) CompileStarredList(l.Elts);
                else { foreach (var x in l.Elts) CompileExpr(x); Emit(Op.BuildList, l.Elts.Count); }
                break;
            case SetE se:
                if (se.Elts.Exists(x => x is Starred))
                {
                    Emit(Op.BuildSet, 0);
                    foreach (var x in se.Elts)
                    {
                        if (x is Starred s2) { CompileExpr(s2.Value); Emit(Op.SetUpdate, 1); }
                        else { CompileExpr(x); Emit(Op.SetAdd, 1); }
                    }
                }
                else if (se.Elts.Count > 2 && ConstSet(se) is PySet folded)
                {
                    // CPython 3.11 merges a folded frozenset into an empty set: the merge decides the order
                    Emit(Op.BuildSet, 0); EmitConst(folded); Emit(Op.SetUpdate, 1);
                }
                else { foreach (var x in se.Elts) CompileExpr(x); Emit(Op.BuildSet, se.Elts.Count); }
                break;
            case DictE d:
                {
                    if (!d.Keys.Contains(null))
                    {
                        for (int i = 0; i < d.Keys.Count; i++) { CompileExpr(d.Keys[i]!); CompileExpr(d.Values[i]); }
                        Emit(Op.BuildMap, d.Keys.Count);
                        break;
                    }
                    Emit(Op.BuildMap, 0);
                    for (int i = 0; i < d.Keys.Count; i++)
                    {
                        if (d.Keys[i] == null) { CompileExpr(d.Values[i]); Emit(Op.DictUpdate, 1); }
                        else { CompileExpr(d.Keys[i]!); CompileExpr(d.Values[i]); Emit(Op.MapAdd, 1); }
                    }
                    break;
                }
            case Comp comp: CompileComp(comp); break;
            case JoinedStr js:
                {
                    int n = 0;
                    foreach (var p in js.Parts)
                    {
                        if (p is FormattedValue fv)
                        {
                            CompileExpr(fv.Value);
                            int flags = fv.Conv switch { 's' => 1, 'r' => 2, 'a' => 3, _ => 0 };
                            if (fv.Spec != null) { CompileExpr(fv.Spec); flags |= 4; }
                            Emit(Op.FormatValue, flags);
                        }
                        else CompileExpr(p);
                        n++;
                    }
                    if (n == 1 && js.Parts[0] is FormattedValue) break;
                    Emit(Op.BuildString, n);
                    break;
                }
            case FormattedValue fv2:
                {
                    CompileExpr(fv2.Value);
                    Emit(Op.FormatValue, 0);
                    break;
                }
            case Yield y:
                if (_scope.Kind != ScopeKind.Function) throw Err("'yield' outside function", y);
                if (y.Value != null) CompileExpr(y.Value); else EmitConst(PyNone.Instance);
                if (_scope.IsAsync) Emit(Op.AsyncGenWrap);
                Emit(Op.YieldValue);
                break;
            case YieldFrom yf:
                if (_scope.Kind != ScopeKind.Function) throw Err("'yield' outside function", yf);
                if (_scope.IsAsync) throw Err("'yield from' inside async function", yf);
                CompileExpr(yf.Value);
                Emit(Op.GetYieldFromIter);
                EmitConst(PyNone.Instance);
                Emit(Op.YieldFrom);
                break;
            case Await aw:
                if (_scope.Kind != ScopeKind.Function) throw Err("'await' outside function", aw);
                if (!_scope.IsAsync) throw Err("'await' outside async function", aw);
                CompileExpr(aw.Value);
                EmitAwait(0);
                break;
            default: throw Err("unsupported expression", e);
        }
    }

    private static Op CmpOpcode(CmpKind k, out int arg)
    {
        arg = 0;
        switch (k)
        {
            case CmpKind.Is: return Op.Is;
            case CmpKind.IsNot: return Op.IsNot;
            case CmpKind.In: return Op.In;
            case CmpKind.NotIn: return Op.NotIn;
            default: arg = (int)k; return Op.Compare;
        }
    }

    // ---------------- compiler warnings (CPython's compiler_warn) ----------------

    /// <summary>A SyntaxWarning through the warnings module at the node's line; a warning turned into an error becomes
    /// the SyntaxError CPython raises instead (with the node's position).</summary>
    private void CompilerWarning(string msg, int line, int col, string category = "SyntaxWarning")
    {
        if (Vm.ThreadState.CurrentOrNull is not { } ts) return;
        try
        {
            var warnings = ts.Interp.Imports.ImportModule("warnings");
            Ops.Call(Ops.GetAttr(warnings, "warn_explicit"), new PyObject[]
            {
                PyStr.Of(msg), PyBaseException.All[category], PyStr.Of(_filename), PyInt.Get(line),
            });
        }
        catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.All[category]))
        {
            throw new SyntaxErrorException(msg, line, col);
        }
    }

    private void CompilerWarning(string msg, Node at)
    {
        if (Vm.ThreadState.CurrentOrNull is not { } ts) return;
        try
        {
            var warnings = ts.Interp.Imports.ImportModule("warnings");
            Ops.Call(Ops.GetAttr(warnings, "warn_explicit"), new PyObject[]
            {
                PyStr.Of(msg), PyBaseException.All["SyntaxWarning"], PyStr.Of(_filename), PyInt.Get(at.Line > 0 ? at.Line : _line),
            });
        }
        catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.All["SyntaxWarning"]))
        {
            throw new SyntaxErrorException(msg, at.Line, at.Col + 1) { EndLine = at.EndLine, EndCol = at.EndLine > 0 ? at.EndCol + 1 : 0 };
        }
    }

    /// <summary>The type a literal-like expression makes (CPython's infer_type), or null.</summary>
    private static string? InferType(Expr e) => e switch
    {
        TupleE => "tuple",
        ListE => "list",
        DictE => "dict",
        SetE => "set",
        Comp c => c.Kind switch { CompKind.List => "list", CompKind.Set => "set", CompKind.Dict => "dict", _ => "generator" },
        Lambda => "function",
        JoinedStr or FormattedValue => "str",
        Constant k => k.Value.Type.Name,
        _ => null,
    };

    /// <summary>"is" with a literal (CPython's check_compare): a str, bytes, number or tuple constant on either side.</summary>
    private void CheckCompare(Compare c)
    {
        var left = c.Left;
        for (int i = 0; i < c.Ops.Count; i++)
        {
            var right = c.Comparators[i];
            if (c.Ops[i] is CmpKind.Is or CmpKind.IsNot && (IsLiteral(left) || IsLiteral(right)))
            {
                CompilerWarning(c.Ops[i] == CmpKind.Is ? "\"is\" with a literal. Did you mean \"==\"?" : "\"is not\" with a literal. Did you mean \"!=\"?", c);
                return;
            }
            left = right;
        }
        static bool IsLiteral(Expr e) => e is Constant { Value: not (PyNone or PyBool or PyEllipsis) };
    }

    /// <summary>A literal subscripted, or indexed by a literal of the wrong type (CPython's check_subscripter, check_index).</summary>
    private void CheckSubscript(Subscript s)
    {
        var v = s.Value;
        bool notSubscriptable = v switch
        {
            Constant { Value: var k } => k is PyNone or PyEllipsis or PyInt or PyFloat or PyComplex or PySet,
            SetE or Lambda => true,
            Comp { Kind: CompKind.Set or CompKind.Gen } => true,
            _ => false,
        };
        if (notSubscriptable && InferType(v) is string t)
        {
            CompilerWarning($"'{t}' object is not subscriptable; perhaps you missed a comma?", s);
            return;
        }
        var indexType = InferType(s.Index);
        if (indexType == null || indexType is "int" or "bool" || s.Index is SliceE) return;
        bool sequence = v switch
        {
            Constant { Value: var k } => k is PyStr or PyBytes or PyTuple,
            TupleE or ListE or JoinedStr or FormattedValue => true,
            Comp { Kind: CompKind.List } => true,
            _ => false,
        };
        if (sequence && InferType(v) is string st)
            CompilerWarning($"{st} indices must be integers or slices, not {indexType}; perhaps you missed a comma?", s);
    }

    private void CompileCompare(Compare c)
    {
        CheckCompare(c);
        CompileExpr(c.Left);
        if (c.Ops.Count == 1)
        {
            CompileExpr(c.Comparators[0]);
            var op = CmpOpcode(c.Ops[0], out int arg);
            Emit(op, arg);
            return;
        }
        var cleanup = new Label(); var end = new Label();
        for (int i = 0; i < c.Ops.Count; i++)
        {
            CompileExpr(c.Comparators[i]);
            var op = CmpOpcode(c.Ops[i], out int arg);
            if (i < c.Ops.Count - 1)
            {
                Emit(Op.DupTop); Emit(Op.RotThree);
                Emit(op, arg);
                EmitJump(Op.JumpIfFalseOrPop, cleanup);
            }
            else Emit(op, arg);
        }
        EmitJump(Op.Jump, end);
        Mark(cleanup);
        Emit(Op.RotTwo); Emit(Op.PopTop);
        Mark(end);
    }

    private void CompileCall(Call call)
    {
        // a literal called: CPython's check_caller
        if (call.Func is Constant or TupleE or ListE or DictE or SetE or JoinedStr or FormattedValue or Comp && InferType(call.Func) is string callee)
            CompilerWarning($"'{callee}' object is not callable; perhaps you missed a comma?", call);
        // zero-argument super()
        if (call.Func is Ast.Name { Id: "super" } && call.Args.Count == 0 && call.Keywords.Count == 0 && _scope.Kind == ScopeKind.Function
            && _scope.FreeVars.Contains("__class__") && _scope.Resolve("super") == NameKind.Global)
        {
            LoadName("super");
            Emit(Op.LoadDeref, CellIndex("__class__"));
            if (_scope.Params.Count == 0) throw Err("super(): no arguments", call);
            var first = _scope.Params[0];
            if (_scope.IsCell(first)) Emit(Op.LoadDeref, CellIndex(first)); else Emit(Op.LoadFast, VarIndex(first));
            SetPos(call);
            Emit(Op.Call, 2);
            return;
        }
        bool star = call.Args.Exists(a => a is Starred) || call.Keywords.Exists(k => k.Name == null);
        if (star)
        {
            CompileExpr(call.Func);
            CompileStarredList(call.Args);
            Emit(Op.ListToTuple);
            if (call.Keywords.Count > 0)
            {
                Emit(Op.BuildMap, 0);
                foreach (var k in call.Keywords)
                {
                    if (k.Name == null) { CompileExpr(k.Value); Emit(Op.DictMerge, 1); }
                    else { EmitConst(new PyStr(k.Name)); CompileExpr(k.Value); Emit(Op.MapAdd, 1); }
                }
                SetPos(call);
                Emit(Op.CallEx, 1);
            }
            else { SetPos(call); Emit(Op.CallEx, 0); }
            return;
        }
        bool method = call.Func is Ast.Attribute;
        if (method)
        {
            var a = (Ast.Attribute)call.Func;
            CompileExpr(a.Value);
            SetPos(a);
            StartAtAttrName(a);
            Emit(Op.LoadMethod, Name(Mangle(a.Attr)));
        }
        else CompileExpr(call.Func);
        foreach (var arg in call.Args) CompileExpr(arg);
        foreach (var k in call.Keywords) CompileExpr(k.Value);
        SetPos(call);
        if (method) StartAtAttrName((Ast.Attribute)call.Func);
        if (call.Keywords.Count > 0)
        {
            var names = new PyStr[call.Keywords.Count];
            for (int i = 0; i < names.Length; i++) names[i] = PyStr.Intern(call.Keywords[i].Name!);
            _kwTables.Add(names);
            Emit(Op.KwNames, _kwTables.Count - 1);
        }
        Emit(method ? Op.CallMethod : Op.Call, call.Args.Count + call.Keywords.Count);
    }

    private void CompileComp(Comp comp)
    {
        var scope = _st.Scopes[comp];
        var g = new CodeGen(_st, scope, _filename, ChildQualPrefix(scope.Name));
        g._line = _line; g._endLine = _endLine; g._packedCols = _packedCols; g._columns = _columns;
        switch (comp.Kind)
        {
            case CompKind.List: g.Emit(Op.BuildList, 0); break;
            case CompKind.Set: g.Emit(Op.BuildSet, 0); break;
            case CompKind.Dict: g.Emit(Op.BuildMap, 0); break;
        }
        g.CompileCompLoop(comp, 0);
        if (comp.Kind == CompKind.Gen) g.EmitConst(PyNone.Instance);
        g.Emit(Op.ReturnValue);
        var code = g.Finish(scope.Name, ChildQualPrefix(scope.Name) + scope.Name);
        code.ArgCount = 1;
        code.FirstLine = _line;
        EmitMakeFunction(code, new Arguments(), scope);
        CompileIterable(comp.Gens[0].Iter);
        Emit(comp.Gens[0].IsAsync ? Op.GetAIter : Op.GetIter);
        Emit(Op.Call, 1);
        // an async list/set/dict comprehension is a coroutine, awaited here (an async genexpr stays an async generator)
        if (scope.IsAsync && comp.Kind != CompKind.Gen)
        {
            if (_scope.Kind != ScopeKind.Function || !_scope.IsAsync) throw Err("asynchronous comprehension outside of an asynchronous function", comp);
            EmitAwait(0);
        }
    }

    private void CompileCompLoop(Comp comp, int i)
    {
        var gen = comp.Gens[i];
        var top = new Label(); var end = new Label();
        if (i == 0) Emit(Op.LoadFast, VarIndex(".0"));
        else { CompileIterable(gen.Iter); Emit(gen.IsAsync ? Op.GetAIter : Op.GetIter); }
        Mark(top);
        if (gen.IsAsync) EmitAsyncForNext(end);
        else EmitJump(Op.ForIter, end);
        CompileStore(gen.Target);
        foreach (var cond in gen.Ifs) CompileJumpIf(cond, false, top);
        if (i + 1 < comp.Gens.Count) CompileCompLoop(comp, i + 1);
        else
        {
            int depth = comp.Gens.Count + 1;
            switch (comp.Kind)
            {
                case CompKind.List: CompileExpr(comp.Elt); Emit(Op.ListAppend, depth); break;
                case CompKind.Set: CompileExpr(comp.Elt); Emit(Op.SetAdd, depth); break;
                case CompKind.Dict: CompileExpr(comp.Elt); CompileExpr(comp.Value!); Emit(Op.MapAdd, depth); break;
                case CompKind.Gen:
                    CompileExpr(comp.Elt);
                    if (_scope.IsAsync) Emit(Op.AsyncGenWrap);
                    Emit(Op.YieldValue); Emit(Op.PopTop);
                    break;
            }
        }
        EmitJump(Op.Jump, top);
        Mark(end);
    }

    // ---------------- match ----------------
    private void CompileMatch(Match m)
    {
        var end = new Label();
        CompileExpr(m.Subject);
        foreach (var c in m.Cases)
        {
            var next = new Label();
            SetPos(c.Pattern);
            Emit(Op.DupTop);
            CompilePattern(c.Pattern, next);
            if (c.Guard != null) CompileJumpIf(c.Guard, false, next);
            Emit(Op.PopTop);
            CompileBody(c.Body);
            EmitJump(Op.Jump, end);
            Mark(next);
        }
        Emit(Op.PopTop);
        Mark(end);
    }

    /// <summary>Pattern test: consumes TOS (subject); on failure jumps to fail with TOS consumed.</summary>
    private void CompilePattern(Pattern p, Label fail)
    {
        switch (p)
        {
            case MatchCapture c:
                if (c.Inner != null)
                {
                    var f2 = new Label(); var ok2 = new Label();
                    Emit(Op.DupTop);
                    CompilePattern(c.Inner, f2);
                    EmitJump(Op.Jump, ok2);
                    Mark(f2);
                    Emit(Op.PopTop);
                    EmitJump(Op.Jump, fail);
                    Mark(ok2);
                }
                if (c.Name != null) StoreName(c.Name); else Emit(Op.PopTop);
                break;
            case MatchValue v:
                CompileExpr(v.Value);
                Emit(Op.Compare, (int)CmpKind.Eq);
                EmitJump(Op.PopJumpIfFalse, fail);
                break;
            case MatchSingleton s:
                EmitConst(s.Value);
                Emit(Op.Is);
                EmitJump(Op.PopJumpIfFalse, fail);
                break;
            case MatchOr o:
                {
                    var ok = new Label();
                    for (int i = 0; i < o.Alts.Count; i++)
                    {
                        var nextAlt = new Label();
                        Emit(Op.DupTop);
                        CompilePattern(o.Alts[i], nextAlt);
                        Emit(Op.PopTop);
                        EmitJump(Op.Jump, ok);
                        Mark(nextAlt);
                    }
                    Emit(Op.PopTop);
                    EmitJump(Op.Jump, fail);
                    Mark(ok);
                    break;
                }
            case MatchSequence seq:
                {
                    // MatchSequence op: [subj] -> [items tuple] or jumps
                    var failPop = new Label();
                    Emit(Op.MatchSequence, seq.StarIndex < 0 ? seq.Items.Count : (seq.Items.Count | (1 << 16)));
                    EmitJump(Op.PopJumpIfFalse, fail);
                    // TOS is the tuple of items (with star collected as list at StarIndex)
                    int n = seq.Items.Count + (seq.StarIndex >= 0 ? 1 : 0);
                    if (seq.StarIndex >= 0) Emit(Op.UnpackEx, seq.StarIndex | ((seq.Items.Count - seq.StarIndex) << 8));
                    else Emit(Op.UnpackSequence, n);
                    int idx = 0;
                    int remaining = n;
                    for (int k = 0; k < n; k++)
                    {
                        remaining--;
                        if (seq.StarIndex >= 0 && k == seq.StarIndex)
                        {
                            if (seq.StarName != null) StoreName(seq.StarName); else Emit(Op.PopTop);
                            continue;
                        }
                        var sub = seq.Items[idx++];
                        var subFail = new Label();
                        CompilePattern(sub, subFail);
                        var okL = new Label();
                        EmitJump(Op.Jump, okL);
                        Mark(subFail);
                        for (int r = 0; r < remaining; r++) Emit(Op.PopTop);
                        EmitJump(Op.Jump, fail);
                        Mark(okL);
                    }
                    _ = failPop;
                    break;
                }
            case MatchMapping mm:
                {
                    Emit(Op.MatchMapping);
                    EmitJump(Op.PopJumpIfFalse, fail);
                    // [subj] -> MatchKeys with key tuple -> [subj, values tuple] or fail
                    foreach (var k in mm.Keys) CompileExpr(k);
                    Emit(Op.BuildTuple, mm.Keys.Count);
                    Emit(Op.MatchKeys, mm.Rest != null ? 1 : 0);
                    EmitJump(Op.PopJumpIfFalse, fail);
                    // stack: [rest?, values...] pushed as: values tuple on top, rest dict below if requested
                    Emit(Op.UnpackSequence, mm.Keys.Count);
                    int remaining = mm.Keys.Count;
                    foreach (var v in mm.Values)
                    {
                        remaining--;
                        var subFail = new Label(); var okL = new Label();
                        CompilePattern(v, subFail);
                        EmitJump(Op.Jump, okL);
                        Mark(subFail);
                        for (int r = 0; r < remaining; r++) Emit(Op.PopTop);
                        if (mm.Rest != null) Emit(Op.PopTop);
                        EmitJump(Op.Jump, fail);
                        Mark(okL);
                    }
                    if (mm.Rest != null) StoreName(mm.Rest);
                    break;
                }
            case MatchClass mc:
                {
                    CompileExpr(mc.Cls);
                    var names = new PyObject[mc.KwNames.Count];
                    for (int i = 0; i < names.Length; i++) names[i] = new PyStr(mc.KwNames[i]);
                    EmitConst(new PyTuple(names));
                    Emit(Op.MatchClass, mc.Args.Count);
                    EmitJump(Op.PopJumpIfFalse, fail);
                    int n = mc.Args.Count + mc.KwValues.Count;
                    Emit(Op.UnpackSequence, n);
                    var all = new List<Pattern>(mc.Args); all.AddRange(mc.KwValues);
                    int remaining = n;
                    foreach (var sub in all)
                    {
                        remaining--;
                        var subFail = new Label(); var okL = new Label();
                        CompilePattern(sub, subFail);
                        EmitJump(Op.Jump, okL);
                        Mark(subFail);
                        for (int r = 0; r < remaining; r++) Emit(Op.PopTop);
                        EmitJump(Op.Jump, fail);
                        Mark(okL);
                    }
                    break;
                }
        }
    }
}
