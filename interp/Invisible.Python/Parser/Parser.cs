using System;
using System.Collections.Generic;
using System.Numerics;
using System.Text;
using Invisible.Python.Ast;
using Invisible.Python.Lexing;
using Invisible.Python.Runtime;
using Attribute = Invisible.Python.Ast.Attribute;

namespace Invisible.Python.Parsing;

public sealed class Parser
{
    private readonly List<Token> _t;
    private int _p;
    private int _funcDepth;
    /// <summary>Nesting of the recursive rules (expression, not, unary operators, power, lambda). CPython 3.11's parser
    /// gives up with a bare MemoryError past 6000 nested rule calls (MAXSTACK): counted the way its rules nest, that
    /// is 5970 unary operators, 2984 lambdas or powers, as here. The native stack is checked too (a thread with a
    /// small stack gets RecursionError first).</summary>
    private int _level;
    private const int MaxLevel = 5970;
    /// <summary>The first error CPython's compiler (not its parser) reports: raised only if the whole input parses.</summary>
    private SyntaxErrorException? _deferred;

    public Parser(List<Token> tokens) { _t = tokens; }

    /// <param name="astOnly">For <c>ast.parse</c>: the errors CPython's compiler reports (not its parser), such as
    /// 'return' outside function, are not raised.</param>
    public static ModuleNode ParseModule(string src, bool astOnly = false)
    {
        var lexer = new Lexer(src);
        var p = new Parser(lexer.Tokenize());
        var m = new ModuleNode { Source = src };
        try
        {
            while (p.Peek.Kind != TokKind.EOF)
            {
                if (p.Peek.Kind == TokKind.Newline) { p._p++; continue; }
                m.Body.AddRange(p.Statement());
            }
        }
        catch (SyntaxErrorException e) when (lexer.Unclosed is not null && (p.AtEndOfInput() || e.Custom))
        {
            throw lexer.Unclosed;
        }
        if (lexer.Unclosed is not null) throw lexer.Unclosed;
        m.TokenizerWarnings = lexer.Warnings;
        if (!astOnly && CheckFutureImports(m.Body) is SyntaxErrorException fe) throw fe;
        if (p._deferred is not null && !astOnly)
        {
            // CPython's symtable runs before its code generator: its errors ("'yield' inside list comprehension")
            // come first
            Compiler.Symtable.Build(m);
            throw p._deferred;
        }
        return m;
    }

    private static readonly string[] FutureFeatures =
    {
        "nested_scopes", "generators", "division", "absolute_import", "with_statement", "print_function", "unicode_literals",
        "barry_as_FLUFL", "generator_stop", "annotations",
    };

    /// <summary>CPython's future.c: <c>from __future__ import</c> only right after the docstring, of features it knows.</summary>
    private static SyntaxErrorException? CheckFutureImports(List<Stmt> body)
    {
        bool leading = true;
        for (int i = body.Count > 0 && body[0] is ExprStmt { Value: Constant { Value: PyStr } } ? 1 : 0; i < body.Count; i++)
        {
            if (body[i] is not ImportFrom { Module: "__future__", Level: 0 } f) { leading = false; continue; }
            if (!leading) return NodeErr("from __future__ imports must occur at the beginning of the file", f);
            foreach (var a in f.Names)
            {
                if (a.Name == "braces") return new SyntaxErrorException("not a chance", f.Line, f.Col + 1);
                if (Array.IndexOf(FutureFeatures, a.Name) < 0) return new SyntaxErrorException($"future feature {a.Name} is not defined", f.Line, f.Col + 1);
            }
        }
        return null;
    }

    /// <param name="fstring">The f-string token whose replacement field <paramref name="src"/> is: every node gets its range.</param>
    /// <param name="warnings">Receives the tokenizer's SyntaxWarnings (<see cref="Lexer.Warnings"/>).</param>
    public static Expr ParseExpression(string src, Token? fstring = null, List<SyntaxErrorException>? warnings = null)
    {
        var lexer = new Lexer(src) { Warnings = warnings };
        List<Token> tokens;
        try { tokens = lexer.Tokenize(); }
        catch (SyntaxErrorException e) { e.FromTokenizer = true; throw; }
        var p = new Parser(tokens) { _posOverride = fstring };
        try
        {
            while (p.Peek.Kind == TokKind.Newline) p._p++;
            var e = p.TestListStarExpr();
            while (p.Peek.Kind == TokKind.Newline) p._p++;
            if (p.Peek.Kind != TokKind.EOF) throw p.Err("invalid syntax");
            if (lexer.Unclosed is not null) throw lexer.Unclosed;
            if (p._deferred is not null) throw p._deferred;
            return e;
        }
        catch (SyntaxErrorException) when (lexer.Unclosed is not null && p.AtEndOfInput())
        {
            throw lexer.Unclosed;
        }
    }

    /// <summary>Only end-of-input tokens (NEWLINE, DEDENT, EOF) remain from the current one on.</summary>
    private bool AtEndOfInput()
    {
        for (int i = _p; i < _t.Count; i++)
            if (_t[i].Kind != TokKind.Newline && _t[i].Kind != TokKind.Dedent && _t[i].Kind != TokKind.EOF)
                return false;
        return true;
    }

    private Token Peek => _t[_p];
    private Token PeekAt(int k) => _t[Math.Min(_p + k, _t.Count - 1)];
    private Token Next() => _t[_p++];
    private bool IsOp(string s) => Peek.Kind == TokKind.Op && Peek.Text == s;
    private bool IsKw(string s) => Peek.Kind == TokKind.Name && Peek.Text == s;
    private bool AcceptOp(string s) { if (IsOp(s)) { _p++; return true; } return false; }
    private bool AcceptKw(string s) { if (IsKw(s)) { _p++; return true; } return false; }
    /// <summary>An error at a token, highlighting the whole token (CPython's caret range).</summary>
    private SyntaxErrorException Err(string msg, Token? t = null) { t ??= Peek; return RangeErr(msg, t, t); }
    private int IndentWidth(int line)
    {
        foreach (var tk in _t) if (tk.Line == line && tk.Kind is not (TokKind.Indent or TokKind.Dedent or TokKind.Newline)) return tk.Col;
        return 0;
    }
    /// <summary>The source token at a node's position (for the caret range of a one-token node).</summary>
    private Token TokenAt(int line, int col)
    {
        foreach (var tk in _t) if (tk.Line == line && tk.Col == col && tk.Kind != TokKind.Indent) return tk;
        return new Token { Line = line, Col = col };
    }
    private void Enter()
    {
        if (++_level > MaxLevel) throw Ops.MemoryError();
        if (Vm.PythonThread.StackExhausted()) throw CompileRecursionError();
    }

    /// <summary>CPython's error for source nested beyond the compiler's recursion limit.</summary>
    public static PyException CompileRecursionError() =>
        Ops.Exc(PyBaseException.RecursionErrorType, "maximum recursion depth exceeded during compilation");

    private static SyntaxErrorException RangeErr(string msg, Token first, Token last, bool custom = false)
    {
        var e = new SyntaxErrorException(msg, first.Line, first.Col + 1) { Custom = custom };
        bool real = last.Kind is TokKind.Name or TokKind.Number or TokKind.String or TokKind.Op;
        if (real && last.EndLine == first.Line) { e.EndLine = last.EndLine; e.EndCol = last.EndCol + 1; }
        return e;
    }
    private void ExpectOp(string s)
    {
        if (!AcceptOp(s))
        {
            // CPython says "expected ':'" only before the end of the line, or after try/finally/else
            if (s == ":" && (Peek.Kind == TokKind.Newline || Peek.Kind == TokKind.EOF || _p > 0 && _t[_p - 1].Kind == TokKind.Name && _t[_p - 1].Text is "try" or "finally" or "else"))
                throw Err("expected ':'");
            throw InvalidSyntax();
        }
    }

    /// <summary>"invalid syntax" at the current token, with the hints CPython's grammar gives: two expressions
    /// side by side inside brackets (a missing comma), Python 2 print/exec, '=' where a comparison was meant.</summary>
    private SyntaxErrorException InvalidSyntax()
    {
        var t = Peek;
        int ti = _p;
        if (ti > 0 && StartsExpr())
        {
            var prev = _t[ti - 1];
            if (prev.Kind == TokKind.Name && prev.Text is "print" or "exec" && !IsOp("(") && (ti < 2 || !(_t[ti - 2].Kind == TokKind.Op && _t[ti - 2].Text == ".")))
            {
                var end = SpeculativeEnd(ti, star: true);
                if (end != null) return RangeErr($"Missing parentheses in call to '{prev.Text}'. Did you mean {prev.Text}(...)?", prev, end, custom: true);
            }
            int start = BracketDepth(ti) > 0 ? ElementStart(ti) : -1;
            if (start >= 0)
            {
                var a0 = _t[start];
                bool nameString = a0.Kind == TokKind.Name && _t[start + 1].Kind == TokKind.String;
                bool softKeyword = a0.Kind == TokKind.Name && a0.Text is "match" or "case" or "_";
                if (!nameString && !softKeyword)
                {
                    var end = SpeculativeEnd(ti, star: false);
                    if (end != null) return RangeErr("invalid syntax. Perhaps you forgot a comma?", a0, end, custom: true);
                }
            }
        }
        if (IsOp("=") && ti > 0 && _t[ti - 1].Kind == TokKind.Name && !IsKeyword(_t[ti - 1].Text))
        {
            // NAME '=' bitwise_or where a named expression was expected: "if x = 3:", "[x = 1]"
            int save = _p;
            _p = ti + 1;
            try
            {
                if (StartsExpr())
                {
                    BitOr();
                    var end = _t[_p - 1];
                    if (!IsOp("=") && !IsOp(":=")) return RangeErr("invalid syntax. Maybe you meant '==' or ':=' instead of '='?", _t[ti - 1], end, custom: true);
                }
            }
            catch (SyntaxErrorException) { }
            finally { _p = save; }
        }
        return Err("invalid syntax", t);
    }

    /// <summary>The last token of the expression starting at token i, or null if none parses there.</summary>
    private Token? SpeculativeEnd(int i, bool star)
    {
        int save = _p;
        _p = i;
        try
        {
            if (star) TestListStarExpr(); else Test();
            return _t[_p - 1];
        }
        catch (SyntaxErrorException) { return null; }
        finally { _p = save; }
    }

    private Token CallClose()
    {
        int depth = 0;
        for (int k = _p; k < _t.Count; k++)
        {
            var tk = _t[k];
            if (tk.Kind != TokKind.Op) continue;
            if (tk.Text is "(" or "[" or "{") depth++;
            else if (tk.Text is ")" or "]" or "}") { if (depth == 0) return tk; depth--; }
        }
        return Peek;
    }

    private int BracketDepth(int i)
    {
        int d = 0;
        for (int k = 0; k < i; k++)
        {
            var tk = _t[k];
            if (tk.Kind != TokKind.Op) continue;
            if (tk.Text is "(" or "[" or "{") d++;
            else if (tk.Text is ")" or "]" or "}") d--;
        }
        return d;
    }

    /// <summary>First token of the expression that ends just before token i inside brackets (after the
    /// enclosing bracket, a comma, '=', ':' or a keyword that ends a sub-expression), or -1.</summary>
    private int ElementStart(int i)
    {
        int depth = 0, k = i - 1;
        for (; k >= 0; k--)
        {
            var tk = _t[k];
            if (tk.Kind == TokKind.Op)
            {
                if (tk.Text is ")" or "]" or "}") { depth++; continue; }
                if (tk.Text is "(" or "[" or "{")
                {
                    if (depth > 0) { depth--; continue; }
                    if (k >= 2 && _t[k - 2].Kind == TokKind.Name && _t[k - 2].Text == "def" || k >= 1 && _t[k - 1].Kind == TokKind.Name && _t[k - 1].Text == "import") return -1;
                    break;
                }
                if (depth == 0 && tk.Text is "," or "=" or ":" or ":=") break;
                continue;
            }
            if (tk.Kind == TokKind.Name && depth == 0)
            {
                if (tk.Text is "for" or "async") return -1; // comprehension clauses get no hint
                if (tk.Text is "if" or "else" or "lambda" or "yield" or "from") break;
            }
            if (tk.Kind is TokKind.Newline or TokKind.Indent or TokKind.Dedent) return -1;
        }
        int s = k + 1;
        if (s < i && _t[s].Kind == TokKind.Op && _t[s].Text is "*" or "**") s++;
        return s < i ? s : -1;
    }
    private void ExpectKw(string s) { if (!AcceptKw(s)) throw Err("invalid syntax"); }
    private string ExpectName()
    {
        if (Peek.Kind != TokKind.Name || IsKeyword(Peek.Text)) throw Err("invalid syntax");
        return Next().Text;
    }

    private static readonly HashSet<string> Keywords = new()
    {
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else",
        "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise",
        "return", "try", "while", "with", "yield",
    };
    public static bool IsKeyword(string s) => Keywords.Contains(s);

    /// <summary>A node starting at token <paramref name="t"/> and ending (for now) at the last token consumed; nodes whose
    /// parts are parsed after this call get their end again from <see cref="Fin"/>. Inside an f-string's replacement field
    /// every node takes the f-string token's range (the sub-parser's own columns count from the field's text).</summary>
    private T At<T>(T node, Token t) where T : Node
    {
        if (_posOverride is Token o) { node.Line = o.Line; node.Col = o.Col; node.EndLine = o.EndLine; node.EndCol = o.EndCol; return node; }
        node.Line = t.Line; node.Col = t.Col;
        return Fin(node);
    }
    /// <summary>Ends a node at the last real token consumed (code positions, PEP 657; ast's end_lineno/end_col_offset).</summary>
    private T Fin<T>(T node) where T : Node
    {
        if (_posOverride != null) return node;
        int i = _p - 1;
        while (i > 0 && _t[i].Kind is TokKind.Newline or TokKind.Indent or TokKind.Dedent or TokKind.EOF) i--;
        if (i >= 0) { node.EndLine = _t[i].EndLine; node.EndCol = _t[i].EndCol; }
        return node;
    }
    /// <summary>A node that starts where its first part starts (a binary operation, call, attribute, subscript), as CPython's.</summary>
    private T From<T>(T node, Node first) where T : Node
    {
        if (_posOverride == null && first.Line > 0) { node.Line = first.Line; node.Col = first.Col; }
        return node;
    }
    private T StartAt<T>(T node, Token first) where T : Node
    {
        if (_posOverride == null) { node.Line = first.Line; node.Col = first.Col; }
        return node;
    }
    private Token? _posOverride;

    // ---------------- statements ----------------
    private List<Stmt> Statement()
    {
        var t = Peek;
        if (t.Kind == TokKind.Indent) throw new SyntaxErrorException("unexpected indent", t.Line, IndentWidth(t.Line), true);
        if (t.Kind == TokKind.Name)
        {
            switch (t.Text)
            {
                case "if": return One(IfStmt());
                case "while": return One(WhileStmt());
                case "for": return One(ForStmt());
                case "try": return One(TryStmt());
                case "with": return One(WithStmt());
                case "def": return One(FuncDef(new List<Expr>(), false));
                case "class": return One(ClassDefStmt(new List<Expr>()));
                case "async":
                    {
                        _p++;
                        if (IsKw("def")) return One(FuncDef(new List<Expr>(), true));
                        if (IsKw("for")) { var af = (For)ForStmt(); af.IsAsync = true; return One(af); }
                        if (IsKw("with")) { var aw = (With)WithStmt(); aw.IsAsync = true; return One(aw); }
                        throw Err("invalid syntax");
                    }
                case "match":
                    if (LooksLikeMatch()) return One(MatchStmt());
                    break;
            }
        }
        if (t.Kind == TokKind.Op && t.Text == "@") return One(Decorated());
        return SimpleStmt();
    }

    private List<Stmt> One(Stmt s) => new() { Fin(s) };

    private List<Stmt> SimpleStmt()
    {
        var list = new List<Stmt>();
        while (true)
        {
            list.Add(Fin(SmallStmt()));
            if (AcceptOp(";"))
            {
                if (Peek.Kind == TokKind.Newline) break;
                continue;
            }
            break;
        }
        if (Peek.Kind != TokKind.Newline && Peek.Kind != TokKind.EOF) throw InvalidSyntax();
        if (Peek.Kind == TokKind.Newline) _p++;
        return list;
    }

    private List<Stmt> Block(string what = "", int line = 0)
    {
        if (Peek.Kind != TokKind.Newline)
        {
            return SimpleStmt();
        }
        _p++;
        if (Peek.Kind != TokKind.Indent) throw new SyntaxErrorException(what.Length > 0 ? $"expected an indented block after {what} on line {line}" : "expected an indented block", Peek.Line, Peek.Col + 1, true);
        _p++;
        var body = new List<Stmt>();
        while (Peek.Kind != TokKind.Dedent && Peek.Kind != TokKind.EOF)
        {
            if (Peek.Kind == TokKind.Newline) { _p++; continue; }
            body.AddRange(Statement());
        }
        if (Peek.Kind == TokKind.Dedent) _p++;
        return body;
    }

    private Stmt SmallStmt()
    {
        var t = Peek;
        if (t.Kind == TokKind.Name)
        {
            switch (t.Text)
            {
                case "pass": _p++; return At(new Pass(), t);
                case "break": _p++; return At(new Break(), t);
                case "continue": _p++; return At(new Continue(), t);
                case "return":
                    {
                        _p++;
                        if (_funcDepth == 0) _deferred ??= Err("'return' outside function", t);
                        var r = At(new Return(), t);
                        if (!AtStmtEnd()) r.Value = TestListStarExpr();
                        return r;
                    }
                case "raise":
                    {
                        _p++;
                        var r = At(new Raise(), t);
                        if (!AtStmtEnd())
                        {
                            r.Exc = Test();
                            if (AcceptKw("from")) r.Cause = Test();
                        }
                        return r;
                    }
                case "global": { _p++; var g = At(new Global(), t); do g.Names.Add(ExpectName()); while (AcceptOp(",")); return g; }
                case "nonlocal": { _p++; var g = At(new Nonlocal(), t); do g.Names.Add(ExpectName()); while (AcceptOp(",")); return g; }
                case "del":
                    {
                        _p++;
                        var d = At(new Delete(), t);
                        var e = ExprList();
                        if (e is TupleE te && !(IsOpAt(-1, ")"))) d.Targets.AddRange(te.Elts); else d.Targets.Add(e);
                        foreach (var x in d.Targets) CheckTarget(x, TargetKind.Delete);
                        return d;
                    }
                case "assert":
                    {
                        _p++;
                        var a = At(new Assert(), t);
                        a.Test = Test();
                        if (AcceptOp(",")) a.Msg = Test();
                        return a;
                    }
                case "import": return ImportStmt();
                case "from": return FromImport();
            }
        }
        // expression statement / assignment
        if (Peek.Kind == TokKind.Name && IsOpAt(1, ":=")) throw Err("invalid syntax", PeekAt(1)); // unparenthesized walrus
        var first = TestListStarExpr(allowYield: true);
        if (IsOp("="))
        {
            var a = At(new Assign(), t);
            a.Targets.Add(first);
            Expr value = first;
            while (AcceptOp("="))
            {
                value = IsKw("yield") ? YieldExpr() : TestListStarExpr();
                a.Targets.Add(value);
            }
            a.Targets.RemoveAt(a.Targets.Count - 1);
            foreach (var tg in a.Targets) CheckTarget(tg, TargetKind.Assign);
            a.Value = value;
            return a;
        }
        if (Peek.Kind == TokKind.Op && Peek.Text.Length >= 2 && Peek.Text.EndsWith('=') && Peek.Text != "==" && Peek.Text != "<=" && Peek.Text != ">=" && Peek.Text != "!=")
        {
            var opTok = Next();
            var op = opTok.Text.Substring(0, opTok.Text.Length - 1) switch
            {
                "+" => BinOp.Add, "-" => BinOp.Sub, "*" => BinOp.Mul, "@" => BinOp.MatMul, "/" => BinOp.TrueDiv, "//" => BinOp.FloorDiv,
                "%" => BinOp.Mod, "**" => BinOp.Pow, "<<" => BinOp.LShift, ">>" => BinOp.RShift, "&" => BinOp.And, "|" => BinOp.Or, "^" => BinOp.Xor,
                _ => throw Err("invalid syntax", opTok),
            };
            if (first is not Name && first is not Attribute && first is not Subscript)
                throw Err($"'{Describe(first)}' is an illegal expression for augmented assignment", t);
            var aug = At(new AugAssign(), t);
            aug.Target = first; aug.Op = op;
            aug.Value = IsKw("yield") ? YieldExpr() : TestListStarExpr();
            return aug;
        }
        if (IsOp(":"))
        {
            _p++;
            var an = At(new AnnAssign(), t);
            if (first is TupleE or ListE)
            {
                // an unparenthesized tuple is reported at its first item, as CPython's invalid_ann_assign_target
                Node at = first is TupleE { Elts.Count: > 0 } te && te.Elts[0].Line == te.Line && te.Elts[0].Col == te.Col ? te.Elts[0] : first;
                throw NodeErr($"only single target (not {(first is TupleE ? "tuple" : "list")}) can be annotated", at);
            }
            if (first is not Name && first is not Attribute && first is not Subscript) throw Err("illegal target for annotation", t);
            // `(x): int` is not simple: no __annotations__ entry, and x does not become local (CPython's AnnAssign.simple)
            an.Target = first; an.Annotation = Test(); an.Simple = first is Name && !(t.Kind == TokKind.Op && t.Text == "(");
            CheckTarget(first, TargetKind.Assign);
            if (AcceptOp("=")) an.Value = TestListStarExpr(allowYield: true);
            return an;
        }
        return At(new ExprStmt { Value = first }, t);
    }

    private bool IsOpAt(int k, string s) { var tk = PeekAt(k); return tk.Kind == TokKind.Op && tk.Text == s; }

    private bool AtStmtEnd() => Peek.Kind == TokKind.Newline || Peek.Kind == TokKind.EOF || IsOp(";");

    private static string Describe(Expr e) => e switch
    {
        Constant c => c.Value == PyNone.Instance ? "None" : c.Value is PyBool ? (c.Value.IsTrue() ? "True" : "False") : "literal",
        Call => "function call",
        BinOpE or UnaryE => "expression",
        BoolOpE => "expression",
        Compare => "comparison",
        Lambda => "lambda",
        IfExp => "conditional expression",
        JoinedStr => "f-string expression",
        Comp c2 => c2.Kind == CompKind.Gen ? "generator expression" : c2.Kind == CompKind.List ? "list comprehension" : c2.Kind == CompKind.Set ? "set comprehension" : "dict comprehension",
        DictE => "dict literal",
        SetE => "set display",
        NamedExpr => "named expression",
        Yield or YieldFrom => "yield expression",
        _ => "expression",
    };

    /// <summary>Where a target stands: an assignment statement (CPython suggests '==' for some), del, or a for/with/
    /// comprehension target (plain "cannot assign to").</summary>
    private enum TargetKind { Assign, Delete, Other }

    /// <summary>An error over a node's whole range (CPython's RAISE_SYNTAX_ERROR_KNOWN_NODE).</summary>
    private static SyntaxErrorException NodeErr(string msg, Node n)
    {
        var e = new SyntaxErrorException(msg, n.Line, n.Col + 1);
        if (n.EndLine > 0) { e.EndLine = n.EndLine; e.EndCol = n.EndCol + 1; }
        return e;
    }

    private void CheckTarget(Expr e, TargetKind kind)
    {
        bool del = kind == TargetKind.Delete;
        switch (e)
        {
            case Name n:
                if (n.Id == "__debug__") throw Err("cannot assign to __debug__");
                return;
            case Attribute: case Subscript: return;
            case Starred s when !del: CheckTarget(s.Value, kind); return;
            case TupleE t: foreach (var x in t.Elts) CheckTarget(x, kind); return;
            case ListE l: foreach (var x in l.Elts) CheckTarget(x, kind); return;
        }
        var what = Describe(e);
        if (del) throw NodeErr($"cannot delete {what}", e);
        throw NodeErr(kind == TargetKind.Assign && (e is Constant { Value: not (PyNone or PyBool) } || e is BinOpE || e is Call || e is UnaryE { Op: not UnaryKind.Not })
            ? $"cannot assign to {what} here. Maybe you meant '==' instead of '='?" : $"cannot assign to {what}", e);
    }

    private Stmt ImportStmt()
    {
        var t = Next();
        var imp = At(new Import(), t);
        do
        {
            var a = new Alias { Name = DottedName() };
            if (AcceptKw("as")) a.AsName = ExpectName();
            imp.Names.Add(a);
        } while (AcceptOp(","));
        return imp;
    }

    private string DottedName()
    {
        var sb = new StringBuilder(ExpectName());
        while (AcceptOp(".")) sb.Append('.').Append(ExpectName());
        return sb.ToString();
    }

    private Stmt FromImport()
    {
        var t = Next();
        var f = At(new ImportFrom(), t);
        while (true)
        {
            if (AcceptOp(".")) f.Level++;
            else if (AcceptOp("...")) f.Level += 3;
            else break;
        }
        if (!IsKw("import")) f.Module = DottedName();
        ExpectKw("import");
        if (IsOp("*")) { var star = Next(); f.Names.Add(new Alias { Name = "*", Line = star.Line, Col = star.Col }); return f; }
        bool paren = AcceptOp("(");
        do
        {
            if (paren && IsOp(")")) break;
            var a = new Alias { Name = ExpectName() };
            if (AcceptKw("as")) a.AsName = ExpectName();
            f.Names.Add(a);
        } while (AcceptOp(","));
        if (paren) ExpectOp(")");
        return f;
    }

    private Stmt IfStmt()
    {
        var t = Next();
        var s = At(new If(), t);
        s.Test = NamedExprTest();
        ExpectOp(":");
        s.Body = Block(t.Text == "elif" ? "'elif' statement" : "'if' statement", t.Line);
        if (IsKw("elif")) { s.OrElse = new List<Stmt> { IfStmt() }; }
        else if (IsKw("else")) { var et = Next(); ExpectOp(":"); s.OrElse = Block("'else' statement", et.Line); }
        return s;
    }

    private Stmt WhileStmt()
    {
        var t = Next();
        var s = At(new While(), t);
        s.Test = NamedExprTest();
        ExpectOp(":");
        s.Body = Block("'while' statement", t.Line);
        if (AcceptKw("else")) { ExpectOp(":"); s.OrElse = Block(); }
        return s;
    }

    private Stmt ForStmt()
    {
        var t = Next();
        var s = At(new For(), t);
        s.Target = ExprList();
        CheckTarget(s.Target, TargetKind.Other);
        ExpectKw("in");
        s.Iter = TestListStarExpr();
        ExpectOp(":");
        s.Body = Block("'for' statement", t.Line);
        if (AcceptKw("else")) { ExpectOp(":"); s.OrElse = Block(); }
        return s;
    }

    private Stmt TryStmt()
    {
        var t = Next();
        var s = At(new Try(), t);
        ExpectOp(":");
        s.Body = Block("'try' statement", t.Line);
        while (IsKw("except"))
        {
            var et = Next();
            var h = new ExceptHandler { Line = et.Line };
            bool star = AcceptOp("*");
            if (s.Handlers.Count == 0) s.IsStar = star;
            else if (star != s.IsStar) throw Err("cannot have both 'except' and 'except*' on the same 'try'", et);
            if (star && IsOp(":")) throw Err("expected one or more exception types");
            if (!IsOp(":"))
            {
                h.Type = Test();
                if (IsOp(","))
                {
                    var tup = At(new TupleE(), et); tup.Elts.Add(h.Type);
                    while (AcceptOp(",")) tup.Elts.Add(Test());
                    throw Err("multiple exception types must be parenthesized", et);
                }
                if (AcceptKw("as")) h.Name = ExpectName();
            }
            ExpectOp(":");
            h.Body = Block();
            s.Handlers.Add(h);
        }
        if (AcceptKw("else")) { if (s.Handlers.Count == 0) throw Err("invalid syntax"); ExpectOp(":"); s.OrElse = Block(); }
        if (AcceptKw("finally")) { ExpectOp(":"); s.FinalBody = Block(); }
        if (s.Handlers.Count == 0 && s.FinalBody.Count == 0) throw Err("expected 'except' or 'finally' block");
        return s;
    }

    private Stmt WithStmt()
    {
        var t = Next();
        var s = At(new With(), t);
        bool paren = false;
        if (IsOp("("))
        {
            // parenthesized with-items (3.10+) vs parenthesized expression: CPython's grammar tries the items
            // first, so `with (a, b):` is two context managers, like `with (a as x):`; detect 'as' or ',' at depth 1
            int depth = 0, k = _p; bool hasAs = false;
            for (; k < _t.Count; k++)
            {
                var tk = _t[k];
                if (tk.Kind == TokKind.Op && (tk.Text == "(" || tk.Text == "[" || tk.Text == "{")) depth++;
                else if (tk.Kind == TokKind.Op && (tk.Text == ")" || tk.Text == "]" || tk.Text == "}")) { depth--; if (depth == 0) break; }
                else if (depth == 1 && tk.Kind == TokKind.Name && tk.Text == "as") hasAs = true;
                else if (depth == 1 && tk.Kind == TokKind.Op && tk.Text == ",") hasAs = true;
            }
            if (hasAs && k + 1 < _t.Count && _t[k + 1].Kind == TokKind.Op && _t[k + 1].Text == ":") { paren = true; _p++; }
        }
        do
        {
            if (paren && IsOp(")")) break;
            var item = new WithItem { Context = Test() };
            if (AcceptKw("as")) { item.Vars = Target(); CheckTarget(item.Vars, TargetKind.Other); }
            s.Items.Add(item);
        } while (AcceptOp(","));
        if (paren) ExpectOp(")");
        ExpectOp(":");
        s.Body = Block("'with' statement", t.Line);
        return s;
    }

    private Expr Target()
    {
        if (IsOp("(") || IsOp("[")) return Atom();
        return Primary();
    }

    private Stmt Decorated()
    {
        var decos = new List<Expr>();
        while (AcceptOp("@"))
        {
            decos.Add(NamedExprTest());
            if (Peek.Kind != TokKind.Newline) throw Err("invalid syntax");
            _p++;
        }
        if (IsKw("def")) return FuncDef(decos, false);
        if (IsKw("async")) { _p++; return FuncDef(decos, true); }
        if (IsKw("class")) return ClassDefStmt(decos);
        throw Err("invalid syntax");
    }

    private Stmt FuncDef(List<Expr> decos, bool isAsync)
    {
        var t = Next();
        var f = At(new FunctionDef(), t);
        f.Decorators = decos; f.IsAsync = isAsync;
        f.Name = ExpectName();
        ExpectOp("(");
        f.Args = ParamList(")", true);
        ExpectOp(")");
        if (AcceptOp("->")) f.Returns = Test();
        ExpectOp(":");
        _funcDepth++;
        f.Body = Block("function definition", t.Line);
        _funcDepth--;
        return f;
    }

    private Arguments ParamList(string end, bool annotations)
    {
        var a = new Arguments();
        bool kwonly = false;
        bool sawDefault = false;
        while (!IsOp(end))
        {
            if (AcceptOp("/"))
            {
                if (a.PosOnly.Count > 0 || a.Args.Count == 0 || kwonly) throw Err("invalid syntax");
                a.PosOnly.AddRange(a.Args); a.Args.Clear();
            }
            else if (AcceptOp("**"))
            {
                a.KwArg = Param(annotations);
                AcceptOp(",");
                if (!IsOp(end)) throw Err("arguments cannot follow var-keyword argument");
                break;
            }
            else if (IsOp("*"))
            {
                var starTok = Next();
                if (kwonly) throw Err("* argument may appear only once");
                kwonly = true;
                if (!IsOp(",") && !IsOp(end)) a.VarArg = Param(annotations, starAnnotation: true);
                else if (IsOp(end) || (IsOp(",") && (PeekAt(1).Kind == TokKind.Op && PeekAt(1).Text == end))) throw Err("named arguments must follow bare *", starTok);
            }
            else
            {
                var p = Param(annotations);
                Expr? def = null;
                if (AcceptOp("=")) def = Test();
                if (kwonly) { a.KwOnly.Add(p); a.KwDefaults.Add(def); }
                else
                {
                    a.Args.Add(p);
                    if (def != null) { a.Defaults.Add(def); sawDefault = true; }
                    else if (sawDefault) throw Err("non-default argument follows default argument");
                }
            }
            if (!AcceptOp(",")) break;
        }
        return a;
    }

    /// <param name="starAnnotation">*args may carry a starred annotation (PEP 646, 3.11's param_star_annotation:
    /// <c>*args: *Ts</c>), a Starred node in the AST.</param>
    private Arg Param(bool annotations, bool starAnnotation = false)
    {
        var nameTok = Peek;
        var p = At(new Arg { Name = ExpectName() }, nameTok);
        if (annotations && AcceptOp(":"))
        {
            if (starAnnotation && IsOp("*")) { var t = Next(); p.Annotation = At(new Starred { Value = BitOr() }, t); }
            else p.Annotation = Test();
        }
        return p;
    }

    private Stmt ClassDefStmt(List<Expr> decos)
    {
        var t = Next();
        var c = At(new ClassDef(), t);
        c.Decorators = decos;
        c.Name = ExpectName();
        if (AcceptOp("("))
        {
            var (args, kws) = CallArgs();
            c.Bases = args; c.Keywords = kws;
            ExpectOp(")");
        }
        ExpectOp(":");
        int save = _funcDepth; _funcDepth = 0;
        c.Body = Block("class definition", t.Line);
        _funcDepth = save;
        return c;
    }

    // ---------------- match ----------------
    private bool LooksLikeMatch()
    {
        // 'match' subject ':' NEWLINE INDENT 'case'
        int depth = 0;
        for (int k = _p + 1; k < _t.Count; k++)
        {
            var tk = _t[k];
            if (tk.Kind == TokKind.Newline || tk.Kind == TokKind.EOF) return false;
            if (tk.Kind == TokKind.Op)
            {
                if (tk.Text == "(" || tk.Text == "[" || tk.Text == "{") depth++;
                else if (tk.Text == ")" || tk.Text == "]" || tk.Text == "}") depth--;
                else if (tk.Text == ":" && depth == 0)
                    return k == _p + 1 ? false : _t[k + 1].Kind == TokKind.Newline && _t[k + 2].Kind == TokKind.Indent && _t[k + 3].Text == "case";
                else if (tk.Text == "=" && depth == 0) return false;
            }
        }
        return false;
    }

    private Stmt MatchStmt()
    {
        var t = Next();
        var m = At(new Match(), t);
        m.Subject = TestListStarExpr();
        ExpectOp(":");
        if (Peek.Kind != TokKind.Newline) throw Err("invalid syntax");
        _p++;
        if (Peek.Kind != TokKind.Indent) throw Err("expected an indented block");
        _p++;
        while (IsKw("case"))
        {
            _p++;
            var mc = new MatchCase { Pattern = PatternTop() };
            if (AcceptKw("if")) mc.Guard = NamedExprTest();
            ExpectOp(":");
            mc.Body = Block();
            m.Cases.Add(mc);
            while (Peek.Kind == TokKind.Newline) _p++;
        }
        if (Peek.Kind == TokKind.Dedent) _p++;
        return m;
    }

    private Pattern PatternTop()
    {
        var p = PatternAs();
        if (IsOp(","))
        {
            var seq = new MatchSequence { Line = p.Line };
            AddSeqItem(seq, p);
            while (AcceptOp(",")) { if (IsOp(":") || IsKw("if")) break; AddSeqItem(seq, PatternAs()); }
            return seq;
        }
        return p;
    }

    private void AddSeqItem(MatchSequence seq, Pattern p)
    {
        if (p is MatchCapture mc && mc.Inner is MatchSequence star && star.StarIndex == -2)
        {
            seq.StarIndex = seq.Items.Count; seq.StarName = mc.Name; return;
        }
        seq.Items.Add(p);
    }

    private Pattern PatternAs()
    {
        var p = PatternOr();
        if (AcceptKw("as")) return new MatchCapture { Name = ExpectName(), Inner = p, Line = p.Line };
        return p;
    }

    private Pattern PatternOr()
    {
        var p = PatternClosed();
        if (!IsOp("|")) return p;
        var o = new MatchOr { Line = p.Line };
        o.Alts.Add(p);
        while (AcceptOp("|")) o.Alts.Add(PatternClosed());
        return o;
    }

    private Pattern PatternClosed()
    {
        var t = Peek;
        if (AcceptOp("*"))
        {
            var n = ExpectName();
            return new MatchCapture { Name = n == "_" ? null : n, Inner = new MatchSequence { StarIndex = -2 }, Line = t.Line };
        }
        if (AcceptOp("(") || IsOp("["))
        {
            bool bracket = t.Text == "[";
            if (bracket) _p++;
            string close = bracket ? "]" : ")";
            if (AcceptOp(close)) return new MatchSequence { Line = t.Line };
            var first = PatternAs();
            if (!bracket && AcceptOp(")")) return first;
            var seq = new MatchSequence { Line = t.Line };
            AddSeqItem(seq, first);
            while (AcceptOp(",")) { if (IsOp(close)) break; AddSeqItem(seq, PatternAs()); }
            ExpectOp(close);
            return seq;
        }
        if (AcceptOp("{"))
        {
            var mm = new MatchMapping { Line = t.Line };
            while (!IsOp("}"))
            {
                if (AcceptOp("**"))
                {
                    mm.Rest = ExpectName();
                    if (AcceptOp(",") && !IsOp("}")) throw Err("invalid syntax"); // '**rest' must come last
                    continue;
                }
                var key = PatternValueExpr();
                ExpectOp(":");
                mm.Keys.Add(key); mm.Values.Add(PatternAs());
                if (!AcceptOp(",")) break;
            }
            ExpectOp("}");
            return mm;
        }
        if (t.Kind == TokKind.Name && !IsKeyword(t.Text) && !(PeekAt(1).Kind == TokKind.Op && (PeekAt(1).Text == "." || PeekAt(1).Text == "(")))
        {
            _p++;
            return new MatchCapture { Name = t.Text == "_" ? null : t.Text, Line = t.Line };
        }
        if (t.Kind == TokKind.Name && !IsKeyword(t.Text))
        {
            Expr cls = At(new Name { Id = Next().Text }, t);
            while (AcceptOp(".")) cls = At(new Attribute { Value = cls, Attr = ExpectName() }, t);
            if (!AcceptOp("(")) return new MatchValue { Value = cls, Line = t.Line };
            var mc = new MatchClass { Cls = cls, Line = t.Line };
            while (!IsOp(")"))
            {
                if (Peek.Kind == TokKind.Name && PeekAt(1).Kind == TokKind.Op && PeekAt(1).Text == "=")
                {
                    mc.KwNames.Add(Next().Text); _p++;
                    mc.KwValues.Add(PatternAs());
                }
                else mc.Args.Add(PatternAs());
                if (!AcceptOp(",")) break;
            }
            ExpectOp(")");
            return mc;
        }
        if (IsKw("None")) { _p++; return new MatchSingleton { Value = PyNone.Instance, Line = t.Line }; }
        if (IsKw("True")) { _p++; return new MatchSingleton { Value = PyBool.True, Line = t.Line }; }
        if (IsKw("False")) { _p++; return new MatchSingleton { Value = PyBool.False, Line = t.Line }; }
        return new MatchValue { Value = PatternValueExpr(), Line = t.Line };
    }

    private Expr PatternValueExpr() => ArithExpr();

    // ---------------- expressions ----------------
    public Expr TestListStarExpr(bool allowYield = false)
    {
        if (allowYield && IsKw("yield")) return YieldExpr();
        var t = Peek;
        var first = StarOrNamed();
        if (!IsOp(",")) return first;
        var tup = At(new TupleE(), t);
        tup.Elts.Add(first);
        while (AcceptOp(","))
        {
            if (!StartsExpr()) break;
            tup.Elts.Add(StarOrNamed());
        }
        return Fin(tup);
    }

    private Expr StarOrNamed()
    {
        if (IsOp("*")) { var t = Next(); return At(new Starred { Value = BitOr() }, t); }
        return NamedExprTest();
    }

    private Expr ExprList()
    {
        var t = Peek;
        var first = IsOp("*") ? At(new Starred { Value = BitOr(), }, Next()) : BitOr();
        if (first is Starred st0 && st0.Value == null!) { }
        if (!IsOp(",")) return first;
        var tup = At(new TupleE(), t);
        tup.Elts.Add(first);
        while (AcceptOp(","))
        {
            if (!StartsExpr()) break;
            if (IsOp("*")) { var st = Next(); tup.Elts.Add(At(new Starred { Value = BitOr() }, st)); }
            else tup.Elts.Add(BitOr());
        }
        return Fin(tup);
    }

    private bool StartsExpr()
    {
        var t = Peek;
        if (t.Kind == TokKind.Name) return !IsKeyword(t.Text) || t.Text is "None" or "True" or "False" or "not" or "lambda" or "await" or "yield";
        if (t.Kind == TokKind.Number || t.Kind == TokKind.String) return true;
        if (t.Kind == TokKind.Op) return t.Text is "(" or "[" or "{" or "-" or "+" or "~" or "*" or "..." or "**";
        return false;
    }

    private Expr YieldExpr()
    {
        var t = Next();
        if (_funcDepth == 0) _deferred ??= Err("'yield' outside function", t);
        if (AcceptKw("from")) return At(new YieldFrom { Value = Test() }, t);
        var y = At(new Yield(), t);
        if (StartsExpr() && !IsOp("**")) y.Value = TestListStarExpr();
        return Fin(y);
    }

    public Expr NamedExprTest()
    {
        if (Peek.Kind == TokKind.Name && PeekAt(1).Kind == TokKind.Op && PeekAt(1).Text == ":=")
        {
            var t = Next();
            if (IsKeyword(t.Text)) throw Err("invalid syntax", t);
            _p++;
            var target = At(new Name { Id = t.Text }, t);
            if (_posOverride == null) { target.EndLine = t.EndLine; target.EndCol = t.EndCol; }
            return At(new NamedExpr { Target = target, Value = Test() }, t);
        }
        var e = Test();
        if (IsOp(":=")) throw Err($"cannot use assignment expressions with {Describe(e)}");
        return e;
    }

    public Expr Test()
    {
        Enter();
        try { return TestCore(); }
        finally { _level--; }
    }

    private Expr TestCore()
    {
        var t = Peek;
        if (IsKw("lambda")) return LambdaExpr(true);
        int bodyStart = _p;
        var e = OrTest();
        if (IsKw("if"))
        {
            // conditional expression (but not a comprehension 'if')
            _p++;
            var test = OrTest();
            if (!AcceptKw("else")) throw RangeErr("expected 'else' after 'if' expression", _t[bodyStart], _t[_p - 1], custom: true);
            var orelse = Test();
            return At(new IfExp { Test = test, Body = e, OrElse = orelse }, t);
        }
        return e;
    }

    private Expr TestNoCond()
    {
        if (IsKw("lambda")) return LambdaExpr(false);
        return OrTest();
    }

    private Expr LambdaExpr(bool allowCond)
    {
        Enter();
        try { return LambdaCore(allowCond); }
        finally { _level--; }
    }

    private Expr LambdaCore(bool allowCond)
    {
        var t = Next();
        var l = At(new Lambda(), t);
        l.Args = ParamList(":", false);
        ExpectOp(":");
        _funcDepth++;
        l.Body = allowCond ? Test() : TestNoCond();
        _funcDepth--;
        return Fin(l);
    }

    private Expr OrTest()
    {
        var t = Peek;
        var e = AndTest();
        if (!IsKw("or")) return e;
        var b = At(new BoolOpE { IsAnd = false }, t);
        b.Values.Add(e);
        while (AcceptKw("or")) b.Values.Add(AndTest());
        return Fin(b);
    }

    private Expr AndTest()
    {
        var t = Peek;
        var e = NotTest();
        if (!IsKw("and")) return e;
        var b = At(new BoolOpE { IsAnd = true }, t);
        b.Values.Add(e);
        while (AcceptKw("and")) b.Values.Add(NotTest());
        return Fin(b);
    }

    private Expr NotTest()
    {
        if (IsKw("not"))
        {
            var t = Next();
            Enter();
            try { return At(new UnaryE { Op = UnaryKind.Not, Operand = NotTest() }, t); }
            finally { _level--; }
        }
        return Comparison();
    }

    private Expr Comparison()
    {
        var t = Peek;
        var e = BitOr();
        Compare? c = null;
        while (true)
        {
            CmpKind k;
            if (Peek.Kind == TokKind.Op)
            {
                switch (Peek.Text)
                {
                    case "<": k = CmpKind.Lt; break;
                    case "<=": k = CmpKind.Le; break;
                    case "==": k = CmpKind.Eq; break;
                    case "!=": k = CmpKind.Ne; break;
                    case ">": k = CmpKind.Gt; break;
                    case ">=": k = CmpKind.Ge; break;
                    default: goto done;
                }
                _p++;
            }
            else if (IsKw("in")) { _p++; k = CmpKind.In; }
            else if (IsKw("not") && PeekAt(1).Kind == TokKind.Name && PeekAt(1).Text == "in") { _p += 2; k = CmpKind.NotIn; }
            else if (IsKw("is")) { _p++; k = AcceptKw("not") ? CmpKind.IsNot : CmpKind.Is; }
            else break;
            c ??= At(new Compare { Left = e }, t);
            c.Ops.Add(k);
            c.Comparators.Add(BitOr());
            Fin(c);
        }
    done:
        return (Expr?)c ?? e;
    }

    private Expr BitOr()
    {
        var e = BitXor();
        while (IsOp("|")) { var t = Next(); e = From(At(new BinOpE { Left = e, Op = BinOp.Or, Right = BitXor() }, t), e); }
        return e;
    }
    private Expr BitXor()
    {
        var e = BitAnd();
        while (IsOp("^")) { var t = Next(); e = From(At(new BinOpE { Left = e, Op = BinOp.Xor, Right = BitAnd() }, t), e); }
        return e;
    }
    private Expr BitAnd()
    {
        var e = Shift();
        while (IsOp("&")) { var t = Next(); e = From(At(new BinOpE { Left = e, Op = BinOp.And, Right = Shift() }, t), e); }
        return e;
    }
    private Expr Shift()
    {
        var e = ArithExpr();
        while (IsOp("<<") || IsOp(">>")) { var t = Next(); e = From(At(new BinOpE { Left = e, Op = t.Text == "<<" ? BinOp.LShift : BinOp.RShift, Right = ArithExpr() }, t), e); }
        return e;
    }
    private Expr ArithExpr()
    {
        var e = Term();
        while (IsOp("+") || IsOp("-")) { var t = Next(); e = From(At(new BinOpE { Left = e, Op = t.Text == "+" ? BinOp.Add : BinOp.Sub, Right = Term() }, t), e); }
        return e;
    }
    private Expr Term()
    {
        var e = Factor();
        while (Peek.Kind == TokKind.Op)
        {
            BinOp op;
            switch (Peek.Text)
            {
                case "*": op = BinOp.Mul; break;
                case "/": op = BinOp.TrueDiv; break;
                case "//": op = BinOp.FloorDiv; break;
                case "%": op = BinOp.Mod; break;
                case "@": op = BinOp.MatMul; break;
                default: return e;
            }
            var t = Next();
            e = From(At(new BinOpE { Left = e, Op = op, Right = Factor() }, t), e);
        }
        return e;
    }
    private Expr Factor()
    {
        if (IsOp("-") || IsOp("+") || IsOp("~"))
        {
            var t = Next();
            Expr operand;
            Enter();
            try { operand = Factor(); }
            finally { _level--; }
            var kind = t.Text == "-" ? UnaryKind.Neg : t.Text == "+" ? UnaryKind.Pos : UnaryKind.Invert;
            if (kind == UnaryKind.Neg && operand is Constant { Negated: false } c && (c.Value is PyInt || c.Value is PyFloat || c.Value is PyComplex) && c.Value is not PyBool)
                return At(new Constant { Value = Ops.UnaryOp(c.Value, UnOp.Neg), Negated = true }, t);
            return At(new UnaryE { Op = kind, Operand = operand }, t);
        }
        return Power();
    }
    private Expr Power()
    {
        var t = Peek;
        Expr e;
        if (IsKw("await")) { _p++; e = At(new Await { Value = Primary() }, t); }
        else e = Primary();
        if (IsOp("**"))
        {
            var pt = Next();
            Enter();
            try { e = From(At(new BinOpE { Left = e, Op = BinOp.Pow, Right = Factor() }, pt), e); }
            finally { _level--; }
        }
        return e;
    }

    private Expr Primary()
    {
        var first = Peek; // a trailer's node starts at the primary's first token (a parenthesis included), as CPython's
        var e = Atom();
        while (true)
        {
            var t = Peek;
            if (AcceptOp("."))
            {
                e = StartAt(At(new Attribute { Value = e, Attr = ExpectName() }, t), first);
            }
            else if (AcceptOp("("))
            {
                var c = At(new Call { Func = e }, t);
                c.Line = e.Line;
                var (args, kws) = CallArgs();
                c.Args = args; c.Keywords = kws;
                ExpectOp(")");
                e = Fin(StartAt(c, first));
            }
            else if (AcceptOp("["))
            {
                var s = At(new Subscript { Value = e }, t);
                s.Index = SubscriptList();
                ExpectOp("]");
                e = Fin(StartAt(s, first));
            }
            else return e;
        }
    }

    private (List<Expr>, List<Keyword>) CallArgs()
    {
        var args = new List<Expr>();
        var kws = new List<Keyword>();
        while (!IsOp(")"))
        {
            var t = Peek;
            if (AcceptOp("**")) kws.Add(new Keyword { Name = null, Value = Test() });
            else if (AcceptOp("*")) { if (kws.Count > 0 && kws.Exists(k => k.Name == null)) throw Err("iterable argument unpacking follows keyword argument unpacking", t); args.Add(At(new Starred { Value = Test() }, t)); }
            else if (Peek.Kind == TokKind.Name && PeekAt(1).Kind == TokKind.Op && PeekAt(1).Text == "=")
            {
                var name = Next().Text; _p++;
                if (IsKeyword(name)) throw Err("invalid syntax", t);
                foreach (var k in kws) if (k.Name == name) throw Err($"keyword argument repeated: {name}", t);
                kws.Add(new Keyword { Name = name, Value = Test() });
            }
            else
            {
                var e = NamedExprTest();
                if (IsOp("=")) throw RangeErr("expression cannot contain assignment, perhaps you meant \"==\"?", t, Peek);
                if (IsKw("for") || IsKw("async"))
                {
                    e = CompFor(CompKind.Gen, e, null, t);
                    if (args.Count > 0 || !IsOp(")")) { if (!IsOp(")") || args.Count > 0) throw RangeErr("Generator expression must be parenthesized", t, _t[_p - 1]); }
                }
                if (kws.Count > 0)
                {
                    // CPython points at the call's closing parenthesis
                    if (kws.Exists(k => k.Name == null)) throw Err("positional argument follows keyword argument unpacking", CallClose());
                    throw Err("positional argument follows keyword argument", CallClose());
                }
                args.Add(e);
            }
            if (!AcceptOp(",")) break;
        }
        return (args, kws);
    }

    private Expr SubscriptList()
    {
        var t = Peek;
        var first = SubscriptItem();
        // a[*b] (PEP 646) is a one-item tuple slice, as 3.11's slices rule builds it
        if (!IsOp(",") && first is not Starred) return first;
        var tup = At(new TupleE(), t);
        tup.Elts.Add(first);
        while (AcceptOp(","))
        {
            if (IsOp("]")) break;
            tup.Elts.Add(SubscriptItem());
        }
        return Fin(tup);
    }

    private Expr SubscriptItem()
    {
        var t = Peek;
        if (IsOp("*")) { _p++; return At(new Starred { Value = BitOr() }, t); }
        Expr? lower = null;
        if (!IsOp(":")) { lower = NamedExprTest(); if (!IsOp(":")) return lower; }
        var s = At(new SliceE { Lower = lower }, t);
        ExpectOp(":");
        if (!IsOp("]") && !IsOp(":") && !IsOp(",")) s.Upper = Test();
        if (AcceptOp(":"))
        {
            if (!IsOp("]") && !IsOp(",")) s.Step = Test();
        }
        return Fin(s);
    }

    private Expr CompFor(CompKind kind, Expr elt, Expr? value, Token t)
    {
        var c = At(new Comp { Kind = kind, Elt = elt, Value = value }, t);
        while (IsKw("for") || IsKw("async"))
        {
            bool isAsync = AcceptKw("async");
            ExpectKw("for");
            var g = new Comprehension { Target = ExprList(), IsAsync = isAsync };
            CheckTarget(g.Target, TargetKind.Other);
            ExpectKw("in");
            g.Iter = OrTest();
            while (IsKw("if")) { _p++; g.Ifs.Add(TestNoCond()); }
            c.Gens.Add(g);
        }
        return Fin(c);
    }

    private Expr Atom()
    {
        var t = Peek;
        switch (t.Kind)
        {
            case TokKind.Number:
                _p++;
                return At(new Constant { Value = t.Value is BigInteger bi ? PyInt.Get(bi) : t.Value is double dbl ? new PyFloat(dbl) : new PyComplex((Complex)t.Value!) }, t);
            case TokKind.String: return Strings();
            case TokKind.Name:
                switch (t.Text)
                {
                    case "None": _p++; return At(new Constant { Value = PyNone.Instance }, t);
                    case "True": _p++; return At(new Constant { Value = PyBool.True }, t);
                    case "False": _p++; return At(new Constant { Value = PyBool.False }, t);
                }
                if (IsKeyword(t.Text)) throw Err("invalid syntax");
                _p++;
                return At(new Name { Id = t.Text }, t);
            case TokKind.Op:
                switch (t.Text)
                {
                    case "...": _p++; return At(new Constant { Value = PyEllipsis.Instance }, t);
                    case "(":
                        {
                            _p++;
                            if (AcceptOp(")")) return At(new TupleE(), t);
                            if (IsKw("yield")) { var y = YieldExpr(); ExpectOp(")"); return y; }
                            var first = StarOrNamed();
                            if (IsKw("for") || IsKw("async")) { var g = CompFor(CompKind.Gen, first, null, t); ExpectOp(")"); return Fin(g); }
                            if (AcceptOp(")"))
                            {
                                if (first is Starred) throw Err("cannot use starred expression here", t);
                                return first;
                            }
                            var tup = At(new TupleE(), t);
                            tup.Elts.Add(first);
                            while (AcceptOp(","))
                            {
                                if (IsOp(")")) break;
                                tup.Elts.Add(StarOrNamed());
                            }
                            ExpectOp(")");
                            return Fin(tup);
                        }
                    case "[":
                        {
                            _p++;
                            var l = At(new ListE(), t);
                            if (AcceptOp("]")) return l;
                            var first = StarOrNamed();
                            if (IsKw("for") || IsKw("async")) { var g = CompFor(CompKind.List, first, null, t); ExpectOp("]"); return Fin(g); }
                            l.Elts.Add(first);
                            while (AcceptOp(","))
                            {
                                if (IsOp("]")) break;
                                l.Elts.Add(StarOrNamed());
                            }
                            ExpectOp("]");
                            return Fin(l);
                        }
                    case "{":
                        {
                            _p++;
                            if (AcceptOp("}")) return At(new DictE(), t);
                            if (AcceptOp("**"))
                            {
                                var d = At(new DictE(), t);
                                d.Keys.Add(null); d.Values.Add(BitOr());
                                return DictRest(d);
                            }
                            var first = StarOrNamed();
                            CheckNotAssignment(first);
                            if (AcceptOp(":"))
                            {
                                var v = Test();
                                if (IsKw("for") || IsKw("async")) { var g = CompFor(CompKind.Dict, first, v, t); ExpectOp("}"); return Fin(g); }
                                var d = At(new DictE(), t);
                                d.Keys.Add(first); d.Values.Add(v);
                                return DictRest(d);
                            }
                            if (IsKw("for") || IsKw("async")) { var g = CompFor(CompKind.Set, first, null, t); ExpectOp("}"); return Fin(g); }
                            var s = At(new SetE(), t);
                            s.Elts.Add(first);
                            while (AcceptOp(","))
                            {
                                if (IsOp("}")) break;
                                s.Elts.Add(StarOrNamed());
                            }
                            ExpectOp("}");
                            return Fin(s);
                        }
                }
                break;
        }
        if (t.Kind == TokKind.Newline || t.Kind == TokKind.EOF) throw Err("invalid syntax");
        if (t.Kind == TokKind.Indent) throw new SyntaxErrorException("unexpected indent", t.Line, IndentWidth(t.Line), true);
        throw Err("invalid syntax");
    }

    /// <summary>'=' after an expression where no assignment can stand (CPython's invalid_named_expression).</summary>
    private void CheckNotAssignment(Expr e)
    {
        if (!IsOp("=")) return;
        if (e is Name)
        {
            int start = _p;
            _p++;
            if (StartsExpr()) { BitOr(); throw RangeErr("invalid syntax. Maybe you meant '==' or ':=' instead of '='?", TokenAtNode(e), _t[_p - 1]); }
            _p = start;
            return;
        }
        if (e is Starred) return;
        throw NodeErr($"cannot assign to {Describe(e)} here. Maybe you meant '==' instead of '='?", e);
    }

    private Token TokenAtNode(Node n) => TokenAt(n.Line, n.Col);

    private Expr DictRest(DictE d)
    {
        while (AcceptOp(","))
        {
            if (IsOp("}")) break;
            if (AcceptOp("**")) { d.Keys.Add(null); d.Values.Add(BitOr()); continue; }
            int keyStart = _p;
            d.Keys.Add(Test());
            CheckNotAssignment(d.Keys[^1]!);
            if ((IsOp(",") || IsOp("}")) && !AcceptOp(":")) throw RangeErr("':' expected after dictionary key", _t[keyStart], _t[_p - 1], custom: true);
            ExpectOp(":");
            d.Values.Add(Test());
        }
        ExpectOp("}");
        return Fin(d);
    }

    private Expr Strings()
    {
        var t = Peek;
        var parts = new List<Expr>();
        var sb = new StringBuilder();
        bool anyF = false;
        bool? bytes = null;
        var bsb = new List<byte>();
        while (Peek.Kind == TokKind.String)
        {
            var s = Next();
            if (bytes.HasValue && bytes.Value != s.IsBytes) throw Err("cannot mix bytes and nonbytes literals", s);
            bytes = s.IsBytes;
            if (s.IsBytes)
            {
                // the source text, not the escapes' values: b"\xe9" is fine, b"é" is not (CPython's tokenizer)
                foreach (char ch in s.Text)
                    if (ch > 127) throw Err("bytes can only contain ASCII literal characters", s);
                foreach (char ch in (string)s.Value!)
                {
                    if (ch > 255) throw Err("bytes can only contain ASCII literal characters", s);
                    bsb.Add((byte)ch);
                }
                continue;
            }
            if (!s.IsFString) { sb.Append((string)s.Value!); continue; }
            anyF = true;
            ParseFString(s, parts, sb);
        }
        if (bytes == true) return At(new Constant { Value = new PyBytes(bsb.ToArray()) }, t);
        if (!anyF) return At(new Constant { Value = new PyStr(sb.ToString()), Kind = t.IsU ? "u" : null }, t);
        if (sb.Length > 0) parts.Add(new Constant { Value = new PyStr(sb.ToString()) });
        var j = At(new JoinedStr(), t);
        j.Parts = parts;
        return Fin(j);
    }

    private void FlushLit(List<Expr> parts, StringBuilder sb)
    {
        if (sb.Length > 0) { parts.Add(new Constant { Value = new PyStr(sb.ToString()) }); sb.Clear(); }
    }

    private void ParseFString(Token tok, List<Expr> parts, StringBuilder sb)
    {
        string s = tok.Text;
        int i = 0;
        var lit = new StringBuilder();
        void FlushRaw()
        {
            if (lit.Length > 0) { sb.Append(tok.IsRaw ? lit.ToString() : Lexer.Unescape(lit.ToString(), false, tok.Line)); lit.Clear(); }
        }
        while (i < s.Length)
        {
            char c = s[i];
            if (c == '{')
            {
                if (i + 1 < s.Length && s[i + 1] == '{') { lit.Append('{'); i += 2; continue; }
                FlushRaw();
                FlushLit(parts, sb);
                i++;
                int exprStart = i;
                int depth = 0;
                char inStr = '\0';
                while (i < s.Length)
                {
                    char ch = s[i];
                    if (inStr != '\0') { if (ch == inStr) inStr = '\0'; i++; continue; }
                    if (ch == '\'' || ch == '"') { inStr = ch; i++; continue; }
                    if (ch == '(' || ch == '[' || ch == '{') depth++;
                    else if (ch == ')' || ch == ']' || ch == '}') { if (depth == 0) break; depth--; }
                    else if (depth == 0 && (ch == '!' && i + 1 < s.Length && s[i + 1] != '=' || ch == ':')) break;
                    i++;
                }
                if (i >= s.Length)
                {
                    // CPython compiles the expression before it looks for the '}': its error comes first
                    string partial = s.Substring(exprStart).TrimEnd();
                    if (partial.EndsWith('=') && !partial.EndsWith("==")) partial = partial.Substring(0, partial.Length - 1);
                    if (partial.Trim().Length > 0) ParseFStringField(tok, s, exprStart, partial);
                    throw new SyntaxErrorException("f-string: expecting '}'", tok.Line, tok.Col + 1);
                }
                string exprText = s.Substring(exprStart, i - exprStart);
                bool debug = false;
                string trimmed = exprText.TrimEnd();
                if (trimmed.EndsWith('=') && !trimmed.EndsWith("==") && !trimmed.EndsWith("!=") && !trimmed.EndsWith("<=") && !trimmed.EndsWith(">="))
                {
                    debug = true;
                    sb.Append(exprText);
                    FlushLit(parts, sb);
                    exprText = trimmed.Substring(0, trimmed.Length - 1);
                }
                if (exprText.Trim().Length == 0) throw new SyntaxErrorException("f-string: empty expression not allowed", tok.Line, tok.Col + 1);
                Expr e = ParseFStringField(tok, s, exprStart, exprText);
                SetLines(e, tok.Line);
                var fv = new FormattedValue { Value = e, Line = tok.Line, Col = tok.Col, EndLine = tok.EndLine, EndCol = tok.EndCol, Conv = debug ? 'r' : '\0' };
                if (s[i] == '!')
                {
                    fv.Conv = s[i + 1];
                    if (fv.Conv != 'r' && fv.Conv != 's' && fv.Conv != 'a') throw new SyntaxErrorException("f-string: invalid conversion character: expected 's', 'r', or 'a'", tok.Line, tok.Col + 1);
                    i += 2;
                }
                if (s[i] == ':')
                {
                    if (debug && fv.Conv == 'r' && s.Substring(exprStart).IndexOf('!') < 0) fv.Conv = '\0';
                    i++;
                    int specStart = i; int d2 = 0;
                    while (i < s.Length && !(s[i] == '}' && d2 == 0)) { if (s[i] == '{') d2++; else if (s[i] == '}') d2--; i++; }
                    var specTok = new Token { Kind = TokKind.String, Text = s.Substring(specStart, i - specStart), Line = tok.Line, Col = tok.Col, EndLine = tok.EndLine, EndCol = tok.EndCol, IsFString = true, IsRaw = tok.IsRaw };
                    var specParts = new List<Expr>();
                    var specSb = new StringBuilder();
                    ParseFString(specTok, specParts, specSb);
                    if (specSb.Length > 0) specParts.Add(new Constant { Value = new PyStr(specSb.ToString()) });
                    var js = new JoinedStr { Parts = specParts, Line = tok.Line };
                    fv.Spec = js;
                }
                if (i >= s.Length || s[i] != '}') throw new SyntaxErrorException("f-string: expecting '}'", tok.Line, tok.Col + 1);
                i++;
                parts.Add(fv);
            }
            else if (c == '}')
            {
                if (i + 1 < s.Length && s[i + 1] == '}') { lit.Append('}'); i += 2; continue; }
                throw new SyntaxErrorException("f-string: single '}' is not allowed", tok.Line, tok.Col + 1);
            }
            else if (c == '\\' && i + 1 < s.Length && !tok.IsRaw) { lit.Append(c).Append(s[i + 1]); i += 2; }
            else { lit.Append(c); i++; }
        }
        FlushRaw();
    }

    /// <summary>An f-string's replacement field, parsed as "(text)"; an error in it is reported on the line where it
    /// stands in the f-string's source (CPython's fstring_compile_expr), "f-string: " before a parser error's message.</summary>
    private Expr ParseFStringField(Token tok, string s, int exprStart, string exprText)
    {
        try { return ParseExpression("(" + exprText + ")", _posOverride ?? tok); }
        catch (SyntaxErrorException ex)
        {
            // CPython 3.11 moves the line to where the field stands; the column stays the one in "(text)"
            int before = 0;
            for (int k = 0; k < exprStart; k++) if (s[k] == '\n') before++;
            int line0 = tok.Line + before;
            int Line(int l) => line0 + Math.Max(l, 1) - 1;
            static int Col(int l, int c) => c;
            string msg = ex.FromTokenizer || ex.Msg.StartsWith("f-string: ", StringComparison.Ordinal) ? ex.Msg : "f-string: " + ex.Msg;
            var mapped = new SyntaxErrorException(msg, Line(ex.Line), Col(ex.Line, ex.Col), ex.Indentation) { FromTokenizer = ex.FromTokenizer, Custom = ex.Custom };
            if (ex.EndLine > 0) { mapped.EndLine = Line(ex.EndLine); mapped.EndCol = Col(ex.EndLine, ex.EndCol); }
            throw mapped;
        }
    }

    private static void SetLines(Expr e, int line)
    {
        e.Line = line;
        switch (e)
        {
            case Call c: SetLines(c.Func, line); foreach (var a in c.Args) SetLines(a, line); break;
            case BinOpE b: SetLines(b.Left, line); SetLines(b.Right, line); break;
            case Attribute a: SetLines(a.Value, line); break;
            case Subscript s: SetLines(s.Value, line); SetLines(s.Index, line); break;
        }
    }
}
